"""No wasted examples: expected failures stop at their first falsifying example, and the
shrinking of a real failure is bounded in time (``profiles.SHRINK_SECONDS``)."""

from __future__ import annotations

import pytest

from pytest_tf2conf import profiles
from tests.helpers import run_conformance_inprocess

SUITE = """
import time
from hypothesis import given, strategies as st
from pytest_tf2conf import claim

DOC = "https://www.tensorflow.org/api_docs/python/tf/constant"
CALLS = []

@claim("demo.always-fails", "Fails on every example (an expected failure).", DOC)
@given(st.integers(0, 10**6))
def test_expected_failure(target, n):
    CALLS.append(n)
    assert n < 0

@claim("demo.slow-shrink", "Fails for lists of 8 distinct values; examples are slow.", DOC)
@given(st.lists(st.integers(0, 1000), min_size=0, max_size=50))
def test_slow_real_failure(target, values):
    time.sleep(0.1)  # unbounded, shrinking this failure takes ~280 examples: ~30 s
    assert len(set(values)) < 8
"""

EXPECTATIONS = """
[[expectation]]
claim = "demo.always-fails"
action = "xfail"
reason = "planted: fails by design"
"""

ARGS = ("--tf2conf-devices", "CPU:0", "--tf2conf-modes", "eager")


def test_expected_failure_stops_at_first_example(pytester: pytest.Pytester) -> None:
    path = pytester.makepyfile(test_budget=SUITE)
    expectations = pytester.path / "expected.toml"
    expectations.write_text(EXPECTATIONS)
    run = run_conformance_inprocess(
        pytester,
        f"{path}::test_expected_failure",
        *ARGS,
        "--tf2conf-expectations",
        str(expectations),
        shrink=True,
    )
    (result,) = run.report["results"]
    assert result["outcome"] == "xfailed"
    # hypothesis replays the failing example once to report it: generate 1 + replay 1
    assert result["examples"] <= 2, result
    assert result["example"] and "n=" in result["example"]


def test_real_failure_shrinks_within_the_budget(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(profiles.SHRINK_SECONDS, "ci", 2)
    path = pytester.makepyfile(test_budget=SUITE)
    run = run_conformance_inprocess(pytester, f"{path}::test_slow_real_failure", *ARGS, shrink=True)
    (result,) = run.report["results"]
    assert result["outcome"] == "failed"
    assert result["example"], result  # the (partly shrunk) falsifying example is reported
    # 2 s of shrinking, plus generation and the final replay; unbounded it takes ~30 s
    assert result["duration"] < 12, result["duration"]


MANY_PARAMETRIZATIONS = """
import pytest
from hypothesis import given, settings, strategies as st
from pytest_tf2conf import claim

DOC = "https://www.tensorflow.org/api_docs/python/tf/constant"


def depth(value):
    found = 0
    while value is not None:
        value, found = getattr(value, "_fallback", None), found + 1
    return found


FIRST = []


@claim("demo.many", "A property parametrized many times keeps its settings shallow.", DOC)
@pytest.mark.parametrize("i", range(300))
@settings(max_examples=1)
@given(st.integers())
def test_many(target, i, n):
    # Without the plugin's reset, hypothesis adds a settings layer per invocation: past
    # about a thousand invocations (the op database) that is a RecursionError.
    # (The depth itself depends on the environment: hypothesis adds a CI profile under CI.)
    now = depth(test_many._hypothesis_internal_use_settings)
    FIRST.append(now)
    assert now <= FIRST[0] + 2, (FIRST[0], now)
"""


def test_parametrized_properties_do_not_pile_up_settings(pytester: pytest.Pytester) -> None:
    path = pytester.makepyfile(test_many=MANY_PARAMETRIZATIONS)
    run = run_conformance_inprocess(pytester, str(path), *ARGS)
    outcomes = {r["outcome"] for r in run.report["results"]}
    assert outcomes == {"passed"} and len(run.report["results"]) == 300, outcomes
