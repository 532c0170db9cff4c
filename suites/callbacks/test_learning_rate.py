"""ReduceLROnPlateau and LearningRateScheduler: the rates they set and the rates they log."""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim, recording
from pytest_tf2conf.keras_support import KERAS_NUMPY2_NOISE
from pytest_tf2conf.profiles import scaled_examples

from . import _support as sup

pytestmark = pytest.mark.filterwarnings(KERAS_NUMPY2_NOISE)

PLATEAU_DOC = "https://keras.io/api/callbacks/reduce_lr_on_plateau/"
SCHEDULER_DOC = "https://keras.io/api/callbacks/learning_rate_scheduler/"

PLATEAU = claim(
    "callbacks.reduce-lr-after-patience",
    "ReduceLROnPlateau multiplies the learning rate by `factor` once `patience` epochs pass "
    "without an improvement larger than min_delta (mode min, max or auto).",
    PLATEAU_DOC,
)
COOLDOWN = claim(
    "callbacks.reduce-lr-cooldown",
    "After a reduction ReduceLROnPlateau waits `cooldown` epochs before it counts epochs "
    "without improvement again.",
    PLATEAU_DOC,
)
MIN_LR = claim(
    "callbacks.reduce-lr-min-lr",
    "ReduceLROnPlateau never lowers the learning rate below min_lr.",
    PLATEAU_DOC,
)
PLATEAU_LOGS = claim(
    "callbacks.reduce-lr-logs-learning-rate",
    "With ReduceLROnPlateau, fit's epoch logs and History carry a learning_rate entry: the "
    "rate the epoch trained with.",
    PLATEAU_DOC,
    applies="keras>=3",
    supersedes="callbacks.reduce-lr-logs-lr",
)
SCHEDULE_ARGS = claim(
    "callbacks.lr-scheduler-called-with-epoch-and-rate",
    "LearningRateScheduler calls schedule(epoch, lr) at the start of every epoch with the "
    "zero-based epoch index and the current learning rate.",
    SCHEDULER_DOC,
)
SCHEDULE_SETS = claim(
    "callbacks.lr-scheduler-sets-rate",
    "The rate schedule returns is the optimizer's learning rate for that whole epoch.",
    SCHEDULER_DOC,
)
SCHEDULE_LOGS = claim(
    "callbacks.lr-scheduler-logs-rate",
    "With LearningRateScheduler, the epoch logs and History carry each epoch's rate as "
    "learning_rate.",
    SCHEDULER_DOC,
    applies="keras>=3",
    supersedes="callbacks.lr-scheduler-logs-lr",
)
KERAS2_CALLBACKS = "https://www.tensorflow.org/versions/r2.15/api_docs/python/tf/keras/callbacks/"
PLATEAU_LOGS_LR = claim(
    "callbacks.reduce-lr-logs-lr",
    "Keras 2: with ReduceLROnPlateau, fit's epoch logs and History carry the rate the epoch "
    "trained with as lr.",
    KERAS2_CALLBACKS + "ReduceLROnPlateau",
    applies="keras<3",
)
SCHEDULE_LOGS_LR = claim(
    "callbacks.lr-scheduler-logs-lr",
    "Keras 2: with LearningRateScheduler, the epoch logs and History carry each epoch's rate "
    "as lr.",
    KERAS2_CALLBACKS + "LearningRateScheduler",
    applies="keras<3",
)
SCHEDULE_VERBOSE = claim(
    "callbacks.lr-scheduler-verbose",
    "LearningRateScheduler with verbose=1 prints an update message naming the epoch "
    "(1-based) and the new rate; verbose=0 prints nothing.",
    SCHEDULER_DOC,
)

values_st = st.lists(st.integers(0, 4), min_size=1, max_size=12).map(sup.grid_values)
factor_st = st.sampled_from([0.1, 0.25, 0.5])
lr_st = st.sampled_from([0.5, 0.1, 0.03])


def _drive_plateau(keras_target, values, mode_draw, lr, **kwargs) -> tuple[list, list]:
    """Rates logged and set per epoch by ReduceLROnPlateau driven with scripted values."""
    mode, monitor = sup.monitored(mode_draw)
    cb = sup.keras.callbacks.ReduceLROnPlateau(monitor=monitor, mode=mode, **kwargs)
    logged: list[float] = []
    after: list[float] = []
    with keras_target.scope():
        model = sup.compiled_model(keras_target, lr=lr)
        cb.set_model(model)
        cb.on_train_begin()
        for epoch, value in enumerate(values):
            logs = {monitor: value}
            cb.on_epoch_end(epoch, logs)
            logged.append(logs.get(sup.LR_LOG_KEY))
            after.append(sup.learning_rate(model))
    return logged, after


def _reference(values, mode_draw, lr, **kwargs) -> sup.PlateauTrace:
    mode, monitor = sup.monitored(mode_draw)
    return sup.expected_plateau_rates(
        values, lr=lr, direction=sup.direction(mode, monitor), **kwargs
    )


def _check_plateau(keras_target, values, mode, lr, **kwargs) -> sup.PlateauTrace:
    logged, after = _drive_plateau(keras_target, values, mode, lr, **kwargs)
    ref = _reference(values, mode, lr, **kwargs)
    assert_close(after, ref.after, dtype="float32", what=f"rates after each epoch of {values}")
    assert_close(logged, ref.logged, dtype="float32", what="logged learning_rate")
    return ref


@PLATEAU
@given(
    values=values_st,
    mode=st.sampled_from(sup.MODE_DRAWS),
    lr=lr_st,
    factor=factor_st,
    patience=st.integers(0, 3),
    min_delta=st.sampled_from([0.0, 0.5]),
)
def test_reduces_after_patience(keras_target, values, mode, lr, factor, patience, min_delta):
    _check_plateau(
        keras_target, values, mode, lr, factor=factor, patience=patience, min_delta=min_delta
    )


@COOLDOWN
@given(
    prefix=st.lists(st.integers(0, 4), max_size=4),
    plateau=st.integers(3, 8),
    lr=lr_st,
    factor=factor_st,
    patience=st.integers(0, 2),
    cooldown=st.integers(1, 3),
)
def test_cooldown(keras_target, prefix, plateau, lr, factor, patience, cooldown):
    # A long plateau after the prefix forces repeated reductions, spaced by the cooldown.
    values = sup.grid_values([*prefix, *([9] * plateau)])
    _check_plateau(
        keras_target,
        values,
        "max",
        lr,
        factor=factor,
        patience=patience,
        cooldown=cooldown,
        min_delta=0.0,
    )


@MIN_LR
@given(
    values=values_st,
    lr=lr_st,
    factor=factor_st,
    patience=st.integers(0, 2),
    min_lr=st.sampled_from([0.001, 0.01, 0.02]),
)
def test_never_below_min_lr(keras_target, values, lr, factor, patience, min_lr):
    ref = _check_plateau(
        keras_target, values, "min", lr, factor=factor, patience=patience, min_lr=min_lr
    )
    assert min(ref.after) >= min(sup.f32(min_lr), sup.f32(lr))


@PLATEAU
@given(
    epochs=st.integers(2, 6),
    patience=st.integers(0, 2),
    factor=factor_st,
    seed=st.integers(0, 3),
)
@scaled_examples(0.2)
def test_plateau_rates_in_fit_history(keras_target, epochs, patience, factor, seed):
    """Real training; mode max on a falling loss makes plateaus, hence reductions."""
    x, y = sup.data(sup.MAX_BATCH, seed=seed)  # one batch per epoch
    cb = sup.keras.callbacks.ReduceLROnPlateau(
        monitor="loss", mode="max", factor=factor, patience=patience, min_delta=0.0
    )
    during: list[float] = []
    probe = sup.keras.callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: during.append(sup.learning_rate(model))
    )
    with keras_target.scope():
        model = sup.compiled_model(keras_target, lr=0.1, seed=seed)
        history = sup.fit_quietly(model, x, y, epochs=epochs, batch_size=4, callbacks=[probe, cb])
        final = sup.learning_rate(model)
    ref = sup.expected_plateau_rates(
        history.history["loss"], lr=0.1, direction="max", factor=factor, patience=patience
    )
    assert_close(history.history[sup.LR_LOG_KEY], ref.logged, dtype="float32")
    assert_close(during, ref.logged, dtype="float32", what="rate in effect during each epoch")
    assert_close(final, ref.after[-1], dtype="float32", what="final rate")


class RecordingSchedule:
    """schedule(epoch, lr) returning scripted rates and recording its arguments."""

    def __init__(self, rates: list[float]) -> None:
        self.rates = rates
        self.calls: list[tuple[int, float]] = []

    def __call__(self, epoch: int, lr: float) -> float:
        self.calls.append((epoch, lr))
        return self.rates[epoch]


rates_st = st.lists(st.sampled_from([0.2, 0.1, 0.05, 0.01, 0.003]), min_size=7, max_size=7)


@SCHEDULE_ARGS
@given(rates=rates_st, epochs=st.integers(1, 6), data=st.data(), lr=lr_st)
def test_schedule_gets_epoch_and_current_rate(keras_target, rates, epochs, data, lr):
    initial = data.draw(st.integers(0, epochs - 1), label="initial_epoch")
    schedule = RecordingSchedule(rates)
    cb = sup.keras.callbacks.LearningRateScheduler(schedule)
    with keras_target.scope():
        model = sup.compiled_model(keras_target, lr=lr)
        cb.set_model(model)
        cb.on_train_begin()
        for epoch in range(initial, epochs):
            cb.on_epoch_begin(epoch)
            cb.on_epoch_end(epoch, {})
    epochs_called = [e for e, _ in schedule.calls]
    assert epochs_called == list(range(initial, epochs))
    previous = [sup.f32(lr)] + [sup.f32(rates[e]) for e in range(initial, epochs - 1)]
    assert_close([r for _, r in schedule.calls], previous, dtype="float32", what="lr argument")
    assert all(type(r) is float for _, r in schedule.calls)


@SCHEDULE_ARGS
@SCHEDULE_SETS
@given(rates=rates_st, epochs=st.integers(1, 4), data=st.data(), n=st.integers(1, 8))
@scaled_examples(0.2)
def test_scheduler_in_fit(keras_target, rates, epochs, data, n):
    initial = data.draw(st.integers(0, epochs - 1), label="initial_epoch")
    schedule = RecordingSchedule(rates)
    during: dict[int, list[float]] = {}
    epoch_of: list[int] = []
    probe = sup.keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: epoch_of.append(epoch),
        on_train_batch_end=lambda batch, logs: during.setdefault(epoch_of[-1], []).append(
            sup.learning_rate(model)
        ),
    )
    x, y = sup.data(n)
    with keras_target.scope():
        model = sup.compiled_model(keras_target, lr=0.01)
        history = sup.fit_quietly(
            model,
            x,
            y,
            epochs=epochs,
            initial_epoch=initial,
            batch_size=3,
            callbacks=[sup.keras.callbacks.LearningRateScheduler(schedule), probe],
        )
    run = list(range(initial, epochs))
    assert [e for e, _ in schedule.calls] == run
    want = [sup.f32(rates[e]) for e in run]
    assert sorted(during) == run
    for epoch in run:
        assert_close(during[epoch], [want[epoch - initial]] * len(during[epoch]), dtype="float32")
    assert_close(history.history[sup.LR_LOG_KEY], want, dtype="float32", what="logged rates")


@SCHEDULE_VERBOSE
@given(epoch=st.integers(0, 20), rate=st.sampled_from([0.5, 0.25, 0.125]), verbose=st.booleans())
def test_scheduler_verbose_message(keras_target, epoch, rate, verbose):
    cb = sup.keras.callbacks.LearningRateScheduler(lambda e, lr: rate, verbose=int(verbose))
    out = io.StringIO()
    with keras_target.scope():
        model = sup.compiled_model(keras_target)
        cb.set_model(model)
        with contextlib.redirect_stdout(out):
            cb.on_epoch_begin(epoch)
    text = out.getvalue()
    if verbose:
        assert f"Epoch {epoch + 1}" in text and str(rate) in text, text
    else:
        assert text == ""


def _logged_rates(keras_target, callback, epochs: int) -> dict[str, list]:
    x, y = sup.data(sup.MAX_BATCH)  # one batch per epoch
    with keras_target.scope():
        model = sup.compiled_model(keras_target, lr=0.1)
        history = sup.fit_quietly(model, x, y, epochs=epochs, batch_size=4, callbacks=[callback])
    recording.observe("History keys", sorted(history.history))
    return history.history


def _plateau():
    # mode max on a falling loss: plateaus, hence reductions (test_plateau_rates_in_fit_history)
    return sup.keras.callbacks.ReduceLROnPlateau(
        monitor="loss", mode="max", factor=0.5, patience=0, min_delta=0.0
    )


def _schedule():
    return sup.keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.5**epoch)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("learning_rate", marks=[PLATEAU_LOGS], id="learning_rate"),
        pytest.param("lr", marks=[PLATEAU_LOGS_LR], id="lr"),
    ],
)
def test_plateau_logged_key(keras_target, key):
    logged = _logged_rates(keras_target, _plateau(), epochs=3)
    assert key in logged, sorted(logged)
    ref = sup.expected_plateau_rates(
        logged["loss"], lr=0.1, direction="max", factor=0.5, patience=0
    )
    assert_close(logged[key], ref.logged, dtype="float32", what=f"History[{key!r}]")


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("learning_rate", marks=[SCHEDULE_LOGS], id="learning_rate"),
        pytest.param("lr", marks=[SCHEDULE_LOGS_LR], id="lr"),
    ],
)
def test_scheduler_logged_key(keras_target, key):
    logged = _logged_rates(keras_target, _schedule(), epochs=3)
    assert key in logged, sorted(logged)
    assert_close(logged[key], [1.0, 0.5, 0.25], dtype="float32", what=f"History[{key!r}]")
