"""Element-wise ops agree with NumPy (float64 on the dtype-rounded inputs; integers exact).

One generic property per op family checks every row of ``pytest_tf2conf.oracles``: the
value (within the dtype's tolerance), the result dtype (no implicit promotion) and the
broadcast shape.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim
from pytest_tf2conf import oracles as O
from pytest_tf2conf import strategies as S
from pytest_tf2conf.suites.eager._support import dtypes, tf_dtype_name

SAME_DTYPE = claim(
    "eager.result-dtype-is-input-dtype",
    "Element-wise ops on two tensors of one dtype return that dtype (no implicit promotion);"
    " comparisons return bool.",
    "https://www.tensorflow.org/guide/tensor#basic_math_on_tensors",
)
BROADCAST = claim(
    "eager.broadcasting-follows-numpy-rules",
    "Binary element-wise ops broadcast their operands like NumPy: the result shape is the"
    " broadcast of the input shapes.",
    "https://www.tensorflow.org/guide/tensor#broadcasting",
)
BROADCAST_ERROR = claim(
    "eager.incompatible-shapes-raise",
    "Binary element-wise ops on shapes that do not broadcast raise InvalidArgumentError.",
    "https://www.tensorflow.org/guide/tensor#broadcasting",
)


@pytest.mark.parametrize("case", O.params(O.BINARY_OPS))
@given(data=st.data())
def test_binary_op_matches_numpy(target, case: O.OpCase, data) -> None:
    dtype = data.draw(dtypes(case.dtypes), label="dtype")
    shapes = data.draw(S.broadcastable_shapes(2), label="shapes")
    x, y = data.draw(case.inputs(dtype, shapes), label="inputs")
    out = target.run(case.tf_fn, x, y)
    assert tf_dtype_name(out) == case.result_dtype(dtype)
    assert_close(out, case.oracle(dtype, x, y), signed_zeros=case.compare_signed_zeros(dtype))


@pytest.mark.parametrize("case", O.params(O.UNARY_OPS))
@given(data=st.data())
def test_unary_op_matches_numpy(target, case: O.OpCase, data) -> None:
    dtype = data.draw(dtypes(case.dtypes), label="dtype")
    (x,) = data.draw(case.inputs(dtype, [data.draw(S.shapes(), label="shape")]), label="x")
    out = target.run(case.tf_fn, x)
    assert tf_dtype_name(out) == case.result_dtype(dtype)
    assert_close(out, case.oracle(dtype, x), signed_zeros=case.compare_signed_zeros(dtype))


# One representative op per family: the dtype/shape claims are about the op machinery,
# not about each op's arithmetic (which the table's own claims check).
_SHAPE_OPS = [O.by_name(n) for n in ("add", "multiply", "maximum", "less", "equal")]


@SAME_DTYPE
@BROADCAST
@given(data=st.data())
def test_result_dtype_and_broadcast_shape(target, data) -> None:
    case = data.draw(st.sampled_from(_SHAPE_OPS), label="op")
    dtype = data.draw(dtypes(tuple(d for d in case.dtypes if d != "bool")), label="dtype")
    shapes = data.draw(S.broadcastable_shapes(2), label="shapes")
    x, y = data.draw(case.inputs(dtype, shapes), label="inputs")
    out = target.run(case.tf_fn, x, y)
    assert tf_dtype_name(out) == ("bool" if case.result == "bool" else dtype)
    assert tuple(out.shape) == np.broadcast_shapes(*shapes)


def _expect_invalid_argument(target, fn, x, y) -> None:
    import tensorflow as tf

    # Graph modes with relaxed shapes see the mismatch only at run time; static shapes
    # would turn it into a ValueError at trace time, which is also a documented rejection
    # but not the claim here.
    with pytest.raises(tf.errors.InvalidArgumentError):
        target.run(fn, x, y)


@BROADCAST_ERROR
@given(
    case=st.sampled_from([O.by_name(n) for n in ("add", "subtract", "multiply", "maximum")]),
    shapes=S.incompatible_shape_pairs(),
    dtype=st.sampled_from(("float32", "int32", "float64")),
)
def test_incompatible_shapes_raise(target, case: O.OpCase, shapes, dtype) -> None:
    x = np.zeros(shapes[0], S.numpy_dtype(dtype))
    y = np.ones(shapes[1], S.numpy_dtype(dtype))
    _expect_invalid_argument(target, case.tf_fn, x, y)
