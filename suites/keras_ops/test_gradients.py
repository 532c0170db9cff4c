"""Gradients of differentiable keras.ops records by the backend's own reverse mode
(``tf.GradientTape``, ``jax.vjp``, ``torch.autograd``) against float64 central finite
differences of the record's oracle: for a fixed cotangent ``w``, the gradient of
``sum(w * f(x))`` with respect to each differentiable argument."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close
from pytest_tf2conf.finite_differences import numeric_jacobian
from pytest_tf2conf.keras_ops import backends
from pytest_tf2conf.ops.record import Sample
from pytest_tf2conf.strategies import numpy_dtype

from ._support import GRADIENT_EXAMPLES, bucketed, gradient_params, require_declared, rng_for


def _pattern(shape: tuple[int, ...], dtype: str, phase: float) -> np.ndarray:
    """A fixed, non-constant cotangent of order one."""
    n = int(np.prod(shape, dtype=np.int64))
    values = np.cos(np.arange(n) * 1.3 + phase) + 0.25
    return values.reshape(shape).astype(numpy_dtype(dtype))


def _smooth(record, sample: Sample) -> Sample:
    maps = record.smooth_maps()
    args = tuple(
        maps[i](a) if i < len(maps) and maps[i] is not None else a
        for i, a in enumerate(sample.args)
    )
    return Sample(args, sample.kwargs)


@pytest.mark.parametrize(("record", "dtype"), gradient_params())
def test_gradients_match_finite_differences(keras_target, record, dtype) -> None:
    """One deterministic reference sample (length 3), then small drawn samples."""
    require_declared(record, dtype, keras_target)
    reference = record.the_sampler.reference(dtype, 3, rng_for(record.name, dtype, "grad"))
    _check(keras_target, record, dtype, _smooth(record, reference))
    strategy = record.the_sampler.strategy(dtype, small=True, bucketed=bucketed(keras_target))

    @GRADIENT_EXAMPLES
    @given(data=st.data())
    def drawn(data) -> None:
        _check(keras_target, record, dtype, _smooth(record, data.draw(strategy, label="x")))

    drawn()


def _check(keras_target, record, dtype: str, sample: Sample) -> None:
    expected_y = record.expected(dtype, sample)
    w = _pattern(expected_y.shape, dtype, 0.0)
    kwargs = dict(sample.kwargs)

    def fn(*tensors):
        return record.call(record.fn, *tensors, **kwargs)

    with keras_target.scope():
        grads = backends.vjp(fn, sample.args, record.grad.args, w)
    wide = record.oracle_inputs(sample.args, dtype)
    w64 = w.astype(np.float64)
    for i, grad in zip(record.grad.args, grads, strict=True):

        def loss(x: np.ndarray, i: int = i) -> float:
            values = list(wide)
            values[i] = x
            call = dict(kwargs, **({"dtype": dtype} if record.oracle_wants_dtype else {}))
            with np.errstate(all="ignore"):
                return float(np.sum(w64 * np.asarray(record.the_oracle(*values, **call))))

        assert_close(grad, numeric_jacobian(loss, wide[i]), dtype=dtype, signed_zeros=False,
                     what=f"d/d(arg {i})")  # fmt: skip
