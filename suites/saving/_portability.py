"""Reference files for the cross-backend portability claim.

Run once per Keras backend (``KERAS_BACKEND=jax python -m
pytest_tf2conf.suites.saving._portability DIR``): it writes ``DIR/<backend>.keras`` and
``DIR/<backend>.npz`` (the inputs, the weights and the predictions on that backend). The
claim test then loads every archive found in ``$TF2CONF_PORTABILITY_DIR`` on its own
backend. ``scripts/conformance_backends.sh`` does both steps.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_VAR = "TF2CONF_PORTABILITY_DIR"
INPUT_SHAPE = (2, 3)
SEED = 1234


def reference_model():
    """Flatten, Dense, BatchNormalization (non-trivial moving statistics), softmax."""
    import keras

    from pytest_tf2conf.keras_support import randomize_weights

    inputs = keras.Input(INPUT_SHAPE, name="input")
    x = keras.layers.Flatten(name="flatten")(inputs)
    x = keras.layers.Dense(8, activation="relu", name="hidden")(x)
    x = keras.layers.BatchNormalization(name="norm")(x)
    outputs = keras.layers.Dense(4, activation="softmax", name="output")(x)
    model = keras.Model(inputs, outputs, name="portable")
    randomize_weights(model, SEED)
    return model


def save_reference(directory: Path) -> Path:
    import keras
    import numpy as np

    from pytest_tf2conf.keras_support import tiny_dataset

    backend = keras.backend.backend()
    directory.mkdir(parents=True, exist_ok=True)
    model = reference_model()
    x, _ = tiny_dataset(SEED, n=6, features=INPUT_SHAPE, classes=4)
    predictions = np.asarray(model.predict(x, verbose=0))
    model.save(directory / f"{backend}.keras")
    np.savez(
        directory / f"{backend}.npz",
        x=x,
        predictions=predictions,
        **{f"weight_{i}": w for i, w in enumerate(model.get_weights())},
    )
    return directory / f"{backend}.keras"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(f"usage: python -m {__spec__.name if __spec__ else __name__} DIR", file=sys.stderr)
        return 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    print(f"tf2conf: wrote {save_reference(Path(argv[0]))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
