"""Central finite differences in float64 (NumPy only): the gradient oracle of the tape
suite and of the op database. TensorFlow never computes its own expected gradient.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

NpFn = Callable[[np.ndarray], np.ndarray]

_EPS64 = float(np.finfo(np.float64).eps)


def fd_steps(x: np.ndarray) -> np.ndarray:
    """Central-difference steps eps^(1/3) * max(1, |x|): truncation ~ rounding error."""
    return _EPS64 ** (1.0 / 3.0) * np.maximum(1.0, np.abs(x))


def numeric_jacobian(f: NpFn, x: np.ndarray) -> np.ndarray:
    """d f(x) / d x by central differences in float64, shaped ``f(x).shape + x.shape``.

    For a scalar ``f`` this is the gradient (shape of ``x``). Truncation and rounding errors
    are both about eps^(2/3) ~ 4e-11 relative to the function's scale.
    """
    x = np.asarray(x, dtype=np.float64)
    out_shape = np.shape(f(x))
    jac = np.zeros(out_shape + x.shape, dtype=np.float64)
    steps = fd_steps(x)
    for index in np.ndindex(*x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += steps[index]
        minus[index] -= steps[index]
        h = plus[index] - minus[index]  # the step actually taken (exact in binary)
        jac[(Ellipsis, *index)] = (np.asarray(f(plus)) - np.asarray(f(minus))) / h
    return jac


def numeric_elementwise_derivative(f: NpFn, x: np.ndarray) -> np.ndarray:
    """Element-wise f'(x) of an element-wise ``f`` (one central difference per element)."""
    x = np.asarray(x, dtype=np.float64)
    h = fd_steps(x)
    plus, minus = x + h, x - h
    return (f(plus) - f(minus)) / (plus - minus)
