"""String tensors: dtype, shape and lengths.

Every test here runs in eager and tf.function only: XLA has no string type, so a string
tensor cannot be an input or an output of a jit_compile'd function at all (TensorFlow
refuses to compile it). That is not a missing kernel on some device but a property of the
XLA mode itself, hence ``only_modes`` rather than an ``unsupported`` outcome.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import claim, only_modes

from ._support import API, GUIDE, as_numpy, nested_lists, run_built, same_array

STRING_DTYPE = claim(
    "tensor.python-str-and-bytes-infer-string",
    "Python str and bytes become tf.string tensors; a str is stored as its UTF-8 bytes.",
    GUIDE,
)
STRING_SHAPE = claim(
    "tensor.string-tensor-shape-counts-strings",
    "A string tensor's shape and size count whole strings, not characters: each string is atomic.",
    GUIDE,
)
LENGTH = claim(
    "tensor.strings-length-bytes-or-characters",
    "tf.strings.length counts bytes by default and Unicode code points with unit='UTF8_CHAR'.",
    API + "strings/length",
)

NOT_XLA = only_modes("eager", "function")  # XLA has no string type (see the docstring)

texts = st.text(max_size=8)  # any code points except surrogates (not encodable as UTF-8)
# All str or all bytes: on TF 2.21 a traced tf.constant of a list mixing str with non-ASCII
# bytes raises UnicodeDecodeError (NumPy decodes the bytes as ASCII) where eager accepts it.
str_or_bytes_lists = st.one_of(nested_lists(texts), nested_lists(st.binary(max_size=8)))


def utf8(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def byte_array(flat: list[str | bytes], shape: tuple[int, ...]) -> np.ndarray:
    """An object array of bytes: how TensorFlow hands string tensors back to NumPy."""
    array = np.empty(len(flat), dtype=object)
    array[:] = [utf8(v) for v in flat]
    return array.reshape(shape)


def same_strings(actual, expected: np.ndarray, what: str) -> None:
    got = actual.numpy()
    got = np.array(got, dtype=object) if isinstance(got, bytes) else got  # a scalar string
    assert got.shape == expected.shape, f"{what}: shape {got.shape} != {expected.shape}"
    assert got.tolist() == expected.tolist(), f"{what}: {got!r} != {expected!r}"


@NOT_XLA
@STRING_DTYPE
@given(str_or_bytes_lists)
def test_python_str_and_bytes_infer_string(target, nested):
    value, shape = nested
    result = run_built(target, lambda: tf.constant(value))
    assert result.dtype == tf.string, f"{value!r} inferred as {result.dtype.name}"
    flat = np.array(value, dtype=object).reshape(-1).tolist() if shape else [value]
    same_strings(result, byte_array(flat, shape), "string values")


def shape_and_size(x):
    return tf.shape(x), tf.size(x)


@NOT_XLA
@STRING_SHAPE
@given(st.lists(st.integers(0, 3), max_size=3).map(tuple), st.data())
def test_string_tensor_shape_counts_strings(target, shape, data):
    count = int(np.prod(shape))
    flat = data.draw(st.lists(texts, min_size=count, max_size=count), label="strings")
    array = byte_array(flat, shape)
    dims, size = target.run(shape_and_size, array)
    same_array(dims, np.array(shape, np.int32), "tf.shape of a string tensor")
    assert int(as_numpy(size)) == count, "tf.size counts strings"


def byte_lengths(x):
    return tf.strings.length(x)


def char_lengths(x):
    return tf.strings.length(x, unit="UTF8_CHAR")


@NOT_XLA
@LENGTH
@given(st.lists(st.integers(1, 3), max_size=2).map(tuple), st.data())
def test_strings_length_counts_bytes_or_characters(target, shape, data):
    count = int(np.prod(shape))
    flat = data.draw(st.lists(texts, min_size=count, max_size=count), label="strings")
    array = byte_array(flat, shape)
    expected_bytes = np.array([len(s.encode("utf-8")) for s in flat], np.int32).reshape(shape)
    expected_chars = np.array([len(s) for s in flat], np.int32).reshape(shape)
    same_array(target.run(byte_lengths, array), expected_bytes, "length in bytes")
    same_array(target.run(char_lengths, array), expected_chars, "length in UTF-8 characters")
