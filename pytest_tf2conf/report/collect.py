"""Gathering results on the controller and writing the report files.

Every test item carries a ``tf2conf`` user property (claims, target, test id) from
collection on, so each phase report, including the setup report sent by an xdist worker
before it crashes, names what the test checks. Measurements of the call (traces, examples,
falsifying example, tolerance) travel as ``tf2conf.call``. Only the controller (the single
process without xdist) builds results from ``pytest_runtest_logreport``: ``-n auto`` loses
nothing, and a test whose worker died is recorded as ``crashed``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ..targets import UNSUPPORTED_PREFIX
from . import markdown, schema

ITEM_PROPERTY = "tf2conf"
CALL_PROPERTY = "tf2conf.call"
JSON_NAME = "tf2conf-report.json"
MARKDOWN_NAME = "tf2conf-report.md"

_FALSIFYING = re.compile(r"^(Falsifying (?:explicit )?example: .*?)(?=^\S|\Z)", re.M | re.S)

# Extra renderers (HTML, JUnit extras) register here: fn(report dict, folder) -> None.
RENDERERS: list[Callable[[dict[str, Any], Path], None]] = []


def _properties(report: pytest.TestReport) -> dict[str, Any]:
    return {key: value for key, value in report.user_properties if key.startswith(ITEM_PROPERTY)}


def _message(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    if isinstance(longrepr, tuple):  # skip: (path, line, reason)
        return str(longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        return str(crash.message).strip()
    text = str(longrepr).strip()
    return text.splitlines()[-1] if text else ""


def falsifying_example(report: pytest.TestReport) -> str | None:
    text = str(report.longrepr or "")
    for _, content in report.sections:
        text += "\n" + content
    match = _FALSIFYING.search(text)
    return match.group(1).strip() if match else None


def phase_outcome(report: pytest.TestReport) -> str | None:
    """The outcome one phase report implies, or None when the phase changes nothing."""
    xfail = hasattr(report, "wasxfail")
    if report.when not in ("setup", "call", "teardown"):
        return "crashed"
    if report.failed:
        if "crashed" in str(report.longrepr or "") and "worker" in str(report.longrepr or ""):
            return "crashed"
        if report.when == "call":
            return "xpassed" if xfail else "failed"
        return "error"
    if report.skipped:
        if xfail:
            return "xfailed"
        return "unsupported" if _message(report).startswith(UNSUPPORTED_PREFIX) else "skipped"
    if report.when == "call":
        return "xpassed" if xfail else "passed"
    return None


class Collector:
    """Controller-side pytest plugin: results in, report files out."""

    def __init__(self, report_dir: Path, environment: Callable[[], dict[str, Any]]) -> None:
        self.report_dir = report_dir
        self._environment = environment
        self.catalogue: dict[str, dict[str, str]] = {}
        self.tests: dict[str, dict[str, Any]] = {}  # nodeid -> accumulated result
        self.worker_environment: dict[str, Any] | None = None
        self.started = time.time()
        self.interrupted = False
        self.written: list[Path] = []

    # -- gathering ---------------------------------------------------------------------
    def add_claims(self, claims: list[dict[str, str]]) -> None:
        for entry in claims:
            self.catalogue.setdefault(entry["id"], entry)

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = _properties(report)
        entry = self.tests.get(report.nodeid)
        if entry is None:
            base = props.get(ITEM_PROPERTY)
            if base is None:
                return  # not a conformance test
            entry = self.tests[report.nodeid] = {**base, "nodeid": report.nodeid, "duration": 0.0}
            entry["outcome"] = None
            self.add_claims(base.get("claim_info", []))
        entry["duration"] = round(entry["duration"] + (report.duration or 0.0), 6)
        outcome = phase_outcome(report)
        if outcome is None:
            return
        # A later phase can only make things worse (teardown error after a pass).
        if entry["outcome"] in (None, "passed") or outcome in ("error", "crashed"):
            entry["outcome"] = outcome
            entry["message"] = _message(report)
            example = falsifying_example(report)
            if example:
                entry["example"] = example
        call = props.get(CALL_PROPERTY)
        if call:
            entry.update(call)

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        output = getattr(node, "workeroutput", {}) or {}
        self.add_claims(output.get("tf2conf_claims", []))
        if output.get("tf2conf_environment") and self.worker_environment is None:
            self.worker_environment = output["tf2conf_environment"]

    def pytest_keyboard_interrupt(self) -> None:
        self.interrupted = True

    # -- writing -----------------------------------------------------------------------
    def results(self) -> list[dict[str, Any]]:
        rows = []
        for entry in self.tests.values():
            outcome = entry.get("outcome") or "error"
            for claim_id in entry.get("claims", []):
                row = {k: v for k, v in entry.items() if k not in ("claims", "claim_info")}
                row.update(claim=claim_id, outcome=outcome, message=entry.get("message", ""))
                row.setdefault("example", None)
                rows.append(row)
        return rows

    def build(self, exitstatus: int) -> dict[str, Any]:
        environment = dict(self.worker_environment or {})
        environment.update({k: v for k, v in self._environment().items() if v is not None})
        environment["start_time"] = _iso(self.started)
        environment["end_time"] = _iso(time.time())
        complete = not self.interrupted and exitstatus != pytest.ExitCode.INTERRUPTED
        return schema.build(environment, list(self.catalogue.values()), self.results(), complete)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if session.config.option.collectonly:
            return
        report = self.build(int(exitstatus))
        self.written = write(report, self.report_dir)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        for path in self.written:
            terminalreporter.write_line(f"tf2conf: wrote {path}")


def write(report: dict[str, Any], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / JSON_NAME
    json_path.write_text(json.dumps(report, indent=1, sort_keys=False, default=str) + "\n")
    md_path = folder / MARKDOWN_NAME
    md_path.write_text(markdown.render(report))
    written = [json_path, md_path]
    for render in RENDERERS:
        written.extend(render(report, folder) or [])
    return written


def _iso(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))
