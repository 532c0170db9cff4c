"""``save_weights`` / ``load_weights`` with ``.weights.h5`` files: weights only.

Oracle: the weights that were saved, compared bit for bit, and the predictions of the
model they came from.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim, keras_support, recording
from pytest_tf2conf.keras_support import (
    KERAS_NUMPY2_NOISE,
    MODEL_KINDS,
    architectures,
    build_mlp,
    functional_mlp,
    predict,
    randomize_weights,
    tiny_dataset,
)
from pytest_tf2conf.profiles import scaled_examples

from ._support import assert_arrays_equal, new_dir, saved_files

pytestmark = pytest.mark.filterwarnings(KERAS_NUMPY2_NOISE)

WEIGHTS_DOC = "https://keras.io/api/models/model_saving_apis/weights_saving_and_loading/"

ROUND_TRIP = claim(
    "saving.weights-file-round-trip",
    "save_weights('x.weights.h5') then load_weights into a new model of the same architecture "
    "restores every weight exactly, so both models predict the same.",
    WEIGHTS_DOC,
)
NON_TRAINABLE = claim(
    "saving.weights-file-includes-non-trainable-state",
    "A .weights.h5 file holds non-trainable weights too: BatchNormalization's moving mean and "
    "variance are restored by load_weights.",
    WEIGHTS_DOC,
)
SUFFIX = claim(
    "saving.save-weights-requires-weights-h5-suffix",
    "save_weights raises ValueError when the file name does not end in .weights.h5 and writes "
    "no file.",
    WEIGHTS_DOC,
    applies="keras>=3",
    supersedes="saving.save-weights-suffix-selects-h5-or-tf-checkpoint",
)
MISMATCH = claim(
    "saving.load-weights-rejects-mismatched-shapes",
    "load_weights into a model whose weight shapes differ raises ValueError; with "
    "skip_mismatch=True the mismatched layers are skipped and the matching ones are loaded.",
    WEIGHTS_DOC,
)


@ROUND_TRIP
@given(architecture=architectures(), kind=st.sampled_from(MODEL_KINDS), seed=st.integers(0, 2**16))
@scaled_examples(0.2)
def test_weights_round_trip(keras_target, tmp_path_factory, architecture, kind, seed) -> None:
    input_shape, hidden, classes = architecture
    path = new_dir(tmp_path_factory) / "model.weights.h5"
    x, _ = tiny_dataset(seed, n=4, features=input_shape, classes=classes)
    with keras_target.scope():
        model = build_mlp(kind, input_shape, hidden, classes)
        weights = randomize_weights(model, seed)
        model.save_weights(path)
        fresh = build_mlp(kind, input_shape, hidden, classes)
        fresh.load_weights(path)
        expected = predict(model, x, keras_target)
        got = predict(fresh, x, keras_target)
    assert_arrays_equal(fresh.get_weights(), weights, f"{kind} weights after load_weights")
    assert_close(got, expected, rtol=0.0, atol=0.0, what="predictions after load_weights")


def _normalized(features: int, units: int) -> keras.Model:
    inputs = keras.Input((features,))
    x = keras.layers.BatchNormalization(name="norm")(inputs)
    return keras.Model(inputs, keras.layers.Dense(units, name="dense")(x))


@NON_TRAINABLE
@given(features=st.integers(1, 5), units=st.integers(1, 4), seed=st.integers(0, 2**16))
@scaled_examples(0.4)
def test_weights_file_has_moving_statistics(
    keras_target, tmp_path_factory, features, units, seed
) -> None:
    path = new_dir(tmp_path_factory) / "norm.weights.h5"
    with keras_target.scope():
        model = _normalized(features, units)
        randomize_weights(model, seed)
        model.save_weights(path)
        fresh = _normalized(features, units)
        fresh.load_weights(path)
    moving = model.get_layer("norm").non_trainable_weights
    assert len(moving) == 2
    assert_arrays_equal(
        [keras_support.to_numpy(w) for w in fresh.get_layer("norm").non_trainable_weights],
        [keras_support.to_numpy(w) for w in moving],
        "moving statistics",
    )


@SUFFIX
@given(name=st.sampled_from(["w.h5", "w.keras", "weights", "w.weights.hdf5", "w.ckpt"]))
def test_save_weights_suffix(keras_target, tmp_path_factory, name) -> None:
    folder = new_dir(tmp_path_factory)
    with keras_target.scope():
        model = functional_mlp((3,), (2,), 2)
        try:
            model.save_weights(folder / name)
        except ValueError as exc:
            assert ".weights.h5" in str(exc), exc
        else:
            raise AssertionError(f"save_weights accepted {name!r}")
        finally:
            recording.observe(f"save_weights({name!r}) wrote", saved_files(folder))
    assert list(folder.iterdir()) == []


@MISMATCH
# What skip_mismatch=True is documented to do: warn about each layer it leaves alone.
@pytest.mark.filterwarnings("ignore:A total of .* objects could not be loaded:UserWarning")
@pytest.mark.filterwarnings("ignore:Skipping nested container:UserWarning")
@given(
    features=st.integers(1, 4),
    hidden=st.integers(1, 4),
    extra=st.integers(1, 3),
    classes=st.integers(2, 4),
    seed=st.integers(0, 2**16),
)
@scaled_examples(0.4)
def test_load_weights_mismatch(
    keras_target, tmp_path_factory, features, hidden, extra, classes, seed
) -> None:
    path = new_dir(tmp_path_factory) / "model.weights.h5"
    with keras_target.scope():
        model = functional_mlp((features,), (hidden,), classes)
        weights = randomize_weights(model, seed)
        model.save_weights(path)
        # Same layers and names; only the output layer is wider.
        wider = functional_mlp((features,), (hidden,), classes + extra)
        try:
            wider.load_weights(path)
        except ValueError:
            pass
        else:
            raise AssertionError("load_weights accepted weights of the wrong shape")
        wider = functional_mlp((features,), (hidden,), classes + extra)
        before = wider.get_weights()
        wider.load_weights(path, skip_mismatch=True)
    after = wider.get_weights()
    assert_arrays_equal(after[:2], weights[:2], "matching hidden layer")
    assert_arrays_equal(after[2:], before[2:], "skipped output layer")
    assert [np.shape(a) for a in after] == [np.shape(b) for b in before]
