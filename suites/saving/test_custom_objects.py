"""Custom layers and Python code in saved models: registration, custom_objects, safe_mode.

A ``.keras`` archive stores configs, not code. A custom class must be findable when the
file is loaded (registered, or passed in ``custom_objects``); a Python lambda can only be
revived from bytecode, which ``safe_mode`` (the default) refuses.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim, recording
from pytest_tf2conf.keras_support import (
    KERAS_NUMPY2_NOISE,
    UNBUILT_OPTIMIZER_WARNING,
    predict,
    randomize_weights,
    tiny_dataset,
)
from pytest_tf2conf.profiles import scaled_examples

from ._support import assert_arrays_equal, new_dir

pytestmark = pytest.mark.filterwarnings(KERAS_NUMPY2_NOISE)

SAVING_GUIDE = "https://keras.io/guides/serialization_and_saving/"
SAVING_DOC = "https://keras.io/api/models/model_saving_apis/model_saving_and_loading/"
REGISTER_DOC = "https://keras.io/api/models/model_saving_apis/serialization_utils/"

REGISTERED = claim(
    "saving.registered-custom-layer-round-trips",
    "A custom layer decorated with keras.saving.register_keras_serializable (with a "
    "get_config) reloads from .keras as its own class, with its config and weights.",
    REGISTER_DOC,
)
UNREGISTERED = claim(
    "saving.unregistered-custom-layer-fails-to-load",
    "Loading a .keras file that uses a custom layer class which is neither registered nor "
    "passed in custom_objects raises TypeError naming that class.",
    SAVING_GUIDE,
    # Keras 2 resolves a subclass of a registered class by its parent's registration and
    # fails otherwise (observed: TypeError "'str' object is not callable"; docs/upgrades.md).
    applies="keras>=3",
)
CUSTOM_OBJECTS = claim(
    "saving.custom-objects-argument-resolves-classes",
    "load_model(..., custom_objects={'Name': cls}) loads a model that uses an unregistered "
    "custom layer, with the same weights and predictions.",
    SAVING_DOC,
    applies="keras>=3",  # checked by the same test as the claim above
)
SAFE_MODE = claim(
    "saving.safe-mode-refuses-lambda-code",
    "load_model (safe_mode=True by default) refuses to deserialize a Lambda layer built from a "
    "Python lambda and raises ValueError that mentions safe_mode.",
    SAVING_DOC,
)
UNSAFE_MODE = claim(
    "saving.unsafe-mode-loads-lambda-code",
    "load_model(..., safe_mode=False) revives a Lambda layer's Python lambda: the reloaded "
    "model computes the same function.",
    SAVING_DOC,
)


# keras.ops is Keras 3's; Keras 2 multiplies matrices with keras.backend.dot.
_matmul = keras.ops.matmul if hasattr(keras, "ops") else keras.backend.dot


@keras.saving.register_keras_serializable(package="tf2conf_saving")
class ScaledDense(keras.layers.Layer):
    """x @ kernel * scale: a weight plus a constructor argument that must survive."""

    def __init__(self, units: int, scale: float = 1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.units, self.scale = units, scale

    def build(self, input_shape) -> None:
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")

    def call(self, inputs):
        return _matmul(inputs, self.kernel) * self.scale

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "scale": self.scale}


class UnregisteredDense(ScaledDense):
    """The same layer without registration: not findable by name at load time."""


def _with(layer_cls, features: int, units: int, scale: float) -> keras.Model:
    inputs = keras.Input((features,))
    return keras.Model(inputs, layer_cls(units, scale=scale, name="custom")(inputs))


LAYER_ARGS = dict(
    features=st.integers(1, 4),
    units=st.integers(1, 4),
    scale=st.sampled_from([0.5, 2.0, -3.0]),
    seed=st.integers(0, 2**16),
)


@REGISTERED
@given(**LAYER_ARGS)
@scaled_examples(0.2)
def test_registered_layer(keras_target, tmp_path_factory, features, units, scale, seed) -> None:
    path = new_dir(tmp_path_factory) / "custom.keras"
    x, _ = tiny_dataset(seed, n=3, features=features)
    with keras_target.scope():
        model = _with(ScaledDense, features, units, scale)
        weights = randomize_weights(model, seed)
        model.save(path)
        loaded = keras.saving.load_model(path)
        got = predict(loaded, x, keras_target)
    layer = loaded.get_layer("custom")
    assert type(layer) is ScaledDense
    assert (layer.units, layer.scale) == (units, scale)
    assert_arrays_equal(loaded.get_weights(), weights, "custom layer weights")
    assert_close(got, x.astype(np.float64) @ weights[0].astype(np.float64) * scale)


@pytest.mark.filterwarnings(UNBUILT_OPTIMIZER_WARNING)
@UNREGISTERED
@CUSTOM_OBJECTS
@given(**LAYER_ARGS)
@scaled_examples(0.2)
def test_unregistered_layer(keras_target, tmp_path_factory, features, units, scale, seed) -> None:
    path = new_dir(tmp_path_factory) / "custom.keras"
    x, _ = tiny_dataset(seed, n=3, features=features)
    with keras_target.scope():
        model = _with(UnregisteredDense, features, units, scale)
        weights = randomize_weights(model, seed)
        expected = predict(model, x, keras_target)
        model.save(path)
        try:
            keras.saving.load_model(path)
        except Exception as exc:  # the class is observed, the claim wants TypeError
            recording.observe("load_model without custom_objects raises", type(exc))
            assert isinstance(exc, TypeError), exc
            assert "UnregisteredDense" in str(exc), exc
        else:
            raise AssertionError("an unregistered custom layer loaded without custom_objects")
        loaded = keras.saving.load_model(
            path, custom_objects={"UnregisteredDense": UnregisteredDense}
        )
        got = predict(loaded, x, keras_target)
    assert type(loaded.get_layer("custom")) is UnregisteredDense
    assert_arrays_equal(loaded.get_weights(), weights, "weights loaded with custom_objects")
    assert_close(got, expected, rtol=0.0, atol=0.0, what="predictions with custom_objects")


def _lambda_model(features: int, factor: float) -> keras.Model:
    inputs = keras.Input((features,))
    # A genuine Python lambda: only its bytecode can be saved.
    outputs = keras.layers.Lambda(lambda t: t * factor + 1.0, name="code")(inputs)
    return keras.Model(inputs, outputs)


@SAFE_MODE
@UNSAFE_MODE
@given(
    features=st.integers(1, 4), factor=st.sampled_from([2.0, -0.5, 3.0]), seed=st.integers(0, 2**16)
)
@scaled_examples(0.2)
def test_lambda_and_safe_mode(keras_target, tmp_path_factory, features, factor, seed) -> None:
    path = new_dir(tmp_path_factory) / "lambda.keras"
    x, _ = tiny_dataset(seed, n=3, features=features)
    with keras_target.scope():
        _lambda_model(features, factor).save(path)
        try:
            keras.saving.load_model(path)
        except ValueError as exc:
            assert "safe_mode" in str(exc), exc
        else:
            raise AssertionError("load_model revived a Python lambda in safe mode")
        loaded = keras.saving.load_model(path, safe_mode=False)
        got = predict(loaded, x, keras_target)
    assert_close(got, x.astype(np.float64) * factor + 1.0, what="revived lambda")
