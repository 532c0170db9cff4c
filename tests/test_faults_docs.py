"""Planted faults the documented-examples suite must catch, and the suite on stock TF/Keras.

Faults are planted by monkeypatching the public names the examples call (the examples see
the ``tf`` and ``keras`` modules themselves); each run selects a few symbols with -k.
"""

from __future__ import annotations

import contextlib

import keras
import pytest
import tensorflow as tf

from pytest_tf2conf.docexamples import harvest
from pytest_tf2conf.report import markdown
from tests.helpers import suite

TF_DOCS = suite("docs/test_tf_examples.py")
KERAS_DOCS = suite("docs/test_keras_examples.py")
ONE_DEVICE = ("--tf2conf-devices", "CPU:0")


@pytest.fixture(autouse=True, scope="module")
def _harvest_before_faults() -> None:
    """Walk the API (and cache the walk) before any fault is planted: a patched name must
    change what the examples compute, not which symbols are harvested."""
    harvest.tensorflow_symbols()
    harvest.keras_symbols()


def _run(run_conformance, path: str, selection: str, *args: str):
    return run_conformance(path, *args, "-k", selection, profile="quick")


def test_wrong_result_of_a_documented_op_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.cumsum
    # off by one element: the running sum of everything but the last
    monkeypatch.setattr(tf, "cumsum", lambda x, *a, **kw: real(x, *a, **kw) - x)
    run = _run(run_conformance, TF_DOCS, "tf.math.cumsum", *ONE_DEVICE)
    assert run.outcomes[("docs.tf.math.cumsum", "CPU:0-eager")] == "failed"
    assert "docs.tf.math.cumsum" in run.failed_claims


def test_a_result_wrong_only_inside_a_graph_is_caught_in_graph_modes(
    run_conformance, monkeypatch
) -> None:
    real = tf.cumsum

    def graph_only_fault(x, *args, **kwargs):
        result = real(x, *args, **kwargs)
        return result if tf.executing_eagerly() else result + 1

    monkeypatch.setattr(tf, "cumsum", graph_only_fault)
    run = _run(run_conformance, TF_DOCS, "tf.math.cumsum", *ONE_DEVICE)
    outcomes = {target: out for (c, target), out in run.outcomes.items() if "cumsum" in c}
    assert outcomes == {"CPU:0-eager": "passed", "CPU:0-function": "failed", "CPU:0-xla": "failed"}


def test_a_changed_repr_is_caught(run_conformance, monkeypatch) -> None:
    monkeypatch.setattr(tf.TensorShape, "__repr__", lambda self: f"Shape{tuple(self)}")
    run = _run(run_conformance, TF_DOCS, "test_documented_examples and tf.TensorShape]")
    assert run.claims_with("failed") == {"docs.tf.TensorShape"}


def test_an_ignored_device_scope_is_caught(run_conformance, monkeypatch) -> None:
    monkeypatch.setattr(tf, "device", lambda name: contextlib.nullcontext())
    run = _run(run_conformance, TF_DOCS, "tf.math.add", "--tf2conf-modes", "eager,function")
    # eager results land on CPU:0 whatever the target; traced ops name no device at all
    assert run.outcomes[("docs.tf.math.add", "CPU:1-eager")] == "failed"
    assert run.outcomes[("docs.tf.math.add", "CPU:1-function")] == "failed"
    results = run.report["results"]
    messages = {r["target"]: r["message"] for r in results if r["claim"] == "docs.tf.math.add"}
    assert "expected on CPU:1 (eager) but was produced on" in messages["CPU:1-eager"]
    assert "no traced op is placed on CPU:1" in messages["CPU:1-function"]


def test_a_wrong_keras_op_is_caught(run_conformance, monkeypatch) -> None:
    monkeypatch.setattr(keras.ops, "add", keras.ops.subtract)
    run = _run(run_conformance, KERAS_DOCS, "keras.ops.add", *ONE_DEVICE)
    assert run.outcomes == {("docs.keras.ops.add", "tensorflow/CPU:0-function"): "failed"}


def test_stock_tensorflow_and_keras_pass_or_declare_their_deviations(run_conformance) -> None:
    """A slice of both suites on stock TF/Keras: passes, strict xfails (known deviations)
    and skips whose reason names the exclusion rule."""
    selection = (
        "tf.math.cumsum or tf.TensorShape] or tf.math.add or tf.math.reduce_max or "
        "tf.config.run_functions_eagerly or keras.ops.add or keras.ops.erf"
    )
    run = run_conformance(TF_DOCS, KERAS_DOCS, "-k", selection, profile="quick")
    outcomes = run.outcomes
    assert set(outcomes.values()) == {"passed", "xfailed", "skipped"}, outcomes
    assert outcomes[("docs.tf.math.reduce_max", "CPU:1-xla")] == "xfailed"  # NaN under XLA
    assert outcomes[("docs.tf.math.reduce_max", "CPU:1-eager")] == "passed"
    assert outcomes[("docs.keras.ops.erf", "tensorflow/CPU:0-function")] == "xfailed"
    skipped = [
        r for r in run.report["results"] if r["claim"] == "docs.tf.config.run_functions_eagerly"
    ]
    assert skipped and all(r["outcome"] == "skipped" for r in skipped)
    assert skipped[0]["message"].startswith("excluded: process-configuration (")
    # the counts per mode are in the notes
    add = next(
        r for r in run.report["results"]
        if r["claim"] == "docs.tf.math.add" and r["target"] == "CPU:0-xla"
    )  # fmt: skip
    assert add["notes"]["examples"]["xla"] >= 3 and add["notes"]["examples"]["eager"] >= 1
    section = markdown.render(run.report).split("## Documented examples (docs area)", 1)[1]
    assert "| CPU:0-xla | 3 | 0 |" in section  # symbols run, symbols excluded
    assert "| process-configuration | changes process-wide" in section
