"""tf.math: the rows of the former eager op table (arithmetic, comparisons, logic, the basic
transcendental functions and the five classic reductions), now op-database records.

These records are the one source of truth for those ops: the ops suite checks their values
(under the table's old claim ids, ``claim_id="eager.add-matches-numpy"``), dtypes and
gradients, and the eager and graph suites read the same records through the views in
``pytest_tf2conf.oracles`` (``oracles.by_name("add")``: the function, its oracle, domains
and bounds) for what they check beyond values: broadcasting, special values, incompatible
shapes, graph-vs-eager equality, empty reductions.

Reductions of sums and products draw *exact* inputs (``ExactReduction``): dyadic values so
few significant bits that every partial sum (product) in any order is representable in the
dtype, so the unspecified accumulation order cannot matter and the value check is exact up
to the final rounding, at every size. Arbitrary values against the classic rounding bound
are a separate claim of the eager suite (``eager.reduction-rounding-within-bound``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from ..oracles import (
    AWAY_FROM_ZERO,
    DIVIDEND,
    NO_INT_MIN,
    NON_NEGATIVE,
    POSITIVE,
    same_dtype,
)
from .math import _math, _real_result, _tf
from .record import API, COMPLEX, FLOATS, INTS, NUMERIC, SIGNED, Grad, OpRecord, Sample
from .samplers import BUCKETS, Elementwise, Reduction, random_array
from .sizes import small_shapes

# --- oracles --------------------------------------------------------------------------


def _c_trunc_div(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """C-style integer division (toward zero), exactly, on Python ints (|INT_MIN| overflows)."""
    xo, yo = np.asarray(x).astype(object), np.asarray(y).astype(object)
    q = abs(xo) // abs(yo)
    return np.where((xo < 0) != (yo < 0), -q, q).astype(np.asarray(x).dtype)


def _round_to(dtype: str, value: np.ndarray) -> np.ndarray:
    """Round a float64 value to ``dtype`` and back (the op's own result rounding)."""
    with np.errstate(all="ignore"):
        return np.asarray(value).astype(S.numpy_dtype(dtype)).astype(np.float64)


def np_floordiv(x: np.ndarray, y: np.ndarray, dtype: str) -> np.ndarray:
    if np.asarray(x).dtype.kind in "iu":
        return np.floor_divide(x, y)
    # floor(x / y) of the quotient as the dtype rounds it: a quotient just below an
    # integer may round up to it in a narrow format, and floor then differs by 1.
    return np.floor(_round_to(dtype, x / y))


def np_truncatediv(x: np.ndarray, y: np.ndarray, dtype: str) -> np.ndarray:
    if np.asarray(x).dtype.kind in "iu":
        return _c_trunc_div(x, y)
    return np.trunc(_round_to(dtype, x / y))


def np_truncatemod(x: np.ndarray, y: np.ndarray, dtype: str) -> np.ndarray:
    if np.asarray(x).dtype.kind in "iu":
        return (x - _c_trunc_div(x, y) * y).astype(x.dtype)
    return np.fmod(x, y)


def np_floormod(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.mod(x, y)


def _np_reduce(fn: Callable[..., np.ndarray], wrap_ints: bool) -> Callable[..., np.ndarray]:
    def reduce(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
        x = np.asarray(x)
        if wrap_ints and x.dtype.kind in "iu":
            # accumulate in the input's own integer type: wraps like TensorFlow's kernels
            return np.asarray(fn(x, axis=axis, keepdims=keepdims, dtype=x.dtype))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # mean of an empty slice
            return np.asarray(fn(x, axis=axis, keepdims=keepdims))

    reduce.__name__ = f"numpy.{fn.__name__}"
    return reduce


def _lowest(dtype: np.dtype) -> Any:
    return -np.inf if dtype.kind in "fc" else np.iinfo(dtype).min


def _highest(dtype: np.dtype) -> Any:
    return np.inf if dtype.kind in "fc" else np.iinfo(dtype).max


def np_reduce_max(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    # the maximum of nothing is the lowest value (-inf for floats), as documented
    return np.max(x, axis=axis, keepdims=keepdims, initial=_lowest(x.dtype))


def np_reduce_min(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    return np.min(x, axis=axis, keepdims=keepdims, initial=_highest(x.dtype))


# --- exact reductions -----------------------------------------------------------------

# Significand bits per float dtype: integers up to 2^p are exact.
_SIGNIFICAND = {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53,
                "complex64": 24, "complex128": 53}  # fmt: skip
# Most factors of 2 (or 1/2) a product may hold without leaving the normal range.
_EXPONENT_ROOM = {"float16": 12, "float64": 1000}
_PROPERTY_ELEMENTS = 64  # ranks 0-3, sides 0-4


def _sum_bound(dtype: str, n: int) -> int:
    """Integer magnitude whose n-term partial sums stay exact (at least 1)."""
    return max(1, min(100, 2 ** _SIGNIFICAND[dtype] // max(n, 1)))


def _exact_terms(a: np.ndarray, dtype: str, scale: int, keep: int | None = None) -> np.ndarray:
    """Rounded to integers, times 2^scale; only ``keep`` nonzero (the rest 0)."""
    wide = S.as_float64(a)
    parts = [wide.real, wide.imag] if wide.dtype.kind == "c" else [wide]
    parts = [np.round(p) * 2.0**scale for p in parts]
    if keep is not None:
        for p in parts:
            p.ravel()[keep:] = 0.0
    out = parts[0] + 1j * parts[1] if len(parts) == 2 else parts[0]
    return out.astype(a.dtype)


def _exact_factors(a: np.ndarray, dtype: str, keep: int | None = None) -> np.ndarray:
    """Factors 0, +-1, +-2, +-1/2 (+-i times those for complex), a few of them times 3/4,
    5/4 or 7/4: exact products. At most ``keep`` factors differ from +-1 (or +-i) by a power
    of two: the product stays in the normal range."""
    wide = S.as_float64(a)
    real_axis = np.abs(wide.real) >= np.abs(wide.imag) if wide.dtype.kind == "c" else True
    part = np.where(real_axis, wide.real, wide.imag)
    power = np.clip(np.round(part), -1, 1)
    room = keep if keep is not None else _EXPONENT_ROOM.get(dtype, 100)
    power.ravel()[room:] = 0.0
    factor = np.where(part == 0, 0.0, np.sign(part) * 2.0**power)
    # A few factors carry 3 significant bits (3/4, 5/4 or 7/4 times the above), at most
    # p/3 - 1 of them: the product keeps up to p bits, so a narrower accumulator rounds it.
    slots = _SIGNIFICAND[dtype] // 3 - 1
    odd = 3 + 2 * (np.floor(np.abs(part) * 7) % 3)
    factor.ravel()[:slots] *= odd.ravel()[:slots] / 4
    out = np.where(real_axis, factor, 1j * factor) if wide.dtype.kind == "c" else factor
    return out.astype(a.dtype)


@dataclass(frozen=True)
class ExactReduction:
    """A reduction's samples (``axis``, ``keepdims`` as in ``samplers.Reduction``) whose
    float values make the result exact in any accumulation order: ``kind`` "sum" draws
    dyadic integers small enough that all partial sums are representable, "prod" draws
    factors 0, +-1, +-2, +-1/2 (a bounded count of non-unit ones). Integers are drawn freely
    (their wrap-around arithmetic is exact in any order). ``nonempty``: no empty axis.
    ``bounds`` per dtype kind: "i" bounds the integers (None: their whole range), "f" and
    "c" bound the arbitrary values other suites draw (``oracles.ReductionCase``)."""

    kind: str = "sum"
    nonempty: bool = False
    bounds: dict[str, float] = field(default_factory=dict)

    def _exact(self, a: np.ndarray, dtype: str, scale: int, n: int) -> np.ndarray:
        if dtype not in _SIGNIFICAND:
            return a
        if self.kind == "prod":
            return _exact_factors(a, dtype)
        return _exact_terms(a, dtype, scale)

    def _shapes(self, small: bool, bucketed: bool) -> st.SearchStrategy[tuple[int, ...]]:
        if bucketed:
            shapes = [s[0] for s in BUCKETS[1] if not (self.nonempty and 0 in s[0])]
            return st.sampled_from(shapes)
        max_rank = 2 if small else 3
        if self.nonempty:
            return S.shapes(0, max_rank, 1, 4)
        return small_shapes(0, max_rank)

    def strategy(
        self, dtype: str, small: bool = False, bucketed: bool = False
    ) -> st.SearchStrategy[Sample]:
        bound = self.bounds.get("i")
        if dtype in _SIGNIFICAND:
            bound = 2.0 if self.kind == "prod" else float(_sum_bound(dtype, _PROPERTY_ELEMENTS))

        @st.composite
        def draw(draw_: Any) -> Sample:
            shape = draw_(self._shapes(small, bucketed))
            x = draw_(S.arrays(dtype, shape, bound=bound))
            scale = draw_(st.integers(-4, 4))
            x = self._exact(x, dtype, scale, x.size)
            axis = draw_(S.axes(len(shape)))
            return Sample((x,), (("axis", axis), ("keepdims", draw_(st.booleans()))))

        return draw()

    def reference(self, dtype: str, length: int, rng: np.random.Generator) -> Sample:
        if dtype not in _SIGNIFICAND:
            x = random_array(dtype, (length,), rng, self.bounds.get("i"))
        elif self.kind == "prod":
            x = _exact_factors(rng.permutation(random_array(dtype, (length,), rng, 2.0)), dtype)
        else:
            bound = _sum_bound(dtype, length)
            # at most 2^p / bound nonzero terms: every partial sum stays exact
            nonzero = min(length, 2 ** _SIGNIFICAND[dtype] // bound)
            x = _exact_terms(random_array(dtype, (length,), rng, bound), dtype, -2, nonzero)
            x = rng.permutation(x)
        return Sample((x,), (("axis", None), ("keepdims", False)))


# --- gradient maps ----------------------------------------------------------------------

# maximum/minimum: x and y half an integer apart (never tied, so one side of the kink).
QUARTER = same_dtype(lambda a: np.floor(a) + 0.25)
THREE_QUARTERS = same_dtype(lambda a: np.floor(a) + 0.75)


def _distinct(a: np.ndarray) -> np.ndarray:
    """Distinct values in the same order (ties broken): reduce_max/min then have one
    maximum per slice, where the derivative is defined."""
    flat = a.ravel()
    ranks = np.argsort(np.argsort(flat, kind="stable"), kind="stable")
    return ((ranks - flat.size / 2) * 0.375).reshape(a.shape)


DISTINCT = same_dtype(_distinct)

# --- records ----------------------------------------------------------------------------


def _top(fn_name: str) -> Callable[..., Any]:
    """The top-level tf function ``fn_name`` (tf.truncatediv), looked up when called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(_tf(), fn_name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = fn_name
    return call


def row(
    arity: int,
    name: str,
    oracle: Callable[..., Any],
    dtypes: tuple[str, ...],
    claim: str,
    reference: str,
    *,
    bounds: dict[str, float] | None = None,
    domains: tuple[Any, ...] = (),
    grad: bool | Grad = True,
    **kwargs: Any,
) -> OpRecord:
    """A row of the former table: an element-wise record keeping its claim id; ``bounds``
    per dtype kind ("f", "c", "i") as the table had them."""
    if not isinstance(grad, Grad):
        grad = Grad(args=tuple(range(arity))) if grad else None
    return OpRecord(
        name=f"tf.math.{name}", fn=_math(name), oracle=oracle,
        sampler=Elementwise(arity, bounds=bounds or {}, domains=domains), dtypes=dtypes,
        doc=f"{API}tf/math/{name}", reference=reference, grad=grad,
        claim_id=f"eager.{claim}", **kwargs,
    )  # fmt: skip


def top_row(name: str, *args: Any, **kwargs: Any) -> OpRecord:
    """A row for a top-level function (tf.truncatediv: tf.math does not export it)."""
    record = row(2, name, *args, **kwargs)
    return OpRecord(**{**record.__dict__, "name": f"tf.{name}", "fn": _top(name),
                       "doc": f"{API}tf/{name}"})  # fmt: skip


_PLAIN = Grad()


def reduction(
    name: str,
    oracle: Callable[..., Any],
    dtypes: tuple[str, ...],
    claim: str,
    reference: str,
    sampler: Any,
    grad: Grad | None = _PLAIN,
    **kwargs: Any,
) -> OpRecord:
    return OpRecord(
        name=f"tf.math.{name}", fn=_math(name), oracle=oracle, sampler=sampler, dtypes=dtypes,
        doc=f"{API}tf/math/{name}", reference=reference, grad=grad,
        claim_id=f"eager.{claim}", signed_zeros=False, **kwargs,
    )  # fmt: skip


def _np_mean(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    if x.dtype.kind in "iu":
        # The documented integer mean truncates toward zero (its samples keep the sum
        # within every accumulator: the accumulator's width is not documented).
        total = np.sum(x.astype(object), axis=axis, keepdims=keepdims)
        count = x.size // max(np.size(total), 1)
        return _c_trunc_div(
            np.asarray(total, dtype=np.int64), np.full(np.shape(total), count, np.int64)
        ).astype(x.dtype)
    return _np_reduce(np.mean, False)(x, axis=axis, keepdims=keepdims)


_DIV_DOMAINS = (DIVIDEND, AWAY_FROM_ZERO)
# Complex products cancel in their real/imaginary parts: small parts keep the component-wise
# comparison meaningful (absolute error stays within the dtype's atol).
_SMALL_COMPLEX = {"c": 2.0}
_TRUEDIV_RESULT = {
    **{d: "float32" for d in ("int8", "int16", "uint8", "uint16")},
    **{d: "float64" for d in ("int32", "int64", "uint32", "uint64")},
}
_MINMAX_GRAD = Grad(args=(0, 1), smooth=(QUARTER, THREE_QUARTERS))
_BOTH = Grad(args=(0, 1))
_ALL = (*NUMERIC, "bool")

RECORDS: tuple[OpRecord, ...] = (
    # -- arithmetic ------------------------------------------------------------------------
    row(2, "add", np.add, NUMERIC, "add-matches-numpy",
        "like numpy.add (with broadcasting; integers wrap exactly)", grad=_BOTH),
    row(2, "subtract", np.subtract, NUMERIC, "subtract-matches-numpy",
        "like numpy.subtract (with broadcasting)", grad=_BOTH),
    row(2, "multiply", np.multiply, NUMERIC, "multiply-matches-numpy",
        "like numpy.multiply (with broadcasting)", bounds=_SMALL_COMPLEX, grad=_BOTH),
    # Integers are divided as tf.math.truediv divides them (in floating point).
    row(2, "divide", np.true_divide, NUMERIC, "divide-matches-numpy",
        "like Python's / (integers as tf.math.truediv divides them)", result=_TRUEDIV_RESULT,
        bounds=_SMALL_COMPLEX, domains=(None, AWAY_FROM_ZERO), grad=_BOTH),
    row(2, "truediv", np.true_divide, NUMERIC, "truediv-of-integers-is-floating",
        "of x / y, 8- and 16-bit integers cast to float32 and 32- and 64-bit ones to float64"
        " first", bounds=_SMALL_COMPLEX, domains=(None, AWAY_FROM_ZERO),
        result=_TRUEDIV_RESULT, grad=_BOTH),
    row(2, "floordiv", np_floordiv, FLOATS + INTS, "floordiv-rounds-toward-negative-infinity",
        "of Python's // (the quotient rounded toward negative infinity)",
        domains=_DIV_DOMAINS, oracle_wants_dtype=True, grad=False),
    # TF's sign of an exactly-zero float remainder is not documented (and is not Python's).
    row(2, "floormod", np_floormod, FLOATS + INTS, "floormod-has-divisor-sign",
        "of Python's % (floor(x / y) * y + floormod(x, y) = x, the sign of y)",
        domains=_DIV_DOMAINS, signed_zeros=False, grad=False),
    top_row("truncatediv", np_truncatediv, FLOATS + INTS, "truncatediv-rounds-toward-zero",
            "of C's / (the quotient rounded toward zero)", domains=_DIV_DOMAINS,
            oracle_wants_dtype=True, signed_zeros=False, grad=False),
    top_row("truncatemod", np_truncatemod, ("float32", "float64", "int32", "int64"),
            "truncatemod-has-dividend-sign", "of C's fmod (the sign of x)",
            domains=_DIV_DOMAINS, oracle_wants_dtype=True, signed_zeros=False, grad=False),
    row(2, "pow", np.power, FLOATS + COMPLEX + SIGNED,
        "pow-matches-numpy", "of x ** y (numpy.power)", bounds={"f": 3.0, "c": 2.0, "i": 3.0},
        domains=(same_dtype(lambda a: np.abs(a) + 0.25), NON_NEGATIVE), grad=_BOTH),
    row(2, "maximum", np.maximum, FLOATS + INTS, "maximum-matches-numpy",
        "like numpy.maximum (with broadcasting)", grad=_MINMAX_GRAD),
    row(2, "minimum", np.minimum, FLOATS + INTS, "minimum-matches-numpy",
        "like numpy.minimum (with broadcasting)", grad=_MINMAX_GRAD),
    # -- comparisons and logic (bool results) ---------------------------------------------
    row(2, "less", np.less, FLOATS + INTS, "less-is-elementwise-bool", "of x < y",
        result="bool", grad=False),
    row(2, "less_equal", np.less_equal, FLOATS + INTS, "less-equal-is-elementwise-bool",
        "of x <= y", result="bool", grad=False),
    row(2, "greater", np.greater, FLOATS + INTS, "greater-is-elementwise-bool", "of x > y",
        result="bool", grad=False),
    row(2, "equal", np.equal, _ALL, "equal-is-elementwise-bool", "of x == y",
        result="bool", grad=False),
    row(2, "not_equal", np.not_equal, _ALL, "not-equal-is-elementwise-bool", "of x != y",
        result="bool", grad=False),
    row(2, "logical_and", np.logical_and, ("bool",), "logical-and-truth-table",
        "of the boolean AND", result="bool", grad=False),
    row(2, "logical_or", np.logical_or, ("bool",), "logical-or-truth-table",
        "of the boolean OR", result="bool", grad=False),
    row(2, "logical_xor", np.logical_xor, ("bool",), "logical-xor-truth-table",
        "of the boolean exclusive OR", result="bool", grad=False),
    row(1, "logical_not", np.logical_not, ("bool",), "logical-not-truth-table",
        "of the boolean NOT", result="bool", grad=False),
    # -- unary -------------------------------------------------------------------------------
    row(1, "negative", np.negative, FLOATS + COMPLEX + SIGNED, "negative-matches-numpy",
        "of -x"),
    # |z| of a complex tensor is real (float32 for complex64).
    row(1, "abs", np.abs, FLOATS + COMPLEX + SIGNED, "abs-matches-numpy", "of |x|",
        domains=(NO_INT_MIN,), result=_real_result(COMPLEX),
        grad=Grad(smooth=(AWAY_FROM_ZERO,))),
    row(1, "exp", np.exp, FLOATS + COMPLEX, "exp-matches-numpy", "of numpy.exp",
        bounds={"f": 10.0, "c": 3.0}),
    row(1, "log", np.log, FLOATS + COMPLEX, "log-matches-numpy", "of numpy.log",
        domains=(POSITIVE,)),
    row(1, "sqrt", np.sqrt, FLOATS + COMPLEX, "sqrt-matches-numpy", "of numpy.sqrt",
        domains=(NON_NEGATIVE,), grad=Grad(smooth=(POSITIVE,))),
    row(1, "sin", np.sin, FLOATS + COMPLEX, "sin-matches-numpy", "of numpy.sin",
        bounds={"f": 50.0, "c": 3.0}),
    row(1, "cos", np.cos, FLOATS + COMPLEX, "cos-matches-numpy", "of numpy.cos",
        bounds={"f": 50.0, "c": 3.0}),
    row(1, "tanh", np.tanh, FLOATS + COMPLEX, "tanh-matches-numpy", "of numpy.tanh",
        bounds={"f": 20.0, "c": 1.5}),
    # -- reductions (axis=None: all axes; keepdims keeps them as size 1) ---------------------
    reduction("reduce_sum", _np_reduce(np.sum, True), FLOATS + COMPLEX + INTS,
              "reduce-sum-matches-numpy", "of numpy.sum over the given axes (integers wrap)",
              ExactReduction("sum")),
    # The mean of nothing has its own claim (eager.reduce-mean-over-empty-is-nan).
    reduction("reduce_mean", _np_mean, NUMERIC, "reduce-mean-matches-numpy",
              "of numpy.mean over the given axes (integers: truncated toward zero)",
              ExactReduction("sum", nonempty=True, bounds={"i": 100})),
    reduction("reduce_prod", _np_reduce(np.prod, True), FLOATS + COMPLEX + INTS,
              "reduce-prod-matches-numpy", "of numpy.prod over the given axes (integers wrap)",
              ExactReduction("prod", bounds={"f": 1.5, "c": 1.0})),
    reduction("reduce_max", np_reduce_max, FLOATS + INTS, "reduce-max-matches-numpy",
              "of numpy.max over the given axes (-inf, or the lowest integer, over nothing)",
              Reduction(), grad=Grad(smooth=(DISTINCT,))),
    reduction("reduce_min", np_reduce_min, FLOATS + INTS, "reduce-min-matches-numpy",
              "of numpy.min over the given axes (+inf, or the highest integer, over nothing)",
              Reduction(), grad=Grad(smooth=(DISTINCT,))),
)  # fmt: skip
