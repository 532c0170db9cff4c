"""Top-level tf.* array functions: shapes, joins, slices, padding, masks, clipping, casts
and constructors, each against a NumPy oracle (exact: these functions move values, they
do not round them, except where a record says so).

Python-constant arguments (an axis, a shape, paddings, masks) are drawn per sample and
baked into the traced function, like a user's literal; tensors are the data. Functions
with several outputs get a wrapper returning one tensor (said at the record).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import strategies as S
from ..oracles import AWAY_FROM_ZERO
from ..tolerance import Tolerance
from .array_samplers import Built, Draw, axis_of, sample
from .record import API, COMPLEX, FLOATS, INTS, UNIVERSE, ErrorCase, Grad, OpRecord
from .samplers import Elementwise

ALL = UNIVERSE
REAL = FLOATS + INTS
F32_64 = ("float32", "float64")
NO_UINT16 = tuple(d for d in ALL if d != "uint16")


def _tf() -> Any:
    import tensorflow as tf

    return tf


def top(fn_name: str) -> Callable[..., Any]:
    """tf.<fn_name>, looked up when called (so a monkeypatched function is the one run)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(_tf(), fn_name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = fn_name
    return call


def record(name: str, fn: Callable[..., Any], oracle: Callable[..., Any], gen: Any,
           dtypes: tuple[str, ...] = ALL, *, grad: bool | Grad = False, reference: str = "",
           **kw: Any) -> OpRecord:  # fmt: skip
    """A record of tf.<name>; ``grad=True`` checks the gradient of the first argument."""
    if not isinstance(grad, Grad):
        grad = Grad() if grad else None
    return OpRecord(
        name=f"tf.{name}", fn=fn, oracle=oracle, dtypes=dtypes,
        sampler=gen if hasattr(gen, "strategy") else Built(gen),
        doc=f"{API}tf/{name}", reference=reference, grad=grad, **kw,
    )  # fmt: skip


def _with_ints(fn_name: str, *names: str) -> Callable[..., Any]:
    """tf.<fn_name> with the named constants as int32 arrays: an empty list (the rank-0
    case) would otherwise become a float32 tensor."""

    def call(x: Any, **kwargs: Any) -> Any:
        for name in names:
            kwargs[name] = np.asarray(kwargs[name], np.int32)
        if "paddings" in kwargs:  # one (before, after) row per axis, also for rank 0
            kwargs["paddings"] = kwargs["paddings"].reshape(-1, 2)
        return getattr(_tf(), fn_name)(x, **kwargs)

    call.__name__ = call.__qualname__ = fn_name
    return call


# -- shapes -----------------------------------------------------------------------------------
def _gen_reshape(d: Draw) -> Any:
    shape = d.shape()
    x = d.array(shape)
    n = x.size
    options = [tuple(reversed(shape)), (n,), (1, n), (n, 1, 1)]
    if n and len(shape) >= 1:  # -1 infers one side (only when the others are non-zero)
        options.append((-1, *shape[1:]) if all(shape[1:]) else (n,))
    return sample(x, shape=d.pick(options))


def _gen_transpose(d: Draw) -> Any:
    x = d.array(d.shape())
    return sample(x, perm=d.permutation(x.ndim))


def _gen_two_along_axis(d: Draw) -> Any:
    """Two arrays equal except along ``axis`` (concat)."""
    shape = d.shape(1)
    axis = axis_of(d, len(shape))
    other = list(shape)
    other[axis] = d.integer(0, 1 if d.reference else 3)
    return sample(d.array(shape), d.array(other), axis=axis)


def _gen_two_same(d: Draw) -> Any:
    """Two arrays of one shape and an axis of the stacked result (stack)."""
    shape = d.shape()
    return sample(d.array(shape), d.array(shape), axis=axis_of(d, len(shape) + 1))


def _gen_pair(d: Draw) -> Any:
    shape = d.shape()
    return sample(d.array(shape), d.array(shape))


def _gen_axis(d: Draw, min_side: int = 0) -> Any:
    x = d.array(d.shape(1, min_side=min_side))
    return sample(x, axis=axis_of(d, x.ndim))


def _unstack(x: Any, axis: int, num: int) -> Any:
    # One result: the pieces stacked back in reverse order (checks the pieces and their
    # order); num is given since graph modes trace with unknown sides.
    tf = _tf()
    return tf.stack(tf.unstack(x, num=num, axis=axis)[::-1], axis=axis)


_GRAPH_ONLY: dict[str, Any] = {}


def _parallel_stack(a: Any, b: Any) -> Any:
    # Documented as not compatible with eager execution (a RuntimeError there): eagerly it
    # is called inside one tf.function, so its kernels still run on the target device.
    tf = _tf()
    if not tf.executing_eagerly():
        return tf.parallel_stack([a, b])
    if "parallel_stack" not in _GRAPH_ONLY:
        _GRAPH_ONLY["parallel_stack"] = tf.function(lambda a, b: tf.parallel_stack([a, b]))
    return _GRAPH_ONLY["parallel_stack"](a, b)


def _gen_unstack(d: Draw) -> Any:
    if d.reference:
        # Pieces of the reference length, not that many pieces: one XLA computation with
        # 131,073 outputs compiled for over 20 minutes (found by the whole ci run).
        x = d.array(d.shape(2, 2, min_side=1))
        return sample(x, axis=-1, num=x.shape[-1])
    x = d.array(d.shape(1, min_side=1))
    axis = axis_of(d, x.ndim)
    return sample(x, axis=axis, num=x.shape[axis])


def _split(x: Any, splits: Any, axis: int) -> Any:
    # One result: the pieces concatenated in reverse order.
    tf = _tf()
    return tf.concat(tf.split(x, splits, axis=axis)[::-1], axis=axis)


def _split_oracle(x: np.ndarray, splits: Any, axis: int) -> np.ndarray:
    n = x.shape[axis]
    sizes = [n // splits] * splits if isinstance(splits, int) else list(splits)
    pieces = np.split(x, np.cumsum(sizes)[:-1], axis=axis)
    return np.concatenate(pieces[::-1], axis=axis)


def _gen_split(d: Draw) -> Any:
    x = d.array(d.shape(1))
    axis = axis_of(d, x.ndim)
    n = x.shape[axis]
    if d.flag():
        divisors = [k for k in range(1, 5) if n % k == 0]
        return sample(x, splits=d.pick(divisors), axis=axis)
    cut = sorted(d.integer(0, n) for _ in range(d.integer(0, 2)))
    sizes = [b - a for a, b in zip([0, *cut], [*cut, n], strict=True)]
    return sample(x, splits=sizes, axis=axis)


def _gen_squeeze(d: Draw) -> Any:
    shape = list(d.shape())
    ones = [i for i in range(len(shape)) if d.flag()]
    for i in ones:
        shape[i] = 1
    x = d.array(shape)
    # axis=[] would squeeze every side of 1, like None (NumPy's () squeezes none).
    axis = None if not ones or d.flag() else [i - len(shape) if d.flag() else i for i in ones]
    return sample(x, axis=axis)


def _squeeze_oracle(x: np.ndarray, axis: Any) -> np.ndarray:
    return np.squeeze(x, axis=None if axis is None else tuple(axis))


def _gen_expand_dims(d: Draw) -> Any:
    x = d.array(d.shape())
    return sample(x, axis=axis_of(d, x.ndim + 1))


def _gen_tile(d: Draw) -> Any:
    x = d.array(d.shape())
    top_ = 2 if d.reference else 3
    multiples = [d.integer(0, top_) for _ in range(x.ndim)]
    if d.reference:  # a real repetition along the main axis (uint16 fails only there)
        multiples[0] = 2
    return sample(x, multiples=multiples)


def _gen_broadcast_to(d: Draw) -> Any:
    target = d.shape()
    rank = d.integer(0, len(target))
    shape = [1 if d.flag() else s for s in target[len(target) - rank :]]
    return sample(d.array(shape), shape=target)


def _gen_ensure_shape(d: Draw) -> Any:
    x = d.array(d.shape())
    return sample(x, shape=[None if d.flag() else s for s in x.shape])


def _gen_fill(d: Draw) -> Any:
    return sample(d.array(()), dims=d.shape())


def _fill(value: Any, dims: Any) -> Any:
    return _tf().fill(dims, value)


def _gen_constructor(d: Draw) -> Any:
    return sample(shape=d.shape(), dtype=d.dtype)


def _constructor(fn_name: str) -> Callable[..., Any]:
    """tf.zeros / tf.ones: no tensor input, the dtype is a constant."""

    def call(shape: Any, dtype: str) -> Any:
        return getattr(_tf(), fn_name)(shape, dtype=dtype)

    call.__name__ = fn_name
    return call


def _np_constructor(value: int) -> Callable[..., np.ndarray]:
    def oracle(shape: Any, dtype: str) -> np.ndarray:
        return np.full(shape, value, dtype=S.numpy_dtype(dtype))

    return oracle


def _gen_shape_n(d: Draw) -> Any:
    shape = d.shape()
    return sample(d.array(shape), d.array(d.shape(len(shape), len(shape))))


def _shape_n(a: Any, b: Any) -> Any:
    # One result: the two shapes stacked (same rank by construction).
    tf = _tf()
    return tf.stack(tf.shape_n([a, b]))


def _gen_one(d: Draw) -> Any:
    return sample(d.array(d.shape()))


# -- slicing and padding -------------------------------------------------------------------
def _gen_reverse(d: Draw) -> Any:
    x = d.array(d.shape())
    axes = [i - x.ndim if d.flag() else i for i in range(x.ndim) if d.flag()]
    return sample(x, axis=axes)


def _gen_roll(d: Draw) -> Any:
    x = d.array(d.shape(1))
    count = d.integer(1, 3)
    axes = [axis_of(d, x.ndim) for _ in range(count)]  # repeated axes: shifts add up
    return sample(x, shift=[d.integer(-6, 6) for _ in axes], axis=axes)


def _gen_slice(d: Draw) -> Any:
    x = d.array(d.shape())
    begin = [d.integer(0, s) for s in x.shape]
    size = [d.integer(-1, s - b) for s, b in zip(x.shape, begin, strict=True)]
    return sample(x, begin=begin, size=size)


def _slice_oracle(x: np.ndarray, begin: Any, size: Any) -> np.ndarray:
    index = tuple(slice(b, None if s == -1 else b + s) for b, s in zip(begin, size, strict=True))
    return x[index]


def _gen_strided_slice(d: Draw) -> Any:
    x = d.array(d.shape())
    begin, end, strides = [], [], []
    begin_mask = end_mask = shrink = 0
    for i, side in enumerate(x.shape):
        if side and d.integer(0, 4) == 0:  # an index: the axis goes away
            shrink |= 1 << i
            begin.append(d.integer(-side, side - 1))
            end.append(0)
            strides.append(1)
            continue
        begin.append(d.integer(-side - 2, side + 2))  # out of range: clamped, like Python
        end.append(d.integer(-side - 2, side + 2))
        strides.append(d.pick((1, 2, 3, -1, -2)))
        begin_mask |= d.flag() << i
        end_mask |= d.flag() << i
    return sample(x, begin=begin, end=end, strides=strides, begin_mask=begin_mask,
                  end_mask=end_mask, shrink_axis_mask=shrink)  # fmt: skip


def _strided_slice_oracle(x: np.ndarray, begin: Any, end: Any, strides: Any, begin_mask: int,
                          end_mask: int, shrink_axis_mask: int) -> np.ndarray:  # fmt: skip
    index: list[Any] = []
    for i, (b, e, s) in enumerate(zip(begin, end, strides, strict=True)):
        if shrink_axis_mask >> i & 1:
            index.append(b)
        else:
            index.append(slice(None if begin_mask >> i & 1 else b,
                               None if end_mask >> i & 1 else e, s))  # fmt: skip
    return np.asarray(x[tuple(index)])


_PAD_MODES = {"CONSTANT": "constant", "REFLECT": "reflect", "SYMMETRIC": "symmetric"}


def _gen_pad(d: Draw) -> Any:
    x = d.array(d.shape())
    # REFLECT needs paddings below each side: an empty side takes none (rejected even at 0).
    # The gradient of SYMMETRIC on an empty side raises in MirrorPadGrad (reported): the
    # gradient samples pad empty tensors with CONSTANT only.
    modes = (tuple(_PAD_MODES) if all(x.shape) else
             ("CONSTANT",) if d.small else ("CONSTANT", "SYMMETRIC"))  # fmt: skip
    mode = d.pick(modes)
    # REFLECT leaves out the edge (paddings < side), SYMMETRIC repeats it (<= side).
    most = {"CONSTANT": lambda s: 2, "REFLECT": lambda s: max(s - 1, 0), "SYMMETRIC": lambda s: s}
    pads = [[d.integer(0, min(most[mode](s), 3)) for _ in "ab"] for s in x.shape]
    value = 0 if mode != "CONSTANT" or x.dtype == bool else d.pick((0, 3))
    return sample(x, paddings=pads, mode=mode, constant_values=value)


def _pad_oracle(x: np.ndarray, paddings: Any, mode: str, constant_values: Any) -> np.ndarray:
    pads = [tuple(p) for p in paddings]
    if x.ndim == 0:  # nothing to pad (NumPy rejects an empty pad_width)
        return x.copy()
    if mode == "CONSTANT":
        return np.pad(x, pads, constant_values=constant_values)
    return np.pad(x, pads, mode=_PAD_MODES[mode])


# -- selection, masks and clipping -------------------------------------------------------
def _gen_where(d: Draw) -> Any:
    if d.flag():  # 1-argument form: the wrapper gathers x at tf.where(condition)
        shape = d.shape()
        shape = shape or (1,)  # a rank-0 condition is rejected by the 1-argument form
        cond = d.array(shape, "bool")
        return sample(cond, d.array(shape), d.array(shape), one_arg=True)
    if d.reference:  # broadcasting against the main shape
        shape = d.shape()
        shapes: tuple[tuple[int, ...], ...] = (shape, shape[-1:], ())
    elif d.bucketed:
        shapes = (d.shape(),) * 3
    else:
        shapes = _broadcastable(d)
    return sample(d.array(shapes[0], "bool"), d.array(shapes[1]), d.array(shapes[2]),
                  one_arg=False)  # fmt: skip


def _broadcastable(d: Draw) -> tuple[tuple[int, ...], ...]:
    """Three mutually broadcastable shapes, drawn side by side."""
    rank = d.integer(0, 2 if d.small else 3)
    out: list[list[int]] = [[], [], []]
    for _ in range(rank):
        side = d.integer(0, 3)
        for shape in out:
            shape.append(1 if d.integer(0, 2) == 0 else side)
    return tuple(tuple(s[len(s) - d.integer(0, len(s)) :]) for s in out)


def _where(cond: Any, x: Any, y: Any, one_arg: bool) -> Any:
    # The 1-argument form returns int64 coordinates: gathering x there checks them (and
    # their row-major order) in x's dtype, so both forms share one record.
    tf = _tf()
    if not one_arg:
        return tf.where(cond, x, y)
    # y takes part (with zero gradient), so that every argument is connected; the
    # coordinates are flattened and gathered with tf.gather (tf.gather_nd's forward-mode
    # gradient fails on [n, 1] indices: see ops/array_indexing.py).
    coords = tf.where(cond)
    strides = tf.math.cumprod(tf.shape(x, out_type=tf.int64), exclusive=True, reverse=True)
    flat = tf.reshape(tf.where(cond, x, y), [-1])
    return tf.gather(flat, tf.reduce_sum(coords * strides, axis=1))


def _where_oracle(cond: np.ndarray, x: np.ndarray, y: np.ndarray, one_arg: bool) -> np.ndarray:
    return x[cond] if one_arg else np.where(cond, x, y)


def _gen_boolean_mask(d: Draw) -> Any:
    # Forward mode fails on a [0, 0] tensor masked along axis 1 (UnsortedSegmentSum in the
    # JVP; reported): gradient samples have no empty side.
    x = d.array(d.shape(1, min_side=1 if d.small else 0))
    axis = d.integer(0, x.ndim - 1)
    k = d.integer(1, x.ndim - axis)
    mask = d.array(x.shape[axis : axis + k], "bool")
    return sample(x, mask, axis=axis)


def _boolean_mask_oracle(x: np.ndarray, mask: np.ndarray, axis: int) -> np.ndarray:
    return x[(slice(None),) * axis + (mask,)]


def _gen_clip_by_value(d: Draw) -> Any:
    x = d.array(d.shape())
    if d.small:  # gradients: fixed bounds, which the smooth map keeps x away from
        lo, hi = np.asarray(-1, x.dtype), np.asarray(2, x.dtype)
    else:
        lo, hi = sorted((d.array(()), d.array(())))
    return sample(x, np.asarray(lo), np.asarray(hi))


def _away_from_bounds(a: np.ndarray) -> np.ndarray:
    near = (np.abs(a + 1) < 0.05) | (np.abs(a - 2) < 0.05)
    return np.where(near, a + 0.25, a).astype(a.dtype)


def _gen_clip_by_norm(d: Draw) -> Any:
    x = d.array(d.shape(), bound=10.0)  # float16 sums of squares stay finite
    if d.small:
        # TF's CPU kernels flush subnormal results to zero: the square of a tiny element is
        # 0 there (its slice's norm too), not in the oracle. Gradients are checked where
        # the squares are normal numbers.
        x = np.where(np.abs(x) < 1e-3, 0, x).astype(x.dtype)
    axes = None if d.small or x.ndim == 0 or d.flag() else [axis_of(d, x.ndim)]
    norms = np.sqrt(np.sum(S.as_float64(x) ** 2, axis=None if axes is None else tuple(axes)))
    if d.small:  # a clip norm away from every slice's norm (the kink)
        clip = float(np.max(norms, initial=0.0)) * 2 + 1 if d.flag() else float(
            np.min(norms[norms > 0], initial=2.0)) / 2  # fmt: skip
    else:
        clip = d.pick((0.5, 2.0, 10.0))
    return sample(x, clip_norm=clip, axes=axes)


def _clip_by_norm_oracle(t: np.ndarray, clip_norm: float, axes: Any) -> np.ndarray:
    norm = np.sqrt(np.sum(t * t, axis=None if axes is None else tuple(axes), keepdims=True))
    return t * clip_norm / np.maximum(norm, clip_norm)


def _clip_by_global_norm(a: Any, b: Any, clip_norm: float) -> Any:
    # One result: the two clipped tensors flattened and concatenated.
    tf = _tf()
    (ca, cb), _ = tf.clip_by_global_norm([a, b], clip_norm)
    return tf.concat([tf.reshape(ca, [-1]), tf.reshape(cb, [-1])], 0)


def _clip_by_global_norm_oracle(a: np.ndarray, b: np.ndarray, clip_norm: float) -> np.ndarray:
    norm = np.sqrt(np.sum(a * a) + np.sum(b * b))
    return np.concatenate([a.ravel(), b.ravel()]) * clip_norm / max(norm, clip_norm)


def _not_all_zero(a: np.ndarray) -> np.ndarray:
    # At a zero global norm TF's gradient is NaN (1 / norm inside the scale) where the
    # function is the identity: gradients are checked off that point (reported upstream),
    # and off tiny values whose squares underflow to that zero norm (7e-155 in float64).
    return np.where(np.abs(a) < 1e-3, np.copysign(0.5, a), a).astype(a.dtype)


def _gen_clip_by_global_norm(d: Draw) -> Any:
    a, b = d.array(d.shape(), bound=10.0), d.array(d.shape(main=False), bound=10.0)
    norm = float(np.sqrt(np.sum(S.as_float64(a) ** 2) + np.sum(S.as_float64(b) ** 2)))
    clip = (norm * d.pick((0.5, 2.0)) or 1.0) if d.small else d.pick((0.5, 2.0, 10.0))
    return sample(a, b, clip_norm=clip)


# -- constructors ----------------------------------------------------------------------------
def _gen_one_hot(d: Draw) -> Any:
    depth = d.integer(0, 4)
    indices = d.ints(d.shape(), -1, depth)  # -1 and depth are out of range: all off_value
    on, off = d.array(()), d.array(())
    # axis is -1 (the default, innermost) or in [0, rank]: other negative axes are rejected.
    return sample(on, off, indices, depth=depth, axis=d.integer(-1, indices.ndim))


def _one_hot(on: Any, off: Any, indices: Any, depth: int, axis: int) -> Any:
    return _tf().one_hot(indices, depth, on_value=on, off_value=off, axis=axis)


def _one_hot_oracle(on: Any, off: Any, indices: np.ndarray, depth: int, axis: int) -> Any:
    hot = indices[..., None] == np.arange(depth)
    return np.moveaxis(np.where(hot, on, off), -1, axis)


def _gen_linspace(d: Draw) -> Any:
    shape = d.shape(0, 1, main=False)
    num = d.length if d.reference else d.integer(1, 5)
    return sample(d.array(shape, bound=8.0), d.array(shape, bound=8.0), num=num,
                  axis=axis_of(d, len(shape) + 1))  # fmt: skip


RANGE_DTYPES = ("float16", "bfloat16", "float32", "float64", "int32", "int64")
_RANGE_CAP = {
    "float16": 2048,
    "bfloat16": 256,
    "int8": 127,
    "uint8": 255,
    "int16": 32767,
    "uint16": 65535,
}


def _gen_range(d: Draw) -> Any:
    if d.reference:  # within the integers the dtype holds exactly
        return sample(
            start=0, limit=min(d.length, _RANGE_CAP.get(d.dtype, d.length)), delta=1, dtype=d.dtype
        )
    start, limit = d.integer(-5, 20), d.integer(-5, 20)
    delta = d.pick((1, 2, 3)) if limit >= start else d.pick((-1, -2))
    if d.dtype in ("bool",) or d.dtype[0] == "u":
        start, limit, delta = abs(start), abs(start) + abs(limit), abs(delta)
    return sample(start=start, limit=limit, delta=delta, dtype=d.dtype)


def _range(start: int, limit: int, delta: int, dtype: str) -> Any:
    return _tf().range(start, limit, delta, dtype=dtype)


def _range_oracle(start: int, limit: int, delta: int, dtype: str) -> np.ndarray:
    return np.arange(start, limit, delta).astype(S.numpy_dtype(dtype))


def _meshgrid(a: Any, b: Any, indexing: str) -> Any:
    # One result: the two grids stacked.
    tf = _tf()
    return tf.stack(tf.meshgrid(a, b, indexing=indexing))


def _gen_meshgrid(d: Draw) -> Any:
    return sample(d.array(d.shape(1, 1)), d.array(d.shape(1, 1, main=False)),
                  indexing=d.pick(("xy", "ij")))  # fmt: skip


def _gen_repeat(d: Draw) -> Any:
    x = d.array(d.shape())
    axis = None if x.ndim == 0 or d.flag() else axis_of(d, x.ndim)
    n = x.size if axis is None else x.shape[axis]
    repeats = d.integer(0, 3) if d.flag() or d.reference else [d.integer(0, 3) for _ in range(n)]
    return sample(x, repeats=repeats, axis=axis)


def _repeat_oracle(x: np.ndarray, repeats: Any, axis: Any) -> np.ndarray:
    return np.repeat(x, repeats, axis=axis)


_LINSPACE_TOLERANCE = {  # start + i * (stop - start) / (num - 1): a few roundings of |8|
    "float16": Tolerance(rtol=4e-3, atol=2e-2), "bfloat16": Tolerance(rtol=3e-2, atol=1.5e-1),
    "float32": Tolerance(rtol=2e-5, atol=1e-5), "float64": Tolerance(rtol=1e-12, atol=1e-13),
}  # fmt: skip

RECORDS: tuple[OpRecord, ...] = (
    # -- shapes -------------------------------------------------------------------------
    record("reshape", _with_ints("reshape", "shape"), np.reshape, _gen_reshape, grad=True,
           reference="like numpy.reshape (row-major)"),
    record("transpose", _with_ints("transpose", "perm"), lambda x, perm: np.transpose(x, perm),
           _gen_transpose, grad=True),
    record("concat", lambda a, b, axis: _tf().concat([a, b], axis),
           lambda a, b, axis: np.concatenate([a, b], axis), _gen_two_along_axis,
           grad=Grad(args=(0, 1))),
    record("stack", lambda a, b, axis: _tf().stack([a, b], axis),
           lambda a, b, axis: np.stack([a, b], axis), _gen_two_same, grad=Grad(args=(0, 1))),
    # Documented to need its inputs' shapes at graph construction: the targets trace with
    # unknown dimensions (one trace per rank), so it is checked eagerly only (where it
    # runs inside its own tf.function).
    record("parallel_stack", _parallel_stack, lambda a, b: np.stack([a, b]), _gen_pair,
           dtypes_by_target={"CPU-function": (), "CPU-xla": ()}),
    record("unstack", _unstack, lambda x, axis, num: np.flip(x, axis), _gen_unstack,
           grad=True, reference="(the pieces stacked back in reverse order)"),
    record("split", _split, _split_oracle, _gen_split, grad=True,
           reference="(the pieces concatenated in reverse order)"),
    record("squeeze", top("squeeze"), _squeeze_oracle, _gen_squeeze, grad=True),
    record("expand_dims", top("expand_dims"), np.expand_dims, _gen_expand_dims, grad=True),
    # uint16 has no Tile kernel (UnimplementedError once a multiple is above 1).
    record("tile", _with_ints("tile", "multiples"), lambda x, multiples: np.tile(x, multiples),
           _gen_tile, NO_UINT16, grad=True),
    record("broadcast_to", _with_ints("broadcast_to", "shape"), np.broadcast_to,
           _gen_broadcast_to, grad=True),
    record("shape", top("shape"), lambda x: np.array(x.shape, np.int32), _gen_one,
           result="int32"),
    record("shape_n", _shape_n, lambda a, b: np.array([a.shape, b.shape], np.int32).reshape(
        2, a.ndim), _gen_shape_n, result="int32", reference="(the shapes stacked)"),
    record("size", top("size"), lambda x: np.int32(x.size), _gen_one, result="int32"),
    record("rank", top("rank"), lambda x: np.int32(x.ndim), _gen_one, result="int32"),
    record("identity", top("identity"), lambda x: x, _gen_one, grad=True),
    # Value only: its gradient being zero is its own claim.
    record("stop_gradient", top("stop_gradient"), lambda x: x, _gen_one),
    record("ensure_shape", top("ensure_shape"), lambda x, shape: x, _gen_ensure_shape,
           grad=True, errors=(ErrorCase(
               "a side that differs from the static shape",
               lambda dt: sample(np.zeros((2, 3), S.numpy_dtype(dt)), shape=[2, 4]),
               "InvalidArgumentError"),)),
    # -- constructors -----------------------------------------------------------------------
    record("zeros", _constructor("zeros"), _np_constructor(0), _gen_constructor),
    record("ones", _constructor("ones"), _np_constructor(1), _gen_constructor),
    record("zeros_like", top("zeros_like"), np.zeros_like, _gen_one),
    record("ones_like", top("ones_like"), np.ones_like, _gen_one),
    record("fill", _fill, lambda value, dims: np.full(dims, value), _gen_fill, grad=True),
    record("one_hot", _one_hot, _one_hot_oracle, _gen_one_hot,
           reference="(indices out of [0, depth) give a row of off_value)",
           errors=(ErrorCase("axis below -1", lambda dt: sample(
               np.ones((), S.numpy_dtype(dt)), np.zeros((), S.numpy_dtype(dt)),
               np.zeros((2,), np.int32), depth=3, axis=-2), "InvalidArgumentError",
               traced_error="ValueError"),)),
    # Documented for bfloat16, float32, float64 (float16 runs too); integers and complex
    # also run: a known deviation of the dtype claim (known_deviations.toml).
    record("linspace", top("linspace"), np.linspace, _gen_linspace, FLOATS,
           grad=Grad(args=(0, 1)), tolerance=_LINSPACE_TOLERANCE),
    record("range", _range, _range_oracle, _gen_range, RANGE_DTYPES,
           # float16 runs eagerly only: traced, the Range op's shape function rejects it
           # ("Unsupported dtype19"), in tf.function as under XLA.
           dtypes_by_target={"CPU-function": RANGE_DTYPES[1:], "CPU-xla": RANGE_DTYPES[1:]},
           reference="like numpy.arange"),
    record("meshgrid", _meshgrid, lambda a, b, indexing: np.stack(
        np.meshgrid(a, b, indexing=indexing)), _gen_meshgrid, grad=Grad(args=(0, 1)),
           reference="(the grids stacked)"),
    # Built on tile: no uint16 either.
    record("repeat", top("repeat"), _repeat_oracle, _gen_repeat,
           NO_UINT16, grad=True),
    # -- slicing and padding ----------------------------------------------------------------
    record("reverse", _with_ints("reverse", "axis"), lambda x, axis: np.flip(x, tuple(axis)),
           _gen_reverse, grad=True),
    record("roll", top("roll"), lambda x, shift, axis: np.roll(x, shift, axis), _gen_roll,
           grad=True, reference="like numpy.roll (shifts of a repeated axis add up)"),
    record("slice", _with_ints("slice", "begin", "size"), _slice_oracle, _gen_slice, grad=True),
    record("strided_slice", _with_ints("strided_slice", "begin", "end", "strides"),
           _strided_slice_oracle, _gen_strided_slice,
           grad=True, reference="like Python's extended slicing"),
    record("pad", _with_ints("pad", "paddings"), _pad_oracle, _gen_pad, grad=True,
           reference="like numpy.pad (constant, reflect, symmetric)",
           errors=(ErrorCase("REFLECT paddings as large as the side", lambda dt: sample(
               np.zeros((2, 3), S.numpy_dtype(dt)), paddings=[[0, 0], [3, 0]], mode="REFLECT",
               constant_values=0), "InvalidArgumentError"),)),
    # -- selection and clipping -------------------------------------------------------------
    record("where", _where, _where_oracle, _gen_where, grad=Grad(args=(1, 2)),
           reference="(3 arguments: numpy.where; 1 argument: the coordinates, row-major)"),
    record("boolean_mask", top("boolean_mask"), _boolean_mask_oracle, _gen_boolean_mask,
           grad=True),
    record("clip_by_value", top("clip_by_value"), lambda x, lo, hi: np.clip(x, lo, hi),
           _gen_clip_by_value, REAL, grad=Grad(smooth=(_away_from_bounds,))),
    record("clip_by_norm", top("clip_by_norm"), _clip_by_norm_oracle, _gen_clip_by_norm,
           FLOATS, grad=True),
    record("clip_by_global_norm", _clip_by_global_norm, _clip_by_global_norm_oracle,
           _gen_clip_by_global_norm, FLOATS,
           # Small samples draw global norms down to ~1e-2, where central differences with
           # the absolute step 6e-6 are truncated by ~(step / norm)^2 ~ 4e-7 in float64.
           # Both tensors off zero: an empty first one beside a zero second one is a zero
           # global norm too (found at thorough: seed of 2026-11-30, shard 5/96).
           grad=Grad(args=(0, 1), smooth=(_not_all_zero, _not_all_zero),
                     tolerance={"float64": Tolerance(rtol=1e-5, atol=1e-9)}),
           reference="(the clipped tensors flattened and concatenated)"),
    record("realdiv", top("realdiv"), np.divide,
           Elementwise(2, domains=(None, AWAY_FROM_ZERO)), FLOATS + COMPLEX,
           grad=Grad(args=(0, 1))),
)  # fmt: skip
