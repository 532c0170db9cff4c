"""Helpers shared by the tensor-metadata suite.

Most tensor claims are about what TensorFlow does with *Python* values (dtype inference,
explicit ``dtype=``, Python scalars in operators). Such values cannot be passed to
``Target.run`` (it converts every argument to a tensor first, which is the very step under
test), so ``run_built`` runs an argument-less builder instead: eagerly, or traced afresh
in the target's graph mode, where the Python values are baked into the graph as constants.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from pytest_tf2conf.strategies import COMPLEX_DTYPES, REAL_DTYPES, numpy_dtype
from pytest_tf2conf.targets import (
    Target,
    Unsupported,
    is_no_kernel_error,
    record_compilation,
    verify_graph_placement,
    verify_result_placement,
)

GUIDE = "https://www.tensorflow.org/guide/tensor"
API = "https://www.tensorflow.org/api_docs/python/tf/"

NUMERIC_DTYPES = REAL_DTYPES + COMPLEX_DTYPES
ALL_DTYPES = ("bool", *NUMERIC_DTYPES)  # every dtype with a NumPy counterpart except string

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def run_built(target: Target, build: Callable[[], Any]) -> Any:
    """Run ``build()`` on ``target`` and return its (placement-checked) result.

    Graph modes trace a new function on every call, on purpose: the claim is about Python
    values captured at trace time, so caching by function identity would not apply anyway.
    "No kernel here" becomes ``Unsupported``, as in ``Target.run``.
    """
    import tensorflow as tf

    if not target.mode.is_graph:
        with target.scope():
            result = build()
        verify_result_placement(target, result)
        return result

    def placed() -> Any:
        with target.scope():
            return build()

    compiled = target.function(placed)
    started = time.perf_counter()
    try:
        with target.scope():
            result = compiled()
    except (tf.errors.OpError, ValueError, TypeError) as exc:
        if is_no_kernel_error(exc):
            raise Unsupported(target, str(exc)) from None
        raise
    finally:
        record_compilation(target, compiled, (), 0, started)
    verify_result_placement(target, result)
    with target.scope():
        verify_graph_placement(target, compiled.get_concrete_function())
    return result


def raised_by(target: Target, build: Callable[[], Any]) -> BaseException | None:
    """The exception ``run_built(target, build)`` raises (``Unsupported`` passes through)."""
    try:
        run_built(target, build)
    except Unsupported:
        raise
    except Exception as exc:  # the claims say which type; the caller checks it
        return exc
    return None


def nest(flat: Sequence[Any], shape: Sequence[int]) -> Any:
    """Nested Python lists of ``shape`` holding ``flat`` in row-major order (sides >= 1)."""
    if not shape:
        return flat[0]
    step = len(flat) // shape[0]
    return [nest(flat[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


@st.composite
def nested_lists(draw: st.DrawFn, element: st.SearchStrategy[Any], max_rank: int = 3):
    """(nested list, shape): a rectangular nesting of Python values, every side >= 1.

    Empty lists are left out on purpose: ``tf.constant([])`` is float32 whatever is meant.
    """
    shape = tuple(draw(st.lists(st.integers(1, 3), max_size=max_rank)))
    flat = draw(st.lists(element, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    return nest(flat, shape), shape


def as_numpy(value: Any) -> np.ndarray:
    return np.asarray(value.numpy() if hasattr(value, "numpy") else value)


def same_array(actual: Any, expected: np.ndarray, what: str = "value") -> None:
    """Exact equality of dtype-rounded values (bit patterns for floats: NaN == NaN, -0 != 0)."""
    got = as_numpy(actual)
    assert got.shape == expected.shape, f"{what}: shape {got.shape} != {expected.shape}"
    assert got.dtype == expected.dtype, f"{what}: numpy dtype {got.dtype} != {expected.dtype}"
    if got.dtype.kind in "fcV":
        assert got.tobytes() == expected.tobytes(), f"{what}: {got!r} != {expected!r}"
    else:
        np.testing.assert_array_equal(got, expected, err_msg=what)


def np_dtype(name: str) -> np.dtype:
    return np.dtype(bool) if name == "bool" else numpy_dtype(name)
