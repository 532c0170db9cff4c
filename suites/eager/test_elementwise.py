"""Element-wise ops as a family: the result dtype (no implicit promotion), the broadcast
shape, and the rejection of shapes that do not broadcast.

Each op's values against its NumPy oracle are its op-database record's claim
(``ops/math_table.py``, checked by the ops suite under the ids ``eager.add-matches-numpy``,
...); this suite reads the same records through ``pytest_tf2conf.oracles``' views.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import claim
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
    assert tf_dtype_name(out) == case.result_dtype(dtype)
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
