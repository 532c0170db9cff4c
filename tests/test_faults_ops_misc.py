"""Planted faults in the tf.bitwise, tf.strings, tf.sparse, tf.random and tf.ragged
records: each wrong behaviour, of the kind a kernel or a release gets wrong (one dtype
only, one unit option, the gradient only, a seed component ignored, an off-by-one in an
index conversion), must fail the claim of the record that covers it.

Faults are planted by monkeypatching the public function the record looks up when called;
runs stay small: one device, one record, eager mode.
"""

from __future__ import annotations

import tensorflow as tf

from pytest_tf2conf import ops
from tests.helpers import suite

ONE_DEVICE = ("--tf2conf-devices", "CPU:0")


def _run(run_conformance, record: str, modes: str = "eager"):
    return run_conformance(suite("ops"), *ONE_DEVICE, "--tf2conf-modes", modes, "-k", f"{record}-")


def test_stock_records_pass(run_conformance) -> None:
    names = ("bitwise.right_shift", "sparse.to_dense",
             "random.stateless_uniform", "ragged.row_splits_to_segment_ids")  # fmt: skip
    # (every one compiles under XLA: string ops have no XLA kernels, see ops/strings.py)
    selection = " or ".join(f"{n}-" for n in names)
    run = run_conformance(suite("ops"), *ONE_DEVICE, "--tf2conf-modes", "eager,function,xla",
                          "-k", selection)  # fmt: skip
    run.assert_all_passed()
    claimed = {c for c, _ in run.outcomes}
    for name in names:
        assert ops.by_name(name).value_claim.id in claimed, name


def test_logical_right_shift_of_int8_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.bitwise.right_shift

    def right_shift(x, y, name=None):  # int8 shifted as unsigned: no sign extension
        if x.dtype == tf.int8:
            shifted = real(tf.bitcast(x, tf.uint8), tf.cast(y, tf.uint8))
            return tf.bitcast(shifted, tf.int8)
        return real(x, y)

    monkeypatch.setattr(tf.bitwise, "right_shift", right_shift)
    run = _run(run_conformance, "bitwise.right_shift")
    assert ops.by_name("tf.bitwise.right_shift").value_claim.id in run.failed_claims
    failing = run.failing_tests
    assert failing and all("int8" in t for t in failing), failing


def test_length_ignoring_the_unit_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.strings.length

    def length(input, unit="BYTE", name=None):
        return real(input)  # UTF8_CHAR counted in bytes: wrong on multi-byte characters

    monkeypatch.setattr(tf.strings, "length", length)
    run = _run(run_conformance, "strings.length")
    record = ops.by_name("tf.strings.length")
    assert record.value_claim.id in run.failed_claims
    assert record.dtype_claim.id not in run.failed_claims


def test_sparse_to_dense_with_wrong_gradient_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.sparse.to_dense

    def to_dense(sp_input, default_value=None, validate_indices=True, name=None):
        @tf.custom_gradient
        def values_to_dense(values):
            def grad(upstream):  # the right gradient gathers upstream at the indices; halved
                return 0.5 * tf.gather_nd(upstream, sp_input.indices)

            dense = real(tf.SparseTensor(sp_input.indices, values, sp_input.dense_shape))
            return dense, grad

        return values_to_dense(sp_input.values)

    monkeypatch.setattr(tf.sparse, "to_dense", to_dense)
    run = _run(run_conformance, "sparse.to_dense")
    record = ops.by_name("tf.sparse.to_dense")
    assert record.gradient_claim.id in run.failed_claims
    assert record.value_claim.id not in run.failed_claims


def test_stateless_uniform_ignoring_half_the_seed_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.random.stateless_uniform

    def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=tf.float32, name=None,
                          alg="auto_select"):  # fmt: skip
        # Deterministic and within range, but the seed's second component is dropped.
        seed = tf.stack([seed[0], tf.zeros_like(seed[1])])
        return real(shape, seed, minval=minval, maxval=maxval, dtype=dtype)

    monkeypatch.setattr(tf.random, "stateless_uniform", stateless_uniform)
    run = _run(run_conformance, "random.stateless_uniform")
    assert ops.by_name("tf.random.stateless_uniform").value_claim.id in run.failed_claims
    assert any("another seed" in r.get("message", "") or "another seed" in str(r)
               for r in run.report["results"] if r["outcome"] == "failed")  # fmt: skip


def test_segment_ids_off_by_one_for_int32_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.ragged.row_splits_to_segment_ids

    def row_splits_to_segment_ids(splits, name=None, out_type=None):
        ids = real(splits, out_type=out_type)
        return ids + 1 if ids.dtype == tf.int32 else ids  # rows numbered from 1 in int32

    monkeypatch.setattr(tf.ragged, "row_splits_to_segment_ids", row_splits_to_segment_ids)
    run = _run(run_conformance, "ragged.row_splits_to_segment_ids")
    claim = ops.by_name("tf.ragged.row_splits_to_segment_ids").value_claim.id
    assert claim in run.failed_claims
    failing = run.failing_tests
    assert failing and all("int32" in t for t in failing), failing
