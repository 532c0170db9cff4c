"""TensorFlow-format round trips: SavedModel export and ``tf.train.Checkpoint``.

These need TensorFlow: ``model.export`` writes a SavedModel on the TensorFlow and JAX
backends (JAX through jax2tf) when TensorFlow is installed; ``tf.train.Checkpoint`` is
TensorFlow-backend only. Elsewhere the claims report "not applicable" (skipped).
TensorFlow is imported inside the tests, never at module level.
"""

from __future__ import annotations

import importlib.util
import inspect

import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim, keras_support
from pytest_tf2conf.keras_support import (
    KERAS_NUMPY2_NOISE,
    architectures,
    functional_mlp,
    predict,
    randomize_weights,
    tiny_dataset,
)
from pytest_tf2conf.profiles import scaled_examples

from ._support import (
    OPTIMIZERS,
    assert_arrays_equal,
    compile_for_training,
    fit,
    new_dir,
    random_model,
    variable_values,
)

pytestmark = pytest.mark.filterwarnings(KERAS_NUMPY2_NOISE)

EXPORT_DOC = "https://keras.io/api/models/model_saving_apis/export/"
CHECKPOINT_GUIDE = "https://www.tensorflow.org/guide/checkpoint"

EXPORT = claim(
    "saving.export-savedmodel-serves-same-predictions",
    "model.export(path) writes a SavedModel whose 'serve' endpoint, reloaded with "
    "tf.saved_model.load, predicts what the model predicts (TensorFlow/JAX backends with "
    "TensorFlow installed).",
    EXPORT_DOC,
)
TFSM_LAYER = claim(
    "saving.tfsmlayer-wraps-exported-savedmodel",
    "keras.layers.TFSMLayer(path, call_endpoint='serve') reloads an exported SavedModel as an "
    "inference-only layer with the same predictions (TensorFlow backend only).",
    EXPORT_DOC,
    applies="keras>=3",
)
LOAD_MODEL_SAVEDMODEL = claim(
    "saving.load-model-rejects-savedmodel",
    "keras.saving.load_model does not read SavedModel directories: it raises ValueError "
    "pointing to TFSMLayer (TensorFlow backend only, where export writes one).",
    "https://keras.io/guides/migrating_to_keras_3/",
    applies="keras>=3",
    supersedes="saving.load-model-reads-savedmodel",
)
CHECKPOINT = claim(
    "saving.tf-checkpoint-restores-weights-and-optimizer",
    "tf.train.Checkpoint(model=..., optimizer=...) save/restore brings back the model's "
    "weights and the optimizer's variables after they were overwritten (TensorFlow backend "
    "only).",
    CHECKPOINT_GUIDE,
)


def _require_tensorflow(keras_target, backends: tuple[str, ...]):
    """Import TensorFlow for a TensorFlow-format claim, or skip as not applicable."""
    if keras_target.backend not in backends:
        pytest.skip(
            f"not applicable: claim for the {'/'.join(backends)} backend(s), "
            f"on backend {keras_target.backend}"
        )
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip(f"not applicable: needs TensorFlow installed (backend {keras_target.backend})")
    import tensorflow as tf

    return tf


@EXPORT
@given(
    architecture=architectures(),
    kind=st.sampled_from(["sequential", "functional"]),
    seed=st.integers(0, 2**16),
)
@scaled_examples(0.2)
def test_export_savedmodel(keras_target, tmp_path_factory, architecture, kind, seed) -> None:
    tf = _require_tensorflow(keras_target, ("tensorflow", "jax"))
    model, x, expected = random_model(keras_target, kind, architecture, seed, n=4)
    path = new_dir(tmp_path_factory) / "exported"
    with keras_target.scope():
        _export(model, path)
    # Keep the reloaded object alive: its variables die with it.
    reloaded = tf.saved_model.load(str(path))
    served = reloaded.serve(tf.constant(x))
    # Another runtime executes the graph (jax2tf on JAX): equal within float32 rounding.
    assert_close(served.numpy(), expected, what="SavedModel 'serve' output")


@TFSM_LAYER
@LOAD_MODEL_SAVEDMODEL
@given(architecture=architectures(), seed=st.integers(0, 2**16))
@scaled_examples(0.2)
def test_tfsmlayer(keras_target, tmp_path_factory, architecture, seed) -> None:
    _require_tensorflow(keras_target, ("tensorflow",))
    input_shape, hidden, classes = architecture
    path = new_dir(tmp_path_factory) / "exported"
    x, _ = tiny_dataset(seed, n=4, features=input_shape, classes=classes)
    with keras_target.scope():
        model = functional_mlp(input_shape, hidden, classes)
        randomize_weights(model, seed)
        expected = predict(model, x, keras_target)
        _export(model, path)
        try:
            keras.saving.load_model(path)
        except ValueError as exc:
            assert "TFSMLayer" in str(exc), exc
        else:
            raise AssertionError("load_model read a SavedModel directory")
        layer = keras.layers.TFSMLayer(str(path), call_endpoint="serve")
        got = keras_support.to_numpy(layer(x))
    assert_close(got, expected, what="TFSMLayer output")


def _export(model: keras.Model, path) -> None:
    # Keras 3 prints the exported signatures unless verbose=False; Keras 2 has no verbose.
    if "verbose" in inspect.signature(model.export).parameters:
        model.export(path, verbose=False)
    else:
        model.export(path)


@CHECKPOINT
@given(optimizer=st.sampled_from(sorted(OPTIMIZERS)), seed=st.integers(0, 2**16))
@scaled_examples(0.2)
def test_tf_checkpoint(keras_target, tmp_path_factory, optimizer, seed) -> None:
    tf = _require_tensorflow(keras_target, ("tensorflow",))
    x, y = tiny_dataset(seed, n=8, features=3, classes=3)
    with keras_target.scope():
        model = functional_mlp((3,), (4,), 3)
        randomize_weights(model, seed)
        compile_for_training(model, optimizer, keras_target)
        fit(model, x, y, 1)  # gives the optimizer non-trivial state
        checkpoint = tf.train.Checkpoint(model=model, optimizer=model.optimizer)
        saved_path = checkpoint.save(str(new_dir(tmp_path_factory) / "ckpt"))
        weights = model.get_weights()
        slots = variable_values(model.optimizer.variables)
        randomize_weights(model, seed + 1)
        for variable in model.optimizer.variables:
            variable.assign(np.zeros(variable.shape, keras_support.weight_dtype(variable)))
        checkpoint.restore(saved_path).assert_consumed()
    assert_arrays_equal(model.get_weights(), weights, "restored weights")
    assert_arrays_equal(variable_values(model.optimizer.variables), slots, "optimizer state")
