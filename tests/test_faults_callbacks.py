"""Planted faults: each wrong Keras callback behaviour must fail the callbacks claim covering it.

Faults are planted by monkeypatching the Keras callback classes (and the CallbackList that
fit dispatches hooks through); runs are small: one device, the default Keras mode, a -k
selection. The stock run checks that the same suite tests pass on unmodified Keras.
"""

from __future__ import annotations

import math

import keras
import pytest

from pytest_tf2conf.keras_support import keras_version
from pytest_tf2conf.suites.callbacks._support import RAISE_ERROR_SINCE
from tests.helpers import suite

ONE_DEVICE = ("--tf2conf-devices", "CPU:0")
NEEDS_RAISE_ERROR = pytest.mark.skipif(
    keras_version() < RAISE_ERROR_SINCE, reason="TerminateOnNaN(raise_error=) needs Keras 3.13"
)

# The suite tests each fault runs (node ids); the stock run covers all of them.
EARLY_STOPPING = (
    "callbacks/test_early_stopping.py::test_stops_after_patience_epochs_without_improvement",
    "callbacks/test_early_stopping.py::test_early_stopping_in_fit",
)
HOOK_ORDER = ("callbacks/test_hooks.py::test_fit_calls_hooks_in_documented_order",)
LIST_ORDER = ("callbacks/test_hooks.py::test_callback_list_dispatches_in_list_order",)
SCHEDULER = ("callbacks/test_learning_rate.py::test_schedule_gets_epoch_and_current_rate",)
CSV_ROWS = ("callbacks/test_csv_logger.py::test_one_row_per_epoch",)
COOLDOWN = ("callbacks/test_learning_rate.py::test_cooldown",)
BEST_ONLY = ("callbacks/test_checkpoint_and_nan.py::test_save_best_only_scripted",)
BASELINE = ("callbacks/test_early_stopping.py::test_baseline",)
START_FROM = ("callbacks/test_early_stopping.py::test_start_from_epoch",)
RESTORE_NO_STOP = ("callbacks/test_early_stopping.py::test_restore_best_weights_without_stop",)
MIN_LR = ("callbacks/test_learning_rate.py::test_never_below_min_lr",)
NAN = ("callbacks/test_checkpoint_and_nan.py::test_terminate_on_nan_scripted",)
NAN_RAISE = ("callbacks/test_checkpoint_and_nan.py::test_terminate_on_nan_raise_error",)
ALL = (
    EARLY_STOPPING,
    HOOK_ORDER,
    LIST_ORDER,
    SCHEDULER,
    CSV_ROWS,
    COOLDOWN,
    BEST_ONLY,
    BASELINE,
    START_FROM,
    RESTORE_NO_STOP,
    MIN_LR,
    NAN,
    NAN_RAISE,
)


def _run(run_conformance, tests: tuple[str, ...]):
    return run_conformance(*(suite(t) for t in tests), *ONE_DEVICE, profile="ci")


def test_early_stopping_one_epoch_late_is_caught(run_conformance, monkeypatch) -> None:
    real = keras.callbacks.EarlyStopping.on_epoch_end

    def late(self, epoch, logs=None):
        # Off by one: the stop decided at this epoch only takes effect one epoch later.
        if getattr(self, "_planted_pending", False):
            self._planted_pending = False
            self.stopped_epoch = epoch
            self.model.stop_training = True
            return
        real(self, epoch, logs)
        if self.model.stop_training:
            self.model.stop_training = False
            self._planted_pending = True

    monkeypatch.setattr(keras.callbacks.EarlyStopping, "on_epoch_end", late)
    run = _run(run_conformance, EARLY_STOPPING)
    assert "callbacks.early-stopping-patience" in run.failed_claims
    assert "callbacks.early-stopping-ends-fit" in run.failed_claims


def test_epoch_begin_fired_after_first_batch_is_caught(run_conformance, monkeypatch) -> None:
    cls = keras.callbacks.CallbackList
    real_epoch_begin, real_batch_begin = cls.on_epoch_begin, cls.on_train_batch_begin

    def deferred_epoch_begin(self, epoch, logs=None):
        self._planted_epoch = epoch

    def batch_begin_then_epoch(self, batch, logs=None):
        real_batch_begin(self, batch, logs)
        epoch = getattr(self, "_planted_epoch", None)
        if epoch is not None:
            self._planted_epoch = None
            real_epoch_begin(self, epoch)

    monkeypatch.setattr(cls, "on_epoch_begin", deferred_epoch_begin)
    monkeypatch.setattr(cls, "on_train_batch_begin", batch_begin_then_epoch)
    run = _run(run_conformance, HOOK_ORDER)
    assert "callbacks.fit-hook-order" in run.failed_claims


def test_callback_list_reversed_is_caught(run_conformance, monkeypatch) -> None:
    cls = keras.callbacks.CallbackList
    real = cls.on_epoch_end

    def reversed_dispatch(self, epoch, logs=None):
        self.callbacks.reverse()
        try:
            real(self, epoch, logs)
        finally:
            self.callbacks.reverse()

    monkeypatch.setattr(cls, "on_epoch_end", reversed_dispatch)
    run = _run(run_conformance, LIST_ORDER)
    assert "callbacks.list-order-preserved" in run.failed_claims


def test_scheduler_given_next_epoch_is_caught(run_conformance, monkeypatch) -> None:
    real = keras.callbacks.LearningRateScheduler.on_epoch_begin
    monkeypatch.setattr(
        keras.callbacks.LearningRateScheduler,
        "on_epoch_begin",
        lambda self, epoch, logs=None: real(self, epoch + 1, logs),
    )
    run = _run(run_conformance, SCHEDULER)
    assert "callbacks.lr-scheduler-called-with-epoch-and-rate" in run.failed_claims


def test_csv_logger_dropping_a_row_is_caught(run_conformance, monkeypatch) -> None:
    real = keras.callbacks.CSVLogger.on_epoch_end

    def drop_second(self, epoch, logs=None):
        if epoch != 1:
            real(self, epoch, logs)

    monkeypatch.setattr(keras.callbacks.CSVLogger, "on_epoch_end", drop_second)
    run = _run(run_conformance, CSV_ROWS)
    assert "callbacks.csv-logger-row-per-epoch" in run.failed_claims


def test_reduce_lr_ignoring_cooldown_is_caught(run_conformance, monkeypatch) -> None:
    monkeypatch.setattr(keras.callbacks.ReduceLROnPlateau, "in_cooldown", lambda self: False)
    run = _run(run_conformance, COOLDOWN)
    assert "callbacks.reduce-lr-cooldown" in run.failed_claims


def test_checkpoint_saving_every_epoch_is_caught(run_conformance, monkeypatch) -> None:
    monkeypatch.setattr(
        keras.callbacks.ModelCheckpoint, "_should_save_model", lambda self, *args: True
    )
    run = _run(run_conformance, BEST_ONLY)
    assert "callbacks.checkpoint-save-best-only" in run.failed_claims


def _after_init(monkeypatch, cls: type, **overrides) -> None:
    """Plant a fault by overriding attributes right after the callback's __init__."""
    real = cls.__init__

    def init(self, *args, **kwargs):
        real(self, *args, **kwargs)
        for name, value in overrides.items():
            setattr(self, name, value)

    monkeypatch.setattr(cls, "__init__", init)


# Faults planted by overriding one attribute the callback's __init__ set:
# (callback class, attribute, planted value, suite tests, claim that must fail); id: the fault
ATTRIBUTE_FAULTS = [
    pytest.param(
        keras.callbacks.EarlyStopping, "baseline", None, BASELINE,
        "callbacks.early-stopping-baseline", id="early-stopping-ignores-baseline",
    ),
    pytest.param(
        keras.callbacks.EarlyStopping, "start_from_epoch", 0, START_FROM,
        "callbacks.early-stopping-start-from-epoch", id="early-stopping-ignores-warm-up",
    ),
    pytest.param(
        keras.callbacks.ReduceLROnPlateau, "min_lr", 0.0, MIN_LR,
        "callbacks.reduce-lr-min-lr", id="reduce-lr-ignores-min-lr",
    ),
    pytest.param(
        keras.callbacks.TerminateOnNaN, "raise_error", False, NAN_RAISE,
        "callbacks.terminate-on-nan-raise-error", id="terminate-on-nan-ignores-raise-error",
        marks=NEEDS_RAISE_ERROR,
    ),
]  # fmt: skip


@pytest.mark.parametrize(("cls", "attribute", "value", "tests", "claim_id"), ATTRIBUTE_FAULTS)
def test_ignored_constructor_argument_is_caught(
    run_conformance, monkeypatch, cls, attribute, value, tests, claim_id
) -> None:
    _after_init(monkeypatch, cls, **{attribute: value})
    run = _run(run_conformance, tests)
    assert claim_id in run.failed_claims


def test_restore_only_after_a_stop_is_caught(run_conformance, monkeypatch) -> None:
    real = keras.callbacks.EarlyStopping.on_train_end

    def restore_only_if_stopped(self, logs=None):
        # The tf.keras 2 behaviour: no restore when training ran all its epochs.
        if self.stopped_epoch == 0:
            self.best_weights = None
        real(self, logs)

    monkeypatch.setattr(keras.callbacks.EarlyStopping, "on_train_end", restore_only_if_stopped)
    run = _run(run_conformance, RESTORE_NO_STOP)
    assert "callbacks.early-stopping-restores-without-stop" in run.failed_claims


def test_terminate_on_nan_ignoring_inf_is_caught(run_conformance, monkeypatch) -> None:
    real = keras.callbacks.TerminateOnNaN.on_batch_end

    def nan_only(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and math.isinf(loss):
            return
        real(self, batch, logs)

    monkeypatch.setattr(keras.callbacks.TerminateOnNaN, "on_batch_end", nan_only)
    run = _run(run_conformance, NAN)
    assert "callbacks.terminate-on-nan-stops" in run.failed_claims


def test_raise_error_claim_is_not_applicable_before_keras_3_13(run_conformance, monkeypatch):
    # The claim's range (applies="keras>=3.13") is checked at collection against the
    # installed Keras distribution's version (keras_flavour), not keras.__version__.
    from pytest_tf2conf import keras_flavour

    real = keras_flavour._dist
    monkeypatch.setattr(keras_flavour, "_dist", lambda n: "3.12.4" if n == "keras" else real(n))
    monkeypatch.setattr(keras, "__version__", "3.12.4")
    run = _run(run_conformance, NAN_RAISE)
    (result,) = [r for r in run.report["results"] if r["claim"].endswith("raise-error")]
    assert result["outcome"] == "skipped"
    assert result["message"].startswith("not applicable:"), result["message"]
    assert "keras 3.12.4" in result["message"], result["message"]


def test_stock_keras_passes_the_fault_selections(run_conformance) -> None:
    applicable = [t for t in ALL if t is not NAN_RAISE or keras_version() >= RAISE_ERROR_SINCE]
    run = _run(run_conformance, tuple(t for tests in applicable for t in tests))
    run.assert_all_passed()
    assert len(run.outcomes) >= 15, run.outcomes
