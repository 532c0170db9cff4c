"""Every record of the layers table (``_records.py``) against its NumPy reference, on every
Keras target: forward values, output shape and dtype, ``compute_output_shape``, and the
mixed precision dtype policies. One generic property per claim kind; the records carry
what differs between layers.

Oracle: ``pytest_tf2conf.layer_references``, the documented computation in NumPy float64
from the same inputs and the layer's own weights (seeded random values, so defaults such as
zero biases or unit gammas prove nothing).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close
from pytest_tf2conf.keras_support import KERAS_NUMPY2_NOISE, predict
from pytest_tf2conf.profiles import scaled_examples

from ._support import (
    POLICIES,
    call,
    dtype_of,
    functional,
    inputs,
    make_layer,
    model_input,
    numpy,
    params,
    point_params,
    reference,
    set_random_weights,
    shape_of,
)

pytestmark = pytest.mark.filterwarnings(KERAS_NUMPY2_NOISE)

SEEDS = st.integers(0, 2**16)


@pytest.mark.parametrize("record", params("forward"))
@given(data=st.data())
@scaled_examples(0.16)  # a model is built and compiled per example
def test_forward_matches_reference(keras_target, record, data) -> None:
    case, seed = data.draw(record.cases(), label="case"), data.draw(SEEDS, label="seed")
    _check_forward(keras_target, record, case, seed)


@pytest.mark.parametrize(("record", "case"), point_params())
def test_forward_at_points(keras_target, record, case) -> None:
    """The record's fixed configurations (edge cases), in every profile."""
    _check_forward(keras_target, record, case, seed=0)


def _check_forward(keras_target, record, case, seed: int) -> None:
    xs = inputs(record, case, seed)
    with keras_target.scope():
        layer = make_layer(record, case)
        model = functional(record, layer, case)
        weights = set_random_weights(model, seed)
        got = predict(model, model_input(xs), keras_target)
    expected = reference(record, case, xs, weights)
    assert_close(got, expected, dtype="float32", what=f"{record.layer}{case.kwargs} forward")


@pytest.mark.parametrize("record", params("shape-dtype"))
@given(data=st.data())
@scaled_examples(0.12)  # cheap checks, but on JAX each new shape compiles its ops
def test_output_shape_and_dtype(keras_target, record, data) -> None:
    case = data.draw(record.cases(), label="case")
    xs = inputs(record, case, 0)
    with keras_target.scope():
        layer = make_layer(record, case)
        out = call(record, layer, xs)
    # The shape the reference computes (any weights of the layer's shapes will do).
    zeros = [np.zeros(tuple(w.shape)) for w in layer.weights]
    expected = reference(record, case, xs, zeros).shape
    what = f"{record.layer}{case.kwargs}"
    assert shape_of(out) == expected, f"{what}: shape {shape_of(out)}, documented {expected}"
    assert dtype_of(out) == "float32", f"{what}: dtype {dtype_of(out)}, not float32"


@pytest.mark.parametrize("record", params("compute-output-shape"))
@given(data=st.data())
@scaled_examples(0.12)  # cheap checks, but on JAX each new shape compiles its ops
def test_compute_output_shape(keras_target, record, data) -> None:
    case = data.draw(record.cases(), label="case")
    xs = inputs(record, case, 0)
    with keras_target.scope():
        layer = make_layer(record, case)
        out = shape_of(call(record, layer, xs))
        concrete = _compute_output_shape(record, layer, case.shapes)
        unknown = _compute_output_shape(record, layer, [(None, *s[1:]) for s in case.shapes])
    what = f"{record.layer}{case.kwargs}.compute_output_shape"
    assert concrete == out, f"{what}({list(case.shapes)}) = {concrete}, the output is {out}"
    assert unknown == (None, *out[1:]), f"{what} with batch None = {unknown}, output {out}"


@pytest.mark.parametrize(("record", "policy"), params("mixed-precision", policies=True))
@given(data=st.data())
@scaled_examples(0.08, minimum=2)
def test_mixed_precision(keras_target, record, policy, data) -> None:
    case, seed = data.draw(record.cases(), label="case"), data.draw(SEEDS, label="seed")
    compute = POLICIES[policy]
    xs = inputs(record, case, seed)
    with keras_target.scope():
        layer = make_layer(record, case, policy)
        model = functional(record, layer, case)
        weights = set_random_weights(model, seed)
        got = predict(model, model_input(xs), keras_target)
        direct = call(record, layer, xs)
    name = f"{record.layer}(dtype={policy!r})"
    assert layer.variable_dtype == "float32", f"{name}.variable_dtype {layer.variable_dtype}"
    assert layer.compute_dtype == compute, f"{name}.compute_dtype {layer.compute_dtype}"
    variables = {w.path: dtype_of(w) for w in layer.weights if dtype_of(w) != "float32"}
    assert not variables, f"{name}: variables not float32: {variables}"
    assert dtype_of(direct) == compute, f"{name} returned {dtype_of(direct)}, not {compute}"
    got_dtype = np.asarray(got).dtype.name
    assert got_dtype == compute, f"{name}: predict returned {got_dtype}, not {compute}"
    expected = reference(record, case, xs, weights, rounding=compute if record.autocast else None)
    assert_close(numpy(got), expected, dtype=compute, what=f"{name}{case.kwargs} forward")


def _compute_output_shape(record, layer, shapes) -> tuple[int | None, ...]:
    if record.call == "list":
        result = layer.compute_output_shape(list(shapes))
    elif record.call == "pair":
        result = layer.compute_output_shape(shapes[0], shapes[1])
    else:
        result = layer.compute_output_shape(shapes[0])
    return tuple(None if d is None else int(d) for d in result)
