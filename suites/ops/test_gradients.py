"""Gradients of differentiable records: reverse mode (``tf.GradientTape``) against float64
central finite differences of the record's *oracle*, and forward mode
(``tf.autodiff.ForwardAccumulator``) against reverse mode, on every target.

One traced function computes both: for a cotangent ``w`` and tangents ``v``, the vector-
Jacobian products ``J_i^T w`` (one per differentiable argument) and the Jacobian-vector
product ``J v``. Reverse mode must match the finite differences of ``sum(w * f(x))``;
forward mode must satisfy ``<w, J v> = sum_i <J_i^T w, v_i>``.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, recording
from pytest_tf2conf.finite_differences import numeric_jacobian
from pytest_tf2conf.ops.record import OpRecord, Sample, oracle_args
from pytest_tf2conf.strategies import numpy_dtype
from pytest_tf2conf.tolerance import lookup

from ._support import EXAMPLES, gradient_params, require_declared


@functools.cache
def _vjp_and_jvp(record: OpRecord, kwargs: tuple[tuple[str, Any], ...], arity: int):
    """``f(*args, w, *v) -> (J_i^T w for each differentiable i, J v)``, one per record and
    constants (compiled functions are cached by identity)."""
    fn = record.bound(kwargs)
    wrt = record.grad.args

    def vjp_and_jvp(*tensors: Any) -> Any:
        import tensorflow as tf

        args, w, tangents = tensors[:arity], tensors[arity], tensors[arity + 1 :]
        with tf.GradientTape() as tape:
            for i in wrt:
                tape.watch(args[i])
            with tf.autodiff.ForwardAccumulator(
                [args[i] for i in wrt], list(tangents)
            ) as accumulator:
                y = fn(*args)
            loss = tf.reduce_sum(w * y)
        # Densified: gather-like ops (and tf.sparse.reorder's values) give tf.IndexedSlices.
        grads = [tf.convert_to_tensor(g) for g in tape.gradient(loss, [args[i] for i in wrt])]
        return (*grads, tf.convert_to_tensor(accumulator.jvp(y)))

    vjp_and_jvp.__name__ = f"vjp_and_jvp_{record.slug}"
    return vjp_and_jvp


def _pattern(shape: tuple[int, ...], dtype: str, phase: float) -> np.ndarray:
    """A fixed, non-constant weight pattern (cotangents and tangents) of order one."""
    n = int(np.prod(shape, dtype=np.int64))
    values = np.cos(np.arange(n) * 1.3 + phase) + 0.25
    return values.reshape(shape).astype(numpy_dtype(dtype))


def _smooth(record: OpRecord, sample: Sample) -> Sample:
    maps = record.grad.smooth
    args = tuple(
        maps[i](a) if i < len(maps) and maps[i] is not None else a
        for i, a in enumerate(sample.args)
    )
    return Sample(args, sample.kwargs)


@pytest.mark.parametrize(("record", "dtype"), gradient_params())
@EXAMPLES
@given(data=st.data())
def test_gradients_match_finite_differences(target, record, dtype, data) -> None:
    require_declared(record, dtype, target)
    bucketed = target.mode.name == "xla"
    strategy = record.sampler.strategy(dtype, small=True, bucketed=bucketed)
    sample = _smooth(record, data.draw(strategy, label="x"))
    _check(target, record, dtype, sample)


def _fresh_forward_mode() -> None:
    """Forward mode traces each op's backward function with exact shapes for the first 32
    shapes of that op in the process, and with every dimension None after that
    (``_TRACE_COUNT_LIMIT`` in tensorflow/python/eager/forwardprop.py), where the QR, SVD and
    band-diagonal gradients fail ("QrGrad not implemented with dynamic shapes"). Each check
    starts from a fresh count, so that its outcome does not depend on the tests that ran
    before it in the same process."""
    try:
        from tensorflow.python.eager import forwardprop
    except ImportError:  # pragma: no cover - a TensorFlow without this module
        return
    counts = getattr(forwardprop, "_TRACE_COUNT", None)
    if isinstance(counts, dict):
        counts.clear()


def _check(target: Any, record: OpRecord, dtype: str, sample: Sample) -> None:
    _fresh_forward_mode()
    args, kwargs = sample.args, sample.kwargs
    expected_y = record.expected(dtype, sample)
    w = _pattern(expected_y.shape, dtype, 0.0)
    tangents = [_pattern(args[i].shape, dtype, 0.7 * (i + 1)) for i in record.grad.args]
    *grads, jvp = target.run(
        _vjp_and_jvp(record, kwargs, len(args)), *args, w, *tangents,
        relax_shapes=not record.static_shapes,
    )  # fmt: skip

    wide = oracle_args(dtype, args)
    w64 = w.astype(np.float64)
    call = dict(kwargs, **({"dtype": dtype} if record.oracle_wants_dtype else {}))
    for i, grad in zip(record.grad.args, grads, strict=True):

        def loss(x: np.ndarray, i: int = i) -> float:
            values = list(wide)
            values[i] = x
            with np.errstate(all="ignore"):
                return float(np.sum(w64 * np.asarray(record.oracle(*values, **call))))

        expected = numeric_jacobian(loss, wide[i])
        assert_close(grad, expected, signed_zeros=False, what=f"d/d(arg {i})")

    # Forward mode against reverse mode: <w, J v> = sum_i <J_i^T w, v_i>.
    forward = float(np.sum(w64 * np.asarray(jvp, dtype=np.float64)))
    reverse = sum(
        float(np.sum(np.asarray(g, dtype=np.float64) * v.astype(np.float64)))
        for g, v in zip(grads, tangents, strict=True)
    )
    tol = lookup(dtype, recording.current().claim_ids)
    scale = 1.0 + float(np.sum(np.abs(w64 * np.asarray(jvp, dtype=np.float64))))
    assert_close(
        np.float64(forward), np.float64(reverse), rtol=tol.rtol, atol=tol.atol * scale,
        what="<w, J v> (forward) vs <J^T w, v> (reverse)",
    )  # fmt: skip


def _point_params() -> list:
    return [
        pytest.param(*p.values, point, id=f"{p.id}-{point}", marks=p.marks)
        for p in gradient_params()
        for point in p.values[0].grad.points
    ]


@pytest.mark.parametrize(("record", "dtype", "point"), _point_params())
def test_gradients_at_documented_points(target, record, dtype, point) -> None:
    """The same check at the record's ``Grad.points`` (every run, not left to the draw)."""
    require_declared(record, dtype, target)
    args = tuple(np.asarray(v, dtype=numpy_dtype(dtype)) for v in point)
    _check(target, record, dtype, Sample(args))
