"""The runtime suite: a device set-up that TensorFlow did not apply fails the run.

The planted fault makes ``tf.config.set_logical_device_configuration`` accept the split and
do nothing, in a fresh process (the split must happen before TensorFlow initialises; this
process is split already). Without the runtime claim such a run passes, on fewer devices.
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.helpers import run_conformance_subprocess, suite

CLAIM = "runtime.logical-device-configuration-applies"
SUITE = "runtime/test_device_setup.py"

# A `-p` plugin: its tryfirst pytest_configure runs before tf2conf's, which splits the CPU.
NO_OP_SPLIT = """
import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    import tensorflow as tf

    tf.config.set_logical_device_configuration = lambda device, logical_devices: None
"""


def test_stock_run_passes_once_on_host(run_conformance) -> None:
    run = run_conformance(suite(SUITE), "--tf2conf-devices", "CPU:1")
    assert run.result.ret == 0, run.result.outlines[-20:]
    assert run.outcomes == {(CLAIM, "host"): "passed"}
    assert len(run.report["results"]) == 2  # two tests, each once per run, not per target


def test_selected_device_that_tf_does_not_list_fails(run_conformance, monkeypatch) -> None:
    """A device the run selected at start is gone when the suite runs (start() already
    rejects a --tf2conf-devices entry TF does not list: a usage error)."""
    from pytest_tf2conf import session

    real = session.RunState.requested

    def with_lost_device(self):
        asked = real(self)
        return dataclasses.replace(asked, devices=(*asked.devices, "CPU:5"))

    monkeypatch.setattr(session.RunState, "requested", with_lost_device)
    run = run_conformance(suite(SUITE))
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    (failed,) = [r for r in run.report["results"] if r["outcome"] == "failed"]
    assert "the run selected CPU:5, TensorFlow lists CPU:0, CPU:1" in failed["message"]


def test_split_accepted_but_not_applied_fails_the_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(tf2conf_planted_split=NO_OP_SPLIT)
    proc, report = run_conformance_subprocess(
        pytester.path, suite(SUITE), "--tf2conf-virtual-cpus", "2", "-p", "tf2conf_planted_split"
    )
    output = proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.returncode == pytest.ExitCode.TESTS_FAILED, output
    assert report["environment"]["devices"] == ["CPU:0"], output  # the smaller run it was
    (failed,) = [r for r in report["results"] if r["outcome"] == "failed"]
    assert failed["claim"] == CLAIM and failed["target"] == "host"
    assert "asked for 2 logical CPUs, TensorFlow lists 1 (CPU:0)" in failed["message"]


def test_stock_split_in_a_fresh_process_passes(pytester: pytest.Pytester) -> None:
    proc, report = run_conformance_subprocess(
        pytester.path, suite(SUITE), "--tf2conf-virtual-cpus", "2"
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert report["environment"]["devices"] == ["CPU:0", "CPU:1"]
    assert {r["outcome"] for r in report["results"]} == {"passed"}
