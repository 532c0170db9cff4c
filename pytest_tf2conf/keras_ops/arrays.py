"""Shape manipulation, joining, indexing and products of keras.ops (keras.ops.numpy and
keras.ops.core), each against the NumPy function it mirrors.

Samplers are generators over ``ops.array_samplers.Draw`` (the op database's): a shape,
arrays of the item's dtype, the documented Python constants (axes may be negative).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..ops.array_samplers import Built, Draw, axis_of, sample
from ..ops.record import Sample
from ..tolerance import Tolerance, accumulation_tolerance
from .record import (
    FLOATS,
    INTS,
    NUMERIC,
    UNIVERSE,
    KerasOpRecord,
    KGrad,
    as_list,
    bool_as_int,
    boolean,
    floating,
    index,
    same,
    summed,
)

# NumPy 2.0 renamed trapz to trapezoid; older TensorFlow releases pin NumPy 1.x.
_np_trapezoid = getattr(np, "trapezoid", None) or np.trapz

ALL = UNIVERSE
SMOOTH = KGrad()
BOTH = KGrad(args=(0, 1))


def rec(name: str, oracle: Callable[..., Any], gen: Callable[[Draw], Sample], *,
        dtypes: tuple[str, ...] = ALL, result: Callable[[str], str] = same,
        grad: KGrad | None = None, section: str = "numpy", **kw: Any) -> KerasOpRecord:  # fmt: skip
    return KerasOpRecord(
        name, section=section, oracle=oracle, sampler=Built(gen), dtypes=dtypes,
        result=result, float_oracle=result is floating, grad=grad, **kw,
    )  # fmt: skip


# -- generators ------------------------------------------------------------------------
def _one(min_rank: int = 0, min_side: int = 0, **const: Any) -> Callable[[Draw], Sample]:
    def gen(d: Draw) -> Sample:
        return sample(d.array(d.shape(min_rank, 3, min_side)), **const)

    return gen


def _reshape(d: Draw) -> Sample:
    shape = d.shape()
    new = (-1,) if d.flag() else tuple(reversed(shape))
    return sample(d.array(shape), newshape=new)


def _transpose(d: Draw) -> Sample:
    shape = d.shape()
    axes = d.permutation(len(shape)) if d.flag() else None
    return sample(d.array(shape), axes=axes)


def _expand_dims(d: Draw) -> Sample:
    shape = d.shape()
    rank = len(shape) + 1
    return sample(d.array(shape), axis=axis_of(d, rank))


def _squeeze(d: Draw) -> Sample:
    shape = list(d.shape(1, 3))
    i = d.integer(0, len(shape) - 1)
    shape[i] = 1
    axis = (i - len(shape) if d.flag() else i) if d.flag() else None
    return sample(d.array(tuple(shape)), axis=axis)


def _axis_or_none(min_rank: int = 1, **const: Any) -> Callable[[Draw], Sample]:
    def gen(d: Draw) -> Sample:
        shape = d.shape(min_rank, 3)
        axis = axis_of(d, len(shape)) if d.flag() else None
        return sample(d.array(shape), axis=axis, **const)

    return gen


def _axis(min_rank: int = 1, min_side: int = 0, **const: Any) -> Callable[[Draw], Sample]:
    def gen(d: Draw) -> Sample:
        shape = d.shape(min_rank, 3, min_side)
        return sample(d.array(shape), axis=axis_of(d, len(shape)), **const)

    return gen


def _roll(d: Draw) -> Sample:
    shape = d.shape(1, 3)
    axis = axis_of(d, len(shape)) if d.flag() else None
    return sample(d.array(shape), shift=d.integer(-5, 5), axis=axis)


def _tile(d: Draw) -> Sample:
    shape = d.shape(1, 3)
    reps = tuple(d.integer(1, 3) for _ in shape)
    return sample(d.array(shape), repeats=reps)


def _repeat(d: Draw) -> Sample:
    shape = d.shape(1, 3)
    axis = axis_of(d, len(shape)) if d.flag() else None
    return sample(d.array(shape), repeats=d.integer(0, 3), axis=axis)


def _joined(count: int, min_rank: int = 1, along: bool = True) -> Callable[[Draw], Sample]:
    """``count`` arrays of one shape (sides along ``axis`` free when ``along``)."""

    def gen(d: Draw) -> Sample:
        shape = d.shape(min_rank, 3)
        axis = axis_of(d, len(shape))
        arrays = []
        for _ in range(count):
            this = list(shape)
            if along:
                this[axis] = d.integer(0, 3)
            arrays.append(d.array(tuple(this)))
        return sample(*arrays, axis=axis)

    return gen


def _same_shapes(count: int, min_rank: int = 1, max_rank: int = 3) -> Callable[[Draw], Sample]:
    def gen(d: Draw) -> Sample:
        shape = d.shape(min_rank, max_rank)
        return sample(*(d.array(shape) for _ in range(count)))

    return gen


def _stack(d: Draw) -> Sample:
    shape = d.shape(0, 2)
    axis = axis_of(d, len(shape) + 1)
    return sample(d.array(shape), d.array(shape), axis=axis)


def _split(d: Draw) -> Sample:
    shape = list(d.shape(1, 3))
    axis = axis_of(d, len(shape))
    sections = d.integer(1, 3)
    shape[axis] = sections * d.integer(0, 2)
    return sample(d.array(tuple(shape)), indices_or_sections=sections, axis=axis)


def _moveaxis(d: Draw) -> Sample:
    shape = d.shape(1, 3)
    return sample(d.array(shape), source=axis_of(d, len(shape)),
                  destination=axis_of(d, len(shape)))  # fmt: skip


def _swapaxes(d: Draw) -> Sample:
    shape = d.shape(1, 3)
    return sample(d.array(shape), axis1=axis_of(d, len(shape)), axis2=axis_of(d, len(shape)))


def _broadcast_to(d: Draw) -> Sample:
    shape = d.shape(0, 2)
    target = (d.integer(0, 3), *(s if d.flag() or s != 1 else d.integer(1, 3) for s in shape))
    return sample(d.array(shape), shape=target)


def _where(d: Draw) -> Sample:
    shape = d.shape()
    cond = d.array(shape, dtype="bool")
    return sample(cond, d.array(shape), d.array(shape))


def _clip(d: Draw) -> Sample:
    shape = d.shape()
    lo = d.integer(0 if d.dtype in ("uint8", "bool") else -3, 2)
    return sample(d.array(shape), x_min=lo, x_max=lo + d.integer(0, 4))


def _distinct(d: Draw) -> Sample:
    """Distinct values (sort orders have no ties): a permutation of 0..n-1 along the last
    axis, shifted into the dtype's range."""
    shape = d.shape(1, 3, 1)
    n = shape[-1]
    rows = int(np.prod(shape[:-1], dtype=np.int64))
    values = np.stack([np.array(d.permutation(n)) for _ in range(rows)]).reshape(shape)
    dtype = "float32" if d.dtype == "bfloat16" else d.dtype
    x = (values - n // 2 if d.dtype != "uint8" else values).astype(dtype)
    if d.dtype == "bfloat16":
        from .. import strategies as S

        x = x.astype(S.numpy_dtype("bfloat16"))
    return sample(x, axis=-1)


def _take(d: Draw) -> Sample:
    shape = d.shape(1, 3, 1)
    axis = axis_of(d, len(shape)) if d.flag() else None
    n = shape[axis] if axis is not None else int(np.prod(shape))
    idx = d.ints((d.integer(0, 4),), 0, n - 1)
    return sample(d.array(shape), idx, axis=axis)


def _take_along_axis(d: Draw) -> Sample:
    shape = d.shape(1, 3, 1)
    axis = axis_of(d, len(shape))
    idx_shape = tuple(d.integer(0, 3) if i == axis % len(shape) else s for i, s in enumerate(shape))
    idx = d.ints(idx_shape, 0, shape[axis] - 1)
    return sample(d.array(shape), idx, axis=axis)


def _matrix(min_rank: int = 2, max_rank: int = 2, **const: Any) -> Callable[[Draw], Sample]:
    def gen(d: Draw) -> Sample:
        return sample(d.array(d.shape(min_rank, max_rank)), **const)

    return gen


def _k(min_rank: int, max_rank: int, name: str = "k") -> Callable[[Draw], Sample]:
    def gen(d: Draw) -> Sample:
        return sample(d.array(d.shape(min_rank, max_rank)), **{name: d.integer(-2, 2)})

    return gen


def _vectors(same: bool = True) -> Callable[[Draw], Sample]:
    def gen(d: Draw) -> Sample:
        n = d.integer(0, 4)
        m = n if same else d.integer(0, 4)
        return sample(d.array((n,), bound=10.0), d.array((m,), bound=10.0))

    return gen


def _matmul(d: Draw) -> Sample:
    m, k, n = d.integer(1, 3), d.integer(0, 3), d.integer(1, 3)
    batch = d.shape(0, 1)
    return sample(d.array((*batch, m, k), bound=10.0), d.array((*batch, k, n), bound=10.0))


def _tensordot(d: Draw) -> Sample:
    a, b, c = d.integer(1, 3), d.integer(1, 3), d.integer(1, 3)
    return sample(d.array((a, b), bound=10.0), d.array((b, c), bound=10.0), axes=1)


def _cross(d: Draw) -> Sample:
    batch = d.shape(0, 1)
    return sample(d.array((*batch, 3), bound=10.0), d.array((*batch, 3), bound=10.0))


def _einsum(d: Draw) -> Sample:
    m, k, n = d.integer(1, 3), d.integer(1, 3), d.integer(1, 3)
    return sample(d.array((m, k), bound=10.0), d.array((k, n), bound=10.0), subscripts="ij,jk->ik")


def _einsum_call(fn: Callable[..., Any], *args: Any, subscripts: str) -> Any:
    return fn(subscripts, *args)


def _kron(d: Draw) -> Sample:
    return sample(d.array(d.shape(1, 2), bound=10.0), d.array(d.shape(1, 2), bound=10.0))


def _diff(d: Draw) -> Sample:
    shape = d.shape(1, 3)
    return sample(d.array(shape), n=d.integer(1, 2), axis=axis_of(d, len(shape)))


def _differences_tolerance(dtype: str, sample: Sample) -> dict[str, float]:
    """diff with n = 2 rounds the first differences (up to 2M for inputs up to M) to the
    dtype before differencing again: an error of ~n 2^n u M at the inputs' scale, while the
    result may cancel (TF's bfloat16 -1.5 for -1.78 from inputs up to 98, found by thorough
    TF seed 1918518292). n = 1 rounds the result once (the dtype's tolerance)."""
    x = np.asarray(sample.args[0]).astype(np.float64)
    n = int(dict(sample.kwargs).get("n", 1))
    if n <= 1 or x.size == 0:
        return {}
    top = float(np.max(np.abs(x[np.isfinite(x)]), initial=0.0))
    return accumulation_tolerance(dtype, 2 ** (n - 1) * top, n)


def _pad(d: Draw) -> Sample:
    shape = d.shape(1, 3)
    widths = tuple((d.integer(0, 2), d.integer(0, 2)) for _ in shape)
    return sample(d.array(shape), pad_width=widths)


def _searchsorted(d: Draw) -> Sample:
    seq = np.sort(d.array((d.integer(1, 5),)))
    return sample(seq, d.array((d.integer(0, 4),)), side="left" if d.flag() else "right")


def _digitize(d: Draw) -> Sample:
    bins = np.unique(d.array((d.integer(1, 5),)))
    return sample(d.array(d.shape(0, 2)), bins)


def _bincount(d: Draw) -> Sample:
    top = 1 if d.dtype == "bool" else 5
    return sample(d.ints((d.integer(0, 6),), 0, top, dtype=d.dtype), minlength=d.integer(0, 7))


def _isin(d: Draw) -> Sample:
    return sample(d.array(d.shape(0, 2), bound=3.0), d.array((d.integer(0, 4),), bound=3.0))


def _unravel(d: Draw) -> Sample:
    shape = (d.integer(1, 3), d.integer(1, 3))
    return sample(d.ints((d.integer(0, 4),), 0, shape[0] * shape[1] - 1, dtype=d.dtype),
                  shape=shape)  # fmt: skip


def _unstack(d: Draw) -> Sample:
    shape = d.shape(1, 3, 1)
    return sample(d.array(shape), axis=axis_of(d, len(shape)))


def _slice(d: Draw) -> Sample:
    shape = d.shape(1, 3, 1)
    start = tuple(d.integer(0, s - 1) for s in shape)
    size = tuple(d.integer(0, s - b) for s, b in zip(shape, start, strict=True))
    return sample(d.array(shape), start_indices=start, shape=size)


def _slice_update(d: Draw) -> Sample:
    shape = d.shape(1, 3, 1)
    start = tuple(d.integer(0, s - 1) for s in shape)
    size = tuple(d.integer(0, s - b) for s, b in zip(shape, start, strict=True))
    return sample(d.array(shape), d.array(size), start_indices=start)


def _slice_update_call(fn: Callable[..., Any], x: Any, u: Any, start_indices: Any) -> Any:
    return fn(x, start_indices, u)


def _slice_update_oracle(x: np.ndarray, u: np.ndarray, start_indices: Any) -> np.ndarray:
    out = x.copy()
    out[tuple(slice(b, b + s) for b, s in zip(start_indices, u.shape, strict=True))] = u
    return out


def _scatter_update(d: Draw) -> Sample:
    shape = d.shape(1, 2, 1)
    # distinct rows (a repeated index has no documented winner)
    count = d.integer(0, shape[0])
    rows = np.array(d.permutation(shape[0])[:count], dtype=np.int32).reshape(count, 1)
    return sample(d.array(shape), rows, d.array((count, *shape[1:])))


def _scatter_update_oracle(x: np.ndarray, idx: np.ndarray, u: np.ndarray) -> np.ndarray:
    out = x.copy()
    out[idx[:, 0]] = u
    return out


def _histogram(d: Draw) -> Sample:
    return sample(d.array((d.integer(1, 8),), bound=10.0), bins=d.integer(1, 4))


def _histogram_oracle(x: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    return np.histogram(x, bins=bins)


def _trapezoid(d: Draw) -> Sample:
    shape = d.shape(1, 2, 1)
    return sample(d.array(shape, bound=10.0), axis=-1)


def _correlate(d: Draw) -> Sample:
    return sample(d.array((d.integer(1, 5),), bound=10.0), d.array((d.integer(1, 5),), bound=10.0),
                  mode="valid" if d.flag() else "full")  # fmt: skip


def _correlate_oracle(a: np.ndarray, v: np.ndarray, mode: str) -> np.ndarray:
    # numpy swaps the operands when v is longer (and then reverses the result)
    return np.correlate(a, v, mode=mode)


def _meshgrid(d: Draw) -> Sample:
    return sample(d.array((d.integer(0, 3),)), d.array((d.integer(0, 3),)),
                  indexing="xy" if d.flag() else "ij")  # fmt: skip


def _meshgrid_call(fn: Callable[..., Any], *xs: Any, indexing: str) -> Any:
    return fn(*xs, indexing=indexing)


def _meshgrid_oracle(*xs: np.ndarray, indexing: str) -> tuple[np.ndarray, ...]:
    return tuple(np.meshgrid(*xs, indexing=indexing))


def _split_oracle(x: np.ndarray, indices_or_sections: int, axis: int) -> list[np.ndarray]:
    return np.split(x, indices_or_sections, axis=axis)


def _unstack_oracle(x: np.ndarray, axis: int) -> list[np.ndarray]:
    return [np.take(x, i, axis=axis) for i in range(x.shape[axis])]


def _take_along(x: np.ndarray, idx: np.ndarray, axis: int) -> np.ndarray:
    return np.take_along_axis(x, idx.astype(np.int64), axis=axis)


def _take_oracle(x: np.ndarray, idx: np.ndarray, axis: Any) -> np.ndarray:
    return np.take(x, idx.astype(np.int64), axis=axis)


def _slice_oracle(x: np.ndarray, start_indices: Any, shape: Any) -> np.ndarray:
    return x[tuple(slice(b, b + s) for b, s in zip(start_indices, shape, strict=True))]


def _clip_oracle(x: np.ndarray, x_min: int, x_max: int) -> np.ndarray:
    """numpy.clip; bools are clipped as int32 (Keras's documented bool -> int32)."""
    return np.clip(x.astype(np.int32) if x.dtype == bool else x, x_min, x_max)


def _trace(x: np.ndarray, dtype: str) -> np.ndarray:
    value = np.trace(x.astype(np.int64) if x.dtype.kind in "biu" else x)
    return np.asarray(value).astype(np.dtype(dtype)) if x.dtype.kind in "biu" else value


def _exact(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Integer products in int64 (the int8 -> int32 results are exact, not wrapped in int8)."""

    def oracle(*args: Any, **kwargs: Any) -> Any:
        wide = [a.astype(np.int64) if a.dtype.kind in "iu" and a.itemsize == 1 else a for a in args]
        return fn(*wide, **kwargs)

    return oracle


# A cross product's entry is a difference of two products, each of which a backend may
# round to the dtype (TF's bfloat16 does): the error scales with the products (|x|, |y| <=
# 10, so up to 100), not with the difference, which cancels (0.3125 for 0.286 in bfloat16,
# found by a thorough TF run): atol = 2 x unit roundoff x 100.
CROSS_PRODUCTS = {"bfloat16": Tolerance(rtol=3e-2, atol=0.8),
                  "float16": Tolerance(rtol=4e-3, atol=0.1),
                  "float32": Tolerance(rtol=2e-5, atol=1.2e-5)}  # fmt: skip


# trapezoid sums (y[i] + y[i+1]) / 2 over a row of up to 4 values (|y| <= 10) in the dtype
# (TF's bfloat16 does): three rounded terms and two rounded partial sums, each off by up to
# the unit roundoff of its magnitude (<= 30), while the result may cancel (0.125 for 0.156 in
# bfloat16, found by a thorough TF run): atol = 9 x unit roundoff x 10.
TRAPEZOID_SUMS = {"bfloat16": Tolerance(rtol=3e-2, atol=0.4),
                  "float16": Tolerance(rtol=4e-3, atol=5e-2),
                  "float32": Tolerance(rtol=2e-5, atol=6e-6)}  # fmt: skip


def int8_widened(dtype: str) -> str:
    """matmul and einsum: int8 operands accumulate into int32 (Keras's quantization rule)."""
    return "int32" if dtype == "int8" else dtype


RECORDS: tuple[KerasOpRecord, ...] = (
    # -- shape ---------------------------------------------------------------------------
    rec("reshape", lambda x, newshape: np.reshape(x, newshape), _reshape, grad=SMOOTH),
    rec("transpose", lambda x, axes: np.transpose(x, axes), _transpose, grad=SMOOTH),
    rec("expand_dims", np.expand_dims, _expand_dims),
    rec("squeeze", np.squeeze, _squeeze),
    rec("ravel", np.ravel, _one()),
    rec("flip", np.flip, _axis_or_none()),
    rec("fliplr", np.fliplr, _one(2)),
    rec("flipud", np.flipud, _one(1)),
    rec("rot90", np.rot90, _one(2, k=1)),
    rec("roll", np.roll, _roll),
    rec("tile", lambda x, repeats: np.tile(x, repeats), _tile),
    rec("repeat", np.repeat, _repeat),
    rec("moveaxis", np.moveaxis, _moveaxis),
    rec("swapaxes", np.swapaxes, _swapaxes),
    rec("broadcast_to", np.broadcast_to, _broadcast_to),
    # -- joining and splitting -----------------------------------------------------------
    rec("concatenate", lambda *xs, axis: np.concatenate(xs, axis=axis), _joined(2),
        call=as_list, grad=BOTH),
    rec("stack", lambda *xs, axis: np.stack(xs, axis=axis), _stack, call=as_list),
    rec("hstack", lambda *xs: np.hstack(xs), _same_shapes(2), call=as_list),
    rec("vstack", lambda *xs: np.vstack(xs), _same_shapes(2), call=as_list),
    rec("dstack", lambda *xs: np.dstack(xs), _same_shapes(2), call=as_list),
    rec("append", lambda x, y, axis: np.append(x, y, axis=axis), _joined(2)),
    rec("split", _split_oracle, _split),
    rec("array_split", lambda x, indices_or_sections, axis: np.array_split(
        x, indices_or_sections, axis=axis), _split),
    rec("unstack", _unstack_oracle, _unstack, section="core"),
    # -- selection and indexing ----------------------------------------------------------
    rec("where", np.where, _where),
    rec("clip", _clip_oracle, _clip, result=bool_as_int),
    rec("sort", np.sort, _distinct),
    rec("argsort", np.argsort, _distinct, result=index),
    rec("take", _take_oracle, _take),
    rec("take_along_axis", _take_along, _take_along_axis),
    rec("diag", np.diag, _k(1, 2)),
    rec("diagonal", np.diagonal, _matrix(2, 3, offset=0)),
    rec("diagflat", np.diagflat, _k(1, 1)),
    rec("tril", np.tril, _k(2, 3)),
    rec("triu", np.triu, _k(2, 3)),
    rec("trace", _trace, _matrix(2, 3), result=summed, oracle_wants_dtype=True),
    rec("diff", np.diff, _diff, scaled_tolerance=_differences_tolerance),
    rec("pad", lambda x, pad_width: np.pad(x, pad_width), _pad),
    rec("searchsorted", np.searchsorted, _searchsorted, dtypes=NUMERIC, result=index,
        open_dtypes=("bool",)),
    rec("digitize", np.digitize, _digitize, result=index),
    rec("bincount", np.bincount, _bincount, dtypes=(*INTS, "bool"), result=index,
        open_dtypes=FLOATS),
    rec("isin", np.isin, _isin, result=boolean),
    rec("unravel_index", lambda i, shape: np.unravel_index(i, shape), _unravel,
        dtypes=("int32", "int64"),
        open_dtypes=tuple(d for d in ALL if d not in ("int32", "int64"))),
    rec("slice", _slice_oracle, _slice, section="core"),
    rec("slice_update", _slice_update_oracle, _slice_update, section="core",
        call=_slice_update_call),
    rec("scatter_update", _scatter_update_oracle, _scatter_update, section="core"),
    rec("histogram", _histogram_oracle, _histogram, dtypes=("float32", "float64"),
        open_dtypes=("bfloat16", "float16", *INTS, "bool")),
    rec("meshgrid", _meshgrid_oracle, _meshgrid, call=_meshgrid_call),
    # -- products --------------------------------------------------------------------------
    # The sign of a zero sum of products is not documented: for -1.9 x 0.0 NumPy gives -0.0
    # from dot/inner/tensordot and 0.0 from matmul/vdot, TF and torch 0.0, JAX -0.0 (found
    # by a thorough TF run on tensordot; the others seen by hand).
    rec("matmul", _exact(np.matmul), _matmul, result=int8_widened, grad=BOTH,
        signed_zeros=False),
    rec("dot", np.dot, _matmul, signed_zeros=False),
    rec("outer", np.outer, _vectors(False)),
    rec("inner", np.inner, _vectors(), signed_zeros=False),
    rec("vdot", np.vdot, _vectors(), signed_zeros=False),
    rec("tensordot", np.tensordot, _tensordot, signed_zeros=False),
    rec("kron", np.kron, _kron, dtypes=NUMERIC, open_dtypes=("bool",)),
    rec("cross", np.cross, _cross, dtypes=NUMERIC, tolerance=CROSS_PRODUCTS),
    # The sign of a zero sum of products is not documented (torch gives -0.0).
    rec("einsum", _exact(lambda *xs, subscripts: np.einsum(subscripts, *xs)), _einsum,
        call=_einsum_call, dtypes=NUMERIC, result=int8_widened, open_dtypes=("bool",),
        signed_zeros=False),
    # Sums again: the sign of a zero result is not documented (TF's trapezoid of [-0.0, -0.0]
    # and JAX's correlate of [-1, 2] with [0] give -0.0 where NumPy gives 0.0; seen by hand).
    rec("trapezoid", _np_trapezoid, _trapezoid, result=floating, signed_zeros=False,
        tolerance=TRAPEZOID_SUMS),
    rec("correlate", _correlate_oracle, _correlate, result=floating, signed_zeros=False),
)  # fmt: skip
