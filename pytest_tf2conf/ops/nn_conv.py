"""tf.nn convolutions, poolings and morphological operators against direct NumPy loops in
float64: for each kernel offset, a strided view of the (padded) input, combined by einsum,
max, or a running sum (so the cost is linear in the input).

Geometry follows the documented padding rules: VALID keeps ceil((n - (k - 1) * d) / s)
outputs, SAME keeps ceil(n / s) and pads the total (out - 1) * s + (k - 1) * d + 1 - n, the
smaller half before. Every record draws NHWC-style layouts (channels last): batch 0-2,
spatial sides 1-5, channels 1-3, kernel sides 1-3, strides 1-2 or dilations 1-2 (never both,
which the functions reject), and SAME or VALID.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .nn import _tf, record, summed
from .nn_samplers import Layout, Layouts, Pick, distinct
from .record import FLOATS, INTS, SIGNED, Grad, OpRecord

Geometry = tuple[tuple[int, ...], tuple[int, ...], str, tuple[int, ...]]  # k, s, padding, d


def _out_size(n: int, k: int, s: int, d: int, padding: str) -> tuple[int, int]:
    """Output size and padding before, per the documented SAME/VALID rules."""
    span = (k - 1) * d + 1
    if padding == "VALID":
        return max(0, -(-(n - span + 1) // s)), 0
    out = -(-n // s)
    return out, max((out - 1) * s + span - n, 0) // 2


def _window(offset: Any, dilations: Any, strides: Any, geo: list[tuple[int, int]]) -> Any:
    """The index of the padded elements that kernel ``offset`` meets at each output."""
    spans = (
        slice(o * d, o * d + (out - 1) * s + 1, s) if out else slice(0, 0)
        for o, d, s, (out, _) in zip(offset, dilations, strides, geo, strict=True)
    )
    return (slice(None), *spans, slice(None))


def _views(
    x: np.ndarray,
    kernel: tuple[int, ...],
    strides: tuple[int, ...],
    padding: str,
    dilations: tuple[int, ...],
    fill: float,
) -> Iterator[tuple[Any, np.ndarray]]:
    """(kernel offset, the input elements that offset meets at every output position)."""
    spatial = x.shape[1:-1]
    geo = [_out_size(n, k, s, d, padding)
           for n, k, s, d in zip(spatial, kernel, strides, dilations, strict=True)]  # fmt: skip
    pads = [(before, max(0, (out - 1) * s + (k - 1) * d + 1 - n - before))
            for (out, before), n, k, s, d in zip(geo, spatial, kernel, strides, dilations,
                                                  strict=True)]  # fmt: skip
    padded = np.pad(x, [(0, 0), *pads, (0, 0)], constant_values=fill)
    for offset in itertools.product(*(range(k) for k in kernel)):
        yield offset, padded[_window(offset, dilations, strides, geo)]


def _conv(x, w, strides, padding, dilations):
    """Cross-correlation (what tf.nn calls convolution): filters [*k, in, out]."""
    out = 0.0
    for offset, view in _views(x, w.shape[:-2], strides, padding, dilations, 0.0):
        out = out + np.einsum("...i,io->...o", view, w[offset])
    return out


def _depthwise(x, w, strides, padding, dilations):
    """Filters [kh, kw, in, multiplier]: output channel c * multiplier + m."""
    out = 0.0
    for offset, view in _views(x, w.shape[:2], strides, padding, dilations, 0.0):
        out = out + view[..., :, None] * w[offset]
    return out.reshape(*out.shape[:-2], out.shape[-2] * out.shape[-1])


def _separable(x, depthwise, pointwise, strides, padding, dilations):
    return np.einsum("...i,io->...o", _depthwise(x, depthwise, strides, padding, dilations),
                     pointwise[0, 0])  # fmt: skip


def _conv_transpose(x, w, output_shape, strides, padding, dilations=None):
    """The adjoint of _conv for an input of ``output_shape``: filters [*k, out, in]."""
    kernel = w.shape[:-2]
    dilations = dilations or (1,) * len(kernel)
    spatial = output_shape[1:-1]
    geo = [_out_size(n, k, s, d, padding)
           for n, k, s, d in zip(spatial, kernel, strides, dilations, strict=True)]  # fmt: skip
    padded_shape = [max(n + before, (out - 1) * s + (k - 1) * d + 1)
                    for (out, before), n, k, s, d in zip(geo, spatial, kernel, strides, dilations,
                                                          strict=True)]  # fmt: skip
    y = np.zeros((x.shape[0], *padded_shape, w.shape[-2]), dtype=np.result_type(x, w))
    for offset in itertools.product(*(range(k) for k in kernel)):
        y[_window(offset, dilations, strides, geo)] += np.einsum("...i,oi->...o", x, w[offset])
    crop = tuple(slice(before, before + n) for (_, before), n in zip(geo, spatial, strict=True))
    return y[(slice(None), *crop, slice(None))]


def _pool(x, ksize, strides, padding, pooling_type="MAX", dilations=None):
    """Max (padding never wins) or average (over the in-bounds elements only) pooling."""
    dilations = dilations or (1,) * len(ksize)
    x = x.astype(np.float64)  # integers too: the -inf padding
    if pooling_type == "MAX":
        views = [v for _, v in _views(x, ksize, strides, padding, dilations, -np.inf)]
        return np.max(views, axis=0)
    total = sum(v for _, v in _views(x, ksize, strides, padding, dilations, 0.0))
    count = sum(v for _, v in _views(np.ones_like(x), ksize, strides, padding, dilations, 0.0))
    return total / np.where(count == 0, 1, count)


def _dilation(x, w, strides, padding, dilations):
    """Grayscale dilation: max over offsets of input + filter (out-of-bounds never wins)."""
    x, w = x.astype(np.float64), w.astype(np.float64)  # integers too: the -inf padding
    views = [v + w[o] for o, v in _views(x, w.shape[:2], strides, padding, dilations, -np.inf)]
    return np.max(views, axis=0)


def _erosion(x, w, strides, padding, dilations):
    # Documented duality: the erosion of x by w is -(dilation of -x by the reflected w).
    return -_dilation(-x, w[::-1, ::-1], strides, padding, dilations)


# -- wrappers: one keyword set (strides, padding, dilations per spatial dimension) ----------


def _full(values: tuple[int, ...]) -> list[int]:
    return [1, *values, 1]


def _wrap(name: str, call: Callable[..., Any]) -> Callable[..., Any]:
    call.__name__ = call.__qualname__ = name
    return call


WRAPPERS: dict[str, Callable[..., Any]] = {
    "conv1d": lambda x, w, strides, padding, dilations: _tf().nn.conv1d(
        x, w, strides[0], padding, dilations=dilations[0]),
    "conv2d": lambda x, w, strides, padding, dilations: _tf().nn.conv2d(
        x, w, list(strides), padding, dilations=list(dilations)),
    "conv3d": lambda x, w, strides, padding, dilations: _tf().nn.conv3d(
        x, w, _full(strides), padding, dilations=_full(dilations)),
    "convolution": lambda x, w, strides, padding, dilations: _tf().nn.convolution(
        x, w, list(strides), padding, dilations=list(dilations)),
    "depthwise_conv2d": lambda x, w, strides, padding, dilations: _tf().nn.depthwise_conv2d(
        x, w, _full(strides), padding, dilations=list(dilations)),
    "separable_conv2d": lambda x, dw, pw, strides, padding, dilations: _tf().nn.separable_conv2d(
        x, dw, pw, _full(strides), padding, dilations=list(dilations)),
    "atrous_conv2d": lambda x, w, strides, padding, dilations: _tf().nn.atrous_conv2d(
        x, w, dilations[0], padding),
    "conv1d_transpose": lambda x, w, output_shape, strides, padding: _tf().nn.conv1d_transpose(
        x, w, list(output_shape), strides[0], padding),
    "conv2d_transpose": lambda x, w, output_shape, strides, padding: _tf().nn.conv2d_transpose(
        x, w, list(output_shape), list(strides), padding),
    "conv3d_transpose": lambda x, w, output_shape, strides, padding: _tf().nn.conv3d_transpose(
        x, w, list(output_shape), _full(strides), padding),
    "conv_transpose": lambda x, w, output_shape, strides, padding: _tf().nn.conv_transpose(
        x, w, list(output_shape), list(strides), padding),
    "dilation2d": lambda x, w, strides, padding, dilations: _tf().nn.dilation2d(
        x, w, _full(strides), padding, "NHWC", _full(dilations)),
    "erosion2d": lambda x, w, strides, padding, dilations: _tf().nn.erosion2d(
        x, w, _full(strides), padding, "NHWC", _full(dilations)),
    "pool": lambda x, ksize, strides, padding, pooling_type, dilations: _tf().nn.pool(
        x, list(ksize), pooling_type, strides=list(strides), padding=padding,
        dilations=list(dilations)),
    "max_pool_with_argmax": lambda x, ksize, strides, padding: _tf().nn.max_pool_with_argmax(
        x, list(ksize), list(strides), padding)[0],  # its values (the argmax is an index)
}  # fmt: skip
for _pool_name in ("avg_pool", "avg_pool1d", "avg_pool2d", "avg_pool3d",
                   "max_pool", "max_pool1d", "max_pool2d", "max_pool3d"):  # fmt: skip
    WRAPPERS[_pool_name] = lambda x, ksize, strides, padding, _n=_pool_name: getattr(_tf().nn, _n)(
        x, list(ksize), list(strides), padding
    )
for _name, _fn in WRAPPERS.items():
    _wrap(_name, _fn)


# -- layouts -------------------------------------------------------------------------------


def _geometry(pick: Pick, rank: int, small: bool, dilate: bool = True) -> Geometry:
    kernel = tuple(pick.int(1, 3 if not small or rank < 3 else 2) for _ in range(rank))
    if dilate and pick.choice((False, True)):
        strides, dilations = (1,) * rank, tuple(pick.int(1, 2) for _ in range(rank))
    else:
        strides, dilations = tuple(pick.int(1, 2) for _ in range(rank)), (1,) * rank
    return kernel, strides, pick.choice(("SAME", "VALID")), dilations


def _spatial(pick: Pick, geometry: Geometry, small: bool, fits: bool = False) -> tuple[int, ...]:
    """Spatial sizes; ``fits``: never below the dilated kernel (no window entirely in the
    padding, whose value dilation2d leaves unspecified)."""
    kernel, _, padding, dilations = geometry
    top = 3 if small else 5
    return tuple(pick.int((k - 1) * d + 1 if padding == "VALID" or fits else 1,
                          max(top, (k - 1) * d + 1))
                 for k, d in zip(kernel, dilations, strict=True))  # fmt: skip


def _conv_layouts(rank: int, kind: str, fixed_rank: bool = True):
    """Layout functions of one family: ``conv`` (filters [*k, in, out]), ``depthwise``,
    ``separable``, ``atrous``, ``transpose``, ``pool`` (ksize), ``npool`` (tf.nn.pool) and
    ``morph`` (dilation2d/erosion2d: filters [kh, kw, channels])."""

    def layout(pick: Pick, small: bool) -> Layout:
        # N-D functions: ranks 1-2 (their rank-3 kernels have fewer dtypes: a dtype claim
        # per rank would not be one declaration)
        r = rank if fixed_rank else pick.int(1, 2)
        # Dilations: not in conv3d's CPU kernel, and not in the gradients of conv2d on CPU
        # ("do not yet support dilation rates larger than 1"): drawn for values only.
        # tf.nn.convolution of rank 1 with dilations fails to trace with unknown dimensions
        # ("Cannot convert a partially known TensorShape"; reported): conv1d has them.
        dilate = (
            kind not in ("transpose", "pool", "argmax")
            and not (small and kind != "npool")
            and not (kind == "conv" and r == 3)
            and not (not fixed_rank and r == 1)
        )
        geo = _geometry(pick, r, small, dilate=dilate)
        if kind == "npool":  # strides above the window are rejected; dilations need VALID
            geo = (
                geo[0],
                tuple(min(s, k) for s, k in zip(geo[1], geo[0], strict=True)),
                "VALID" if max(geo[3]) > 1 else geo[2],
                geo[3],
            )
        if kind == "atrous":
            geo = (geo[0], (1,) * r, geo[2], (pick.int(1, 2),) * r)
        kernel, strides, padding, dilations = geo
        # Convolutions of an empty batch return the input's shape (reported): batch >= 1.
        empty_ok = kind in ("pool", "npool", "morph") and not small
        batch = pick.int(0 if empty_ok else 1, 2 if not small else 1)
        cin, cout = pick.int(1, 2 if small else 3), pick.int(1, 2 if small else 3)
        return _assemble(kind, kernel, strides, padding, dilations, batch,
                         _spatial(pick, geo, small, kind == "morph"), cin, cout, pick)  # fmt: skip

    def reference(pick: Pick, length: int) -> Layout:
        r = rank if fixed_rank else 2
        kernel = (2,) + (1,) * (r - 1)
        strides = (2,) + (1,) * (r - 1) if kind not in ("atrous",) else (1,) * r
        dilations = (1,) * r if kind != "atrous" else (2,) * r
        spatial = (length,) + (2,) * (r - 1)
        cin = 2
        if r == 2 and kind in ("conv", "transpose"):
            # A 2-wide kernel at stride 2 across a 2-wide, one-channel image: where the CPU's
            # bfloat16 Conv2D kernel writes zeros or garbage (a known deviation).
            kernel, strides, cin = (2, 2), (1, 2), 1
        return _assemble(kind, kernel, strides, "SAME", dilations, 1, spatial, cin, 2, pick)

    return layout, reference


def _assemble(kind, kernel, strides, padding, dilations, batch, spatial, cin, cout, pick):
    x = (batch, *spatial, cin)
    geo = (("strides", strides), ("padding", padding))
    if kind in ("conv", "atrous"):
        return (x, (*kernel, cin, cout)), (*geo, ("dilations", dilations))
    if kind == "depthwise":
        return (x, (*kernel, cin, cout)), (*geo, ("dilations", dilations))
    if kind == "separable":
        mult = cout
        return (x, (*kernel, cin, mult), (1, 1, cin * mult, pick.int(1, 3))), (
            *geo,
            ("dilations", dilations),
        )
    if kind == "morph":
        return (x, (*kernel, cin)), (*geo, ("dilations", dilations))
    if kind == "transpose":
        out = [_out_size(n, k, s, 1, padding)[0]
               for n, k, s in zip(spatial, kernel, strides, strict=True)]  # fmt: skip
        return ((batch, *out, cin), (*kernel, cout, cin)), (
            ("output_shape", (batch, *spatial, cout)),
            *geo,
        )
    if kind == "npool":
        # Average pooling: the in-bounds count under dilation (MAX: the max_pool records;
        # tf.nn.pool's MAX runs on integers where AVG does not, one dtype claim each way).
        return (x,), (("ksize", kernel), *geo, ("pooling_type", "AVG"), ("dilations", dilations))
    return (x,), (("ksize", kernel), *geo)


def _pool_oracle(kind: str) -> Callable[..., np.ndarray]:
    def oracle(x, ksize, strides, padding, pooling_type=kind, dilations=None):
        return _pool(x, ksize, strides, padding, pooling_type, dilations)

    return oracle


# Distinct values: a max has one winner by a margin (gradient checks of max and dilation).
TIES = (distinct(0.25),)
CONV_TOL = summed(4.0 * 4.0, 2 * 27 * 3)


def _record(short: str, rank: int, kind: str, oracle: Callable[..., Any],
            dtypes: tuple[str, ...], *, fixed_rank: bool = True, args: tuple[int, ...] = (0, 1),
            smooth: tuple[Any, ...] = (), **extra: Any) -> OpRecord:  # fmt: skip
    layout, reference = _conv_layouts(rank, kind, fixed_rank)
    grad = extra.pop("grad", Grad(args=args, smooth=smooth))
    # The sign of a zero sum of products is not documented: XLA gives -0.0 where the
    # kernels give 0.0 (seen for avg_pool and conv_transpose in a ci sample).
    extra.setdefault("signed_zeros", False)
    return record(f"tf.nn.{short}", WRAPPERS[short], oracle,
                  Layouts(layout, reference, bound=4.0), dtypes, grad=grad,
                  tolerance=extra.pop("tolerance", CONV_TOL), **extra)  # fmt: skip


# Dtypes as the CPU kernels have them (probe_dtypes.py): some eager kernels lack float16 and
# float64 that XLA's have; a few functions do not compile under XLA at all.
WITH_INT32 = (*FLOATS, "int32")
NARROW = ("bfloat16", "float32")
REAL = FLOATS + INTS
MAX_POOL = (*FLOATS, "int8", "int16", "int32", "int64", "uint8", "uint16")
XLA_FLOATS: dict[str, Any] = {"dtypes_by_target": {"CPU-xla": FLOATS}}
NO_XLA: dict[str, Any] = {"dtypes_by_target": {"CPU-xla": ()}}
CONV = "(cross-correlation over the NumPy loop of kernel offsets)"
RECORDS: tuple[OpRecord, ...] = (
    _record("conv1d", 1, "conv", _conv, WITH_INT32, reference=CONV),
    _record("conv2d", 2, "conv", _conv, WITH_INT32, reference=CONV),
    _record("conv3d", 3, "conv", _conv, FLOATS, reference=CONV),
    # Static shapes: traced with unknown dimensions, its int32 path raises "Cannot convert
    # a partially known TensorShape to a Tensor" (tf.function's default, concrete shapes,
    # works).
    _record("convolution", 2, "conv", _conv, WITH_INT32, fixed_rank=False, static_shapes=True,
            reference=CONV),
    # Static shapes: traced with unknown dimensions, a dilated depthwise (separable)
    # convolution goes through SpaceToBatchND and raises "None values not supported".
    _record("depthwise_conv2d", 2, "depthwise", _depthwise, NARROW, **XLA_FLOATS,
            static_shapes=True, reference=CONV),
    _record("separable_conv2d", 2, "separable", _separable, NARROW, **XLA_FLOATS, args=(0, 1, 2),
            static_shapes=True,
            reference="(depthwise then pointwise cross-correlation)"),
    # Eager only: traced with unknown dimensions (the targets trace once per rank) it
    # raises "Cannot convert a partially known TensorShape to a Tensor" (it computes its
    # padding from the static shape), and it does not compile under XLA.
    # (static shapes: its forward mode goes through SpaceToBatchND, see array_indexing.py)
    _record("atrous_conv2d", 2, "atrous", _conv, WITH_INT32, static_shapes=True,
            dtypes_by_target={"CPU-function": (), "CPU-xla": ()},
            reference=CONV + " with rate"),
    _record("conv1d_transpose", 1, "transpose", _conv_transpose, WITH_INT32,
            reference="(the adjoint of conv1d)"),
    _record("conv2d_transpose", 2, "transpose", _conv_transpose, WITH_INT32,
            reference="(the adjoint of conv2d)"),
    _record("conv3d_transpose", 3, "transpose", _conv_transpose, FLOATS,
            reference="(the adjoint of conv3d)"),
    _record("conv_transpose", 2, "transpose", _conv_transpose, WITH_INT32, fixed_rank=False,
            reference="(the adjoint of convolution)"),
    *(_record(f"avg_pool{suffix}", rank, "pool", _pool_oracle("AVG"), FLOATS, args=(0,),
              fixed_rank=bool(suffix), reference="(mean over the in-bounds window)")
      for suffix, rank in (("", 2), ("1d", 1), ("2d", 2))),
    _record("avg_pool3d", 3, "pool", _pool_oracle("AVG"), NARROW, args=(0,), **XLA_FLOATS,
            reference="(mean over the in-bounds window)"),
    *(_record(f"max_pool{suffix}", rank, "pool", _pool_oracle("MAX"), MAX_POOL, args=(0,),
              fixed_rank=bool(suffix), smooth=TIES, reference="(max over the in-bounds window)")
      for suffix, rank in (("", 2), ("1d", 1), ("2d", 2))),
    _record("max_pool3d", 3, "pool", _pool_oracle("MAX"), NARROW, args=(0,), smooth=TIES,
            dtypes_by_target={"CPU-xla": ("float16", "bfloat16", "float32")},
            reference="(max over the in-bounds window)"),
    # (static shapes: dilated pooling goes through SpaceToBatchND, see array_indexing.py)
    _record("pool", 2, "npool", _pool, FLOATS, args=(0,), fixed_rank=False,
            static_shapes=True, reference="(in-bounds mean over dilated windows)"),
    # An empty input is rejected ("tensor_in must not be empty"); no forward-mode gradient
    # (MaxPoolGradWithArgmax has no gradient of its own), so no gradient claim.
    _record("max_pool_with_argmax", 2, "argmax", _pool_oracle("MAX"), REAL, **NO_XLA, grad=None,
            reference="(its values: max over the in-bounds window)"),
    # No gradient claim: the forward mode needs the gradient of Dilation2DBackpropFilter,
    # which TensorFlow does not register (reverse mode alone works).
    _record("dilation2d", 2, "morph", _dilation, REAL, **NO_XLA, grad=None,
            reference="(max over offsets of input + filter)"),
    _record("erosion2d", 2, "morph", _erosion, FLOATS + SIGNED, **NO_XLA, grad=None,
            reference="(-dilation2d(-x, reflected filters), the documented duality)"),
)  # fmt: skip
