"""Shared pieces of the report/CLI tests: a tiny planted suite and synthetic reports.

(No tests here; the module is named test_report_* only because the report helper owns
those files.)
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from pytest_tf2conf.report import schema
from tests.helpers import ConformanceRun, run_conformance_inprocess

DOC = "https://www.tensorflow.org/api_docs/python/tf/math/multiply"
HOSTILE = "<script>alert('x')</script>"

# One claim that holds, one that fails (with markup in its message), one skipped test.
PLANTED = f'''
import numpy as np
from hypothesis import given, strategies as st
from pytest_tf2conf import assert_close, claim

DOC = "{DOC}"
DOUBLES = claim("demo.double-doubles", "Doubling <b>multiplies</b> by two.", DOC)
BROKEN = claim("demo.planted-fault", "A claim with a planted fault.", DOC)


def double(x):
    return x * 2


@DOUBLES
@given(st.lists(st.floats(-10, 10, width=32), max_size=4))
def test_double(target, values):
    x = np.array(values, dtype=np.float32)
    assert_close(target.run(double, x), x.astype(np.float64) * 2)


@BROKEN
@given(st.integers(0, 10))
def test_planted(target, n):
    assert n < 3, "{HOSTILE} n too big"
'''


def make_planted(pytester: pytest.Pytester, name: str = "test_planted") -> Path:
    return pytester.makepyfile(**{name: PLANTED})


def run_planted(pytester: pytest.Pytester, *args: str, profile: str = "quick") -> ConformanceRun:
    path = make_planted(pytester)
    return run_conformance_inprocess(
        pytester,
        str(path),
        "--tf2conf-devices",
        "CPU:0",
        "--tf2conf-modes",
        "eager",
        *args,
        profile=profile,
    )


# -- synthetic reports ---------------------------------------------------------------------
def result(claim: str, target: str, outcome: str, message: str = "", **extra: Any) -> dict:
    device, _, mode = target.rpartition("/")[2].partition("-")
    test = f"{claim.split('.')[0]}/test_x.py::test_{claim.split('.')[1]}[{target}]"
    return {
        "claim": claim,
        "test": test,
        "nodeid": test,
        "target": target,
        "device": device,
        "mode": mode,
        "backend": None,
        "outcome": outcome,
        "duration": 0.1,
        "message": message,
        "example": None,
        **extra,
    }


def make_report(results: list[dict], **environment: Any) -> dict[str, Any]:
    env = {
        "tensorflow": "2.21.0",
        "keras": "3.15.1",
        "keras_backend": "tensorflow",
        "python": "3.11.7",
        "host": "ci-1",
        "devices": ["CPU:0"],
        "modes": ["eager"],
        "profile": "ci",
        "seed": "derandomized",
        **environment,
    }
    ids = sorted({r["claim"] for r in results})
    claims = [
        {"id": i, "area": i.split(".")[0], "statement": f"{i} holds.", "doc": DOC} for i in ids
    ]
    return schema.build(env, claims, copy.deepcopy(results), True)


def write_report(folder: Path, name: str, report: dict[str, Any]) -> str:
    path = folder / name
    path.write_text(json.dumps(report))
    return str(path)
