"""Samplers of the top-level array functions (tf.concat, tf.gather, ...): one generator per
record, written once against a small drawing interface that either hypothesis (property
samples) or a seeded NumPy generator (reference samples at kernel widths) implements.

Array functions take several related inputs (indices within a tensor's shape, an axis
within its rank, paddings no larger than a side): a generator draws a shape, then the
arguments that fit it, the way a user would call the function. ``Built(gen)`` turns such
a generator into a record's sampler.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from .record import Sample
from .samplers import GRADIENT_BOUND, _kind, random_array

# XLA samples: a few fixed shapes (one compilation each), chosen by rank.
BUCKET_SHAPES: tuple[tuple[int, ...], ...] = ((), (5,), (2, 3), (0, 3), (2, 3, 2), (1,))


class Draw:
    """What a generator may ask for; ``dtype`` is the sample's main dtype."""

    dtype: str
    small: bool  # gradient samples: smaller shapes, moderate values
    bucketed: bool  # XLA samples: shapes from BUCKET_SHAPES
    reference: bool = False

    def integer(self, lo: int, hi: int) -> int:
        raise NotImplementedError

    def pick(self, options: Sequence[Any]) -> Any:
        return options[self.integer(0, len(options) - 1)]

    def flag(self) -> bool:
        return bool(self.integer(0, 1))

    def shape(
        self, min_rank: int = 0, max_rank: int = 3, min_side: int = 0, main: bool = True
    ) -> tuple[int, ...]:
        raise NotImplementedError

    def array(
        self, shape: Sequence[int], dtype: str | None = None, bound: float | None = None
    ) -> np.ndarray:
        raise NotImplementedError

    def ints(self, shape: Sequence[int], lo: int, hi: int, dtype: str = "int32") -> np.ndarray:
        """Integers in [lo, hi] (indices): uniform, duplicates included."""
        raise NotImplementedError

    def permutation(self, n: int) -> tuple[int, ...]:
        order = list(range(n))
        for i in range(n - 1, 0, -1):  # Fisher-Yates, through integer() (shrinks well)
            j = self.integer(0, i)
            order[i], order[j] = order[j], order[i]
        return tuple(order)

    def _bound(self, dtype: str, bound: float | None) -> float | None:
        if self.small and _kind(dtype) in "fc":
            return min(bound, GRADIENT_BOUND) if bound is not None else GRADIENT_BOUND
        return bound


class _Hypothesis(Draw):
    def __init__(self, draw: Any, dtype: str, small: bool, bucketed: bool) -> None:
        self._draw, self.dtype, self.small, self.bucketed = draw, dtype, small, bucketed

    def integer(self, lo: int, hi: int) -> int:
        return self._draw(st.integers(lo, hi))

    def shape(
        self, min_rank: int = 0, max_rank: int = 3, min_side: int = 0, main: bool = True
    ) -> tuple[int, ...]:
        if self.bucketed:
            fits = [
                s
                for s in BUCKET_SHAPES
                if min_rank <= len(s) <= max_rank and min(s, default=min_side) >= min_side
            ]
            return self._draw(st.sampled_from(fits or [(2,) * max(min_rank, 1)]))  # fmt: skip
        top = min(max_rank, max(min_rank, 2 if self.small else 3))
        return self._draw(S.shapes(min_rank, top, min_side, max(min_side, 3 if self.small else 4)))

    def array(
        self, shape: Sequence[int], dtype: str | None = None, bound: float | None = None
    ) -> np.ndarray:
        dtype = dtype or self.dtype
        return self._draw(S.arrays(dtype, tuple(shape), bound=self._bound(dtype, bound)))

    def ints(self, shape: Sequence[int], lo: int, hi: int, dtype: str = "int32") -> np.ndarray:
        elements = st.integers(lo, hi)
        return self._draw(S.hnp.arrays(np.dtype(dtype), tuple(shape), elements=elements))


class _Reference(Draw):
    """Deterministic: the first ``main`` shape's first side is ``length``."""

    reference = True

    def __init__(self, rng: np.random.Generator, dtype: str, length: int) -> None:
        self.rng, self.dtype, self.length = rng, dtype, length
        self.small = self.bucketed = False

    def integer(self, lo: int, hi: int) -> int:
        return int(self.rng.integers(lo, hi, endpoint=True))

    def shape(
        self, min_rank: int = 0, max_rank: int = 3, min_side: int = 0, main: bool = True
    ) -> tuple[int, ...]:
        rank = min(max(min_rank, 1), max_rank)
        if rank == 0:
            return ()
        rest = tuple(self.integer(max(min_side, 1), max(min_side, 2)) for _ in range(rank - 1))
        first = self.length if main else self.integer(max(min_side, 1), max(min_side, 3))
        return (max(first, min_side), *rest)

    def array(
        self, shape: Sequence[int], dtype: str | None = None, bound: float | None = None
    ) -> np.ndarray:
        return random_array(dtype or self.dtype, tuple(shape), self.rng, bound)

    def ints(self, shape: Sequence[int], lo: int, hi: int, dtype: str = "int32") -> np.ndarray:
        return self.rng.integers(lo, hi, size=tuple(shape), endpoint=True).astype(dtype)


Generator = Callable[[Draw], Sample]


@dataclass(frozen=True)
class Built:
    """A record's sampler from one generator ``gen(draw) -> Sample``."""

    gen: Generator

    def strategy(
        self, dtype: str, small: bool = False, bucketed: bool = False
    ) -> st.SearchStrategy[Sample]:
        @st.composite
        def draw(draw_: Any) -> Sample:
            return self.gen(_Hypothesis(draw_, dtype, small, bucketed))

        return draw()

    def reference(self, dtype: str, length: int, rng: np.random.Generator) -> Sample:
        return self.gen(_Reference(rng, dtype, length))


def sample(*args: np.ndarray, **kwargs: Any) -> Sample:
    """A Sample whose constants are hashable (lists become tuples: bound functions are
    cached by their constants)."""

    def frozen(v: Any) -> Any:
        return tuple(frozen(x) for x in v) if isinstance(v, list | tuple) else v

    return Sample(tuple(args), tuple((k, frozen(v)) for k, v in kwargs.items()))


def axis_of(d: Draw, rank: int) -> int:
    """An axis of a rank-``rank`` tensor, negative half of the time."""
    axis = d.integer(0, rank - 1)
    return axis - rank if d.flag() else axis
