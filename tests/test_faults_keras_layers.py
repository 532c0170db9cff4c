"""Planted faults in Keras core layers: each must fail its claim in ``suites/layers``.

Each test patches a layer class (on the TensorFlow backend of this process), runs a small
selection of the layers suite in process on CPU:0 and checks that the claim fails. The
stock test runs the same selections unpatched and requires every claim to pass. The faults
that only show on some drawn configurations (one padding, one stride, a bias) run with the
thorough profile's example count on one record (a fixed seed: the same draws every run).
"""

from __future__ import annotations

import keras
import pytest

from tests.helpers import suite

LAYERS = "layers/test_layers.py"


def _run(run_conformance, selection: str, profile: str = "quick"):
    return run_conformance(
        suite(LAYERS), "--tf2conf-devices", "CPU:0", "-k", selection, profile=profile
    )


SELECTIONS = {
    "dense mixed precision": ("test_mixed_precision and dense-", "thorough"),
    "conv1d compute_output_shape": ("test_compute_output_shape and conv1d", "thorough"),
    "average pooling forward": ("test_forward_matches_reference and average-pooling1d", "ci"),
}


@pytest.mark.parametrize("name", SELECTIONS)
def test_stock_layers_selection_passes(run_conformance, name) -> None:
    selection, profile = SELECTIONS[name]
    _run(run_conformance, selection, profile).assert_all_passed()


def test_dense_returning_float16_under_mixed_bfloat16_is_caught(
    run_conformance, monkeypatch
) -> None:
    """A policy mix-up: Dense(dtype="mixed_bfloat16") casts its result to float16."""
    real = keras.layers.Dense.call

    def call(self, *args, **kwargs):
        out = real(self, *args, **kwargs)
        return keras.ops.cast(out, "float16") if self.compute_dtype == "bfloat16" else out

    monkeypatch.setattr(keras.layers.Dense, "call", call)
    run = _run(run_conformance, "test_mixed_precision and dense-mixed_bfloat16")
    assert "layers.dense-mixed-precision" in run.failed_claims


def test_dense_dropping_its_bias_under_mixed_float16_is_caught(
    run_conformance, monkeypatch
) -> None:
    """Numerics wrong on one dtype policy: a float16 path that forgets to add the bias
    (float32 and bfloat16 stay right)."""
    real = keras.layers.Dense.call

    def call(self, inputs, training=None):
        out = real(self, inputs, training=training)
        if self.compute_dtype != "float16" or not self.use_bias:
            return out
        # Undo the bias under the activation: only the linear case can be undone exactly,
        # so the fault recomputes activation(x @ kernel).
        x = keras.ops.matmul(inputs, keras.ops.cast(self.kernel, "float16"))
        return self.activation(x)

    monkeypatch.setattr(keras.layers.Dense, "call", call)
    run = _run(run_conformance, "test_mixed_precision and dense-", profile="thorough")
    assert "layers.dense-mixed-precision" in run.failed_claims
    assert "layers.dense-forward-matches-reference" not in run.failed_claims


def test_conv1d_output_shape_flooring_same_padding_is_caught(run_conformance, monkeypatch) -> None:
    """compute_output_shape off for one padding: floor(n / strides) for "same" (the layer
    itself returns ceil(n / strides) positions)."""
    real = keras.layers.Conv1D.compute_output_shape

    def compute_output_shape(self, input_shape):
        shape = list(real(self, input_shape))
        if self.padding == "same" and input_shape[1] is not None:
            shape[1] = input_shape[1] // self.strides[0]
        return tuple(shape)

    monkeypatch.setattr(keras.layers.Conv1D, "compute_output_shape", compute_output_shape)
    run = _run(run_conformance, "test_compute_output_shape and conv1d", profile="thorough")
    assert "layers.conv1d-compute-output-shape" in run.failed_claims


def test_average_pooling_counting_the_padding_is_caught(run_conformance, monkeypatch) -> None:
    """AveragePooling1D with "same" padding averaging over the whole window, zeros of the
    padding included (count_include_pad), instead of over the input values in it."""
    real = keras.layers.AveragePooling1D.call

    def call(self, inputs):
        if self.padding != "same":
            return real(self, inputs)
        n, k, s = inputs.shape[1], self.pool_size[0], self.strides[0]
        total = max((-(-n // s) - 1) * s + k - n, 0)
        padded = keras.ops.pad(inputs, [(0, 0), (total // 2, total - total // 2), (0, 0)])
        return keras.ops.average_pool(padded, k, s, padding="valid")

    monkeypatch.setattr(keras.layers.AveragePooling1D, "call", call)
    run = _run(
        run_conformance, "test_forward_matches_reference and average-pooling1d", profile="ci"
    )
    assert "layers.average-pooling1d-forward-matches-reference" in run.failed_claims
