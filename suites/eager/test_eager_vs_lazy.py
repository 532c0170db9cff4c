"""TF2 runs ops eagerly (concrete values); a tf.compat.v1 graph builds symbolic tensors.

Both tests are restricted to the eager mode: they are about what an op returns when
called directly from Python (eagerly, or inside a TF1-style graph that the test builds
itself); running them again under tf.function or XLA would test nothing more.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim, only_modes
from pytest_tf2conf import strategies as S

EAGER_VALUE = claim(
    "eager.add-returns-concrete-value",
    "In TF2, tf.add(tf.constant([1, 2, 3]), tf.constant([0, 0, 1])) runs at once: an int32"
    " tensor of shape (3,) whose .numpy() is [1 2 4] and whose str shows the value.",
    "https://www.tensorflow.org/api_docs/python/tf/compat/v1/enable_eager_execution",
)
LAZY_GRAPH = claim(
    "eager.v1-graph-add-is-symbolic",
    "Built inside a tf.compat.v1 graph, the same tf.add is a symbolic tensor printed as"
    ' Tensor("Add:0", shape=(3,), dtype=int32), with no .numpy(), until a Session runs it.',
    "https://www.tensorflow.org/api_docs/python/tf/compat/v1/Session",
)
int32_vectors = S.arrays("int32", S.shapes(1, 1, 1, 6), bound=10**6)


def _add_eagerly(x: list[int], y: list[int]):
    import tensorflow as tf

    return tf.add(tf.constant(x), tf.constant(y))


@only_modes("eager")
@EAGER_VALUE
@given(
    pair=int32_vectors.flatmap(
        lambda x: st.tuples(st.just(x), S.arrays("int32", x.shape, bound=10**6))
    )
)
def test_add_returns_concrete_value(target, pair) -> None:
    import tensorflow as tf

    with target.scope():
        example = _add_eagerly([1, 2, 3], [0, 0, 1])
        x, y = pair
        drawn = _add_eagerly(x.tolist(), y.tolist())
    assert example.dtype == tf.int32 and tuple(example.shape) == (3,)
    assert_close(example.numpy(), np.array([1, 2, 4], dtype=np.int32))
    assert "[1 2 4]" in str(example)
    assert isinstance(drawn.numpy(), np.ndarray)
    assert drawn.dtype == tf.int32 and tuple(drawn.shape) == x.shape
    assert_close(drawn.numpy(), x + y)


@only_modes("eager")
@LAZY_GRAPH
@given(pair=int32_vectors.map(lambda x: (x, x[::-1].copy())))
def test_v1_graph_add_is_symbolic(target, pair) -> None:
    import tensorflow as tf

    x, y = pair
    graph = tf.Graph()
    with graph.as_default():
        # no device scope here: a placed op's str also names its device
        example = _add_eagerly([1, 2, 3], [0, 0, 1])
        with target.scope():
            drawn = _add_eagerly(x.tolist(), y.tolist())
    assert str(example) == 'Tensor("Add:0", shape=(3,), dtype=int32)'
    assert not hasattr(example, "numpy")
    with pytest.raises(Exception):  # noqa: B017 (no value exists outside a session)
        np.asarray(example)
    assert example.graph is graph and drawn.graph is graph
    with tf.compat.v1.Session(graph=graph) as session:
        value, drawn_value = session.run([example, drawn])
    assert_close(value, np.array([1, 2, 4], dtype=np.int32))
    assert_close(drawn_value, x + y)
