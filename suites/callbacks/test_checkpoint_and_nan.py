"""ModelCheckpoint (best-only saving, {epoch} paths, suffix checks) and TerminateOnNaN."""

from __future__ import annotations

import math
import os
import tempfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import claim
from pytest_tf2conf.keras_support import KERAS_NUMPY2_NOISE
from pytest_tf2conf.profiles import scaled_examples

from . import _support as sup

pytestmark = pytest.mark.filterwarnings(KERAS_NUMPY2_NOISE)

CKPT_DOC = "https://keras.io/api/callbacks/model_checkpoint/"
NAN_DOC = "https://keras.io/api/callbacks/terminate_on_nan/"

BEST_ONLY = claim(
    "callbacks.checkpoint-save-best-only",
    "ModelCheckpoint with save_best_only saves only at epochs whose monitored value is the "
    "best so far (mode min, max or auto).",
    CKPT_DOC,
)
EPOCH_PATH = claim(
    "callbacks.checkpoint-epoch-in-filepath",
    "ModelCheckpoint fills {epoch} in the filepath with the epoch number (1-based, as "
    "progress messages count) and {name} with logged values.",
    CKPT_DOC,
)
WEIGHTS_ONLY = claim(
    "callbacks.checkpoint-weights-only",
    "ModelCheckpoint with save_weights_only writes a .weights.h5 file holding the weights "
    "of the epoch it was saved at.",
    CKPT_DOC,
)
FULL_MODEL = claim(
    "callbacks.checkpoint-whole-model",
    "ModelCheckpoint without save_weights_only saves a .keras model that load_model "
    "restores with the saved epoch's weights.",
    CKPT_DOC,
)
SUFFIX = claim(
    "callbacks.checkpoint-filepath-suffix-checked",
    "ModelCheckpoint raises ValueError for a filepath not ending in .weights.h5 "
    "(save_weights_only) or .keras/.h5 (whole model).",
    CKPT_DOC,
    applies="keras>=3",
    supersedes="callbacks.checkpoint-filepath-any-suffix",
)
NAN_STOPS = claim(
    "callbacks.terminate-on-nan-stops",
    "TerminateOnNaN stops training right after the first batch whose loss is NaN or "
    "infinite; finite losses never stop it.",
    NAN_DOC,
)
NAN_RAISES = claim(
    "callbacks.terminate-on-nan-raise-error",
    "TerminateOnNaN(raise_error=True) raises RuntimeError at a NaN or infinite loss.",
    NAN_DOC,
    applies="keras>=3.13",  # the parameter is new in Keras 3.13 (keras-team/keras#21841)
)

values_st = st.lists(st.integers(0, 4), min_size=1, max_size=6).map(sup.grid_values)


@BEST_ONLY
@EPOCH_PATH
@WEIGHTS_ONLY
@given(values=values_st, mode=st.sampled_from(sup.MODE_DRAWS))
@scaled_examples(0.4)
def test_save_best_only_scripted(keras_target, values, mode):
    mode_name, monitor = sup.monitored(mode)
    with tempfile.TemporaryDirectory() as tmp:
        pattern = os.path.join(tmp, "ckpt-{epoch:02d}-{" + monitor + ":.1f}.weights.h5")
        cb = sup.keras.callbacks.ModelCheckpoint(
            pattern, monitor=monitor, mode=mode_name, save_best_only=True, save_weights_only=True
        )
        with keras_target.scope():
            model = sup.compiled_model(keras_target)
            sup.drive_epochs(
                cb, model, monitor, values, lambda e: sup.weights_marker(model, float(e))
            )
            saved = sorted(os.listdir(tmp))
            best = sup.improvement_epochs(values, sup.direction(mode_name, monitor))
            assert saved == [f"ckpt-{e + 1:02d}-{values[e]:.1f}.weights.h5" for e in best]
            for epoch, name in zip(best, saved, strict=True):
                model.load_weights(os.path.join(tmp, name))
                assert sup.marker_of(model) == epoch


@BEST_ONLY
@EPOCH_PATH
@given(epochs=st.integers(1, 4), mode=st.sampled_from(["min", "max"]), seed=st.integers(0, 3))
@scaled_examples(0.2)
def test_save_best_only_in_fit(keras_target, epochs, mode, seed):
    x, y = sup.data(8, seed=seed)
    with tempfile.TemporaryDirectory() as tmp:
        cb = sup.keras.callbacks.ModelCheckpoint(
            os.path.join(tmp, "e{epoch}.weights.h5"),
            monitor="loss",
            mode=mode,
            save_best_only=True,
            save_weights_only=True,
        )
        with keras_target.scope():
            model = sup.compiled_model(keras_target, lr=0.2, seed=seed)
            history = sup.fit_quietly(model, x, y, epochs=epochs, batch_size=4, callbacks=[cb])
        saved = set(os.listdir(tmp))
    best = sup.improvement_epochs(history.history["loss"], mode)
    assert saved == {f"e{e + 1}.weights.h5" for e in best}, history.history["loss"]


@FULL_MODEL
@EPOCH_PATH
@given(epochs=st.integers(1, 3), n=st.integers(2, 8))
@scaled_examples(0.1)
def test_whole_model_checkpoint_loads(keras_target, epochs, n):
    x, y = sup.data(n)
    snapshots: list[list[np.ndarray]] = []
    keep = sup.keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights())
    )
    with tempfile.TemporaryDirectory() as tmp:
        cb = sup.keras.callbacks.ModelCheckpoint(os.path.join(tmp, "m{epoch:03d}.keras"))
        with keras_target.scope():
            model = sup.compiled_model(keras_target, lr=0.2)
            sup.fit_quietly(model, x, y, epochs=epochs, batch_size=4, callbacks=[keep, cb])
            assert sorted(os.listdir(tmp)) == [f"m{e + 1:03d}.keras" for e in range(epochs)]
            first = sup.keras.models.load_model(os.path.join(tmp, "m001.keras"))
            for got, want in zip(first.get_weights(), snapshots[0], strict=True):
                np.testing.assert_array_equal(got, want)


@SUFFIX
@given(
    stem=st.text("abcxyz_-{}", min_size=1, max_size=8).filter(lambda s: "{" not in s),
    suffix=st.sampled_from(["", ".h5", ".keras", ".weights.h5", ".ckpt", ".weights", ".pb"]),
    weights_only=st.booleans(),
)
def test_filepath_suffix_is_validated(keras_target, stem, suffix, weights_only):
    path = stem + suffix
    ok = path.endswith(".weights.h5") if weights_only else path.endswith((".keras", ".h5"))
    make = lambda: sup.keras.callbacks.ModelCheckpoint(path, save_weights_only=weights_only)  # noqa: E731
    if ok:
        make()
    else:
        with pytest.raises(ValueError):
            make()


@NAN_STOPS
@given(
    n=st.integers(1, 10),
    batch_size=st.integers(1, sup.MAX_BATCH),
    epochs=st.integers(1, 3),
    data=st.data(),
    bad=st.sampled_from([math.nan, math.inf]),
)
@scaled_examples(0.2)
def test_terminate_on_nan_in_fit(keras_target, n, batch_size, epochs, data, bad):
    poisoned = data.draw(st.one_of(st.none(), st.integers(0, n - 1)), label="poisoned sample")
    x, y = sup.data(n)
    if poisoned is not None:
        x[poisoned] = bad  # a non-finite input makes that batch's loss NaN
    rec = sup.Recorder()
    with keras_target.scope():
        model = sup.compiled_model(keras_target)
        history = sup.fit_quietly(
            model,
            x,
            y,
            epochs=epochs,
            batch_size=batch_size,
            callbacks=[sup.keras.callbacks.TerminateOnNaN(), rec],
        )
    steps = sup.num_batches(n, batch_size)
    if poisoned is None:
        assert rec.events == sup.expected_fit_events(epochs, steps)
        return
    stop_batch = poisoned // batch_size
    batches = [e[1] for e in rec.events if e[0] == "train_batch_end"]
    assert batches == list(range(stop_batch + 1)), (poisoned, batches)
    assert history.epoch == [0]
    assert rec.events[-1] == ("train_end",)


NAN_LOSSES = st.lists(
    st.floats(-1e3, 1e3) | st.sampled_from([math.nan, math.inf, -math.inf]),
    min_size=1,
    max_size=6,
)


def _feed_losses(keras_target, callback, losses: list[float], raise_error: bool) -> None:
    """Feed losses to ``on_train_batch_end``; check the stop (or raise) at the first bad one."""
    first_bad = next((i for i, v in enumerate(losses) if not math.isfinite(v)), None)
    with keras_target.scope():
        model = sup.compiled_model(keras_target)
        callback.set_model(model)
        model.stop_training = False
        for batch, loss in enumerate(losses):
            if batch == first_bad and raise_error:
                with pytest.raises(RuntimeError):
                    callback.on_train_batch_end(batch, {"loss": loss})
                return
            callback.on_train_batch_end(batch, {"loss": loss})
            assert model.stop_training == (first_bad is not None and batch >= first_bad)
            if model.stop_training:
                return


@NAN_STOPS
@given(losses=NAN_LOSSES)
def test_terminate_on_nan_scripted(keras_target, losses):
    _feed_losses(keras_target, sup.keras.callbacks.TerminateOnNaN(), losses, raise_error=False)


@NAN_RAISES
@given(losses=NAN_LOSSES, raise_error=st.booleans())
def test_terminate_on_nan_raise_error(keras_target, losses, raise_error):
    callback = sup.keras.callbacks.TerminateOnNaN(raise_error=raise_error)
    _feed_losses(keras_target, callback, losses, raise_error)


SUFFIX_ANY = claim(
    "callbacks.checkpoint-filepath-any-suffix",
    "Keras 2: ModelCheckpoint accepts any filepath (no suffix check): the file's format "
    "follows model.save / save_weights of the path.",
    "https://www.tensorflow.org/versions/r2.15/api_docs/python/tf/keras/callbacks/ModelCheckpoint",
    applies="keras<3",
)


@SUFFIX_ANY
@given(
    stem=st.sampled_from(["ckpt", "out/model"]),
    suffix=st.sampled_from(["", ".h5", ".keras", ".weights.h5", ".ckpt", ".tf"]),
    weights_only=st.booleans(),
)
def test_filepath_any_suffix(keras_target, stem, suffix, weights_only):
    sup.keras.callbacks.ModelCheckpoint(stem + suffix, save_weights_only=weights_only)
