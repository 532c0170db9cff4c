"""Shared pieces of the GradientTape suite: finite differences, variables, smooth functions.

Oracles here are NumPy in float64: central finite differences of a NumPy twin of each
TensorFlow function, evaluated on the dtype-rounded inputs. TensorFlow never computes its
own expected value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import tensorflow as tf
from hypothesis import strategies as st

from pytest_tf2conf.finite_differences import (  # noqa: F401 (the suite's names for them)
    NpFn,
    fd_steps,
    numeric_elementwise_derivative,
    numeric_jacobian,
)
from pytest_tf2conf.strategies import arrays, as_float64, numpy_dtype, shapes
from pytest_tf2conf.tolerance import Tolerance, assert_close, override

GUIDE = "https://www.tensorflow.org/guide/autodiff"
ADVANCED = "https://www.tensorflow.org/guide/advanced_autodiff"
TAPE_API = "https://www.tensorflow.org/api_docs/python/tf/GradientTape"

# ---------------------------------------------------------------------------------------
# Smooth composite functions: a TensorFlow body and its NumPy twin
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Smooth:
    """An element-wise smooth function with its NumPy twin and analytic first derivative."""

    name: str
    tf_fn: Callable[[Any], Any]
    np_fn: NpFn
    np_prime: NpFn  # analytic f', used as the oracle's input for second derivatives

    def __repr__(self) -> str:  # hypothesis prints the name in falsifying examples
        return self.name


def _tf(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    # Plain tensor code: AutoGraph has nothing to convert (and cannot parse twin lambdas).
    return tf.autograph.experimental.do_not_convert(fn)


def _log1p_sq_prime(x: np.ndarray) -> np.ndarray:
    return 2.0 * x / (1.0 + x * x)


def _tanh_sq_prime(x: np.ndarray) -> np.ndarray:
    return 2.0 * x / np.cosh(x * x) ** 2


# Inputs are drawn from [-2, 2]: every function is smooth there and of order one, so that
# absolute tolerances mean the same thing for all of them.
SMOOTH: tuple[Smooth, ...] = (
    Smooth(
        "sin_exp",
        _tf(lambda x: tf.sin(x) * tf.exp(x * 0.5)),
        lambda x: np.sin(x) * np.exp(x * 0.5),
        lambda x: np.exp(x * 0.5) * (np.cos(x) + 0.5 * np.sin(x)),
    ),
    Smooth("tanh_sq", _tf(lambda x: tf.tanh(x * x)), lambda x: np.tanh(x * x), _tanh_sq_prime),
    Smooth(
        "log1p_sq",
        _tf(lambda x: tf.math.log(1.0 + x * x)),
        lambda x: np.log(1.0 + x * x),
        _log1p_sq_prime,
    ),
    Smooth(
        "gauss_cos",
        _tf(lambda x: tf.exp(-(x * x)) * tf.cos(x)),
        lambda x: np.exp(-(x * x)) * np.cos(x),
        lambda x: -np.exp(-(x * x)) * (2.0 * x * np.cos(x) + np.sin(x)),
    ),
    Smooth(
        "rational",
        _tf(lambda x: x / (1.0 + x * x)),
        lambda x: x / (1.0 + x * x),
        lambda x: (1.0 - x * x) / (1.0 + x * x) ** 2,
    ),
    Smooth(
        "sin_tanh",
        _tf(lambda x: tf.sin(tf.tanh(x) * x + 1.0)),
        lambda x: np.sin(np.tanh(x) * x + 1.0),
        lambda x: np.cos(np.tanh(x) * x + 1.0) * (np.tanh(x) + x / np.cosh(x) ** 2),
    ),
    Smooth(
        "cubic",
        _tf(lambda x: x * x * x - 2.0 * x),
        lambda x: x * x * x - 2.0 * x,
        lambda x: 3.0 * x * x - 2.0,
    ),
)
SMOOTH_BY_NAME = {s.name: s for s in SMOOTH}

GRAD_DTYPES = ("float16", "bfloat16", "float32", "float64")
# Element-wise functions do not care about rank: vectors keep graph-mode traces to one per
# dtype. Tests whose claim is about shapes (Jacobians, structures) draw ranks themselves.
VECTORS = shapes(1, 1, 1, 6)
DOMAIN = 2.0


def smooth_inputs(
    dtype: str, shape: Any = None, bound: float = DOMAIN
) -> st.SearchStrategy[np.ndarray]:
    """Float arrays in [-bound, bound], small shapes (ranks 0-2, up to 4 per side)."""
    shape = shapes(0, 2, 1, 4) if shape is None else shape
    return arrays(dtype, shape, bound=bound)


def assert_gradient_close(actual: Any, expected: Any, **kwargs: Any) -> None:
    """``assert_close`` for a gradient against a finite difference or a smooth formula:
    values only, never the sign of a zero.

    A float64 finite difference cannot tell -0.0 from 0.0 (a tape gradient of x @ w at
    w = -0.0 is -0.0). Exact checks (repeated calls, documented values) use ``assert_close``.
    """
    assert_close(actual, expected, signed_zeros=False, **kwargs)


def rounded_float64(value: np.ndarray) -> np.ndarray:
    """The oracle's input: the exact float64 value of a dtype-rounded array."""
    return as_float64(value)


def cast(value: Any, dtype: str) -> np.ndarray:
    return np.asarray(value, dtype=np.float64).astype(numpy_dtype(dtype))


# ---------------------------------------------------------------------------------------
# Gradient tolerances
# ---------------------------------------------------------------------------------------

# A gradient goes through the forward ops and their adjoints, so its rounding error is a few
# times that of one op; the float64 oracle is a finite difference (error ~1e-10 relative).
# Values and derivatives of the functions above are of order one.
GRADIENT_TOLERANCES = {
    # measured worst |error| / (1 + |gradient|) on stock TF 2.21 CPU over the functions below:
    # float16 1.6e-3, bfloat16 1.3e-2, float32 1.0e-6 (eager and XLA alike)
    "float16": Tolerance(rtol=5e-3, atol=5e-3),
    "bfloat16": Tolerance(rtol=4e-2, atol=4e-2),
    "float32": Tolerance(rtol=1e-5, atol=1e-5),
    "float64": Tolerance(rtol=1e-7, atol=1e-8),
}
# Second derivatives repeat the rounding of the forward pass and of the first backward pass;
# tanh's derivative 1 - tanh^2 loses digits in half precision as tanh nears 1. Measured worst
# on [-1.5, 1.5]: float16 4.8e-3, bfloat16 2.8e-2, float32 1.3e-6, float64 (the finite
# difference's own error) 9e-11.
SECOND_DERIVATIVE_DOMAIN = 1.5
SECOND_DERIVATIVE_TOLERANCES = {
    "float16": Tolerance(rtol=1.5e-2, atol=1.5e-2),
    "bfloat16": Tolerance(rtol=8e-2, atol=8e-2),
    "float32": Tolerance(rtol=2e-5, atol=2e-5),
    "float64": Tolerance(rtol=1e-7, atol=1e-8),
}


def gradient_tolerances(*claim_ids: str, table: dict[str, Tolerance] | None = None) -> None:
    """Register the gradient tolerances for claims compared against finite differences."""
    for claim_id in claim_ids:
        for dtype, tol in (table or GRADIENT_TOLERANCES).items():
            override(claim_id, dtype, tol)


# ---------------------------------------------------------------------------------------
# Variables for module-level functions
# ---------------------------------------------------------------------------------------


class VariableSlot:
    """One ``tf.Variable`` per (device, dtype), read by module-level functions via ``.var``.

    ``target.run`` converts its arguments to tensors, so a variable cannot be passed in; a
    traced function captures whatever variable it reads while tracing. Keeping one variable
    per device and dtype (created on the target's device, of unspecified shape) and binding
    it before every run makes the captured variable and the bound one the same object.
    """

    def __init__(self, name: str, trainable: bool = True) -> None:
        self.name = name
        self.trainable = trainable
        self._variables: dict[tuple[str, str], tf.Variable] = {}
        self._bound: tf.Variable | None = None

    def bind(self, target: Any, dtype: str, value: Any = None) -> tf.Variable:
        """Make this slot's variable for (target device, dtype) current; assign ``value``.

        The assignment runs eagerly: XLA cannot change a variable's shape inside a cluster.
        Functions reading a slot should take an argument of the slot's dtype, so that graph
        modes retrace (and capture the right variable) when the dtype changes.
        """
        key = (target.device.name, dtype)
        if key not in self._variables:
            with target.scope():
                self._variables[key] = tf.Variable(
                    tf.zeros([], dtype=dtype),
                    shape=tf.TensorShape(None),
                    trainable=self.trainable,
                    name=self.name,
                )
        self._bound = self._variables[key]
        if value is not None:
            with target.scope():
                self._bound.assign(value)
        return self._bound

    @property
    def var(self) -> tf.Variable:
        if self._bound is None:
            raise RuntimeError(f"variable slot {self.name} used before bind()")
        return self._bound


# ---------------------------------------------------------------------------------------
# Module-level tape computations shared by several files
# ---------------------------------------------------------------------------------------


def family_values_and_gradients(x: Any) -> tuple[Any, ...]:
    """For each SMOOTH function f: d sum(f(x)) / dx, one tape per function.

    All functions in one traced body: graph modes trace once per dtype x rank, not once
    per function.
    """
    grads = []
    for smooth in SMOOTH:
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(smooth.tf_fn(x))
        grads.append(tape.gradient(loss, x))
    return tuple(grads)


def family_oracle(x64: np.ndarray) -> list[np.ndarray]:
    """Finite-difference gradients of each SMOOTH function's sum, in float64."""
    return [numeric_jacobian(lambda z, f=smooth.np_fn: np.sum(f(z)), x64) for smooth in SMOOTH]
