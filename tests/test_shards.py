"""``--tf2conf-shard`` balanced by ``--tf2conf-durations``: the split, the file, the errors."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import random
from pathlib import Path

import pytest

from pytest_tf2conf import shards
from pytest_tf2conf.report import merge
from tests.helpers import run_conformance_inprocess
from tests.test_report_support import make_report, result, write_report

IDS = [f"eager/test_ops.py::test_op[{n}-CPU:0-eager]" for n in range(37)]


def _loads(ids: list[str], owners: list[int], seconds: dict[str, float], count: int) -> list[float]:
    loads = [0.0] * count
    for test_id, owner in zip(ids, owners, strict=True):
        loads[owner] += seconds[test_id]
    return loads


# -- the balancing function -----------------------------------------------------------------
@pytest.mark.parametrize("count", [1, 2, 3, 4, 7, 50])
@pytest.mark.parametrize("balanced", [False, True])
def test_shards_partition_the_tests(count: int, balanced: bool) -> None:
    durations = {t: float(i % 5) for i, t in enumerate(IDS[::2])} if balanced else None
    kept = []
    for index in range(1, count + 1):
        keep, drop = shards.shard_split(IDS, IDS, (index, count), durations)
        assert sorted(keep + drop) == sorted(IDS)
        assert keep == [t for t in IDS if t in keep]  # collection order is kept
        kept += keep
    assert sorted(kept) == sorted(IDS)  # each test in exactly one shard


def test_without_durations_the_hash_split_is_unchanged() -> None:
    def old_key(test_id: str) -> int:  # the split of earlier releases
        return int.from_bytes(hashlib.sha256(test_id.encode()).digest()[:8], "big")

    for count in (2, 3, 5):
        assert shards.assignment(IDS, count) == [old_key(t) % count for t in IDS]


def test_the_balanced_split_is_deterministic() -> None:
    durations = {t: float(len(t) % 3) for t in IDS}  # many ties: the test id decides
    first = dict(zip(IDS, shards.assignment(IDS, 4, durations), strict=True))
    shuffled = list(IDS)
    random.Random(1).shuffle(shuffled)
    again = dict(zip(shuffled, shards.assignment(shuffled, 4, dict(durations)), strict=True))
    assert again == first  # a test's shard does not depend on the collection order


def test_longest_first_balances_a_skewed_distribution() -> None:
    ids = [f"t{n:02d}" for n in range(10)]
    seconds = {t: float(10 - n) for n, t in enumerate(ids)}  # 10, 9, ..., 1
    loads = _loads(ids, shards.assignment(ids, 4, seconds), seconds, 4)
    assert sum(loads) == 55
    assert max(loads) <= 1.15 * 55 / 4  # 15 s against an ideal 13.75 s

    rng = random.Random(0)
    ids = [f"s{n:03d}" for n in range(300)]
    seconds = {t: rng.lognormvariate(0, 1.5) for t in ids}
    balanced = _loads(ids, shards.assignment(ids, 4, seconds), seconds, 4)
    hashed = _loads(ids, shards.assignment(ids, 4), seconds, 4)
    assert max(balanced) <= 1.01 * sum(seconds.values()) / 4 < max(hashed)


def test_a_test_longer_than_the_share_gets_a_shard_to_itself() -> None:
    ids = ["long", *(f"short{n}" for n in range(20))]
    seconds = {"long": 100.0, **{t: 1.0 for t in ids[1:]}}
    owners = shards.assignment(ids, 3, seconds)
    assert owners[0] == 0 and 0 not in owners[1:]  # the lowest index on the first tie


def test_a_missing_test_gets_the_median_of_the_collected_known_ones() -> None:
    durations = {"a": 1.0, "b": 2.0, "c": 10.0, "not collected": 1000.0}
    assert shards.estimated_seconds(["a", "b", "c", "new"], durations) == [1, 2, 10, 2]
    assert shards.estimated_seconds(["x", "y"], durations) == [1.0, 1.0]  # none known: 1 s
    # Balanced on the estimate: the new test counts as 2 s, not as nothing.
    assert shards.assignment(["c", "new", "a", "b"], 2, durations) == [0, 1, 1, 1]


# -- the durations file ---------------------------------------------------------------------
def test_durations_are_keyed_by_test_and_the_longest_row_wins(tmp_path: Path) -> None:
    one = result("eager.a", "CPU:0-eager", "passed")
    two_claims = [dict(one, duration=2.0), dict(one, claim="eager.b", duration=2.0)]
    old = make_report([*two_claims, dict(result("eager.c", "CPU:0-eager", "passed"))])
    new = make_report([dict(one, duration=5.0)], tensorflow="2.20.0")
    merged = merge.merge([old, new])  # qualified targets, the test ids unchanged
    assert {r["target"] for r in merged["results"]} >= {"tf2.20/CPU:0-eager"}
    durations = shards.load_durations(write_report(tmp_path, "m.json", merged))
    assert durations == {one["test"]: 5.0, result("eager.c", "CPU:0-eager", "x")["test"]: 0.1}


def _report_text(duration: object) -> str:
    row = result("eager.a", "CPU:0-eager", "passed")
    if duration is None:
        del row["duration"]
    else:
        row["duration"] = duration
    return json.dumps(make_report([row])).replace('"duration": "NaN"', '"duration": NaN')


# case -> (file contents, None for no file; how the error line goes on after the option name)
HOSTILE = {
    "missing": (None, "cannot read {path}: No such file or directory"),
    "directory": ("<dir>", "cannot read {path}: Is a directory"),
    "binary": (b"\x89PNG\r\n\x1a\n\xff\xfe", "{path}: not UTF-8 text"),
    "not-json": (b"{results: [", "{path}: invalid JSON at line 1 column 2"),
    "no-results": (b'{"schema_version": 1, "tests": []}', "{path}: not a tf2conf report"),
    "results-not-a-list": (
        b'{"schema_version": 1, "results": {}}',
        "{path}: 'results' must be a list",
    ),
    "text-duration": (_report_text("slow"), "{path}: results[0].duration must be a number"),
    "negative-duration": (
        _report_text(-1.5),
        "{path}: results[0].duration must be a number of seconds >= 0, got -1.5",
    ),
    "nan-duration": (
        _report_text("NaN"),
        "{path}: results[0].duration must be a number of seconds >= 0, got nan",
    ),
    "no-duration": (_report_text(None), "{path}: results[0] has no duration"),
}


def _write_hostile(folder: Path, case: str) -> Path:
    path = folder / "durations.json"
    contents = HOSTILE[case][0]
    if contents == "<dir>":
        path.mkdir()
    elif contents is not None:
        path.write_bytes(contents if isinstance(contents, bytes) else contents.encode())
    return path


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_bad_durations_file_is_a_one_line_usage_error(
    pytester: pytest.Pytester, case: str
) -> None:
    path = _write_hostile(pytester.path, case)
    pytester.makepyfile(test_demo="def test_nothing(): pass\n")
    result = pytester.runpytest_inprocess(
        "--tf2conf", "--tf2conf-shard", "1/2", "--tf2conf-durations", path.name,
        "-p", "no:cacheprovider", "test_demo.py",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.startswith("ERROR:")]
    # The relative path is resolved against the invocation folder, and named.
    expected = "ERROR: --tf2conf-durations: " + HOSTILE[case][1].format(path=path)
    assert len(errors) == 1 and errors[0].startswith(expected), result.errlines
    assert "Traceback" not in "\n".join(result.errlines + result.outlines)


def test_durations_without_a_shard_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ntf2conf_durations = previous.json\n")
    pytester.makepyfile(test_demo="def test_nothing(): pass\n")
    result = pytester.runpytest_inprocess("--tf2conf", "-p", "no:cacheprovider", "test_demo.py")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.startswith("ERROR:")]
    assert errors == ["ERROR: --tf2conf-durations: needs --tf2conf-shard I/N (the durations "
                      "balance the shards)"]  # fmt: skip


# -- a run ----------------------------------------------------------------------------------
LOPSIDED = """
import numpy as np
import pytest
from pytest_tf2conf import claim

DOC = "https://www.tensorflow.org/api_docs/python/tf/identity"


@claim("demo.identity", "Identity returns its input.", DOC)
@pytest.mark.parametrize("n", range(6))
def test_identity(target, n):
    import tensorflow as tf
    x = np.arange(n, dtype=np.float32)
    np.testing.assert_array_equal(target.run(tf.identity, x).numpy(), x)


@claim("demo.long", "A test the previous run found long.", DOC)
def test_long(target):
    pass
"""


def test_balanced_shards_partition_the_run(pytester: pytest.Pytester) -> None:
    path = str(pytester.makepyfile(test_lopsided=LOPSIDED))
    common = (path, "--tf2conf-devices", "CPU:0", "--tf2conf-modes", "eager")
    previous = run_conformance_inprocess(pytester, *common).report
    tests = {r["test"] for r in previous["results"]}
    assert len(tests) == 7
    # The previous run found test_long slow; one short test is new since (median: 1 s).
    long_test = next(t for t in tests if "test_long" in t)
    rows = [dict(r, duration=30.0 if r["test"] == long_test else 1.0) for r in previous["results"]]
    previous["results"] = [r for r in rows if "test_identity[CPU:0-eager-5]" not in r["test"]]
    (pytester.path / "previous.json").write_text(json.dumps(previous))

    ran = []
    for index in (1, 2):
        run = run_conformance_inprocess(
            pytester, *common, "--tf2conf-shard", f"{index}/2", "--tf2conf-durations",
            "previous.json",
        )  # fmt: skip
        assert run.report["environment"]["shard"] == f"{index}/2"
        assert run.report["environment"]["shard_durations"] == str(pytester.path / "previous.json")
        run.assert_all_passed()
        ran.append({r["test"] for r in run.report["results"]})
    assert ran[0] == {long_test}  # 30 s against 6 x 1 s: alone in shard 1
    assert ran[1] == tests - {long_test}


@pytest.mark.skipif(importlib.util.find_spec("xdist") is None, reason="pytest-xdist missing")
def test_xdist_workers_agree_on_the_balanced_split(pytester: pytest.Pytester) -> None:
    """Each worker computes the split itself; xdist refuses workers whose collections differ."""
    path = pytester.makepyfile(test_lopsided=LOPSIDED)
    seconds = {"test_long[CPU:0-eager]": 30.0}
    seconds.update({f"test_identity[CPU:0-eager-{n}]": 1.0 for n in range(6)})
    row = result("demo.identity", "CPU:0-eager", "passed")
    rows = [dict(row, test=f"test_lopsided.py::{t}", duration=s) for t, s in seconds.items()]
    (pytester.path / "previous.json").write_text(json.dumps(make_report(rows)))
    run = pytester.runpytest_subprocess(
        "--tf2conf", "--tf2conf-devices", "CPU:0", "--tf2conf-modes", "eager",
        "--tf2conf-shard", "2/2", "--tf2conf-durations", "previous.json",
        "-n", "2", "-p", "no:cacheprovider", str(path),
    )  # fmt: skip
    assert run.ret == pytest.ExitCode.OK, run.outlines[-20:]
    report = json.loads((pytester.path / "reports" / "tf2conf-report.json").read_text())
    # Shard 1 is test_long alone (30 s against 6 x 1 s); shard 2, run by two workers, the rest.
    assert {r["test"].split("::")[1] for r in report["results"]} == set(seconds) - {
        "test_long[CPU:0-eager]"
    }
