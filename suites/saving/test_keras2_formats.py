"""Keras 2's documented saving formats (``tf.keras`` of TF <= 2.15, ``tf_keras``).

Keras 2 infers nothing from a missing suffix: ``model.save`` writes a SavedModel directory
(``save_format`` defaults to "tf"), ``save_weights`` a TensorFlow checkpoint unless the
path ends in .h5, and ``load_model`` reads SavedModel directories back. Keras 3 replaced
each of these (test_formats.py, test_weights_file.py, test_tensorflow_formats.py): every
claim here is superseded by its Keras 3 claim, and ``tf2conf diff`` lists the pair when an
upgrade crosses Keras 3.0. What each save wrote is recorded as an observation.
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
    functional_mlp,
    predict,
    randomize_weights,
    tiny_dataset,
)

from ._support import assert_arrays_equal, new_dir, saved_files

pytestmark = pytest.mark.filterwarnings(KERAS_NUMPY2_NOISE)

KERAS2 = "keras<3"
SAVE_DOC = "https://www.tensorflow.org/versions/r2.15/api_docs/python/tf/keras/Model#save"
WEIGHTS_DOC = (
    "https://www.tensorflow.org/versions/r2.15/api_docs/python/tf/keras/Model#save_weights"
)
LOAD_DOC = "https://www.tensorflow.org/versions/r2.15/api_docs/python/tf/keras/saving/load_model"

SAVEDMODEL_DEFAULT = claim(
    "saving.save-without-extension-writes-savedmodel",
    "Keras 2: model.save(path) with a path ending neither in .keras nor in .h5 writes a "
    "TensorFlow SavedModel directory (saved_model.pb, variables/).",
    SAVE_DOC,
    applies=KERAS2,
)
LOAD_SAVEDMODEL = claim(
    "saving.load-model-reads-savedmodel",
    "Keras 2: load_model reads a SavedModel directory written by model.save back into a "
    "model with the same weights and predictions.",
    LOAD_DOC,
    applies=KERAS2,
)
SAVE_FORMAT = claim(
    "saving.save-format-argument-selects-format",
    "Keras 2: model.save(path, save_format='tf') writes a SavedModel directory and "
    "save_format='h5' one HDF5 file, whatever the path's suffix.",
    SAVE_DOC,
    applies=KERAS2,
)
WEIGHTS_FORMAT = claim(
    "saving.save-weights-suffix-selects-h5-or-tf-checkpoint",
    "Keras 2: save_weights(path) writes one HDF5 file when the path ends in .h5 and a "
    "TensorFlow checkpoint (path.index, path.data-*, checkpoint) otherwise; load_weights "
    "reads either back.",
    WEIGHTS_DOC,
    applies=KERAS2,
)
LOAD_ERRORS = claim(
    "saving.load-model-invalid-path-raises-oserror",
    "Keras 2: load_model raises OSError (IOError) for an invalid save file: a missing path, "
    "a file that is no saved model, a directory without a SavedModel.",
    LOAD_DOC,
    applies=KERAS2,
)

NO_SUFFIX = st.sampled_from(["model", "model.tf", "model.pb", "model.keras.bak"])


def _model_and_data(seed: int) -> tuple[keras.Model, np.ndarray, list[np.ndarray]]:
    x, _ = tiny_dataset(seed, n=4, features=3, classes=2)
    model = functional_mlp((3,), (4,), 2)
    return model, x, randomize_weights(model, seed)


@SAVEDMODEL_DEFAULT
@LOAD_SAVEDMODEL
@given(name=NO_SUFFIX, seed=st.integers(0, 2**16))
def test_save_without_extension_round_trip(keras_target, tmp_path_factory, name, seed) -> None:
    folder = new_dir(tmp_path_factory)
    with keras_target.scope():
        model, x, weights = _model_and_data(seed)
        expected = predict(model, x, keras_target)
        model.save(folder / name)
        written = saved_files(folder / name) if (folder / name).is_dir() else []
        recording.observe(f"save({name!r}) wrote", written)
        loaded = keras.models.load_model(folder / name)
        got = predict(loaded, x, keras_target)
    assert "saved_model.pb" in written, written
    assert any(p.startswith("variables/") for p in written), written
    assert_arrays_equal(loaded.get_weights(), weights, "weights reloaded from a SavedModel")
    assert_close(got, expected, what="predictions reloaded from a SavedModel")


@SAVE_FORMAT
@given(save_format=st.sampled_from(["tf", "h5"]), name=NO_SUFFIX)
def test_save_format_selects_format(keras_target, tmp_path_factory, save_format, name) -> None:
    folder = new_dir(tmp_path_factory)
    with keras_target.scope():
        model, _, _ = _model_and_data(0)
        model.save(folder / name, save_format=save_format)
    written = saved_files(folder)
    recording.observe(f"save({name!r}, save_format={save_format!r}) wrote", written)
    if save_format == "h5":
        assert written == [name], written
    else:
        assert f"{name}/saved_model.pb" in written, written


@WEIGHTS_FORMAT
@given(name=st.sampled_from(["w.h5", "weights", "w.ckpt", "w.weights"]), seed=st.integers(0, 99))
def test_save_weights_format(keras_target, tmp_path_factory, name, seed) -> None:
    folder = new_dir(tmp_path_factory)
    with keras_target.scope():
        model, _, weights = _model_and_data(seed)
        model.save_weights(folder / name)
        written = saved_files(folder)
        recording.observe(f"save_weights({name!r}) wrote", written)
        fresh, _, _ = _model_and_data(seed + 1)
        fresh.load_weights(folder / name)
    if name.endswith(".h5"):
        assert written == [name], written
    else:
        assert {"checkpoint", f"{name}.index"} <= set(written), written
        assert any(p.startswith(f"{name}.data-") for p in written), written
    assert_arrays_equal(fresh.get_weights(), weights, "weights loaded back")


@LOAD_ERRORS
@pytest.mark.parametrize("name", ["missing.keras", "model.txt", "folder"])
def test_load_model_invalid_path(keras_target, tmp_path, name) -> None:
    path = tmp_path / name
    if name == "model.txt":
        path.write_text("not a model")
    elif name == "folder":
        path.mkdir()
    with keras_target.scope(), pytest.raises(OSError) as info:
        keras.models.load_model(path)
    recording.observe(f"load_model({name!r}) raises", type(info.value))
