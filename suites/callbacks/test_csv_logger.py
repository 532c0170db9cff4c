"""CSVLogger: a header, one row per epoch with the logged values, separator, append mode."""

from __future__ import annotations

import csv
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import claim
from pytest_tf2conf.keras_support import KERAS_NUMPY2_NOISE
from pytest_tf2conf.profiles import scaled_examples

from . import _support as sup

pytestmark = pytest.mark.filterwarnings(KERAS_NUMPY2_NOISE)

DOC = "https://keras.io/api/callbacks/csv_logger/"

ROWS = claim(
    "callbacks.csv-logger-row-per-epoch",
    "CSVLogger writes one row per epoch holding the epoch index and each logged value.",
    DOC,
)
HEADER = claim(
    "callbacks.csv-logger-header",
    "CSVLogger's first line is a header naming the epoch column and every logged metric.",
    DOC,
)
SEPARATOR = claim(
    "callbacks.csv-logger-separator",
    "CSVLogger separates fields with the given separator string.",
    DOC,
)
APPEND = claim(
    "callbacks.csv-logger-append",
    "CSVLogger with append=True adds the new epochs' rows after an existing file's rows "
    "(one header); append=False overwrites the file.",
    DOC,
)

KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")
value_st = st.floats(-1e6, 1e6, allow_nan=False, width=64)


@st.composite
def runs(draw: st.DrawFn) -> list[dict[str, float]]:
    """Per-epoch logs with a fixed, non-empty key set."""
    keys = draw(st.sets(st.sampled_from(KEYS), min_size=1))
    epochs = draw(st.integers(1, 5))
    return [{k: draw(value_st) for k in sorted(keys)} for _ in range(epochs)]


def _log(path: Path, epoch_logs: list[dict], separator: str = ",", append: bool = False) -> None:
    cb = sup.keras.callbacks.CSVLogger(str(path), separator=separator, append=append)
    cb.on_train_begin()
    for epoch, logs in enumerate(epoch_logs):
        cb.on_epoch_end(epoch, dict(logs))
    cb.on_train_end()


def _read(path: Path, separator: str = ",") -> list[list[str]]:
    with open(path, newline="") as f:
        return list(csv.reader(f, delimiter=separator))


def _check_rows(rows: list[list[str]], epoch_logs: list[dict], first_epoch: int = 0) -> None:
    header, body = rows[0], rows[1:]
    assert len(body) == len(epoch_logs), rows
    for i, (row, logs) in enumerate(zip(body, epoch_logs, strict=True)):
        record = dict(zip(header, row, strict=True))
        assert record["epoch"] == str(first_epoch + i)
        for key, value in logs.items():
            # The text is the value's repr at its own precision (Keras 2 logs some values as
            # np.float32, whose shortest repr reads back as that float32, not as a float64).
            got = type(value)(float(record[key]))
            assert got == value or (math.isnan(got) and math.isnan(value)), (key, record)


@ROWS
@given(epoch_logs=runs())
def test_one_row_per_epoch(keras_target, epoch_logs):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.csv"
        _log(path, epoch_logs)
        _check_rows(_read(path), epoch_logs)


@HEADER
@given(epoch_logs=runs())
def test_header_names_epoch_and_metrics(keras_target, epoch_logs):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.csv"
        _log(path, epoch_logs)
        header = _read(path)[0]
    assert header[0] == "epoch"
    assert set(epoch_logs[0]) <= set(header[1:])
    assert len(set(header)) == len(header)


@SEPARATOR
@given(epoch_logs=runs(), separator=st.sampled_from([";", "\t", "|", " "]))
def test_separator(keras_target, epoch_logs, separator):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.csv"
        _log(path, epoch_logs, separator=separator)
        rows = _read(path, separator)
        text = path.read_text()
    assert "," not in text
    _check_rows(rows, epoch_logs)


@APPEND
@given(keys=st.sets(st.sampled_from(KEYS), min_size=1), data=st.data(), append=st.booleans())
def test_append_mode(keras_target, keys, data, append):
    def one_run(label: str) -> list[dict]:
        epochs = data.draw(st.integers(1, 4), label=f"{label} epochs")
        return [{k: data.draw(value_st) for k in sorted(keys)} for _ in range(epochs)]

    first, second = one_run("first"), one_run("second")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.csv"
        _log(path, first)
        _log(path, second, append=append)
        rows = _read(path)
    if append:
        header, body = rows[0], rows[1:]
        assert "epoch" not in [r[0] for r in body], "a second header was written"
        _check_rows([header, *body[: len(first)]], first)
        _check_rows([header, *body[len(first) :]], second)
    else:
        _check_rows(rows, second)


@ROWS
@HEADER
@given(epochs=st.integers(1, 4), n=st.integers(1, 8), validation=st.booleans())
@scaled_examples(0.2)
def test_csv_logger_in_fit_matches_history(keras_target, epochs, n, validation):
    x, y = sup.data(n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fit.csv"
        with keras_target.scope():
            model = sup.compiled_model(keras_target)
            history = sup.fit_quietly(
                model,
                x,
                y,
                epochs=epochs,
                batch_size=4,
                validation_data=(x, y) if validation else None,
                callbacks=[sup.keras.callbacks.CSVLogger(str(path))],
            )
        rows = _read(path)
    per_epoch = [{k: v[i] for k, v in history.history.items()} for i in range(len(history.epoch))]
    assert len(per_epoch) == epochs
    assert set(history.history) <= set(rows[0])
    _check_rows(rows, per_epoch)
