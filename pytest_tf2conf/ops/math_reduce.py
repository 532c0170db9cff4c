"""tf.math: reductions beyond the classic five, cumulative (scan) functions, segment
reductions, and the normalizing functions over an axis (softmax, l2_normalize).

Sums, means and products draw values whose partial sums (products) are exact in the dtype
in any order (``math_samplers.exact_sum_values``): the accumulation order is unspecified,
so only such inputs let the oracle be exact at every size. Segment ids come drawn with
duplicates, gaps (empty segments, whose documented value each oracle states) and, for the
unsorted functions, in any order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..oracles import AWAY_FROM_ZERO
from .math import NONZERO, TRUEDIV_RESULT, _math, _real_result, _tf
from .math_samplers import (
    Built,
    Source,
    axis_of,
    exact_factors,
    exact_sum_values,
    is_float,
    terms_of,
)
from .math_table import DISTINCT
from .record import API, COMPLEX, FLOATS, INTS, NUMERIC, Grad, OpRecord, Sample
from .samplers import Reduction

F32_64 = ("float32", "float64")
REAL = FLOATS + INTS


def _math_dense(fn_name: str) -> Callable[..., Any]:
    """tf.math.``fn_name`` whose result is reshaped to its own shape: the forward-mode
    tangent of a segment function comes back as IndexedSlices (its gradient is a gather),
    which a reshape turns dense; the value is unchanged."""

    def call(*args: Any, **kwargs: Any) -> Any:
        tf = _tf()
        y = getattr(tf.math, fn_name)(*args, **kwargs)
        return tf.reshape(y, tf.shape(y))

    call.__name__ = call.__qualname__ = fn_name
    return call


def _record(name: str, oracle: Callable[..., Any], sampler: Any, dtypes: tuple[str, ...],
            reference: str, **kwargs: Any) -> OpRecord:  # fmt: skip
    return OpRecord(
        name=f"tf.math.{name}", fn=_math(name), oracle=oracle, sampler=sampler, dtypes=dtypes,
        doc=f"{API}tf/math/{name}", reference=reference, **kwargs,
    )  # fmt: skip


# --- reductions -------------------------------------------------------------------------


def _reduce(fn: Callable[..., Any]) -> Callable[..., Any]:
    def oracle(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
        return np.asarray(fn(x, axis=axis, keepdims=keepdims))

    oracle.__name__ = getattr(fn, "__name__", "reduction")
    return oracle


def _euclidean_norm(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    squares = x.real**2 + x.imag**2 if x.dtype.kind == "c" else x.astype(np.float64) ** 2
    out = np.sqrt(np.sum(squares, axis=axis, keepdims=keepdims))
    # Documented as sqrt(sum(x^2)) in the input's dtype: integers truncate the root.
    return np.floor(out).astype(x.dtype) if x.dtype.kind in "iu" else out.astype(x.dtype)


def _variance(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    mean = np.mean(x, axis=axis, keepdims=True)
    d = x - mean
    return np.mean((d * np.conj(d)).real, axis=axis, keepdims=keepdims)


def _std(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    return np.sqrt(_variance(x, axis=axis, keepdims=keepdims))


def _logsumexp(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    import scipy.special

    # SciPy keeps a rank-0 input's dims as (1,): the shape comes from numpy.sum's rule.
    shape = np.sum(x, axis=axis, keepdims=keepdims).shape
    if not x.size:
        return np.full(shape, -np.inf)  # SciPy fails on empty inputs
    return np.reshape(scipy.special.logsumexp(x, axis=axis, keepdims=True), shape)


def _count_nonzero(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    return np.sum(x != 0, axis=axis, keepdims=keepdims).astype(np.int64)


def _reduction_sample(bound: float | None) -> Callable[[Source, str, tuple], Sample]:
    """``samplers.Reduction``'s samples, but gradient samples are never empty (the
    log-sum-exp of nothing is -inf: no finite differences there)."""

    def build(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
        if src.small:
            shape = tuple(max(d, 1) for d in shape)
        x = src.array(dtype, shape, bound)
        axis = src.choice([None, *range(-len(shape), len(shape))]) if shape else None
        return Sample((x,), (("axis", axis), ("keepdims", bool(src.integer(0, 1)))))

    return build


def _norm_sample(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
    """Integers: at most 100 nonzero values of +-1, so that the sum of squares (computed
    in the integer type, undocumented on overflow) stays within int8; floats within 10."""
    if is_float(dtype) or dtype in COMPLEX or dtype == "bool":
        x = src.array(dtype, shape, 10.0)
    else:
        x = src.array(dtype, shape, 1)
        x.ravel()[100:] = 0
    return _reduction_sample(None)(_Given(src, x), dtype, shape)


class _Given(Source):
    """A source whose first array is given (a builder reusing another's kwargs)."""

    def __init__(self, src: Source, x: np.ndarray) -> None:
        self.src, self.x, self.small = src, x, src.small

    def array(self, dtype: str, shape: tuple[int, ...], bound: float | None = None) -> np.ndarray:
        return self.x

    def integer(self, lo: int, hi: int) -> int:
        return self.src.integer(lo, hi)


def _spread(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
    """A reduction sample without empty or one-element reductions (the derivative of a
    standard deviation is undefined where it is 0): an int axis or all axes."""
    x = src.array(dtype, shape, 4.0)  # sums of squares stay finite in float16
    axis = src.choice([None, *[a for a in range(len(shape)) if shape[a] >= 2]])
    return Sample((x,), (("axis", axis), ("keepdims", bool(src.integer(0, 1)))))


# Real-valued results of complex inputs (the variance is |x - mean|^2 averaged).
_REAL_OF_COMPLEX = _real_result(FLOATS + COMPLEX)
_SPREAD = Built(_spread, min_rank=1, min_side=2)

# --- cumulative -------------------------------------------------------------------------


def _scan(step: Callable[..., np.ndarray], identity: Callable[[np.dtype], Any]):
    """The oracle of a scan: ``step(x, axis)`` accumulates; exclusive shifts the identity in
    first, reverse scans from the end."""

    def oracle(x: np.ndarray, axis: int = 0, exclusive: bool = False,
               reverse: bool = False) -> np.ndarray:  # fmt: skip
        if reverse:
            x = np.flip(x, axis)
        y = step(x, axis)
        if exclusive:
            y = np.moveaxis(y, axis, 0)
            first = np.full_like(y[:1], identity(x.dtype))
            y = np.moveaxis(np.concatenate([first, y[:-1]]), 0, axis)
        return np.flip(y, axis) if reverse else y

    return oracle


def _cumsum_step(x: np.ndarray, axis: int) -> np.ndarray:
    return np.cumsum(x, axis=axis, dtype=x.dtype)  # integers wrap in their own type


def _cumprod_step(x: np.ndarray, axis: int) -> np.ndarray:
    return np.cumprod(x, axis=axis, dtype=x.dtype)


def _scan_sample(values: str) -> Callable[[Source, str, tuple[int, ...]], Sample]:
    def build(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
        if values == "sum":
            x = exact_sum_values(src, dtype, shape, terms_of(shape, src))
        elif values == "prod":
            x = exact_factors(src, dtype, shape)
        else:
            if src.reference:
                # A long log-sum-exp scan carries one rounding per step (documented for
                # no order): reference samples scan rows of 3, length of them.
                shape = (*shape, 3)
            x = src.array(dtype, shape, 10.0)
        axis = -1 if values == "lse" and src.reference else axis_of(src, len(shape))
        # An exclusive log-sum-exp starts at -inf: no finite differences there.
        exclusive = bool(src.integer(0, 1)) and not (values == "lse" and src.small)
        kwargs = (("axis", axis), ("exclusive", exclusive), ("reverse", bool(src.integer(0, 1))))
        return Sample((x,), kwargs)

    return build


# --- segments ---------------------------------------------------------------------------


def _lowest(dtype: str) -> float:
    if dtype in INTS:
        return int(np.iinfo(np.dtype(dtype)).min)
    if dtype == "bfloat16":
        import ml_dtypes

        return float(ml_dtypes.finfo(ml_dtypes.bfloat16).min)
    return float(np.finfo(np.dtype(dtype)).min)


def _highest(dtype: str) -> float:
    if dtype in INTS:
        return int(np.iinfo(np.dtype(dtype)).max)
    return -_lowest(dtype)


# Per function: how one segment's rows combine, and the documented value of an empty
# segment (sorted ones: 0, or 1 for products; unsorted max/min: the dtype's lowest/highest).
def _seg_sum(rows: np.ndarray) -> np.ndarray:
    return np.sum(rows, axis=0, dtype=rows.dtype)


def _seg_prod(rows: np.ndarray) -> np.ndarray:
    return np.prod(rows, axis=0, dtype=rows.dtype)


def _seg_mean(rows: np.ndarray) -> np.ndarray:
    if rows.dtype.kind in "iu":  # integer means truncate toward zero
        total = np.sum(rows, axis=0, dtype=np.int64)
        return (np.sign(total) * (np.abs(total) // len(rows))).astype(rows.dtype)
    return np.sum(rows, axis=0) / len(rows)


def _seg_sqrt_n(rows: np.ndarray) -> np.ndarray:
    return np.sum(rows, axis=0) / np.sqrt(len(rows))


_COMBINE: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[str], float]]] = {
    "sum": (_seg_sum, lambda d: 0),
    "mean": (_seg_mean, lambda d: 0),
    "sqrt_n": (_seg_sqrt_n, lambda d: 0),
    "prod": (_seg_prod, lambda d: 1),
    "max": (lambda r: np.max(r, axis=0), lambda d: 0),
    "min": (lambda r: np.min(r, axis=0), lambda d: 0),
}


def _segment_oracle(kind: str, unsorted: bool) -> Callable[..., np.ndarray]:
    combine, empty = _COMBINE[kind]
    out_dtype: Any = None  # None: the data's
    if unsorted and kind == "mean":
        # tf.math.unsorted_segment_mean divides the segment sums with tf.math.truediv:
        # integers give floats (the integer sum wraps first).
        combine, out_dtype = (lambda r: np.sum(r, axis=0, dtype=r.dtype) / len(r)), np.float64
    if unsorted and kind == "max":
        empty = _lowest
    elif unsorted and kind == "min":
        empty = _highest

    def oracle(data: np.ndarray, ids: np.ndarray, num_segments: int | None = None,
               dtype: str = "float32") -> np.ndarray:  # fmt: skip
        count = num_segments if unsorted else (int(ids.max()) + 1 if ids.size else 0)
        out = np.full((count, *data.shape[1:]), empty(dtype), dtype=out_dtype or data.dtype)
        # Rows grouped by id once (a stable sort keeps each segment's rows in order), not a
        # mask per segment: O(n log n) instead of O(n * segments) at the multithreaded size.
        order = np.argsort(ids, kind="stable")
        starts = np.searchsorted(ids[order], np.arange(count + 1))
        for s in np.flatnonzero(starts[1:] > starts[:-1]):
            out[s] = combine(data[order[starts[s] : starts[s + 1]]])
        return out

    return oracle


def _segment_sample(kind: str, unsorted: bool) -> Callable[[Source, str, tuple], Sample]:
    def build(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
        n = shape[0]
        if kind in ("mean", "sqrt_n") and not is_float(dtype):
            # integer means: at most 100 nonzero values of +-1, so that every sum stays
            # within int8 (the accumulator's type is not documented)
            data = src.array(dtype, shape, 1)
            data.ravel()[100:] = 0
        elif kind in ("sum", "mean", "sqrt_n"):
            data = exact_sum_values(src, dtype, shape, terms_of(shape, src))
        elif kind == "prod":
            data = exact_factors(src, dtype, shape)
        else:
            data = src.array(dtype, shape)
        if not unsorted:
            if src.small:
                # Gradients: no empty segment (TF 2.21's forward mode gives NaN for one
                # under tf.function, eagerly 0)
                ids = np.sort(src.permutation(n) % max(src.integer(1, n) if n else 1, 1))
            else:
                top = src.integer(0, max(n - 1, 0))
                ids = np.sort(src.integers(0, top, (n,)))
            return Sample((data, ids.astype(np.int32)))
        if src.small:
            # Gradients: every segment present (an empty max is the dtype's lowest value,
            # whose huge constant finite differences cannot take).
            num = src.integer(1, n) if n else 0
            ids = src.permutation(n) % max(num, 1)
        else:
            num = src.integer(1, 5)
            ids = src.integers(0, num - 1, (n,))  # duplicates, gaps and any order
        return Sample((data, ids.astype(np.int32)), (("num_segments", num),))

    return build


def segment(kind: str, unsorted: bool, dtypes: tuple[str, ...], grad: Grad | None,
            **kwargs: Any) -> OpRecord:  # fmt: skip
    prefix = "unsorted_segment_" if unsorted else "segment_"
    if unsorted:
        empty = {"max": "the dtype's lowest value", "min": "the dtype's highest value",
                 "prod": "1"}.get(kind, "0")  # fmt: skip
    else:
        empty = "1" if kind == "prod" else "0"
    record = _record(
        prefix + kind, _segment_oracle(kind, unsorted),
        Built(_segment_sample(kind, unsorted), min_rank=1), dtypes,
        f"of the {kind} of each segment's rows (an empty segment gives {empty})",
        grad=grad, oracle_wants_dtype=True, signed_zeros=False, **kwargs,
    )  # fmt: skip
    return OpRecord(**{**record.__dict__, "fn": _math_dense(prefix + kind)})


# --- normalizing over an axis -------------------------------------------------------------


def _axis_sample(src: Source, dtype: str, shape: tuple[int, ...]) -> Sample:
    return Sample((src.array(dtype, shape, 10.0),), (("axis", axis_of(src, len(shape))),))


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    import scipy.special

    if not x.size:
        return x  # SciPy rejects empty arrays; the result is as empty
    return scipy.special.softmax(x, axis=axis)


def _log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    import scipy.special

    if not x.size:
        return x
    return scipy.special.log_softmax(x, axis=axis)


def _l2_normalize(x: np.ndarray, axis: int = -1) -> np.ndarray:
    # Documented: x / sqrt(max(sum(x**2), epsilon)), epsilon 1e-12 by default.
    squares = x.real**2 + x.imag**2 if x.dtype.kind == "c" else x**2
    return x / np.sqrt(np.maximum(np.sum(squares, axis=axis, keepdims=True), 1e-12))


# Gradient samples of max/min and norms: distinct (no ties) or nonzero (no kinks).
_NO_TIES = Grad(smooth=(DISTINCT,))
_SEG_NO_TIES = Grad(smooth=(DISTINCT,))
_NONZERO_GRAD = Grad(smooth=(NONZERO,))
_NO_XLA = {"CPU-xla": ()}
_SUMS = NUMERIC
# XLA's cumulative sums and products: floats, int32 and int64 only.
_SCAN_XLA = {"CPU-xla": (*FLOATS, "int32", "int64")}

RECORDS: tuple[OpRecord, ...] = (
    # -- reductions (axis: None, an int or a tuple; keepdims) --------------------------------
    _record("reduce_all", _reduce(np.all), Reduction(), ("bool",), "of numpy.all"),
    _record("reduce_any", _reduce(np.any), Reduction(), ("bool",), "of numpy.any"),
    # Differentiable where no slice is all zeros (the norm has a kink at 0).
    _record("reduce_euclidean_norm", _euclidean_norm, Built(_norm_sample),
            NUMERIC, "of sqrt(sum(|x|^2)) over the given axes (integers: truncated)",
            grad=Grad(smooth=(AWAY_FROM_ZERO,)),
            dtypes_by_target=_NO_XLA),
    _record("reduce_logsumexp", _logsumexp, Built(_reduction_sample(20.0)), FLOATS,
            "of scipy.special.logsumexp (-inf over nothing)", grad=Grad()),
    _record("reduce_variance", _variance, _SPREAD, FLOATS + COMPLEX,
            "of numpy.var (ddof 0; real for complex inputs)", result=_REAL_OF_COMPLEX,
            grad=Grad()),
    _record("reduce_std", _std, _SPREAD, FLOATS + COMPLEX,
            "of numpy.std (ddof 0; real for complex inputs)", result=_REAL_OF_COMPLEX,
            grad=Grad(smooth=(DISTINCT,))),
    _record("count_nonzero", _count_nonzero, Reduction(), (*NUMERIC, "bool"),
            "of the number of nonzero elements over the given axes (int64)", result="int64"),
    # -- cumulative ----------------------------------------------------------------------------
    _record("cumsum", _scan(_cumsum_step, lambda d: 0), Built(_scan_sample("sum"), 1), _SUMS,
            "of numpy.cumsum along the axis (exclusive: shifted by one; reverse: from the end)",
            grad=Grad(), signed_zeros=False, dtypes_by_target=_SCAN_XLA),
    # Gradients away from zero factors (TF divides by the input there).
    _record("cumprod", _scan(_cumprod_step, lambda d: 1), Built(_scan_sample("prod"), 1),
            _SUMS, "of numpy.cumprod along the axis (exclusive, reverse)",
            grad=Grad(smooth=(NONZERO,)), signed_zeros=False, dtypes_by_target=_SCAN_XLA),
    _record("cumulative_logsumexp", _scan(lambda x, a: np.logaddexp.accumulate(x, axis=a),
                                          lambda d: -np.inf),
            Built(_scan_sample("lse"), 1), FLOATS,
            "of numpy.logaddexp.accumulate along the axis (exclusive starts at -inf)",
            grad=Grad()),
    # -- segments (ids of the first axis) ------------------------------------------------------
    segment("sum", False, NUMERIC, Grad(), dtypes_by_target=_NO_XLA),
    segment("mean", False, NUMERIC, Grad(), dtypes_by_target=_NO_XLA),
    segment("prod", False, NUMERIC, Grad(smooth=(NONZERO,)), dtypes_by_target=_NO_XLA),
    segment("max", False, REAL, _SEG_NO_TIES, dtypes_by_target=_NO_XLA),
    segment("min", False, REAL, _SEG_NO_TIES, dtypes_by_target=_NO_XLA),
    segment("sum", True, NUMERIC, Grad()),
    segment("mean", True, REAL, Grad(), result=TRUEDIV_RESULT),
    segment("sqrt_n", True, FLOATS, Grad()),
    segment("prod", True, NUMERIC, Grad(smooth=(NONZERO,))),
    segment("max", True, REAL, _SEG_NO_TIES),
    segment("min", True, REAL, _SEG_NO_TIES),
    # -- normalizing over an axis --------------------------------------------------------------
    _record("softmax", _softmax, Built(_axis_sample, 1), FLOATS,
            "of scipy.special.softmax along the axis", grad=Grad()),
    _record("log_softmax", _log_softmax, Built(_axis_sample, 1), FLOATS,
            "of scipy.special.log_softmax along the axis", grad=Grad()),
    # Not declared for float16 under XLA: there a zero vector gives NaN (observed in TF
    # 2.21: the 1e-12 epsilon underflows in float16), eagerly 0 as documented.
    _record("l2_normalize", _l2_normalize, Built(_axis_sample, 1), FLOATS + COMPLEX,
            "of x / sqrt(max(sum(|x|^2), 1e-12)) along the axis",
            # |x| >= 0.5: a finite-difference step (6e-6) around a tiny x would cross the
            # kink at sum(x^2) = 1e-12, where the documented derivative jumps.
            grad=Grad(smooth=(AWAY_FROM_ZERO,)),
            dtypes_by_target={"CPU-xla": tuple(d for d in FLOATS + COMPLEX
                                               if d != "float16")}),
)  # fmt: skip
