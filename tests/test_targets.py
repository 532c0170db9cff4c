"""Targets: parametrization ids, placement verification, the unsupported outcome, tracing."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import tensorflow as tf

from pytest_tf2conf import recording
from pytest_tf2conf.targets import Device, Mode, Target, select_devices

DOC = "https://www.tensorflow.org/api_docs/python/tf/device"

DOUBLING_SUITE = f"""
import numpy as np
from hypothesis import given
from pytest_tf2conf import claim, assert_close
from pytest_tf2conf.strategies import arrays, shapes

def double(x):
    return x * 2

@claim("demo.double", "Doubling a tensor doubles every element.", "{DOC}")
@given(arrays("float32", shapes(min_rank=1, max_rank=2)))
def test_double(target, x):
    assert_close(target.run(double, x), x.astype(np.float64) * 2)
"""


def test_ids_cover_every_device_and_mode(pytester):
    pytester.makepyfile(test_demo=DOUBLING_SUITE)
    result = pytester.runpytest_inprocess("--tf2conf", "test_demo.py", "--collect-only", "-q")
    ids = [line.split("[", 1)[1].rstrip("]") for line in result.outlines if "[" in line]
    assert ids == [f"CPU:{d}-{m}" for d in (0, 1) for m in ("eager", "function", "xla")]


def test_modes_marker_restricts_modes(pytester):
    pytester.makepyfile(
        test_demo=f"""
from pytest_tf2conf import claim, only_modes

@only_modes("eager")
@claim("demo.eager-only", "Runs eagerly.", "{DOC}")
def test_eager(target):
    assert target.mode.name == "eager"
"""
    )
    result = pytester.runpytest_inprocess("--tf2conf", "test_demo.py", "-v")
    result.assert_outcomes(passed=2)


def test_stock_placement_passes_and_traces_once_per_rank(run_conformance, pytester):
    pytester.makepyfile(test_demo=DOUBLING_SUITE)
    run = run_conformance("test_demo.py")
    run.assert_all_passed()
    traces = {r["target"]: r["traces"] for r in run.report["results"]}
    for target, count in traces.items():
        # one trace per rank (1 and 2) in graph modes, whatever shapes hypothesis draws
        assert count == (0 if target.endswith("eager") else 2), traces


@pytest.mark.parametrize(("replicas", "replica_examples"), [("light", 1), ("full", None)])
def test_a_marked_property_runs_one_example_on_a_replica_device(
    run_conformance, pytester, replicas, replica_examples
):
    """CPU:1 beside CPU:0 is a replica: a ``light_on_replicas`` property runs hypothesis'
    first example there (``full``: all of them), and in full on CPU:0."""
    marked = DOUBLING_SUITE.replace(
        "def double(x):", "pytestmark = __import__('pytest_tf2conf').light_on_replicas()\n\n"
        "def double(x):",
    )  # fmt: skip
    pytester.makepyfile(test_demo=marked)
    run = run_conformance(
        "test_demo.py", "--tf2conf-modes", "eager", "--tf2conf-replica-devices", replicas
    )
    run.assert_all_passed()
    examples = {r["target"]: r["examples"] for r in run.report["results"]}
    assert examples["CPU:0-eager"] > 1, examples
    if replica_examples is None:
        assert examples["CPU:1-eager"] == examples["CPU:0-eager"], examples
    else:
        assert examples["CPU:1-eager"] == replica_examples, examples


@pytest.mark.parametrize(
    ("mode", "traces", "compiles"), [("eager", 0, 0), ("function", 1, 0), ("xla", 1, 2)]
)
def test_record_counts_traces_and_xla_compiles_per_shape(mode, traces, compiles):
    """Relaxed signatures trace once per rank; XLA still compiles once per concrete shape."""
    target = Target(Device("CPU:0"), Mode(mode))
    record = recording.TestRecord()
    with recording.recording(record):
        for shape in ((2,), (3,)):
            target.run(_halve, np.ones(shape, np.float32))
        building_seconds = record.compile_seconds
        target.run(_halve, np.ones((2,), np.float32))  # a signature seen before
    assert (record.traces, record.compiles) == (traces, compiles)
    assert record.compile_seconds == building_seconds  # steady calls are not compile time
    fields = record.as_dict()
    if mode == "eager":
        assert "compile_seconds" not in fields
    else:
        assert fields["compile_seconds"] > 0


def _halve(x):
    return x / 2


@contextlib.contextmanager
def _ignore_device(*args, **kwargs):
    yield


def test_ignored_device_scope_fails_placement(run_conformance, pytester, monkeypatch):
    """Planted fault: tf.device does nothing, so results land on the default CPU:0."""
    monkeypatch.setattr(tf, "device", _ignore_device)
    pytester.makepyfile(test_demo=DOUBLING_SUITE)
    run = run_conformance("test_demo.py")
    outcomes = run.outcomes
    # CPU:1 results are produced on CPU:0; graph modes also lose the device of their ops.
    assert outcomes[("demo.double", "CPU:1-eager")] == "failed"
    for target in ("CPU:0-function", "CPU:0-xla", "CPU:1-function", "CPU:1-xla"):
        assert outcomes[("demo.double", target)] == "failed", outcomes
    messages = " ".join(r["message"] for r in run.report["results"])
    assert "expected on CPU:1" in messages and "no traced op is placed" in messages


def test_missing_kernel_is_unsupported_not_passed(run_conformance, pytester):
    pytester.makepyfile(
        test_demo=f"""
import numpy as np
import tensorflow as tf
from pytest_tf2conf import claim

def length(s):
    return tf.strings.length(s)

@claim("demo.string-length", "String length counts bytes.", "{DOC}")
def test_length(target):
    out = target.run(length, np.array([b"abc", b""]))
    assert out.numpy().tolist() == [3, 0]
"""
    )
    run = run_conformance("test_demo.py", "--tf2conf-devices", "CPU:0")
    assert run.outcomes == {
        ("demo.string-length", "CPU:0-eager"): "passed",
        ("demo.string-length", "CPU:0-function"): "passed",
        ("demo.string-length", "CPU:0-xla"): "unsupported",
    }
    unsupported = [r for r in run.report["results"] if r["outcome"] == "unsupported"]
    assert "unsupported on target CPU:0-xla" in unsupported[0]["message"]
    assert run.result.ret == 0
    assert run.report["summary"]["totals"]["CPU:0-xla"]["conformance"] == 0.0


def test_device_selection_by_type_and_name():
    available = ["CPU:0", "CPU:1", "GPU:0"]
    assert select_devices([], available) == available
    assert select_devices(["cpu"], available) == ["CPU:0", "CPU:1"]
    assert select_devices(["GPU:0", "CPU:1"], available) == ["GPU:0", "CPU:1"]
    with pytest.raises(ValueError, match="unknown device 'XPU'"):
        select_devices(["XPU"], available)


def test_device_matches_full_device_strings():
    device = Device("CPU:1")
    assert device.holds("/job:localhost/replica:0/task:0/device:CPU:1")
    assert not device.holds("/job:localhost/replica:0/task:0/device:CPU:0")
    assert not device.holds("")


def test_keras_suites_do_not_apply_before_keras_2(run_conformance, pytester, monkeypatch):
    """Keras 2 (tf.keras of TF <= 2.15, tf_keras) and Keras 3 run the Keras suites (claims
    of one version only carry a range, keras_flavour.py); anything older does not apply."""
    import keras

    monkeypatch.setattr(keras, "__version__", "1.2.2")
    pytester.makepyfile(
        test_demo=f"""
from pytest_tf2conf import claim

@claim("demo.keras", "A Keras claim.", "{DOC}")
def test_keras(keras_target):
    pass
"""
    )
    run = run_conformance("test_demo.py", "-rs")
    assert {outcome for outcome in run.outcomes.values()} == {"skipped"}
    run.result.stdout.fnmatch_lines(["*not applicable: the Keras suites need Keras 2 or 3*"])
    monkeypatch.setattr(keras, "__version__", "2.15.0")
    assert set(run_conformance("test_demo.py").outcomes.values()) == {"passed"}


def test_tf_level_tests_do_not_apply_without_tensorflow(tmp_path) -> None:
    """In an environment without TensorFlow (Keras on JAX or PyTorch), every TF-level claim
    is "not applicable", also a test without a target that imports TensorFlow in its body
    (graph.autograph-to-code did fail with ModuleNotFoundError)."""
    import json
    import os
    import subprocess
    import sys

    from tests.helpers import suite

    blocker = tmp_path / "blocker" / "tensorflow"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'tensorflow'\", name='tensorflow')\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(blocker.parent), *sys.path])}
    report = tmp_path / "report"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--tf2conf", "--tf2conf-profile", "quick", "-q",
         "-p", "no:cacheprovider", "--tf2conf-report", str(report),
         suite("graph/test_autograph.py"), suite("tensor/test_dtypes.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    results = json.loads((report / "tf2conf-report.json").read_text())["results"]
    assert results and {r["outcome"] for r in results} == {"skipped"}, results[:3]
    assert all("not applicable" in r.get("message", "") for r in results), {
        r.get("message") for r in results
    }
    assert any("autograph-to-code" in r["claim"] for r in results)


@pytest.mark.parametrize("mode", ["eager", "function"])
def test_numpy_scalars_keep_the_sign_of_zero_whatever_ran_before(mode):
    # Eager TensorFlow caches the tensors of Python numbers by value (np.float64 is one):
    # np.float64(-0.0) converted after a 0.0 would come back +0.0 without the 0-d array.
    target = Target(Device("CPU:0"), Mode(mode))
    target.run(tf.identity, np.float64(0.0))
    result = target.run(tf.identity, np.float64(-0.0))
    assert np.signbit(result.numpy()), result
