"""Nested source structures and tf.custom_gradient."""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim
from pytest_tf2conf.dtype_axis import dtype_axis
from pytest_tf2conf.strategies import shapes

from ._support import (
    GRAD_DTYPES,
    SMOOTH,
    TAPE_API,
    VECTORS,
    assert_gradient_close,
    gradient_tolerances,
    numeric_jacobian,
    rounded_float64,
    smooth_inputs,
)

STRUCTURE_ID = "tape.gradient-keeps-source-structure"
LOG1PEXP_ID = "tape.custom-gradient-log1pexp-stable"
CUSTOM_DOC = "https://www.tensorflow.org/api_docs/python/tf/custom_gradient"
gradient_tolerances(STRUCTURE_ID, LOG1PEXP_ID)

STRUCTURE = claim(
    STRUCTURE_ID,
    "tape.gradient with sources in a dict of lists returns gradients in the same structure, "
    "each agreeing with finite differences.",
    TAPE_API,
)
CUSTOM = claim(
    "tape.custom-gradient-overrides-gradient",
    "A function decorated with tf.custom_gradient is differentiated with its own gradient "
    "function, not the gradient of its body.",
    CUSTOM_DOC,
)
LOG1PEXP = claim(
    LOG1PEXP_ID,
    "The documented log1pexp with a custom gradient has the finite gradient sigmoid(x), "
    "also where exp(x) overflows.",
    CUSTOM_DOC,
)

F, G, H = SMOOTH[0], SMOOTH[1], SMOOTH[2]
# Each gradient dtype is its own item (see pytest_tf2conf.dtype_axis): every dtype runs in
# every profile, and graph modes trace once per rank.
per_dtype = dtype_axis(GRAD_DTYPES)


def structured_gradients(a, b, c):
    with tf.GradientTape() as tape:
        tape.watch([a, b, c])
        loss = tf.reduce_sum(F.tf_fn(a)) + tf.reduce_sum(G.tf_fn(b)) + tf.reduce_sum(H.tf_fn(c))
    return tape.gradient(loss, {"a": a, "pair": [b, c]})


@STRUCTURE
@per_dtype
@given(data=st.data())
def test_gradient_keeps_structure(target, data, dtype):
    # a scalar, a vector and a matrix: fixed ranks keep graph modes at one trace per dtype
    ranks = {"a": 0, "b": 1, "c": 2}
    a, b, c = (
        data.draw(smooth_inputs(dtype, shapes(r, r, 1, 3)), label=n) for n, r in ranks.items()
    )
    grads = target.run(structured_gradients, a, b, c)
    assert isinstance(grads, dict) and sorted(grads) == ["a", "pair"], f"structure: {grads!r}"
    assert isinstance(grads["pair"], list) and len(grads["pair"]) == 2, f"structure: {grads!r}"
    for got, source, fn in ((grads["a"], a, F), (grads["pair"][0], b, G), (grads["pair"][1], c, H)):
        expected = numeric_jacobian(lambda z, f=fn.np_fn: np.sum(f(z)), rounded_float64(source))
        assert_gradient_close(got, expected, what=f"d/d{fn.name} source")


@tf.custom_gradient
def identity_with_tripled_gradient(x):
    def grad(upstream):
        return upstream * 3.0  # deliberately not the derivative of the body (which is 1)

    return tf.identity(x), grad


def custom_gradient(x, w):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(w * identity_with_tripled_gradient(x))
    return tape.gradient(y, x)


@CUSTOM
@per_dtype
@given(data=st.data(), shape=shapes(0, 1, 1, 6))
def test_custom_gradient_overrides(target, data, dtype, shape):
    x = data.draw(smooth_inputs(dtype, shape), label="x")
    w = data.draw(smooth_inputs(dtype, shape), label="w")
    # 3*w rounded once to the dtype: the table's tolerance for the dtype
    assert_close(target.run(custom_gradient, x, w), 3.0 * rounded_float64(w))


@tf.custom_gradient
def log1pexp(x):
    """The numerically stable log(1 + exp(x)) from the tf.custom_gradient documentation."""
    e = tf.exp(x)

    def grad(upstream):
        return upstream * (1 - 1 / (1 + e))

    return tf.math.log(1 + e), grad


def log1pexp_gradient(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(log1pexp(x))
    return tape.gradient(y, x)


@LOG1PEXP
@per_dtype
@given(
    data=st.data(),
    shape=VECTORS,
    big=st.lists(st.sampled_from([50.0, 89.0, 100.0]), min_size=1, max_size=2),
)
def test_custom_gradient_log1pexp(target, data, dtype, shape, big):
    x = data.draw(smooth_inputs(dtype, shape, bound=20.0)).reshape(-1)
    x = np.concatenate([x, np.asarray(big).astype(x.dtype)])  # exp overflows in float32 here
    grad = target.run(log1pexp_gradient, x)
    x64 = rounded_float64(x)
    assert_gradient_close(grad, 1.0 / (1.0 + np.exp(-x64)))
