"""Higher derivatives (nested tapes), Jacobians and forward-mode JVPs."""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import claim
from pytest_tf2conf.dtype_axis import dtype_axis
from pytest_tf2conf.strategies import shapes

from ._support import (
    ADVANCED,
    GRAD_DTYPES,
    SECOND_DERIVATIVE_DOMAIN,
    SECOND_DERIVATIVE_TOLERANCES,
    SMOOTH,
    TAPE_API,
    VECTORS,
    assert_gradient_close,
    gradient_tolerances,
    numeric_elementwise_derivative,
    numeric_jacobian,
    rounded_float64,
    smooth_inputs,
)

SECOND_ID = "tape.nested-tapes-second-derivative"
THIRD_ID = "tape.nested-tapes-third-derivative"
JACOBIAN_ID = "tape.jacobian-matches-finite-differences"
BATCH_JACOBIAN_ID = "tape.batch-jacobian-matches-finite-differences"
JVP_TAPE_ID = "tape.forward-accumulator-jvp-matches-tape-vjp"
JVP_FD_ID = "tape.forward-accumulator-jvp-matches-finite-differences"
gradient_tolerances(SECOND_ID, THIRD_ID, table=SECOND_DERIVATIVE_TOLERANCES)
gradient_tolerances(JACOBIAN_ID, BATCH_JACOBIAN_ID, JVP_TAPE_ID, JVP_FD_ID)

SECOND = claim(
    SECOND_ID,
    "A tape nested in another gives second derivatives, agreeing with finite differences of "
    "the analytic first derivative.",
    ADVANCED,
)
THIRD = claim(
    THIRD_ID,
    "Three nested tapes give the third derivative: for sin(x) + x^4/4 it is -cos(x) + 6x.",
    TAPE_API,
)
JACOBIAN = claim(
    JACOBIAN_ID,
    "tape.jacobian(y, x) has shape y.shape + x.shape and agrees with finite differences.",
    ADVANCED,
)
BATCH_JACOBIAN = claim(
    BATCH_JACOBIAN_ID,
    "tape.batch_jacobian(y, x) of a per-example function has shape (batch, y_dim, x_dim) and "
    "agrees with the per-example finite-difference Jacobians.",
    ADVANCED,
)
JVP_TAPE = claim(
    JVP_TAPE_ID,
    "tf.autodiff.ForwardAccumulator's jvp equals the Jacobian-vector product J v that the "
    "tape gives by differentiating a vector-Jacobian product.",
    "https://www.tensorflow.org/api_docs/python/tf/autodiff/ForwardAccumulator",
)
JVP_FD = claim(
    JVP_FD_ID,
    "tf.autodiff.ForwardAccumulator's jvp agrees with the finite-difference directional "
    "derivative along the tangent.",
    "https://www.tensorflow.org/api_docs/python/tf/autodiff/ForwardAccumulator",
)

# Each gradient dtype is its own item (see pytest_tf2conf.dtype_axis): every dtype runs in
# every profile, and graph modes trace once per rank.
per_dtype = dtype_axis(GRAD_DTYPES)
# tape.jacobian re-traces its pfor loop on every eager call: 0.4 of the profile's examples.
per_dtype_jacobian = dtype_axis(GRAD_DTYPES, fraction=0.4)


def second_inputs(dtype: str) -> st.SearchStrategy[np.ndarray]:
    return smooth_inputs(dtype, VECTORS, bound=SECOND_DERIVATIVE_DOMAIN)


def second_derivatives(x):
    out = []
    for smooth in SMOOTH:
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = tf.reduce_sum(smooth.tf_fn(x))
            dy = inner.gradient(y, x)
        out.append(outer.gradient(dy, x))  # element-wise f: d(sum f'(x))/dx = f''(x)
    return tuple(out)


@SECOND
@per_dtype
@given(data=st.data())
def test_nested_tapes_second_derivative(target, dtype, data):
    x = data.draw(second_inputs(dtype), label="x")
    got = target.run(second_derivatives, x)
    x64 = rounded_float64(x)
    for smooth, d2 in zip(SMOOTH, got, strict=True):
        expected = numeric_elementwise_derivative(smooth.np_prime, x64)
        assert_gradient_close(d2, expected, what=f"{smooth.name}''")


def third_derivative(x):
    with tf.GradientTape() as t3:
        t3.watch(x)
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = tf.reduce_sum(tf.sin(x) + x * x * x * x * 0.25)
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    return t3.gradient(d2, x)


@THIRD
@per_dtype
@given(data=st.data())
def test_nested_tapes_third_derivative(target, dtype, data):
    x = data.draw(second_inputs(dtype), label="x")
    x64 = rounded_float64(x)
    assert_gradient_close(target.run(third_derivative, x), -np.cos(x64) + 6.0 * x64)


def _tf_coupled(x):
    return tf.sin(x) * tf.reduce_sum(x * x)


def _np_coupled(x: np.ndarray) -> np.ndarray:
    return np.sin(x) * np.sum(x * x)


def jacobian(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = _tf_coupled(x)  # every output depends on every input
    return tape.jacobian(y, x)


@JACOBIAN
@per_dtype_jacobian
@given(data=st.data(), shape=shapes(1, 2, 1, 3))
def test_jacobian(target, data, dtype, shape):
    # |x| <= 1 keeps sum(x*x) and so the Jacobian of order one
    x = data.draw(smooth_inputs(dtype, shape, bound=1.0))
    got = target.run(jacobian, x)
    assert tuple(got.shape) == shape + shape, f"jacobian shape {got.shape}"
    assert_gradient_close(got, numeric_jacobian(_np_coupled, rounded_float64(x)))


def batch_jacobian(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.sin(x) * tf.reduce_sum(x * x, axis=1, keepdims=True)  # rows independent
    return tape.batch_jacobian(y, x)


def _np_rows_coupled(x: np.ndarray) -> np.ndarray:
    return np.sin(x) * np.sum(x * x, axis=1, keepdims=True)


@BATCH_JACOBIAN
@per_dtype_jacobian
@given(data=st.data(), batch=st.integers(1, 3), n=st.integers(1, 3))
def test_batch_jacobian(target, data, dtype, batch, n):
    x = data.draw(smooth_inputs(dtype, (batch, n), bound=1.0))
    got = target.run(batch_jacobian, x)
    full = numeric_jacobian(_np_rows_coupled, rounded_float64(x))  # (batch, n, batch, n)
    per_example = np.stack([full[b, :, b, :] for b in range(batch)])
    assert_gradient_close(got, per_example)


def jvp_pair(x, tangent):
    """Forward mode's J v, and J v from reverse mode by differentiating a VJP (double VJP)."""
    with tf.autodiff.ForwardAccumulator(x, tangent) as acc:
        y = _tf_coupled(x)
    forward = acc.jvp(y)
    u = tf.zeros_like(y)  # u^T J is linear in u, so any u will do
    with tf.GradientTape() as outer:
        outer.watch(u)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = _tf_coupled(x)
        vjp = inner.gradient(y, x, output_gradients=u)  # u^T J
    reverse = outer.gradient(vjp, u, output_gradients=tangent)  # d(u^T J v)/du = J v
    return forward, reverse


@JVP_TAPE
@JVP_FD
@per_dtype
@given(data=st.data(), shape=shapes(1, 2, 1, 3))
def test_forward_accumulator_jvp(target, data, dtype, shape):
    x = data.draw(smooth_inputs(dtype, shape, bound=1.0), label="x")
    tangent = data.draw(smooth_inputs(dtype, shape, bound=1.0), label="tangent")
    forward, reverse = target.run(jvp_pair, x, tangent)
    assert_gradient_close(forward, rounded_float64(reverse.numpy()), what="jvp vs tape")
    jac = numeric_jacobian(_np_coupled, rounded_float64(x))
    fd = np.tensordot(jac, rounded_float64(tangent), axes=len(shape))
    assert_gradient_close(forward, fd, what="jvp vs finite differences")
