"""A declarative table of TensorFlow ops and their independent NumPy oracles.

One row per op; one generic, parametrized test per op family checks every row (the eager
suite) and the graph suite reuses the same rows for graph-vs-eager equivalence. The names
below are stable API for the suites:

``OpCase``
    An element-wise op: ``name``, ``tf_fn`` (module-level, tensors positionally),
    ``np_fn`` (the oracle, on float64/complex128 arrays, or on the native integer arrays
    for integer dtypes, whose NumPy arithmetic wraps around exactly like two's complement),
    ``dtypes`` (the dtype names it is checked with), ``arity``, the claim it checks
    (``claim_id``, ``statement``, ``doc``; ``case.claim_mark`` is the pytest mark),
    ``bounds`` (element bound per dtype kind), ``domains`` (per-argument maps onto the op's
    domain), ``signed_zeros`` / ``compare_signed_zeros(dtype)`` (pass the latter to
    ``assert_close``) and ``result_dtype(dtype)`` ("bool" for comparisons, floats for
    ``truediv`` of integers).
    ``case.inputs(dtype, shapes)`` is a hypothesis strategy of argument arrays;
    ``case.oracle(dtype, *arrays)`` the expected result (never computed with TensorFlow).
``ReductionCase``
    A reduction ``tf_fn(x, axis=, keepdims=)`` with ``np_fn(x, axis=, keepdims=)``; bind the
    Python-constant arguments with ``reduction_fn(case, axis, keepdims)`` (memoized, so
    compiled functions are reused across examples).
``UNARY_OPS``, ``BINARY_OPS``, ``ELEMENTWISE_OPS``, ``REDUCTIONS``
    The tables. ``by_name(name)`` finds any case; ``params(cases)`` gives ``pytest.param``
    objects carrying each case's claim mark and its name as id.
``matmul_fn`` / ``matmul_oracle``
    Matrix products (2-D and batched) and their float64 oracle.

Importing this module imports NumPy and hypothesis but not TensorFlow: the TF functions
import it lazily when first called.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st

from . import strategies as S
from .claims import claim

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


def _c_trunc_div(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """C-style integer division (toward zero), exactly, on Python ints (|INT_MIN| overflows)."""
    xo, yo = np.asarray(x).astype(object), np.asarray(y).astype(object)
    q = abs(xo) // abs(yo)
    return np.where((xo < 0) != (yo < 0), -q, q).astype(np.asarray(x).dtype)


# --- TF functions (module level: compiled functions are cached by identity) -------------


def tf_add(x, y):
    return _tf().math.add(x, y)


def tf_subtract(x, y):
    return _tf().math.subtract(x, y)


def tf_multiply(x, y):
    return _tf().math.multiply(x, y)


def tf_divide(x, y):
    return _tf().math.divide(x, y)


def tf_truediv(x, y):
    return _tf().math.truediv(x, y)


def tf_floordiv(x, y):
    return _tf().math.floordiv(x, y)


def tf_floormod(x, y):
    return _tf().math.floormod(x, y)


def tf_truncatediv(x, y):
    return _tf().truncatediv(x, y)


def tf_truncatemod(x, y):
    return _tf().truncatemod(x, y)


def tf_pow(x, y):
    return _tf().math.pow(x, y)


def tf_maximum(x, y):
    return _tf().math.maximum(x, y)


def tf_minimum(x, y):
    return _tf().math.minimum(x, y)


def tf_less(x, y):
    return _tf().math.less(x, y)


def tf_less_equal(x, y):
    return _tf().math.less_equal(x, y)


def tf_greater(x, y):
    return _tf().math.greater(x, y)


def tf_equal(x, y):
    return _tf().math.equal(x, y)


def tf_not_equal(x, y):
    return _tf().math.not_equal(x, y)


def tf_logical_and(x, y):
    return _tf().math.logical_and(x, y)


def tf_logical_or(x, y):
    return _tf().math.logical_or(x, y)


def tf_logical_xor(x, y):
    return _tf().math.logical_xor(x, y)


def tf_logical_not(x):
    return _tf().math.logical_not(x)


def tf_negative(x):
    return _tf().math.negative(x)


def tf_abs(x):
    return _tf().math.abs(x)


def tf_exp(x):
    return _tf().math.exp(x)


def tf_log(x):
    return _tf().math.log(x)


def tf_sqrt(x):
    return _tf().math.sqrt(x)


def tf_sin(x):
    return _tf().math.sin(x)


def tf_cos(x):
    return _tf().math.cos(x)


def tf_tanh(x):
    return _tf().math.tanh(x)


def tf_reduce_sum(x, axis=None, keepdims=False):
    return _tf().math.reduce_sum(x, axis=axis, keepdims=keepdims)


def tf_reduce_mean(x, axis=None, keepdims=False):
    return _tf().math.reduce_mean(x, axis=axis, keepdims=keepdims)


def tf_reduce_max(x, axis=None, keepdims=False):
    return _tf().math.reduce_max(x, axis=axis, keepdims=keepdims)


def tf_reduce_min(x, axis=None, keepdims=False):
    return _tf().math.reduce_min(x, axis=axis, keepdims=keepdims)


def tf_reduce_prod(x, axis=None, keepdims=False):
    return _tf().math.reduce_prod(x, axis=axis, keepdims=keepdims)


def tf_matmul(a, b):
    return _tf().linalg.matmul(a, b)


# --- oracles that need more than one NumPy call -------------------------------------------


def _round_to(dtype: str, value: np.ndarray) -> np.ndarray:
    """Round a float64 value to ``dtype`` and back (the op's own result rounding)."""
    with np.errstate(all="ignore"):
        return np.asarray(value).astype(S.numpy_dtype(dtype)).astype(np.float64)


def np_floordiv(x: np.ndarray, y: np.ndarray, dtype: str) -> np.ndarray:
    if np.asarray(x).dtype.kind in "iu":
        return np.floor_divide(x, y)
    # floor(x / y) of the quotient as the dtype rounds it: a quotient just below an
    # integer may round up to it in a narrow format, and floor then differs by 1.
    with np.errstate(all="ignore"):
        return np.floor(_round_to(dtype, x / y))


def np_truncatediv(x: np.ndarray, y: np.ndarray, dtype: str) -> np.ndarray:
    if np.asarray(x).dtype.kind in "iu":
        return _c_trunc_div(x, y)
    with np.errstate(all="ignore"):
        return np.trunc(_round_to(dtype, x / y))


def np_truncatemod(x: np.ndarray, y: np.ndarray, dtype: str) -> np.ndarray:
    if np.asarray(x).dtype.kind in "iu":
        return (x - _c_trunc_div(x, y) * y).astype(x.dtype)
    return np.fmod(x, y)


# --- the element-wise table ---------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class OpCase:
    """One element-wise op, its oracle and the claim its generic test checks."""

    name: str
    tf_fn: Callable[..., Any]
    np_fn: Callable[..., np.ndarray]
    dtypes: tuple[str, ...]
    arity: int
    claim_id: str
    statement: str
    doc: str
    # element bound per dtype kind ("f" floats, "c" complex, "i" ints); None = default
    bounds: dict[str, float] = field(default_factory=dict)
    domains: tuple[Domain | None, ...] = ()
    signed_zeros: bool = True
    # "same" (the inputs' dtype), "bool", or a mapping input dtype -> result dtype
    result: str | dict[str, str] = "same"
    # np_fn takes the dtype name as a keyword (oracles that model the result's rounding)
    wants_dtype: bool = False

    @property
    def claim_mark(self):
        return claim(self.claim_id, self.statement, self.doc)

    def compare_signed_zeros(self, dtype: str) -> bool:
        """Whether the sign of an exactly-zero result is part of the claim for ``dtype``.

        Complex results never pin it: the sign of a zero real or imaginary part is not
        specified by the docs (and differs between kernels and XLA).
        """
        return self.signed_zeros and dtype not in COMPLEX

    def result_dtype(self, dtype: str) -> str:
        if self.result == "same":
            return dtype
        if self.result == "bool":
            return "bool"
        return self.result.get(dtype, dtype)

    def bound(self, dtype: str) -> float | None:
        kind = "c" if dtype in COMPLEX else "f" if dtype in FLOATS else "i"
        return self.bounds.get(kind)

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
        """The expected result: NumPy on float64 (complex128) or on the exact integers."""
        if dtype in FLOATS or dtype in COMPLEX:
            args = [S.as_float64(a) for a in arrays]
        else:
            args = [np.asarray(a) for a in arrays]
        kwargs = {"dtype": dtype} if self.wants_dtype else {}
        with np.errstate(all="ignore"):
            return np.asarray(self.np_fn(*args, **kwargs))


def _case(name: str, tf_fn, np_fn, dtypes, arity: int, slug: str, statement: str, page: str, **kw):
    return OpCase(
        name=name,
        tf_fn=tf_fn,
        np_fn=np_fn,
        dtypes=tuple(dtypes),
        arity=arity,
        claim_id=f"eager.{slug}",
        statement=statement,
        doc=f"{API}/{page}",
        **kw,
    )


_DIV_DOMAINS = (DIVIDEND, AWAY_FROM_ZERO)
# Complex products cancel in their real/imaginary parts: small parts keep the component-wise
# comparison meaningful (absolute error stays within the dtype's atol).
_SMALL_COMPLEX = {"c": 2.0}

BINARY_OPS: tuple[OpCase, ...] = (
    _case(
        "add",
        tf_add,
        np.add,
        NUMERIC,
        2,
        "add-matches-numpy",
        "tf.math.add adds element-wise (with broadcasting) like NumPy; integers wrap exactly.",
        "math/add",
    ),
    _case(
        "subtract",
        tf_subtract,
        np.subtract,
        NUMERIC,
        2,
        "subtract-matches-numpy",
        "tf.math.subtract subtracts element-wise (with broadcasting) like NumPy.",
        "math/subtract",
    ),
    _case(
        "multiply",
        tf_multiply,
        np.multiply,
        NUMERIC,
        2,
        "multiply-matches-numpy",
        "tf.math.multiply multiplies element-wise (with broadcasting) like NumPy.",
        "math/multiply",
        bounds=_SMALL_COMPLEX,
    ),
    _case(
        "divide",
        tf_divide,
        np.true_divide,
        FLOATS + COMPLEX,
        2,
        "divide-matches-numpy",
        "tf.math.divide divides floating and complex tensors element-wise like Python's /.",
        "math/divide",
        bounds=_SMALL_COMPLEX,
        domains=(None, AWAY_FROM_ZERO),
    ),
    _case(
        "truediv",
        tf_truediv,
        np.true_divide,
        SIGNED,
        2,
        "truediv-of-integers-is-floating",
        "tf.math.truediv casts int8/int16 to float32 and int32/int64 to float64 before dividing.",
        "math/truediv",
        domains=(None, AWAY_FROM_ZERO),
        result={"int8": "float32", "int16": "float32", "int32": "float64", "int64": "float64"},
    ),
    _case(
        "floordiv",
        tf_floordiv,
        np_floordiv,
        FLOATS + INTS,
        2,
        "floordiv-rounds-toward-negative-infinity",
        "tf.math.floordiv rounds the quotient toward negative infinity, like Python's //.",
        "math/floordiv",
        domains=_DIV_DOMAINS,
        wants_dtype=True,
    ),
    _case(
        "floormod",
        tf_floormod,
        np.mod,
        FLOATS + INTS,
        2,
        "floormod-has-divisor-sign",
        "tf.math.floormod follows Python's %: floor(x / y) * y + floormod(x, y) = x,"
        " the result has the sign of y.",
        "math/floormod",
        domains=_DIV_DOMAINS,
        # TF's sign of an exactly-zero float remainder is not documented (and is not Python's)
        signed_zeros=False,
    ),
    _case(
        "truncatediv",
        tf_truncatediv,
        np_truncatediv,
        FLOATS + INTS,
        2,
        "truncatediv-rounds-toward-zero",
        "tf.truncatediv rounds the quotient toward zero (C semantics).",
        "truncatediv",
        domains=_DIV_DOMAINS,
        wants_dtype=True,
        signed_zeros=False,
    ),
    _case(
        "truncatemod",
        tf_truncatemod,
        np_truncatemod,
        ("float32", "float64", "int32", "int64"),
        2,
        "truncatemod-has-dividend-sign",
        "tf.truncatemod is the remainder of truncated division (C fmod): it has the sign of x.",
        "truncatemod",
        domains=_DIV_DOMAINS,
        wants_dtype=True,
        signed_zeros=False,
    ),
    _case(
        "pow",
        tf_pow,
        np.power,
        ("float16", "bfloat16", "float32", "float64", *SIGNED),
        2,
        "pow-matches-numpy",
        "tf.math.pow computes x ** y element-wise for floating and integer tensors.",
        "math/pow",
        bounds={"f": 3.0, "i": 3.0},
        domains=(same_dtype(lambda a: np.abs(a) + 0.25), same_dtype(np.abs)),
    ),
    _case(
        "maximum",
        tf_maximum,
        np.maximum,
        FLOATS + INTS,
        2,
        "maximum-matches-numpy",
        "tf.math.maximum returns the element-wise larger value (with broadcasting).",
        "math/maximum",
    ),
    _case(
        "minimum",
        tf_minimum,
        np.minimum,
        FLOATS + INTS,
        2,
        "minimum-matches-numpy",
        "tf.math.minimum returns the element-wise smaller value (with broadcasting).",
        "math/minimum",
    ),
    _case(
        "less",
        tf_less,
        np.less,
        FLOATS + INTS,
        2,
        "less-is-elementwise-bool",
        "tf.math.less returns the bool truth value of x < y element-wise.",
        "math/less",
        result="bool",
    ),
    _case(
        "less_equal",
        tf_less_equal,
        np.less_equal,
        FLOATS + INTS,
        2,
        "less-equal-is-elementwise-bool",
        "tf.math.less_equal returns the bool truth value of x <= y element-wise.",
        "math/less_equal",
        result="bool",
    ),
    _case(
        "greater",
        tf_greater,
        np.greater,
        FLOATS + INTS,
        2,
        "greater-is-elementwise-bool",
        "tf.math.greater returns the bool truth value of x > y element-wise.",
        "math/greater",
        result="bool",
    ),
    _case(
        "equal",
        tf_equal,
        np.equal,
        (*NUMERIC, "bool"),
        2,
        "equal-is-elementwise-bool",
        "tf.math.equal returns the bool truth value of x == y element-wise.",
        "math/equal",
        result="bool",
    ),
    _case(
        "not_equal",
        tf_not_equal,
        np.not_equal,
        (*NUMERIC, "bool"),
        2,
        "not-equal-is-elementwise-bool",
        "tf.math.not_equal returns the bool truth value of x != y element-wise.",
        "math/not_equal",
        result="bool",
    ),
    _case(
        "logical_and",
        tf_logical_and,
        np.logical_and,
        ("bool",),
        2,
        "logical-and-truth-table",
        "tf.math.logical_and is the element-wise boolean AND.",
        "math/logical_and",
        result="bool",
    ),
    _case(
        "logical_or",
        tf_logical_or,
        np.logical_or,
        ("bool",),
        2,
        "logical-or-truth-table",
        "tf.math.logical_or is the element-wise boolean OR.",
        "math/logical_or",
        result="bool",
    ),
    _case(
        "logical_xor",
        tf_logical_xor,
        np.logical_xor,
        ("bool",),
        2,
        "logical-xor-truth-table",
        "tf.math.logical_xor is the element-wise boolean exclusive OR.",
        "math/logical_xor",
        result="bool",
    ),
)

UNARY_OPS: tuple[OpCase, ...] = (
    _case(
        "negative", tf_negative, np.negative, FLOATS + COMPLEX + SIGNED, 1,
        "negative-matches-numpy",
        "tf.math.negative computes -x element-wise.",
        "math/negative",
    ),
    _case(
        "abs", tf_abs, np.abs, FLOATS + SIGNED, 1, "abs-matches-numpy",
        "tf.math.abs computes |x| element-wise for real tensors.",
        "math/abs", domains=(NO_INT_MIN,),
    ),
    _case(
        "exp", tf_exp, np.exp, FLOATS + COMPLEX, 1, "exp-matches-numpy",
        "tf.math.exp computes e ** x element-wise.",
        "math/exp", bounds={"f": 10.0, "c": 3.0},
    ),
    _case(
        "log", tf_log, np.log, FLOATS, 1, "log-matches-numpy",
        "tf.math.log computes the natural logarithm element-wise.",
        "math/log", domains=(POSITIVE,),
    ),
    _case(
        "sqrt", tf_sqrt, np.sqrt, FLOATS, 1, "sqrt-matches-numpy",
        "tf.math.sqrt computes the square root element-wise.",
        "math/sqrt", domains=(NON_NEGATIVE,),
    ),
    _case(
        "sin", tf_sin, np.sin, FLOATS + COMPLEX, 1, "sin-matches-numpy",
        "tf.math.sin computes the sine element-wise.",
        "math/sin", bounds={"f": 50.0, "c": 3.0},
    ),
    _case(
        "cos", tf_cos, np.cos, FLOATS + COMPLEX, 1, "cos-matches-numpy",
        "tf.math.cos computes the cosine element-wise.",
        "math/cos", bounds={"f": 50.0, "c": 3.0},
    ),
    _case(
        "tanh", tf_tanh, np.tanh, FLOATS, 1, "tanh-matches-numpy",
        "tf.math.tanh computes the hyperbolic tangent element-wise.",
        "math/tanh", bounds={"f": 20.0},
    ),
    _case(
        "logical_not", tf_logical_not, np.logical_not, ("bool",), 1, "logical-not-truth-table",
        "tf.math.logical_not is the element-wise boolean NOT.",
        "math/logical_not", result="bool",
    ),
)  # fmt: skip

ELEMENTWISE_OPS: tuple[OpCase, ...] = BINARY_OPS + UNARY_OPS


# --- reductions -------------------------------------------------------------------------


def _np_reduce(fn: Callable[..., np.ndarray], wrap_ints: bool) -> Callable[..., np.ndarray]:
    def reduce(x: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
        x = np.asarray(x)
        if wrap_ints and x.dtype.kind in "iu":
            # accumulate in the input's own integer type: wraps like TensorFlow's kernels
            return np.asarray(fn(x, axis=axis, keepdims=keepdims, dtype=x.dtype))
        return np.asarray(fn(x, axis=axis, keepdims=keepdims))

    return reduce


def _np_max(x: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
    return np.max(x, axis=axis, keepdims=keepdims, initial=_lowest(x.dtype))


def _np_min(x: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
    return np.min(x, axis=axis, keepdims=keepdims, initial=_highest(x.dtype))


def _lowest(dtype: np.dtype) -> Any:
    return -np.inf if dtype.kind in "fc" else np.iinfo(dtype).min


def _highest(dtype: np.dtype) -> Any:
    return np.inf if dtype.kind in "fc" else np.iinfo(dtype).max


@dataclass(frozen=True, eq=False)
class ReductionCase:
    """A reduction ``tf_fn(x, axis=, keepdims=)`` and its NumPy oracle."""

    name: str
    tf_fn: Callable[..., Any]
    np_fn: Callable[..., np.ndarray]
    dtypes: tuple[str, ...]
    claim_id: str
    statement: str
    doc: str
    bounds: dict[str, float] = field(default_factory=dict)
    # the float result's rounding error grows with the number of terms: the oracle test
    # scales the dtype's epsilon by it (see ``error_scale``)
    accumulates: bool = True

    @property
    def claim_mark(self):
        return claim(self.claim_id, self.statement, self.doc)

    def bound(self, dtype: str) -> float | None:
        kind = "c" if dtype in COMPLEX else "f" if dtype in FLOATS else "i"
        return self.bounds.get(kind)

    def oracle(self, x: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
        x = np.asarray(x)
        data = S.as_float64(x) if x.dtype.kind in "fcV" else x
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # mean of an empty slice is NaN
            return self.np_fn(data, axis=axis, keepdims=keepdims)


def _reduction(name, tf_fn, np_fn, dtypes, slug, statement, page, **kw) -> ReductionCase:
    return ReductionCase(
        name, tf_fn, np_fn, tuple(dtypes), f"eager.{slug}", statement, f"{API}/{page}", **kw
    )


REDUCTIONS: tuple[ReductionCase, ...] = (
    _reduction(
        "reduce_sum", tf_reduce_sum, _np_reduce(np.sum, True), FLOATS + COMPLEX + INTS,
        "reduce-sum-matches-numpy",
        "tf.math.reduce_sum sums over the given axes (all by default), keeping reduced axes"
        " as size 1 with keepdims.",
        "math/reduce_sum",
    ),
    _reduction(
        "reduce_mean", tf_reduce_mean, _np_reduce(np.mean, False), FLOATS + COMPLEX,
        "reduce-mean-matches-numpy",
        "tf.math.reduce_mean averages floating tensors over the given axes, like np.mean.",
        "math/reduce_mean",
    ),
    _reduction(
        "reduce_max", tf_reduce_max, _np_max, FLOATS + INTS, "reduce-max-matches-numpy",
        "tf.math.reduce_max takes the maximum over the given axes, like np.max.",
        "math/reduce_max", accumulates=False,
    ),
    _reduction(
        "reduce_min", tf_reduce_min, _np_min, FLOATS + INTS, "reduce-min-matches-numpy",
        "tf.math.reduce_min takes the minimum over the given axes, like np.min.",
        "math/reduce_min", accumulates=False,
    ),
    _reduction(
        "reduce_prod", tf_reduce_prod, _np_reduce(np.prod, True), FLOATS + COMPLEX + INTS,
        "reduce-prod-matches-numpy",
        "tf.math.reduce_prod multiplies over the given axes, like np.prod; integers wrap.",
        "math/reduce_prod", bounds={"f": 1.5, "c": 1.0},
    ),
)  # fmt: skip


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
matmul_fn = tf_matmul


def matmul_oracle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` in float64/complex128 (or exactly in the integers' own wrapping type)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "iu":
        return np.matmul(a, b)
    return np.matmul(S.as_float64(a), S.as_float64(b))


# --- lookup and parametrization ---------------------------------------------------------


def by_name(name: str) -> OpCase | ReductionCase:
    for case in ELEMENTWISE_OPS + REDUCTIONS:
        if case.name == name:
            return case
    raise KeyError(name)


def params(cases: Sequence[OpCase | ReductionCase]) -> list[Any]:
    """``pytest.param(case, id=case.name, marks=case.claim_mark)`` for each case."""
    import pytest

    return [pytest.param(case, id=case.name, marks=case.claim_mark) for case in cases]


def reduced_count(shape: tuple[int, ...], axis: int | tuple[int, ...] | None) -> int:
    """How many input elements each output element of a reduction combines."""
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    chosen = (axis,) if isinstance(axis, int) else axis
    return int(np.prod([shape[a] for a in chosen], dtype=np.int64))
