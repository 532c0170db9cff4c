"""dtype inference from Python and NumPy values, and explicit ``dtype=``.

Conversion of Python values happens in two different places: eagerly (the C++ fast path
that builds an EagerTensor) and while tracing (``make_tensor_proto`` embeds a ``Const``).
Every claim here is checked in eager, tf.function and XLA through ``run_built``.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import claim
from pytest_tf2conf.dtype_axis import dtype_axis
from pytest_tf2conf.strategies import FLOAT_DTYPES, INT_DTYPES, arrays, elements

from ._support import (
    ALL_DTYPES,
    API,
    GUIDE,
    INT32_MAX,
    INT32_MIN,
    INT64_MAX,
    INT64_MIN,
    as_numpy,
    nested_lists,
    np_dtype,
    raised_by,
    run_built,
    same_array,
)

PY_INT = claim(
    "tensor.python-int-infers-int32",
    "A Python int, or nested lists of them, that fits in int32 becomes an int32 tensor.",
    GUIDE,
)
PY_BIG_INT = claim(
    "tensor.python-int-beyond-int32-infers-int64",
    "Python ints that do not all fit in int32 but fit in int64 become an exact int64 tensor.",
    GUIDE,
)
PY_FLOAT = claim(
    "tensor.python-float-infers-float32",
    "A Python float (also in a list mixed with ints) becomes a float32 tensor of rounded values.",
    GUIDE,
)
PY_BOOL = claim(
    "tensor.python-bool-infers-bool",
    "Python bools, or nested lists of them, become a bool tensor.",
    GUIDE,
)
PY_COMPLEX = claim(
    "tensor.python-complex-infers-complex128",
    "A Python complex becomes a complex128 tensor (NumPy's rule), not complex64.",
    GUIDE,
)
NUMPY_KEEPS = claim(
    "tensor.numpy-array-keeps-dtype",
    "tf.constant of a NumPy array keeps the array's dtype, shape and values, for every dtype.",
    API + "constant",
)
EXPLICIT = claim(
    "tensor.explicit-dtype-gives-that-dtype",
    "tf.constant(value, dtype=d) gives a tensor of dtype d for Python values representable in d.",
    API + "constant",
)
SIGNED_ZERO = claim(
    "tensor.constant-keeps-the-sign-of-zero",
    "tf.constant(-0.0, dtype=d) is a negative zero and tf.constant(0.0, dtype=d) a positive one"
    " for every float dtype d, whatever was converted before.",
    API + "constant",
)
WRAPS = claim(
    "tensor.explicit-int-dtype-casts-out-of-range-ints",
    "With an integer dtype, tf.constant casts an out-of-range int64-range int (wraps mod 2**bits).",
    API + "constant",
)
REJECTS = claim(
    "tensor.explicit-dtype-rejects-incompatible-values",
    "tf.constant(v, dtype) raises TypeError for a float with int/bool dtypes, complex with floats.",
    API + "convert_to_tensor",
)
ZEROS = claim(
    "tensor.zeros-dtype-and-shape",
    "tf.zeros(shape, dtype) is a tensor of that shape and dtype (default float32) full of zeros.",
    API + "zeros",
)
ONES = claim(
    "tensor.ones-dtype-and-shape",
    "tf.ones(shape, dtype) is a tensor of that shape and dtype (default float32) full of ones.",
    API + "ones",
)

int32_values = st.integers(INT32_MIN, INT32_MAX)
int64_values = st.integers(INT64_MIN, INT64_MAX)
beyond_int32 = st.one_of(
    st.integers(INT32_MAX + 1, INT64_MAX), st.integers(INT64_MIN, INT32_MIN - 1)
)
# Eager conversion refuses a Python float beyond float32's range (ValueError) where tracing
# rounds it to inf: the inference claim stays inside the range both agree on.
FLOAT32_MAX = float(np.finfo(np.float32).max)
float32_range_doubles = st.floats(-FLOAT32_MAX, FLOAT32_MAX)


def constant_of(value, dtype=None):
    """A builder for ``run_built``: the claim is about ``tf.constant`` of this Python value."""
    return lambda: tf.constant(value, dtype=dtype)


def check_constant(target, value, dtype_name: str, expected: np.ndarray) -> None:
    result = run_built(target, constant_of(value))
    assert result.dtype == tf.as_dtype(dtype_name), f"{value!r} inferred as {result.dtype.name}"
    same_array(result, expected)


@PY_INT
@given(nested_lists(int32_values))
def test_python_ints_infer_int32(target, nested):
    value, shape = nested
    check_constant(target, value, "int32", np.array(value, dtype=np.int32).reshape(shape))


@PY_BIG_INT
@given(nested_lists(int64_values), beyond_int32, st.data())
def test_python_ints_beyond_int32_infer_int64(target, nested, big, data):
    value, shape = nested
    flat = np.array(value, dtype=np.int64).reshape(-1)
    flat[data.draw(st.integers(0, flat.size - 1), label="position of the big int")] = big
    value = flat.reshape(shape).tolist()
    check_constant(target, value, "int64", flat.reshape(shape))


@PY_FLOAT
@given(
    nested_lists(st.one_of(float32_range_doubles, st.integers(-(2**53), 2**53))),
    float32_range_doubles,
)
def test_python_floats_infer_float32(target, nested, one_float):
    value, shape = nested
    flat = list(np.array(value, dtype=object).reshape(-1))
    flat[0] = one_float  # at least one float: an all-int list is an int tensor
    value = np.array(flat, dtype=object).reshape(shape).tolist()
    # NumPy rounds each Python float (a double) to nearest float32: the oracle.
    expected = np.array([float(v) for v in flat], dtype=np.float64).astype(np.float32)
    check_constant(target, value, "float32", expected.reshape(shape))


@PY_BOOL
@given(nested_lists(st.booleans()))
def test_python_bools_infer_bool(target, nested):
    value, shape = nested
    check_constant(target, value, "bool", np.array(value, dtype=bool).reshape(shape))


@PY_COMPLEX
@given(nested_lists(st.complex_numbers(allow_nan=False, allow_infinity=False)))
def test_python_complex_infers_complex128(target, nested):
    value, shape = nested
    check_constant(target, value, "complex128", np.array(value, dtype=np.complex128).reshape(shape))


# Properties below take the dtype they are about from the dtype axis (one item per dtype,
# see pytest_tf2conf.dtype_axis): every dtype is checked in every profile.
@NUMPY_KEEPS
@dtype_axis(ALL_DTYPES)
@given(st.data())
def test_numpy_arrays_keep_their_dtype(target, dtype, data):
    array = data.draw(arrays(dtype), label="array")
    result = run_built(target, constant_of(array))
    name = "bool" if array.dtype == bool else array.dtype.name
    assert result.dtype == tf.as_dtype(name), f"{name} array became {result.dtype.name}"
    same_array(result, array)


def representable(name: str) -> st.SearchStrategy[object]:
    """Python values exactly representable in dtype ``name`` (rounded through NumPy first)."""
    if name == "bool":
        return st.booleans()
    if name in INT_DTYPES:
        return elements(name)
    if name in FLOAT_DTYPES:
        # Zeros are drawn unsigned here: eagerly, the sign of a zero depends on which zero
        # was converted first in the process (TF's scalar cache; its own claim below).
        return elements(name).map(
            lambda v: float(np.array(v, np_dtype(name)).astype(np.float64)) or 0.0
        )
    part = "float32" if name == "complex64" else "float64"
    real = elements(part).map(lambda v: v or 0.0)
    return st.builds(complex, real, real)


@EXPLICIT
@dtype_axis(ALL_DTYPES, "name")
@given(st.data())
def test_explicit_dtype_holds_representable_values(target, name, data):
    value = data.draw(representable(name), label="value")
    result = run_built(target, constant_of(value, tf.as_dtype(name)))
    assert result.dtype == tf.as_dtype(name)
    same_array(result, np.array(value).astype(np_dtype(name)))


@SIGNED_ZERO
@pytest.mark.parametrize("name", FLOAT_DTYPES)
def test_constant_keeps_the_sign_of_zero(target, name):
    # Both orders, so the check does not depend on what earlier tests converted: eager
    # TensorFlow caches scalar tensors keyed by the Python value, and -0.0 == 0.0.
    dtype = tf.as_dtype(name)
    for first, second in ((0.0, -0.0), (-0.0, 0.0)):
        run_built(target, constant_of(first, dtype))
        result = as_numpy(run_built(target, constant_of(second, dtype)))
        assert np.signbit(result.astype(np.float32)) == np.signbit(second), (
            f"tf.constant({second!r}, {name}) after tf.constant({first!r}, {name}) gave {result!r}"
        )


def wrapped(value: int, name: str) -> int:
    """Two's-complement wrap of ``value`` into integer dtype ``name`` (a C-style cast)."""
    info = np.iinfo(np.dtype(name))
    span = int(info.max) - int(info.min) + 1
    return (value - int(info.min)) % span + int(info.min)


def wrap_values(name: str) -> st.SearchStrategy[int]:
    # Python ints inside int64 (eager refuses larger ones with ValueError, except for uint64,
    # where tracing wraps them). Negative ints into uint64 are left out: on TF 2.21 eager
    # conversion raises SystemError and leaves a Python error set that later aborts the
    # process ("Check failed: !PyErr_Occurred()"), which would take the whole run down.
    return st.integers(0, INT64_MAX) if name == "uint64" else int64_values


@WRAPS
@dtype_axis(INT_DTYPES, "name")
@given(st.data())
def test_explicit_int_dtype_wraps_out_of_range_ints(target, name, data):
    value = data.draw(wrap_values(name), label="value")
    result = run_built(target, constant_of(value, tf.as_dtype(name)))
    assert result.dtype == tf.as_dtype(name)
    assert int(as_numpy(result)) == wrapped(value, name), f"tf.constant({value}, {name})"


def incompatible_values(name: str) -> st.SearchStrategy[object]:
    # Floats are refused by integer and bool dtypes even when integral (1.0); complex
    # values by real dtypes, even with a zero imaginary part.
    floats = st.floats(-1e6, 1e6)
    complexes = st.builds(complex, st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))
    if name == "bool":
        return floats
    return complexes if name in FLOAT_DTYPES else st.one_of(floats, complexes)


@REJECTS
@dtype_axis((*INT_DTYPES, "bool", *FLOAT_DTYPES), "name")
@given(st.data())
def test_explicit_dtype_rejects_incompatible_python_values(target, name, data):
    value = data.draw(incompatible_values(name), label="value")
    error = raised_by(target, constant_of(value, tf.as_dtype(name)))
    assert isinstance(error, TypeError), (
        f"tf.constant({value!r}, dtype={name}) gave {error!r} instead of TypeError"
    )


def filled(fill: str, shape: tuple[int, ...], name: str | None):
    make = tf.zeros if fill == "zeros" else tf.ones
    if name is None:
        return lambda: make(shape)
    return lambda: make(shape, dtype=tf.as_dtype(name))


def check_filled(target, fill: str, shape, name: str | None) -> None:
    result = run_built(target, filled(fill, shape, name))
    expected_name = name or "float32"
    assert result.dtype == tf.as_dtype(expected_name)
    assert tuple(result.shape) == shape
    value = 0 if fill == "zeros" else 1
    same_array(result, np.full(shape, value, dtype=np_dtype(expected_name)))


shape_lists = st.lists(st.integers(0, 4), max_size=4).map(tuple)
# None: no dtype given, the documented default float32 (id "default").
optional_dtype = dtype_axis((None, *ALL_DTYPES), "name")


@ZEROS
@optional_dtype
@given(shape_lists)
def test_zeros_have_shape_and_dtype(target, name, shape):
    check_filled(target, "zeros", shape, name)


@ONES
@optional_dtype
@given(shape_lists)
def test_ones_have_shape_and_dtype(target, name, shape):
    check_filled(target, "ones", shape, name)
