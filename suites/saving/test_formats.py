"""Which paths and arguments Keras 3 accepts for saving, and its documented errors.

Keras 3 saves ``.keras`` (native) and ``.h5`` (legacy HDF5, with a deprecation warning);
anything else, and the Keras 2 ``save_format`` argument with another path, is an error.
"""

from __future__ import annotations

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
    tiny_dataset,
)
from pytest_tf2conf.profiles import scaled_examples

from ._support import assert_arrays_equal, new_dir, saved_files

pytestmark = pytest.mark.filterwarnings(KERAS_NUMPY2_NOISE)

SAVING_DOC = "https://keras.io/api/models/model_saving_apis/model_saving_and_loading/"
MIGRATION_GUIDE = "https://keras.io/guides/migrating_to_keras_3/"

EXTENSION = claim(
    "saving.save-requires-keras-or-h5-extension",
    "model.save raises ValueError for a path that ends neither in .keras nor in .h5/.hdf5, "
    "and writes no file.",
    SAVING_DOC,
    applies="keras>=3",
    supersedes="saving.save-without-extension-writes-savedmodel",
)
SAVE_FORMAT = claim(
    "saving.save-format-argument-is-not-supported",
    "Keras 3 infers the format from the path: model.save(path, save_format=...) raises "
    "ValueError unless the path ends in .keras or .h5 (then the argument is ignored).",
    MIGRATION_GUIDE,
    applies="keras>=3",
    supersedes="saving.save-format-argument-selects-format",
)
LEGACY_H5 = claim(
    "saving.legacy-h5-round-trip",
    "model.save('x.h5') still writes the legacy HDF5 format, and load_model reads it back "
    "with the same weights and predictions.",
    SAVING_DOC,
)
LOAD_UNSUPPORTED = claim(
    "saving.load-model-rejects-unsupported-paths",
    "keras.saving.load_model raises ValueError for a path that is not a .keras archive, a "
    ".h5 file or a Keras directory (for example a missing .keras file or a .txt file).",
    SAVING_DOC,
    applies="keras>=3",
    supersedes="saving.load-model-invalid-path-raises-oserror",
)

BAD_SUFFIXES = st.sampled_from(["model", "model.txt", "model.tf", "model.keras.bak", "model.pb"])


def _raises_value_error(call, *args, **kwargs) -> str:
    try:
        call(*args, **kwargs)
    except ValueError as exc:
        return str(exc)
    raise AssertionError(f"{getattr(call, '__name__', call)}{args} did not raise ValueError")


@EXTENSION
@given(name=BAD_SUFFIXES)
def test_save_requires_known_extension(keras_target, tmp_path_factory, name) -> None:
    folder = new_dir(tmp_path_factory)
    with keras_target.scope():
        model = functional_mlp((3,), (2,), 2)
        message = _raises_value_error(model.save, folder / name)
    recording.observe(f"save({name!r}) wrote", saved_files(folder))
    assert ".keras" in message, message
    assert list(folder.iterdir()) == []


@SAVE_FORMAT
@given(save_format=st.sampled_from(["tf", "h5", "keras"]), name=BAD_SUFFIXES)
def test_save_format_argument(keras_target, tmp_path_factory, save_format, name) -> None:
    folder = new_dir(tmp_path_factory)
    with keras_target.scope():
        model = functional_mlp((3,), (2,), 2)
        message = _raises_value_error(model.save, folder / name, save_format=save_format)
        assert "save_format" in message, message
        # With a .keras path the argument is only deprecated: the native archive is written.
        model.save(folder / "ok.keras", save_format=save_format)
    assert (folder / "ok.keras").is_file()


@LEGACY_H5
@given(architecture=architectures(), seed=st.integers(0, 2**16))
@scaled_examples(0.2)
def test_legacy_h5_round_trip(keras_target, tmp_path_factory, architecture, seed) -> None:
    input_shape, hidden, classes = architecture
    path = new_dir(tmp_path_factory) / "model.h5"
    x, _ = tiny_dataset(seed, n=4, features=input_shape, classes=classes)
    with keras_target.scope():
        model = functional_mlp(input_shape, hidden, classes)
        weights = randomize_weights(model, seed)
        expected = predict(model, x, keras_target)
        model.save(path)
        loaded = keras.saving.load_model(path)
        got = predict(loaded, x, keras_target)
    assert_arrays_equal(loaded.get_weights(), weights, "weights reloaded from .h5")
    assert_close(got, expected, rtol=0.0, atol=0.0, what="predictions reloaded from .h5")


@LOAD_UNSUPPORTED
@pytest.mark.parametrize("name", ["missing.keras", "model.txt", "folder"])
def test_load_model_rejects_unsupported_paths(keras_target, tmp_path, name) -> None:
    path = tmp_path / name
    if name == "model.txt":
        path.write_text("not a model")
    elif name == "folder":
        path.mkdir()
    with keras_target.scope():
        try:
            keras.saving.load_model(path)
        except Exception as exc:  # observed whatever it is; the claim wants ValueError
            recording.observe(f"load_model({name!r}) raises", type(exc))
            message = str(exc)
            assert isinstance(exc, ValueError), f"{type(exc).__name__}: {exc}"
        else:
            raise AssertionError(f"load_model({name!r}) did not raise")
    assert str(path) in message, message
