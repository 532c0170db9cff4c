"""Samplers for the tf.signal and tf.image records: arrays of a structured shape (a signal
``[batch..., samples]``, an image batch ``[N, H, W, C]``) with values in an interval, and
the Python constants (``frame_length``, ``k``, ``size``...) drawn with them.

A ``Shaped`` sampler is two builders: ``build(draw, dtype, small, bucketed)`` for the
hypothesis strategy (``draw`` is hypothesis' draw function) and ``ref(dtype, length, rng)``
for the deterministic reference sample whose batch (or width) has ``length`` elements.
``values`` and ``ref_values`` give the arrays of both, in ``[lo, hi]`` for every dtype.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .. import strategies as S
from .record import COMPLEX, FLOATS, Sample

Draw = Callable[[st.SearchStrategy[Any]], Any]
Build = Callable[[Draw, str, bool, bool], Sample]
Ref = Callable[[str, int, np.random.Generator], Sample]


@dataclass(frozen=True)
class Shaped:
    build: Build
    ref: Ref

    def strategy(
        self, dtype: str, small: bool = False, bucketed: bool = False
    ) -> st.SearchStrategy[Sample]:
        @st.composite
        def sample(draw: Draw) -> Sample:
            return self.build(draw, dtype, small, bucketed)

        return sample()

    def reference(self, dtype: str, length: int, rng: np.random.Generator) -> Sample:
        return self.ref(dtype, length, rng)


def _scale(unit: np.ndarray, dtype: str, lo: float, hi: float) -> np.ndarray:
    """Values in [-1, 1] (float64 or complex128) mapped onto [lo, hi], rounded to dtype."""
    mapped = lo + (hi - lo) * (unit + 1) / 2
    if dtype in COMPLEX:
        mapped = lo + (hi - lo) * (unit.real + 1) / 2 + 1j * (lo + (hi - lo) * (unit.imag + 1) / 2)
    return mapped.astype(S.numpy_dtype(dtype))


def _int_range(dtype: str, lo: float, hi: float) -> tuple[int, int]:
    info = np.iinfo(np.dtype(dtype))
    if lo >= 0 and hi <= 1:  # an image: integers span [0, their dtype's maximum]
        return 0, int(info.max)
    return max(int(info.min), int(np.ceil(lo))), min(int(info.max), int(np.floor(hi)))


def values(
    draw: Draw, dtype: str, shape: tuple[int, ...], lo: float = -1.0, hi: float = 1.0
) -> np.ndarray:
    """An array of ``shape`` in [lo, hi] (integers: their whole range when hi is 1)."""
    if dtype in FLOATS or dtype in COMPLEX:
        unit = draw(S.arrays(dtype, shape, bound=1.0))
        return _scale(S.as_float64(unit), dtype, lo, hi)
    if dtype == "bool":
        return draw(hnp.arrays(np.bool_, shape))
    low, high = _int_range(dtype, lo, hi)
    return draw(hnp.arrays(np.dtype(dtype), shape, elements=st.integers(low, high)))


def ref_values(
    dtype: str, shape: tuple[int, ...], rng: np.random.Generator, lo: float = -1.0, hi: float = 1.0
) -> np.ndarray:
    if dtype in FLOATS or dtype in COMPLEX:
        unit = rng.uniform(-1, 1, size=shape)
        if dtype in COMPLEX:
            unit = unit + 1j * rng.uniform(-1, 1, size=shape)
        return _scale(unit, dtype, lo, hi)
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    low, high = _int_range(dtype, lo, hi)
    high = min(high, 2**62)  # NumPy's generator draws within int64
    return rng.integers(low, high, size=shape, endpoint=True).astype(np.dtype(dtype))


def side(draw: Draw, lo: int, hi: int) -> int:
    return draw(st.integers(lo, hi))


def batch_shape(draw: Draw, small: bool, max_rank: int = 1) -> tuple[int, ...]:
    """Leading (batch) dimensions: rank 0-``max_rank``, sides 0-3 (empty batches included)."""
    return draw(S.shapes(0, 1 if small else max_rank, 0, 2 if small else 3))


def pick(draw: Draw, options: tuple[Any, ...]) -> Any:
    return draw(st.sampled_from(options))
