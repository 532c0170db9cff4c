"""Planted faults in the tf.signal and tf.image records: each wrong TensorFlow behaviour
must fail the claim of the record that covers it (the DCT types 3 and 4 only, padding at the
end of a signal only, a gradient only, one dtype only).

Faults are planted by monkeypatching the public function (records look it up when
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
    for name in ("signal.rfft", "image.flip_left_right"):
        run = _run(run_conformance, name, modes="eager,function,xla")
        run.assert_all_passed()
        record = ops.by_name(name)
        assert {c for c, _ in run.outcomes} == {
            record.value_claim.id, record.gradient_claim.id, record.dtype_claim.id,
        }  # fmt: skip


def test_dct_wrong_for_the_odd_types_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.signal.dct

    def dct(input, type=2, n=None, axis=-1, norm=None, name=None):
        out = real(input, type=type, n=n, axis=axis, norm=norm, name=name)
        if type in (3, 4):  # the types computed through type 2 get one term wrong
            return out + 0.1 * input[..., :1]
        return out

    monkeypatch.setattr(tf.signal, "dct", dct)
    run = _run(run_conformance, "signal.dct")
    assert ops.by_name("tf.signal.dct").value_claim.id in run.failed_claims


def test_frame_padding_with_the_wrong_value_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.signal.frame

    def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1, name=None):
        # the end padded with ones instead of pad_value (only pad_end=True goes wrong)
        value = 1 if pad_end else pad_value
        return real(signal, frame_length, frame_step, pad_end, value, axis, name)

    monkeypatch.setattr(tf.signal, "frame", frame)
    run = _run(run_conformance, "signal.frame")
    assert ops.by_name("tf.signal.frame").value_claim.id in run.failed_claims


def test_flip_with_an_unflipped_gradient_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.image.flip_left_right

    @tf.custom_gradient
    def flip_left_right(image):
        def grad(upstream):  # planted: the cotangent passed back without flipping it
            return upstream

        return real(image), grad

    monkeypatch.setattr(tf.image, "flip_left_right", flip_left_right)
    run = _run(run_conformance, "image.flip_left_right")
    record = ops.by_name("tf.image.flip_left_right")
    assert record.gradient_claim.id in run.failed_claims
    assert record.value_claim.id not in run.failed_claims


def test_yuv_float64_computed_in_float32_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.image.rgb_to_yuv

    def rgb_to_yuv(images):  # a kernel that computes double in single precision
        if images.dtype == tf.float64:
            return tf.cast(real(tf.cast(images, tf.float32)), tf.float64)
        return real(images)

    monkeypatch.setattr(tf.image, "rgb_to_yuv", rgb_to_yuv)
    run = _run(run_conformance, "image.rgb_to_yuv")
    assert ops.by_name("tf.image.rgb_to_yuv").value_claim.id in run.failed_claims
    failing = {r["test"] for r in run.report["results"] if r["outcome"] == "failed"}
    assert failing and all("float64" in t for t in failing), failing
