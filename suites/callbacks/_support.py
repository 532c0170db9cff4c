"""Helpers of the callbacks suite: tiny compiled models, a hook recorder and reference models.

The reference models restate the documented rules of the stateful callbacks (EarlyStopping,
ReduceLROnPlateau, ModelCheckpoint's save_best_only, fit's hook schedule) in plain Python,
so the tests can drive a callback with a scripted metric sequence and compare. Keras and
NumPy only: the suite runs unchanged on every Keras backend.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from pytest_tf2conf import keras_support

FEATURES = 4
CLASSES = 3
# Batches have at most this many rows. JAX compiles the train/test/predict step once per
# batch shape; a small bound keeps the compiled shapes (and the suite's time) bounded.
MAX_BATCH = 4

Event = tuple[Any, ...]

# The epoch-logs key of the learning rate (ReduceLROnPlateau, LearningRateScheduler):
# Keras 3 documents "learning_rate", Keras 2 logs "lr" (claims of both in test_learning_rate).
LR_LOG_KEY = "learning_rate" if keras_support.keras_version() >= (3, 0) else "lr"

# TerminateOnNaN(raise_error=...) is new in Keras 3.13 (keras-team/keras#21841): the claim's
# range (applies="keras>=3.13"); the planted-fault tests read it too.
RAISE_ERROR_SINCE = (3, 13)


# ---------------------------------------------------------------------------------------
# Tiny models


def data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` float32 examples with integer labels (the shared tiny classification data)."""
    return keras_support.tiny_dataset(seed, n=n, features=FEATURES, classes=CLASSES)


_MODELS: dict[tuple[str, float], keras.Model] = {}


def compiled_model(keras_target: Any, lr: float = 0.01, seed: int = 0) -> keras.Model:
    """A compiled softmax-regression model for the target, with fresh weights and rate ``lr``.

    Built once per target (compiling and tracing cost far more than a tiny fit) and reset
    on every call: weights re-seeded, learning rate and ``stop_training`` restored. Call and
    use it inside ``keras_target.scope()``.
    """
    key = keras_target.id
    model = _MODELS.get(key)
    if model is None:
        model = keras_support.sequential_mlp((FEATURES,), hidden=(), classes=CLASSES)
        model.compile(
            optimizer=keras.optimizers.SGD(learning_rate=lr),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
            **keras_target.compile_kwargs(),
        )
        x, y = data(2)
        # Builds the compiled metrics, so mode="auto" can look up "accuracy"'s direction.
        model.evaluate(x, y, verbose=0)
        _MODELS[key] = model
    keras_support.randomize_weights(model, seed, scale=0.1)
    # Fresh optimizer state too: Keras 2's SGD keeps momentum slots even at momentum 0, and
    # one NaN step (the TerminateOnNaN tests) would poison every later fit through them.
    for variable in keras_support.optimizer_variables(model.optimizer):
        variable.assign(np.zeros(tuple(variable.shape), keras_support.weight_dtype(variable)))
    model.optimizer.learning_rate = lr
    model.stop_training = False
    return model


def learning_rate(model: keras.Model) -> float:
    """The optimizer's current rate; also valid inside batch hooks during fit.

    On JAX, fit detaches variable values from the model between epochs for speed; a
    callback that reads variables in a batch hook first reattaches them (jax_state_sync).
    """
    sync = getattr(model, "jax_state_sync", None)
    if callable(sync):
        sync()
    rate = model.optimizer.learning_rate
    # Keras 3 reads a variable's value as a property; Keras 2's tf.Variable reads as itself.
    value = rate.value if isinstance(getattr(type(rate), "value", None), property) else rate
    return float(keras_support.to_numpy(value))


def f32(value: float) -> float:
    """``value`` rounded to float32, as the optimizer's learning-rate variable stores it."""
    return float(np.float32(value))


def weights_marker(model: keras.Model, value: float) -> None:
    """Set every weight to ``value``: makes an epoch's weights recognisable afterwards."""
    model.set_weights([np.full(w.shape, value, dtype=np.float32) for w in model.get_weights()])


def marker_of(model: keras.Model) -> float:
    """The value written by ``weights_marker`` (all weights equal it)."""
    values = np.concatenate([np.ravel(w) for w in model.get_weights()])
    assert np.all(values == values[0]), f"weights are not a single marker: {values}"
    return float(values[0])


# ---------------------------------------------------------------------------------------
# Recording hooks


class Recorder(keras.callbacks.Callback):
    """Appends ``(hook, index)`` to a shared event list at every hook, with a copy of logs.

    ``tag`` distinguishes several recorders sharing one list (callback order claims).
    """

    def __init__(self, events: list[Event] | None = None, tag: str = "") -> None:
        super().__init__()
        self.events: list[Event] = [] if events is None else events
        self.logs: list[dict[str, Any] | None] = []
        self.tag = tag
        self.seen_models: list[Any] = []

    def _add(self, *event: Any, logs: dict[str, Any] | None) -> None:
        self.events.append((self.tag, *event) if self.tag else event)
        self.logs.append(None if logs is None else dict(logs))
        self.seen_models.append(self.model)

    def on_train_begin(self, logs=None):
        self._add("train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._add("train_end", logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._add("epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        self._add("epoch_end", epoch, logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._add("train_batch_begin", batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self._add("train_batch_end", batch, logs=logs)

    def on_test_begin(self, logs=None):
        self._add("test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._add("test_end", logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._add("test_batch_begin", batch, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        self._add("test_batch_end", batch, logs=logs)

    def on_predict_begin(self, logs=None):
        self._add("predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._add("predict_end", logs=logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._add("predict_batch_begin", batch, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._add("predict_batch_end", batch, logs=logs)

    def logs_of(self, hook: str) -> list[dict[str, Any] | None]:
        return [lg for ev, lg in zip(self.events, self.logs, strict=True) if ev[0] == hook]


def batch_events(kind: str, steps: int) -> list[Event]:
    """``<kind>_batch_begin(i)``, ``<kind>_batch_end(i)`` for i = 0..steps-1."""
    out: list[Event] = []
    for i in range(steps):
        out += [(f"{kind}_batch_begin", i), (f"{kind}_batch_end", i)]
    return out


def expected_fit_events(
    epochs: int,
    steps: int,
    initial_epoch: int = 0,
    val_steps: int | None = None,
    validation_freq: int = 1,
) -> list[Event]:
    """The documented schedule of ``fit``: epochs initial_epoch..epochs-1, each running its
    training batches, then (on validation epochs, where the 1-based epoch number is a
    multiple of validation_freq) a whole evaluation, then on_epoch_end."""
    events: list[Event] = [("train_begin",)]
    for epoch in range(initial_epoch, epochs):
        events.append(("epoch_begin", epoch))
        events += batch_events("train", steps)
        if val_steps is not None and (epoch + 1) % validation_freq == 0:
            events += [("test_begin",), *batch_events("test", val_steps), ("test_end",)]
        events.append(("epoch_end", epoch))
    events.append(("train_end",))
    return events


def expected_loop_events(kind: str, steps: int) -> list[Event]:
    """``evaluate`` (kind "test") or ``predict``: begin, the batches, end."""
    return [(f"{kind}_begin",), *batch_events(kind, steps), (f"{kind}_end",)]


def num_batches(n: int, batch_size: int) -> int:
    return math.ceil(n / batch_size)


# ---------------------------------------------------------------------------------------
# Reference models of the monitoring callbacks


def direction(mode: str, monitor: str) -> str:
    """ "min" or "max": mode, or for "auto" the direction the monitored name implies."""
    if mode != "auto":
        return mode
    return "min" if monitor.removeprefix("val_") == "loss" else "max"


def improves(value: float, reference: float | None, direction: str, min_delta: float) -> bool:
    """An improvement is a move in the monitored direction by more than ``min_delta``."""
    if reference is None:
        return True
    if direction == "min":
        return value + min_delta < reference
    return value - min_delta > reference


def improvement_epochs(values: Sequence[float], direction: str, min_delta: float = 0.0) -> list:
    """Epochs whose value beats the best seen so far (the first value always does)."""
    best: float | None = None
    found = []
    for epoch, value in enumerate(values):
        if improves(value, best, direction, min_delta):
            best = value
            found.append(epoch)
    return found


@dataclass(frozen=True)
class EarlyStop:
    stopped_epoch: int | None  # the epoch after which training stops; None: it ran out
    best_epoch: int | None  # the epoch whose weights restore_best_weights restores


def expected_early_stop(
    values: Sequence[float],
    *,
    direction: str,
    patience: int = 0,
    min_delta: float = 0.0,
    baseline: float | None = None,
    start_from_epoch: int = 0,
) -> EarlyStop:
    """EarlyStopping's documented rule on a sequence of per-epoch monitored values.

    Epochs before ``start_from_epoch`` are ignored. Training stops at the end of the first
    epoch that does not improve on the best value (by more than min_delta) when it
    completes ``patience`` monitored epochs since the last epoch that improved on both the
    best value and the baseline. With a baseline that is never beaten, that count starts
    at the first monitored epoch.
    """
    best: float | None = None
    best_epoch: int | None = None
    since_reset = 0
    for epoch, value in enumerate(values):
        if epoch < start_from_epoch:
            continue
        since_reset += 1
        if improves(value, best, direction, min_delta):
            best, best_epoch = value, epoch
            if baseline is None or improves(value, baseline, direction, min_delta):
                since_reset = 0
            continue
        if since_reset >= patience:
            return EarlyStop(epoch, best_epoch)
    return EarlyStop(None, best_epoch)


@dataclass(frozen=True)
class PlateauTrace:
    logged: list[float]  # the rate logged at each epoch end (the rate the epoch used)
    after: list[float]  # the optimizer's rate after each epoch's callback ran


def expected_plateau_rates(
    values: Sequence[float],
    *,
    lr: float,
    direction: str,
    factor: float,
    patience: int,
    cooldown: int = 0,
    min_lr: float = 0.0,
    min_delta: float = 0.0,
) -> PlateauTrace:
    """ReduceLROnPlateau's documented rule: after ``patience`` epochs without improvement
    the rate becomes ``max(rate * factor, min_lr)`` (only while above min_lr); then for
    ``cooldown`` epochs non-improving epochs are not counted."""
    rate = f32(lr)
    best: float | None = None
    wait = 0
    cooldown_left = 0
    logged: list[float] = []
    after: list[float] = []
    for value in values:
        logged.append(rate)
        if cooldown_left > 0:
            cooldown_left -= 1
            wait = 0
        if improves(value, best, direction, min_delta):
            best, wait = value, 0
        elif cooldown_left == 0:
            wait += 1
            if wait >= patience and rate > f32(min_lr):
                rate = f32(max(rate * factor, min_lr))
                cooldown_left, wait = cooldown, 0
        after.append(rate)
    return PlateauTrace(logged, after)


# ---------------------------------------------------------------------------------------
# Driving epoch-level callbacks without fit (as Keras's own callback tests do)


def drive_epochs(
    callback: keras.callbacks.Callback,
    model: keras.Model,
    monitor: str,
    values: Sequence[float],
    before_epoch_end: Callable[[int], None] | None = None,
) -> int:
    """Run the epoch hooks the way ``fit`` does, logging ``{monitor: value}`` per epoch.

    Stops after the epoch where the callback sets ``model.stop_training``. Returns the
    number of epochs run. ``before_epoch_end(epoch)`` runs before each on_epoch_end.
    """
    callback.set_model(model)
    model.stop_training = False
    callback.on_train_begin()
    run = 0
    for epoch, value in enumerate(values):
        callback.on_epoch_begin(epoch)
        if before_epoch_end is not None:
            before_epoch_end(epoch)
        callback.on_epoch_end(epoch, {monitor: float(value)})
        run += 1
        if model.stop_training:
            break
    callback.on_train_end()
    return run


def monitored(draw_mode: str) -> tuple[str, str]:
    """(mode, monitor) pairs covering explicit modes and both "auto" inferences."""
    return {
        "min": ("min", "val_score"),
        "max": ("max", "val_score"),
        "auto-loss": ("auto", "val_loss"),
        "auto-accuracy": ("auto", "val_accuracy"),
    }[draw_mode]


MODE_DRAWS = ("min", "max", "auto-loss", "auto-accuracy")


def grid_values(ints: Sequence[int]) -> list[float]:
    """Metric values on an integer grid: differences never equal a half-integer min_delta,
    and every value and difference is exact in float32 (callbacks compare in the backend's
    float type)."""
    return [float(i) for i in ints]


def fit_quietly(model: keras.Model, *args: Any, **kwargs: Any) -> keras.callbacks.History:
    kwargs.setdefault("verbose", 0)
    kwargs.setdefault("shuffle", False)
    return model.fit(*args, **kwargs)
