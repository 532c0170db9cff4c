"""When fit, evaluate and predict call a callback's hooks, how often, and with which logs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import claim
from pytest_tf2conf.keras_support import KERAS_NUMPY2_NOISE
from pytest_tf2conf.profiles import scaled_examples

from . import _support as sup

pytestmark = pytest.mark.filterwarnings(KERAS_NUMPY2_NOISE)

CALLBACK_DOC = "https://keras.io/api/callbacks/base_callback/"
GUIDE = "https://keras.io/guides/writing_your_own_callbacks/"
FIT_DOC = "https://keras.io/api/models/model_training_apis/"

FIT_HOOK_ORDER = claim(
    "callbacks.fit-hook-order",
    "fit calls on_train_begin, then per epoch on_epoch_begin, the batch hooks and "
    "on_epoch_end, then on_train_end, in that order.",
    CALLBACK_DOC,
)
BATCH_COUNT = claim(
    "callbacks.fit-batches-per-epoch",
    "Each epoch runs ceil(samples / batch_size) training batches, or steps_per_epoch when "
    "given, with batch indices 0..steps-1.",
    FIT_DOC,
)
EPOCH_INDICES = claim(
    "callbacks.fit-epoch-indices",
    "Epoch hooks receive the epoch indices initial_epoch..epochs-1 (zero-based).",
    FIT_DOC,
)
VALIDATION_HOOKS = claim(
    "callbacks.validation-runs-inside-epoch",
    "With validation data, fit runs the test hooks (validation_steps or ceil(n/batch) "
    "batches) after an epoch's training batches and before its on_epoch_end, on every "
    "validation_freq-th epoch.",
    FIT_DOC,
)
EVALUATE_HOOKS = claim(
    "callbacks.evaluate-hooks",
    "evaluate calls on_test_begin, on_test_batch_begin/end once per batch, then "
    "on_test_end with the final metrics.",
    GUIDE,
)
PREDICT_HOOKS = claim(
    "callbacks.predict-hooks",
    "predict calls on_predict_begin, on_predict_batch_begin/end once per batch (the end "
    "hook's logs carry the batch outputs), then on_predict_end.",
    GUIDE,
)
BATCH_LOGS = claim(
    "callbacks.batch-logs-hold-metrics",
    "on_train_batch_end and on_test_batch_end receive logs with the loss and every "
    "compiled metric, as Python floats.",
    GUIDE,
)
EPOCH_LOGS = claim(
    "callbacks.epoch-logs-hold-metrics",
    "on_epoch_end receives the loss and compiled metrics as floats, plus val_-prefixed "
    "copies on epochs that ran validation.",
    GUIDE,
)
HISTORY = claim(
    "callbacks.history-records-epochs",
    "fit returns a History (also model.history) whose history dict holds, per logged key, "
    "one value per epoch run, equal to the epoch-end logs.",
    FIT_DOC,
)
SELF_MODEL = claim(
    "callbacks.custom-callback-sees-model",
    "A keras.callbacks.Callback subclass passed to fit has self.model set to the model "
    "being trained and self.params holding epochs and steps.",
    CALLBACK_DOC,
)
STOP_TRAINING = claim(
    "callbacks.stop-training-ends-after-epoch",
    "Setting self.model.stop_training = True in on_epoch_end ends fit after that epoch; "
    "on_train_end still runs.",
    GUIDE,
)
LIST_ORDER = claim(
    "callbacks.list-order-preserved",
    "Callbacks passed to fit are called in the order of the list, for every hook.",
    FIT_DOC,
)


@st.composite
def fit_plans(draw: st.DrawFn) -> dict:
    """Epochs, batch sizes, optional steps_per_epoch and validation settings for a tiny fit."""
    epochs = draw(st.integers(1, 3))
    initial_epoch = draw(st.integers(0, epochs - 1))
    batch_size = draw(st.integers(1, sup.MAX_BATCH))
    run = epochs - initial_epoch
    if draw(st.booleans()):
        spe = draw(st.integers(1, 3))
        # Arrays yield one pass per fit: enough data for steps_per_epoch x epochs run.
        n = spe * run * batch_size - draw(st.integers(0, batch_size - 1))
        steps = spe
    else:
        spe = None
        n = draw(st.integers(1, 12))
        steps = sup.num_batches(n, batch_size)
    plan = dict(
        epochs=epochs,
        initial_epoch=initial_epoch,
        batch_size=batch_size,
        steps_per_epoch=spe,
        n=n,
        steps=steps,
        val=None,
    )
    if draw(st.booleans()):
        n_val = draw(st.integers(1, 7))
        vbs = draw(st.one_of(st.none(), st.integers(1, 4)))
        full = sup.num_batches(n_val, vbs or batch_size)
        vsteps = draw(st.one_of(st.none(), st.integers(1, full)))
        plan["val"] = dict(
            n=n_val,
            batch_size=vbs,
            steps=vsteps,
            freq=draw(st.integers(1, 3)),
            expected_steps=vsteps or full,
        )
    return plan


def _run_plan(keras_target, plan: dict, *callbacks):
    x, y = sup.data(plan["n"], seed=1)
    kwargs: dict = dict(
        batch_size=plan["batch_size"],
        epochs=plan["epochs"],
        initial_epoch=plan["initial_epoch"],
        steps_per_epoch=plan["steps_per_epoch"],
    )
    val = plan["val"]
    if val is not None:
        kwargs.update(
            validation_data=sup.data(val["n"], seed=2),
            validation_batch_size=val["batch_size"],
            validation_steps=val["steps"],
            validation_freq=val["freq"],
        )
    with keras_target.scope():
        model = sup.compiled_model(keras_target)
        history = sup.fit_quietly(model, x, y, callbacks=list(callbacks), **kwargs)
    return model, history


def _expected(plan: dict) -> list:
    val = plan["val"]
    return sup.expected_fit_events(
        plan["epochs"],
        plan["steps"],
        plan["initial_epoch"],
        None if val is None else val["expected_steps"],
        1 if val is None else val["freq"],
    )


def _where(events: list, hook: str) -> list:
    return [e for e in events if e[0] == hook]


@FIT_HOOK_ORDER
@given(plan=fit_plans())
@scaled_examples(0.2)
def test_fit_calls_hooks_in_documented_order(keras_target, plan):
    rec = sup.Recorder()
    _run_plan(keras_target, plan, rec)
    expected = _expected(plan)
    # Compare the order of hook kinds (indices are other claims): one sequence, one diff.
    assert [e[0] for e in rec.events] == [e[0] for e in expected], (plan, rec.events)


@BATCH_COUNT
@given(plan=fit_plans())
@scaled_examples(0.2)
def test_fit_runs_steps_batches_per_epoch(keras_target, plan):
    rec = sup.Recorder()
    plan = {**plan, "val": None}
    _run_plan(keras_target, plan, rec)
    per_epoch: list[list[int]] = []
    for event in rec.events:
        if event[0] == "epoch_begin":
            per_epoch.append([])
        elif event[0] == "train_batch_begin":
            per_epoch[-1].append(event[1])
    ends = [e[1] for e in _where(rec.events, "train_batch_end")]
    expected = list(range(plan["steps"]))
    assert per_epoch == [expected] * (plan["epochs"] - plan["initial_epoch"]), plan
    assert ends == expected * len(per_epoch)


@EPOCH_INDICES
@given(plan=fit_plans())
@scaled_examples(0.2)
def test_fit_epoch_indices(keras_target, plan):
    rec = sup.Recorder()
    _, history = _run_plan(keras_target, plan, rec)
    expected = list(range(plan["initial_epoch"], plan["epochs"]))
    assert [e[1] for e in _where(rec.events, "epoch_begin")] == expected
    assert [e[1] for e in _where(rec.events, "epoch_end")] == expected
    assert history.epoch == expected


@VALIDATION_HOOKS
@given(plan=fit_plans().filter(lambda p: p["val"] is not None))
@scaled_examples(0.2)
def test_validation_hooks_run_inside_the_epoch(keras_target, plan):
    rec = sup.Recorder()
    _run_plan(keras_target, plan, rec)
    # Validation blocks, per epoch, between the epoch's last training batch and epoch_end.
    got: dict[int, list] = {}
    epoch = None
    for event in rec.events:
        if event[0] == "epoch_begin":
            epoch, got[event[1]] = event[1], []
        elif event[0].startswith("test"):
            assert epoch is not None, f"test hook outside an epoch: {rec.events}"
            got[epoch].append(event)
        elif event[0] == "epoch_end":
            epoch = None
        elif event[0] == "train_batch_begin" and epoch is not None:
            assert not got[epoch], f"training batch after validation in epoch {epoch}"
    val = plan["val"]
    block = sup.expected_loop_events("test", val["expected_steps"])
    expected = {
        e: (block if (e + 1) % val["freq"] == 0 else [])
        for e in range(plan["initial_epoch"], plan["epochs"])
    }
    assert got == expected, plan


@EVALUATE_HOOKS
@given(n=st.integers(1, 12), batch_size=st.integers(1, sup.MAX_BATCH), use_steps=st.booleans())
@scaled_examples(0.2)
def test_evaluate_hooks(keras_target, n, batch_size, use_steps):
    full = sup.num_batches(n, batch_size)
    steps = max(1, full - 1) if use_steps else None
    x, y = sup.data(n, seed=3)
    rec = sup.Recorder()
    with keras_target.scope():
        model = sup.compiled_model(keras_target)
        result = model.evaluate(
            x, y, batch_size=batch_size, steps=steps, callbacks=[rec], verbose=0, return_dict=True
        )
    assert rec.events == sup.expected_loop_events("test", steps or full)
    end_logs = rec.logs_of("test_end")[0]
    assert end_logs is not None and set(end_logs) == set(result) == {"loss", "accuracy"}
    for key, value in result.items():
        assert end_logs[key] == value


@PREDICT_HOOKS
@given(n=st.integers(1, 12), batch_size=st.integers(1, sup.MAX_BATCH))
@scaled_examples(0.2)
def test_predict_hooks(keras_target, n, batch_size):
    x, _ = sup.data(n, seed=4)
    rec = sup.Recorder()
    with keras_target.scope():
        model = sup.compiled_model(keras_target)
        out = model.predict(x, batch_size=batch_size, callbacks=[rec], verbose=0)
    steps = sup.num_batches(n, batch_size)
    assert rec.events == sup.expected_loop_events("predict", steps)
    rows = [np.shape(lg["outputs"])[0] for lg in rec.logs_of("predict_batch_end")]
    assert rows == [min(batch_size, n - i * batch_size) for i in range(steps)]
    assert np.shape(out) == (n, sup.CLASSES)


def _assert_float_logs(logs: dict | None, keys: set[str], what: str) -> None:
    assert logs is not None and set(logs) == keys, f"{what} logs: {logs}, expected {keys}"
    for key, value in logs.items():
        assert type(value) is float, f"{what} logs[{key!r}] is {type(value).__name__}"


@BATCH_LOGS
@given(plan=fit_plans())
@scaled_examples(0.2)
def test_batch_logs_hold_loss_and_metrics(keras_target, plan):
    rec = sup.Recorder()
    _run_plan(keras_target, plan, rec)
    for hook in ("train_batch_end", "test_batch_end"):
        for logs in rec.logs_of(hook):
            _assert_float_logs(logs, {"loss", "accuracy"}, hook)


@EPOCH_LOGS
@given(plan=fit_plans())
@scaled_examples(0.2)
def test_epoch_logs_hold_metrics_and_val_metrics(keras_target, plan):
    rec = sup.Recorder()
    _run_plan(keras_target, plan, rec)
    val = plan["val"]
    for epoch, logs in zip(
        [e[1] for e in _where(rec.events, "epoch_end")], rec.logs_of("epoch_end"), strict=True
    ):
        keys = {"loss", "accuracy"}
        if val is not None and (epoch + 1) % val["freq"] == 0:
            keys |= {"val_loss", "val_accuracy"}
        _assert_float_logs(logs, keys, f"epoch {epoch} end")


@HISTORY
@given(plan=fit_plans())
@scaled_examples(0.2)
def test_history_has_one_value_per_epoch(keras_target, plan):
    rec = sup.Recorder()
    plan = {**plan, "val": plan["val"] and {**plan["val"], "freq": 1}}
    model, history = _run_plan(keras_target, plan, rec)
    assert isinstance(history, sup.keras.callbacks.History)
    assert model.history is history
    epoch_logs = rec.logs_of("epoch_end")
    assert set(history.history) == set(epoch_logs[0])
    for key, values in history.history.items():
        assert values == [lg[key] for lg in epoch_logs], key


class StopAt(sup.keras.callbacks.Callback):
    def __init__(self, stop_epoch: int) -> None:
        super().__init__()
        self.stop_epoch = stop_epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.stop_epoch:
            self.model.stop_training = True


@SELF_MODEL
@given(epochs=st.integers(1, 3), n=st.integers(1, 8), batch_size=st.integers(1, sup.MAX_BATCH))
@scaled_examples(0.2)
def test_custom_callback_sees_the_model_and_params(keras_target, epochs, n, batch_size):
    rec = sup.Recorder()
    x, y = sup.data(n)
    with keras_target.scope():
        model = sup.compiled_model(keras_target)
        sup.fit_quietly(model, x, y, epochs=epochs, batch_size=batch_size, callbacks=[rec])
    assert all(seen is model for seen in rec.seen_models)
    assert rec.params["epochs"] == epochs
    assert rec.params["steps"] == math.ceil(n / batch_size)


@STOP_TRAINING
@given(epochs=st.integers(2, 4), data=st.data())
@scaled_examples(0.2)
def test_stop_training_ends_fit_after_the_epoch(keras_target, epochs, data):
    stop_epoch = data.draw(st.integers(0, epochs - 1), label="stop_epoch")
    rec = sup.Recorder()
    x, y = sup.data(6)
    with keras_target.scope():
        model = sup.compiled_model(keras_target)
        history = sup.fit_quietly(
            model, x, y, epochs=epochs, batch_size=4, callbacks=[StopAt(stop_epoch), rec]
        )
    expected = sup.expected_fit_events(stop_epoch + 1, steps=2)
    assert rec.events == expected
    assert history.epoch == list(range(stop_epoch + 1))


@LIST_ORDER
@given(count=st.integers(2, 4), epochs=st.integers(1, 2), n=st.integers(1, 6))
@scaled_examples(0.2)
def test_callbacks_run_in_list_order(keras_target, count, epochs, n):
    events: list = []
    recorders = [sup.Recorder(events, tag=f"cb{i}") for i in range(count)]
    x, y = sup.data(n)
    with keras_target.scope():
        model = sup.compiled_model(keras_target)
        sup.fit_quietly(
            model, x, y, epochs=epochs, batch_size=4, callbacks=recorders, validation_data=(x, y)
        )
        model.predict(x, callbacks=recorders, verbose=0)
    tags = [f"cb{i}" for i in range(count)]
    assert len(events) % count == 0
    for start in range(0, len(events), count):
        group = events[start : start + count]
        assert [e[0] for e in group] == tags, group
        assert len({e[1:] for e in group}) == 1, group


# Hooks come in begin/end pairs, as a custom loop calls them (Keras 2's CallbackList times
# each batch from its begin hook: an end without a begin is not a loop's call sequence).
DISPATCHED = ("epoch", "train_batch", "test_batch", "predict_batch")


def _paired(kinds: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return [(f"on_{kind}_{edge}", index) for kind, index in kinds for edge in ("begin", "end")]


@LIST_ORDER
@given(
    count=st.integers(2, 5),
    calls=st.lists(st.tuples(st.sampled_from(DISPATCHED), st.integers(0, 9)), max_size=6).map(
        _paired
    ),
)
def test_callback_list_dispatches_in_list_order(keras_target, count, calls):
    """The documented CallbackList (what fit uses) driven directly, as a custom loop would."""
    events: list = []
    recorders = [sup.Recorder(events, tag=f"cb{i}") for i in range(count)]
    with keras_target.scope():
        model = sup.compiled_model(keras_target)
        callbacks = sup.keras.callbacks.CallbackList(recorders, model=model)
        callbacks.on_train_begin()
        for hook, index in calls:
            getattr(callbacks, hook)(index, {"loss": float(index)})
        callbacks.on_train_end()
    tags = [f"cb{i}" for i in range(count)]
    assert len(events) == count * (len(calls) + 2)
    for start in range(0, len(events), count):
        group = events[start : start + count]
        assert [e[0] for e in group] == tags, group
        assert len({e[1:] for e in group}) == 1, group
