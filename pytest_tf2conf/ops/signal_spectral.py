"""tf.signal, spectral functions: stft and inverse_stft, mdct and inverse_mdct, the mel
filterbank and MFCCs, against NumPy/SciPy and the documented formulas (helpers and the
deviations they avoid are in ``ops/signal.py``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from ..tolerance import Tolerance
from .record import COMPLEX, FLOATS, OpRecord, Sample
from .shaped import Draw, Shaped, batch_shape, pick, ref_values, side, values
from .signal import (
    _GRAD,
    _REAL_OF,
    F32_64,
    FFT_TOLERANCE,
    _cosine_window,
    _real_view,
    _signal,
    _tf,
    _view,
    _vorbis,
    frame_np,
    overlap_and_add_np,
    record,
    transformed,
)  # fmt: skip

# -- spectrograms -------------------------------------------------------------------------


def _hann(length: int) -> np.ndarray:
    return _cosine_window(0.5)(np.zeros(length), periodic=True)


def _default_fft_length(frame_length: int) -> int:
    # Documented: the smallest power of 2 enclosing frame_length.
    return 1 << max(0, int(np.ceil(np.log2(frame_length))))


def _stft(x: np.ndarray, frame_length: int, frame_step: int, fft_length: int | None = None,
          pad_end: bool = False) -> np.ndarray:  # fmt: skip
    frames = frame_np(x, frame_length, frame_step, pad_end) * _hann(frame_length)
    return _view(np.fft.rfft(frames, n=fft_length or _default_fft_length(frame_length)))


def _stft_kwargs(draw: Draw, shape: tuple[int, ...], small: bool) -> tuple[tuple[str, Any], ...]:
    length = pick(draw, (2, 4))  # even: see PERIODIC_ODD
    return (("frame_length", length), ("frame_step", pick(draw, (1, 2))),
            ("fft_length", pick(draw, (None, length + 1))),
            ("pad_end", draw(st.booleans())))  # fmt: skip


def _inverse_stft(z: np.ndarray, frame_length: int, frame_step: int,
                  fft_length: int) -> np.ndarray:  # fmt: skip
    frames = np.fft.irfft(z, n=fft_length)[..., :frame_length]
    missing = frame_length - frames.shape[-1]
    frames = np.pad(frames, [(0, 0)] * (frames.ndim - 1) + [(0, missing)])
    return overlap_and_add_np(frames * _hann(frame_length), frame_step)


def _istft_sampler() -> Shaped:
    def build(draw: Draw, dtype: str, small: bool, bucketed: bool) -> Sample:
        length, step = pick(draw, ((2, 1), (2, 2), (4, 2), (4, 3)))  # even: see PERIODIC_ODD
        fft_length = pick(draw, (length, length + 1, 2 * length))
        frames = 2 if bucketed else side(draw, 1, 3)
        batch = () if bucketed else batch_shape(draw, small)
        z = values(draw, dtype, (*batch, frames, fft_length // 2 + 1))
        kw = (("frame_length", length), ("frame_step", step), ("fft_length", fft_length))
        return Sample((z,), kw)

    def ref(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        kw = (("frame_length", 4), ("frame_step", 2), ("fft_length", 4))
        return Sample((ref_values(dtype, (length, 2, 3), rng),), kw)

    return Shaped(build, ref)


def _mdct_basis(half: int) -> np.ndarray:
    """cos(pi / N (n + 1/2 + N/2)(k + 1/2)), n < 2N, k < N: the MDCT's definition."""
    n = np.arange(2 * half)[:, None]
    k = np.arange(half)[None, :]
    return np.cos(np.pi / half * (n + 0.5 + half / 2) * (k + 0.5))


def _mdct(x: np.ndarray, frame_length: int, pad_end: bool = False,
          norm: str | None = None) -> np.ndarray:  # fmt: skip
    # Documented: frames of frame_length every frame_length / 2 samples, the Vorbis window,
    # then an unnormalized DCT-IV (scale 2, as scipy's) or an orthonormal one (sqrt(2/N)).
    half = frame_length // 2
    frames = frame_np(x, frame_length, half, pad_end) * _vorbis(np.zeros(frame_length))
    scale = 2.0 if norm is None else np.sqrt(2.0 / half)
    return scale * frames @ _mdct_basis(half)


def _inverse_mdct(x: np.ndarray, norm: str | None = None) -> np.ndarray:
    # Documented: the inverse DCT-IV (the unnormalized one scaled by 1 / frame_length),
    # the Vorbis window and overlap-add every N samples: perfect reconstruction with mdct.
    half = x.shape[-1]
    scale = 1.0 / half if norm is None else np.sqrt(2.0 / half)
    frames = scale * x @ _mdct_basis(half).T * _vorbis(np.zeros(2 * half))
    return overlap_and_add_np(frames, half)


def nonempty_batch(draw: Draw, small: bool) -> tuple[int, ...]:
    return tuple(max(1, b) for b in batch_shape(draw, small))  # EMPTY_BATCH_PADDING


def _mdct_sampler() -> Shaped:
    def build(draw: Draw, dtype: str, small: bool, bucketed: bool) -> Sample:
        length = pick(draw, (4, 8))
        n = 8 if bucketed else side(draw, length, 3 * length)
        batch = () if bucketed else nonempty_batch(draw, small)
        kw = (("frame_length", length), ("pad_end", draw(st.booleans())),
              ("norm", pick(draw, (None, "ortho"))))  # fmt: skip
        return Sample((values(draw, dtype, (*batch, n)),), kw)

    def ref(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        kw = (("frame_length", 4), ("pad_end", False), ("norm", None))
        return Sample((ref_values(dtype, (length, 6), rng),), kw)

    return Shaped(build, ref)


def _imdct_fn(x: Any, half: int, **kwargs: Any) -> Any:
    # inverse_mdct reads the static size of the last axis: graph modes trace with unknown
    # sizes, so the wrapper states it (as a caller with a known frame length does).
    tf = _tf()
    if x.shape[-1] is None:  # (tf.ensure_shape has no forward-mode gradient in graphs)
        x = tf.reshape(x, tf.concat([tf.shape(x)[:-1], [half]], axis=0))
    return tf.signal.inverse_mdct(x, **kwargs)


def _imdct_oracle(x: np.ndarray, half: int, norm: str | None = None) -> np.ndarray:
    return _inverse_mdct(x, norm)


def _imdct_sampler() -> Shaped:
    def build(draw: Draw, dtype: str, small: bool, bucketed: bool) -> Sample:
        half = pick(draw, (2, 4))
        frames = 2 if bucketed else side(draw, 1, 3)
        batch = () if bucketed else nonempty_batch(draw, small)
        kw = (("half", half), ("norm", pick(draw, (None, "ortho"))))
        return Sample((values(draw, dtype, (*batch, frames, half)),), kw)

    def ref(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        return Sample((ref_values(dtype, (length, 2, 4), rng),), (("half", 4), ("norm", None)))

    return Shaped(build, ref)


# -- mel scale and MFCCs -----------------------------------------------------------------


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    return 1127.0 * np.log1p(f / 700.0)  # the documented HTK formula


def _mel_matrix(sample_rate: np.ndarray, num_spectrogram_bins: int, num_mel_bins: int = 20,
                lower_edge_hertz: float = 125.0,
                upper_edge_hertz: float = 3800.0) -> np.ndarray:  # fmt: skip
    """Triangular filters, evenly spaced on the mel scale between the edges, over the
    linear bins [0, sample_rate / 2]; the DC bin (row 0) has zero weight."""
    bins_mel = _hz_to_mel(np.linspace(0.0, float(sample_rate) / 2, num_spectrogram_bins)[1:])
    edges = np.linspace(_hz_to_mel(lower_edge_hertz), _hz_to_mel(upper_edge_hertz),
                        num_mel_bins + 2)  # fmt: skip
    lower, center, upper = edges[:-2], edges[1:-1], edges[2:]
    rising = (bins_mel[:, None] - lower) / (center - lower)
    falling = (upper - bins_mel[:, None]) / (upper - center)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return np.concatenate([np.zeros((1, num_mel_bins)), weights])


def _mel_fn(sample_rate: Any, **kwargs: Any) -> Any:
    # The sample rate is the tensor argument (documented: an integer or float Tensor), and
    # the matrix comes in its dtype.
    return _tf().signal.linear_to_mel_weight_matrix(
        sample_rate=sample_rate, dtype=sample_rate.dtype, **kwargs
    )


def _rate(rate: float, dtype: str) -> np.ndarray:
    # Integer dtypes (which must raise) get a rate that fits them all.
    return np.asarray(rate if dtype in FLOATS else 100).astype(S.numpy_dtype(dtype))


def _mel_sampler() -> Shaped:
    def build(draw: Draw, dtype: str, small: bool, bucketed: bool) -> Sample:
        rate = pick(draw, (8000.0, 16000.0, 22050.0))
        kw = (("num_spectrogram_bins", pick(draw, (2, 9, 65))),
              ("num_mel_bins", pick(draw, (1, 4, 20))),
              ("lower_edge_hertz", pick(draw, (0.0, 125.0))),
              ("upper_edge_hertz", pick(draw, (3800.0, 4000.0))))  # fmt: skip
        return Sample((_rate(rate, dtype),), kw)

    def ref(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        return Sample((_rate(16000.0, dtype),),
                      (("num_spectrogram_bins", length + 1), ("num_mel_bins", 8)))  # fmt: skip

    return Shaped(build, ref)


def _mfccs(x: np.ndarray) -> np.ndarray:
    # Documented: the DCT-II of the log-mel spectrogram, scaled by 1 / sqrt(2 num_mel_bins)
    # (HTK's scaling; orthonormal but for the first coefficient).
    import scipy.fft

    return scipy.fft.dct(x, type=2, axis=-1) / np.sqrt(2.0 * max(x.shape[-1], 1))


# Mel weights computed in half precision: a mel value near 2000 is rounded to 1 (float16)
# or 16 (bfloat16) mel, against filters ~100 mel wide (measured: 0.018 and 0.17 at most).
MEL_TOLERANCE = {
    "float16": Tolerance(rtol=0.0, atol=0.03),
    "bfloat16": Tolerance(rtol=0.0, atol=0.3),
    "float32": Tolerance(rtol=1e-4, atol=2e-5),
}

RECORDS: tuple[OpRecord, ...] = (
    record("stft", _real_view("stft"), _stft,
           transformed(1, 4, 6, kwargs=_stft_kwargs, ref_inner=(8,), nonempty=True,
                       ref_kwargs=(("frame_length", 4), ("frame_step", 2))),
           F32_64, reference="of numpy.fft.rfft of periodic-Hann-windowed frames",
           grad=_GRAD, tolerance=FFT_TOLERANCE),
    record("inverse_stft", _signal("inverse_stft"), _inverse_stft, _istft_sampler(), COMPLEX,
           reference="of windowed numpy.fft.irfft frames, overlapped and added",
           result=_REAL_OF, tolerance=FFT_TOLERANCE),
    record("mdct", _signal("mdct"), _mdct, _mdct_sampler(), F32_64,
           reference="of the MDCT's cosine sum over Vorbis-windowed frames", grad=_GRAD,
           tolerance=FFT_TOLERANCE),
    record("inverse_mdct", _imdct_fn, _imdct_oracle, _imdct_sampler(), F32_64,
           reference="of the inverse MDCT's cosine sum, windowed and overlap-added",
           grad=_GRAD, tolerance=FFT_TOLERANCE),
    record("linear_to_mel_weight_matrix", _mel_fn, _mel_matrix, _mel_sampler(), FLOATS,
           reference="of triangular filters on the HTK mel scale 1127 ln(1 + f / 700)",
           tolerance=MEL_TOLERANCE),
    record("mfccs_from_log_mel_spectrograms", _signal("mfccs_from_log_mel_spectrograms"),
           _mfccs, transformed(1, 1, 5, nonempty=True), F32_64,
           reference="of scipy.fft.dct type 2 scaled by 1 / sqrt(2 num_mel_bins)", grad=_GRAD,
           tolerance=FFT_TOLERANCE),
)  # fmt: skip
