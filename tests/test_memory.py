"""Memory of long runs: what a finished test or module held is freed, and checks still run
afresh."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from pytest_tf2conf import memory

DOC = "https://www.tensorflow.org/guide/function"

# One function that two modules call: the second module must trace (and check) it again.
SHARED = """
def double(x):
    return x * 2
"""

MODULE = """
import numpy as np
from pytest_tf2conf import claim, targets
from shared_fns import double

def test_starts_without_the_previous_modules_functions():
    assert not [key for key in targets._COMPILED if key[0] is double]

@claim("demo.{name}-first", "Doubling doubles.", "{doc}")
def test_first(target):
    np.testing.assert_array_equal(target.run(double, np.ones(2, np.float32)), [2, 2])

@claim("demo.{name}-again", "Doubling doubles, again.", "{doc}")
def test_again(target):
    np.testing.assert_array_equal(target.run(double, np.ones(3, np.float32)), [2, 2, 2])
"""


def test_each_test_traces_afresh(run_conformance, pytester):
    pytester.makepyfile(
        shared_fns=SHARED,
        test_a=MODULE.format(name="a", doc=DOC),
        test_b=MODULE.format(name="b", doc=DOC),
    )
    run = run_conformance("test_a.py", "test_b.py", "--tf2conf-devices", "CPU:0")
    run.assert_all_passed()
    run.result.assert_outcomes(passed=2 + 2 * 2 * 3)
    traces = {(r["claim"], r["mode"]): r["traces"] for r in run.report["results"]}
    for module in ("a", "b"):
        # a compiled function is freed after its test: the next test traces (and checks) anew
        assert traces[(f"demo.{module}-first", "function")] == 1, traces
        assert traces[(f"demo.{module}-first", "xla")] == 1, traces
        assert traces[(f"demo.{module}-again", "function")] == 1, traces
        assert traces[(f"demo.{module}-first", "eager")] == 0, traces


def _item(path: str, *fixtures: str) -> SimpleNamespace:
    return SimpleNamespace(path=Path(path), fixturenames=list(fixtures))


def test_release_after_each_test_and_keras_only_after_keras_modules(monkeypatch):
    released: list[bool] = []
    monkeypatch.setattr(memory, "release", lambda keras=False: released.append(keras))
    tracker = memory.ModuleMemory()
    a1, a2 = _item("a.py", "target"), _item("a.py", "target")
    k1, k2 = _item("k.py", "keras_target"), _item("k.py", "tmp_path")
    b1 = _item("b.py", "target")
    for item, nextitem in [(a1, a2), (a2, k1), (k1, k2), (k2, b1), (b1, None)]:
        tracker.after_teardown(item, nextitem)
    # compiled functions after each test; Keras' session when k.py ends (one test used
    # Keras); nothing at the session's end
    assert released == [False, False, False, True]


def test_release_empties_the_compiled_cache():
    from pytest_tf2conf import targets

    targets._COMPILED[("fn", "CPU:0-function", None)] = object()
    memory.release()
    assert not targets._COMPILED


GC_SUITE = """
import gc
from pytest_tf2conf import claim

@claim("demo.gc-frozen", "Tests run with the collector on and start-up frozen.", "{doc}")
def test_collector_is_on_and_start_up_frozen(target):
    assert gc.isenabled()
    assert gc.get_freeze_count() > 10_000  # TensorFlow's modules, the collected tests
"""


def test_start_up_is_frozen_during_the_run_and_released_after(run_conformance, pytester):
    """The collector is paused from configuration to the end of collection, what exists
    then is frozen (``gc_pause``), and the run leaves the process as it found it."""
    import gc

    path = pytester.makepyfile(test_gc=GC_SUITE.format(doc=DOC))
    frozen_before = gc.get_freeze_count()
    run = run_conformance(str(path), "--tf2conf-devices", "CPU:0", "--tf2conf-modes", "eager")
    run.assert_all_passed()
    assert gc.isenabled() and gc.get_freeze_count() == frozen_before
