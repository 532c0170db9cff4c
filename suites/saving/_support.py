"""Helpers of the saving suite: files per example, training set-ups, exact comparisons.

Round trips on one backend are exact: the same weights through the same operations give
the same bits, so weights and predictions are compared with zero tolerance. Suites call
``keras.saving.load_model`` through the module attribute (never a bound name) so that the
project's planted-fault tests can patch it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from pathlib import Path

import keras
import numpy as np
import pytest

from pytest_tf2conf import assert_close, keras_support
from pytest_tf2conf.keras_support import build_mlp, predict, randomize_weights, tiny_dataset

# Optimizers whose state matters for resuming: momentum buffers, Adam's moments.
OPTIMIZERS: dict[str, Callable[[], keras.optimizers.Optimizer]] = {
    "sgd-momentum": lambda: keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
    "adam": lambda: keras.optimizers.Adam(learning_rate=0.01),
}
BATCH_SIZE = 4

_counter = itertools.count()


def new_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh folder per Hypothesis example (``tmp_path`` is one folder per test)."""
    return tmp_path_factory.mktemp(f"saving{next(_counter)}")


def saved_files(folder: Path) -> list[str]:
    """What a save wrote into ``folder``: relative paths of its files, sorted (an observation;
    the TF checkpoint's shard numbers kept, they are part of the documented names)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def random_model(
    keras_target, kind: str, architecture: tuple, seed: int, n: int
) -> tuple[keras.Model, np.ndarray, np.ndarray]:
    """A ``build_mlp`` model with seeded random weights, ``n`` inputs and its predictions."""
    input_shape, hidden, classes = architecture
    x, _ = tiny_dataset(seed, n=n, features=input_shape, classes=classes)
    with keras_target.scope():
        model = build_mlp(kind, input_shape, hidden, classes)
        randomize_weights(model, seed)
        expected = predict(model, x, keras_target)
    return model, x, expected


def compile_for_training(model: keras.Model, optimizer: str, keras_target) -> None:
    model.compile(
        optimizer=OPTIMIZERS[optimizer](),
        loss="sparse_categorical_crossentropy",
        **keras_target.compile_kwargs(),
    )


def fit(model: keras.Model, x: np.ndarray, y: np.ndarray, epochs: int) -> None:
    # shuffle=False and a fixed batch size: two runs see the same batches in the same order.
    model.fit(x, y, epochs=epochs, batch_size=BATCH_SIZE, shuffle=False, verbose=0)


def assert_arrays_equal(got: Sequence, want: Sequence, what: str) -> None:
    """Same number of arrays, each bit for bit equal (zero tolerance)."""
    got, want = list(got), list(want)
    assert len(got) == len(want), f"{what}: {len(got)} arrays, expected {len(want)}"
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        assert_close(np.asarray(g), np.asarray(w), rtol=0.0, atol=0.0, what=f"{what}[{i}]")


def variable_values(variables: Sequence) -> list[np.ndarray]:
    return [np.array(keras_support.to_numpy(v)) for v in variables]


def apply_mode(model: keras.Model, keras_target) -> keras.Model:
    """Put a reloaded, already compiled model in the target's execution mode.

    ``load_model`` compiles from the saved compile config, which does not record
    ``run_eagerly``/``jit_compile``; without this a resumed run could use XLA while the
    uninterrupted one does not.
    """
    kwargs = keras_target.compile_kwargs()
    model.run_eagerly = kwargs["run_eagerly"]
    model.jit_compile = kwargs["jit_compile"]
    return model
