"""Samplers: how an op record's inputs are drawn (a strategy for properties, and
deterministic reference samples at kernel widths and multithreaded sizes).

Values are drawn within a bound per dtype kind and mapped onto the op's domain by the same
``Domain`` maps the eager op table uses (``oracles.AWAY_FROM_ZERO``, ``POSITIVE``, ...), so
an op's edge cases (zeros, negative zeros, values at the bound, empty and rank-0 tensors)
come from the strategy while the domain keeps the oracle defined.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from .record import COMPLEX, FLOATS, Sample
from .sizes import small_shapes

Domain = Callable[[np.ndarray], np.ndarray]

# Shapes of XLA samples: XLA compiles once per concrete shape (~25-40 ms), so its samples
# come from a few shapes per arity (ranks 0-2, an empty one, broadcasting) instead of
# drawing a new shape per example; values still vary freely.
BUCKETS: dict[int, tuple[tuple[tuple[int, ...], ...], ...]] = {
    1: (((),), ((5,),), ((2, 3),), ((0, 3),)),
    2: (((5,), (5,)), ((2, 1), (1, 3)), ((), (2, 3)), ((0,), (1,))),
}
# Magnitude bound of gradient samples (central differences of order-one functions).
GRADIENT_BOUND = 4.0
# Default magnitude bound per dtype kind for reference samples (properties use the
# strategies' per-dtype bounds unless a record gives its own).
_REFERENCE_BOUND = {"f": 100.0, "c": 10.0, "i": 100.0}


def _kind(dtype: str) -> str:
    return "c" if dtype in COMPLEX else "f" if dtype in FLOATS else "b" if dtype == "bool" else "i"


def random_array(
    dtype: str, shape: tuple[int, ...], rng: np.random.Generator, bound: float | None = None
) -> np.ndarray:
    """Uniform values in [-bound, bound] (within the dtype's range), rounded to ``dtype``."""
    kind = _kind(dtype)
    np_dtype = S.numpy_dtype(dtype)
    if kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    limit = bound if bound is not None else _REFERENCE_BOUND.get(kind, 100.0)
    if kind == "i":
        info = np.iinfo(np_dtype)
        low, high = max(int(info.min), -int(limit)), min(int(info.max), int(limit))
        return rng.integers(low, high, size=shape, endpoint=True).astype(np_dtype)
    values = rng.uniform(-limit, limit, size=shape)
    if kind == "c":
        values = values + 1j * rng.uniform(-limit, limit, size=shape)
    return values.astype(np_dtype)


@dataclass(frozen=True)
class Elementwise:
    """``arity`` arrays of one dtype; with two or more, shapes that broadcast together.

    ``bounds`` gives the element bound per dtype kind ("f", "c", "i"); ``domains`` maps each
    argument onto the op's domain; ``specials`` adds NaN, infinities and signed zeros.
    Gradient samples (``small``) stay within ``GRADIENT_BOUND``: finite differences want
    moderate magnitudes.
    """

    arity: int = 1
    bounds: dict[str, float] = field(default_factory=dict)
    domains: tuple[Domain | None, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()
    specials: bool = False

    def _bound(self, dtype: str, small: bool = False) -> float | None:
        bound = self.bounds.get(_kind(dtype))
        if small and _kind(dtype) in "fc":
            return min(bound, GRADIENT_BOUND) if bound is not None else GRADIENT_BOUND
        return bound

    def _map(self, index: int, array: np.ndarray) -> np.ndarray:
        domain = self.domains[index] if index < len(self.domains) else None
        return domain(array) if domain is not None else array

    def _shapes(
        self, small: bool, bucketed: bool = False
    ) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
        if bucketed:
            return st.sampled_from(BUCKETS[min(self.arity, 2)])
        side = 3 if small else 4
        if self.arity == 1:
            return S.shapes(0, 2 if small else 3, 0, side).map(lambda s: (s,))
        return S.broadcastable_shapes(self.arity, max_rank=2 if small else 3, max_side=side)

    def strategy(
        self, dtype: str, small: bool = False, bucketed: bool = False
    ) -> st.SearchStrategy[Sample]:
        bound = self._bound(dtype, small)
        specials = self.specials and not small and dtype != "bool" and _kind(dtype) in "fc"

        def arrays_for(shapes: Sequence[tuple[int, ...]]) -> st.SearchStrategy[Sample]:
            parts = [
                S.arrays(dtype, shape, bound=bound, specials=specials).map(
                    lambda a, i=i: self._map(i, a)
                )
                for i, shape in enumerate(shapes)
            ]
            return st.tuples(*parts).map(lambda args: Sample(tuple(args), self.kwargs))

        return self._shapes(small, bucketed).flatmap(arrays_for)

    def reference(self, dtype: str, length: int, rng: np.random.Generator) -> Sample:
        args = tuple(
            self._map(i, random_array(dtype, (length,), rng, self._bound(dtype)))
            for i in range(self.arity)
        )
        return Sample(args, self.kwargs)


@dataclass(frozen=True)
class Reduction:
    """One array of rank 0-3 and the reduction's Python constants: ``axis`` (None, an int
    that may be negative, or a tuple of axes) and ``keepdims``."""

    bounds: dict[str, float] = field(default_factory=dict)
    keepdims: bool = True  # whether the op takes keepdims=

    def strategy(
        self, dtype: str, small: bool = False, bucketed: bool = False
    ) -> st.SearchStrategy[Sample]:
        bound = self.bounds.get(_kind(dtype))
        shapes = st.sampled_from(BUCKETS[1]).map(lambda s: s[0]) if bucketed else None

        @st.composite
        def draw(draw_: Any) -> Sample:
            shape = draw_(shapes or small_shapes(0, 2 if small else 3))
            x = draw_(S.arrays(dtype, shape, bound=bound))
            kwargs: list[tuple[str, Any]] = [("axis", draw_(S.axes(len(shape))))]
            if self.keepdims:
                kwargs.append(("keepdims", draw_(st.booleans())))
            return Sample((x,), tuple(kwargs))

        return draw()

    def reference(self, dtype: str, length: int, rng: np.random.Generator) -> Sample:
        x = random_array(dtype, (length,), rng, self.bounds.get(_kind(dtype)))
        kwargs: tuple[tuple[str, Any], ...] = (("axis", None),)
        if self.keepdims:
            kwargs += (("keepdims", False),)
        return Sample((x,), kwargs)
