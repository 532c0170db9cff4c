"""Planted faults in Keras model structure and saving: each must fail its claim.

Each test patches what the suites call (on the TensorFlow backend of this process), runs
a small selection of the suite in process on CPU:0 and checks that the claim fails. The
stock tests run the same selections unpatched and require every claim to pass.
"""

from __future__ import annotations

import keras
import numpy as np

from tests.helpers import suite

MODEL_STRUCTURE = "model/test_structure.py"
MODEL_APIS = "model/test_apis.py"
ARCHIVE = "saving/test_keras_archive.py"
WEIGHTS = "saving/test_weights_file.py"
CUSTOM = "saving/test_custom_objects.py"

MODEL_SELECTION = "summary_totals or config_round_trip or trainable_flag or mlp_matches_numpy"
SAVING_SELECTION = (
    "restores_optimizer_state or resumed or preserves_predictions or weights_round_trip or lambda"
)


def _run(run_conformance, paths: list[str], selection: str):
    return run_conformance(
        *(suite(p) for p in paths),
        "--tf2conf-devices",
        "CPU:0",
        "-k",
        selection,
        profile="quick",
    )


# -- stock ------------------------------------------------------------------------------------
def test_stock_model_selection_passes(run_conformance) -> None:
    _run(run_conformance, [MODEL_STRUCTURE, MODEL_APIS], MODEL_SELECTION).assert_all_passed()


def test_stock_saving_selection_passes(run_conformance) -> None:
    _run(run_conformance, [ARCHIVE, WEIGHTS, CUSTOM], SAVING_SELECTION).assert_all_passed()


# -- model structure --------------------------------------------------------------------------
def test_summary_miscounting_params_is_caught(run_conformance, monkeypatch) -> None:
    from keras.src.utils import summary_utils

    real = summary_utils.count_params
    monkeypatch.setattr(summary_utils, "count_params", lambda weights: real(weights) + 1)
    run = _run(run_conformance, [MODEL_STRUCTURE], "summary_totals")
    assert "model.summary-totals-match-weights" in run.failed_claims


def test_from_config_dropping_a_layer_is_caught(run_conformance, monkeypatch) -> None:
    real = keras.Sequential.from_config

    def drop_last_layer(cls, config, custom_objects=None):
        return real({**config, "layers": config["layers"][:-1]}, custom_objects)

    monkeypatch.setattr(keras.Sequential, "from_config", classmethod(drop_last_layer))
    run = _run(run_conformance, [MODEL_STRUCTURE], "config_round_trip")
    assert "model.config-round-trip-rebuilds-architecture" in run.failed_claims


def test_ignored_trainable_flag_is_caught(run_conformance, monkeypatch) -> None:
    base = keras.layers.Layer.trainable
    # Reads as before, but `layer.trainable = False` on a Dense layer does nothing.
    monkeypatch.setattr(keras.layers.Dense, "trainable", property(base.fget, lambda self, v: None))
    run = _run(run_conformance, [MODEL_STRUCTURE], "trainable_flag")
    assert "model.trainable-flag-splits-weights" in run.failed_claims


def test_column_major_flatten_is_caught(run_conformance, monkeypatch) -> None:
    real = keras.layers.Flatten.call

    def column_major(self, inputs):
        rank = len(inputs.shape)
        return real(self, keras.ops.transpose(inputs, [0, *range(rank - 1, 0, -1)]))

    monkeypatch.setattr(keras.layers.Flatten, "call", column_major)
    run = _run(run_conformance, [MODEL_APIS], "mlp_matches_numpy")
    assert "model.mlp-predictions-match-dense-formula" in run.failed_claims


# -- saving -----------------------------------------------------------------------------------
def _patch_load_model(monkeypatch, after) -> None:
    real = keras.saving.load_model

    def load_model(*args, **kwargs):
        model = real(*args, **kwargs)
        after(model)
        return model

    monkeypatch.setattr(keras.saving, "load_model", load_model)


def test_load_dropping_optimizer_state_is_caught(run_conformance, monkeypatch) -> None:
    def reset_optimizer(model) -> None:
        optimizer = getattr(model, "optimizer", None)
        for variable in optimizer.variables if optimizer is not None else []:
            variable.assign(keras.ops.zeros(variable.shape, variable.dtype))

    _patch_load_model(monkeypatch, reset_optimizer)
    run = _run(run_conformance, [ARCHIVE], "restores_optimizer_state or resumed")
    assert "saving.keras-archive-restores-optimizer-state" in run.failed_claims
    # Training resumed from zeroed momentum/moments drifts away from the uninterrupted run.
    assert "saving.resumed-training-matches-uninterrupted" in run.failed_claims


def test_one_ulp_weight_drift_is_caught(run_conformance, monkeypatch) -> None:
    def nudge_last_weight(model) -> None:
        last = model.weights[-1]
        value = keras.ops.convert_to_numpy(last)
        last.assign(np.nextafter(value, np.inf, dtype=value.dtype))

    _patch_load_model(monkeypatch, nudge_last_weight)
    run = _run(run_conformance, [ARCHIVE], "preserves_predictions")
    assert "saving.keras-archive-preserves-predictions" in run.failed_claims


def test_load_weights_skipping_a_bias_is_caught(run_conformance, monkeypatch) -> None:
    real = keras.Model.load_weights

    def skip_last_bias(self, *args, **kwargs):
        real(self, *args, **kwargs)
        biased = [
            layer for layer in self._flatten_layers() if getattr(layer, "bias", None) is not None
        ]
        if biased:
            bias = biased[-1].bias
            bias.assign(keras.ops.zeros(bias.shape, bias.dtype))

    monkeypatch.setattr(keras.Model, "load_weights", skip_last_bias)
    run = _run(run_conformance, [WEIGHTS], "weights_round_trip")
    assert "saving.weights-file-round-trip" in run.failed_claims


def test_load_model_ignoring_safe_mode_is_caught(run_conformance, monkeypatch) -> None:
    real = keras.saving.load_model

    def unsafe(*args, **kwargs):
        kwargs["safe_mode"] = False
        return real(*args, **kwargs)

    monkeypatch.setattr(keras.saving, "load_model", unsafe)
    run = _run(run_conformance, [CUSTOM], "lambda")
    assert "saving.safe-mode-refuses-lambda-code" in run.failed_claims
