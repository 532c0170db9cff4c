"""Graph equivalence: every op of the op table gives eager's result in graph modes.

One parametrized property over the op table's records (``ops/math_table.py``, read through
``pytest_tf2conf.oracles``' views: element-wise unary and binary ops, reductions) and
matmul: the same inputs run eagerly on the target's device and under the target's graph
mode (``tf.function`` or ``tf.function(jit_compile=True)``); dtype, shape and values must
agree: exactly for integers and bools, within the dtype's tolerance for floats (widened to
the classic rounding bound where the op accumulates many terms, since XLA may sum in
another order). Correctness against NumPy is the op database's claim; this one is about
the modes agreeing with each other.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim, only_modes, recording
from pytest_tf2conf import oracles as O
from pytest_tf2conf import strategies as S
from pytest_tf2conf.profiles import scaled_examples
from pytest_tf2conf.tolerance import accumulation_tolerance

DOC = "https://www.tensorflow.org/guide/intro_to_graphs"

FAMILIES = {
    "unary": claim(
        "graph.unary-ops-graph-equals-eager",
        "Element-wise unary ops give the same dtype, shape and values under tf.function and "
        "tf.function(jit_compile=True) as eagerly.",
        DOC,
    ),
    "binary": claim(
        "graph.binary-ops-graph-equals-eager",
        "Element-wise binary ops (with broadcasting) give the same dtype, shape and values "
        "under tf.function and tf.function(jit_compile=True) as eagerly.",
        DOC,
    ),
    "reduction": claim(
        "graph.reductions-graph-equals-eager",
        "Reductions over drawn axes give the same dtype, shape and values under tf.function "
        "and tf.function(jit_compile=True) as eagerly.",
        DOC,
    ),
    "matmul": claim(
        "graph.matmul-graph-equals-eager",
        "tf.linalg.matmul gives the same dtype, shape and values under tf.function and "
        "tf.function(jit_compile=True) as eagerly.",
        DOC,
    ),
}

MATMUL = "matmul"


def _params() -> list:
    """One item per case x dtype (the dtype is an axis, as in ``pytest_tf2conf.dtype_axis``):
    every dtype of every case runs in every profile, and a graph traces once per rank."""
    rows = [("unary", c) for c in O.unary_ops()]
    rows += [("binary", c) for c in O.binary_ops()]
    rows += [("reduction", c) for c in O.reductions()]
    params = [
        pytest.param(case, dtype, id=f"{case.name}-{dtype}", marks=FAMILIES[family])
        for family, case in rows
        for dtype in case.dtypes
    ]
    params += [
        pytest.param(MATMUL, dtype, id=f"{MATMUL}-{dtype}", marks=FAMILIES["matmul"])
        for dtype in O.MATMUL_DTYPES + O.MATMUL_INT_DTYPES
    ]
    return params


# A case x dtype item draws a tenth of the profile's examples (ci 2, thorough 20): about
# what each dtype got when the case drew its dtype from ~10 per example.
EXAMPLES = scaled_examples(1 / 10)


def _draw(data, case, dtype):
    """(fn, arrays, tolerance kwargs, signed_zeros) for one example of ``case``."""
    if case == MATMUL:
        batch = data.draw(S.shapes(0, 1, 1, 3), label="batch")
        m, k, n = data.draw(st.tuples(*[st.integers(1, 4)] * 3), label="m, k, n")
        bound = 8.0 if dtype in S.FLOAT_DTYPES + S.COMPLEX_DTYPES else 100.0
        a = data.draw(S.arrays(dtype, (*batch, m, k), bound=bound), label="a")
        b = data.draw(S.arrays(dtype, (*batch, k, n), bound=bound), label="b")
        scale = np.abs(S.as_float64(a)) @ np.abs(S.as_float64(b)) if a.size and b.size else 0
        # Each entry is a sum of products: as for reductions, the sign of a zero is not pinned.
        return O.matmul_fn, (a, b), accumulation_tolerance(dtype, scale, k), False
    if isinstance(case, O.ReductionCase):
        shape = data.draw(S.shapes(0, 3, 0, 3), label="shape")
        x = data.draw(S.arrays(dtype, shape, bound=case.bound(dtype)), label="x")
        axis = data.draw(S.axes(len(shape)), label="axis")
        keepdims = data.draw(st.booleans(), label="keepdims")
        n = O.reduced_count(shape, axis)
        # The mean over nothing has its own claim below, checked for every dtype each run.
        assume(not (case.name == "reduce_mean" and n == 0))
        tolerance = {}
        if case.accumulates and x.size:
            magnitude = np.abs(S.as_float64(x))
            scale = np.prod(magnitude, axis=axis) if case.name == "reduce_prod" else None
            scale = np.sum(magnitude, axis=axis) if scale is None else scale
            tolerance = accumulation_tolerance(dtype, scale, n)
        # The sign of a zero sum depends on the summation order, which is not specified.
        return O.reduction_fn(case, axis, keepdims), (x,), tolerance, False
    if case.arity == 1:
        shapes = [data.draw(S.shapes(), label="shape")]
    else:
        shapes = list(data.draw(S.broadcastable_shapes(2), label="shapes"))
    arrays = data.draw(case.inputs(dtype, shapes), label="inputs")
    return case.tf_fn, arrays, {}, case.compare_signed_zeros(dtype)


def _eager(target, fn, arrays):
    """The same computation run eagerly on the target's device (placement verified too)."""
    from pytest_tf2conf.targets import Mode, Target

    return Target(target.device, Mode("eager")).run(fn, *arrays)


def _timed(notes: dict, key: str, call):
    start = time.perf_counter()
    result = call()
    notes[key] = round(notes.get(key, 0.0) + time.perf_counter() - start, 6)
    return result


@only_modes("function", "xla")
@pytest.mark.parametrize(("case", "dtype"), _params())
@EXAMPLES
@given(data=st.data())
def test_graph_result_equals_eager(target, case, dtype, data) -> None:
    fn, arrays, tolerance, signed_zeros = _draw(data, case, dtype)
    notes = recording.current().notes
    # Seconds spent in each mode, for the report (graph time includes tracing/compiling).
    expected = _timed(notes, "eager_seconds", lambda: _eager(target, fn, arrays))
    got = _timed(notes, "graph_seconds", lambda: target.run(fn, *arrays))
    assert got.dtype == expected.dtype, f"dtype {got.dtype.name} != eager {expected.dtype.name}"
    assert got.shape == expected.shape, f"shape {got.shape} != eager {expected.shape}"
    assert_close(got, expected, signed_zeros=signed_zeros, what="graph vs eager", **tolerance)


EMPTY_MEAN = claim(
    "graph.empty-mean-graph-equals-eager",
    "The mean over an empty axis gives the same value under tf.function and "
    "tf.function(jit_compile=True) as eagerly, for every float and complex dtype.",
    DOC,
)


@only_modes("function", "xla")
@EMPTY_MEAN
# Floats and complex only: the integer mean of nothing is 0 / 0 in integers, undefined
# (eager gives 0, XLA -1).
@pytest.mark.parametrize("dtype", S.FLOAT_DTYPES + S.COMPLEX_DTYPES)
def test_empty_mean_equals_eager(target, dtype) -> None:
    case = O.by_name("reduce_mean")
    fn = O.reduction_fn(case, 0, False)
    x = np.zeros((0, 2), dtype=S.numpy_dtype(dtype))
    expected, got = _eager(target, fn, (x,)), target.run(fn, x)
    assert got.dtype == expected.dtype
    assert_close(got, expected, signed_zeros=False, what="graph vs eager mean of nothing")
