"""The first report: contents, falsifying examples, tolerances, and nothing lost under -n 2."""

from __future__ import annotations

import json

DOC = "https://www.tensorflow.org/api_docs/python/tf/math/add"

MIXED_SUITE = f"""
import numpy as np
from hypothesis import given, strategies as st
from pytest_tf2conf import claim, assert_close

def add_one(x):
    return x + 1

def add_almost_one(x):
    return x + 1.001

ADD = claim("demo.add-one", "Adding one adds one to every element.", "{DOC}")

@ADD
@given(st.lists(st.floats(-100, 100, width=32), max_size=4))
def test_add_one(target, values):
    x = np.array(values, dtype=np.float32)
    assert_close(target.run(add_one, x), x.astype(np.float64) + 1)

@ADD
@claim("demo.drifting-add", "A planted drift that the tolerance catches.", "{DOC}")
@given(st.lists(st.floats(-100, 100, width=32), min_size=1, max_size=4))
def test_drifting_add(target, values):
    x = np.array(values, dtype=np.float32)
    assert_close(target.run(add_almost_one, x), x.astype(np.float64) + 1)
"""


def test_report_under_xdist_has_every_result(pytester):
    pytester.makepyfile(test_demo=MIXED_SUITE)
    result = pytester.runpytest_subprocess(
        "--tf2conf",
        "--tf2conf-virtual-cpus",
        "2",
        "--tf2conf-profile",
        "ci",
        "-n",
        "2",
        "-p",
        "no:cacheprovider",
        "test_demo.py",
    )
    assert result.ret == 1  # the drifting test fails
    report = json.loads((pytester.path / "reports" / "tf2conf-report.json").read_text())

    assert report["schema_version"] == 1 and report["complete"] is True
    env = report["environment"]
    for key in (
        "tensorflow",
        "keras",
        "keras_backend",
        "python",
        "os",
        "devices",
        "modes",
        "profile",
        "seed",
        "start_time",
        "end_time",
    ):
        assert env.get(key) is not None, key
    assert env["devices"] == ["CPU:0", "CPU:1"] and env["seed"] == "derandomized"
    assert {c["id"] for c in report["claims"]} == {"demo.add-one", "demo.drifting-add"}

    results = report["results"]
    # 2 tests x 6 targets, the drifting test counted for both of its claims
    assert len(results) == 6 + 6 * 2
    by_outcome = {}
    for row in results:
        by_outcome.setdefault(row["outcome"], []).append(row)
        for key in ("claim", "test", "device", "mode", "outcome", "duration", "message", "example"):
            assert key in row, key
    assert len(by_outcome["passed"]) == 6 and len(by_outcome["failed"]) == 12
    failure = by_outcome["failed"][0]
    # hypothesis' wording changed across versions ("Falsifying example" / "Failing test case")
    assert failure["example"].startswith(("Falsifying example:", "Failing test case:"))
    assert "test_drifting_add(" in failure["example"]
    assert failure["tolerance"]["dtype"] == "float32"
    assert failure["tolerance"]["rtol"] == 2e-05
    assert failure["examples"] >= 1

    summary = report["summary"]
    # demo.add-one fails too: one of its tests (the drifting one) fails on every target
    assert summary["areas"]["demo"]["CPU:1-xla"] == {"claims": 2, "failed": 2, "conformance": 0.0}

    markdown = (pytester.path / "reports" / "tf2conf-report.md").read_text()
    assert "| demo | 0% (0/2)" in markdown
    assert "**demo.drifting-add** on `CPU:0-eager`: failed" in markdown
