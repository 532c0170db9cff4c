"""Tracing rules of tf.function: when a Python function is (re)traced into a graph.

Traces are counted twice, independently: ``experimental_get_tracing_count()`` and a Python
side-effect counter in the body (``Probe``). Functions whose trace count is the claim are
built fresh per example (and examples are scaled down); functions whose claim is "no
retrace" are built once per target and reused across examples.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim, only_modes
from pytest_tf2conf.profiles import scaled_examples
from pytest_tf2conf.strategies import arrays, numpy_dtype, shapes

from ._support import CountedFunction

GUIDE = "https://www.tensorflow.org/guide/function"
API = "https://www.tensorflow.org/api_docs/python/tf/function"

SIDE_EFFECTS = claim(
    "graph.python-side-effects-run-only-while-tracing",
    "Python side effects in a tf.function body (appending, counting) run only while it is "
    "traced, not on later calls that reuse the trace.",
    GUIDE + "#executing_python_side_effects",
)
TF_PRINT = claim(
    "graph.tf-print-runs-on-every-call",
    "tf.print inside a tf.function executes on every call, also when the trace is reused.",
    GUIDE + "#debugging",
)
SAME_SIGNATURE = claim(
    "graph.same-signature-does-not-retrace",
    "Calling a tf.function again with tensors of the same dtype and shape (any values) "
    "reuses the existing trace.",
    GUIDE + "#rules_of_tracing",
)
NEW_DTYPE = claim(
    "graph.new-dtype-retraces",
    "A tensor argument of a dtype not seen before makes a tf.function trace a new graph; "
    "the earlier trace is reused for the earlier dtype.",
    GUIDE + "#rules_of_tracing",
)
NEW_SHAPE = claim(
    "graph.new-shape-retraces",
    "Without an input_signature, a tensor argument of a new shape (same rank) makes a "
    "tf.function retrace.",
    GUIDE + "#rules_of_tracing",
)
NEW_RANK = claim(
    "graph.new-rank-retraces",
    "Without an input_signature, a tensor argument of a new rank makes a tf.function retrace.",
    GUIDE + "#rules_of_tracing",
)
PY_SCALAR = claim(
    "graph.new-python-scalar-retraces",
    "A Python scalar argument is part of the trace key: a new value retraces, a repeated "
    "value reuses its trace.",
    GUIDE + "#rules_of_tracing",
)
NONE_DIMS = claim(
    "graph.input-signature-none-dims-trace-once",
    "With an input_signature whose dimensions are None, one trace serves inputs of every "
    "shape of that rank.",
    GUIDE + "#use_unknown_dimensions_for_flexibility",
)
REDUCE_RETRACING = claim(
    "graph.reduce-retracing-bounds-traces",
    "With reduce_retracing=True, inputs of many shapes of rank r are served by at most r+1 "
    "traces (each retrace relaxes dimensions to None).",
    API,
)
SIGNATURE_MISMATCH = claim(
    "graph.input-signature-mismatch-raises",
    "Calling a tf.function with a tensor whose dtype or rank does not match its "
    "input_signature raises an error instead of retracing.",
    GUIDE + "#pass_a_fixed_input_signature_to_tffunction",
)
CONCRETE_SIGNATURE = claim(
    "graph.concrete-function-signature",
    "get_concrete_function(TensorSpec) returns a concrete function whose "
    "structured_input_signature and structured_outputs describe the traced spec.",
    GUIDE + "#obtaining_concrete_functions",
)
CONCRETE_DTYPE = claim(
    "graph.concrete-function-rejects-other-dtype",
    "Calling a concrete function with a tensor of a dtype other than the traced one raises "
    "InvalidArgumentError.",
    GUIDE + "#obtaining_concrete_functions",
)
VARIABLES = claim(
    "graph.variables-created-only-on-first-call",
    "A tf.function may create tf.Variables only on its first call; creating one on a later "
    "call (a new trace) raises ValueError.",
    API,
)
VARIABLE_STATE = claim(
    "graph.variable-created-once-keeps-state",
    "A tf.Variable created lazily on the first call of a tf.function persists: later calls "
    "update the same variable.",
    GUIDE + "#creating_tfvariables",
)
SEPARATE_FUNCTIONS = claim(
    "graph.separate-functions-do-not-share-traces",
    "Two tf.function objects made from the same Python function trace separately.",
    GUIDE + "#controlling_retracing",
)

GRAPH_MODES = only_modes("function", "xla")
DTYPES = ("float32", "float64", "int32", "int64")
VALUES = arrays("float32", (4,), bound=100.0)


def _affine(x):
    return x * 2 + 1


def _scale(x, k):
    return x * k


# Functions reused across the examples of one test on one target ("no retrace" claims).
_REUSED: dict[tuple[str, str], CountedFunction] = {}


def _reused(name: str, target, body, **kwargs) -> CountedFunction:
    key = (name, target.id)
    if key not in _REUSED:
        _REUSED[key] = CountedFunction(target, body, **kwargs)
    return _REUSED[key]


@GRAPH_MODES
@SIDE_EFFECTS
@scaled_examples(0.2)  # a fresh function (one trace) per example
@given(st.lists(VALUES, min_size=1, max_size=5))
def test_python_side_effects_run_only_while_tracing(target, batches):
    log: list[int] = []

    def body(x):
        log.append(1)  # the side effect under test
        return _affine(x)

    fn = CountedFunction(target, body)
    for x in batches:
        assert_close(fn(x), x.astype(np.float64) * 2 + 1)
    assert len(log) == 1, f"body ran {len(log)} times for {len(batches)} same-signature calls"
    assert fn.probe.runs == fn.traces == 1


@only_modes("function")  # XLA cannot compile the string ops of tf.print
@TF_PRINT
@given(st.lists(st.integers(-1000, 1000), min_size=1, max_size=6))
def test_tf_print_runs_on_every_call(target, values):
    import tensorflow as tf

    from ._support import print_capture

    with print_capture() as (stream, lines):

        def body(x):
            tf.print("value", x, output_stream=stream)
            return x + 1

        fn = CountedFunction(target, body)
        for v in values:
            assert int(fn(tf.constant(v))) == v + 1
        assert lines() == [f"value {v}" for v in values]
    assert fn.traces == 1


@GRAPH_MODES
@SAME_SIGNATURE
@given(VALUES, st.integers(-(2**31), 2**31 - 1))
def test_same_signature_does_not_retrace(target, x, k):
    import tensorflow as tf

    fn = _reused("same-signature", target, _scale)
    out = fn(x, tf.constant(np.float32(k % 1000)))
    assert_close(out, x.astype(np.float64) * (k % 1000))
    assert fn.traces == fn.probe.runs == 1


@GRAPH_MODES
@NEW_DTYPE
@scaled_examples(0.2)
@given(st.permutations(DTYPES).map(lambda p: p[:2]))
def test_new_dtype_retraces(target, pair):
    first, second = (np.ones((2,), numpy_dtype(name)) for name in pair)
    fn = CountedFunction(target, _affine)
    fn(first)
    fn(first)
    assert fn.traces == 1
    out = fn(second)
    assert out.dtype.name == pair[1]
    assert fn.traces == fn.probe.runs == 2
    fn(first)
    assert fn.traces == 2, "the trace for the first dtype was not reused"


@st.composite
def _two_shapes_same_rank(draw):
    rank = draw(st.integers(1, 3))
    first = draw(shapes(rank, rank, 1, 4))
    second = draw(shapes(rank, rank, 1, 4).filter(lambda s: s != first))
    return first, second


@GRAPH_MODES
@NEW_SHAPE
@scaled_examples(0.2)
@given(_two_shapes_same_rank())
def test_new_shape_retraces(target, pair):
    fn = CountedFunction(target, _affine)
    first, second = (np.zeros(s, np.float32) for s in pair)
    fn(first)
    assert fn.traces == 1
    assert tuple(fn(second).shape) == pair[1]
    assert fn.traces == fn.probe.runs == 2


@GRAPH_MODES
@NEW_RANK
@scaled_examples(0.2)
@given(st.permutations(range(4)).map(lambda p: p[:2]))
def test_new_rank_retraces(target, ranks):
    fn = CountedFunction(target, _affine)
    first, second = (np.zeros((2,) * r, np.float32) for r in ranks)
    fn(first)
    assert fn.traces == 1
    assert fn(second).shape.rank == ranks[1]
    assert fn.traces == fn.probe.runs == 2


@GRAPH_MODES
@PY_SCALAR
@scaled_examples(0.2)
@given(st.lists(st.integers(-50, 50), min_size=2, max_size=2, unique=True))
def test_new_python_scalar_retraces(target, ks):
    x = np.arange(3, dtype=np.float32)
    fn = CountedFunction(target, _scale)
    assert_close(fn(x, ks[0]), x.astype(np.float64) * ks[0])
    fn(x, ks[0])
    assert fn.traces == 1
    assert_close(fn(x, ks[1]), x.astype(np.float64) * ks[1])
    assert fn.traces == fn.probe.runs == 2


@GRAPH_MODES
@NONE_DIMS
@given(arrays("float32", shapes(2, 2, 0, 5), bound=100.0))
def test_input_signature_none_dims_trace_once(target, x):
    import tensorflow as tf

    spec = [tf.TensorSpec([None, None], tf.float32)]
    fn = _reused("none-dims", target, _affine, input_signature=spec)
    assert_close(fn(x), x.astype(np.float64) * 2 + 1)
    assert fn.traces == fn.probe.runs == 1


@st.composite
def _shapes_of_one_rank(draw):
    rank = draw(st.integers(0, 3))
    return rank, draw(st.lists(shapes(rank, rank, 1, 4), min_size=1, max_size=6))


@GRAPH_MODES
@REDUCE_RETRACING
@scaled_examples(0.2)
@given(_shapes_of_one_rank())
def test_reduce_retracing_bounds_traces(target, drawn):
    rank, shape_list = drawn
    fn = CountedFunction(target, _affine, reduce_retracing=True)
    for shape in shape_list:
        x = np.ones(shape, np.float32)
        assert_close(fn(x), x.astype(np.float64) * 3)
    bound = min(len(set(shape_list)), rank + 1)
    assert fn.traces <= bound, f"{fn.traces} traces for shapes {shape_list} (bound {bound})"


_BAD_INPUTS = st.sampled_from(
    [
        ("int32 vector", lambda: np.arange(3, dtype=np.int32)),
        ("float64 vector", lambda: np.arange(3, dtype=np.float64)),
        ("float32 matrix", lambda: np.ones((2, 2), np.float32)),
        ("float32 scalar", lambda: np.float32(1.0)),
    ]
)


@GRAPH_MODES
@SIGNATURE_MISMATCH
@given(_BAD_INPUTS)
def test_input_signature_mismatch_raises(target, bad):
    import tensorflow as tf

    from pytest_tf2conf import recording

    spec = [tf.TensorSpec([None], tf.float32)]
    fn = _reused("mismatch", target, _affine, input_signature=spec)
    fn(np.ones(2, np.float32))
    what, make = bad
    # The guide's example expects ValueError; TF 2.21 raises TypeError ("Binding inputs to
    # tf.function failed"). The claim is that it raises instead of retracing.
    with pytest.raises((TypeError, ValueError)) as info:
        fn(tf.constant(make()))
    recording.current().notes["mismatch_error"] = type(info.value).__name__
    assert fn.traces == 1, f"{what} retraced instead of raising"


_SPEC_DTYPES = st.sampled_from(("float32", "float64", "int32"))


@GRAPH_MODES
@CONCRETE_SIGNATURE
@scaled_examples(0.2)
@given(_SPEC_DTYPES, shapes(0, 3, 1, 3))
def test_concrete_function_signature(target, dtype, shape):
    import tensorflow as tf

    fn = CountedFunction(target, _affine)
    spec = tf.TensorSpec(shape, getattr(tf, dtype))
    concrete = fn.concrete(spec)
    args, kwargs = concrete.structured_input_signature
    assert kwargs == {}
    assert len(args) == 1 and args[0].shape == tf.TensorShape(shape)
    assert args[0].dtype == spec.dtype
    out = concrete.structured_outputs
    assert out.shape == tf.TensorShape(shape) and out.dtype == spec.dtype
    x = np.ones(shape, numpy_dtype(dtype))
    with target.scope():
        assert_close(concrete(tf.constant(x)), x.astype(np.float64) * 3)
    assert fn.traces == 1


@GRAPH_MODES
@CONCRETE_DTYPE
@given(st.sampled_from(("int32", "float64", "int64")))
def test_concrete_function_rejects_other_dtype(target, dtype):
    import tensorflow as tf

    fn = _reused("concrete-dtype", target, _affine)
    concrete = fn.concrete(tf.TensorSpec([None], tf.float32))
    with target.scope(), pytest.raises(tf.errors.InvalidArgumentError):
        concrete(tf.constant(np.ones(2, numpy_dtype(dtype))))


@GRAPH_MODES
@VARIABLES
def test_variables_created_on_later_call_raise(target):
    # Not a property: the rule does not depend on values, and a failing property would
    # spend its time exploring examples that all fail the same way.
    import tensorflow as tf

    created: list[object] = []

    def body(v, create):
        if create:  # a Python bool: decides at trace time whether to make a variable
            created.append(tf.Variable(1.0))
        return v + 1

    fn = CountedFunction(target, body)
    x = np.arange(4, dtype=np.float32)
    assert_close(fn(x, False), x.astype(np.float64) + 1)
    with pytest.raises(ValueError, match="non-first call"):
        fn(x, True)


@GRAPH_MODES
@VARIABLE_STATE
@scaled_examples(0.2)
@given(st.lists(st.integers(-100, 100), min_size=1, max_size=5))
def test_variable_created_once_keeps_state(target, steps):
    import tensorflow as tf

    holder: dict[str, object] = {}

    def body(x):
        if "v" not in holder:
            holder["v"] = tf.Variable(0.0)
        holder["v"].assign_add(x)
        return holder["v"].read_value()

    fn = CountedFunction(target, body)
    total = 0
    for step in steps:
        total += step
        assert float(fn(tf.constant(float(step)))) == float(total)
    assert len(holder) == 1


@GRAPH_MODES
@SEPARATE_FUNCTIONS
@scaled_examples(0.2)
@given(VALUES)
def test_separate_functions_do_not_share_traces(target, x):
    one = CountedFunction(target, _affine)
    two = CountedFunction(target, _affine)
    expected = x.astype(np.float64) * 2 + 1
    assert_close(one(x), expected)
    assert_close(two(x), expected)
    assert one.traces == two.traces == 1
