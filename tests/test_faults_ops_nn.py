"""Planted faults in the tf.nn records: each wrong TensorFlow behaviour must fail the claim
of the record that covers it, the way a backend kernel goes wrong: for one dtype only, in
how SAME padding is split, in the gradient at one edge value only, past a vector width.

Faults are planted by monkeypatching the public tf.nn function (records look it up when
called); runs stay small: one device, one record, eager mode unless the fault needs more.
"""

from __future__ import annotations

import tensorflow as tf

from pytest_tf2conf import ops
from tests.helpers import suite

ONE_DEVICE = ("--tf2conf-devices", "CPU:0")


def _run(run_conformance, selection: str, modes: str = "eager"):
    return run_conformance(suite("ops"), *ONE_DEVICE, "--tf2conf-modes", modes, "-k", selection)


def test_stock_records_pass(run_conformance) -> None:
    run = _run(run_conformance, "nn.relu6- or nn.l2_loss-", modes="eager,function,xla")
    run.assert_all_passed()
    claims = {c for c, _ in run.outcomes}
    for name in ("tf.nn.relu6", "tf.nn.l2_loss"):
        record = ops.by_name(name)
        assert {record.value_claim.id, record.gradient_claim.id, record.dtype_claim.id} <= claims


def test_clip_wrong_for_bfloat16_only_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.nn.relu6

    def relu6(features, name=None):  # a bfloat16 kernel clipping at 8 instead of 6
        if features.dtype == tf.bfloat16:
            return tf.minimum(tf.nn.relu(features), tf.cast(8.0, tf.bfloat16))
        return real(features)

    monkeypatch.setattr(tf.nn, "relu6", relu6)
    run = _run(run_conformance, "nn.relu6-")
    assert ops.by_name("tf.nn.relu6").value_claim.id in run.failed_claims
    failing = run.failing_tests
    assert failing and all("bfloat16" in t for t in failing), failing


def test_same_padding_split_the_wrong_way_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.nn.conv2d

    def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):
        # SAME padding with its larger half before (documented: the smaller half before)
        if padding != "SAME":
            return real(input, filters, strides, padding, dilations=dilations)
        strides = [strides] * 2 if isinstance(strides, int) else list(strides)[-2:]
        dilations = [1, 1] if dilations is None else list(dilations)[-2:]
        pads = [[0, 0]]
        for axis in (1, 2):
            n, k = input.shape[axis], filters.shape[axis - 1]
            s, d = strides[axis - 1], dilations[axis - 1]
            out = -(-n // s)
            total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
            pads.append([total - total // 2, total // 2])
        pads.append([0, 0])
        return real(input, filters, strides, pads, dilations=dilations)

    monkeypatch.setattr(tf.nn, "conv2d", conv2d)
    run = _run(run_conformance, "nn.conv2d- and values")
    assert ops.by_name("tf.nn.conv2d").value_claim.id in run.failed_claims


def test_gradient_wrong_at_zero_logits_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.nn.sigmoid_cross_entropy_with_logits

    @tf.custom_gradient
    def xent(labels, logits):
        def grad(upstream):
            # sigmoid(x) - z, but at x = 0 the naive subgradients of max(x, 0) and |x|
            # (both 0) give -z instead of 0.5 - z
            d_logits = tf.where(tf.equal(logits, 0), -labels, tf.sigmoid(logits) - labels)
            return upstream * -logits, upstream * d_logits

        return real(labels=labels, logits=logits), grad

    monkeypatch.setattr(tf.nn, "sigmoid_cross_entropy_with_logits", xent)
    run = _run(run_conformance, "nn.sigmoid_cross_entropy_with_logits-")
    record = ops.by_name("tf.nn.sigmoid_cross_entropy_with_logits")
    assert record.gradient_claim.id in run.failed_claims
    assert record.value_claim.id not in run.failed_claims


def test_sum_dropping_its_tail_past_a_vector_width_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.nn.l2_loss

    def l2_loss(t, name=None):  # a vectorized reduction that drops the remainder past 16
        flat = tf.reshape(t, [-1])
        return real(flat[:16])

    monkeypatch.setattr(tf.nn, "l2_loss", l2_loss)
    run = _run(run_conformance, "nn.l2_loss- and kernel_sizes")
    assert ops.by_name("tf.nn.l2_loss").value_claim.id in run.failed_claims
