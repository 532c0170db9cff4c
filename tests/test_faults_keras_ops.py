"""Planted faults in keras.ops (TensorFlow backend of this process): each must fail the
claim of the keras_ops record that covers it, the way a backend goes wrong: one promotion
pair, a negative axis, one dtype, the gradient only, a dtype that stops being supported.

Records look ``keras.ops.<name>`` up when called, so patching the public function is what
the suite runs. Runs stay small: one Keras target, one record.
"""

from __future__ import annotations

import keras
import numpy as np

from pytest_tf2conf import keras_ops
from tests.helpers import suite

ONE_DEVICE = ("--tf2conf-devices", "CPU:0")


def _run(run_conformance, name: str, path: str = "keras_ops"):
    # "-add-" selects keras.ops.add's items only (not logaddexp's or divide_no_nan's)
    return run_conformance(suite(path), *ONE_DEVICE, "-k", f"function-{name}-")


def _claims(name: str):
    return keras_ops.by_name(name)


def test_stock_records_pass(run_conformance) -> None:
    for name in ("add", "flip", "sin", "tanh", "argmax"):
        run = _run(run_conformance, name)
        run.assert_all_passed()
        record = _claims(name)
        claims = {c for c, _ in run.outcomes}
        assert {record.value_claim.id, record.dtype_claim.id} <= claims
        if record.promotion is not None:
            assert record.promotion_claim.id in claims
        if record.grad is not None:
            assert record.gradient_claim.id in claims


def test_int8_uint8_promoted_to_int8_is_caught(run_conformance, monkeypatch) -> None:
    real = keras.ops.add

    def add(x1, x2):  # the int8 + uint8 pair keeps int8 instead of the lattice's int16
        out = real(x1, x2)
        dtypes = {keras.backend.standardize_dtype(t.dtype) for t in (x1, x2)}
        return keras.ops.cast(out, "int8") if dtypes == {"int8", "uint8"} else out

    monkeypatch.setattr(keras.ops, "add", add)
    run = _run(run_conformance, "add", "keras_ops/test_promotion.py")
    assert _claims("add").promotion_claim.id in run.failed_claims


def test_negative_axis_counted_from_the_front_is_caught(run_conformance, monkeypatch) -> None:
    real = keras.ops.flip

    def flip(x, axis=None):  # negative axes normalized off by one: axis + rank + 1
        if axis is not None and axis < 0:
            axis = axis + len(x.shape) + 1
        return real(x, axis=axis)

    monkeypatch.setattr(keras.ops, "flip", flip)
    run = _run(run_conformance, "flip", "keras_ops/test_values.py")
    assert _claims("flip").value_claim.id in run.failed_claims


def test_float16_computed_by_a_short_series_is_caught(run_conformance, monkeypatch) -> None:
    real = keras.ops.sin

    def sin(x):  # float16 by the cubic Taylor polynomial: fine near 0, wrong beyond
        if keras.backend.standardize_dtype(x.dtype) == "float16":
            return x - x * x * x / 6
        return real(x)

    monkeypatch.setattr(keras.ops, "sin", sin)
    run = _run(run_conformance, "sin", "keras_ops/test_values.py")
    assert _claims("sin").value_claim.id in run.failed_claims
    assert "float16" in " ".join(
        r["test"] for r in run.report["results"] if r["outcome"] == "failed"
    )


def test_wrong_gradient_only_is_caught(run_conformance, monkeypatch) -> None:
    import tensorflow as tf

    real = keras.ops.tanh

    @tf.custom_gradient
    def tanh(x):  # the values are right; the derivative forgets the square: 1 - y
        y = real(x)
        return y, lambda dy: dy * (1 - y)

    monkeypatch.setattr(keras.ops, "tanh", tanh)
    run = _run(run_conformance, "tanh", "keras_ops/test_gradients.py")
    assert _claims("tanh").gradient_claim.id in run.failed_claims
    values = _run(run_conformance, "tanh", "keras_ops/test_values.py")
    assert _claims("tanh").value_claim.id not in values.failed_claims


def test_dtype_dropped_is_caught(run_conformance, monkeypatch) -> None:
    real = keras.ops.argmax

    def argmax(x, axis=None, keepdims=False):  # int16 no longer supported
        if keras.backend.standardize_dtype(x.dtype) == "int16":
            raise TypeError("argmax: int16 is not supported")
        return real(x, axis=axis, keepdims=keepdims)

    monkeypatch.setattr(keras.ops, "argmax", argmax)
    run = _run(run_conformance, "argmax", "keras_ops/test_dtype_support.py")
    assert _claims("argmax").dtype_claim.id in run.failed_claims


def test_promotion_oracle_states_the_documented_table() -> None:
    """The rule's own table against the cases the Keras docs and JAX's table state."""
    from pytest_tf2conf.keras_ops.promotion import floating, lattice

    cases = {
        ("int8", "uint8"): "int16",
        ("int64", "uint8"): "int64",
        ("bfloat16", "float16"): "float32",
        ("int64", "float16"): "float16",
        ("bool", "uint8"): "uint8",
        ("int32", "float32"): "float32",
        ("int16", "int32"): "int32",
    }
    for (a, b), want in cases.items():
        assert lattice(a, b) == want == lattice(b, a)
    assert floating("int8", "int16") == "float32"
    assert floating("float16", "int8") == "float16"
    assert np.dtype(lattice("uint8", "int16")) == np.int16
