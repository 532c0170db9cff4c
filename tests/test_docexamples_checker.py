"""The output checker of documented examples: numbers by tolerance, reprs reduced."""

from __future__ import annotations

import doctest

import pytest

from pytest_tf2conf.docexamples.checker import (
    FLAGS,
    ExampleChecker,
    ValueChecker,
    compare_values,
    printed_resolution,
    tolerance_of,
)


def check(want: str, got: str, checker: doctest.OutputChecker | None = None) -> bool:
    want = want + "\n" if want else ""  # doctest's form: an empty want has no newline
    return (checker or ExampleChecker()).check_output(want, got + "\n", FLAGS)


@pytest.mark.parametrize(
    ("want", "got"),
    [
        # float32 rounding within the dtype's tolerance
        ("array([0.84147096], dtype=float32)", "array([0.84147102], dtype=float32)"),
        # the docs print fewer digits: one unit in the last printed digit
        ("array([0.841], dtype=float32)", "array([0.84147096], dtype=float32)"),
        # a tensor's repr reduced to its value, NumPy's padding ignored
        (
            "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1.5, 2.], dtype=float32)>",
            "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1.5, 2. ], dtype=float32)>",
        ),
        # memory addresses and NumPy 2 scalar reprs
        ("<object at 0x7f00deadbeef>", "<object at 0x55aa11>"),
        ("1.5", "np.float32(1.5)"),
        ("True", "np.True_"),
        # no documented output claims nothing
        ("", "<tf.Variable 'Variable:0' shape=() dtype=int32, numpy=1>"),
    ],
)
def test_outputs_that_match(want: str, got: str) -> None:
    assert check(want, got)


@pytest.mark.parametrize(
    ("want", "got", "problem"),
    [
        ("array([0.84], dtype=float32)", "array([0.86], dtype=float32)", "differs"),
        ("array([1, 2], dtype=int32)", "array([1, 3], dtype=int32)", "text"),  # ints exact
        ("array([1.5, 2.5])", "array([1.5, 2.5, 3.5])", "3 number(s)"),
        ("array([1.5], dtype=float32)", "array([1.5], dtype=float16)", "text"),
        ("array([3.])", "array([3.0001])", "differs"),  # "3." is exact
    ],
)
def test_outputs_that_differ(want: str, got: str, problem: str) -> None:
    checker = ExampleChecker()
    assert not check(want, got, checker)
    assert problem in (checker.last_problem or "")


def test_tolerance_is_the_loosest_dtype_named() -> None:
    assert tolerance_of("array([1.], dtype=float32)").rtol == 2e-5
    assert tolerance_of("(array([1.], dtype=float16), array([1.], dtype=float32))").rtol == 4e-3
    assert tolerance_of("1.5").rtol == 1e-12  # a Python float: float64
    assert printed_resolution("0.841") == pytest.approx(1e-3)
    assert printed_resolution("1.5e-07") == pytest.approx(1e-8)
    assert printed_resolution("3.") == 0.0


@pytest.mark.parametrize(
    ("want", "got"),
    [
        # Keras docs write NumPy's str, a list, or TensorFlow's shape annotation
        ("array([[0. 1.]\n [1. 0.]], shape=(2, 2), dtype=float32)",
         "array([[0., 1.],\n       [1., 0.]], dtype=float32)"),
        ("[0.0, 2.0]", "array([0., 2.], dtype=float32)"),
        ("tf.Tensor([0 0], shape=(2,), dtype=int64) # a comment", "array([0, 0])"),
        ("(1, 2)", "(array(1, dtype=int32), array(2, dtype=int32))"),
        ("TensorShape([32, 3])", "(32, 3)"),
    ],
)  # fmt: skip
def test_value_view_matches_the_values(want: str, got: str) -> None:
    assert check(want, got, ValueChecker())


@pytest.mark.parametrize(
    ("want", "got", "problem"),
    [
        ("array([1, 2], dtype=int64)", "array([1, 2], dtype=int32)", "dtype int32"),
        ("array([1., 2.])", "array([1., 3.], dtype=float32)", "differs"),
        ("array([[1, 2]])", "array([1, 2])", "nesting"),
    ],
)
def test_value_view_rejects_other_values_and_named_dtypes(want, got, problem) -> None:
    assert problem in (compare_values(want, got) or "")
