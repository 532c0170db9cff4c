"""NaN, infinities, signed zeros, subnormals and integer wrap-around.

Special values are drawn on purpose here; the value-level suites keep them out.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim
from pytest_tf2conf import oracles as O
from pytest_tf2conf import strategies as S
from pytest_tf2conf.suites.eager._support import bits_of, dtypes, wrap

API = "https://www.tensorflow.org/api_docs/python/tf"

NAN_INF = claim(
    "eager.nan-and-inf-propagate",
    "Element-wise float math propagates NaN and +-Inf inputs as IEEE 754 (and NumPy) do.",
    "https://www.tensorflow.org/guide/tensor#basic_math_on_tensors",
)
INF_ARITHMETIC = claim(
    "eager.inf-arithmetic-is-ieee",
    "Float division by zero gives a signed Inf (0/0 gives NaN); Inf - Inf and 0 * Inf give NaN.",
    f"{API}/math/truediv",
)
MAX_NAN_SECOND = claim(
    "eager.maximum-minimum-nan-second-operand",
    "tf.math.maximum(x, y) is x > y ? x : y (minimum: x < y ? x : y), so with y NaN the"
    " result is NaN.",
    f"{API}/math/maximum",
)
MAX_NAN_FIRST = claim(
    "eager.maximum-minimum-nan-first-operand",
    "tf.math.maximum(x, y) is x > y ? x : y (minimum: x < y ? x : y), so with x NaN and y"
    " a number the result is y.",
    f"{API}/math/maximum",
)
NEGATIVE_ZERO = claim(
    "eager.negative-flips-sign-of-zero",
    "tf.math.negative(x) is -x, so it maps 0.0 to -0.0 and -0.0 to 0.0.",
    f"{API}/math/negative",
)
SIGNED_ZERO_DIVISION = claim(
    "eager.division-by-signed-zero",
    "Dividing a nonzero float by +0.0 or -0.0 gives an Inf whose sign is the product of"
    " the signs (1 / -0.0 is -Inf).",
    f"{API}/math/divide",
)
SIGNED_WRAP = claim(
    "eager.signed-int-overflow-wraps",
    "Signed integer add, subtract and multiply wrap around modulo 2**bits (two's complement).",
    "https://www.tensorflow.org/api_docs/python/tf/dtypes/DType",
)
UNSIGNED_WRAP = claim(
    "eager.unsigned-int-overflow-wraps",
    "Unsigned integer add, subtract and multiply wrap around modulo 2**bits.",
    "https://www.tensorflow.org/api_docs/python/tf/dtypes/DType",
)
SUBNORMAL_FLUSH = claim(
    "eager.cpu-flushes-subnormals-to-zero",
    "On CPU, float32/float64/bfloat16 arithmetic flushes subnormal inputs and results to a"
    " zero of the same sign (float16 keeps them), unlike NumPy.",
    "https://www.tensorflow.org/api_docs/python/tf/dtypes/DType",
)

FLOATS = S.FLOAT_DTYPES


def _fn(name: str):
    """The TF function of the op table's record ``name`` (``ops/math_table.py``)."""
    return O.by_name(name).tf_fn


_SPECIAL_OPS = [
    O.by_name(n)
    for n in (
        "add",
        "subtract",
        "multiply",
        "divide",
        "exp",
        "log",
        "sqrt",
        "sin",
        "cos",
        "tanh",
        "negative",
        "abs",
    )
]


def _special_inputs(data, case: O.OpCase, dtype: str):
    shape = data.draw(S.shapes(1, 2, 1, 4), label="shape")
    arrays = []
    for i in range(case.arity):
        array = data.draw(S.arrays(dtype, shape, specials=True, bound=case.bound(dtype)))
        domain = case.domains[i] if i < len(case.domains) else None
        arrays.append(domain(array) if domain is not None else array)
    return arrays


@NAN_INF
@given(data=st.data())
def test_nan_and_inf_propagate(target, data) -> None:
    case = data.draw(st.sampled_from(_SPECIAL_OPS), label="op")
    dtype = data.draw(dtypes(tuple(d for d in case.dtypes if d in FLOATS)), label="dtype")
    arrays = _special_inputs(data, case, dtype)
    out = target.run(case.tf_fn, *arrays)
    assert_close(out, case.oracle(dtype, *arrays), signed_zeros=case.compare_signed_zeros(dtype))


def _inf_cases(x: np.ndarray):
    """(numerator, denominator) pairs and their IEEE quotient, from finite nonzero x."""
    zeros = np.zeros_like(x)
    inf = np.full_like(x, np.inf)
    return [
        (x, zeros, np.copysign(np.inf, x)),  # x / +0 = sign(x) Inf
        (zeros, zeros, np.full(x.shape, np.nan)),  # 0 / 0 = NaN
        (inf, x, np.copysign(np.inf, x)),  # Inf / x = sign(x) Inf
        (x, inf, np.copysign(0.0, x)),  # x / Inf = signed zero
    ]


def tf_inf_minus_inf(x):
    import tensorflow as tf

    inf = tf.math.divide(tf.ones_like(x), tf.zeros_like(x))  # +Inf built from x's dtype
    return tf.math.subtract(inf, inf), tf.math.multiply(tf.zeros_like(x), inf)


@INF_ARITHMETIC
@given(data=st.data())
def test_inf_arithmetic(target, data) -> None:
    dtype = data.draw(dtypes(FLOATS), label="dtype")
    x = data.draw(S.arrays(dtype, S.shapes(1, 2, 1, 4)), label="x")
    x = np.where(x == 0, np.ones_like(x), x)  # ones_like: NumPy 1.x cannot mix int and bfloat16
    for num, den, expected in _inf_cases(x):
        num, den = num.astype(x.dtype), den.astype(x.dtype)
        assert_close(target.run(_fn("divide"), num, den), expected, dtype=dtype, what="x / y")
    diff, prod = target.run(tf_inf_minus_inf, x)
    assert_close(diff, np.full(x.shape, np.nan), dtype=dtype, what="Inf - Inf")
    assert_close(prod, np.full(x.shape, np.nan), dtype=dtype, what="0 * Inf")


def _with_nans(data, dtype: str, which: int):
    shape = data.draw(S.shapes(1, 2, 1, 4), label="shape")
    x = data.draw(S.arrays(dtype, shape), label="x")
    y = data.draw(S.arrays(dtype, shape), label="y")
    nan = np.array(np.nan, dtype=np.float32).astype(x.dtype)
    if which == 0:
        x = np.full_like(x, nan)
    else:
        y = np.full_like(y, nan)
    return x, y


@MAX_NAN_SECOND
@given(data=st.data())
def test_maximum_minimum_with_nan_second_operand(target, data) -> None:
    dtype = data.draw(dtypes(FLOATS), label="dtype")
    x, y = _with_nans(data, dtype, which=1)
    nan = np.full(x.shape, np.nan)
    assert_close(target.run(_fn("maximum"), x, y), nan, what="maximum(x, NaN)")
    assert_close(target.run(_fn("minimum"), x, y), nan, what="minimum(x, NaN)")


@MAX_NAN_FIRST
@given(data=st.data())
def test_maximum_minimum_with_nan_first_operand(target, data) -> None:
    dtype = data.draw(dtypes(FLOATS), label="dtype")
    x, y = _with_nans(data, dtype, which=0)
    assert_close(target.run(_fn("maximum"), x, y), y, what="maximum(NaN, y)")
    assert_close(target.run(_fn("minimum"), x, y), y, what="minimum(NaN, y)")


@NEGATIVE_ZERO
@given(dtype=dtypes(FLOATS), shape=S.shapes(0, 2))
def test_negative_flips_sign_of_zero(target, dtype: str, shape) -> None:
    for zero in (0.0, -0.0):
        x = np.full(shape, zero, dtype=np.float32).astype(S.numpy_dtype(dtype))
        assert_close(target.run(_fn("negative"), x), np.full(shape, -zero), dtype=dtype)


@SIGNED_ZERO_DIVISION
@given(data=st.data())
def test_division_by_signed_zero(target, data) -> None:
    dtype = data.draw(dtypes(FLOATS), label="dtype")
    x = data.draw(S.arrays(dtype, S.shapes(0, 2)), label="x")
    x = np.where(x == 0, np.ones_like(x), x)  # ones_like: NumPy 1.x cannot mix int and bfloat16
    for zero in (0.0, -0.0):
        den = np.full(x.shape, zero, dtype=np.float32).astype(x.dtype)
        expected = np.copysign(np.inf, S.as_float64(x)) * np.copysign(1.0, zero)
        assert_close(target.run(_fn("divide"), x, den), expected, dtype=dtype, what=f"x / {zero}")


def _python_ints(a: np.ndarray) -> list[int]:
    return [int(v) for v in np.asarray(a).ravel()]


_WRAP_OPS = (
    ("add", _fn("add"), lambda a, b: a + b),
    ("subtract", _fn("subtract"), lambda a, b: a - b),
    ("multiply", _fn("multiply"), lambda a, b: a * b),
)


def _check_wraps(target, data, names: tuple[str, ...], signed: bool) -> None:
    dtype = data.draw(dtypes(names), label="dtype")
    name, tf_fn, exact = data.draw(st.sampled_from(_WRAP_OPS), label="op")
    shape = data.draw(S.shapes(1, 2, 1, 5), label="shape")
    info = np.iinfo(np.dtype(dtype))
    # values near the ends of the range, where results overflow
    extreme = st.one_of(
        st.integers(int(info.max) - 16, int(info.max)),
        st.integers(int(info.min), int(info.min) + 16),
        st.integers(int(info.min), int(info.max)),
    )
    x = data.draw(S.hnp.arrays(np.dtype(dtype), shape, elements=extreme), label="x")
    y = data.draw(S.hnp.arrays(np.dtype(dtype), shape, elements=extreme), label="y")
    out = target.run(tf_fn, x, y)
    bits = bits_of(dtype)
    wrapped = [
        wrap(exact(a, b), bits, signed)
        for a, b in zip(_python_ints(x), _python_ints(y), strict=True)
    ]
    expected = np.array(wrapped, dtype=dtype).reshape(shape)
    assert_close(out, expected, what=f"{name} modulo 2**{bits}")


@SIGNED_WRAP
@given(data=st.data())
def test_signed_int_overflow_wraps(target, data) -> None:
    _check_wraps(target, data, S.SIGNED_INT_DTYPES, signed=True)


@UNSIGNED_WRAP
@given(data=st.data())
def test_unsigned_int_overflow_wraps(target, data) -> None:
    _check_wraps(target, data, S.UNSIGNED_INT_DTYPES, signed=False)


def _subnormals(dtype: str, count: int, seed_values: list[float]) -> np.ndarray:
    """Subnormal values of ``dtype``: fractions of its smallest normal number."""
    tiny = _tiny(dtype)
    return np.array([tiny * v for v in seed_values[:count]]).astype(S.numpy_dtype(dtype))


def _tiny(dtype: str) -> float:
    if dtype == "bfloat16":
        import ml_dtypes

        return float(ml_dtypes.finfo(ml_dtypes.bfloat16).tiny)
    return float(np.finfo(np.dtype(dtype)).tiny)


@SUBNORMAL_FLUSH
@given(
    dtype=dtypes(FLOATS),
    fractions=st.lists(
        st.floats(0.05, 0.45).flatmap(lambda f: st.sampled_from([f, -f])), min_size=1, max_size=6
    ),
)
def test_cpu_flushes_subnormals_to_zero(target, dtype: str, fractions: list[float]) -> None:
    if target.device.type != "CPU":
        pytest.skip("the claim is about CPU kernels")
    sub = _subnormals(dtype, len(fractions), fractions)
    assert np.all(S.as_float64(sub) != 0), "inputs must be subnormal, not zero"
    ones = np.ones_like(sub)
    tiny = np.full(sub.shape, _tiny(dtype)).astype(sub.dtype)
    scale = np.full(sub.shape, 0.25).astype(sub.dtype)
    numpy_sub_input = S.as_float64(sub)
    numpy_sub_result = np.copysign(_tiny(dtype) * 0.25, S.as_float64(sub))
    if dtype == "float16":
        # float16 arithmetic runs through float32, where these values are normal
        want_input, want_result = numpy_sub_input, numpy_sub_result
    else:
        want_input = np.copysign(0.0, numpy_sub_input)
        want_result = np.copysign(0.0, numpy_sub_result)
    signed_tiny = np.copysign(S.as_float64(tiny), S.as_float64(sub)).astype(sub.dtype)
    got_input = target.run(_fn("multiply"), sub, ones)  # subnormal input
    got_result = target.run(_fn("multiply"), signed_tiny, scale)  # subnormal result
    assert_close(got_input, want_input, atol=0, rtol=0, what="subnormal * 1")
    assert_close(got_result, want_result, atol=0, rtol=0, what="tiny * 0.25")
