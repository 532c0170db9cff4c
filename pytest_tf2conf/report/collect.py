"""Gathering results on the controller and writing the report files.

Every test item carries a ``tf2conf`` user property (claims, target, test id) from
collection on, so each phase report, including the setup report sent by an xdist worker
before it crashes, names what the test checks. Measurements of the call (traces, examples,
falsifying example, tolerance) travel as ``tf2conf.call``. Only the controller (the single
process without xdist) builds results from ``pytest_runtest_logreport``: ``-n auto`` loses
nothing, and a test whose worker died is recorded as ``crashed``. The controller also keeps
a journal of the run (``journal.py``), so that a crash of the process itself loses nothing
either.
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
from . import markdown, recover, schema, terminal
from .journal import JOURNAL_NAME, JournalWriter

ITEM_PROPERTY = "tf2conf"
CALL_PROPERTY = "tf2conf.call"
JSON_NAME = "tf2conf-report.json"
MARKDOWN_NAME = "tf2conf-report.md"

_BLOB = re.compile(r"@reproduce_failure\((['\"])([^'\"]+)\1,\s*b(['\"])([^'\"]+)\3\)")
_STRICT_XPASS = "[XPASS(strict)]"
# Hypothesis' "Falsifying example:" (older) / "Failing test case:" (newer) block, up to the
# next unindented line; a closing ")" belongs to the block.
_FALSIFYING = re.compile(
    r"^((?:Falsifying (?:explicit )?example|Failing test case): .*?)(?=^(?!\))\S|\Z)", re.M | re.S
)

# Extra renderers (HTML, JUnit extras) register here: fn(report dict, folder) -> None.
RENDERERS: list[Callable[[dict[str, Any], Path], None]] = []


def _properties(report: pytest.TestReport) -> dict[str, Any]:
    channel = getattr(report, "tf2conf", None)
    if isinstance(channel, dict):  # set by the plugin's makereport; survives xdist as is
        return {
            key: channel[part]
            for key, part in ((ITEM_PROPERTY, "item"), (CALL_PROPERTY, "call"))
            if part in channel
        }
    # Older channel: user properties (kept readable for reports of older plugin versions).
    return {
        key: value
        for key, value in report.user_properties
        if key in (ITEM_PROPERTY, CALL_PROPERTY) and isinstance(value, dict)
    }


def _message(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    if isinstance(longrepr, tuple):  # skip: (path, line, reason)
        reason = str(longrepr[2]).removeprefix("Skipped: ")
        # An Unsupported skip is printed as "pytest_tf2conf.targets.Unsupported: unsupported on"
        position = reason.find(UNSUPPORTED_PREFIX)
        return reason[position:] if position >= 0 else reason
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        return str(crash.message).strip()
    text = str(longrepr).strip()
    return text.splitlines()[-1] if text else ""


def falsifying_example(report: pytest.TestReport) -> str | None:
    # The traceback and captured output first ("Falsifying example:" is printed there);
    # then the crash message, where newer hypothesis notes "Failing test case:" (in the
    # traceback that line hides behind "E   " prefixes).
    text = _report_text(report) + "\n" + _message(report)
    match = _FALSIFYING.search(text)
    return match.group(1).strip() if match else None


def _report_text(report: pytest.TestReport) -> str:
    text = str(report.longrepr or "")
    for _, content in report.sections:
        text += "\n" + content
    return text


def reproduce_blob(report: pytest.TestReport) -> list[str] | None:
    """``[hypothesis version, blob]`` of hypothesis' ``@reproduce_failure`` hint, if printed."""
    match = _BLOB.search(_report_text(report))
    return [match.group(2), match.group(4)] if match else None


def phase_outcome(report: pytest.TestReport) -> str | None:
    """The outcome one phase report implies, or None when the phase changes nothing."""
    xfail = hasattr(report, "wasxfail")
    call = _properties(report).get(CALL_PROPERTY) or {}
    if report.when not in ("setup", "call", "teardown"):
        return "crashed"
    if report.failed:
        if "crashed" in str(report.longrepr or "") and "worker" in str(report.longrepr or ""):
            return "crashed"
        if report.when == "call":
            # A strict xfail that passed: the expected deviation is gone ("fixed").
            strict_xpass = str(report.longrepr or "").startswith(_STRICT_XPASS)
            return "xpassed" if xfail or strict_xpass else "failed"
        return "error"
    if report.skipped:
        if xfail:
            return "xfailed"
        return "unsupported" if call.get("unsupported") else "skipped"
    if report.when == "call":
        # A non-strict xfail that passed (strict ones fail, above): the expected deviation
        # shows only on some examples, this run's did not hit it. A pass, not a fix.
        return "passed"
    return None


class Collector:
    """Controller-side pytest plugin: results in, report files out."""

    def __init__(
        self,
        report_dir: Path,
        environment: Callable[[], dict[str, Any]],
        state: Callable[[], Any] | None = None,
        resume: recover.Resume | None = None,
    ) -> None:
        self.report_dir = report_dir
        self._environment = environment
        self._state = state
        self.expectations: dict[str, Any] | None = None
        self.catalogue: dict[str, dict[str, str]] = {}
        self.tests: dict[str, dict[str, Any]] = {}  # nodeid -> accumulated result
        self.resume = resume
        if resume is not None:  # the interrupted run's results belong to this report
            self.tests.update({nodeid: dict(entry) for nodeid, entry in resume.tests.items()})
            self.add_claims(resume.claims)
        self.journal = JournalWriter(report_dir / JOURNAL_NAME)
        # nodeid -> item payload, when this process collected (not the xdist controller)
        self.payloads: dict[str, dict[str, Any]] = {}
        self.earlier_crash: str | None = None  # what set_aside did with a dead run's journal
        self.worker_environment: dict[str, Any] | None = None
        self.started = time.time()
        self.interrupted = False
        self.written: list[Path] = []
        self.report: dict[str, Any] | None = None  # built at session finish, for the summary

    # -- gathering ---------------------------------------------------------------------
    def add_claims(self, claims: list[dict[str, str]]) -> None:
        for entry in claims:
            self.catalogue.setdefault(entry["id"], entry)

    def collected(self, payloads: dict[str, dict[str, Any]]) -> None:
        """The conformance tests about to run here, so their started lines name claims."""
        self.payloads.update(payloads)

    # -- the journal -------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if session.config.option.collectonly:
            return
        keep = self.resume.source if self.resume is not None else None
        self.earlier_crash = recover.set_aside(self.report_dir, keep)

    def _journal(self) -> JournalWriter:
        """Opened before the first test (not at session start: the claims are known then)."""
        if not self.journal.is_open and self.journal.error is None:
            state = self._state() if self._state is not None else None
            claims = dict(self.catalogue)
            for claim in getattr(getattr(state, "catalogue", None), "as_dicts", list)():
                claims.setdefault(claim["id"], claim)
            environment = {k: v for k, v in self._environment().items() if v is not None}
            if self.resume is not None:
                environment["resumed_from"] = str(self.resume.source.parent)
            header = {
                "started": _iso(self.started),
                "environment": environment,
                "claims": list(claims.values()),
                "expectations": getattr(state, "expectations_info", None),
            }
            carried = self.resume.carried_lines() if self.resume is not None else []
            self.journal.open(header, carried)
        return self.journal

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        # Written before the test runs: after a crash, the journal names it.
        if nodeid in self.payloads:
            self._journal().write("started", nodeid=nodeid, payload=self.payloads[nodeid])

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
            if report.nodeid not in self.payloads:  # xdist: the first word of this test
                self._journal().write("started", nodeid=report.nodeid, payload=base)
        self._record(report, props, entry)
        # Teardown is the last phase; xdist reports a dead worker's test as phase "???".
        if report.when not in ("setup", "call"):
            self._journal().write("result", entry=entry)

    def _record(
        self, report: pytest.TestReport, props: dict[str, Any], entry: dict[str, Any]
    ) -> None:
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
            blob = reproduce_blob(report)
            if blob:
                entry["blob"] = blob
        call = props.get(CALL_PROPERTY)
        if call:
            entry.update({k: v for k, v in call.items() if k != "unsupported"})

    @pytest.hookimpl(optionalhook=True)  # an xdist hook: unknown where xdist is not installed
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        output = getattr(node, "workeroutput", {}) or {}
        new = [c for c in output.get("tf2conf_claims", []) if c["id"] not in self.catalogue]
        self.add_claims(new)
        if new:
            self._journal().write("claims", claims=new)
        if output.get("tf2conf_expectations") and self.expectations is None:
            self.expectations = output["tf2conf_expectations"]
        if output.get("tf2conf_environment") and self.worker_environment is None:
            self.worker_environment = output["tf2conf_environment"]

    def pytest_keyboard_interrupt(self) -> None:
        self.interrupted = True

    # -- writing -----------------------------------------------------------------------
    def results(self) -> list[dict[str, Any]]:
        return recover.result_rows(self.tests)

    def build(self, exitstatus: int) -> dict[str, Any]:
        environment = dict(self.worker_environment or {})
        environment.update({k: v for k, v in self._environment().items() if v is not None})
        environment["start_time"] = _iso(self.started)
        if self.resume is not None:
            environment["resumed_from"] = str(self.resume.source.parent)
        environment["end_time"] = _iso(time.time())
        complete = not self.interrupted and exitstatus != pytest.ExitCode.INTERRUPTED
        report = schema.build(environment, list(self.catalogue.values()), self.results(), complete)
        state = self._state() if self._state is not None else None
        expectations = self.expectations or getattr(state, "expectations_info", None)
        if expectations is not None:
            report["expectations"] = expectations
        return report

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if session.config.option.collectonly:
            return
        self.report = self.build(int(exitstatus))
        self.written = write(self.report, self.report_dir)
        # Last, after the report: a run that dies while writing it is still recoverable.
        journal = self._journal()
        journal.write("finished", exitstatus=int(exitstatus), complete=self.report["complete"])
        journal.close()

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        # Printed whatever the verbosity (-q included): it is the run's main output.
        if self.report is not None:
            terminal.write(terminalreporter, self.report, self.report_dir / MARKDOWN_NAME)
        for path in self.written:
            terminalreporter.write_line(f"tf2conf: wrote {path}")
        if self.earlier_crash:
            terminalreporter.write_line(self.earlier_crash)
        if self.journal.error:
            terminalreporter.write_line(f"tf2conf: journal stopped: {self.journal.error}")


def write(report: dict[str, Any], folder: Path) -> list[Path]:
    """JSON, Markdown, the repro scripts of the failures, then every extra renderer."""
    from . import repro

    folder.mkdir(parents=True, exist_ok=True)
    scripts = repro.write_scripts(report, folder)  # sets each failing result's "repro"
    json_path = folder / JSON_NAME
    json_path.write_text(json.dumps(report, indent=1, sort_keys=False, default=str) + "\n")
    md_path = folder / MARKDOWN_NAME
    md_path.write_text(markdown.render(report))
    written = [json_path, md_path, *scripts]
    for render in RENDERERS:
        written.extend(render(report, folder) or [])
    return written


def _register_builtin_renderers() -> None:
    from . import html

    if html.write not in RENDERERS:
        RENDERERS.append(html.write)


_register_builtin_renderers()


def _iso(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))
