"""tf.range against np.arange, which its documentation names as its NumPy equivalent."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import claim

RANGE_DOC = "https://www.tensorflow.org/api_docs/python/tf/range"

MATCHES_ARANGE = claim(
    "eager.range-matches-np-arange",
    "tf.range(start, limit, delta) gives what np.arange(start, limit, delta) gives: the same"
    " values, stopping before limit, in the integer dtype of its inputs.",
    RANGE_DOC,
)
EMPTY_WHEN_BEHIND = claim(
    "eager.range-empty-when-limit-is-behind-start",
    "tf.range is equivalent to np.arange, so a limit that lies behind start in delta's"
    " direction gives an empty tensor (np.arange(3, 1) is empty), as Python's range does.",
    RANGE_DOC,
)

INT_DTYPES = st.sampled_from(("int32", "int64"))
STARTS = st.integers(-100, 100)
DELTAS = st.integers(1, 7) | st.integers(-7, -1)


def tf_range(start, limit, delta):
    import tensorflow as tf

    return tf.range(start, limit, delta)


def _run_range(target, dtype: str, start: int, limit: int, delta: int):
    scalars = (np.array(v, dtype) for v in (start, limit, delta))
    return target.run(tf_range, *scalars)


@MATCHES_ARANGE
@given(dtype=INT_DTYPES, start=STARTS, span=st.integers(0, 100), delta=DELTAS)
def test_range_matches_np_arange(target, dtype, start, span, delta):
    limit = start + span * (1 if delta > 0 else -1)  # on delta's side of start, or start itself
    out = _run_range(target, dtype, start, limit, delta)
    expected = np.arange(start, limit, delta, dtype=dtype)
    assert out.dtype.name == dtype
    assert out.numpy().tolist() == expected.tolist(), (start, limit, delta)


@EMPTY_WHEN_BEHIND
@given(dtype=INT_DTYPES, start=STARTS, gap=st.integers(1, 100), delta=DELTAS)
def test_range_with_limit_behind_start_is_empty(target, dtype, start, gap, delta):
    limit = start - gap * (1 if delta > 0 else -1)
    assert np.arange(start, limit, delta).size == 0  # the documented equivalent
    out = _run_range(target, dtype, start, limit, delta)
    assert out.dtype.name == dtype
    assert tuple(out.shape) == (0,), out
