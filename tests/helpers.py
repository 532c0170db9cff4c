"""Helpers for the project's own tests: running suites and reading their reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase

from pytest_tf2conf import profiles
from pytest_tf2conf.report.schema import claim_outcomes

_NO_SHRINK_PHASES = (Phase.explicit, Phase.reuse, Phase.generate)

ROOT = Path(__file__).resolve().parent.parent
SUITES_DIR = ROOT / "suites"  # the checkout's bundled suites (shipped as pytest_tf2conf.suites)
VIRTUAL_CPUS = 2


def suite(path: str) -> str:
    """Absolute path of a bundled suite file or folder, e.g. suite('tensor/test_dtypes.py')."""
    full = SUITES_DIR / path.split("::")[0]
    assert full.exists(), f"no suite at {full}"
    return str(SUITES_DIR / path)


@dataclass
class ConformanceRun:
    result: Any  # pytest.RunResult
    report: dict[str, Any]

    @property
    def outcomes(self) -> dict[tuple[str, str], str]:
        """(claim id, target) -> outcome."""
        return claim_outcomes(self.report.get("results", []))

    def claims_with(self, *outcomes: str) -> set[str]:
        return {claim for (claim, _), out in self.outcomes.items() if out in outcomes}

    @property
    def failed_claims(self) -> set[str]:
        return self.claims_with("failed", "error", "crashed")

    @property
    def failing_tests(self) -> set[str]:
        """The test ids (with their parameters) that failed."""
        return {r["test"] for r in self.report.get("results", []) if r["outcome"] == "failed"}

    def assert_all_passed(self) -> None:
        # A test restricted to other modes than the run's shows as skipped on "host".
        bad = {
            (claim, target): v
            for (claim, target), v in self.outcomes.items()
            if v not in ("passed", "xfailed") and (target, v) != ("host", "skipped")
        }
        assert not bad, f"claims not passing on stock TensorFlow: {bad}\n" + "\n".join(
            self.result.outlines[-30:]
        )


def _base_args(report_dir: Path, profile: str) -> list[str]:
    return [
        "--tf2conf",
        "--tf2conf-profile",
        profile,
        "--tf2conf-report",
        str(report_dir),
        "-p",
        "no:cacheprovider",
        "-q",
    ]


def _read_report(report_dir: Path) -> dict[str, Any]:
    path = report_dir / "tf2conf-report.json"
    return json.loads(path.read_text()) if path.exists() else {}


def run_conformance_inprocess(
    pytester: pytest.Pytester, *args: str, profile: str = "ci", shrink: bool = False
) -> ConformanceRun:
    """Run ``pytest --tf2conf`` in this process.

    Shrinking is off by default: a planted fault only has to fail, and shrinking its
    counterexample can re-run fit or XLA compiles dozens of times. The examples drawn are
    the profile's own (derandomized for ci).
    """
    report_dir = pytester.path / "reports"
    with pytest.MonkeyPatch.context() as patch:
        if not shrink:
            no_shrink = {**profiles.PROFILE_SETTINGS[profile], "phases": _NO_SHRINK_PHASES}
            patch.setitem(profiles.PROFILE_SETTINGS, profile, no_shrink)
        # A fixed seed unless the caller picks one: the project's tests must not be flaky
        # (ci is derandomized anyway; quick and thorough would draw new examples per run).
        seed = [] if "--hypothesis-seed" in args else ["--hypothesis-seed", "0"]
        result = pytester.runpytest_inprocess(*_base_args(report_dir, profile), *seed, *args)
    return ConformanceRun(result, _read_report(report_dir))


def run_conformance_subprocess(
    cwd: Path, *args: str, profile: str = "quick", timeout: float = 600
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """A fresh ``python -m pytest --tf2conf`` process (for options that act before TF starts)."""
    report_dir = cwd / "reports"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", *_base_args(report_dir, profile), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    return proc, _read_report(report_dir)
