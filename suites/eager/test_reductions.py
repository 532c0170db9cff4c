"""Reductions beyond their values: the classic rounding bound on arbitrary inputs, and the
documented results over empty axes.

Each reduction's values against NumPy are its op-database record's claim
(``ops/math_table.py``, checked by the ops suite under ``eager.reduce-sum-matches-numpy``,
...) on inputs whose sums and products are exact in any order. Here arbitrary values are
compared within the classic worst-case bound of recursive summation/multiplication (n
terms, each rounding by at most one unit roundoff u): |error| <= n * u * sum(|x|) for sums
and n * u * |result| for products. This is the documented arithmetic of the format, not a
tolerance tuned to TensorFlow.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim
from pytest_tf2conf import oracles as O
from pytest_tf2conf import strategies as S
from pytest_tf2conf.suites.eager._support import dtypes, is_floating, tf_dtype_name
from pytest_tf2conf.tolerance import TOLERANCES, accumulation_tolerance, unit_roundoff

EMPTY_IDENTITY = claim(
    "eager.reduce-over-empty-gives-identity",
    "Reducing over an empty axis gives the reduction's identity: sum 0, prod 1, and for"
    " floats max -inf and min +inf.",
    "https://www.tensorflow.org/api_docs/python/tf/math/reduce_max",
)
EMPTY_MEAN = claim(
    "eager.reduce-mean-over-empty-is-nan",
    "tf.math.reduce_mean over an empty axis is NaN (0 / 0), as np.mean gives, for float and"
    " complex tensors.",
    "https://www.tensorflow.org/api_docs/python/tf/math/reduce_mean",
)
REDUCE_SHAPES = S.shapes(0, 3, 0, 3)


def _tolerance(case: O.ReductionCase, dtype: str, x: np.ndarray, axis, n: int) -> dict:
    if not (case.accumulates and is_floating(dtype)) or n == 0:
        return {}
    if case.name == "reduce_prod":  # a product of n factors carries n relative roundings
        return {"rtol": max(TOLERANCES[dtype].rtol, 2 * n * unit_roundoff(dtype))}
    magnitude = np.sum(np.abs(S.as_float64(x)), axis=axis)
    if case.name == "reduce_mean":
        magnitude = magnitude / n
    return accumulation_tolerance(dtype, magnitude, n)


ROUNDING_BOUND = claim(
    "eager.reduction-rounding-within-bound",
    "tf.math.reduce_sum, reduce_mean and reduce_prod of arbitrary float values are within the"
    " classic bound of recursive summation (multiplication) of NumPy's float64 result: n"
    " roundings of one unit roundoff each.",
    "https://www.tensorflow.org/api_docs/python/tf/math/reduce_sum",
)


@ROUNDING_BOUND
@pytest.mark.parametrize("case", [c for c in O.reductions() if c.accumulates], ids=lambda c: c.name)
@given(data=st.data())
def test_reduction_rounding_within_bound(target, case: O.ReductionCase, data) -> None:
    floats = tuple(d for d in case.dtypes if is_floating(d))
    dtype = data.draw(dtypes(floats), label="dtype")
    shape = data.draw(REDUCE_SHAPES, label="shape")
    x = data.draw(S.arrays(dtype, shape, bound=case.bound(dtype)), label="x")
    axis = data.draw(S.axes(len(shape)), label="axis")
    keepdims = data.draw(st.booleans(), label="keepdims")
    n = O.reduced_count(shape, axis)
    # the mean of nothing has its own claim (below), checked for every dtype each time
    assume(not (case.name == "reduce_mean" and n == 0))
    out = target.run(O.reduction_fn(case, axis, keepdims), x)
    expected = case.oracle(x, axis=axis, keepdims=keepdims)
    assert tf_dtype_name(out) == dtype
    # The sign of a zero sum depends on the summation order, which is not specified.
    assert_close(out, expected, signed_zeros=False, **_tolerance(case, dtype, x, axis, n))


_IDENTITIES = {
    "reduce_sum": (0.0, 0),
    "reduce_prod": (1.0, 1),
    "reduce_max": (-np.inf, None),
    "reduce_min": (np.inf, None),
}


@EMPTY_IDENTITY
@given(data=st.data())
def test_reduce_over_empty_axis_gives_identity(target, data) -> None:
    name = data.draw(st.sampled_from(sorted(_IDENTITIES)), label="op")
    case = O.by_name(name)
    float_identity, int_identity = _IDENTITIES[name]
    allowed = S.FLOAT_DTYPES + (S.INT_DTYPES if int_identity is not None else ())
    dtype = data.draw(dtypes(allowed), label="dtype")
    shape = list(data.draw(S.shapes(1, 3, 0, 3), label="shape"))
    empty_axis = data.draw(st.integers(0, len(shape) - 1), label="empty axis")
    shape[empty_axis] = 0
    x = np.zeros(shape, S.numpy_dtype(dtype))
    reduce_all = data.draw(st.booleans(), label="reduce all")
    axis = None if reduce_all else empty_axis
    out = target.run(O.reduction_fn(case, axis, False), x)
    identity = float_identity if dtype in S.FLOAT_DTYPES else int_identity
    out_shape = () if axis is None else tuple(s for i, s in enumerate(shape) if i != axis)
    expected = np.full(
        out_shape, identity, dtype=np.float64 if identity is float_identity else dtype
    )
    assert_close(out, expected)


@EMPTY_MEAN
@given(shape=S.shapes(1, 3, 0, 3), data=st.data())
def test_reduce_mean_over_empty_is_nan(target, shape, data) -> None:
    shape = list(shape)
    empty_axis = data.draw(st.integers(0, len(shape) - 1), label="empty axis")
    shape[empty_axis] = 0
    axis = data.draw(st.sampled_from([None, empty_axis]), label="axis")
    out_shape = () if axis is None else tuple(s for i, s in enumerate(shape) if i != axis)
    fn = O.reduction_fn(O.by_name("reduce_mean"), axis, False)
    for dtype in S.FLOAT_DTYPES + S.COMPLEX_DTYPES:  # every dtype, every example
        out = target.run(fn, np.zeros(shape, S.numpy_dtype(dtype)))
        nan = complex(np.nan, np.nan) if dtype in S.COMPLEX_DTYPES else np.nan
        assert_close(out, np.full(out_shape, nan), dtype=dtype, what=f"mean of nothing, {dtype}")
