"""Reductions and scans of keras.ops (sum, mean, argmax, cumsum, quantile, ...).

``sum``, ``prod``, ``mean``, ``all`` and ``any`` link the op database's reduce_* records
(their exact-sum samplers and NumPy oracles); the others draw with ``reduce_gen`` here:
an array of rank 0-3 (sides from 1 where NumPy has no value for an empty reduction) and
the documented ``axis`` / ``keepdims`` constants.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..ops.array_samplers import Built, Draw, sample
from ..ops.record import Sample
from ..tolerance import Tolerance, accumulation_tolerance
from .record import (
    NUMERIC,
    UNIVERSE,
    KerasOpRecord,
    KGrad,
    bool_as_int,
    boolean,
    floating,
    index,
    same,
    summed,
)

FLOATS_ONLY = ("bfloat16", "float16", "float32", "float64")


def reduce_gen(min_side: int = 0, keepdims: bool = True, axes: str = "any",
               min_rank: int = 0, int_bound: float | None = None,
               **const: Any) -> Built:  # fmt: skip
    """One array and its reduction constants. ``axes``: "any" (None, an int that may be
    negative, or a tuple), "int" (an int or None), "one" (an int). Floats within 10,
    integers within ``int_bound`` (None: the dtype's range)."""

    def gen(d: Draw) -> Sample:
        shape = d.shape(min_rank, 3, min_side)
        x = d.array(shape, bound=int_bound if d.dtype not in FLOATS_ONLY else 10.0)
        rank = len(shape)
        kwargs: dict[str, Any] = dict(const)
        if axes == "one" or (rank and d.flag()):
            if rank == 0:
                kwargs["axis"] = None if axes != "one" else 0
            else:
                axis = d.integer(0, rank - 1)
                kwargs["axis"] = axis - rank if d.flag() else axis
        elif axes == "any" and rank > 1 and d.flag():
            picked = tuple(i for i in range(rank) if d.flag())
            kwargs["axis"] = picked or (0,)
        else:
            kwargs["axis"] = None
        if keepdims:
            kwargs["keepdims"] = d.flag()
        return sample(x, **kwargs)

    return Built(gen)


def _quiet(fn: Callable[..., Any]) -> Callable[..., Any]:
    """NumPy's nan-reductions warn on all-NaN slices (the documented NaN is the oracle)."""

    def oracle(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return fn(*args, **kwargs)

    oracle.__name__ = getattr(fn, "__name__", "oracle")
    return oracle


def _logsumexp(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    import scipy.special

    out = np.asarray(scipy.special.logsumexp(x, axis=axis, keepdims=keepdims))
    # SciPy keeps a dimension of a rank-0 input (shape (1,)); NumPy's keepdims rule (and
    # every backend) keeps the input's rank: ().
    return out.reshape(()) if keepdims and np.ndim(x) == 0 else out


def _count_nonzero(x: np.ndarray, axis: Any = None) -> np.ndarray:
    return np.asarray(np.count_nonzero(x, axis=axis))


def _cumulative(fn: Callable[..., Any]) -> Callable[..., Any]:
    return _wrapping(lambda x, axis=None: fn(x, axis=axis))


def _wrapping(fn: Callable[..., Any]) -> Callable[..., Any]:
    """An accumulation in the result dtype: integers wrap as the result dtype's arithmetic
    does (computed in 64 bits, then wrapped), floats stay float64 (rounded by the check)."""

    def oracle(x: np.ndarray, *args: Any, dtype: str, **kwargs: Any) -> np.ndarray:
        if x.dtype.kind in "biu":
            wide = np.uint64 if x.dtype.kind == "u" else np.int64
            with np.errstate(all="ignore"):
                value = np.asarray(fn(x.astype(wide), *args, **kwargs))
            return value.astype(np.dtype(dtype))
        return np.asarray(fn(x, *args, **kwargs))

    oracle.__name__ = getattr(fn, "__name__", "oracle")
    return oracle


def _with_nans(gen: Built) -> Built:
    """Every third element of a float sample NaN (the nan-reductions' point)."""

    def wrapped(d: Draw) -> Sample:
        s = gen.gen(d)
        x = s.args[0]
        if x.dtype.kind == "f" or x.dtype.name == "bfloat16":
            x = x.copy()
            x.reshape(-1)[::3] = np.nan
        return Sample((x,), s.kwargs)

    return Built(wrapped)


def _products_in_range(gen: Built) -> Built:
    """Float samples whose running products stay within the dtype: |x| clipped to
    (max / 2)^(1/size). A product that overflows midway is left to the implementation (TF's
    float16 cumprod stays inf where a float32 accumulator comes back to 27517.5; found by a
    thorough TF run)."""

    def wrapped(d: Draw) -> Sample:
        s = gen.gen(d)
        x = s.args[0]
        if x.size and (x.dtype.kind == "f" or x.dtype.name == "bfloat16"):
            top = float(np.finfo(np.float16).max) if x.dtype == np.float16 else 3.0e38
            bound = (top / 2) ** (1 / x.size)
            wide = np.clip(x.astype(np.float64), -bound, bound)
            x = wide.astype(x.dtype)
        return Sample((x,), s.kwargs)

    return Built(wrapped)


def _int_axis_gen(min_side: int = 1, keepdims: bool = False) -> Built:
    return reduce_gen(min_side=min_side, keepdims=keepdims, axes="int")


def red(name: str, oracle: Callable[..., Any] | None = None, sampler: Any = None, *,
        link: str | None = None, dtypes: tuple[str, ...] = NUMERIC,
        result: Callable[[str], str] = same, grad: KGrad | None = None,
        section: str = "numpy", **kw: Any) -> KerasOpRecord:  # fmt: skip
    return KerasOpRecord(
        name, section=section, link=link, oracle=oracle, sampler=sampler, dtypes=dtypes,
        result=result, float_oracle=result is floating, grad=grad, **kw,
    )  # fmt: skip


NONEMPTY = reduce_gen(min_side=1)
# Variances of integers are float32 (floatx()): the sum of up to 64 squared deviations, each
# up to (2 |x|)^2, overflows float32 for int64 values near 2^63 (TF, NumPy's float32 var and
# torch's nanvar give inf where the variance is 1.2e37; found by a thorough torch run).
# Integers within 2^59 keep that sum below float32's maximum.
SQUARES_FIT = 2.0**59
VARIANCE = reduce_gen(min_side=1, int_bound=SQUARES_FIT)


def _reduced(sample: Sample) -> tuple[float, int]:
    """The largest finite |x| of a reduction's input and how many values each result
    reduces (the sizes of the reduced axes)."""
    x = np.asarray(sample.args[0]).astype(np.float64)
    finite = np.abs(x[np.isfinite(x)])
    axis = dict(sample.kwargs).get("axis")
    axes = range(x.ndim) if axis is None else (axis,) if isinstance(axis, int) else axis
    count = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
    return float(np.max(finite, initial=0.0)), count


def _spread_tolerance(power: int) -> Callable[[str, Sample], dict[str, float]]:
    """Variance (power 2) or standard deviation (1) in the result dtype (float32 for
    integers): the mean of n values up to M is off by up to ~2 n u M (u the unit roundoff),
    which every deviation inherits: a std by ~4 n u M, a variance by ~20 n u M^2, whatever
    the spread (TF's std of three equal int64 5.3e14 is 3.4e7, torch's float16 nanstd of
    three equal 2.91 is 0.002, where both are 0; found by thorough TF and torch runs)."""

    def tolerance(dtype: str, sample: Sample) -> dict[str, float]:
        top, n = _reduced(sample)
        scale = 2 * top if power == 1 else 10 * top**2
        return accumulation_tolerance(dtype, scale, n + 1)

    return tolerance


RUNNING_PRODUCTS = _products_in_range(reduce_gen(keepdims=False, axes="int"))


def _int_sum_tolerance(dtype: str, sample: Sample) -> dict[str, float]:
    """mean/nanmean/average of integers: Keras computes them in float32 (floatx()), whose sum
    of values up to 2^31 or 2^63 rounds at every step (TF's mean of [2147483646, 235,
    -2147483648] is 85.33 for 78.33; found by a thorough TF run): a mean of n values up to
    M is within the recursive-summation bound n u M. Floats are drawn within 10, where the
    dtype's tolerance holds."""
    if np.asarray(sample.args[0]).dtype.kind not in "biu":
        return {}
    top, n = _reduced(sample)
    return accumulation_tolerance(dtype, top, n)


def _int_interpolation_tolerance(dtype: str, sample: Sample) -> dict[str, float]:
    """median/quantile/percentile of integers, in float32: a + t (b - a) between two order
    statistics up to M rounds a few times at M's scale, not the result's, which may cancel
    (torch's 70th percentile of [2048, -1364, -1364] is 0.79992 for 0.8; found by a
    thorough torch run)."""
    if np.asarray(sample.args[0]).dtype.kind not in "biu":
        return {}
    top, _ = _reduced(sample)
    return accumulation_tolerance(dtype, 2 * top, 2)


def summed_tolerance(dtype: str, sample: Sample) -> dict[str, float]:
    """Sums in a float dtype (cumsum, segment_sum): each partial sum is rounded, n roundings
    of at most the sum of magnitudes (TF's float16 cumsum 1.355 for 1.346 after 7 terms up
    to 8, segment_sum -0.25 for -0.2534; found by thorough TF runs); the recursive-summation
    bound of ``accumulation_tolerance``."""
    x = np.asarray(sample.args[0])
    if x.size == 0:
        return {}
    return accumulation_tolerance(dtype, np.sum(np.abs(x.astype(np.float64))), x.size)


# Quantiles interpolate between two order statistics in the dtype: in 16-bit floats the
# rounding error scales with those inputs (|x| up to ~16 here), not with the result, which
# cancels near zero (-0.0625 for -0.03125 in bfloat16, found by a random-seed run).
INTERPOLATED = {"float16": Tolerance(rtol=4e-3, atol=1.6e-2),
                "bfloat16": Tolerance(rtol=3e-2, atol=1.25e-1)}  # fmt: skip
SMOOTH = KGrad()
# The sign of an interpolated zero (median, quantile, percentile of -0.0s) is not documented:
# of [-0.0, -0.0, -0.0] NumPy gives 0.0 (median, percentile 70) or -0.0 (quantile 0.3),
# torch 0.0 along an axis, TF and JAX -0.0 (found by a thorough torch run): signs unchecked.

RECORDS: tuple[KerasOpRecord, ...] = (
    # The sign of a zero sum is not documented: NumPy adds to +0.0 (the sum or mean of one
    # -0.0 is 0.0), TF and JAX keep -0.0 (found by thorough TF seed 2533124026 on sum).
    red("sum", _wrapping(np.sum), link="tf.math.reduce_sum", dtypes=UNIVERSE, result=summed,
        grad=SMOOTH, oracle_wants_dtype=True, signed_zeros=False),
    red("prod", _wrapping(np.prod), link="tf.math.reduce_prod", dtypes=UNIVERSE, result=summed,
        oracle_wants_dtype=True),
    red("mean", np.mean, NONEMPTY, dtypes=UNIVERSE, result=floating, grad=SMOOTH,
        signed_zeros=False, scaled_tolerance=_int_sum_tolerance),
    red("max", np.max, NONEMPTY, dtypes=UNIVERSE),
    red("min", np.min, NONEMPTY, dtypes=UNIVERSE),
    red("amax", np.amax, NONEMPTY, dtypes=UNIVERSE),
    red("amin", np.amin, NONEMPTY, dtypes=UNIVERSE),
    red("all", link="tf.math.reduce_all", oracle=np.all, dtypes=UNIVERSE, result=boolean),
    red("any", link="tf.math.reduce_any", oracle=np.any, dtypes=UNIVERSE, result=boolean),
    red("var", np.var, VARIANCE, dtypes=UNIVERSE, result=floating, grad=SMOOTH,
        scaled_tolerance=_spread_tolerance(2)),
    red("std", np.std, reduce_gen(min_side=2, int_bound=SQUARES_FIT), dtypes=UNIVERSE,
        result=floating, scaled_tolerance=_spread_tolerance(1)),
    red("ptp", np.ptp, NONEMPTY),
    red("median", np.median, NONEMPTY, dtypes=UNIVERSE, result=floating, signed_zeros=False,
        scaled_tolerance=_int_interpolation_tolerance),
    red("logsumexp", _logsumexp, NONEMPTY, section="math", result=floating, grad=SMOOTH,
        open_dtypes=("bool",)),
    red("count_nonzero", _count_nonzero, reduce_gen(keepdims=False), dtypes=UNIVERSE,
        result=index),
    red("argmax", np.argmax, _int_axis_gen(keepdims=True), dtypes=UNIVERSE, result=index),
    red("argmin", np.argmin, _int_axis_gen(keepdims=True), dtypes=UNIVERSE, result=index),
    red("average", np.average, reduce_gen(min_side=1, keepdims=False, axes="int"),
        dtypes=UNIVERSE, result=floating, signed_zeros=False,
        scaled_tolerance=_int_sum_tolerance),
    # A running sum's zero sign is not documented: NumPy starts from the first element
    # (cumsum of [-0.0, -0.0] is [-0.0, -0.0]), every backend from 0.0 (seen by hand).
    red("cumsum", _cumulative(np.cumsum), reduce_gen(keepdims=False, axes="int"),
        dtypes=UNIVERSE, result=bool_as_int, grad=SMOOTH, oracle_wants_dtype=True,
        signed_zeros=False, scaled_tolerance=summed_tolerance),
    red("cumprod", _cumulative(np.cumprod), RUNNING_PRODUCTS,
        dtypes=UNIVERSE, result=bool_as_int, oracle_wants_dtype=True),
    red("nansum", _wrapping(_quiet(np.nansum)), _with_nans(NONEMPTY), dtypes=UNIVERSE,
        result=summed, oracle_wants_dtype=True, signed_zeros=False),
    red("nanmean", _quiet(np.nanmean), _with_nans(NONEMPTY), dtypes=UNIVERSE, result=floating,
        signed_zeros=False, scaled_tolerance=_int_sum_tolerance),
    red("nanmax", _quiet(np.nanmax), _with_nans(NONEMPTY), dtypes=UNIVERSE),
    red("nanmin", _quiet(np.nanmin), _with_nans(NONEMPTY), dtypes=UNIVERSE),
    red("nanprod", _wrapping(_quiet(np.nanprod)), _with_nans(NONEMPTY), dtypes=UNIVERSE,
        result=summed, oracle_wants_dtype=True),
    red("nanvar", _quiet(np.nanvar), _with_nans(VARIANCE), dtypes=UNIVERSE, result=floating,
        scaled_tolerance=_spread_tolerance(2)),
    red("nanstd", _quiet(np.nanstd), _with_nans(VARIANCE), dtypes=UNIVERSE, result=floating,
        scaled_tolerance=_spread_tolerance(1)),
    red("quantile", np.quantile, reduce_gen(min_side=1, min_rank=1, q=0.3), dtypes=UNIVERSE,
        result=floating, tolerance=INTERPOLATED, signed_zeros=False,
        scaled_tolerance=_int_interpolation_tolerance),
    red("percentile", np.percentile, reduce_gen(min_side=1, min_rank=1, q=70.0),
        dtypes=UNIVERSE, result=floating, tolerance=INTERPOLATED, signed_zeros=False,
        scaled_tolerance=_int_interpolation_tolerance),
)  # fmt: skip
