"""Planted faults in the tf.linalg records: each wrong behaviour must fail the claim of the
record that covers it, the way a backend's linear-algebra kernel goes wrong (one dtype,
batch items past a kernel width, a transposed gradient, an ignored flag, a wrong layout),
while a different but valid answer (a QR or eigenvectors with other signs) must pass.

Faults are planted by monkeypatching the public tf.linalg function (records look it up when
called); runs stay small: one device, one record, eager mode, one dtype where one is enough.
"""

from __future__ import annotations

import tensorflow as tf

from pytest_tf2conf import ops
from tests.helpers import suite

ONE_DEVICE = ("--tf2conf-devices", "CPU:0")


def _run(run_conformance, selection: str, modes: str = "eager"):
    return run_conformance(suite("ops"), *ONE_DEVICE, "--tf2conf-modes", modes, "-k", selection)


def test_stock_records_pass(run_conformance) -> None:
    run = _run(run_conformance, "linalg.cholesky-", modes="eager,function,xla")
    run.assert_all_passed()
    record = ops.by_name("tf.linalg.cholesky")
    assert {c for c, _ in run.outcomes} == {
        record.value_claim.id,
        record.gradient_claim.id,
        record.dtype_claim.id,
    }


def test_float64_determinant_in_float32_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.linalg.det

    def det(x, name=None):  # a kernel that factors double matrices in single precision
        if x.dtype == tf.float64:
            return tf.cast(real(tf.cast(x, tf.float32)), tf.float64)
        return real(x)

    monkeypatch.setattr(tf.linalg, "det", det)
    run = _run(run_conformance, "linalg.det- and (float32 or float64) and not gradient")
    assert ops.by_name("tf.linalg.det").value_claim.id in run.failed_claims
    failing = run.failing_tests
    assert failing and all("float64" in t for t in failing), failing


def test_batch_items_mixed_up_past_a_width_are_caught(run_conformance, monkeypatch) -> None:
    real = tf.linalg.inv

    def inv(x, adjoint=False, name=None):  # a sharded batch loop off by one past 8 items
        out = real(x, adjoint=adjoint)
        if out.shape.rank < 3 or out.shape[0] <= 8:
            return out
        return tf.concat([out[:8], tf.roll(out[8:], shift=1, axis=0)], axis=0)

    monkeypatch.setattr(tf.linalg, "inv", inv)
    run = _run(run_conformance, "linalg.inv- and kernel_sizes and float32")
    assert ops.by_name("tf.linalg.inv").value_claim.id in run.failed_claims


def test_wrong_cholesky_gradient_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.linalg.cholesky

    @tf.custom_gradient
    def cholesky(a, name=None):
        low = real(a)

        def grad(upstream):  # the true gradient, scaled by 1.5
            with tf.GradientTape() as tape:
                tape.watch(a)
                y = real(a)
            return 1.5 * tape.gradient(y, a, output_gradients=upstream)

        return low, grad

    monkeypatch.setattr(tf.linalg, "cholesky", cholesky)
    run = _run(run_conformance, "linalg.cholesky- and float64")
    record = ops.by_name("tf.linalg.cholesky")
    assert record.gradient_claim.id in run.failed_claims
    assert record.value_claim.id not in run.failed_claims


def test_qr_with_other_signs_passes_and_a_wrong_q_fails(run_conformance, monkeypatch) -> None:
    real = tf.linalg.qr

    def qr_other_signs(x, full_matrices=False, name=None):  # valid: Q D, D R with D = -1
        q, r = real(x, full_matrices=full_matrices)
        return -q, -r

    monkeypatch.setattr(tf.linalg, "qr", qr_other_signs)
    record = ops.by_name("tf.linalg.qr")
    run = _run(run_conformance, "linalg.qr- and float64 and not gradient")
    assert record.value_claim.id not in run.failed_claims, run.result.outlines[-20:]

    def qr_not_orthogonal(x, full_matrices=False, name=None):  # Q's first column doubled
        q, r = real(x, full_matrices=full_matrices)
        scale = tf.where(tf.range(tf.shape(q)[-1]) == 0, 2.0, 1.0)
        return q * tf.cast(scale, q.dtype), r

    monkeypatch.setattr(tf.linalg, "qr", qr_not_orthogonal)
    run = _run(run_conformance, "linalg.qr- and float64 and not gradient")
    assert record.value_claim.id in run.failed_claims


def test_eigenvalues_in_the_wrong_order_are_caught(run_conformance, monkeypatch) -> None:
    real = tf.linalg.eigh

    def eigh(x, name=None):  # documented non-decreasing order; planted: non-increasing
        e, v = real(x)
        return tf.reverse(e, axis=[-1]), tf.reverse(v, axis=[-1])

    monkeypatch.setattr(tf.linalg, "eigh", eigh)
    run = _run(run_conformance, "linalg.eigh- and float32 and not gradient")
    assert ops.by_name("tf.linalg.eigh").value_claim.id in run.failed_claims


def test_solve_with_the_whole_matrix_is_caught(run_conformance, monkeypatch) -> None:
    def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
        return tf.linalg.solve(matrix, rhs, adjoint=adjoint)  # the other triangle read too

    monkeypatch.setattr(tf.linalg, "triangular_solve", triangular_solve)
    run = _run(run_conformance, "linalg.triangular_solve- and float64 and not gradient")
    assert ops.by_name("tf.linalg.triangular_solve").value_claim.id in run.failed_claims


def test_transpose_without_conjugate_is_caught(run_conformance, monkeypatch) -> None:
    def adjoint(matrix, name=None):  # conjugation forgotten: right for real dtypes only
        return tf.linalg.matrix_transpose(matrix)

    monkeypatch.setattr(tf.linalg, "adjoint", adjoint)
    run = _run(run_conformance, "linalg.adjoint- and not gradient and not dtypes")
    assert ops.by_name("tf.linalg.adjoint").value_claim.id in run.failed_claims
    failing = run.failing_tests
    assert failing and all("complex" in t for t in failing), failing


def test_diagonal_alignment_ignored_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.linalg.diag_part

    def diag_part(x, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):
        return real(x, k=k, padding_value=padding_value, align="LEFT_LEFT")

    monkeypatch.setattr(tf.linalg, "diag_part", diag_part)
    # every dtype: a band with shorter diagonals is drawn in one of ~60 examples
    run = _run(run_conformance, "linalg.diag_part- and match_oracle")
    assert ops.by_name("tf.linalg.diag_part").value_claim.id in run.failed_claims


def test_undeclared_half_precision_running_silently_is_caught(run_conformance, monkeypatch):
    real = tf.linalg.det

    def det(x, name=None):  # float16 accepted through float32: a silent result
        if x.dtype == tf.float16:
            return tf.cast(real(tf.cast(x, tf.float32)), tf.float16)
        return real(x)

    monkeypatch.setattr(tf.linalg, "det", det)
    run = _run(run_conformance, "linalg.det-dtypes")
    assert ops.by_name("tf.linalg.det").dtype_claim.id in run.failed_claims
