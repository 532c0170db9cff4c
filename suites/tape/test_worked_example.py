"""The source document's worked example: gradient descent on |A*X - B| with a tape."""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim
from pytest_tf2conf.dtype_axis import dtype_axis

from ._support import GRAD_DTYPES, GUIDE, VariableSlot, cast, smooth_inputs

WORKED = claim(
    "tape.worked-example-abs-descent",
    "With A=3, B=6, X=Variable(20) and loss |A*X-B|, seven steps X.assign(X - dX) give dX=3 "
    "six times with X=20,17,14,11,8,5,2, then loss 0 and dX=0 at X=2.",
    GUIDE,
)
DESCENT = claim(
    "tape.abs-descent-stops-at-kink",
    "Gradient steps on |A*X-B| (A>0) from X0=B/A+k*A move X by A exactly k times, then X stays "
    "at B/A with loss 0 and gradient 0.",
    GUIDE,
)
ABS_AT_ZERO = claim(
    "tape.abs-gradient-is-sign-and-zero-at-zero",
    "The tape gradient of tf.abs is sign(x): 1 above zero, -1 below zero and 0 at zero.",
    "https://www.tensorflow.org/api_docs/python/tf/math/abs",
)

X = VariableSlot("X")
STEPS = 7
EXACT_DTYPES = ("float16", "float32", "float64")  # all values of the descent exact in these


def descend(a, b, x0):
    """Seven steps of the worked example; returns X, dX and loss before each step, final X."""
    x = X.var
    x.assign(x0)
    xs, dxs, losses = [], [], []
    for _ in range(STEPS):
        with tf.GradientTape() as tape:
            loss = tf.abs(a * x - b)
        dx = tape.gradient(loss, x)
        xs.append(x.read_value())
        dxs.append(dx)
        losses.append(loss)
        x.assign(x - dx)
    return tf.stack(xs), tf.stack(dxs), tf.stack(losses), x.read_value()


@WORKED
def test_worked_example_exact(target):
    X.bind(target, "float32")
    xs, dxs, losses, final = target.run(
        descend, np.float32(3.0), np.float32(6.0), np.float32(20.0), relax_shapes=False
    )
    exact = dict(rtol=0.0, atol=0.0)
    assert_close(xs, np.array([20, 17, 14, 11, 8, 5, 2.0]), what="X before each step", **exact)
    assert_close(dxs, np.array([3, 3, 3, 3, 3, 3, 0.0]), what="dX", **exact)
    assert_close(losses, np.array([54, 45, 36, 27, 18, 9, 0.0]), what="loss", **exact)
    assert_close(final, np.float64(2.0), what="final X", **exact)


@DESCENT
# Each dtype is its own item (see pytest_tf2conf.dtype_axis): every one runs in every profile.
@dtype_axis(EXACT_DTYPES)
@given(
    a=st.integers(1, 8),
    c=st.integers(-10, 10),
    k=st.integers(0, STEPS),
    side=st.sampled_from([1, -1]),
)
def test_descent_reaches_kink_and_stays(target, a, c, k, side, dtype):
    X.bind(target, dtype)
    x0 = c + side * k * a
    xs, dxs, losses, final = target.run(
        descend, cast(a, dtype), cast(a * c, dtype), cast(x0, dtype), relax_shapes=False
    )
    remaining = np.maximum(k - np.arange(STEPS), 0)  # steps still to go before each step
    exact = dict(rtol=0.0, atol=0.0, signed_zeros=False)
    assert_close(xs, c + side * remaining * a, what="X before each step", **exact)
    assert_close(dxs, np.where(remaining > 0, side * a, 0), what="dX", **exact)
    assert_close(losses, a * a * remaining, what="loss", **exact)
    assert_close(final, np.float64(c), what="final X", **exact)


def abs_gradient(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.abs(x))
    return tape.gradient(y, x)


@ABS_AT_ZERO
@dtype_axis(GRAD_DTYPES)
@given(
    data=st.data(),
    zeros=st.lists(st.sampled_from([0.0, -0.0]), min_size=1, max_size=3),
)
def test_abs_gradient_at_zero(target, data, dtype, zeros):
    values = data.draw(smooth_inputs(dtype, st.integers(0, 5).map(lambda n: (n,)), bound=10.0))
    x = np.concatenate([values, cast(zeros, dtype)])
    grad = target.run(abs_gradient, x)
    # The sign of the zero gradient is unspecified (XLA returns -0 for x = -0).
    assert_close(grad, np.sign(x.astype(np.float64)), rtol=0, atol=0, signed_zeros=False)
