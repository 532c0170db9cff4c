"""Planted faults for the upgrade gate: each must show in ``tf2conf diff``'s behaviour section.

Two in-process runs of a small selection of the Keras suites (CPU:0, quick profile) give a
baseline and a candidate report; the planted fault is in one of them:

- a linked claim switching: the baseline is a planted "Keras 2" (the version the claims'
  ranges see says 2.15.0, and ReduceLROnPlateau logs the rate as ``lr``, as Keras 2 does);
  the candidate is stock Keras 3. The diff lists the pair with both statements and docs,
  and the logged keys it observed on each side; no regression.
- an observation changing: the candidate's variables are named the Keras 2 way
  (``kernel:0``); every claim still passes, the diff lists the changed weight names.
- a regression hidden behind a behaviour change: the same planted Keras 2 baseline, and a
  Keras 3 candidate whose ReduceLROnPlateau still logs ``lr`` (the rename forgotten). The
  claim ids differ, so only the behaviour section can see it; it counts as a regression.
"""

from __future__ import annotations

import json

import keras
import pytest

from pytest_tf2conf import cli, session
from pytest_tf2conf.report import diff
from tests.helpers import suite
from tests.test_report_support import write_report

LR_SELECTION = "plateau_logged_key"
NAMES_SELECTION = "subclassed_model_tracks_weights"
LEGACY, CURRENT = "callbacks.reduce-lr-logs-lr", "callbacks.reduce-lr-logs-learning-rate"


def _run(run_conformance, path: str, selection: str) -> dict:
    run = run_conformance(
        suite(path), "--tf2conf-devices", "CPU:0", "-k", selection, profile="quick"
    )
    return run.report


def _log_lr_as_keras2(monkeypatch) -> None:
    real = keras.callbacks.ReduceLROnPlateau.on_epoch_end

    def on_epoch_end(self, epoch, logs=None):
        real(self, epoch, logs)
        if logs is not None and "learning_rate" in logs:
            logs["lr"] = logs.pop("learning_rate")  # same dict: History sees the rename

    monkeypatch.setattr(keras.callbacks.ReduceLROnPlateau, "on_epoch_end", on_epoch_end)


def _keras2_baseline(run_conformance, monkeypatch) -> dict:
    """The documented Keras 2 behaviour, planted, under a version gate that says Keras 2."""
    real_versions = session.run_versions
    with monkeypatch.context() as patch:
        patch.setattr(
            session, "run_versions", lambda state: {**real_versions(state), "keras": "2.15.0"}
        )
        _log_lr_as_keras2(patch)
        return _run(run_conformance, "callbacks/test_learning_rate.py", LR_SELECTION)


def _diff(tmp_path, base: dict, cand: dict, *extra: str) -> tuple[int, dict]:
    paths = write_report(tmp_path, "b.json", base), write_report(tmp_path, "c.json", cand)
    out = tmp_path / "diff.json"
    code = cli.main(["diff", *paths, "--format", "json", "-o", str(out), *extra])
    return code, json.loads(out.read_text())


def test_linked_claim_switch_is_listed(run_conformance, monkeypatch, tmp_path) -> None:
    base = _keras2_baseline(run_conformance, monkeypatch)
    cand = _run(run_conformance, "callbacks/test_learning_rate.py", LR_SELECTION)
    code, out = _diff(tmp_path, base, cand)
    assert code == 0, out["regressions"]
    (switch,) = out["behaviour"]["switched"]
    assert (switch["from"]["claim"], switch["to"]["claim"]) == (LEGACY, CURRENT)
    assert (switch["baseline"], switch["candidate"]) == ("passed", "passed")
    assert switch["from"]["doc"].startswith("https://www.tensorflow.org/versions/r2.15/")
    assert switch["to"]["doc"].startswith("https://keras.io/")
    (keys,) = [o for o in switch["observations"] if o["name"] == "History keys"]
    assert "lr" in keys["baseline"] and "learning_rate" in keys["candidate"]
    assert _diff(tmp_path, base, cand, "--fail-on-behaviour-change")[0] == 1


def test_changed_observation_is_listed(run_conformance, monkeypatch, tmp_path) -> None:
    base = _run(run_conformance, "model/test_apis.py", NAMES_SELECTION)
    variable = type(keras.Variable((1,)))  # the backend's class (names read through it)
    real_name = variable.name
    monkeypatch.setattr(variable, "name", property(lambda v: real_name.fget(v) + ":0"))
    cand = _run(run_conformance, "model/test_apis.py", NAMES_SELECTION)
    code, out = _diff(tmp_path, base, cand)
    assert code == 0 and out["regressions"] == []
    rows = [r for r in out["behaviour"]["observations"] if r["name"] == "weight names"]
    assert rows and all(
        all(n.endswith(":0") for n in r["candidate"]) and not any(":" in n for n in r["baseline"])
        for r in rows
    ), rows
    assert _diff(tmp_path, base, cand, "--fail-on-behaviour-change")[0] == 1


def test_regression_behind_a_switch_is_caught(run_conformance, monkeypatch, tmp_path) -> None:
    base = _keras2_baseline(run_conformance, monkeypatch)
    _log_lr_as_keras2(monkeypatch)  # Keras 3 that forgot to rename the key
    cand = _run(run_conformance, "callbacks/test_learning_rate.py", LR_SELECTION)
    code, out = _diff(tmp_path, base, cand)
    assert code == 1
    (row,) = out["regressions"]
    assert row["claim"] == CURRENT and row["behind"] == f"{LEGACY} -> {CURRENT}"
    # The claim-by-claim comparison alone sees no regression: the ids differ.
    assert diff.compare(base, cand)["regressions"] == [row]
    plain = [r for r in diff.compare(base, cand)["regressions"] if "behind" not in r]
    assert plain == []


@pytest.mark.parametrize("selection", [LR_SELECTION])
def test_stock_selection_passes(run_conformance, selection) -> None:
    report = _run(run_conformance, "callbacks/test_learning_rate.py", selection)
    outcomes = {r["claim"]: r["outcome"] for r in report["results"]}
    assert outcomes == {CURRENT: "passed", LEGACY: "skipped"}, outcomes
