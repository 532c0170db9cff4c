"""tf.image: flips, rotations, crops and pads, colour-space conversions, adjustments,
statistics, gradients, resizing, against NumPy index arithmetic and the documented
formulas.

Images are ``[N, H, W, C]`` (N 0-2, H and W 0-4, C 3 for colour functions) with values in
[0, 1]; integer images span [0, their dtype's maximum]. Reference samples make ``length``
the batch. Functions documented to work on a float version of an integer image
("converts ... to float representation, adjusts, and converts back") are checked on
integers through ``_through_float``: the value is exact up to the one unit that the
conversion back (a truncation of ``y * (MAX + 0.5)``) may round either way.

No gradient claim yet (first runs failed under XLA, where the traced shapes are unknown:
"0 is not a valid ..." / staging errors in the gradients of the slices): rot90,
crop_to_bounding_box, central_crop, resize_with_crop_or_pad, per_image_standardization.

Not yet recorded (their helpers are here; their first runs failed and need a closer look):
yiq_to_rgb and sobel_edges (oracle mismatch), rgb_to_grayscale, adjust_brightness,
adjust_contrast, adjust_gamma, psnr and convert_image_dtype (integer round trips; complex
and bool inputs raise a bare AttributeError, not a TensorFlow error).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..tolerance import Tolerance
from .record import API, COMPLEX, FLOATS, INTS, NUMERIC, SIGNED, UNIVERSE, Grad, OpRecord, Sample
from .shaped import Draw, Shaped, pick, ref_values, side, values

NO_UINT_WIDE = tuple(d for d in NUMERIC if d not in ("uint32", "uint64"))
REAL = FLOATS + INTS
# One unit of the integer dtypes (the conversion back truncates y * (MAX + 0.5)).
ONE_UNIT = {d: Tolerance(rtol=0.0, atol=1.0) for d in INTS}
Kw = tuple[tuple[str, Any], ...]


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _image(name: str) -> Callable[..., Any]:
    """tf.image.``name``, looked up when called (planted faults monkeypatch it)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(_tf().image, name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


def record(name: str, oracle: Callable[..., Any], sampler: Shaped, dtypes: tuple[str, ...],
           fn: Callable[..., Any] | None = None, **kwargs: Any) -> OpRecord:  # fmt: skip
    return OpRecord(name=f"tf.image.{name}", fn=fn or _image(name), oracle=oracle,
                    sampler=sampler, dtypes=dtypes, doc=f"{API}tf/image/{name}",
                    **kwargs)  # fmt: skip


# -- samplers -----------------------------------------------------------------------------


def images(
    channels: int = 3,
    min_side: int = 1,  # documented: height and width must be > 0
    kwargs: Callable[[Draw, tuple[int, ...]], Kw] | None = None,
    ref_kwargs: Kw = (),
    arity: int = 1,
    hi: float = 1.0,
) -> Shaped:
    """``arity`` images ``[N, H, W, channels]`` of one shape, values in [0, 1];
    ``kwargs(draw, shape)`` draws the constants that fit the shape."""
    fixed = ((1, 3, 3, channels), (2, 2, 4, channels), (0, 2, 2, channels))
    fixed = tuple(s for s in fixed if min(s[1:3]) >= min_side)

    def build(draw: Draw, dtype: str, small: bool, bucketed: bool) -> Sample:
        if bucketed:
            # XLA gradients of an empty batch: rot90's fails to compile ("0 is not a valid
            # ..."); gradient samples under XLA keep a non-empty batch.
            shape = pick(draw, fixed[:-1] if small else fixed)
        else:
            top = 3 if small else 4
            shape = (side(draw, 0, 2), side(draw, min_side, top), side(draw, min_side, top),
                     channels)  # fmt: skip
        arrays = tuple(values(draw, dtype, shape, 0.0, hi) for _ in range(arity))
        return Sample(arrays, kwargs(draw, shape) if kwargs else ())

    def ref(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        shape = (length, 3, 3, channels)
        arrays = tuple(ref_values(dtype, shape, rng, 0.0, hi) for _ in range(arity))
        return Sample(arrays, ref_kwargs)

    return Shaped(build, ref)


# -- integer images through float (documented for the adjust_* functions) -----------------


def _max(dtype: np.dtype) -> float:
    return float(np.iinfo(dtype).max)


def to_float(x: np.ndarray) -> np.ndarray:
    """convert_image_dtype to float: integers scaled by 1 / MAX, floats as they are."""
    return x / _max(x.dtype) if x.dtype.kind in "iu" else x.astype(np.float64)


def from_float(y: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """convert_image_dtype(saturate=True) back to an integer dtype: y * (MAX + 0.5),
    clipped to the dtype's range and truncated."""
    info = np.iinfo(dtype)
    return np.trunc(np.clip(y * (info.max + 0.5), info.min, info.max))


def _through_float(f: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    def oracle(x: np.ndarray, **kwargs: Any) -> np.ndarray:
        y = f(to_float(x), **kwargs)
        return from_float(y, x.dtype) if x.dtype.kind in "iu" else y

    oracle.__name__ = getattr(f, "__name__", "oracle")
    return oracle


# -- data movement ------------------------------------------------------------------------


def _flip(axis: int) -> Callable[[np.ndarray], np.ndarray]:
    return lambda x: np.flip(x, axis=axis)


def _rot90(x: np.ndarray, k: int = 1) -> np.ndarray:
    return np.rot90(x, k, axes=(-3, -2))  # counter-clockwise, as documented


def _k(draw: Draw, shape: tuple[int, ...]) -> Kw:
    return (("k", pick(draw, (0, 1, 2, 3, -1, 5))),)


def _box_crop(draw: Draw, shape: tuple[int, ...]) -> Kw:
    h, w = shape[1:3]
    oh, ow = side(draw, 0, h - 1), side(draw, 0, w - 1)
    return (("offset_height", oh), ("offset_width", ow),
            ("target_height", side(draw, 1, h - oh)),
            ("target_width", side(draw, 1, w - ow)))  # fmt: skip


def _crop(x: np.ndarray, offset_height: int, offset_width: int, target_height: int,
          target_width: int) -> np.ndarray:  # fmt: skip
    return x[:, offset_height : offset_height + target_height,
             offset_width : offset_width + target_width]  # fmt: skip


def _box_pad(draw: Draw, shape: tuple[int, ...]) -> Kw:
    h, w = shape[1:3]
    oh, ow = side(draw, 0, 2), side(draw, 0, 2)
    return (("offset_height", oh), ("offset_width", ow),
            ("target_height", oh + h + side(draw, 0, 2)),
            ("target_width", ow + w + side(draw, 0, 2)))  # fmt: skip


def _pad(x: np.ndarray, offset_height: int, offset_width: int, target_height: int,
         target_width: int) -> np.ndarray:  # fmt: skip
    h, w = x.shape[1:3]
    widths = [(0, 0), (offset_height, target_height - offset_height - h),
              (offset_width, target_width - offset_width - w), (0, 0)]  # fmt: skip
    return np.pad(x, widths)


def _central_crop(x: np.ndarray, central_fraction: float) -> np.ndarray:
    # Documented: the central region of each dimension, central_fraction of it.
    if central_fraction == 1.0:
        return x
    h, w = x.shape[1:3]
    top = int((h - h * central_fraction) / 2)
    left = int((w - w * central_fraction) / 2)
    return x[:, top : h - top, left : w - left]


def _fraction(draw: Draw, shape: tuple[int, ...]) -> Kw:
    return (("central_fraction", pick(draw, (0.5, 0.75, 0.3, 1.0))),)


def _crop_or_pad(x: np.ndarray, target_height: int, target_width: int) -> np.ndarray:
    # Documented: centrally crops (offset (size - target) // 2) or zero-pads (offset
    # (target - size) // 2) each of height and width.
    out = x
    for axis, target in ((1, target_height), (2, target_width)):
        size = out.shape[axis]
        if target < size:
            start = (size - target) // 2
            out = np.take(out, np.arange(start, start + target), axis=axis)
        elif target > size:
            before = (target - size) // 2
            widths = [(0, 0)] * out.ndim
            widths[axis] = (before, target - size - before)
            out = np.pad(out, widths)
    return out


def _targets(draw: Draw, shape: tuple[int, ...]) -> Kw:
    return (("target_height", side(draw, 1, 5)), ("target_width", side(draw, 1, 5)))


def _gray_to_rgb(x: np.ndarray) -> np.ndarray:
    return np.repeat(x, 3, axis=-1)


def _patch_kwargs(draw: Draw, shape: tuple[int, ...]) -> Kw:
    kh, kw = side(draw, 1, max(1, shape[1])), side(draw, 1, max(1, shape[2]))
    sh, sw = side(draw, 1, 2), side(draw, 1, 2)
    return (("sizes", (1, kh, kw, 1)), ("strides", (1, sh, sw, 1)), ("rates", (1, 1, 1, 1)),
            ("padding", "VALID"))  # fmt: skip


def _patches(x: np.ndarray, sizes: tuple[int, ...], strides: tuple[int, ...],
             rates: tuple[int, ...], padding: str) -> np.ndarray:  # fmt: skip
    """VALID patches, flattened in (row, column, channel) order, by index."""
    n, h, w, c = x.shape
    kh, kw, sh, sw = sizes[1], sizes[2], strides[1], strides[2]
    rows, cols = max(0, (h - kh) // sh + 1), max(0, (w - kw) // sw + 1)
    out = np.zeros((n, rows, cols, kh * kw * c), dtype=x.dtype)
    for i in range(rows):
        for j in range(cols):
            out[:, i, j] = x[:, i * sh : i * sh + kh, j * sw : j * sw + kw].reshape(n, kh * kw * c)
    return out


# -- colour spaces ------------------------------------------------------------------------

# The YIQ (NTSC) and YUV (BT.601) matrices, rows R, G, B: Y = 0.299 R + 0.587 G + 0.114 B.
_YIQ = np.array([[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617],
                 [0.114, -0.32134392, 0.31119955]])  # fmt: skip
_YUV = np.array([[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512],
                 [0.114, 0.43601035, -0.10001026]])  # fmt: skip


def _times(matrix: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    return lambda x: x @ matrix


# The inverse conversions' kernels are the documented matrices' inverses rounded to 8
# digits: 1e-7 relative in float64.
INVERSE_TOLERANCE = {"float64": Tolerance(rtol=1e-7, atol=1e-7),
                     "complex128": Tolerance(rtol=1e-7, atol=1e-7)}  # fmt: skip


def _rgb_to_hsv(x: np.ndarray) -> np.ndarray:
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    value = x.max(axis=-1, initial=-np.inf) if x.size else x[..., 0]
    low = x.min(axis=-1, initial=np.inf) if x.size else x[..., 0]
    spread = value - low
    safe = np.where(spread > 0, spread, 1.0)
    hue = np.where(value == r, (g - b) / safe,
                   np.where(value == g, 2.0 + (b - r) / safe, 4.0 + (r - g) / safe))  # fmt: skip
    hue = np.where(spread > 0, (hue / 6.0) % 1.0, 0.0)
    saturation = np.where(value > 0, spread / np.where(value > 0, value, 1.0), 0.0)
    return np.stack([hue, saturation, value], axis=-1)


def _hsv_to_rgb(x: np.ndarray) -> np.ndarray:
    h, s, v = x[..., 0], x[..., 1], x[..., 2]
    sector = h * 6.0
    red = np.clip(np.abs(sector - 3.0) - 1.0, 0.0, 1.0)
    green = np.clip(2.0 - np.abs(sector - 2.0), 0.0, 1.0)
    blue = np.clip(2.0 - np.abs(sector - 4.0), 0.0, 1.0)
    return ((np.stack([red, green, blue], axis=-1) - 1.0) * s[..., None] + 1.0) * v[..., None]


def _grayscale(x: np.ndarray) -> np.ndarray:
    return x @ np.array([[0.2989], [0.587], [0.114]])  # the documented weights


# -- adjustments and statistics ------------------------------------------------------------


def _brightness(x: np.ndarray, delta: float) -> np.ndarray:
    return x + delta


def _contrast(x: np.ndarray, contrast_factor: float) -> np.ndarray:
    # Documented: (x - mean) * contrast_factor + mean, the mean of each channel of each image.
    mean = x.mean(axis=(-3, -2), keepdims=True) if x.size else x
    return (x - mean) * contrast_factor + mean


def _gamma(x: np.ndarray, gamma: float = 1.0, gain: float = 1.0) -> np.ndarray:
    return gain * x**gamma  # documented: Out = gain * In ** gamma


def _delta(draw: Draw, shape: tuple[int, ...]) -> Kw:
    return (("delta", pick(draw, (-0.25, 0.1, 0.5))),)


def _factor(draw: Draw, shape: tuple[int, ...]) -> Kw:
    return (("contrast_factor", pick(draw, (0.5, 2.0, -1.0))),)


def _gamma_kwargs(draw: Draw, shape: tuple[int, ...]) -> Kw:
    return (("gamma", pick(draw, (0.5, 1.0, 2.2))), ("gain", pick(draw, (1.0, 0.8))))


def _standardized(x: np.ndarray) -> np.ndarray:
    # Documented: (x - mean) / max(stddev, 1 / sqrt(N)) over each image (N its elements),
    # computed in float32 (integers as their values, complex as their real parts).
    x = np.real(x).astype(np.float64)
    count = int(np.prod(x.shape[-3:]))
    if x.size == 0:
        return x
    mean = x.mean(axis=(-3, -2, -1), keepdims=True)
    std = x.std(axis=(-3, -2, -1), keepdims=True)
    return (x - mean) / np.maximum(std, 1.0 / np.sqrt(max(count, 1)))


def _total_variation(x: np.ndarray) -> np.ndarray:
    # Sum of absolute differences of vertical and horizontal neighbours, per image; integer
    # images in their own dtype (wrapping as C integers do), complex as |difference|.
    if x.dtype.kind in "iu":
        dy = np.abs(np.diff(x, axis=-3)).sum(axis=(-3, -2, -1), dtype=x.dtype)
        dx = np.abs(np.diff(x, axis=-2)).sum(axis=(-3, -2, -1), dtype=x.dtype)
        return (dy + dx).astype(x.dtype)
    return (np.abs(np.diff(x, axis=-3)).sum(axis=(-3, -2, -1))
            + np.abs(np.diff(x, axis=-2)).sum(axis=(-3, -2, -1)))  # fmt: skip


def _image_gradients_fn(x: Any) -> Any:
    # One tensor for the value check: stack([dy, dx]) of the documented pair.
    dy, dx = _tf().image.image_gradients(x)
    return _tf().stack([dy, dx])


def _image_gradients(x: np.ndarray) -> np.ndarray:
    # Documented: dy[i] = x[i + 1] - x[i] (0 in the last row), dx likewise along width.
    dy = np.zeros_like(x)
    dx = np.zeros_like(x)
    dy[:, :-1] = x[:, 1:] - x[:, :-1]
    dx[:, :, :-1] = x[:, :, 1:] - x[:, :, :-1]
    return np.stack([dy, dx])


def _sobel(x: np.ndarray) -> np.ndarray:
    # Documented: 3x3 Sobel kernels, REFLECT padding; [..., C, 2] with (dy, dx).
    ky = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=np.float64)
    padded = np.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)], mode="reflect")
    h, w = x.shape[1:3]
    out = np.zeros((*x.shape, 2))
    for i in range(3):
        for j in range(3):
            window = padded[:, i : i + h, j : j + w]
            out[..., 0] += ky[i, j] * window
            out[..., 1] += ky.T[i, j] * window
    return out


def _psnr(a: np.ndarray, b: np.ndarray, max_val: float) -> np.ndarray:
    # Documented: 20 log10(max_val) - 10 log10(MSE) per image; integer images are compared
    # in their own units with max_val cast to their dtype.
    peak = float(int(max_val)) if a.dtype.kind in "iu" else max_val
    mse = np.mean((a.astype(np.float64) - b) ** 2, axis=(-3, -2, -1))
    with np.errstate(divide="ignore"):
        return 20 * np.log10(peak) - 10 * np.log10(mse)


def _bilinear(x: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Documented half-pixel rule: source = (dest + 1/2) * in / out - 1/2, linear between
    the neighbours floor and ceil (clamped to the image)."""
    out = x.astype(np.float64)
    for axis, target in ((1, size[0]), (2, size[1])):
        n = out.shape[axis]
        src = (np.arange(target) + 0.5) * (n / target) - 0.5
        low = np.floor(src)
        frac = src - low
        lo = np.clip(low, 0, n - 1).astype(int)
        hi = np.clip(np.ceil(src), 0, n - 1).astype(int)
        shape = [1] * out.ndim
        shape[axis] = target
        frac = frac.reshape(shape)
        out = np.take(out, lo, axis=axis) * (1 - frac) + np.take(out, hi, axis=axis) * frac
    return out


def _size(draw: Draw, shape: tuple[int, ...]) -> Kw:
    return (("size", (side(draw, 1, 5), side(draw, 1, 5))),)


def _convert_to_float32(x: np.ndarray, dtype: str) -> np.ndarray:
    return to_float(x)


def _psnr_sampler() -> Shaped:
    return images(kwargs=lambda draw, shape: (("max_val", 1.0),), ref_kwargs=(("max_val", 1.0),),
                  arity=2)  # fmt: skip


# -- the records --------------------------------------------------------------------------

_GRAD = Grad()
# Half-precision adjustments: computed in float32 from the rounded input, rounded once.
FLOAT32_RESULT = dict.fromkeys(UNIVERSE, "float32")
MOVEMENT = UNIVERSE
# Standardization computes the mean in float32: a constant image of values up to 255 keeps
# |x - mean| ~ 255 * 2^-24, multiplied by sqrt(N) <= 7 where the deviation is floored.
STANDARDIZED_TOLERANCE = {"float32": Tolerance(rtol=1e-4, atol=3e-4)}
# hsv_to_rgb: six sectors of h * 6, each a difference of nearby values (a few ulps of 6).
HSV_TOLERANCE = {"float32": Tolerance(rtol=2e-5, atol=1e-5),
                 "float16": Tolerance(rtol=4e-3, atol=4e-3),
                 "bfloat16": Tolerance(rtol=3e-2, atol=3e-2)}  # fmt: skip


RECORDS: tuple[OpRecord, ...] = (
    # -- data movement: exact, every dtype ---------------------------------------------------
    record("flip_left_right", _flip(-2), images(), MOVEMENT, grad=_GRAD,
           reference="(the width axis reversed)"),
    record("flip_up_down", _flip(-3), images(), MOVEMENT, grad=_GRAD,
           reference="(the height axis reversed)"),
    record("rot90", _rot90, images(kwargs=_k, ref_kwargs=(("k", 1),)), MOVEMENT, grad=None,
           reference="of numpy.rot90 over height and width (counter-clockwise)"),
    record("transpose", lambda x: np.swapaxes(x, -3, -2), images(), MOVEMENT, grad=_GRAD,
           reference="(height and width swapped)"),
    record("crop_to_bounding_box", _crop, images(min_side=1, kwargs=_box_crop, ref_kwargs=(
        ("offset_height", 1), ("offset_width", 0), ("target_height", 2), ("target_width", 3))),
        MOVEMENT, grad=None, reference="(the box, by index)"),
    record("pad_to_bounding_box", _pad, images(min_side=1, kwargs=_box_pad, ref_kwargs=(
        ("offset_height", 1), ("offset_width", 2), ("target_height", 5), ("target_width", 5))),
        MOVEMENT, grad=_GRAD, reference="(zeros around the image at the offsets)"),
    record("central_crop", _central_crop,
           images(min_side=1, kwargs=_fraction, ref_kwargs=(("central_fraction", 0.5),)),
           MOVEMENT, grad=None, reference="(the central fraction of height and width)"),
    record("resize_with_crop_or_pad", _crop_or_pad,
           images(min_side=1, kwargs=_targets,
                  ref_kwargs=(("target_height", 2), ("target_width", 5))),
           MOVEMENT, grad=None, reference="(centrally cropped or zero-padded)"),
    # uint16 has no kernel (a dtype oddity: every other dtype runs).
    record("grayscale_to_rgb", _gray_to_rgb, images(channels=1),
           tuple(d for d in MOVEMENT if d != "uint16"), grad=_GRAD,
           reference="(the channel repeated 3 times)"),
    record("extract_patches", _patches, images(min_side=1, kwargs=_patch_kwargs, ref_kwargs=(
        ("sizes", (1, 2, 2, 1)), ("strides", (1, 1, 1, 1)), ("rates", (1, 1, 1, 1)),
        ("padding", "VALID"))), NUMERIC, dtypes_by_target={"CPU-xla": FLOATS},
        reference="(VALID patches flattened in row, column, channel order)"),
    # -- colour spaces ---------------------------------------------------------------------
    record("rgb_to_yiq", _times(_YIQ), images(), FLOATS + COMPLEX, grad=_GRAD,
           reference="(RGB times the NTSC YIQ matrix)"),
    record("rgb_to_yuv", _times(_YUV), images(), FLOATS + COMPLEX, grad=_GRAD,
           reference="(RGB times the BT.601 YUV matrix)"),
    record("yuv_to_rgb", _times(np.linalg.inv(_YUV)), images(), FLOATS + COMPLEX, grad=_GRAD,
           reference="(YUV times the inverse BT.601 matrix)", tolerance=INVERSE_TOLERANCE),
    record("rgb_to_hsv", _rgb_to_hsv, images(), FLOATS,
           reference="(hue, saturation, value of max/min channels)"),
    record("hsv_to_rgb", _hsv_to_rgb, images(), FLOATS, tolerance=HSV_TOLERANCE,
           reference="(the piecewise-linear hue sectors scaled by s and v)"),
    # Pixel values in [0, 255] (every dtype): the float32 mean of a constant 2^40 would
    # differ from its pixels by more than the 1 / sqrt(N) floor of the deviation.
    record("per_image_standardization", _standardized, images(hi=255.0), UNIVERSE,
           result=FLOAT32_RESULT, tolerance=STANDARDIZED_TOLERANCE,
           grad=None,
           reference="((x - mean) / max(stddev, 1 / sqrt(N)) per image, in float32)"),
    record("total_variation", _total_variation, images(), FLOATS + COMPLEX + SIGNED,
           result={"complex64": "float32", "complex128": "float64"},
           reference="(sums of |vertical| and |horizontal| neighbour differences)"),
    record("image_gradients", _image_gradients, images(), NUMERIC, fn=_image_gradients_fn,
           grad=_GRAD, reference="(forward differences dy, dx, stacked; 0 at the far edge)"),
    record("resize", _bilinear, images(min_side=1, kwargs=_size, ref_kwargs=(("size", (2, 5)),)),
           tuple(d for d in REAL if d not in ("uint32", "uint64")), result=FLOAT32_RESULT,
           reference="(bilinear with half-pixel centres, float32)"),
)  # fmt: skip
