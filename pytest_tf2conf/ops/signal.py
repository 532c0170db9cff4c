"""tf.signal: Fourier transforms, DCTs, framing, windows, spectrograms and mel scales,
against numpy.fft / scipy.fft and the documented formulas.

Signals are ``[batch..., samples]`` with values in [-1, 1]; reference samples make
``length`` the batch and keep the transformed dimensions small (the oracle's rounding and
TF's both stay at a few ulps). Complex-valued results of real inputs (rfft, stft) are
checked through a real view, ``stack([real, imag], -1)``, so that their gradients can be
checked too (the gradient property takes real inputs and cotangents); the view raises if
the complex result's dtype is not the documented one. Functions of complex inputs (fft,
irfft, inverse_stft) have no gradient claim: finite differences here are real-valued.

Deviations of TF 2.21 found here (see docs in the report):

- EMPTY_BATCH_PADDING: RFFT kernels reject an empty batch whose transform zero-pads
  (``fft_length`` above the input's size: "Input dimension must have length of at least
  ..."), so tf.signal.dct (which pads to 2n), idct, mdct, stft and the MFCCs of an empty
  batch raise. A point of tf.signal.dct checks it every run (a known deviation); drawn
  samples of these functions keep non-empty batches.
- rfft's gradient with a cropping ``fft_length`` (below the input's size) is wrong (rfft2d:
  non-zero gradients for cropped elements) or raises (rfft: incompatible shapes): gradient
  samples only zero-pad or keep the size.
- PERIODIC_ODD: hann_window and hamming_window with ``periodic=True`` and an odd length
  give the symmetric window (denominator L - 1, not L). A point of each checks it every run
  (a known deviation); drawn periodic windows (and stft frames) have even lengths.
- kaiser_window(0) raises InvalidArgumentError (hann_window(0) is empty): lengths >= 1.
- KAISER_ONE: kaiser_window of a length-1 tensor whose value is not a constant (under
  tf.function and XLA) is NaN (0 / 0), where the constant case gives [1]. A point checks it
  every run (a known deviation); drawn lengths are >= 2.
- DCT_TRUNCATE_XLA, DCT_N_XLA: dct with an explicit ``n`` of a traced input (unknown
  length) does not compile under XLA (negative paddings in the untaken branch of a cond,
  or "XLA has not implemented dynamic sized slice"): XLA samples keep n None.
- FRAME_EMPTY_GRADIENT: the gradient of tf.signal.frame of an empty signal raises
  InvalidArgumentError under tf.function ("Graph execution error"): gradient samples of
  frame are not empty.
- DCT_GRAPH_GRADIENT: the gradients of dct/idct of types 1 and 4 (or with an explicit n)
  under tf.function raised a bare AssertionError for length-2 inputs: gradient samples
  use types 2 and 3 with n None.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from ..tolerance import Tolerance
from .record import API, COMPLEX, FLOATS, NUMERIC, UNIVERSE, Grad, OpRecord, Sample
from .shaped import Draw, Shaped, batch_shape, pick, ref_values, side, values

F32_64 = ("float32", "float64")
NO_BF16 = ("float16", "float32", "float64")
# The N-d transforms (FFTND, IRFFTND, ...) have GPU kernels only: on CPU, eagerly and under
# XLA, every dtype raises NotFoundError (no registered kernel), which is what is declared.
GPU_ONLY: dict[str, tuple[str, ...]] = {"CPU": (), "CPU-xla": ()}
_COMPLEX_OF = {"float32": "complex64", "float64": "complex128"}
_REAL_OF = {"complex64": "float32", "complex128": "float64"}
# FFTs of up to 64 points of values in [-1, 1]: sums of up to 64 roundings.
FFT_TOLERANCE = {
    "float32": Tolerance(rtol=2e-5, atol=2e-5),
    "complex64": Tolerance(rtol=2e-5, atol=2e-5),
    "float64": Tolerance(rtol=1e-12, atol=1e-12),
    "complex128": Tolerance(rtol=1e-12, atol=1e-12),
}
Kwargs = Callable[[Draw, tuple[int, ...], bool], tuple[tuple[str, Any], ...]]
GRAD_TOLERANCE = {"float32": Tolerance(rtol=2e-4, atol=1e-4)}


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _signal(name: str) -> Callable[..., Any]:
    """tf.signal.``name``, looked up when called (planted faults monkeypatch it)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(_tf().signal, name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


def _real_view(name: str) -> Callable[..., Any]:
    """tf.signal.``name`` of a real input as ``stack([real, imag], -1)`` (see module doc)."""

    def call(x: Any, **kwargs: Any) -> Any:
        tf = _tf()
        y = getattr(tf.signal, name)(x, **kwargs)
        documented = _COMPLEX_OF.get(x.dtype.name)
        if y.dtype.name != documented:
            raise TypeError(f"tf.signal.{name}({x.dtype.name}) gave {y.dtype.name}")
        return tf.stack([tf.math.real(y), tf.math.imag(y)], axis=-1)

    call.__name__ = call.__qualname__ = f"{name}_real_view"
    return call


def _view(z: np.ndarray) -> np.ndarray:
    return np.stack([z.real, z.imag], axis=-1)


def _doc(name: str) -> str:
    return f"{API}tf/signal/{name}"


def record(name: str, fn: Callable[..., Any], oracle: Callable[..., Any], sampler: Shaped,
           dtypes: tuple[str, ...], **kwargs: Any) -> OpRecord:  # fmt: skip
    return OpRecord(name=f"tf.signal.{name}", fn=fn, oracle=oracle, sampler=sampler,
                    dtypes=dtypes, doc=_doc(name), **kwargs)  # fmt: skip


# -- samplers ---------------------------------------------------------------------------


def transformed(
    rank: int,
    min_side: int = 1,
    max_side: int = 4,
    kwargs: Kwargs | None = None,
    ref_kwargs: tuple[tuple[str, Any], ...] = (),
    ref_inner: tuple[int, ...] | None = None,
    buckets: tuple[tuple[int, ...], ...] | None = None,
    nonempty: bool = False,
) -> Shaped:
    """``[batch..., n_1 .. n_rank]``: the innermost ``rank`` dimensions are transformed;
    ``kwargs(draw, shape, small)`` draws the constants that go with the shape.
    ``nonempty``: no empty batch (functions that zero-pad inside, see EMPTY_BATCH_PADDING)."""
    inner_ref = ref_inner or (4, 3, 2)[:rank]
    fixed = buckets or ((4,) * rank, (2, *(3,) * rank), (1 if nonempty else 0, *(2,) * rank))

    def build(draw: Draw, dtype: str, small: bool, bucketed: bool) -> Sample:
        if bucketed:
            shape = pick(draw, fixed)
        else:
            top = max(min_side, min(max_side, 3)) if small else max_side
            inner = tuple(side(draw, min_side, top) for _ in range(rank))
            batch = batch_shape(draw, small)
            shape = tuple(max(1, b) for b in batch) + inner if nonempty else batch + inner
        # Gradient and XLA samples ask for the restricted constants (see _lengths, _dct).
        extra = kwargs(draw, shape, small or bucketed) if kwargs else ()
        return Sample((values(draw, dtype, shape),), extra)

    def ref(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        return Sample((ref_values(dtype, (length, *inner_ref), rng),), ref_kwargs)

    return Shaped(build, ref)


# -- Fourier transforms -------------------------------------------------------------------


def _fft(np_name: str, rank: int) -> Callable[..., np.ndarray]:
    def oracle(x: np.ndarray) -> np.ndarray:
        if x.size == 0:
            return x.astype(np.complex128)
        return getattr(np.fft, np_name)(x, axes=tuple(range(-rank, 0)))

    oracle.__name__ = f"numpy.fft.{np_name}"
    return oracle


def complex_fft(name: str, np_name: str, rank: int) -> OpRecord:
    return record(name, _signal(name), _fft(np_name, rank), transformed(rank), COMPLEX,
                  reference=f"of numpy.fft.{np_name} over the innermost {rank} axes",
                  tolerance=FFT_TOLERANCE)  # fmt: skip


def _lengths(rank: int) -> Kwargs:
    """``fft_length``: None (the input's sizes) or sizes that crop or zero-pad it.

    Two deviations of TF 2.21 stay out of the drawn samples (see the module's notes):
    gradients of a cropping fft_length (``small``), and zero-padding an empty batch."""

    def kwargs(draw: Draw, shape: tuple[int, ...], small: bool) -> tuple[tuple[str, Any], ...]:
        if draw(st.booleans()):
            return ()
        crop, pad = (() if small else (-1,)), (() if 0 in shape else (1,))
        steps = (*crop, 0, *pad)
        inner = shape[len(shape) - rank :]
        return (("fft_length", tuple(max(1, n + pick(draw, steps)) for n in inner)),)

    return kwargs


def _rfft_oracle(rank: int) -> Callable[..., np.ndarray]:
    def oracle(x: np.ndarray, fft_length: tuple[int, ...] | None = None) -> np.ndarray:
        return _view(np.fft.rfftn(x, s=fft_length, axes=tuple(range(-rank, 0))))

    oracle.__name__ = "numpy.fft.rfftn"
    return oracle


def _irfft_oracle(rank: int) -> Callable[..., np.ndarray]:
    def oracle(x: np.ndarray, fft_length: tuple[int, ...] | None = None) -> np.ndarray:
        if fft_length is None:  # documented default: 2 * (inner - 1) on the last axis
            fft_length = (*x.shape[x.ndim - rank : -1], 2 * (x.shape[-1] - 1))
        if x.size == 0:
            shape = x.shape[: x.ndim - rank] + tuple(fft_length)
            return np.zeros(shape)
        return np.fft.irfftn(x, s=fft_length, axes=tuple(range(-rank, 0)))

    oracle.__name__ = "numpy.fft.irfftn"
    return oracle


def real_fft(name: str, rank: int, grad: bool = True) -> OpRecord:
    return record(
        name, _real_view(name), _rfft_oracle(rank),
        transformed(rank, kwargs=_lengths(rank), ref_kwargs=()), F32_64,
        reference="of numpy.fft.rfftn over the innermost axes (as [real, imag])",
        grad=Grad(tolerance=GRAD_TOLERANCE) if grad else None, tolerance=FFT_TOLERANCE,
    )  # fmt: skip


def inverse_real_fft(name: str, rank: int) -> OpRecord:
    # Inner sizes of at least 2: the default length 2 * (n - 1) is then positive.
    return record(
        name, _signal(name), _irfft_oracle(rank),
        transformed(rank, min_side=2, kwargs=_lengths(rank)), COMPLEX,
        reference="of numpy.fft.irfftn over the innermost axes",
        result=_REAL_OF, tolerance=FFT_TOLERANCE,
    )  # fmt: skip


def _nd_kwargs(draw: Draw, shape: tuple[int, ...], small: bool) -> tuple[tuple[str, Any], ...]:
    # The transformed axes of a rank-2 input [a, b]: the last, the first, or both.
    inner = shape[-2:]
    axes = pick(draw, ((-1,), (0,), (0, 1)))
    sizes = tuple(max(1, inner[a] + pick(draw, (-1, 0, 1))) for a in axes)
    return (("axes", axes), ("fft_length", sizes))


def _nd_oracle(np_name: str) -> Callable[..., np.ndarray]:
    def oracle(x: np.ndarray, axes: tuple[int, ...], fft_length: tuple[int, ...]) -> np.ndarray:
        return getattr(np.fft, np_name)(x, s=fft_length, axes=axes)

    oracle.__name__ = f"numpy.fft.{np_name}"
    return oracle


def _nd_sampler(min_side: int = 1) -> Shaped:
    return transformed(2, min_side=min_side, kwargs=_nd_kwargs, ref_inner=(4,),
                       ref_kwargs=(("axes", (1,)), ("fft_length", (5,))),
                       buckets=((3, 4), (2, 2)))  # fmt: skip


def _irfftnd_oracle(x: np.ndarray, axes: tuple[int, ...], fft_length: tuple[int, ...]):
    return np.fft.irfftn(x, s=fft_length, axes=axes)


def _rfftnd_view(x: np.ndarray, axes: tuple[int, ...], fft_length: tuple[int, ...]):
    return _view(np.fft.rfftn(x, s=fft_length, axes=axes))


# -- shifts, DCTs -------------------------------------------------------------------------


def _shift_kwargs(draw: Draw, shape: tuple[int, ...], small: bool) -> tuple[tuple[str, Any], ...]:
    return (("axes", pick(draw, (None, -1, 0, (0, 1)))),)


def _shifted(name: str) -> Callable[..., np.ndarray]:
    def oracle(x: np.ndarray, axes: Any = None) -> np.ndarray:
        return getattr(np.fft, name)(x, axes=axes)

    oracle.__name__ = f"numpy.fft.{name}"
    return oracle


def _dct_kwargs(draw: Draw, shape: tuple[int, ...], small: bool) -> tuple[tuple[str, Any], ...]:
    kind = pick(draw, (2, 3) if small else (1, 2, 3, 4))  # DCT_GRAPH_GRADIENT
    norm = None if kind == 1 else pick(draw, (None, "ortho"))  # type I: no norm (documented)
    # n zero-pads (n > length) only (DCT_TRUNCATE_XLA); gradient and XLA samples keep n
    # None (DCT_GRAPH_GRADIENT, DCT_N_XLA).
    n = None if small else pick(draw, (None, shape[-1] + 1))
    return (("type", kind), ("n", n), ("norm", norm))


def _dct(x: np.ndarray, type: int = 2, n: int | None = None, norm: str | None = None):
    import scipy.fft

    return scipy.fft.dct(x, type=type, n=n, axis=-1, norm=norm)


_INVERSE_TYPE = {1: 1, 2: 3, 3: 2, 4: 4}


def _idct(x: np.ndarray, type: int = 2, n: int | None = None, norm: str | None = None):
    # Documented: idct of type t is the dct of the inverse type (3 for 2, 2 for 3), without
    # the 1 / (2 n) scaling unless norm is "ortho".
    return _dct(x, type=_INVERSE_TYPE[type], n=n, norm=norm)


_dct.__name__, _idct.__name__ = "scipy.fft.dct", "scipy.fft.dct of the inverse type"


# -- framing ------------------------------------------------------------------------------


def frame_np(x: np.ndarray, frame_length: int, frame_step: int, pad_end: bool = False,
             pad_value: float = 0, axis: int = -1) -> np.ndarray:  # fmt: skip
    """[..., n, ...] -> [..., frames, frame_length, ...] by index arithmetic."""
    ax = axis % x.ndim
    x = np.moveaxis(x, ax, -1)
    n = x.shape[-1]
    if pad_end:
        frames = -(-n // frame_step)
        missing = max(0, (frames - 1) * frame_step + frame_length - n)
        pad = np.full((*x.shape[:-1], missing), pad_value, dtype=x.dtype)
        x = np.concatenate([x, pad], axis=-1)
    else:
        frames = max(0, 1 + (n - frame_length) // frame_step)
    index = np.arange(frames)[:, None] * frame_step + np.arange(frame_length)[None, :]
    out = x[..., index]
    return np.moveaxis(out, (-2, -1), (ax, ax + 1))


def _frame_kwargs(draw: Draw, inner: tuple[int, ...]) -> tuple[tuple[str, Any], ...]:
    return (("frame_length", pick(draw, (1, 2, 3))), ("frame_step", pick(draw, (1, 2, 3))),
            ("pad_end", draw(st.booleans())), ("axis", pick(draw, (-1, 0))))  # fmt: skip


def _frame_sampler() -> Shaped:
    def build(draw: Draw, dtype: str, small: bool, bucketed: bool) -> Sample:
        shape = (
            pick(draw, ((5,), (2, 4)))
            if bucketed
            # FRAME_EMPTY_GRADIENT: gradient samples are not empty.
            else draw(S.shapes(1, 2, 1, 4))
            if small
            else draw_shape(draw, 1, 3, 6)
        )
        return Sample((values(draw, dtype, shape),), _frame_kwargs(draw, shape))

    def ref(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        kw = (("frame_length", 3), ("frame_step", 2), ("pad_end", True), ("axis", -1))
        return Sample((ref_values(dtype, (length,), rng),), kw)

    return Shaped(build, ref)


def draw_shape(draw: Draw, min_rank: int, max_rank: int, max_side: int) -> tuple[int, ...]:
    return draw(S.shapes(min_rank, max_rank, 0, max_side))


def overlap_and_add_np(x: np.ndarray, frame_step: int) -> np.ndarray:
    frames, length = x.shape[-2], x.shape[-1]
    out = np.zeros((*x.shape[:-2], (frames - 1) * frame_step + length), dtype=x.dtype)
    for f in range(frames):
        out[..., f * frame_step : f * frame_step + length] += x[..., f, :]
    return out


def _ola_sampler() -> Shaped:
    def build(draw: Draw, dtype: str, small: bool, bucketed: bool) -> Sample:
        if bucketed:
            shape = pick(draw, ((2, 3), (2, 3, 4)))
        else:
            shape = (*batch_shape(draw, small), side(draw, 1, 3), side(draw, 1, 4))
        step = draw_step(draw, shape[-1])
        return Sample((values(draw, dtype, shape),), (("frame_step", step),))

    def ref(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        return Sample((ref_values(dtype, (length, 4), rng),), (("frame_step", 3),))

    return Shaped(build, ref)


def draw_step(draw: Draw, frame_length: int) -> int:
    # Documented: frame_step must be at most frame_length.
    return side(draw, 1, frame_length)


# -- windows ------------------------------------------------------------------------------


def _window(name: str) -> Callable[..., Any]:
    """tf.signal.``name`` of length ``len(x)`` in ``x``'s dtype (``x`` carries both)."""

    def call(x: Any, **kwargs: Any) -> Any:
        tf = _tf()
        return getattr(tf.signal, name)(tf.shape(x)[0], dtype=x.dtype, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


def _window_sampler(kwargs: tuple[tuple[str, tuple[Any, ...]], ...], even: bool = False,
                    lengths: tuple[int, ...] = (0, 1, 2, 3, 5, 8)) -> Shaped:  # fmt: skip
    """A window's length (in ``x``) and constants; ``periodic=True`` with even lengths only
    (PERIODIC_ODD), ``even`` for windows defined on even lengths (Kaiser-Bessel derived)."""
    lengths = (0, 2, 4, 6) if even else lengths

    def build(draw: Draw, dtype: str, small: bool, bucketed: bool) -> Sample:
        n = pick(draw, (2, 4) if bucketed else lengths)
        kw = tuple((k, pick(draw, options)) for k, options in kwargs)
        if dict(kw).get("periodic") and n % 2:
            n += 1
        return Sample((np.zeros((n,), S.numpy_dtype(dtype)),), kw)

    def ref(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        n = length + (length % 2 if even else 0)
        kw = tuple((k, options[0]) for k, options in kwargs)
        if "periodic" in dict(kw):
            kw = (("periodic", n % 2 == 0),)
        return Sample((np.zeros((n,), S.numpy_dtype(dtype)),), kw)

    return Shaped(build, ref)


def _cosine_window(a: float) -> Callable[..., np.ndarray]:
    # Documented: w[n] = a - (1 - a) cos(2 pi n / N), N = L (periodic) or L - 1; L = 1 -> [1].
    def oracle(x: np.ndarray, periodic: bool = True) -> np.ndarray:
        length = len(x)
        if length == 1:
            return np.ones(1)
        denominator = length if periodic else length - 1
        return a - (1 - a) * np.cos(2 * np.pi * np.arange(length) / max(denominator, 1))

    return oracle


def _kaiser(x: np.ndarray, beta: float = 12.0) -> np.ndarray:
    return np.kaiser(len(x), beta)


def _kbd(x: np.ndarray, beta: float = 12.0) -> np.ndarray:
    # Kaiser-Bessel derived: w[n] = sqrt(cumsum(kaiser(L/2 + 1))[n] / sum), mirrored.
    half = len(x) // 2
    if half == 0:
        return np.zeros(0)
    kaiser = np.kaiser(half + 1, beta)
    first = np.sqrt(np.cumsum(kaiser[:half]) / np.sum(kaiser))
    return np.concatenate([first, first[::-1]])


def _vorbis(x: np.ndarray) -> np.ndarray:
    n = np.arange(len(x))
    return np.sin(np.pi / 2 * np.sin(np.pi * (n + 0.5) / len(x)) ** 2)


WINDOW_TOLERANCE = {"float32": Tolerance(rtol=1e-5, atol=2e-6)}


# -- the records --------------------------------------------------------------------------

_GRAD = Grad(tolerance=GRAD_TOLERANCE)
# Checked every run (known deviations, see the module's notes): the default dct of an empty
# batch [0, 3]; the default (periodic) window of odd length 3.
EMPTY_BATCH_PADDING = ((np.zeros((0, 3)),),)
PERIODIC_ODD = ((np.zeros(3),),)
KAISER_ONE = ((np.zeros(1),),)
# Kaiser windows are built on tf.math.bessel_i0e, which has no bfloat16 kernel (documented
# as "a floating point type": bfloat16 raises). The float32 kernel goes through
# exp(log(i0e(...))): a few ulps.
_KAISER_TOLERANCE = {"float32": Tolerance(rtol=5e-5, atol=5e-6)}

RECORDS: tuple[OpRecord, ...] = (
    complex_fft("fft", "fftn", 1),
    complex_fft("ifft", "ifftn", 1),
    complex_fft("fft2d", "fftn", 2),
    complex_fft("ifft2d", "ifftn", 2),
    complex_fft("fft3d", "fftn", 3),
    complex_fft("ifft3d", "ifftn", 3),
    record("fftnd", _signal("fftnd"), _nd_oracle("fftn"), _nd_sampler(), COMPLEX,
           reference="of numpy.fft.fftn over the given axes and lengths",
           tolerance=FFT_TOLERANCE, dtypes_by_target=GPU_ONLY),
    record("ifftnd", _signal("ifftnd"), _nd_oracle("ifftn"), _nd_sampler(), COMPLEX,
           reference="of numpy.fft.ifftn over the given axes and lengths",
           tolerance=FFT_TOLERANCE, dtypes_by_target=GPU_ONLY),
    real_fft("rfft", 1),
    real_fft("rfft2d", 2),
    real_fft("rfft3d", 3, grad=False),  # TF registers no gradient for RFFT3D
    record("rfftnd", _real_view("rfftnd"), _rfftnd_view, _nd_sampler(), F32_64,
           reference="of numpy.fft.rfftn over the given axes (as [real, imag])",
           grad=_GRAD, tolerance=FFT_TOLERANCE, dtypes_by_target=GPU_ONLY),
    inverse_real_fft("irfft", 1),
    inverse_real_fft("irfft2d", 2),
    inverse_real_fft("irfft3d", 3),
    record("irfftnd", _signal("irfftnd"), _irfftnd_oracle, _nd_sampler(min_side=2), COMPLEX,
           reference="of numpy.fft.irfftn over the given axes and lengths",
           result=_REAL_OF, tolerance=FFT_TOLERANCE, dtypes_by_target=GPU_ONLY),
    record("fftshift", _signal("fftshift"), _shifted("fftshift"),
           transformed(2, 0, kwargs=_shift_kwargs), UNIVERSE, reference="of numpy.fft.fftshift",
           grad=Grad()),
    record("ifftshift", _signal("ifftshift"), _shifted("ifftshift"),
           transformed(2, 0, kwargs=_shift_kwargs), UNIVERSE,
           reference="of numpy.fft.ifftshift", grad=Grad()),
    record("dct", _signal("dct"), _dct,
           transformed(1, 2, 5, kwargs=_dct_kwargs, nonempty=True), F32_64,
           signed_zeros=False,  # the sign of a zero sum of products is not documented
           reference="of scipy.fft.dct (types 1-4, n, norm)", grad=_GRAD,
           tolerance=FFT_TOLERANCE, points=EMPTY_BATCH_PADDING),
    record("idct", _signal("idct"), _idct,
           transformed(1, 2, 5, kwargs=_dct_kwargs, nonempty=True), F32_64,
           signed_zeros=False,  # the sign of a zero sum of products is not documented
           reference="of scipy.fft.dct of the inverse type", grad=_GRAD,
           tolerance=FFT_TOLERANCE),
    record("frame", _signal("frame"), frame_np, _frame_sampler(), NUMERIC,
           reference="(frames of frame_length every frame_step samples, by index)",
           grad=Grad()),
    record("overlap_and_add", _signal("overlap_and_add"), overlap_and_add_np, _ola_sampler(),
           NUMERIC, reference="(frames summed at multiples of frame_step)", grad=Grad()),
    record("hann_window", _window("hann_window"), _cosine_window(0.5),
           _window_sampler((("periodic", (True, False)),)), FLOATS,
           reference="of 0.5 - 0.5 cos(2 pi n / N)", tolerance=WINDOW_TOLERANCE,
           points=PERIODIC_ODD),
    record("hamming_window", _window("hamming_window"), _cosine_window(0.54),
           _window_sampler((("periodic", (True, False)),)), FLOATS,
           reference="of 0.54 - 0.46 cos(2 pi n / N)", tolerance=WINDOW_TOLERANCE,
           points=PERIODIC_ODD),
    record("kaiser_window", _window("kaiser_window"), _kaiser,
           _window_sampler((("beta", (12.0, 0.5, 4.0)),), lengths=(2, 3, 5, 8)), NO_BF16,
           reference="of numpy.kaiser", tolerance=_KAISER_TOLERANCE, points=KAISER_ONE),
    record("kaiser_bessel_derived_window", _window("kaiser_bessel_derived_window"), _kbd,
           _window_sampler((("beta", (12.0, 0.5, 4.0)),), even=True), NO_BF16,
           reference="of the Kaiser-Bessel derived formula (even lengths)",
           tolerance=_KAISER_TOLERANCE),
    record("vorbis_window", _window("vorbis_window"), _vorbis, _window_sampler(()), FLOATS,
           reference="of sin(pi / 2 sin^2(pi (n + 1/2) / L))", tolerance=WINDOW_TOLERANCE),
)  # fmt: skip
