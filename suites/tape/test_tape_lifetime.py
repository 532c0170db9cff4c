"""How many times a tape can be used: non-persistent once, persistent many times."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim
from pytest_tf2conf.dtype_axis import dtype_axis
from pytest_tf2conf.strategies import shapes

from ._support import (
    GRAD_DTYPES,
    TAPE_API,
    assert_gradient_close,
    gradient_tolerances,
    rounded_float64,
    smooth_inputs,
)

PERSISTENT_ID = "tape.persistent-tape-many-gradient-calls"
gradient_tolerances(PERSISTENT_ID)

SINGLE_USE = claim(
    "tape.non-persistent-tape-single-gradient-call",
    "A non-persistent tape allows one gradient call; a second call raises RuntimeError (in "
    "eager code and while tracing a tf.function).",
    TAPE_API,
)
PERSISTENT = claim(
    PERSISTENT_ID,
    "A persistent tape answers many gradient calls over the same computation, each one the "
    "same (y=x*x, z=y*y: dz/dx=4x^3, dy/dx=2x).",
    TAPE_API,
)


def inputs(dtype: str) -> st.SearchStrategy[np.ndarray]:
    return smooth_inputs(dtype, shapes(0, 1, 1, 6))


def gradient_twice(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    first = tape.gradient(y, x)
    second = tape.gradient(y, x)  # raises: the tape released its resources
    return first, second


def gradient_once(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    return tape.gradient(y, x)


@SINGLE_USE
# Each gradient dtype is its own item (see pytest_tf2conf.dtype_axis); 0.2 of the profile's
# examples in all, one per dtype allowed: graph modes re-trace each time (a failed trace is
# not cached), and the claim is about the second call raising, not about values.
@dtype_axis(GRAD_DTYPES, fraction=0.2, minimum=1)
@given(data=st.data())
def test_non_persistent_tape_single_use(target, dtype, data):
    x = data.draw(inputs(dtype), label="x")
    assert_close(target.run(gradient_once, x), 2.0 * rounded_float64(x), what="first call")
    with pytest.raises(RuntimeError, match="non-persistent GradientTape"):
        target.run(gradient_twice, x)


def persistent_gradients(x):
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    dz = tape.gradient(z, x)
    dy = tape.gradient(y, x)
    dz_again = tape.gradient(z, x)
    dy_again = tape.gradient(y, x)
    return dz, dy, dz_again, dy_again


@PERSISTENT
@dtype_axis(GRAD_DTYPES)
@given(data=st.data())
def test_persistent_tape_many_calls(target, dtype, data):
    x = data.draw(inputs(dtype), label="x")
    dz, dy, dz_again, dy_again = target.run(persistent_gradients, x)
    x64 = rounded_float64(x)
    assert_gradient_close(dz, 4.0 * x64**3, what="dz/dx")
    assert_gradient_close(dy, 2.0 * x64, what="dy/dx")
    exact = dict(rtol=0.0, atol=0.0)
    assert_close(dz_again, np.asarray(dz.numpy()), what="dz/dx, second call", **exact)
    assert_close(dy_again, np.asarray(dy.numpy()), what="dy/dx, second call", **exact)
