"""Shape, rank and size of tensors; static versus dynamic shape; reshape; nested lists."""

from __future__ import annotations

import time

import numpy as np
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import claim, only_modes
from pytest_tf2conf.dtype_axis import dtype_axis
from pytest_tf2conf.strategies import arrays, shapes
from pytest_tf2conf.targets import Target, record_compilation

from ._support import (
    ALL_DTYPES,
    API,
    GUIDE,
    as_numpy,
    nest,
    nested_lists,
    raised_by,
    run_built,
    same_array,
)

RANK = claim(
    "tensor.rank-counts-dimensions",
    "tf.rank(x) is an int32 scalar tensor holding the number of dimensions of x.",
    API + "rank",
)
SIZE = claim(
    "tensor.size-counts-elements",
    "tf.size(x) is an int32 scalar tensor holding the number of elements of x.",
    API + "size",
)
SHAPE_OP = claim(
    "tensor.shape-op-gives-dimension-sizes",
    "tf.shape(x) is a 1-D int32 tensor of x's dimension sizes, even when unknown statically.",
    API + "shape",
)
STATIC = claim(
    "tensor.static-shape-and-ndim-match-the-value",
    "x.shape (a TensorShape) and x.ndim give x's dimension sizes and rank when they are known.",
    GUIDE,
)
TRACED = claim(
    "tensor.traced-static-shape-unknown-dynamic-shape-exact",
    "While tracing with None dimensions, x.shape holds None where tf.shape(x) has the actual size.",
    API + "shape",
)
SIGNATURE = claim(
    "tensor.input-signature-partial-shape",
    "A TensorSpec((None, None, 3)) signature accepts any height and width, and only 3 channels.",
    API + "function",
)
RESHAPE = claim(
    "tensor.reshape-keeps-values-and-size",
    "tf.reshape keeps the elements in row-major order and their number; only the shape changes.",
    API + "reshape",
)
RESHAPE_INFER = claim(
    "tensor.reshape-infers-one-minus-one-dimension",
    "A single -1 in tf.reshape's shape is computed so that the total size stays the same.",
    API + "reshape",
)
RESHAPE_REJECTS = claim(
    "tensor.reshape-rejects-size-mismatch",
    "tf.reshape to a shape of a different total size raises InvalidArgumentError.",
    API + "reshape",
)
NESTED = claim(
    "tensor.nested-lists-give-shape",
    "tf.convert_to_tensor of rectangular nested lists has one dimension per nesting level.",
    GUIDE,
)
RAGGED = claim(
    "tensor.ragged-lists-raise-valueerror",
    "Converting nested lists of unequal lengths (or mixing scalars and lists) raises ValueError.",
    GUIDE + "#ragged_tensors",
)

# Each dtype is its own item (see pytest_tf2conf.dtype_axis): every dtype runs in every
# profile, and graph modes trace once per rank.
per_dtype = dtype_axis(ALL_DTYPES)


def any_arrays(dtype: str) -> st.SearchStrategy[np.ndarray]:
    return arrays(dtype, shapes(0, 4))


def rank_of(x):
    return tf.rank(x)


def size_of(x):
    return tf.size(x)


def shape_of(x):
    return tf.shape(x)


def static_shape_and_ndim(x):
    # Python values read while tracing, returned as constants; -1 marks an unknown size.
    sizes = [-1 if d is None else d for d in x.shape.as_list()]
    return tf.constant(sizes, tf.int32, shape=[len(sizes)]), tf.constant(x.ndim, tf.int32)


def check_int32_scalar(result, expected: int, what: str) -> None:
    assert result.dtype == tf.int32, f"{what} has dtype {result.dtype.name}"
    assert tuple(result.shape) == (), f"{what} is not a scalar: {result.shape}"
    assert int(as_numpy(result)) == expected, f"{what} = {as_numpy(result)}, expected {expected}"


@RANK
@per_dtype
@given(st.data())
def test_rank_counts_dimensions(target, dtype, data):
    array = data.draw(any_arrays(dtype), label="array")
    check_int32_scalar(target.run(rank_of, array), array.ndim, "tf.rank")


@SIZE
@per_dtype
@given(st.data())
def test_size_counts_elements(target, dtype, data):
    array = data.draw(any_arrays(dtype), label="array")
    check_int32_scalar(target.run(size_of, array), array.size, "tf.size")


@SHAPE_OP
@per_dtype
@given(st.data())
def test_shape_op_gives_dimension_sizes(target, dtype, data):
    array = data.draw(any_arrays(dtype), label="array")
    # relax_shapes: in graph modes every dimension is unknown while tracing.
    result = target.run(shape_of, array)
    assert result.dtype == tf.int32
    same_array(result, np.array(array.shape, dtype=np.int32), "tf.shape")


@STATIC
@per_dtype
@given(st.data())
def test_static_shape_and_ndim(target, dtype, data):
    array = data.draw(any_arrays(dtype), label="array")
    # relax_shapes=False: the input's shape is known when the function is traced.
    sizes, ndim = target.run(static_shape_and_ndim, array, relax_shapes=False)
    same_array(sizes, np.array(array.shape, dtype=np.int32), "x.shape")
    assert int(as_numpy(ndim)) == array.ndim


# Mode-specific: only tracing has a static shape that can differ from the value's; in eager
# x.shape is always fully known (that is the claim above).
@only_modes("function", "xla")
@TRACED
@per_dtype
@given(st.data())
def test_traced_static_shape_is_unknown_dynamic_shape_exact(target, dtype, data):
    array = data.draw(arrays(dtype, shapes(1, 4)), label="array")
    sizes, ndim = target.run(static_shape_and_ndim, array)  # traced with all dims None
    same_array(sizes, np.full(array.ndim, -1, dtype=np.int32), "static x.shape while tracing")
    assert int(as_numpy(ndim)) == array.ndim, "the rank stays known"
    same_array(target.run(shape_of, array), np.array(array.shape, np.int32), "tf.shape")


IMAGE_SPEC = tf.TensorSpec((None, None, 3), tf.float32)
_IMAGE_FUNCTIONS: dict[Target, object] = {}


def image_shapes(image):
    sizes = [-1 if d is None else d for d in image.shape.as_list()]
    return tf.constant(sizes, tf.int32), tf.shape(image)


def image_function(target: Target):
    """One tf.function per target with the (None, None, 3) signature (traced once)."""
    if target not in _IMAGE_FUNCTIONS:
        _IMAGE_FUNCTIONS[target] = target.function(image_shapes, input_signature=[IMAGE_SPEC])
    return _IMAGE_FUNCTIONS[target]


bad_image_shapes = st.one_of(
    st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 6).filter(lambda c: c != 3)),
    shapes(0, 4).filter(lambda s: len(s) != 3),
)


# Mode-specific: input_signature is a tf.function feature; there is nothing to trace eagerly.
@only_modes("function", "xla")
@SIGNATURE
@given(st.integers(0, 6), st.integers(0, 6), bad_image_shapes)
def test_input_signature_with_unknown_height_and_width(target, height, width, bad_shape):
    fn = image_function(target)
    image = np.zeros((height, width, 3), np.float32)
    before, started = fn.experimental_get_tracing_count(), time.perf_counter()
    with target.scope():
        static, dynamic = fn(image)
    record_compilation(target, fn, (image,), before, started)
    same_array(static, np.array([-1, -1, 3], np.int32), "static shape under the signature")
    same_array(dynamic, np.array([height, width, 3], np.int32), "tf.shape")
    try:
        with target.scope():
            fn(np.zeros(bad_shape, np.float32))
    except TypeError:
        pass
    else:
        raise AssertionError(f"shape {bad_shape} was accepted by a (None, None, 3) signature")


def reshape(x, new_shape):
    return tf.reshape(x, new_shape)


@st.composite
def factorings(draw: st.DrawFn, size: int, max_rank: int = 4) -> tuple[int, ...]:
    """A shape of ``size`` elements (``size`` >= 1), split into random factors."""
    rank = draw(st.integers(0 if size == 1 else 1, max_rank))
    dims, rest = [], size
    for _ in range(rank - 1):
        divisors = [d for d in range(1, rest + 1) if rest % d == 0]
        dims.append(draw(st.sampled_from(divisors)))
        rest //= dims[-1]
    if rank:
        dims.append(rest)
    return tuple(draw(st.permutations(dims)))


@st.composite
def reshape_cases(draw: st.DrawFn, dtype: str, min_side: int = 1):
    array = draw(arrays(dtype, shapes(0, 3, min_side)))
    return array, draw(factorings(max(array.size, 1)))


@RESHAPE
@per_dtype
@given(st.data())
def test_reshape_keeps_values_and_size(target, dtype, data):
    array, new_shape = data.draw(reshape_cases(dtype), label="array, new shape")
    result = target.run(reshape, array, np.array(new_shape, np.int32))
    same_array(result, array.reshape(new_shape), "tf.reshape")


@RESHAPE_INFER
@per_dtype
@given(st.data())
def test_reshape_infers_one_minus_one(target, dtype, data):
    cases = reshape_cases(dtype).filter(lambda c: len(c[1]) >= 1)
    array, new_shape = data.draw(cases, label="array, new shape")
    hole = data.draw(st.integers(0, len(new_shape) - 1), label="index of -1")
    asked = list(new_shape)
    asked[hole] = -1
    result = target.run(reshape, array, np.array(asked, np.int32))
    same_array(result, array.reshape(new_shape), f"tf.reshape(x, {asked})")


@RESHAPE_REJECTS
@per_dtype
@given(st.data(), st.integers(1, 3))
def test_reshape_rejects_size_mismatch(target, dtype, data, extra):
    array, new_shape = data.draw(reshape_cases(dtype), label="array, new shape")
    wrong = (*new_shape, extra + 1)  # array.size * (extra + 1) elements: never array.size
    try:
        target.run(reshape, array, np.array(wrong, np.int32))
    except tf.errors.InvalidArgumentError:
        return
    raise AssertionError(f"tf.reshape of {array.shape} to {wrong} did not raise")


def converted(value):
    return lambda: tf.convert_to_tensor(value)


@NESTED
@given(nested_lists(st.floats(-1e6, 1e6), max_rank=4))
def test_nested_lists_give_one_dimension_per_level(target, nested):
    value, shape = nested
    result = run_built(target, converted(value))
    assert tuple(result.shape) == shape, f"shape {result.shape}, expected {shape}"
    same_array(result, np.array(value, np.float64).astype(np.float32), "values")


@st.composite
def ragged_lists(draw: st.DrawFn):
    """Nested lists that are not rectangular: one row is longer, or a scalar sits by a list."""
    shape = (draw(st.integers(2, 3)), *draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)))
    count = int(np.prod(shape))
    value = nest(draw(st.lists(st.integers(-100, 100), min_size=count, max_size=count)), shape)
    row = value[draw(st.integers(0, shape[0] - 1))]
    while isinstance(row[0], list):
        row = row[draw(st.integers(0, len(row) - 1))]
    if draw(st.booleans()):
        row.append(0)  # one innermost list longer than all the others
    else:
        row[draw(st.integers(0, len(row) - 1))] = [1, 2]  # a list where the scalars are
    return value


@RAGGED
@given(ragged_lists())
def test_ragged_lists_raise_value_error(target, value):
    error = raised_by(target, converted(value))
    assert isinstance(error, ValueError), f"converting {value!r} gave {error!r}"
