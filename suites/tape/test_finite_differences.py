"""Tape gradients against float64 finite differences of NumPy twins, and across modes."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim
from pytest_tf2conf.dtype_axis import dtype_axis
from pytest_tf2conf.ops.sizes import MULTITHREADED_LENGTH
from pytest_tf2conf.strategies import arrays

from ._support import (
    DOMAIN,
    GRAD_DTYPES,
    GUIDE,
    SMOOTH,
    TAPE_API,
    VECTORS,
    assert_gradient_close,
    cast,
    family_oracle,
    family_values_and_gradients,
    gradient_tolerances,
    numeric_elementwise_derivative,
    numeric_jacobian,
    rounded_float64,
    smooth_inputs,
)

FD_ID = "tape.gradient-matches-finite-differences"
MATMUL_ID = "tape.matmul-gradient-matches-finite-differences"
OUTPUT_GRADIENTS_ID = "tape.output-gradients-weight-the-targets"
TARGET_LIST_ID = "tape.list-of-targets-sums-gradients"
MODES_ID = "tape.gradients-agree-across-modes"
gradient_tolerances(FD_ID, MATMUL_ID, OUTPUT_GRADIENTS_ID, TARGET_LIST_ID, MODES_ID)

FINITE_DIFFERENCES = claim(
    FD_ID,
    "tape.gradient of a smooth composite function agrees with float64 central finite "
    "differences, within per-dtype gradient tolerances.",
    GUIDE,
)
SHAPE_AND_DTYPE = claim(
    "tape.gradient-has-source-shape-and-dtype",
    "The gradient returned for a source tensor has that source's shape and dtype.",
    TAPE_API,
)
MATMUL = claim(
    MATMUL_ID,
    "The tape gradients of sum(tanh(x @ w)) with respect to both matmul operands agree with "
    "float64 finite differences.",
    GUIDE,
)
OUTPUT_GRADIENTS = claim(
    OUTPUT_GRADIENTS_ID,
    "tape.gradient(y, x, output_gradients=w) is the vector-Jacobian product sum_i w_i dy_i/dx.",
    TAPE_API,
)
TARGET_LIST = claim(
    TARGET_LIST_ID,
    "The gradient of a list of targets is the gradient of the sum of the targets.",
    GUIDE,
)
REDUCE_SUM = claim(
    "tape.reduce-sum-gradient-broadcasts",
    "The gradient of tf.reduce_sum broadcasts the upstream gradient back over the reduced "
    "axes, exactly.",
    GUIDE,
)
REDUCE_MEAN = claim(
    "tape.reduce-mean-gradient-broadcasts",
    "The gradient of tf.reduce_mean broadcasts the upstream gradient divided by the number of "
    "reduced elements.",
    GUIDE,
)
ACROSS_MODES = claim(
    MODES_ID,
    "The same tape gradients come out eagerly, under tf.function and under XLA, within "
    "per-dtype gradient tolerances.",
    "https://www.tensorflow.org/guide/function",
)

# Each gradient dtype is its own item (see pytest_tf2conf.dtype_axis): every dtype runs in
# every profile, and graph modes trace once per rank.
per_dtype = dtype_axis(GRAD_DTYPES)


@FINITE_DIFFERENCES
@SHAPE_AND_DTYPE
@per_dtype
@given(data=st.data())
def test_family_gradients_match_finite_differences(target, dtype, data):
    x = data.draw(smooth_inputs(dtype, VECTORS), label="x")
    grads = target.run(family_values_and_gradients, x)
    oracle = family_oracle(rounded_float64(x))
    for smooth, grad, expected in zip(SMOOTH, grads, oracle, strict=True):
        assert grad.dtype.name == x.dtype.name, f"{smooth.name}: gradient dtype {grad.dtype}"
        assert tuple(grad.shape) == x.shape, f"{smooth.name}: gradient shape {grad.shape}"
        assert_gradient_close(grad, expected, what=f"d sum({smooth.name}) / dx")


# One kernel width 2^k - 1, 2^k or 2^k + 1 per k (the offset chosen per dtype, so the four
# gradient dtypes cover all three), and for float32 a length above the size at which the CPU
# kernels split element-wise work over threads (see pytest_tf2conf.ops.sizes).
_KERNEL_EXPONENTS = (3, 5, 8, 10)


def _kernel_lengths(dtype: str) -> list[int]:
    offset = GRAD_DTYPES.index(dtype) % 3 - 1
    lengths = [2**k + offset for k in _KERNEL_EXPONENTS]
    return [*lengths, MULTITHREADED_LENGTH] if dtype == "float32" else lengths


@FINITE_DIFFERENCES
@pytest.mark.parametrize("dtype", GRAD_DTYPES)
def test_family_gradients_at_kernel_sizes(target, dtype):
    """The same claim on vectors at kernel widths and the multithreaded size (drawn samples
    stay at 6 elements or fewer): each element's derivative against its own float64
    central difference (the functions are element-wise)."""
    rng = np.random.default_rng(GRAD_DTYPES.index(dtype))
    for length in _kernel_lengths(dtype):
        x = cast(rng.uniform(-DOMAIN, DOMAIN, length), dtype)
        grads = target.run(family_values_and_gradients, x)
        x64 = rounded_float64(x)
        for smooth, grad in zip(SMOOTH, grads, strict=True):
            expected = numeric_elementwise_derivative(smooth.np_fn, x64)
            what = f"d sum({smooth.name}) / dx, length {length}"
            assert_gradient_close(grad, expected, what=what)


def matmul_gradients(x, w):
    with tf.GradientTape() as tape:
        tape.watch([x, w])
        loss = tf.reduce_sum(tf.tanh(tf.matmul(x, w)))
    return tape.gradient(loss, [x, w])


def _np_matmul_loss(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return np.sum(np.tanh(x @ w))


@MATMUL
@per_dtype
@given(data=st.data(), n=st.integers(1, 3), k=st.integers(1, 4), m=st.integers(1, 3))
def test_matmul_gradients(target, data, dtype, n, k, m):
    # |entries| <= 1 keeps x @ w of order one (tanh not saturated to the last ulp).
    x = data.draw(smooth_inputs(dtype, (n, k), bound=1.0), label="x")
    w = data.draw(smooth_inputs(dtype, (k, m), bound=1.0), label="w")
    gx, gw = target.run(matmul_gradients, x, w)
    x64, w64 = rounded_float64(x), rounded_float64(w)
    assert_gradient_close(gx, numeric_jacobian(lambda z: _np_matmul_loss(z, w64), x64), what="d/dx")
    assert_gradient_close(gw, numeric_jacobian(lambda z: _np_matmul_loss(x64, z), w64), what="d/dw")


def weighted_gradient(x, w):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = SMOOTH[0].tf_fn(x) * x  # not a sum: one output per element
    return tape.gradient(y, x, output_gradients=w)


@OUTPUT_GRADIENTS
@per_dtype
@given(data=st.data(), shape=VECTORS)
def test_output_gradients_weight_the_targets(target, data, dtype, shape):
    x = data.draw(smooth_inputs(dtype, shape), label="x")
    w = data.draw(smooth_inputs(dtype, shape), label="w")
    grad = target.run(weighted_gradient, x, w)
    x64, w64 = rounded_float64(x), rounded_float64(w)
    expected = numeric_jacobian(lambda z: np.sum(w64 * SMOOTH[0].np_fn(z) * z), x64)
    assert_gradient_close(grad, expected)


def list_of_targets_gradient(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        targets = [smooth.tf_fn(x) for smooth in SMOOTH[:3]]
    return tape.gradient(targets, x)


@TARGET_LIST
@per_dtype
@given(data=st.data())
def test_list_of_targets_sums(target, dtype, data):
    x = data.draw(smooth_inputs(dtype, VECTORS), label="x")
    grad = target.run(list_of_targets_gradient, x)
    functions = [smooth.np_fn for smooth in SMOOTH[:3]]
    expected = numeric_jacobian(lambda z: sum(np.sum(f(z)) for f in functions), rounded_float64(x))
    assert_gradient_close(grad, expected)


def reduction_gradients(x, w_all, w_rows, w_cols):
    """Gradients of reduce_sum and reduce_mean over all axes, axis 0 and axis 1 of a matrix."""
    out = []
    for reduce in (tf.reduce_sum, tf.reduce_mean):
        for axis, upstream in ((None, w_all), (0, w_rows), (1, w_cols)):
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = reduce(x, axis=axis)
            out.append(tape.gradient(y, x, output_gradients=upstream))
    return tuple(out)


def _broadcast_back(upstream: np.ndarray, axis: int | None, shape: tuple[int, ...]) -> np.ndarray:
    if axis is not None:
        upstream = np.expand_dims(upstream, axis)
    return np.broadcast_to(upstream, shape)


@REDUCE_SUM
@REDUCE_MEAN
@per_dtype
@given(data=st.data(), rows=st.integers(1, 4), cols=st.integers(1, 4))
def test_reduction_gradients_broadcast(target, data, dtype, rows, cols):
    x = data.draw(arrays(dtype, (rows, cols), bound=10.0), label="x")
    w_all = data.draw(arrays(dtype, (), bound=10.0), label="w_all")
    w_rows = data.draw(arrays(dtype, (cols,), bound=10.0), label="w_rows")
    w_cols = data.draw(arrays(dtype, (rows,), bound=10.0), label="w_cols")
    grads = target.run(reduction_gradients, x, w_all, w_rows, w_cols)
    cases = [(None, w_all, rows * cols), (0, w_rows, rows), (1, w_cols, cols)]
    for (axis, upstream, _count), grad in zip(cases, grads[:3], strict=True):
        expected = _broadcast_back(rounded_float64(upstream), axis, x.shape)
        assert_close(grad, expected, rtol=0, atol=0, what=f"d reduce_sum(axis={axis})")
    for (axis, upstream, count), grad in zip(cases, grads[3:], strict=True):
        expected = _broadcast_back(rounded_float64(upstream) / count, axis, x.shape)
        assert_close(grad, expected, what=f"d reduce_mean(axis={axis})")


@ACROSS_MODES
@per_dtype
@given(data=st.data())
def test_gradients_agree_across_modes(target, dtype, data):
    x = data.draw(smooth_inputs(dtype, VECTORS), label="x")
    got = target.run(family_values_and_gradients, x)
    with target.scope():  # the reference: the same Python function, run eagerly
        eager = family_values_and_gradients(tf.constant(x))
    for smooth, grad, reference in zip(SMOOTH, got, eager, strict=True):
        assert_gradient_close(grad, reference, what=f"{smooth.name} vs eager")
