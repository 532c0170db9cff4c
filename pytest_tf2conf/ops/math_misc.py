"""tf.math: sums of lists, arg-extrema and top-k (ties on purpose: their documented order),
special functions of several arguments, polynomials, counting (bincount, confusion
matrices), permutations and monotonicity tests, and Sobol sequences.

Functions with several results (top_k) or a list argument (add_n, polyval) are called
through a small wrapper that returns one tensor (the value check compares one result);
each wrapper says what it returns. Values are drawn from few distinct numbers where ties
matter (argmax, top_k, in_top_k), so that the documented tie rule is exercised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..oracles import POSITIVE, same_dtype
from ..tolerance import Tolerance
from .math import _math, _special, _tf, inside
from .math_samplers import Built, Source, exact_sum_values, is_float
from .math_table import DISTINCT
from .record import API, COMPLEX, FLOATS, INTS, NUMERIC, Grad, OpRecord, Sample
from .samplers import Elementwise

F32_64 = ("float32", "float64")
NO_BF16 = ("float16", "float32", "float64")
REAL = FLOATS + INTS


def _record(name: str, fn: Callable[..., Any], oracle: Callable[..., Any], sampler: Any,
            dtypes: tuple[str, ...], reference: str, **kwargs: Any) -> OpRecord:  # fmt: skip
    return OpRecord(
        name=f"tf.math.{name}", fn=fn, oracle=oracle, sampler=sampler, dtypes=dtypes,
        doc=f"{API}tf/math/{name}", reference=reference, **kwargs,
    )  # fmt: skip


def _wrapped(fn_name: str, call: Callable[..., Any]) -> Callable[..., Any]:
    """``call(tf.math.<fn_name>, *args)``, the function looked up when called."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return call(getattr(_tf().math, fn_name), *args, **kwargs)

    wrapper.__name__ = wrapper.__qualname__ = fn_name
    return wrapper


def _ties(src: Source, dtype: str, shape: tuple[int, ...], bound: float = 3.0) -> np.ndarray:
    """Values from a few integers (ties are likely): exact in every dtype."""
    x = src.array(dtype, shape, bound)
    return np.round(x).astype(x.dtype) if is_float(dtype) else x


# --- lists of tensors -------------------------------------------------------------------


def _n_sample(n: int) -> Callable[[Source, str, tuple], Sample]:
    def build(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
        return Sample(tuple(exact_sum_values(src, dtype, shape, n) for _ in range(n)))

    return build


def _sum_of(*xs: np.ndarray) -> np.ndarray:
    return np.sum(np.stack(xs), axis=0, dtype=xs[0].dtype)  # integers wrap


# add_n takes a list: the wrapper passes its arguments as one.
_ADD_N = _wrapped("add_n", lambda f, *xs: f(list(xs)))
_ACCUMULATE_N = _wrapped("accumulate_n", lambda f, *xs: f(list(xs)))

# --- arg-extrema and top-k ----------------------------------------------------------------


def _arg_sample(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
    return Sample(
        (_ties(src, dtype, shape),), (("axis", src.integer(-len(shape), len(shape) - 1)),)
    )


def _descending_key(x: np.ndarray) -> np.ndarray:
    """Sorting by this ascending sorts x descending, with no overflow (~x for integers)."""
    return ~x if x.dtype.kind in "iu" else -x


def _argmax(x: np.ndarray, axis: int) -> np.ndarray:
    return np.argmax(x, axis=axis).astype(np.int64)  # ties: the first index


def _argmin(x: np.ndarray, axis: int) -> np.ndarray:
    return np.argmin(x, axis=axis).astype(np.int64)


def _top_k_sample(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
    if src.reference:  # rows of 128 (indices exact in bfloat16), length elements in all
        n = shape[0]
        shape = (max(1, n // 128), min(n, 128))
    if src.small:  # TF 2.21's top_k gradient fails on an empty last axis (range(0, 0, 0))
        shape = (*shape[:-1], max(shape[-1], 1))
    values = _ties(src, dtype, shape, 3.0 if not src.reference else 100.0)
    return Sample((values,), (("k", src.integer(0, shape[-1])),))


def _top_k(x: np.ndarray, k: int) -> np.ndarray:
    order = np.argsort(_descending_key(x), axis=-1, kind="stable")[..., :k]
    values = np.take_along_axis(x, order, axis=-1)
    return np.stack([values, order.astype(values.dtype)])


# The values and, cast to their dtype, the indices (ties: the lower index first), stacked.
_TOP_K = _wrapped(
    "top_k",
    lambda f, x, k: (lambda r: _tf().stack([r.values, _tf().cast(r.indices, x.dtype)]))(f(x, k)),
)


def _in_top_k_sample(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
    batch, classes = shape
    predictions = _ties(src, dtype, shape)
    targets = src.integers(0, classes - 1, (batch,)).astype(np.int32)
    return Sample((targets, predictions), (("k", src.integer(0, classes)),))


def _in_top_k(targets: np.ndarray, predictions: np.ndarray, k: int) -> np.ndarray:
    # Documented: ties straddling the boundary are all in the top k; a non-finite target
    # prediction is not.
    target = np.take_along_axis(predictions, targets[:, None].astype(np.int64), axis=1)
    greater = np.sum(predictions > target, axis=1)
    return (greater < k) & np.isfinite(target[:, 0])


# --- special functions and polynomials ------------------------------------------------------


def _same_shape(*maps: Callable[[np.ndarray], np.ndarray], bound: float = 10.0):
    def build(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
        if src.small and shape and not shape[-1]:
            shape = (*shape[:-1], 1)  # lbeta of nothing is -inf: no finite differences
        return Sample(tuple(m(src.array(dtype, shape, bound)) for m in maps))

    return build


def _order(a: np.ndarray) -> np.ndarray:
    """polygamma's order: integers 0-3 as floats."""
    return (np.floor(np.abs(np.asarray(a, dtype=np.float64))) % 4).astype(a.dtype)


def _polygamma(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    import scipy.special

    return scipy.special.polygamma(a.astype(np.int64), x)


def _lbeta(x: np.ndarray) -> np.ndarray:
    import scipy.special

    return np.sum(scipy.special.gammaln(x), axis=-1) - scipy.special.gammaln(np.sum(x, axis=-1))


def _polyval_sample(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
    count = src.integer(2 if src.small else 1, 4)  # one coefficient: no gradient in x
    coeffs = src.array(dtype, (count,), 2.0)
    # the count is a constant: graph modes trace with unknown dimensions
    return Sample((coeffs, src.array(dtype, shape, 2.0)), (("count", count),))


def _polyval(coeffs: np.ndarray, x: np.ndarray, count: int) -> np.ndarray:
    # Horner, in the inputs' type (integers wrap as TensorFlow's do). Documented shape: the
    # expression's, so one coefficient gives that coefficient (x does not broadcast in).
    y = coeffs[0]
    for c in coeffs[1:]:
        y = y * x + c
    return y


# polyval takes a list of coefficients: the wrapper unstacks a 1-D tensor of them.
_POLYVAL = _wrapped("polyval", lambda f, c, x, count: f(_tf().unstack(c, num=count), x))

# --- counting -------------------------------------------------------------------------------

_BINS = 5


def _bincount_sample(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
    # values up to 7: the ones >= maxlength are documented to be ignored
    arr = _ties(src, dtype, shape, 7.0)
    arr = np.abs(arr).astype(arr.dtype) if dtype != "bool" else arr
    return Sample((arr,), (("minlength", _BINS), ("maxlength", _BINS)))


def _bincount(arr: np.ndarray, minlength: int, maxlength: int) -> np.ndarray:
    # Non-integer inputs are counted by their integer value (the samples hold integers).
    flat = np.real(arr.ravel()).astype(np.int64)
    return np.bincount(flat[flat < maxlength], minlength=minlength)[:maxlength].astype(np.int32)


def _confusion_sample(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
    classes = 2 if dtype == "bool" else src.integer(1, 4)

    def labels_() -> np.ndarray:
        if dtype in INTS:
            return np.abs(src.array(dtype, shape, classes - 1))
        return src.array(dtype, shape)  # other dtypes: the dtype check only

    labels, predictions = labels_(), labels_()
    return Sample((labels, predictions), (("num_classes", classes),))


def _confusion_matrix(labels: np.ndarray, predictions: np.ndarray, num_classes: int) -> np.ndarray:
    out = np.zeros((num_classes, num_classes), np.int32)
    np.add.at(out, (labels.astype(np.int64), predictions.astype(np.int64)), 1)
    return out


def _permutation_sample(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
    perm = src.permutation(shape[0])
    if dtype in INTS:
        return Sample((perm.astype(np.dtype(dtype)),))
    return Sample((src.array(dtype, shape),))  # other dtypes: the dtype check only


def _monotone_sample(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
    x = _ties(src, dtype, shape, 2.0)
    if src.integer(0, 1):  # half of the samples sorted (row-major): both answers occur
        x = np.sort(x, axis=None).reshape(shape)
    return Sample((x,))


def _non_decreasing(x: np.ndarray) -> np.ndarray:
    flat = x.ravel()  # compared, not subtracted (unsigned differences wrap)
    return np.asarray(np.all(flat[1:] >= flat[:-1]))


def _strictly_increasing(x: np.ndarray) -> np.ndarray:
    flat = x.ravel()
    return np.asarray(np.all(flat[1:] > flat[:-1]))


def _zero_fraction(x: np.ndarray) -> np.ndarray:
    return np.asarray(np.mean(x == 0) if x.size else np.nan)


def _zeros_sample(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
    return Sample((_ties(src, dtype, shape, 1.0),))


# --- products ---------------------------------------------------------------------------------


def _multiply_no_nan(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    # Documented: 0 where y is 0, even if x is NaN or infinite.
    return np.where(y == 0, 0.0 * y, x * np.where(y == 0, 1, y))


def _scalar_sample(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
    return Sample((src.array(dtype, ()), src.array(dtype, shape)))


# --- Sobol sequences --------------------------------------------------------------------------


def _sobol_sample(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
    n = shape[0] if src.reference else int(np.prod(shape, dtype=np.int64))
    dim = 2 if src.reference else src.integer(1, 6)
    return Sample((), (("dim", dim), ("num_results", n), ("skip", src.integer(0, 5)),
                       ("dtype", dtype)))  # fmt: skip


def _sobol(dim: int, num_results: int, skip: int, dtype: str) -> np.ndarray:
    from scipy.stats import qmc

    # Joe and Kuo's direction numbers, unscrambled; TensorFlow's sequence starts after the
    # all-zero first point.
    points = qmc.Sobol(dim, scramble=False).random_base2(
        int(np.ceil(np.log2(num_results + skip + 2)))
    )
    return points[skip + 1 : skip + 1 + num_results]


_SOBOL = _wrapped(
    "sobol_sample",
    lambda f, dim, num_results, skip, dtype: f(dim, num_results, skip, dtype=_tf().as_dtype(dtype)),
)

# lbeta subtracts lgammas of up to ~40 (sums of 4 values below 10.125): in float16 each
# carries an absolute error of its last place (1/32 there), which the difference keeps.
# A continued fraction evaluated in float32: XLA's lowering was measured 2.6e-5 off
# (relative) at one of 131,073 reference samples, TensorFlow's CPU kernel within 2e-5.
_BETAINC_TOLERANCE = {"float32": Tolerance(rtol=1e-4, atol=1e-6)}
_LBETA_TOLERANCE = {"float16": Tolerance(rtol=4e-3, atol=0.1)}
# The derivative polygamma(n + 1, x) comes from TF's series, accurate to ~1e-7 relative.
_POLYGAMMA_GRAD = {"float64": Tolerance(rtol=1e-6, atol=1e-9)}
# Complex products of infinities follow no documented convention (NumPy and C99 differ):
# complex samples keep NaN in x and the documented y = 0, no other non-finite values.
_NAN_IF_NONFINITE = same_dtype(
    lambda a: np.where(np.isfinite(a), a, complex(np.nan, np.nan)) if a.dtype.kind == "c" else a
)
_ZERO_IF_NONFINITE = same_dtype(
    lambda a: np.where(np.isfinite(a), a, 0) if a.dtype.kind == "c" else a
)
# Gradient maps: betainc's and polygamma's smooth regions.
_PARAMETER = inside(0.5, 5.0)
_UNIT = inside(0.0, 1.0)
_BOTH = Grad(args=(0, 1))

RECORDS: tuple[OpRecord, ...] = (
    _record("add_n", _ADD_N, _sum_of, Built(_n_sample(3)), NUMERIC,
            "of the element-wise sum of the list (integers wrap)",
            grad=Grad(args=(0, 1, 2)), signed_zeros=False),
    _record("accumulate_n", _ACCUMULATE_N, _sum_of, Built(_n_sample(3)), NUMERIC,
            "of the element-wise sum of the list (integers wrap)",
            grad=Grad(args=(0, 1, 2)), signed_zeros=False),
    _record("argmax", _math("argmax"), _argmax, Built(_arg_sample, 1, 1), (*REAL, "bool"),
            "of numpy.argmax along the axis (int64; ties: the first index)", result="int64"),
    _record("argmin", _math("argmin"), _argmin, Built(_arg_sample, 1, 1), (*REAL, "bool"),
            "of numpy.argmin along the axis (int64; ties: the first index)", result="int64"),
    # Only the gradient with respect to x is defined (TensorFlow's and the docs').
    _record("betainc", _math("betainc"), _special("betainc"),
            Built(_same_shape(_PARAMETER, _PARAMETER, _UNIT)), F32_64,
            "of scipy.special.betainc", grad=Grad(args=(2,)), tolerance=_BETAINC_TOLERANCE),
    _record("lbeta", _math("lbeta"), _lbeta, Built(_same_shape(POSITIVE), 1), NO_BF16,
            "of sum(lgamma(x)) - lgamma(sum(x)) over the last axis (-inf over nothing)",
            grad=Grad(), tolerance=_LBETA_TOLERANCE),
    _record("polygamma", _math("polygamma"), _polygamma,
            Built(_same_shape(_order, POSITIVE)), F32_64,
            "of scipy.special.polygamma (integer orders 0-3)",
            grad=Grad(args=(1,), tolerance=_POLYGAMMA_GRAD)),
    _record("polyval", _POLYVAL, _polyval, Built(_polyval_sample), NUMERIC,
            "of Horner's rule (numpy.polyval)", grad=_BOTH),
    _record("bincount", _math("bincount"), _bincount, Built(_bincount_sample),
            (*FLOATS, *COMPLEX, "int32", "int64", "bool"),
            "of numpy.bincount with minlength = maxlength (larger values ignored)",
            result="int32"),
    _record("confusion_matrix", _math("confusion_matrix"), _confusion_matrix,
            Built(_confusion_sample, 1, max_rank=1), (*INTS, "bool"),
            "of the counts of (label, prediction) pairs (int32)", result="int32"),
    _record("in_top_k", _math("in_top_k"), _in_top_k, Built(_in_top_k_sample, 2, 1, 2),
            ("float32",), "(ties straddling the k-th value are in the top k)", result="bool"),
    _record("invert_permutation", _math("invert_permutation"), np.argsort,
            Built(_permutation_sample, 1, max_rank=1), ("int32", "int64"),
            "of numpy.argsort of a permutation"),
    _record("is_non_decreasing", _math("is_non_decreasing"), _non_decreasing,
            Built(_monotone_sample), REAL, "of all(x[i] <= x[i+1]) in row-major order",
            result="bool"),
    _record("is_strictly_increasing", _math("is_strictly_increasing"), _strictly_increasing,
            Built(_monotone_sample), REAL, "of all(x[i] < x[i+1]) in row-major order",
            result="bool"),
    _record("multiply_no_nan", _math("multiply_no_nan"), _multiply_no_nan,
            Elementwise(2, specials=True, domains=(_NAN_IF_NONFINITE, _ZERO_IF_NONFINITE)),
            FLOATS + COMPLEX,
            "(x * y, and 0 where y is 0 even if x is NaN or infinite)", signed_zeros=False,
            grad=_BOTH),
    _record("scalar_mul", _math("scalar_mul"), np.multiply, Built(_scalar_sample), NUMERIC,
            "of scalar * x", grad=_BOTH),
    _record("top_k", _TOP_K, _top_k, Built(_top_k_sample, 1), REAL,
            "(the k largest values of the last axis in descending order, and their indices:"
            " ties give the lower index first)", grad=Grad(smooth=(DISTINCT,)),
            dtypes_by_target={"CPU-xla": tuple(d for d in REAL if d != "uint16")}),
    _record("zero_fraction", _math("zero_fraction"), _zero_fraction, Built(_zeros_sample),
            (*NUMERIC, "bool"), "of the fraction of zeros (float32)", result="float32"),
    _record("sobol_sample", _SOBOL, _sobol, Built(_sobol_sample, 1, 1), F32_64,
            "of scipy.stats.qmc.Sobol, unscrambled, after its first (all-zero) point"),
)  # fmt: skip
