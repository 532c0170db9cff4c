"""tf.sparse: each function on a SparseTensor built inside ``fn`` from its components
(``indices``, ``values``, ``dense_shape`` arrays), its result made dense
(``tf.sparse.to_dense``) so that the oracle is plain NumPy on the dense form
(``densify``). Samples draw a shape and a random pattern of present entries (in canonical,
row-major order, as the ops assume, except for ``reorder``).

Gradients are checked (reverse mode against finite differences, forward mode against
reverse mode) with respect to the values and the dense operand: to_dense, reduce_sum,
transpose, sparse_dense_matmul, map_values. Others have reverse-mode gradients but no
forward mode in TF 2.21 (add: no JVP; slice, softmax, the segment reductions: their
gradient ops have no gradient; concat: no gradient to the values): left unclaimed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .. import strategies as S
from ..tolerance import Tolerance
from .misc_samplers import Built
from .record import API, COMPLEX, FLOATS, INTS, NUMERIC, Grad, OpRecord, Sample
from .samplers import GRADIENT_BOUND, random_array
from .sizes import small_shapes

REAL = FLOATS + INTS
# Sums of a few order-one terms: a rounding or two of the result's magnitude.
SUM_TOLERANCE = {"float16": Tolerance(rtol=4e-3, atol=4e-3),
                 "bfloat16": Tolerance(rtol=3e-2, atol=3e-2)}  # fmt: skip
F32_64 = ("float32", "float64")


def _tf() -> Any:
    import tensorflow as tf

    return tf


def densify(indices: np.ndarray, values: np.ndarray, shape: np.ndarray) -> np.ndarray:
    out = np.zeros(tuple(int(d) for d in shape), dtype=values.dtype)
    out[tuple(indices.T)] = values
    return out


def _value_bound(dtype: str, small: bool) -> float | None:
    if dtype in FLOATS + COMPLEX:
        return GRADIENT_BOUND if small else 100.0
    return 100.0 if dtype != "bool" else None


def draw_sparse(draw_: Any, dtype: str, small: bool, shape: tuple[int, ...],
                bound: float | None = None) -> tuple[np.ndarray, ...]:  # fmt: skip
    """(indices, values, dense_shape) of a random pattern of present entries in ``shape``."""
    mask = draw_(hnp.arrays(np.bool_, shape))
    indices = np.argwhere(mask).astype(np.int64).reshape(-1, len(shape))
    limit = bound if bound is not None else _value_bound(dtype, small)
    values = draw_(S.arrays(dtype, (len(indices),), bound=limit))
    return indices, values, np.asarray(shape, dtype=np.int64)


def rng_sparse(rng: np.random.Generator, dtype: str, shape: tuple[int, ...],
               bound: float | None = None) -> tuple[np.ndarray, ...]:  # fmt: skip
    mask = rng.random(shape) < 0.5
    indices = np.argwhere(mask).astype(np.int64).reshape(-1, len(shape))
    values = random_array(dtype, (len(indices),), rng, bound)
    return indices, values, np.asarray(shape, dtype=np.int64)


KwargsFn = Callable[[Any, tuple[int, ...]], dict[str, Any]]


def sparse_sampler(
    *,
    count: int = 1,
    min_rank: int = 1,
    max_rank: int = 2,
    kwargs: KwargsFn | None = None,
    ref_shape: Callable[[int], tuple[int, ...]] = lambda n: (n,),
    ref_kwargs: Callable[[tuple[int, ...]], dict[str, Any]] | None = None,
    bound: float | None = None,
    min_side: int = 0,
    gradient_min_side: int = 0,
) -> Built:
    """``count`` SparseTensors of one drawn shape, their components flattened into the
    arguments as (indices, values, dense_shape) per tensor."""

    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        shape = draw_(S.shapes(min_rank, max_rank, max(min_side, gradient_min_side * small), 4))
        args = [a for _ in range(count) for a in draw_sparse(draw_, dtype, small, shape, bound)]
        extra = kwargs(draw_, shape) if kwargs else {}
        return Sample(tuple(args), tuple(extra.items()))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        shape = ref_shape(length)
        args = [a for _ in range(count) for a in rng_sparse(rng, dtype, shape, bound)]
        extra = ref_kwargs(shape) if ref_kwargs else {}
        return Sample(tuple(args), tuple(extra.items()))

    return Built(draw, build)


def _sp(tf: Any, i: Any, v: Any, s: Any) -> Any:
    return tf.sparse.SparseTensor(i, v, s)


def _dense_of(op: str) -> Callable[..., Any]:
    """``fn(indices, values, shape, **kw)``: tf.sparse.``op`` of the SparseTensor, made dense."""

    def call(i: Any, v: Any, s: Any, **kw: Any) -> Any:
        tf = _tf()
        return tf.sparse.to_dense(getattr(tf.sparse, op)(_sp(tf, i, v, s), **kw))

    call.__name__ = op
    return call


def _to_dense_fn(i: Any, v: Any, s: Any) -> Any:
    tf = _tf()
    return tf.sparse.to_dense(_sp(tf, i, v, s))


_to_dense_fn.__name__ = "to_dense"


def _segment_fn(op: str) -> Callable[..., Any]:
    def call(data: Any, indices: Any, segment_ids: Any) -> Any:
        return getattr(_tf().sparse, op)(data, indices, segment_ids)

    call.__name__ = op
    return call


def _pair_dense_of(op: str) -> Callable[..., Any]:
    """``fn(i1, v1, s1, i2, v2, s2)``: tf.sparse.``op`` of two SparseTensors, made dense."""

    def call(i1: Any, v1: Any, s1: Any, i2: Any, v2: Any, s2: Any, **kw: Any) -> Any:
        tf = _tf()
        result = getattr(tf.sparse, op)(_sp(tf, i1, v1, s1), _sp(tf, i2, v2, s2), **kw)
        return tf.sparse.to_dense(result)

    call.__name__ = op
    return call


def _on_dense(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """An oracle on the dense forms of the SparseTensors among the arguments."""

    def oracle(*args: np.ndarray, **kw: Any) -> np.ndarray:
        dense = [densify(*args[k : k + 3]) for k in range(0, len(args), 3)]
        return fn(*dense, **kw)

    return oracle


# -- per-function pieces ---------------------------------------------------------------------
def _axis_kw(name: str = "axis", extra: int = 0) -> KwargsFn:
    return lambda draw_, shape: {name: draw_(st.integers(-len(shape) - extra,
                                                         len(shape) - 1 + extra))}  # fmt: skip


def _concat_sampler() -> Built:
    """Two SparseTensors whose shapes agree except along ``axis`` (a Python constant)."""

    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        shape = draw_(small_shapes(1, 2))
        axis = draw_(st.integers(-len(shape), len(shape) - 1))
        other = list(shape)
        other[axis] = draw_(st.integers(0, 3))
        args = (*draw_sparse(draw_, dtype, small, shape),
                *draw_sparse(draw_, dtype, small, tuple(other)))  # fmt: skip
        return Sample(args, (("axis", axis),))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        args = (*rng_sparse(rng, dtype, (length, 2)), *rng_sparse(rng, dtype, (3, 2)))
        return Sample(args, (("axis", 0),))

    return Built(draw, build)


def _concat_fn(i1: Any, v1: Any, s1: Any, i2: Any, v2: Any, s2: Any, axis: int) -> Any:
    tf = _tf()
    a, b = _sp(tf, i1, v1, s1), _sp(tf, i2, v2, s2)
    return tf.sparse.to_dense(tf.sparse.concat(axis, [a, b]))


_concat_fn.__name__ = "concat"


def _eye_fn(marker: Any, num_rows: int, num_columns: int) -> Any:
    # The dtype comes from a scalar marker argument (eye itself takes no tensor).
    tf = _tf()
    return tf.sparse.to_dense(tf.sparse.eye(num_rows, num_columns, dtype=marker.dtype))


def _eye(marker: np.ndarray, num_rows: int, num_columns: int) -> np.ndarray:
    return np.eye(num_rows, num_columns, dtype=marker.dtype)


def _eye_sampler() -> Built:
    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        kw = {"num_rows": draw_(st.integers(0, 4)), "num_columns": draw_(st.integers(0, 4))}
        return Sample((np.zeros((), S.numpy_dtype(dtype)),), tuple(kw.items()))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        marker = np.zeros((), S.numpy_dtype(dtype))
        return Sample((marker,), (("num_rows", length), ("num_columns", 3)))

    return Built(draw, build)


def _fill_fn(i: Any, v: Any, s: Any) -> Any:
    tf = _tf()
    filled, _ = tf.sparse.fill_empty_rows(_sp(tf, i, v, s), tf.ones([], v.dtype))
    return tf.sparse.to_dense(filled)


_fill_fn.__name__ = "fill_empty_rows"


def _fill(i: np.ndarray, v: np.ndarray, s: np.ndarray) -> np.ndarray:
    # Documented: each empty row gets the default value at column 0 (rank 2).
    out = densify(i, v, s)
    empty = np.setdiff1d(np.arange(int(s[0])), i[:, 0])
    if out.shape[1] > 0:
        out[empty, 0] = 1
    return out


def _from_dense_fn(x: Any) -> Any:
    return _tf().sparse.from_dense(x).indices


def _dense_sampler(zero_fraction: float = 0.5) -> Built:
    """Dense arrays with many zeros (the entries from_dense leaves out)."""

    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        shape = draw_(small_shapes(1, 3))
        x = draw_(S.arrays(dtype, shape, bound=_value_bound(dtype, small)))
        zeros = draw_(hnp.arrays(np.bool_, shape))
        return Sample((np.where(zeros, np.zeros_like(x), x),))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        x = random_array(dtype, (length, 2), rng)
        return Sample((np.where(rng.random(x.shape) < zero_fraction, np.zeros_like(x), x),))

    return Built(draw, build)


def _reduce_kw(draw_: Any, shape: tuple[int, ...]) -> dict[str, Any]:
    axis = draw_(st.none() | st.integers(-len(shape), len(shape) - 1))
    return {"axis": axis, "keepdims": draw_(st.booleans())}


def _reduce_fn(op: str) -> Callable[..., Any]:
    def call(i: Any, v: Any, s: Any, axis: int | None = None, keepdims: bool = False) -> Any:
        tf = _tf()
        return getattr(tf.sparse, op)(_sp(tf, i, v, s), axis=axis, keepdims=keepdims)

    call.__name__ = op
    return call


def _sum(x: np.ndarray, axis: int | None = None, keepdims: bool = False) -> np.ndarray:
    wide = None if x.dtype.kind in "fc" else x.dtype
    return np.sum(x, axis=axis, keepdims=keepdims, dtype=wide)


def _reduce_max(i: np.ndarray, v: np.ndarray, s: np.ndarray, axis: int | None = None,
                keepdims: bool = False) -> np.ndarray:  # fmt: skip
    # Documented: the maximum of the present values only; 0 where a slice has none.
    shape = tuple(int(d) for d in s)
    low = np.full(shape, -np.inf)
    low[tuple(i.T)] = v
    present = np.zeros(shape, bool)
    present[tuple(i.T)] = True
    axes = None if axis is None else (axis % len(shape),)
    best = np.max(low, axis=axes, keepdims=keepdims, initial=-np.inf)
    some = np.any(present, axis=axes, keepdims=keepdims)
    return np.where(some, best, 0).astype(v.dtype)


def _reorder_fn(i: Any, v: Any, s: Any) -> Any:
    tf = _tf()
    return tf.sparse.reorder(_sp(tf, i, v, s)).values


def _reorder(i: np.ndarray, v: np.ndarray, s: np.ndarray) -> np.ndarray:
    return v[np.lexsort(i.T[::-1])] if len(i) else v


def _shuffled(sampler: Built) -> Built:
    """Entries in a random order (what reorder puts back into row-major order)."""

    def shuffle(sample: Sample, order: np.ndarray) -> Sample:
        i, v, s = sample.args
        return Sample((i[order], v[order], s), sample.kwargs)

    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        sample = sampler.draw(draw_, dtype, small)
        order = draw_(st.permutations(range(len(sample.args[0]))))
        return shuffle(sample, np.asarray(order, dtype=np.int64))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        sample = sampler.build(dtype, length, rng)
        return shuffle(sample, rng.permutation(len(sample.args[0])))

    return Built(draw, build)


def _reshape_kw(draw_: Any, shape: tuple[int, ...]) -> dict[str, Any]:
    n = int(np.prod(shape))
    options = [(n,), (-1,), (1, n), (n, 1), tuple(reversed(shape))]
    if n and n % 2 == 0:
        options.append((2, -1))
    return {"shape": draw_(st.sampled_from(options))}


def _reshape(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return x.reshape(shape)


def _retain_fn(i: Any, v: Any, s: Any, keep: Any) -> Any:
    tf = _tf()
    return tf.sparse.to_dense(tf.sparse.retain(_sp(tf, i, v, s), keep))


def _retain(i: np.ndarray, v: np.ndarray, s: np.ndarray, keep: np.ndarray) -> np.ndarray:
    return densify(i[keep], v[keep], s)


def _with_mask(sampler: Built) -> Built:
    """The sparse sample and a bool mask over its entries (retain's ``to_retain``)."""

    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        sample = sampler.draw(draw_, dtype, small)
        keep = draw_(hnp.arrays(np.bool_, (len(sample.args[0]),)))
        return Sample((*sample.args, keep), sample.kwargs)

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        sample = sampler.build(dtype, length, rng)
        return Sample((*sample.args, rng.random(len(sample.args[0])) < 0.5), sample.kwargs)

    return Built(draw, build)


# -- segment reductions: data rows picked by ``indices``, summed into sorted segments --------
# Float data of order one: sums of a few terms then round like their terms (magnitudes of
# 100 would make a bfloat16 sum of three differ from the exact one by ~1).
_SEGMENT_BOUND = dict.fromkeys(FLOATS, 1.0)


def _segment_sampler() -> Built:
    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        rows, cols = draw_(st.integers(1, 4)), draw_(st.integers(0, 3))
        data = draw_(S.arrays(dtype, (rows, cols), bound=_SEGMENT_BOUND.get(dtype, 100.0)))
        k = draw_(st.integers(0, 5))
        idx = draw_(hnp.arrays(np.int32, (k,), elements=st.integers(0, rows - 1)))
        seg = np.sort(draw_(hnp.arrays(np.int32, (k,), elements=st.integers(0, 3))))
        return Sample((data, idx, seg))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        data = random_array(dtype, (length, 2), rng, _SEGMENT_BOUND.get(dtype, 100.0))
        idx = rng.integers(0, length, size=length).astype(np.int32)
        seg = np.sort(rng.integers(0, max(length // 3, 1), size=length)).astype(np.int32)
        return Sample((data, idx, seg))

    return Built(draw, build)


def _segment(kind: str) -> Callable[..., np.ndarray]:
    def oracle(data: np.ndarray, idx: np.ndarray, seg: np.ndarray) -> np.ndarray:
        n = int(seg.max()) + 1 if len(seg) else 0
        out = np.zeros((n, data.shape[1]), dtype=data.dtype)
        np.add.at(out, seg, data[idx])
        counts = np.bincount(seg, minlength=n).astype(np.float64)[:, None]
        # Documented: empty segments give 0 (mean and sqrt_n divide by max(count, 1)).
        scale = {"sum": 1.0, "mean": np.maximum(counts, 1), "sqrt_n": np.sqrt(np.maximum(
            counts, 1))}[kind]  # fmt: skip
        return out / scale if kind != "sum" else out

    return oracle


def _slice_kw(draw_: Any, shape: tuple[int, ...]) -> dict[str, Any]:
    start = tuple(draw_(st.integers(0, d)) for d in shape)
    size = tuple(draw_(st.integers(0, 4)) for _ in shape)
    return {"start": start, "size": size}


def _slice(x: np.ndarray, start: tuple[int, ...], size: tuple[int, ...]) -> np.ndarray:
    return x[tuple(slice(a, a + n) for a, n in zip(start, size, strict=True))]


def _softmax(i: np.ndarray, v: np.ndarray, s: np.ndarray) -> np.ndarray:
    # Documented: a softmax over the present entries of each innermost row; absent ones
    # stay absent (0 in the dense form).
    shape = tuple(int(d) for d in s)
    logits = np.full(shape, -np.inf)
    logits[tuple(i.T)] = v
    with np.errstate(all="ignore"):
        top = np.max(logits, axis=-1, keepdims=True, initial=-np.inf)
        e = np.exp(logits - np.where(np.isfinite(top), top, 0))
        out = e / np.sum(e, axis=-1, keepdims=True)
    return np.where(np.isneginf(logits), 0.0, out)


def _matmul_sampler() -> Built:
    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        m, k, n = (draw_(st.integers(0, 4)) for _ in range(3))
        adj_a, adj_b = draw_(st.booleans()), draw_(st.booleans())
        # Order-one entries: a product's rounding stays within the dtype's tolerance.
        i, v, s = draw_sparse(draw_, dtype, small, (k, m) if adj_a else (m, k), 1.0)
        b = draw_(S.arrays(dtype, (n, k) if adj_b else (k, n), bound=1.0))
        return Sample((i, v, s, b), (("adjoint_a", adj_a), ("adjoint_b", adj_b)))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        i, v, s = rng_sparse(rng, dtype, (length, 3), 1.0)
        return Sample((i, v, s, random_array(dtype, (3, 2), rng, 1.0)))

    return Built(draw, build)


def _matmul_fn(i: Any, v: Any, s: Any, b: Any, adjoint_a: bool = False,
               adjoint_b: bool = False) -> Any:  # fmt: skip
    tf = _tf()
    return tf.sparse.sparse_dense_matmul(_sp(tf, i, v, s), b, adjoint_a=adjoint_a,
                                         adjoint_b=adjoint_b)  # fmt: skip


_matmul_fn.__name__ = "sparse_dense_matmul"


def _matmul(i: np.ndarray, v: np.ndarray, s: np.ndarray, b: np.ndarray,
            adjoint_a: bool = False, adjoint_b: bool = False) -> np.ndarray:  # fmt: skip
    a = densify(i, v, s)
    a = a.conj().T if adjoint_a else a
    return a @ (b.conj().T if adjoint_b else b)


def _split_fn(i: Any, v: Any, s: Any, num_split: int, axis: int) -> Any:
    # The pieces, dense and flattened, one after the other: their sizes and contents.
    tf = _tf()
    pieces = tf.sparse.split(_sp(tf, i, v, s), num_split, axis)
    return tf.concat([tf.reshape(tf.sparse.to_dense(p), [-1]) for p in pieces], 0)


_split_fn.__name__ = "split"


def _split(x: np.ndarray, num_split: int, axis: int) -> np.ndarray:
    # Documented: the first shape[axis] % num_split pieces get one more slice (array_split).
    pieces = np.array_split(x, num_split, axis=axis)
    return np.concatenate([p.reshape(-1) for p in pieces]) if pieces else x.reshape(-1)


def _split_kw(draw_: Any, shape: tuple[int, ...]) -> dict[str, Any]:
    axis = draw_(st.integers(0, len(shape) - 1))
    return {"num_split": draw_(st.integers(1, max(shape[axis], 1))), "axis": axis}


def _indicator_fn(i: Any, v: Any, s: Any, vocab_size: int) -> Any:
    tf = _tf()
    return tf.sparse.to_indicator(_sp(tf, i, v, s), vocab_size)


def _indicator(i: np.ndarray, v: np.ndarray, s: np.ndarray, vocab_size: int) -> np.ndarray:
    out = np.zeros((*(int(d) for d in s[:-1]), vocab_size), dtype=bool)
    out[(*i[:, :-1].T, np.real(v).astype(np.int64))] = True
    return out


def _ids_sampler() -> Built:
    """Sparse ids in [0, 5) (to_indicator's vocabulary of 5)."""
    inner = sparse_sampler(min_rank=2, max_rank=2, bound=4.0, ref_shape=lambda n: (n, 3))

    def fix(sample: Sample) -> Sample:
        i, v, s = sample.args
        return Sample((i, (np.abs(v) % 5).astype(v.dtype), s), (("vocab_size", 5),))

    return Built(lambda d, dt, sm: fix(inner.draw(d, dt, sm)),
                 lambda dt, n, rng: fix(inner.build(dt, n, rng)))  # fmt: skip


def _transpose_kw(draw_: Any, shape: tuple[int, ...]) -> dict[str, Any]:
    return {"perm": tuple(draw_(st.permutations(range(len(shape)))))}


def _bincount_sampler() -> Built:
    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        shape = draw_(S.shapes(1, 2, 1, 4))
        x = draw_(hnp.arrays(S.numpy_dtype(dtype), shape, elements=st.integers(0, 6)))
        return Sample((x,), (("axis", draw_(st.sampled_from((0, -1)))),))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        return Sample((np.abs(random_array(dtype, (length,), rng, 50)),), (("axis", 0),))

    return Built(draw, build)


def _bincount_fn(x: Any, axis: int = 0) -> Any:
    tf = _tf()
    return tf.sparse.to_dense(tf.sparse.bincount(x, axis=axis))


_bincount_fn.__name__ = "bincount"


def _bincount(x: np.ndarray, axis: int = 0) -> np.ndarray:
    # Documented: counts of max(x) + 1 bins; axis -1 counts each row of a rank-2 input.
    size = int(x.max()) + 1
    if axis == 0 or x.ndim == 1:
        return np.bincount(x.reshape(-1), minlength=size).astype(x.dtype)
    return np.stack([np.bincount(row, minlength=size) for row in x]).astype(x.dtype)


def _reset_kw(draw_: Any, shape: tuple[int, ...]) -> dict[str, Any]:
    return {"new_shape": tuple(d + draw_(st.integers(0, 2)) for d in shape)}


def _reset_fn(i: Any, v: Any, s: Any, new_shape: tuple[int, ...]) -> Any:
    tf = _tf()
    reset = tf.sparse.reset_shape(_sp(tf, i, v, s), tf.constant(new_shape, tf.int64))
    return tf.sparse.to_dense(reset)


def _reset(x: np.ndarray, new_shape: tuple[int, ...]) -> np.ndarray:
    return np.pad(x, [(0, n - d) for d, n in zip(x.shape, new_shape, strict=True)])


def _map_values_fn(i: Any, v: Any, s: Any) -> Any:
    # map_values applies an op to the values only: here x * x (absent entries stay 0).
    tf = _tf()
    sp = _sp(tf, i, v, s)
    return tf.sparse.to_dense(tf.sparse.map_values(tf.math.multiply, sp, sp))


_map_values_fn.__name__ = "map_values"


def _record(name: str, fn: Callable[..., Any], oracle: Callable[..., Any], sampler: Any,
            dtypes: tuple[str, ...], grad: tuple[int, ...] | None = None, xla: bool = False,
            **kw: Any) -> OpRecord:  # fmt: skip
    """``xla``: whether XLA compiles the function (most sparse kernels have no XLA form)."""
    if not xla:
        kw["dtypes_by_target"] = {"CPU-xla": ()}
    return OpRecord(
        name=f"tf.sparse.{name}", fn=fn, oracle=oracle, sampler=sampler, dtypes=dtypes,
        doc=f"{API}tf/sparse/{name}", grad=Grad(args=grad) if grad else None, **kw,
    )  # fmt: skip


ONE = sparse_sampler()
PAIR = sparse_sampler(count=2)
RANK2 = sparse_sampler(min_rank=2, max_rank=2, ref_shape=lambda n: (n, 3))
# Rows with columns: fill_empty_rows puts the default value in column 0.
ROWS = sparse_sampler(min_rank=2, max_rank=2, min_side=1, ref_shape=lambda n: (n, 3))
ALL = (*NUMERIC, "bool")
# Element-wise sums (SparseAdd) have no half-precision or unsigned kernels.
ADD_TYPES = ("float32", "float64", *COMPLEX, "int8", "int16", "int32", "int64")

RECORDS: tuple[OpRecord, ...] = (
    _record("to_dense", _to_dense_fn, densify, sparse_sampler(max_rank=3), ALL, grad=(1,),
            xla=True),
    # A present -0.0 plus an absent entry stays -0.0 (nothing is added): sign unspecified.
    _record("add", _pair_dense_of("add"), _on_dense(np.add), PAIR, ADD_TYPES,
            signed_zeros=False),
    _record("concat", _concat_fn, _on_dense(lambda a, b, axis: np.concatenate([a, b], axis)),
            _concat_sampler(), ALL),
    _record("expand_dims", _dense_of("expand_dims"), _on_dense(lambda x, axis: np.expand_dims(
        x, axis)), sparse_sampler(kwargs=_axis_kw(extra=1), ref_kwargs=lambda s: {"axis": 0}),
            ALL, xla=True),
    _record("eye", _eye_fn, _eye, _eye_sampler(), ALL, xla=True),
    _record("fill_empty_rows", _fill_fn, _fill, ROWS, ALL),
    _record("from_dense", _from_dense_fn, lambda x: np.argwhere(x != 0).astype(np.int64),
            _dense_sampler(), ALL, result={d: "int64" for d in ALL}, xla=True,
            reference="(the indices of the nonzero entries, row-major)"),
    # The sign of a zero against an implicit zero is not specified.
    _record("maximum", _pair_dense_of("maximum"), _on_dense(np.maximum), PAIR, REAL,
            signed_zeros=False),
    _record("minimum", _pair_dense_of("minimum"), _on_dense(np.minimum), PAIR, REAL,
            signed_zeros=False),
    _record("reduce_max", _reduce_fn("reduce_max"), _reduce_max,
            sparse_sampler(max_rank=3, kwargs=_reduce_kw), REAL,
            reference="(over the present values; 0 where a slice has none)"),
    # Values of order one and short reference sums (rows of 3): a sum's rounding stays
    # within the dtype's tolerance (integers wrap, as the oracle's sum in their dtype).
    # Gradient samples have no zero-size dimension: in graph mode TF 2.21's gradient
    # divides the shape by the reduced shape there ("Integer division by zero", reported).
    _record("reduce_sum", _reduce_fn("reduce_sum"), _on_dense(_sum),
            sparse_sampler(max_rank=3, kwargs=_reduce_kw, bound=1.0, ref_shape=lambda n: (n, 3),
                           gradient_min_side=1,
                           ref_kwargs=lambda s: {"axis": 1, "keepdims": False}),
            NUMERIC, grad=(1,), tolerance=SUM_TOLERANCE),
    _record("reorder", _reorder_fn, _reorder, _shuffled(sparse_sampler(max_rank=3)), ALL,
            reference="(values in row-major order of their indices)"),
    _record("reshape", _dense_of("reshape"), _on_dense(_reshape),
            sparse_sampler(max_rank=3, kwargs=_reshape_kw, ref_kwargs=lambda s: {"shape": (-1,)}),
            ALL),
    _record("retain", _retain_fn, _retain, _with_mask(ONE), ALL, xla=True),
    # Reverse-mode gradients exist for the segment reductions, slice and softmax, but not
    # forward mode (no gradient of their gradient ops, SparseSegmentSumGrad, ...): no
    # gradient claim, which checks both.
    _record("segment_sum", _segment_fn("segment_sum"), _segment("sum"), _segment_sampler(),
            REAL, tolerance=SUM_TOLERANCE, signed_zeros=False),
    _record("segment_mean", _segment_fn("segment_mean"), _segment("mean"), _segment_sampler(),
            FLOATS, tolerance=SUM_TOLERANCE, signed_zeros=False),
    _record("segment_sqrt_n", _segment_fn("segment_sqrt_n"), _segment("sqrt_n"),
            _segment_sampler(), FLOATS, tolerance=SUM_TOLERANCE, signed_zeros=False),
    _record("slice", _dense_of("slice"), _on_dense(_slice),
            sparse_sampler(max_rank=3, kwargs=_slice_kw,
                           ref_kwargs=lambda s: {"start": (1,), "size": (5,)}), ALL),
    _record("softmax", _dense_of("softmax"), _softmax,
            sparse_sampler(min_rank=2, max_rank=3, bound=10.0, ref_shape=lambda n: (n, 3)),
            ("float16", *F32_64), reference="(over each row's present entries)"),
    _record("sparse_dense_matmul", _matmul_fn, _matmul, _matmul_sampler(),
            FLOATS + COMPLEX + ("int32",), grad=(1, 3), tolerance=SUM_TOLERANCE),
    _record("split", _split_fn, _on_dense(_split),
            sparse_sampler(kwargs=_split_kw, min_side=1,
                           ref_kwargs=lambda s: {"num_split": 3, "axis": 0}),
            ALL, reference="(the pieces, dense, flattened and concatenated)"),
    # Documented for int32/int64 ids; the function casts any values to int64, so every
    # dtype runs (the ids are drawn integral).
    _record("to_indicator", _indicator_fn, _indicator, _ids_sampler(), ALL,
            result={d: "bool" for d in ALL}),
    _record("transpose", _dense_of("transpose"), _on_dense(
        lambda x, perm=None: np.transpose(x, perm)), sparse_sampler(
            max_rank=3, kwargs=_transpose_kw), ALL, grad=(1,)),
    _record("bincount", _bincount_fn, _bincount, _bincount_sampler(), ("int32", "int64")),
    _record("reset_shape", _reset_fn, _on_dense(_reset),
            sparse_sampler(kwargs=_reset_kw, ref_kwargs=lambda s: {"new_shape": (s[0] + 1,)}),
            ALL, xla=True),
    _record("map_values", _map_values_fn, _on_dense(lambda x: x * x), ONE, NUMERIC, grad=(1,),
            xla=True),
)  # fmt: skip
