"""The source document's optimisation example: ``d = a*b + c; e = a*b*c``.

Tracing records every Python-level op, so the traced graph holds three ``Mul`` ops; the
runtime's graph optimisation (Grappler's arithmetic optimizer, which eliminates common
subexpressions) computes ``a*b`` once, so the graph that actually runs holds two. What ran
is read from the partition graphs of a TF1 ``Session`` run of the traced graph. XLA's
optimised HLO is not used as the observable: XLA recomputes the product inside its fusions.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim, only_modes
from pytest_tf2conf.profiles import scaled_examples
from pytest_tf2conf.strategies import arrays, shapes

from ._support import CountedFunction, op_types, partition_op_types

TRACED = claim(
    "graph.traced-graph-records-each-op",
    "Tracing d = a*b + c; e = a*b*c with tf.function records one Mul op per Python "
    "multiplication (3), and the results equal eager execution.",
    "https://www.tensorflow.org/guide/intro_to_graphs",
)
CSE = claim(
    "graph.optimizer-eliminates-common-subexpression",
    "Graph optimization eliminates the common subexpression a*b of d = a*b + c; e = a*b*c: "
    "the graph that runs holds 2 Mul ops, with unchanged results.",
    "https://www.tensorflow.org/guide/graph_optimization",
)
XLA_EQUAL = claim(
    "graph.xla-example-equals-eager",
    "tf.function(jit_compile=True) computes d = a*b + c; e = a*b*c like eager execution and NumPy.",
    "https://www.tensorflow.org/api_docs/python/tf/function",
)


def _example(a, b, c):
    d = a * b + c
    e = a * b * c
    return d, e


@st.composite
def _three_arrays(draw):
    shape = draw(shapes(1, 2, 1, 4))
    return tuple(draw(arrays("float32", shape, bound=100.0)) for _ in range(3))


def _oracle(a, b, c):
    a64, b64, c64 = (x.astype(np.float64) for x in (a, b, c))
    return a64 * b64 + c64, a64 * b64 * c64


def _eager(target, a, b, c):
    import tensorflow as tf

    with target.scope():
        return _example(tf.constant(a), tf.constant(b), tf.constant(c))


_FUNCTIONS: dict[str, CountedFunction] = {}


def _function(target) -> CountedFunction:
    import tensorflow as tf

    if target.id not in _FUNCTIONS:
        spec = [tf.TensorSpec(None, tf.float32)] * 3  # unknown shape: one trace for all
        _FUNCTIONS[target.id] = CountedFunction(target, _example, input_signature=spec)
    return _FUNCTIONS[target.id]


def _assert_matches_oracle(abc, d, e) -> None:
    want_d, want_e = _oracle(*abc)
    assert_close(d, want_d, what="d")
    assert_close(e, want_e, what="e")


def _assert_matches_eager_and_oracle(target, abc, d, e) -> None:
    eager_d, eager_e = _eager(target, *abc)
    assert_close(d, eager_d.numpy().astype(np.float64), what="d vs eager")
    assert_close(e, eager_e.numpy().astype(np.float64), what="e vs eager")
    _assert_matches_oracle(abc, d, e)


@only_modes("function", "xla")
@TRACED
@given(_three_arrays())
def test_traced_graph_holds_three_multiplies(target, abc):
    fn = _function(target)
    types = op_types(fn.concrete())
    assert types.count("Mul") == 3, types
    _assert_matches_eager_and_oracle(target, abc, *fn(*abc))
    assert fn.traces == 1


@only_modes("function")  # a TF1 Session runs the traced graph; XLA plays no part
@CSE
@scaled_examples(0.2)
@given(_three_arrays())
def test_optimizer_eliminates_common_product(target, abc):
    fn = _function(target)
    concrete = fn.concrete()
    assert op_types(concrete).count("Mul") == 3
    (d, e), ran = partition_op_types(concrete, abc)
    assert ran.count("Mul") == 2, f"ops that ran: {ran}"
    _assert_matches_oracle(abc, d, e)


@only_modes("xla")
@XLA_EQUAL
@given(_three_arrays())
def test_xla_example_equals_eager(target, abc):
    # XLA may fuse a*b+c into one rounding step: compared within float32 tolerance.
    _assert_matches_eager_and_oracle(target, abc, *target.run(_example, *abc))
