"""tf.cast rules, and which mixes of dtypes TensorFlow refuses instead of promoting."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim
from pytest_tf2conf.dtype_axis import dtype_axis
from pytest_tf2conf.strategies import (
    COMPLEX_DTYPES,
    FLOAT_DTYPES,
    INT_DTYPES,
    REAL_DTYPES,
    arrays,
    as_float64,
    numpy_dtype,
    shapes,
)

from ._support import ALL_DTYPES, API, NUMERIC_DTYPES, np_dtype, same_array

CAST_DOC = API + "cast"
PROMOTION_DOC = "https://www.tensorflow.org/guide/tf_numpy_type_promotion"

TRUNCATES = claim(
    "tensor.cast-float-to-int-truncates-toward-zero",
    "tf.cast from a float to an integer dtype drops the fraction (rounds toward zero), in range.",
    CAST_DOC,
)
TO_BOOL = claim(
    "tensor.cast-to-bool-is-nonzero",
    "tf.cast of a real number to bool gives True exactly for non-zero values.",
    CAST_DOC,
)
FROM_BOOL = claim(
    "tensor.cast-from-bool-is-zero-or-one",
    "tf.cast of a bool tensor to a numeric dtype gives 1 for True and 0 for False.",
    CAST_DOC,
)
KEEPS_SHAPE = claim(
    "tensor.cast-keeps-shape",
    "tf.cast returns a tensor of the requested dtype with the same shape as its input.",
    CAST_DOC,
)
COMPLEX_TO_REAL = claim(
    "tensor.cast-complex-to-real-keeps-real-part",
    "tf.cast from a complex to a float dtype returns only the real part.",
    CAST_DOC,
)
REAL_TO_COMPLEX = claim(
    "tensor.cast-real-to-complex-zero-imaginary",
    "tf.cast from a real to a complex dtype sets the imaginary part to 0.",
    CAST_DOC,
)
MIXED_REJECTED = claim(
    "tensor.mixed-dtype-operands-rejected",
    "tf.add of two tensors of different dtypes raises (no promotion): InvalidArgumentError "
    "eagerly, TypeError while tracing.",
    PROMOTION_DOC,
)
SCALAR_ADOPTS = claim(
    "tensor.python-scalar-takes-tensor-dtype",
    "A Python int (or float, with a float tensor) combined with a tensor takes the tensor's dtype.",
    PROMOTION_DOC,
)
SCALAR_REJECTED = claim(
    "tensor.python-float-with-int-tensor-rejected",
    "An int tensor plus a Python float (even 2.0), or a float tensor plus a complex, raises.",
    PROMOTION_DOC,
)


def make_cast(name: str) -> Callable:
    def cast(x):
        return tf.cast(x, tf.as_dtype(name))

    cast.__name__ = f"cast_to_{name}"
    return cast


# One module-level function per destination dtype: target.run caches compiled functions
# by identity, so every example with the same source dtype and rank reuses one trace.
CAST_TO = {name: make_cast(name) for name in ALL_DTYPES}

# Largest magnitude drawn per float source dtype (the destination's range clips it further).
CAST_BOUND = {"float16": 6e4, "bfloat16": 1e9, "float32": 1e9, "float64": 1e15}


def drawable_bound(src: str, limit: float) -> float:
    """The largest float <= ``limit`` that the strategy for ``src`` can draw exactly."""
    width = {"float16": np.float16, "float64": np.float64}.get(src, np.float32)  # bf16: f32
    bound = width(limit)
    if float(bound) > limit:
        bound = np.nextafter(bound, width(0))
    return float(bound)


# Properties over pairs of dtypes take the source from the dtype axis (one item per source
# dtype, see pytest_tf2conf.dtype_axis) and keep drawing the destination: all pairs as
# items would be 15 x 14 items for the cast of any dtype to any other, too many for a
# profile's budget. Where the pairs are few, they are the axis.


@st.composite
def in_range_floats(draw: st.DrawFn, src: str) -> tuple[np.ndarray, str]:
    """A float array whose truncated values fit the integer destination dtype."""
    dst = draw(st.sampled_from(INT_DTYPES))
    info = np.iinfo(np.dtype(dst))
    array = draw(arrays(src, bound=drawable_bound(src, min(CAST_BOUND[src], float(info.max)))))
    # Out-of-range values have no defined result; rounding to the source dtype can push a
    # value just past the bound, so such elements are replaced by 0.
    truncated = np.trunc(as_float64(array))
    fits = (truncated >= int(info.min)) & (truncated <= int(info.max))
    return np.where(fits, array, np.zeros_like(array)), dst


@TRUNCATES
@dtype_axis(FLOAT_DTYPES, "src")
@given(st.data())
def test_cast_float_to_int_truncates_toward_zero(target, src, data):
    array, dst = data.draw(in_range_floats(src), label="array, dst")
    result = target.run(CAST_TO[dst], array)
    assert result.dtype == tf.as_dtype(dst)
    same_array(result, np.trunc(as_float64(array)).astype(np.dtype(dst)))


@TO_BOOL
@dtype_axis(REAL_DTYPES, "src")
@given(st.data())
def test_cast_to_bool_is_nonzero(target, src, data):
    array = data.draw(arrays(src), label="array")
    result = target.run(CAST_TO["bool"], array)
    same_array(result, as_float64(array) != 0)


@FROM_BOOL
@dtype_axis(NUMERIC_DTYPES, "dst")  # the source is always bool: the destination is the axis
@given(arrays("bool"))
def test_cast_from_bool_is_zero_or_one(target, dst, array):
    result = target.run(CAST_TO[dst], array)
    assert result.dtype == tf.as_dtype(dst)
    same_array(result, np.where(array, 1, 0).astype(np_dtype(dst)))


@st.composite
def cast_pairs(draw: st.DrawFn, src: str) -> tuple[np.ndarray, str]:
    # A different destination dtype: tf.cast to the input's own dtype returns the input
    # tensor itself (no op), which target.run's eager placement check would see on the
    # device where the argument was converted rather than on the target.
    dst = draw(st.sampled_from([d for d in ALL_DTYPES if d != src]))
    return draw(arrays(src, shapes(0, 4), bound=100)), dst


@KEEPS_SHAPE
@dtype_axis(ALL_DTYPES, "src")
@given(st.data())
def test_cast_keeps_shape(target, src, data):
    array, dst = data.draw(cast_pairs(src), label="array, dst")
    # Static shapes on purpose: the traced cast must also know the output shape.
    result = target.run(CAST_TO[dst], array, relax_shapes=False)
    assert result.dtype == tf.as_dtype(dst)
    assert tuple(result.shape) == array.shape


@COMPLEX_TO_REAL
# 2 x 4 pairs: few enough to be the axis themselves.
@dtype_axis([(src, dst) for src in COMPLEX_DTYPES for dst in FLOAT_DTYPES], "src,dst")
# bound=100: inside every float dtype's range, so the oracle needs no overflow handling.
@given(st.data())
def test_cast_complex_to_real_keeps_real_part(target, src, dst, data):
    array = data.draw(arrays(src, bound=100), label="array")
    result = target.run(CAST_TO[dst], array)
    assert result.dtype == tf.as_dtype(dst)
    # Rounding to the destination may differ by an ulp (via float32 or directly): tolerance.
    assert_close(result, as_float64(array).real, dtype=dst)


@REAL_TO_COMPLEX
@dtype_axis(REAL_DTYPES, "src")
@given(st.data(), st.sampled_from(COMPLEX_DTYPES))
def test_cast_real_to_complex_has_zero_imaginary_part(target, src, data, dst):
    array = data.draw(arrays(src), label="array")
    result = target.run(CAST_TO[dst], array)
    assert result.dtype == tf.as_dtype(dst)
    assert not np.asarray(result.numpy()).imag.any(), "imaginary part is not 0"
    assert_close(result, as_float64(array).astype(np.complex128), dtype=dst)


def add(x, y):
    return tf.add(x, y)


@st.composite
def mismatched_pairs(draw: st.DrawFn, a: str) -> tuple[np.ndarray, np.ndarray]:
    b = draw(st.sampled_from([d for d in NUMERIC_DTYPES if d != a]))
    shape = draw(shapes(0, 2))
    return draw(arrays(a, shape, bound=100)), draw(arrays(b, shape, bound=100))


@MIXED_REJECTED
@dtype_axis(NUMERIC_DTYPES, "first")  # the first operand's dtype; the second one is drawn
@given(st.data())
def test_mixed_dtype_operands_are_rejected(target, first, data):
    x, y = data.draw(mismatched_pairs(first), label="x, y")
    expected = TypeError if target.mode.is_graph else tf.errors.InvalidArgumentError
    try:
        target.run(add, x, y)
    except expected:
        return
    raise AssertionError(f"tf.add({x.dtype.name}, {y.dtype.name}) did not raise {expected}")


def plus_three(x):
    return x + 3


def plus_half(x):
    return x + 0.5


def plus_two_point_zero(x):
    return x + 2.0


def plus_imaginary(x):
    return x + 1j


SCALARS: dict[Callable, object] = {plus_three: 3, plus_half: 0.5}


@st.composite
def scalar_cases(draw: st.DrawFn, dtype: str) -> tuple[Callable, np.ndarray]:
    # A Python float only goes with a float or complex tensor (integers: the claim below).
    fns = [plus_three] if dtype in INT_DTYPES else list(SCALARS)
    fn = draw(st.sampled_from(fns))
    # Small non-negative values: the sum fits every dtype, unsigned ones included.
    array = draw(arrays(dtype, bound=100))
    if array.dtype.kind in "iu":
        array = np.abs(array.astype(np.int64)).astype(array.dtype)
    return fn, array


@SCALAR_ADOPTS
@dtype_axis(NUMERIC_DTYPES)  # the tensor's dtype; the scalar (which fits it) is drawn
@given(st.data())
def test_python_scalar_takes_the_tensor_dtype(target, dtype, data):
    fn, array = data.draw(scalar_cases(dtype), label="fn, array")
    result = target.run(fn, array)
    assert result.dtype == tf.as_dtype(array.dtype), f"{fn.__name__} gave {result.dtype.name}"
    # The scalar is converted to the tensor's dtype first, then added.
    scalar = np.array(SCALARS[fn]).astype(numpy_dtype(result.dtype.name))
    assert_close(result, as_float64(array) + as_float64(scalar), dtype=result.dtype.name)


@st.composite
def rejected_scalar_cases(draw: st.DrawFn, dtype: str) -> tuple[Callable, np.ndarray]:
    # A Python float with an int tensor, or a complex with an int or float one.
    floats = [plus_half, plus_two_point_zero] if dtype in INT_DTYPES else []
    fn = draw(st.sampled_from([*floats, plus_imaginary]))
    return fn, draw(arrays(dtype, bound=100))


@SCALAR_REJECTED
@dtype_axis(FLOAT_DTYPES + INT_DTYPES)  # the tensor's dtype; the rejected scalar is drawn
@given(st.data())
def test_python_float_with_int_tensor_is_rejected(target, dtype, data):
    fn, array = data.draw(rejected_scalar_cases(dtype), label="fn, array")
    # Eagerly the scalar reaches the kernel as a float tensor (InvalidArgumentError); while
    # tracing its conversion to the tensor's dtype fails first (TypeError).
    expected = TypeError if target.mode.is_graph else tf.errors.InvalidArgumentError
    try:
        target.run(fn, array)
    except expected:
        return
    raise AssertionError(f"{fn.__name__} on {array.dtype.name} did not raise {expected}")
