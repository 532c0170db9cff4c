"""What a Keras model exposes about its structure: inputs, outputs, layers, summary, params.

The oracle is arithmetic on the drawn architecture: a Dense layer from ``m`` to ``n``
units has ``(m + 1) * n`` parameters, Flatten has none, output shapes follow from the
drawn input shape. Nothing here trusts Keras to describe itself.
"""

from __future__ import annotations

import copy
import itertools
import math
import os
import re

import keras
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim, recording
from pytest_tf2conf.keras_support import (
    KERAS_NUMPY2_NOISE,
    architectures,
    functional_mlp,
    predict,
    randomize_weights,
    sequential_mlp,
    tiny_dataset,
    weight_path,
)
from pytest_tf2conf.profiles import scaled_examples

pytestmark = pytest.mark.filterwarnings(KERAS_NUMPY2_NOISE)

MODEL_DOC = "https://keras.io/api/models/model/"
LAYER_DOC = "https://keras.io/api/layers/base_layer/"
SEQUENTIAL_GUIDE = "https://keras.io/guides/sequential_model/"
BATCHNORM_DOC = "https://keras.io/api/layers/normalization_layers/batch_normalization/"

INPUTS_OUTPUTS = claim(
    "model.inputs-and-outputs-have-declared-shapes",
    "A model's inputs and outputs are symbolic tensors whose shapes are the declared input "
    "shape and the last layer's output shape, each with a leading None batch dimension.",
    MODEL_DOC,
)
LAYERS = claim(
    "model.layers-lists-layers-in-order",
    "model.layers lists the model's layers in the order they were stacked, and "
    "get_layer(name) returns the same layer object.",
    MODEL_DOC,
)
SUMMARY_ROWS = claim(
    "model.summary-lists-name-output-shape-and-param-count",
    "model.summary(print_fn=...) passes the summary text to print_fn; it has one row per "
    "layer with the layer's name and class, its output shape and its parameter count.",
    MODEL_DOC,
    # Keras 2's table prints an Input's shape as a list ([(None, 3)]): not documented.
    applies="keras>=3",
)
SUMMARY_TOTALS = claim(
    "model.summary-totals-match-weights",
    "The summary's Total/Trainable/Non-trainable params lines are the sums of the sizes of the "
    "model's weights, trainable weights and non-trainable weights.",
    MODEL_DOC,
)
COUNT_PARAMS = claim(
    "model.count-params-is-sum-of-weight-sizes",
    "count_params() is the total number of scalars in the model's weights: (m + 1) * n for a "
    "Dense layer from m to n units with a bias.",
    LAYER_DOC,
)
UNBUILT = claim(
    "model.unbuilt-model-has-no-weights",
    "A Sequential model without an input shape has no weights and count_params() raises "
    "ValueError until it is built; build(input_shape) creates them.",
    SEQUENTIAL_GUIDE,
    applies="keras>=3",
    supersedes="model.unbuilt-model-weights-raise",
)
UNBUILT_KERAS2 = claim(
    "model.unbuilt-model-weights-raise",
    "Keras 2: reading the weights of a Sequential model without an input shape raises "
    "ValueError ('Weights for model ... have not yet been created') until it is built; "
    "build(input_shape) creates them.",
    "https://www.tensorflow.org/versions/r2.15/api_docs/python/tf/keras/Sequential",
    applies="keras<3",
)
TRAINABLE = claim(
    "model.trainable-flag-splits-weights",
    "Setting layer.trainable = False moves the layer's weights from trainable_weights to "
    "non_trainable_weights; BatchNormalization's moving mean and variance are never trainable.",
    BATCHNORM_DOC,
)
CONFIG = claim(
    "model.config-round-trip-rebuilds-architecture",
    "from_config(get_config()) rebuilds a Sequential or Functional model with the same layers, "
    "shapes and parameter counts (fresh weights); with the same weights it predicts the same.",
    "https://keras.io/api/models/model_saving_apis/model_config_serialization/",
)


def _dense_params(input_shape: tuple[int, ...], hidden: tuple[int, ...], classes: int) -> list:
    """(units, params) of each Dense layer of the drawn MLP, from arithmetic alone."""
    widths = [math.prod(input_shape), *hidden, classes]
    return [(n, (m + 1) * n) for m, n in itertools.pairwise(widths)]


def _build(kind: str, input_shape, hidden, classes) -> keras.Model:
    builder = sequential_mlp if kind == "sequential" else functional_mlp
    return builder(input_shape, hidden, classes)


KINDS = st.sampled_from(["sequential", "functional"])


@INPUTS_OUTPUTS
@given(architecture=architectures(), kind=KINDS)
def test_inputs_and_outputs(keras_target, architecture, kind) -> None:
    input_shape, hidden, classes = architecture
    with keras_target.scope():
        model = _build(kind, input_shape, hidden, classes)
    assert len(model.inputs) == 1 and len(model.outputs) == 1
    assert tuple(model.inputs[0].shape) == (None, *input_shape)
    assert tuple(model.outputs[0].shape) == (None, classes)
    assert tuple(model.input_shape) == (None, *input_shape)
    assert tuple(model.output_shape) == (None, classes)


@LAYERS
@given(architecture=architectures(), kind=KINDS)
def test_layers_in_order(keras_target, architecture, kind) -> None:
    input_shape, hidden, classes = architecture
    with keras_target.scope():
        model = _build(kind, input_shape, hidden, classes)
    expected = ["flatten", *(f"hidden_{i}" for i in range(len(hidden))), "output"]
    # The Functional API lists its InputLayer first; a Sequential model does not.
    if kind == "functional":
        expected = ["input", *expected]
    assert [layer.name for layer in model.layers] == expected
    for layer in model.layers:
        assert model.get_layer(layer.name) is layer
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [*hidden, classes]


_ROW = re.compile(r"^│\s*(\S+) \((\w+)\)\s*│\s*(\([^│]*\))\s*│\s*([\d,]+)\s*│", re.M)


def _summary_text(model: keras.Model) -> str:
    chunks: list[str] = []
    # summary() sizes its table to the terminal; a wide one keeps cells from wrapping.
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "160"
    try:
        model.summary(print_fn=lambda text, **_: chunks.append(text))
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    return "\n".join(chunks)


def _total(text: str, label: str) -> int:
    found = re.search(rf"^\s*{label} params: ([\d,]+)", text, re.M)
    assert found, f"no '{label} params' line in summary:\n{text}"
    return int(found.group(1).replace(",", ""))


@SUMMARY_ROWS
@given(architecture=architectures(), kind=KINDS)
def test_summary_rows(keras_target, architecture, kind) -> None:
    input_shape, hidden, classes = architecture
    with keras_target.scope():
        model = _build(kind, input_shape, hidden, classes)
    text = _summary_text(model)
    rows = {
        name: (cls, shape, int(params.replace(",", "")))
        for name, cls, shape, params in _ROW.findall(text)
    }
    flat = math.prod(input_shape)
    expected = {"flatten": ("Flatten", str((None, flat)), 0)}
    for i, (units, params) in enumerate(_dense_params(input_shape, hidden, classes)):
        name = f"hidden_{i}" if i < len(hidden) else "output"
        expected[name] = ("Dense", str((None, units)), params)
    if kind == "functional":
        expected["input"] = ("InputLayer", str((None, *input_shape)), 0)
    assert rows == expected, f"summary rows differ:\n{text}"


@SUMMARY_TOTALS
@given(architecture=architectures(), frozen=st.data())
def test_summary_totals(keras_target, architecture, frozen) -> None:
    input_shape, hidden, classes = architecture
    with keras_target.scope():
        model = functional_mlp(input_shape, hidden, classes)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    freeze = frozen.draw(st.lists(st.booleans(), min_size=len(dense), max_size=len(dense)))
    for layer, off in zip(dense, freeze, strict=True):
        layer.trainable = not off
    params = [p for _, p in _dense_params(input_shape, hidden, classes)]
    non_trainable = sum(p for p, off in zip(params, freeze, strict=True) if off)
    text = _summary_text(model)
    assert _total(text, "Total") == sum(params)
    assert _total(text, "Trainable") == sum(params) - non_trainable
    assert _total(text, "Non-trainable") == non_trainable


@COUNT_PARAMS
@given(architecture=architectures(), kind=KINDS)
def test_count_params(keras_target, architecture, kind) -> None:
    input_shape, hidden, classes = architecture
    with keras_target.scope():
        model = _build(kind, input_shape, hidden, classes)
    expected = sum(p for _, p in _dense_params(input_shape, hidden, classes))
    assert model.count_params() == expected
    assert sum(math.prod(w.shape) for w in model.weights) == expected
    assert len(model.weights) == 2 * (len(hidden) + 1)  # a kernel and a bias per Dense


@UNBUILT
@given(architecture=architectures())
def test_unbuilt_model_has_no_weights(keras_target, architecture) -> None:
    input_shape, hidden, classes = architecture
    with keras_target.scope():
        model = keras.Sequential(
            [
                keras.layers.Flatten(),
                *(keras.layers.Dense(h) for h in hidden),
                keras.layers.Dense(classes),
            ]
        )
        try:
            recording.observe("weights of an unbuilt Sequential", model.weights)
        except ValueError as exc:
            recording.observe("weights of an unbuilt Sequential", type(exc))
            raise
        assert model.weights == []
        try:
            model.count_params()
        except ValueError:
            pass
        else:
            raise AssertionError("count_params() on an unbuilt model did not raise ValueError")
        model.build((None, *input_shape))
    assert model.count_params() == sum(p for _, p in _dense_params(input_shape, hidden, classes))


@TRAINABLE
@given(channels=st.integers(1, 6), units=st.integers(1, 4), freeze_dense=st.booleans())
def test_trainable_flag_splits_weights(keras_target, channels, units, freeze_dense) -> None:
    with keras_target.scope():
        inputs = keras.Input((channels,))
        norm = keras.layers.BatchNormalization(name="norm")
        dense = keras.layers.Dense(units, name="dense")
        model = keras.Model(inputs, dense(norm(inputs)))
        dense.trainable = not freeze_dense
    # BatchNormalization: gamma and beta trainable, moving mean and variance not.
    dense_params = (channels + 1) * units
    trainable = 2 * channels + (0 if freeze_dense else dense_params)
    non_trainable = 2 * channels + (dense_params if freeze_dense else 0)
    assert sum(math.prod(w.shape) for w in model.trainable_weights) == trainable
    assert sum(math.prod(w.shape) for w in model.non_trainable_weights) == non_trainable
    moving = {weight_path(w) for w in norm.non_trainable_weights}
    assert len(moving) == 2 and all("moving" in p for p in moving), moving


def _structure(model: keras.Model) -> list[tuple[str, str, tuple, int]]:
    return [
        (layer.name, type(layer).__name__, tuple(layer.output.shape), layer.count_params())
        for layer in model.layers
    ]


@CONFIG
@given(architecture=architectures(), kind=KINDS, seed=st.integers(0, 2**16))
@scaled_examples(0.4)
def test_config_round_trip(keras_target, architecture, kind, seed) -> None:
    input_shape, hidden, classes = architecture
    with keras_target.scope():
        model = _build(kind, input_shape, hidden, classes)
        config = model.get_config()
        # from_config may consume the dict it is given; keep ours intact for the comparison.
        rebuilt = type(model).from_config(copy.deepcopy(config))
    assert _structure(rebuilt) == _structure(model)
    assert rebuilt.get_config() == config
    weights = randomize_weights(model, seed)
    rebuilt.set_weights(weights)
    x, _ = tiny_dataset(seed, n=3, features=input_shape, classes=classes)
    with keras_target.scope():
        expected = predict(model, x, keras_target)
        got = predict(rebuilt, x, keras_target)
    # Same layers, same weights, same backend: the same arithmetic, bit for bit.
    assert_close(got, expected, rtol=0.0, atol=0.0, what="rebuilt model's predictions")


@UNBUILT_KERAS2
@given(architecture=architectures())
def test_unbuilt_model_weights_raise(keras_target, architecture) -> None:
    input_shape, hidden, classes = architecture
    with keras_target.scope():
        model = keras.Sequential(
            [
                keras.layers.Flatten(),
                *(keras.layers.Dense(h) for h in hidden),
                keras.layers.Dense(classes),
            ]
        )
        try:
            model.weights  # noqa: B018 (the read is the check)
        except ValueError as exc:
            recording.observe("weights of an unbuilt Sequential", type(exc))
            assert "not yet been created" in str(exc), exc
        else:
            raise AssertionError("weights of an unbuilt Sequential did not raise ValueError")
        model.build((None, *input_shape))
    assert model.count_params() == sum(p for _, p in _dense_params(input_shape, hidden, classes))
