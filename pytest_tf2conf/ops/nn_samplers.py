"""Samplers of the tf.nn records: layouts (the shapes of the arguments and the Python
constants that go with them, drawn together because they constrain each other: a filter's
channels, a label's class count, a stride that fits) and the values drawn into them.

A layout function is written once against ``Pick`` and serves three uses: hypothesis draws
it for properties, a fixed seed gives the few bucketed layouts of XLA (one compilation
each), and a NumPy generator gives the deterministic reference sample of ``length``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .. import strategies as S
from ..oracles import same_dtype
from .record import Sample
from .samplers import GRADIENT_BOUND, random_array

Domain = Callable[[np.ndarray], np.ndarray]
# An argument: a shape (drawn in the record's dtype) or a fixed array (integer labels, ids).
Arg = tuple[int, ...] | np.ndarray
Layout = tuple[tuple[Arg, ...], tuple[tuple[str, Any], ...]]


class Pick:
    """Choices of a layout function, from a NumPy generator (reference and bucket layouts)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def int(self, lo: int, hi: int) -> int:
        return int(self.rng.integers(lo, hi, endpoint=True))

    def choice(self, options: Sequence[Any]) -> Any:
        return options[int(self.rng.integers(len(options)))]

    def ints(self, lo: int, hi: int, shape: tuple[int, ...], dtype: str = "int32") -> np.ndarray:
        return self.rng.integers(lo, hi, size=shape, endpoint=True).astype(dtype)


class DrawPick(Pick):
    """The same choices drawn by hypothesis (they shrink and appear in falsifying examples)."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw

    def int(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def choice(self, options: Sequence[Any]) -> Any:
        return self.draw(st.sampled_from(list(options)))

    def ints(self, lo: int, hi: int, shape: tuple[int, ...], dtype: str = "int32") -> np.ndarray:
        return self.draw(hnp.arrays(np.dtype(dtype), shape, elements=st.integers(lo, hi)))


@dataclass(frozen=True)
class Layouts:
    """Samples from a layout function ``layout(pick, small) -> Layout`` and a reference
    layout function ``reference_layout(pick, length) -> Layout``.

    ``bound`` bounds the drawn float values (sums of products stay well-conditioned);
    ``domains`` maps each argument onto the op's domain (a positive variance, ...).
    """

    layout: Callable[[Pick, bool], Layout]
    reference_layout: Callable[[Pick, int], Layout]
    bound: float | None = None
    domains: tuple[Domain | None, ...] = ()
    # XLA: this many fixed layouts (each one compilation), values still drawn.
    buckets: int = 3
    # Integer dtypes: value bound (the float bound may be below 1).
    int_bound: int = 20

    def _bound(self, dtype: str, small: bool) -> float | None:
        if dtype in S.INT_DTYPES:
            return self.int_bound
        if small:
            return min(self.bound, GRADIENT_BOUND) if self.bound is not None else GRADIENT_BOUND
        return self.bound

    def _map(self, i: int, a: np.ndarray) -> np.ndarray:
        domain = self.domains[i] if i < len(self.domains) else None
        return domain(a) if domain is not None and a.dtype.kind != "b" else a

    def _values(self, dtype: str, layout: Layout, small: bool) -> st.SearchStrategy[Sample]:
        shapes, kwargs = layout
        bound = self._bound(dtype, small)
        parts = [
            st.just(arg)
            if isinstance(arg, np.ndarray)
            else S.arrays(dtype, arg, bound=bound).map(lambda a, i=i: self._map(i, a))
            for i, arg in enumerate(shapes)
        ]
        return st.tuples(*parts).map(lambda args: Sample(tuple(args), kwargs))

    def strategy(
        self, dtype: str, small: bool = False, bucketed: bool = False
    ) -> st.SearchStrategy[Sample]:
        if bucketed:
            fixed = [self.layout(Pick(np.random.default_rng(seed)), small)
                     for seed in range(self.buckets)]  # fmt: skip
            layouts: st.SearchStrategy[Layout] = st.sampled_from(fixed)
        else:
            layouts = st.composite(lambda draw: self.layout(DrawPick(draw), small))()
        return layouts.flatmap(lambda layout: self._values(dtype, layout, small))

    def reference(self, dtype: str, length: int, rng: np.random.Generator) -> Sample:
        shapes, kwargs = self.reference_layout(Pick(rng), length)
        bound = self._bound(dtype, False)
        args = tuple(
            arg if isinstance(arg, np.ndarray)
            else self._map(i, random_array(dtype, arg, rng, bound))
            for i, arg in enumerate(shapes)
        )  # fmt: skip
        return Sample(args, kwargs)


# -- common layouts ------------------------------------------------------------------------


def shape(pick: Pick, min_rank: int, max_rank: int, max_side: int, min_side: int = 0):
    return tuple(pick.int(min_side, max_side) for _ in range(pick.int(min_rank, max_rank)))


def elementwise(
    kwargs: Callable[[Pick], tuple[tuple[str, Any], ...]] = lambda pick: (),
    min_rank: int = 0,
) -> tuple[Callable[[Pick, bool], Layout], Callable[[Pick, int], Layout]]:
    """One array of rank ``min_rank``-3 (sides 0-4; gradients: rank <= 2, sides <= 3) and
    drawn constants; the reference is a vector of ``length``."""

    def layout(pick: Pick, small: bool) -> Layout:
        dims = shape(pick, min_rank, max(min_rank, 2 if small else 3), 3 if small else 4)
        return (dims,), kwargs(pick)

    def reference(pick: Pick, length: int) -> Layout:
        return ((length,) if min_rank <= 1 else (1,) * (min_rank - 1) + (length,),), kwargs(pick)

    return layout, reference


# -- domains -------------------------------------------------------------------------------


def away_from(*kinks: float, gap: float = 0.05) -> Domain:
    """Values within ``gap`` of a kink moved to ``gap`` past it (central differences must
    not straddle a kink of the function)."""

    def apply(a: np.ndarray) -> np.ndarray:
        for k in kinks:
            a = np.where(np.abs(a - k) < gap, k + np.where(a >= k, gap, -gap), a)
        return a

    return same_dtype(apply)


def distinct(spacing: float = 1.0, offset: float = 0.0) -> Domain:
    """Values replaced by their ranks times ``spacing`` (ties broken by position): a max
    over any window has one maximum, by a margin far above the finite-difference step.
    Different spacings for two arguments keep their sums distinct too (dilation2d)."""

    def apply(a: np.ndarray) -> np.ndarray:
        flat = np.asarray(a, dtype=np.float64).reshape(-1)
        ranks = np.empty(flat.size)
        ranks[np.argsort(flat, kind="stable")] = np.arange(flat.size)
        return (offset + spacing * (ranks - flat.size / 2)).reshape(np.shape(a))

    return same_dtype(apply)


POSITIVE_SMALL = same_dtype(lambda a: 0.25 + np.abs(a) % 4.0)
UNIT = same_dtype(lambda a: 0.5 + 0.5 * np.sin(a))  # probabilities in [0, 1]
