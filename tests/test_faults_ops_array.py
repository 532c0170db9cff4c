"""Planted faults in the top-level array records (ops/array.py, ops/array_indexing.py):
each wrong TensorFlow behaviour must fail the claim of the record that covers it.

Faults are planted by monkeypatching the public tf function (records look it up when
called); runs stay small: one device, one record, eager mode.
"""

from __future__ import annotations

import tensorflow as tf

from pytest_tf2conf import ops
from tests.helpers import suite

ONE_DEVICE = ("--tf2conf-devices", "CPU:0")


def _run(run_conformance, record: str, modes: str = "eager"):
    return run_conformance(suite("ops"), *ONE_DEVICE, "--tf2conf-modes", modes, "-k", f"{record}-")


def test_stock_records_pass(run_conformance) -> None:
    for name in ("roll", "gather"):
        run = _run(run_conformance, name)
        run.assert_all_passed()
        record = ops.by_name(f"tf.{name}")
        assert {c for c, _ in run.outcomes} == {
            record.value_claim.id,
            record.gradient_claim.id,
            record.dtype_claim.id,
        }


def test_roll_wrong_on_negative_axis_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.roll

    def roll(x, shift, axis, name=None):  # a negative axis rolled the other way
        if any(a < 0 for a in (axis if isinstance(axis, list | tuple) else [axis])):
            shift = [-s for s in shift] if isinstance(shift, list | tuple) else -shift
        return real(x, shift, axis)

    monkeypatch.setattr(tf, "roll", roll)
    run = _run(run_conformance, "roll")
    assert ops.by_name("tf.roll").value_claim.id in run.failed_claims


def test_argsort_unstable_descending_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.argsort

    def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
        if direction == "DESCENDING":  # ties come out in reverse order (not stable)
            n = tf.shape(values, out_type=tf.int32)[axis]
            flipped = tf.reverse(values, [axis])
            order = real(flipped, axis=axis, direction="DESCENDING", stable=True)
            return n - 1 - order
        return real(values, axis=axis, direction=direction, stable=stable)

    monkeypatch.setattr(tf, "argsort", argsort)
    run = _run(run_conformance, "argsort")
    assert ops.by_name("tf.argsort").value_claim.id in run.failed_claims


def test_scatter_nd_duplicates_overwriting_is_caught(run_conformance, monkeypatch) -> None:
    def scatter_nd(indices, updates, shape, name=None):  # the last duplicate wins
        return tf.tensor_scatter_nd_update(tf.zeros(shape, updates.dtype), indices, updates)

    monkeypatch.setattr(tf, "scatter_nd", scatter_nd)
    run = _run(run_conformance, "scatter_nd")
    assert ops.by_name("tf.scatter_nd").value_claim.id in run.failed_claims


def test_tile_gradient_not_summed_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.tile

    @tf.custom_gradient
    def _tile(x, multiples):
        def grad(upstream):  # the gradient takes the first copy instead of summing copies
            first = tf.slice(upstream, tf.zeros_like(multiples), tf.shape(x))
            return first, None

        return real(x, multiples), grad

    def tile(x, multiples, name=None):
        return _tile(x, tf.convert_to_tensor(multiples, tf.int32))

    monkeypatch.setattr(tf, "tile", tile)
    run = _run(run_conformance, "tile")
    record = ops.by_name("tf.tile")
    assert record.gradient_claim.id in run.failed_claims
    assert record.value_claim.id not in run.failed_claims


def test_reverse_tail_wrong_past_a_vector_width_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.reverse

    def reverse(tensor, axis, name=None):  # past 16 elements, the tail is left unreversed
        out = real(tensor, axis)
        if tensor.shape.rank == 1 and tensor.shape[0] is not None and tensor.shape[0] > 16:
            return tf.concat([out[:16], tensor[16:]], 0)
        return out

    monkeypatch.setattr(tf, "reverse", reverse)
    run = _run(run_conformance, "reverse")
    assert ops.by_name("tf.reverse").value_claim.id in run.failed_claims
