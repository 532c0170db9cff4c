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

from pytest_tf2conf import assert_close, light_on_replicas, only_modes, recording
from pytest_tf2conf.finite_differences import numeric_jacobian
from pytest_tf2conf.ops.record import OpRecord, Sample, oracle_args
from pytest_tf2conf.strategies import numpy_dtype
from pytest_tf2conf.tolerance import lookup

from ._support import (
    BATCH,
    EXAMPLES,
    GRAPH_EXAMPLES,
    batch_of,
    distinct,
    gradient_params,
    require_declared,
    require_representative_on_replicas,
)

# A replica device (CPU:1 beside CPU:0) runs one example of each property: the first
# device of its type checks the same kernels in full.
pytestmark = light_on_replicas()


@functools.cache
def _vjp_and_jvp(
    record: OpRecord, kwargs: tuple[tuple[str, Any], ...], arity: int, forward: bool = True
):
    """``f(*args, w, *v) -> (J_i^T w for each differentiable i, J v)``, one per record and
    constants (compiled functions are cached by identity); without ``forward``,
    ``f(*args, w) -> (J_i^T w ...)``."""
    fn = record.bound(kwargs)
    wrt = record.grad.args

    def vjp_and_jvp(*tensors: Any) -> Any:
        import tensorflow as tf

        args, w, tangents = tensors[:arity], tensors[arity], tensors[arity + 1 :]
        with tf.GradientTape() as tape:
            for i in wrt:
                tape.watch(args[i])
            if forward:
                with tf.autodiff.ForwardAccumulator(
                    [args[i] for i in wrt], list(tangents)
                ) as accumulator:
                    y = fn(*args)
            else:
                y = fn(*args)
            loss = tf.reduce_sum(w * y)
        # Densified: gather-like ops (and tf.sparse.reorder's values) give tf.IndexedSlices.
        grads = [tf.convert_to_tensor(g) for g in tape.gradient(loss, [args[i] for i in wrt])]
        if not forward:
            return tuple(grads)
        return (*grads, tf.convert_to_tensor(accumulator.jvp(y)))

    vjp_and_jvp.__name__ = f"vjp_and_jvp_{record.slug}" if forward else f"vjp_{record.slug}"
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
@only_modes("eager")
@EXAMPLES
@given(data=st.data())
def test_gradients_match_finite_differences(target, record, dtype, data) -> None:
    require_declared(record, dtype, target)
    strategy = record.sampler.strategy(dtype, small=True)
    sample = _smooth(record, data.draw(strategy, label="x"))
    # Eager forward mode traces a helper function per primitive op and shape, 80-90% of an
    # eager example's time: it is checked on the examples whose drawn flag says so (none in
    # hypothesis' simplest example, about half of the others; the only example a replica
    # runs), reverse mode on every one (docs/performance.md, "One trace per item").
    forward = target.device.replica or data.draw(st.booleans(), label="forward mode too")
    _check(target, record, dtype, [sample], forward=forward)


@pytest.mark.parametrize(("record", "dtype"), gradient_params())
@only_modes("function", "xla")
@GRAPH_EXAMPLES
@given(data=st.data())
def test_gradients_match_finite_differences_in_graphs(target, record, dtype, data) -> None:
    """As eagerly, a batch of samples per example, run by one traced function (one example,
    hypothesis' simplest, at quick and ci: ``GRAPH_EXAMPLES``)."""
    require_declared(record, dtype, target)
    require_representative_on_replicas(record, dtype, target, record.grad.dtypes)
    strategy = record.sampler.strategy(dtype, small=True, bucketed=target.mode.name == "xla")
    drawn = [data.draw(strategy, label=f"x{i}") for i in range(BATCH)]
    _check(target, record, dtype, distinct([_smooth(record, s) for s in drawn]))


def _fresh_forward_mode(exact: bool) -> None:
    """Forward mode traces each op's backward function with exact shapes for the first 32
    shapes of that op in the process, and with every dimension None after that
    (``_TRACE_COUNT_LIMIT`` in tensorflow/python/eager/forwardprop.py), where some
    gradients fail (QR, SVD, band-diagonal solves, batch_to_space: "not implemented with
    dynamic shapes"). The regime is fixed per check, so that its outcome does not depend
    on the tests that ran before it in the same process: exact shapes in graphs and for
    ``static_shapes`` records (a fresh count), relaxed shapes for eager checks of the
    others (one trace per op and rank, not per shape: eager forward mode would otherwise
    trace every primitive op of every sample, most of an eager gradient check's time)."""
    try:
        from tensorflow.python.eager import forwardprop
    except ImportError:  # pragma: no cover - a TensorFlow without this module
        return
    if not hasattr(forwardprop, "_TRACE_COUNT_LIMIT"):
        return  # pragma: no cover - another TensorFlow: its own regime
    forwardprop._TRACE_COUNT_LIMIT = 32 if exact else 0
    counts = getattr(forwardprop, "_TRACE_COUNT", None)
    if isinstance(counts, dict):
        counts.clear()


def _check(
    target: Any, record: OpRecord, dtype: str, samples: list[Sample], forward: bool = True
) -> None:
    _fresh_forward_mode(exact=target.mode.is_graph or record.static_shapes)
    calls = []
    for sample in samples:
        shape = record.expected(dtype, sample).shape
        w = _pattern(shape, dtype, 0.0)
        tangents = (
            [_pattern(sample.args[i].shape, dtype, 0.7 * (i + 1)) for i in record.grad.args]
            if forward
            else []
        )
        calls.append((sample, w, tangents))
    relax = not record.static_shapes
    if target.mode.is_graph and len(calls) > 1:
        fn = _batched_vjp_and_jvp(
            record, tuple(s.kwargs for s, _, _ in calls), tuple(len(s.args) for s, _, _ in calls)
        )
        flat = [x for s, w, t in calls for x in (*s.args, w, *t)]
        results = target.run(fn, *flat, relax_shapes=relax)
    else:
        results = [
            target.run(
                _vjp_and_jvp(record, s.kwargs, len(s.args), forward),
                *s.args, w, *t, relax_shapes=relax,
            )
            for s, w, t in calls
        ]  # fmt: skip
    for i, ((sample, w, tangents), out) in enumerate(zip(calls, results, strict=True)):
        grads, jvp = (list(out[:-1]), out[-1]) if forward else (list(out), None)
        what = f"sample {i}: " if len(calls) > 1 else ""
        _verify(record, dtype, sample, w, tangents, grads, jvp, what)


@functools.cache
def _batched_vjp_and_jvp(
    record: OpRecord, kwargs: tuple[Any, ...], arities: tuple[int, ...]
) -> Any:
    """``_vjp_and_jvp`` of several samples in one function (one trace per batch)."""
    parts = [_vjp_and_jvp(record, k, n) for k, n in zip(kwargs, arities, strict=True)]
    sizes = [n + 1 + len(record.grad.args) for n in arities]  # args, w, tangents
    return batch_of(parts, sizes, f"batch_vjp_and_jvp_{record.slug}")


def _verify(
    record: OpRecord,
    dtype: str,
    sample: Sample,
    w: np.ndarray,
    tangents: list[np.ndarray],
    grads: list[Any],
    jvp: Any | None,
    what: str,
) -> None:
    """Reverse mode against finite differences of the oracle; forward against reverse
    (unless ``jvp`` is None: not computed)."""
    args, kwargs = sample.args, sample.kwargs
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
        assert_close(grad, expected, signed_zeros=False, what=f"{what}d/d(arg {i})")

    if jvp is None:
        return
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
        what=f"{what}<w, J v> (forward) vs <J^T w, v> (reverse)",
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
    _check(target, record, dtype, [Sample(args)])
