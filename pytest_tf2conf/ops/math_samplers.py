"""Samplers of the tf.math records beyond element-wise functions: one *builder* per record
family writes both the hypothesis strategy and the deterministic reference sample.

A builder ``build(src, dtype, shape) -> Sample`` gets a ``Source`` of values: drawn by
hypothesis for properties (``src.small`` for gradient samples), or from a seeded generator
for reference samples (shape ``(length,)``, the main dimension first). Writing a family
once keeps its constraints (sorted segment ids, a permutation, an axis in range, values
whose sums are exact) identical in both, and edge cases come from the drawn shapes (empty
and rank-0 tensors where the function accepts them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from .math_table import _SIGNIFICAND, _exact_factors, _exact_terms
from .record import Sample
from .samplers import GRADIENT_BOUND, random_array

# Fixed shapes under XLA (one compilation each); a builder's minimum rank/side filters them.
_BUCKETS = ((), (5,), (2, 3), (0, 3), (3, 1, 2))
# Most summands of a property sample (ranks 0-3, sides 0-4).
_PROPERTY_TERMS = 64


class Source:
    """Where a builder's values come from (hypothesis draws or a seeded generator)."""

    small: bool = False  # gradient samples
    reference: bool = False  # a reference sample (shape (length,), a kernel width or more)

    def array(self, dtype: str, shape: tuple[int, ...], bound: float | None = None) -> np.ndarray:
        raise NotImplementedError

    def integer(self, lo: int, hi: int) -> int:  # inclusive
        raise NotImplementedError

    def choice(self, options: Sequence[Any]) -> Any:
        return options[self.integer(0, len(options) - 1)]

    def integers(self, lo: int, hi: int, shape: tuple[int, ...]) -> np.ndarray:
        """int64 values in [lo, hi] (inclusive)."""
        raise NotImplementedError

    def permutation(self, n: int) -> np.ndarray:
        raise NotImplementedError


class _Drawn(Source):
    def __init__(self, draw: Any, small: bool) -> None:
        self.draw, self.small = draw, small

    def array(self, dtype: str, shape: tuple[int, ...], bound: float | None = None) -> np.ndarray:
        if self.small and dtype not in ("bool",) and np.dtype(S.numpy_dtype(dtype)).kind in "fcV":
            bound = GRADIENT_BOUND if bound is None else min(bound, GRADIENT_BOUND)
        return self.draw(S.arrays(dtype, shape, bound=bound))

    def integer(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def integers(self, lo: int, hi: int, shape: tuple[int, ...]) -> np.ndarray:
        return self.draw(S.hnp.arrays(np.int64, shape, elements=st.integers(lo, hi)))

    def permutation(self, n: int) -> np.ndarray:
        return np.asarray(self.draw(st.permutations(list(range(n)))), dtype=np.int64)


class _Seeded(Source):
    reference = True

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def array(self, dtype: str, shape: tuple[int, ...], bound: float | None = None) -> np.ndarray:
        return random_array(dtype, shape, self.rng, bound)

    def integer(self, lo: int, hi: int) -> int:
        return int(self.rng.integers(lo, hi, endpoint=True))

    def integers(self, lo: int, hi: int, shape: tuple[int, ...]) -> np.ndarray:
        return self.rng.integers(lo, hi, size=shape, endpoint=True).astype(np.int64)

    def permutation(self, n: int) -> np.ndarray:
        return self.rng.permutation(n).astype(np.int64)


Builder = Callable[[Source, str, tuple[int, ...]], Sample]


@dataclass(frozen=True)
class Built:
    """Samples of ``build`` on drawn shapes of rank ``min_rank``-3 with sides
    ``min_side``-4 (gradient samples: rank <= 2, sides <= 3); reference samples on
    ``(length,)`` padded with sides of 2 up to ``min_rank``."""

    build: Builder
    min_rank: int = 0
    min_side: int = 0
    max_rank: int = 3

    def strategy(
        self, dtype: str, small: bool = False, bucketed: bool = False
    ) -> st.SearchStrategy[Sample]:
        if bucketed:
            fits = [s for s in _BUCKETS
                    if self.min_rank <= len(s) <= self.max_rank
                    and all(d >= self.min_side for d in s)]  # fmt: skip
            shapes = st.sampled_from(fits)
        else:
            max_rank = max(self.min_rank, min(self.max_rank, 2 if small else 3))
            shapes = S.shapes(self.min_rank, max_rank, self.min_side, 3 if small else 4)

        @st.composite
        def draw(draw_: Any) -> Sample:
            return self.build(_Drawn(draw_, small), dtype, draw_(shapes))

        return draw()

    def reference(self, dtype: str, length: int, rng: np.random.Generator) -> Sample:
        shape = (length,) + (2,) * max(self.min_rank - 1, 0)
        return self.build(_Seeded(rng), dtype, shape)


# --- values ---------------------------------------------------------------------------------


def is_float(dtype: str) -> bool:
    return dtype in _SIGNIFICAND


def exact_sum_values(src: Source, dtype: str, shape: tuple[int, ...], terms: int) -> np.ndarray:
    """Values whose partial sums of up to ``terms`` terms are exact in ``dtype`` in any order
    (dyadic integers; see ``math_table.ExactReduction``); integers within +-100."""
    if not is_float(dtype):
        return src.array(dtype, shape, 100)
    bound = max(1, min(100, 2 ** _SIGNIFICAND[dtype] // max(terms, 1)))
    # at most 2^p / bound nonzero terms: every partial sum stays exact
    keep = 2 ** _SIGNIFICAND[dtype] // bound
    return _exact_terms(src.array(dtype, shape, bound), dtype, src.integer(-3, 2), keep)


def exact_factors(src: Source, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    """Factors 0, +-1, +-2, +-1/2 (exact products); integers within +-3."""
    if not is_float(dtype):
        return src.array(dtype, shape, 3)
    return _exact_factors(src.array(dtype, shape, 2.0), dtype)


def terms_of(shape: tuple[int, ...], src: Source) -> int:
    """How many terms a sum over ``shape`` may have (property samples: at most 64)."""
    size = int(np.prod(shape, dtype=np.int64))
    return size if src.reference else max(size, _PROPERTY_TERMS)


def axis_of(src: Source, rank: int) -> int:
    """An axis in [-rank, rank) (negative ones included on purpose)."""
    return src.integer(-rank, rank - 1)
