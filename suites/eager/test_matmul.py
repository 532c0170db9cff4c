"""tf.linalg.matmul agrees with NumPy's float64 product, for matrices and batches of them.

Floating products are compared within the standard bound for dot products of length k
(each term and partial sum rounds by at most u): |error| <= k * u * (|A| @ |B|).
Integer products are exact (and wrap like the integers' own type).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim
from pytest_tf2conf import oracles as O
from pytest_tf2conf import strategies as S
from pytest_tf2conf.suites.eager._support import dtypes, is_floating, tf_dtype_name
from pytest_tf2conf.tolerance import accumulation_tolerance

DOC = "https://www.tensorflow.org/api_docs/python/tf/linalg/matmul"
MATMUL_2D = claim(
    "eager.matmul-2d-matches-numpy",
    "tf.linalg.matmul of an (m, k) and a (k, n) matrix is their (m, n) matrix product.",
    DOC,
)
MATMUL_BATCHED = claim(
    "eager.matmul-batched-matches-numpy",
    "tf.linalg.matmul of rank >= 3 tensors multiplies the innermost matrices, batch by batch.",
    DOC,
)
ALL_DTYPES = O.MATMUL_DTYPES + O.MATMUL_INT_DTYPES
side = st.integers(0, 4)


def _operands(data, dtype: str, batch: tuple[int, ...]):
    m, k, n = data.draw(side, label="m"), data.draw(side, label="k"), data.draw(side, label="n")
    bound = 2.0 if dtype in S.COMPLEX_DTYPES else 8.0 if is_floating(dtype) else 1000
    a = data.draw(S.arrays(dtype, (*batch, m, k), bound=bound), label="a")
    b = data.draw(S.arrays(dtype, (*batch, k, n), bound=bound), label="b")
    return a, b, k


def _check(out, a: np.ndarray, b: np.ndarray, k: int, dtype: str) -> None:
    assert tf_dtype_name(out) == dtype
    expected = O.matmul_oracle(a, b)
    if not is_floating(dtype) or expected.size == 0:
        assert_close(out, expected)
        return
    scale = np.matmul(np.abs(S.as_float64(a)), np.abs(S.as_float64(b)))
    assert_close(out, expected, **accumulation_tolerance(dtype, scale, k), signed_zeros=False)


@MATMUL_2D
@given(data=st.data())
def test_matmul_2d(target, data) -> None:
    dtype = data.draw(dtypes(ALL_DTYPES), label="dtype")
    a, b, k = _operands(data, dtype, ())
    _check(target.run(O.matmul_fn, a, b), a, b, k, dtype)


@MATMUL_BATCHED
@given(data=st.data())
def test_matmul_batched(target, data) -> None:
    dtype = data.draw(dtypes(ALL_DTYPES), label="dtype")
    batch = data.draw(S.shapes(1, 2, 0, 3), label="batch")
    a, b, k = _operands(data, dtype, batch)
    _check(target.run(O.matmul_fn, a, b), a, b, k, dtype)
