"""What the tape records: variables, watched tensors, stop_gradient, unconnected sources."""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim
from pytest_tf2conf.dtype_axis import dtype_axis
from pytest_tf2conf.strategies import SIGNED_INT_DTYPES, arrays, shapes

from ._support import (
    GRAD_DTYPES,
    GUIDE,
    SMOOTH,
    TAPE_API,
    VECTORS,
    VariableSlot,
    assert_gradient_close,
    gradient_tolerances,
    numeric_jacobian,
    rounded_float64,
    smooth_inputs,
)

VARIABLES_ID = "tape.trainable-variables-watched-automatically"
WATCH_ID = "tape.watch-makes-a-tensor-a-source"
ACCESSED_ID = "tape.watch-accessed-variables-false-records-only-watched"
STOP_GRADIENT_ID = "tape.stop-gradient-blocks-gradient"
STOP_RECORDING_ID = "tape.stop-recording-pauses-the-tape"
gradient_tolerances(VARIABLES_ID, WATCH_ID, ACCESSED_ID, STOP_GRADIENT_ID, STOP_RECORDING_ID)

VARIABLES = claim(
    VARIABLES_ID,
    "Trainable variables read inside the tape are watched without tape.watch, and their "
    "gradients agree with finite differences.",
    TAPE_API,
)
CONSTANTS = claim(
    "tape.constants-not-watched-by-default",
    "A constant tensor that was not passed to tape.watch is not a source: its gradient is None.",
    GUIDE,
)
WATCH = claim(
    WATCH_ID,
    "After tape.watch(x) a constant tensor x is a source whose gradient agrees with finite "
    "differences.",
    TAPE_API,
)
ACCESSED = claim(
    ACCESSED_ID,
    "With watch_accessed_variables=False a trainable variable gets a gradient only after "
    "tape.watch; otherwise its gradient is None.",
    TAPE_API,
)
NON_TRAINABLE = claim(
    "tape.non-trainable-variables-not-watched",
    "A Variable created with trainable=False is not watched automatically: its gradient is None.",
    GUIDE,
)
WATCHED_VARIABLES = claim(
    "tape.watched-variables-lists-trainable-reads",
    "tape.watched_variables() lists the trainable variables read on the tape and no "
    "non-trainable one.",
    GUIDE,
)
INTEGERS = claim(
    "tape.integer-sources-give-none",
    "Integers are not differentiable: the gradient with respect to an integer tensor is None, "
    "also through a cast to float.",
    GUIDE,
)
STOP_GRADIENT = claim(
    STOP_GRADIENT_ID,
    "tf.stop_gradient blocks the gradient: the stopped term contributes nothing and a target "
    "that depends on a source only through it has gradient None.",
    "https://www.tensorflow.org/api_docs/python/tf/stop_gradient",
)
STOP_RECORDING = claim(
    STOP_RECORDING_ID,
    "Operations run inside tape.stop_recording() are not recorded and contribute no gradient.",
    TAPE_API,
)
OUTSIDE = claim(
    "tape.operations-outside-the-tape-not-recorded",
    "Operations executed before entering the tape context are not recorded: a target "
    "computed there has gradient None.",
    GUIDE,
)
UNCONNECTED_NONE = claim(
    "tape.unconnected-gradients-none",
    "The gradient with respect to a watched source that the target does not depend on is None.",
    GUIDE,
)
UNCONNECTED_ZERO = claim(
    "tape.unconnected-gradients-zero",
    "With unconnected_gradients=tf.UnconnectedGradients.ZERO an unconnected source gets "
    "zeros of its own shape and dtype.",
    "https://www.tensorflow.org/api_docs/python/tf/UnconnectedGradients",
)

F, G = SMOOTH[0], SMOOTH[1]  # two smooth functions: f is differentiated, g gets blocked
VAR_DTYPES = ("float32", "float64")  # variables: one slot per dtype, keep the set small
TRAINABLE = VariableSlot("trainable")
FROZEN = VariableSlot("frozen", trainable=False)

INT_SOURCE_DTYPES = SIGNED_INT_DTYPES[2:]  # int32, int64

# Each dtype is its own item (see pytest_tf2conf.dtype_axis): every dtype runs in every
# profile, and graph modes trace once per rank.
per_dtype = dtype_axis(GRAD_DTYPES)
per_variable_dtype = dtype_axis(VAR_DTYPES)


def _fd(x: np.ndarray) -> np.ndarray:
    """The oracle: finite differences of sum(f(x)) on the rounded input."""
    return numeric_jacobian(lambda z: np.sum(F.np_fn(z)), rounded_float64(x))


def variable_gradients(like):
    """Reads a trainable and a non-trainable variable with no tape.watch.

    ``like`` only carries the variables' dtype into the trace signature.
    """
    del like
    trainable, frozen = TRAINABLE.var, FROZEN.var
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(F.tf_fn(trainable)) + tf.reduce_sum(F.tf_fn(frozen))
    watched = tape.watched_variables()
    listed = [any(v is var for v in watched) for var in (trainable, frozen)]
    return tape.gradient(loss, [trainable, frozen]), tf.constant(len(watched)), tf.constant(listed)


@VARIABLES
@NON_TRAINABLE
@WATCHED_VARIABLES
@per_variable_dtype
@given(data=st.data(), shape=VECTORS)
def test_variables_watched_by_trainability(target, data, dtype, shape):
    x = data.draw(smooth_inputs(dtype, shape))
    TRAINABLE.bind(target, dtype, x)
    FROZEN.bind(target, dtype, x)
    (g_trainable, g_frozen), count, listed = target.run(variable_gradients, x[:0])
    assert g_frozen is None, "a trainable=False variable was watched automatically"
    assert g_trainable is not None, "a trainable variable was not watched automatically"
    assert_gradient_close(g_trainable, _fd(x))
    assert int(count) == 1 and list(np.asarray(listed)) == [True, False], (
        f"watched_variables(): {int(count)} variable(s), [trainable, frozen] listed: {listed}"
    )


def unwatched_variable_gradients(like):
    """watch_accessed_variables=False: reads two variables, watches only the second (frozen)."""
    del like
    trainable, frozen = TRAINABLE.var, FROZEN.var
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(frozen)
        loss = tf.reduce_sum(F.tf_fn(trainable)) + tf.reduce_sum(F.tf_fn(frozen))
    return tape.gradient(loss, [trainable, frozen])


@ACCESSED
@per_variable_dtype
@given(data=st.data(), shape=VECTORS)
def test_watch_accessed_variables_false(target, data, dtype, shape):
    x = data.draw(smooth_inputs(dtype, shape))
    TRAINABLE.bind(target, dtype, x)
    FROZEN.bind(target, dtype, x)
    g_trainable, g_frozen = target.run(unwatched_variable_gradients, x[:0])
    assert g_trainable is None, "an accessed variable was watched despite the flag"
    assert g_frozen is not None, "an explicitly watched variable got no gradient"
    assert_gradient_close(g_frozen, _fd(x))


def constant_gradients(x, y):
    """x is watched, y (a tensor argument like x) is not."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(F.tf_fn(x)) + tf.reduce_sum(F.tf_fn(y))
    return tape.gradient(loss, [x, y])


@CONSTANTS
@WATCH
@per_dtype
@given(data=st.data())
def test_only_watched_tensors_are_sources(target, dtype, data):
    x = data.draw(smooth_inputs(dtype, VECTORS), label="x")
    gx, gy = target.run(constant_gradients, x, x.copy())
    assert gy is None, "an unwatched tensor got a gradient"
    assert gx is not None, "a watched tensor got no gradient"
    assert_gradient_close(gx, _fd(x))


def integer_gradients(i):
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(i)  # logs "The dtype of the watched tensor must be floating" (first times)
        direct = i * i
        through_cast = tf.reduce_sum(tf.square(tf.cast(i, tf.float32)))
    return tape.gradient(direct, i), tape.gradient(through_cast, i)


@INTEGERS
@dtype_axis(INT_SOURCE_DTYPES)
@given(data=st.data())
def test_integer_sources_give_none(target, dtype, data):
    i = data.draw(arrays(dtype, VECTORS, bound=100), label="i")
    direct, through_cast = target.run(integer_gradients, i)
    assert direct is None, f"integer source got a gradient: {direct!r}"
    assert through_cast is None, f"integer source got a gradient through a cast: {through_cast!r}"


def stopped_gradients(x):
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        blocked = tf.stop_gradient(G.tf_fn(x))
        loss = tf.reduce_sum(F.tf_fn(x)) + tf.reduce_sum(blocked)
        only_blocked = tf.reduce_sum(blocked * 2.0)
    return tape.gradient(loss, x), tape.gradient(only_blocked, x)


@STOP_GRADIENT
@per_dtype
@given(data=st.data())
def test_stop_gradient_blocks(target, dtype, data):
    x = data.draw(smooth_inputs(dtype, VECTORS), label="x")
    grad, only_blocked = target.run(stopped_gradients, x)
    assert only_blocked is None, "gradient flowed through tf.stop_gradient"
    assert_gradient_close(grad, _fd(x), what="gradient with a stopped term")


def paused_gradients(x):
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        with tape.stop_recording():
            paused = G.tf_fn(x)
        loss = tf.reduce_sum(F.tf_fn(x)) + tf.reduce_sum(paused)
    return tape.gradient(loss, x), tape.gradient(paused, x)


@STOP_RECORDING
@per_dtype
@given(data=st.data())
def test_stop_recording_pauses(target, dtype, data):
    x = data.draw(smooth_inputs(dtype, VECTORS), label="x")
    grad, paused = target.run(paused_gradients, x)
    assert paused is None, "an operation run under stop_recording() was recorded"
    assert_gradient_close(grad, _fd(x), what="gradient with a paused term")


def outside_gradient(x):
    before = F.tf_fn(x)  # computed before the tape exists
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(before * 2.0)
    return tape.gradient(loss, x)


@OUTSIDE
@per_dtype
@given(data=st.data())
def test_operations_outside_tape_not_recorded(target, dtype, data):
    x = data.draw(smooth_inputs(dtype, VECTORS), label="x")
    assert target.run(outside_gradient, x) is None


def unconnected_gradients(x, unrelated):
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, unrelated])
        loss = tf.reduce_sum(F.tf_fn(x))
    none = tape.gradient(loss, unrelated)
    zero = tape.gradient(loss, unrelated, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return none, zero


@UNCONNECTED_NONE
@UNCONNECTED_ZERO
@per_dtype
@given(data=st.data())
def test_unconnected_sources(target, data, dtype):
    x = data.draw(smooth_inputs(dtype, VECTORS), label="x")
    unrelated = data.draw(smooth_inputs(dtype, shapes(0, 2, 0, 3)), label="unrelated")
    none, zero = target.run(unconnected_gradients, x, unrelated)
    assert none is None, f"unconnected source got {none!r}"
    assert zero is not None and zero.dtype.name == dtype, f"ZERO gave {zero!r}"
    assert_close(zero, np.zeros(unrelated.shape), rtol=0, atol=0, what="ZERO gradient")
