"""A ``.keras`` file written on one Keras backend loads on another.

The reference files come from ``_portability.py``, run once per backend by
``scripts/conformance_backends.sh``, which points ``TF2CONF_PORTABILITY_DIR`` at them.
Oracle: the weights stored beside each archive (bit for bit) and the predictions the
saving backend made (within float32 rounding: backends may order float operations
differently).
"""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np
import pytest

from pytest_tf2conf import assert_close, claim, recording
from pytest_tf2conf.keras_support import KERAS_NUMPY2_NOISE, predict

from ._portability import ENV_VAR
from ._support import assert_arrays_equal

pytestmark = pytest.mark.filterwarnings(KERAS_NUMPY2_NOISE)

PORTABLE = claim(
    "saving.keras-archive-portable-across-backends",
    "A .keras file saved with one Keras backend (TensorFlow, JAX, PyTorch) loads on any other "
    "with the same weights and, within float32 rounding, the same predictions.",
    "https://keras.io/guides/serialization_and_saving/",
)


def _reference_archives() -> list[Path]:
    folder = os.environ.get(ENV_VAR)
    if not folder:
        pytest.skip(
            f"not applicable: {ENV_VAR} is not set (scripts/conformance_backends.sh writes "
            "one reference archive per backend and sets it)"
        )
    archives = sorted(Path(folder).glob("*.keras"))
    if not archives:
        pytest.skip(f"not applicable: no reference .keras files in {ENV_VAR}={folder}")
    return archives


@PORTABLE
def test_archives_from_every_backend_load(keras_target) -> None:
    archives = _reference_archives()
    loaded_from = []
    for archive in archives:
        data = np.load(archive.with_suffix(".npz"))
        weights = [data[f"weight_{i}"] for i in range(sum(k.startswith("weight_") for k in data))]
        with keras_target.scope():
            model = keras.saving.load_model(archive)
            got = predict(model, data["x"], keras_target)
        source = archive.stem
        assert_arrays_equal(model.get_weights(), weights, f"weights saved by {source}")
        assert_close(got, data["predictions"], what=f"predictions of the {source} archive")
        loaded_from.append(source)
    recording.current().notes["loaded_from"] = loaded_from
