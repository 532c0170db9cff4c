"""Planted faults in the op database: each wrong TensorFlow behaviour must fail the claim of
the record that covers it, the way a backend kernel or a regressed release goes wrong: for
one dtype only, past a vector width only, in the gradient only, or in the dtype set.

Faults are planted by monkeypatching the public tf.math function (records look it up when
called); runs stay small: one device, one record, eager mode unless the fault needs more.
"""

from __future__ import annotations

import tensorflow as tf

from pytest_tf2conf import ops
from tests.helpers import suite

ONE_DEVICE = ("--tf2conf-devices", "CPU:0")


def _run(run_conformance, record: str, also: str = "", modes: str = "eager"):
    selection = f"{record}- and {also}" if also else f"{record}-"
    return run_conformance(suite("ops"), *ONE_DEVICE, "--tf2conf-modes", modes, "-k", selection)


def test_stock_records_pass(run_conformance) -> None:
    run = _run(run_conformance, "math.erf", modes="eager,function,xla")
    run.assert_all_passed()
    assert {c for c, _ in run.outcomes} == {
        ops.by_name("tf.math.erf").value_claim.id,
        ops.by_name("tf.math.erf").gradient_claim.id,
        ops.by_name("tf.math.erf").dtype_claim.id,
    }


def test_float64_computed_in_float32_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.math.erf

    def erf(x, name=None):  # a kernel that computes double in single precision
        if x.dtype == tf.float64:
            return tf.cast(real(tf.cast(x, tf.float32)), tf.float64)
        return real(x)

    monkeypatch.setattr(tf.math, "erf", erf)
    run = _run(run_conformance, "math.erf")
    claim = ops.by_name("tf.math.erf").value_claim.id
    assert claim in run.failed_claims
    failing = {r["test"] for r in run.report["results"] if r["outcome"] == "failed"}
    assert failing and all("float64" in t for t in failing), failing


def test_wrong_tail_past_a_vector_width_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.math.sign

    def sign(x, name=None):  # a vectorized loop whose remainder (past 8 lanes) is wrong
        flat = tf.reshape(real(x), [-1])
        n = tf.size(flat)
        wrong_tail = tf.concat([flat[:8], -flat[8:]], axis=0) if n > 8 else flat
        return tf.reshape(wrong_tail, tf.shape(x))

    monkeypatch.setattr(tf.math, "sign", sign)
    run = _run(run_conformance, "math.sign", also="kernel_sizes")
    assert ops.by_name("tf.math.sign").value_claim.id in run.failed_claims


def test_gradient_with_wrong_sign_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.math.atan

    @tf.custom_gradient
    def atan(x, name=None):
        def grad(upstream):  # d/dx atan(x) = 1 / (1 + x^2); planted: its negative
            return -upstream / (1.0 + x * x)

        return real(x), grad

    monkeypatch.setattr(tf.math, "atan", atan)
    run = _run(run_conformance, "math.atan")
    record = ops.by_name("tf.math.atan")
    assert record.gradient_claim.id in run.failed_claims
    assert record.value_claim.id not in run.failed_claims


def test_undeclared_dtype_running_silently_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.math.ceil

    def ceil(x, name=None):  # integers accepted and returned as floats: a silent result
        if x.dtype.is_integer:
            return real(tf.cast(x, tf.float32))
        return real(x)

    monkeypatch.setattr(tf.math, "ceil", ceil)
    run = _run(run_conformance, "math.ceil")
    assert ops.by_name("tf.math.ceil").dtype_claim.id in run.failed_claims


def test_missing_shape_check_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.math.atan2

    def atan2(y, x, name=None):  # a kernel that reads the shorter operand's rows only
        if y.shape.rank and x.shape.rank and y.shape.rank == x.shape.rank:
            rows = tf.minimum(tf.shape(y)[0], tf.shape(x)[0])
            return real(y[:rows], x[:rows])
        return real(y, x)

    monkeypatch.setattr(tf.math, "atan2", atan2)
    run = run_conformance(
        suite("ops"), *ONE_DEVICE, "--tf2conf-modes", "eager", "-k", "test_errors and math.atan2"
    )
    assert ops.by_name("tf.math.atan2").error_claim.id in run.failed_claims
