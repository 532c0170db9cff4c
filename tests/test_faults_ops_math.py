"""Planted faults in the tf.math records beyond element-wise functions (scans, segment
reductions, arg-extrema, softmax) and in the rows moved in from the eager op table: each
wrong behaviour must fail the claim of the record that covers it, the way a kernel goes
wrong: one flag combination, the documented value of an empty segment, a tie rule, the
gradient only.

Faults are planted by monkeypatching the public tf.math function (records look it up when
called); runs stay small: one device, one record, eager mode unless the fault needs more.
"""

from __future__ import annotations

import tensorflow as tf

from pytest_tf2conf import ops
from tests.helpers import suite

ONE_DEVICE = ("--tf2conf-devices", "CPU:0")


def _run(run_conformance, record: str, modes: str = "eager"):
    return run_conformance(suite("ops"), *ONE_DEVICE, "--tf2conf-modes", modes, "-k", f"{record}-")


def test_stock_records_pass(run_conformance) -> None:
    names = ("math.cumsum", "math.unsorted_segment_max", "math.top_k", "math.add")
    selection = " or ".join(f"{n}-" for n in names)
    run = run_conformance(
        suite("ops"), *ONE_DEVICE, "--tf2conf-modes", "eager,function,xla", "-k", selection
    )
    run.assert_all_passed()
    claims = {c for c, _ in run.outcomes}
    for name in names:
        record = ops.by_name(f"tf.{name}")
        assert {record.value_claim.id, record.dtype_claim.id} <= claims
    assert "eager.add-matches-numpy" in claims  # the table's row keeps its claim id


def test_exclusive_ignored_when_reversed_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.math.cumsum

    def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):  # flag lost on one path
        return real(x, axis=axis, exclusive=exclusive and not reverse, reverse=reverse)

    monkeypatch.setattr(tf.math, "cumsum", cumsum)
    run = _run(run_conformance, "math.cumsum")
    assert ops.by_name("tf.math.cumsum").value_claim.id in run.failed_claims


def test_empty_segment_max_as_zero_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.math.unsorted_segment_max

    def unsorted_segment_max(data, segment_ids, num_segments, name=None):
        # the sorted functions' rule (0 for an empty segment), not the documented lowest value
        out = real(data, segment_ids, num_segments)
        counts = tf.math.unsorted_segment_sum(tf.ones_like(segment_ids), segment_ids, num_segments)
        shape = tf.concat([[num_segments], tf.ones([tf.rank(out) - 1], tf.int32)], 0)
        empty = tf.reshape(counts == 0, shape)
        return tf.where(empty, tf.zeros_like(out), out)

    monkeypatch.setattr(tf.math, "unsorted_segment_max", unsorted_segment_max)
    run = _run(run_conformance, "math.unsorted_segment_max")
    assert ops.by_name("tf.math.unsorted_segment_max").value_claim.id in run.failed_claims


def test_argmax_ties_to_last_index_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.math.argmax

    def argmax(input, axis=None, output_type=tf.int64, name=None):
        # the last of tied maxima (a reversed scan), where the first is documented
        flipped = tf.reverse(input, [axis])
        size = tf.cast(tf.shape(input, out_type=tf.int64)[axis], tf.int64)
        return size - 1 - real(flipped, axis=axis, output_type=tf.int64)

    monkeypatch.setattr(tf.math, "argmax", argmax)
    run = _run(run_conformance, "math.argmax")
    assert ops.by_name("tf.math.argmax").value_claim.id in run.failed_claims


def test_softmax_gradient_missing_its_normalization_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.math.softmax

    def softmax(logits, axis=None, name=None):
        axis = -1 if axis is None else axis

        @tf.custom_gradient
        def forward(x):
            y = real(x, axis=axis)

            def grad(upstream):  # y * upstream, without "- y * sum(y * upstream)"
                return y * upstream

            return y, grad

        return forward(logits)

    monkeypatch.setattr(tf.math, "softmax", softmax)
    run = _run(run_conformance, "math.softmax")
    record = ops.by_name("tf.math.softmax")
    assert record.gradient_claim.id in run.failed_claims
    assert record.value_claim.id not in run.failed_claims


def test_reduce_prod_in_float16_accumulator_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.math.reduce_prod

    def reduce_prod(x, axis=None, keepdims=False, name=None):  # float32 products in half
        if x.dtype == tf.float32:
            narrow = real(tf.cast(x, tf.float16), axis=axis, keepdims=keepdims)
            return tf.cast(narrow, tf.float32)
        return real(x, axis=axis, keepdims=keepdims)

    monkeypatch.setattr(tf.math, "reduce_prod", reduce_prod)
    run = _run(run_conformance, "math.reduce_prod")
    assert "eager.reduce-prod-matches-numpy" in run.failed_claims
