"""Dtype groups, domain maps, and the eager and graph suites' views of the op table.

The ops that the eager op table used to hold (add, exp, reduce_sum, ...) are records of the
op database now (``ops/math_table.py``): one source of truth for each op's function, oracle,
dtypes, domains and bounds, whose values, dtypes and gradients the ops suite checks under
the table's old claim ids. The eager and graph suites check more than values (broadcasting,
special values, incompatible shapes, graph-vs-eager equality, empty reductions); they read
the same records through the thin views below, which hold nothing of their own. The names
are stable API for the suites:

``OpCase`` (a view of an element-wise record)
    ``name`` ("add"), ``tf_fn`` (the record's function), ``dtypes``, ``arity``,
    ``claim_id`` (the record's value claim), ``bounds`` / ``bound(dtype)`` and ``domains``
    (the record's sampler), ``compare_signed_zeros(dtype)`` and ``result_dtype(dtype)``;
    ``case.inputs(dtype, shapes)`` is a hypothesis strategy of argument arrays,
    ``case.oracle(dtype, *arrays)`` the record's expected result (never TensorFlow).
``ReductionCase`` (a view of a reduction record)
    ``name``, ``tf_fn``, ``dtypes``, ``bound(dtype)`` (of arbitrary values),
    ``accumulates`` (a sum or product: its float result carries n roundings) and
    ``oracle(x, axis=, keepdims=)``; ``reduction_fn(case, axis, keepdims)`` is the function
    with those Python constants bound (one object per key: compiled functions are reused).
``unary_ops()``, ``binary_ops()``, ``elementwise_ops()``, ``reductions()``
    The views of the table's records (functions, not constants: the records' module
    imports this one). ``by_name(name)`` finds any of them by short name.
``matmul_fn`` / ``matmul_oracle``
    Matrix products (2-D and batched) and their float64 oracle.

Importing this module imports NumPy and hypothesis but not TensorFlow: the TF functions
import it lazily when first called.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from . import strategies as S

API = "https://www.tensorflow.org/api_docs/python/tf"

# Dtype groups (names) as the TF 2.21 CPU kernels register them (probed and documented).
FLOATS = S.FLOAT_DTYPES
COMPLEX = S.COMPLEX_DTYPES
SIGNED = S.SIGNED_INT_DTYPES
UNSIGNED = S.UNSIGNED_INT_DTYPES
INTS = S.INT_DTYPES
NUMERIC = FLOATS + COMPLEX + INTS

Domain = Callable[[np.ndarray], np.ndarray]


def _tf():
    import tensorflow as tf

    return tf


# --- domains: maps of drawn arrays onto an op's domain (same dtype out) -----------------


def same_dtype(fn: Callable[[np.ndarray], np.ndarray]) -> Domain:
    def apply(a: np.ndarray) -> np.ndarray:
        a = np.asarray(a)
        if a.dtype.kind in "iu":
            return np.asarray(fn(a)).astype(a.dtype)
        with np.errstate(all="ignore"):
            return np.asarray(fn(S.as_float64(a))).astype(a.dtype)

    return apply


def _away_from_zero(a: np.ndarray) -> np.ndarray:
    """Divisors: integers 0 -> 1; floats with |y| < 0.5 pushed to 0.5 <= |y| < 1.5."""
    if a.dtype.kind in "iu":
        return np.where(a == 0, 1, a)
    if a.dtype.kind == "c":
        return np.where(np.abs(a) < 0.5, a + 1.0, a)
    return np.where(np.abs(a) < 0.5, a + np.copysign(1.0, a), a)


def _no_int_min(a: np.ndarray) -> np.ndarray:
    """Avoid INT_MIN / -1, which is undefined behaviour in C (it traps on x86)."""
    if a.dtype.kind == "i":
        return np.where(a == np.iinfo(a.dtype).min, a + 1, a)
    return a


def _positive(a: np.ndarray) -> np.ndarray:
    return np.abs(a) + 0.125


def _non_negative(a: np.ndarray) -> np.ndarray:
    return np.abs(a)


AWAY_FROM_ZERO = same_dtype(_away_from_zero)
NO_INT_MIN = same_dtype(_no_int_min)
POSITIVE = same_dtype(_positive)
NON_NEGATIVE = same_dtype(_non_negative)


def DIVIDEND(a: np.ndarray) -> np.ndarray:
    """Dividends: no INT_MIN (see above); floats whose quotient by a divisor could be
    subnormal (|x| < 2^-1000 in float64, 2^-100 in the narrower floats; |divisor| <= 1e6)
    become a zero of the same sign.

    TensorFlow's CPU kernels flush a subnormal quotient to zero, and floor(-0.0) is -0.0 where
    floor(-tiny) is -1: floordiv/floormod would differ from the oracle by a whole unit. The
    flushing has its own claim (subnormal inputs); here it would only hide the rounding rule.
    """
    a = np.asarray(a)
    if a.dtype.kind in "iu":
        return NO_INT_MIN(a)
    if a.dtype.kind != "f" and a.dtype.name != "bfloat16":
        return a
    tiny = 2.0**-1000 if a.dtype == np.float64 else 2.0**-100
    wide = S.as_float64(a)
    return np.where(np.abs(wide) < tiny, np.copysign(0.0, wide), wide).astype(a.dtype)


# --- views of the op database's table records ------------------------------------------


@dataclass(frozen=True, eq=False)
class _RecordView:
    """What every view of a table record shares: its short name, function and dtypes."""

    record: Any  # ops.record.OpRecord (not imported here: ops imports this module)

    @property
    def name(self) -> str:
        return self.record.name.rsplit(".", 1)[1]

    @property
    def tf_fn(self) -> Callable[..., Any]:
        return self.record.fn

    @property
    def dtypes(self) -> tuple[str, ...]:
        return self.record.dtypes


@dataclass(frozen=True, eq=False)
class OpCase(_RecordView):
    """An element-wise record of ``ops/math_table.py`` as the eager and graph suites use it."""

    @property
    def arity(self) -> int:
        return self.record.sampler.arity

    @property
    def claim_id(self) -> str:
        return self.record.value_claim.id

    @property
    def bounds(self) -> dict[str, float]:
        return self.record.sampler.bounds

    @property
    def domains(self) -> tuple[Domain | None, ...]:
        return self.record.sampler.domains

    def compare_signed_zeros(self, dtype: str) -> bool:
        """Whether the sign of an exactly-zero result is part of the claim for ``dtype``
        (never for complex results: the docs do not specify it)."""
        return self.record.compare_signed_zeros(dtype)

    def result_dtype(self, dtype: str) -> str:
        return self.record.result_dtype(dtype)

    def bound(self, dtype: str) -> float | None:
        return self.bounds.get(_kind(dtype))

    def inputs(
        self, dtype: str, shapes: Sequence[tuple[int, ...]]
    ) -> st.SearchStrategy[tuple[np.ndarray, ...]]:
        """Argument arrays of ``dtype`` with the given shapes, mapped onto the op's domain."""
        parts = []
        for i, shape in enumerate(shapes):
            base = S.arrays(dtype, shape, bound=self.bound(dtype))
            domain = self.domains[i] if i < len(self.domains) else None
            parts.append(base.map(domain) if domain is not None else base)
        return st.tuples(*parts)

    def oracle(self, dtype: str, *arrays: np.ndarray) -> np.ndarray:
        """The record's expected result: NumPy on float64 (complex128) or exact integers."""
        from .ops.record import Sample

        return self.record.expected(dtype, Sample(tuple(np.asarray(a) for a in arrays)))


@dataclass(frozen=True, eq=False)
class ReductionCase(_RecordView):
    """A reduction record of ``ops/math_table.py`` (``fn(x, axis=, keepdims=)``)."""

    @property
    def accumulates(self) -> bool:
        """A sum or product (its sampler draws exactly summable values): the float result
        of arbitrary values carries one rounding per term."""
        return getattr(self.record.sampler, "kind", None) in ("sum", "prod")

    def bound(self, dtype: str) -> float | None:
        return self.record.sampler.bounds.get(_kind(dtype))

    def oracle(self, x: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
        x = np.asarray(x)
        data = S.as_float64(x) if x.dtype.kind in "fcV" else x
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # mean of an empty slice is NaN
            return np.asarray(self.record.oracle(data, axis=axis, keepdims=keepdims))


def _kind(dtype: str) -> str:
    return "c" if dtype in COMPLEX else "f" if dtype in FLOATS else "i"


@functools.cache
def _views() -> tuple[tuple[OpCase, ...], tuple[OpCase, ...], tuple[ReductionCase, ...]]:
    from .ops import math_table

    unary, binary, reduce = [], [], []
    for record in math_table.RECORDS:
        if isinstance(record.sampler, math_table.Elementwise):
            (unary if record.sampler.arity == 1 else binary).append(OpCase(record))
        else:
            reduce.append(ReductionCase(record))
    return tuple(unary), tuple(binary), tuple(reduce)


def unary_ops() -> tuple[OpCase, ...]:
    return _views()[0]


def binary_ops() -> tuple[OpCase, ...]:
    return _views()[1]


def elementwise_ops() -> tuple[OpCase, ...]:
    return binary_ops() + unary_ops()


def reductions() -> tuple[ReductionCase, ...]:
    return _views()[2]


@functools.cache
def reduction_fn(case: ReductionCase, axis: int | tuple[int, ...] | None, keepdims: bool):
    """``case.tf_fn`` with Python-constant ``axis``/``keepdims`` bound (one object per key).

    XLA needs the axes as compile-time constants, so they are closed over rather than
    passed as tensors; memoizing keeps the function's identity for target.run's cache.
    """

    def reduce(x):
        return case.tf_fn(x, axis=axis, keepdims=keepdims)

    reduce.__name__ = f"{case.name}_{axis}_{keepdims}".replace(" ", "")
    return reduce


# --- matmul -------------------------------------------------------------------------------

MATMUL_DTYPES = ("float16", "bfloat16", "float32", "float64", "complex64", "complex128")
MATMUL_INT_DTYPES = ("int32", "int64")


def matmul_fn(a, b):
    return _tf().linalg.matmul(a, b)


def matmul_oracle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` in float64/complex128 (or exactly in the integers' own wrapping type)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "iu":
        return np.matmul(a, b)
    return np.matmul(S.as_float64(a), S.as_float64(b))


# --- lookup -----------------------------------------------------------------------------


def by_name(name: str) -> OpCase | ReductionCase:
    """The view of the table record ``name`` ("add", "reduce_sum", "truncatediv")."""
    for case in elementwise_ops() + reductions():
        if case.name == name:
            return case
    raise KeyError(name)


def reduced_count(shape: tuple[int, ...], axis: int | tuple[int, ...] | None) -> int:
    """How many input elements each output element of a reduction combines."""
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    chosen = (axis,) if isinstance(axis, int) else axis
    return int(np.prod([shape[a] for a in chosen], dtype=np.int64))
