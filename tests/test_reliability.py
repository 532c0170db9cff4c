"""A run that goes wrong still writes a truthful report: killed worker, Ctrl-C, hanging test."""

from __future__ import annotations

import importlib.util
import os
import signal

import pytest

from tests.helpers import (
    _base_args,
    _read_report,
    run_conformance_inprocess,
    run_conformance_subprocess,
)

HEADER = """
import os, time
from pytest_tf2conf import claim

DOC = "https://www.tensorflow.org/api_docs/python/tf/constant"
OK = claim("demo.fine", "Fine.", DOC)
"""


def _suite(body: str) -> str:
    return HEADER + body


@pytest.mark.skipif(importlib.util.find_spec("xdist") is None, reason="pytest-xdist missing")
def test_killed_xdist_worker_loses_only_its_test(pytester: pytest.Pytester) -> None:
    path = pytester.makepyfile(
        test_kill=_suite(
            """
@OK
@claim("demo.survives-kill", "A test whose worker is killed is reported crashed.", DOC)
def test_kill(target):
    os.kill(os.getpid(), 9)

"""
            + "".join(f"\n@OK\ndef test_ok_{i}(target):\n    assert True\n" for i in range(6))
        )
    )
    proc, report = run_conformance_subprocess(
        pytester.path,
        str(path),
        "-n",
        "2",
        "--tf2conf-devices",
        "CPU:0",
        "--tf2conf-modes",
        "eager",
        timeout=300,
    )
    assert report, proc.stdout[-3000:] + proc.stderr[-3000:]
    outcomes = {r["test"]: r["outcome"] for r in report["results"]}
    assert outcomes["test_kill.py::test_kill[CPU:0-eager]"] == "crashed"
    oks = {t: o for t, o in outcomes.items() if "test_ok_" in t}
    assert len(oks) == 6 and set(oks.values()) == {"passed"}
    crashed = [r for r in report["results"] if r["outcome"] == "crashed"]
    assert {r["claim"] for r in crashed} == {"demo.fine", "demo.survives-kill"}
    assert "crashed" in crashed[0]["message"]
    assert crashed[0]["repro"].startswith("repro/")


def test_ctrl_c_writes_an_incomplete_report(pytester: pytest.Pytester) -> None:
    path = pytester.makepyfile(
        test_interrupt=_suite(
            """
@OK
def test_a_first(target):
    assert True

@OK
def test_b_interrupt(target):
    raise KeyboardInterrupt

@OK
def test_c_never_runs(target):
    assert True
"""
        )
    )
    report_dir = pytester.path / "reports"
    args = [str(path), "--tf2conf-devices", "CPU:0", "--tf2conf-modes", "eager"]
    # no_reraise_ctrlc: the inner run's Ctrl-C must not stop this (outer) test session.
    result = pytester.runpytest_inprocess(
        *_base_args(report_dir, "quick"), *args, no_reraise_ctrlc=True
    )
    assert result.ret == pytest.ExitCode.INTERRUPTED
    report = _read_report(report_dir)
    assert report["complete"] is False
    tests = {r["test"].split("::")[1]: r["outcome"] for r in report["results"]}
    assert tests["test_a_first[CPU:0-eager]"] == "passed"
    assert "test_c_never_runs[CPU:0-eager]" not in tests
    md = (pytester.path / "reports" / "tf2conf-report.md").read_text()
    assert "Incomplete run" in md


@pytest.mark.skipif(
    importlib.util.find_spec("pytest_timeout") is None, reason="pytest-timeout missing"
)
def test_hanging_test_is_stopped_and_the_run_goes_on(pytester: pytest.Pytester) -> None:
    path = pytester.makepyfile(
        test_hang=_suite(
            """
@OK
def test_a_hangs(target):
    time.sleep(60)

@OK
def test_b_after(target):
    assert True
"""
        )
    )
    # An outer per-test alarm (this session run with --timeout) would make tf2conf leave
    # timeouts alone in the inner run: pause it meanwhile.
    remaining = signal.setitimer(signal.ITIMER_REAL, 0)[0]
    try:
        run = run_conformance_inprocess(
            pytester,
            str(path),
            "--tf2conf-devices",
            "CPU:0",
            "--tf2conf-modes",
            "eager",
            "--tf2conf-timeout",
            "1",
        )
    finally:
        if remaining:
            signal.setitimer(signal.ITIMER_REAL, remaining)
    tests = {r["test"].split("::")[1]: r for r in run.report["results"]}
    hung = tests["test_a_hangs[CPU:0-eager]"]
    assert hung["outcome"] == "failed" and "Timeout" in hung["message"]
    assert hung["duration"] < 30
    assert tests["test_b_after[CPU:0-eager]"]["outcome"] == "passed"
    assert run.report["complete"] is True


def test_bad_timeout_is_a_usage_error(pytester: pytest.Pytester) -> None:
    path = pytester.makepyfile(test_x=_suite("\n@OK\ndef test_x(target):\n    pass\n"))
    run = run_conformance_inprocess(pytester, str(path), "--tf2conf-timeout", "soon")
    assert run.result.ret == pytest.ExitCode.USAGE_ERROR


@pytest.mark.skipif(importlib.util.find_spec("xdist") is None, reason="pytest-xdist missing")
def test_xdist_workers_share_the_seed_and_the_cores(pytester: pytest.Pytester) -> None:
    """Every worker draws with the seed the report records, and caps TensorFlow's thread
    pools at its share of the cores (two workers must not each take the whole machine)."""
    out = pytester.path / "seen"
    out.mkdir()
    path = pytester.makepyfile(
        test_workers=_suite(
            f"""
import hypothesis.core, tensorflow as tf
OUT = {str(out)!r}

"""
            + "".join(
                f"""
@OK
def test_{i}(target):
    seen = (hypothesis.core.global_force_seed,
            tf.config.threading.get_intra_op_parallelism_threads())
    with open(os.path.join(OUT, os.environ["PYTEST_XDIST_WORKER"] + "-{i}"), "w") as f:
        f.write(repr(seen))
"""
                for i in range(4)
            )
        )
    )
    proc, report = run_conformance_subprocess(
        pytester.path, str(path), "-n", "2", "--tf2conf-devices", "CPU:0",
        "--tf2conf-modes", "eager", profile="quick", timeout=300,
    )  # fmt: skip
    assert report, proc.stdout[-3000:] + proc.stderr[-3000:]
    seed = report["environment"]["seed"]
    seen = {eval(p.read_text()) for p in out.iterdir()}
    workers = {p.name.split("-")[0] for p in out.iterdir()}
    assert len(workers) == 2, workers
    expected_threads = max(1, (os.cpu_count() or 1) // 2)
    assert seen == {(seed, expected_threads)}, (seen, seed)
