"""Reports and resumed runs from a journal (see ``journal.py``).

Three users: ``tf2conf report --from-journal DIR`` (``report``), a new run that finds the
journal of a run that died in its report folder (``set_aside``), and ``--tf2conf-resume``
(``resume_from``).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import journal as journal_module
from . import schema
from .journal import JOURNAL_NAME, Journal, JournalError

CRASH_MESSAGE = (
    "crashed: the process died while this test ran (the journal cannot tell the signal or "
    "exit status: see the job's log; SIGSEGV, SIGABRT, SIGKILL and the OOM killer look alike)"
)
NOT_RERUN_YET = "crashed in an earlier attempt of this run; not run again yet"
CRASHED_TWICE = "; it crashed in an earlier attempt of this run too: not run again"
# What plugin._item_payload gives every test: what a crashed test's result is made of.
_PAYLOAD_KEYS = ("test", "claims", "claim_info", "target", "device", "mode", "backend")
CRASHED_RUN_PREFIX = "crashed-run-"


def crashed_entry(nodeid: str, line: dict[str, Any], message: str) -> dict[str, Any] | None:
    """The result of a test that took the process down (None: its claims are unknown)."""
    payload = line.get("payload")
    if not isinstance(payload, dict):
        return None
    return {**payload, "nodeid": nodeid, "duration": 0.0, "outcome": "crashed", "message": message}


def died_running(journal: Journal) -> list[str]:
    """Tests the process died in (none after a normal end: there, it was interrupted)."""
    return journal.running if journal.finished is None else []


def entries(journal: Journal) -> dict[str, dict[str, Any]]:
    """Finished tests, and as crashed: the test(s) running when the process died, and those
    a resumed run was to re-run but had not reached."""
    found = dict(journal.results)
    lines = [(n, journal.started[n], CRASH_MESSAGE) for n in died_running(journal)]
    lines += [(n, line, NOT_RERUN_YET) for n, line in journal.crashes.items()]
    for nodeid, line, message in lines:
        entry = crashed_entry(nodeid, line, message)
        if entry is not None:
            found.setdefault(nodeid, entry)
    return found


def result_rows(tests: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per claim of each test entry (what the report's ``results`` hold)."""
    rows = []
    for entry in tests.values():
        outcome = entry.get("outcome") or "error"
        for claim_id in entry.get("claims", []):
            row = {k: v for k, v in entry.items() if k not in ("claims", "claim_info")}
            row.update(claim=claim_id, outcome=outcome, message=entry.get("message", ""))
            row.setdefault("example", None)
            rows.append(row)
    return rows


def catalogue(journal: Journal, tests: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    claims: dict[str, dict[str, Any]] = {}
    for claim in journal.claims:
        claims.setdefault(claim["id"], claim)
    for entry in tests.values():
        for claim in entry.get("claim_info", []):
            claims.setdefault(claim["id"], claim)
    return list(claims.values())


def report(journal: Journal) -> dict[str, Any]:
    """The report the journal's run would have written, as far as it got."""
    from .load import ReportError, validate

    tests = entries(journal)
    environment = dict(journal.header.get("environment") or {})
    environment["start_time"] = journal.header.get("started")
    if journal.last_time is not None:
        environment["end_time"] = _iso(journal.last_time)
    environment["recovered_from"] = str(journal.path)
    running = died_running(journal)
    if running:
        environment["running_when_it_died"] = running
    complete = bool(journal.finished and journal.finished.get("complete") is True)
    built = schema.build(environment, catalogue(journal, tests), result_rows(tests), complete)
    if isinstance(journal.header.get("expectations"), dict):
        built["expectations"] = journal.header["expectations"]
    try:  # what diff, merge and expectations will accept: nothing half-typed gets out
        return validate(built, str(journal.path))
    except ReportError as exc:
        raise JournalError(str(exc)) from None


def describe_running(journal: Journal) -> str:
    running = journal.running
    if not running:
        return "between tests"
    return "while running " + ", ".join(running[:3]) + (" ..." if len(running) > 3 else "")


# -- the next run in the same folder -----------------------------------------------------------
def set_aside(report_dir: Path, keep: Path | None = None) -> str | None:
    """Move the journal of a run that died out of the new run's way, with its report.

    A journal without its ``finished`` line in ``report_dir`` goes to
    ``report_dir/crashed-run-<its start time>/``, next to the report written from it. Returns
    the line to show the user, or None when there was nothing to do. ``keep``: the journal
    this run resumes (it is carried into the new journal instead).
    """
    from .collect import write

    path = report_dir / JOURNAL_NAME
    try:
        if not path.is_file() or (keep is not None and keep.exists() and path.samefile(keep)):
            return None
        try:
            found: Journal | None = journal_module.read(path)
        except JournalError:
            found = None  # garbled: still moved aside, never overwritten unseen
        if found is not None and found.finished is not None:
            return None  # a run that ended: the new journal replaces it
        folder = _free_folder(report_dir, found, path)
        folder.mkdir(parents=True)
        moved = folder / JOURNAL_NAME
        os.replace(path, moved)
    except OSError as exc:
        return f"tf2conf: could not set aside the earlier journal {path}: {exc.strerror or exc}"
    if found is None:
        return f"tf2conf: moved an unreadable journal of an earlier run to {moved}"
    try:
        found = journal_module.read(moved)
        write(report(found), folder)
    except (OSError, JournalError) as exc:
        problem = getattr(exc, "strerror", None) or exc
        return f"tf2conf: moved the journal of an earlier run that died to {moved} ({problem})"
    return (
        f"tf2conf: the earlier run in {report_dir} died {describe_running(found)}; its report "
        f"is in {folder} (continue it with --tf2conf-resume {folder})"
    )


def _free_folder(report_dir: Path, found: Journal | None, path: Path) -> Path:
    started = found.header.get("started") if found is not None else None
    if not isinstance(started, str) or not started:
        started = _iso(path.stat().st_mtime)
    stamp = "".join(ch for ch in started if ch.isalnum())[:20]
    folder = report_dir / f"{CRASHED_RUN_PREFIX}{stamp}"
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = report_dir / f"{CRASHED_RUN_PREFIX}{stamp}-{suffix}"
    return folder


# -- resuming ----------------------------------------------------------------------------------
@dataclass
class Resume:
    """What ``--tf2conf-resume`` takes over from an interrupted run."""

    source: Path  # the journal
    tests: dict[str, dict[str, Any]] = field(default_factory=dict)  # nodeid -> entry, final
    claims: list[dict[str, Any]] = field(default_factory=list)
    crashes: dict[str, dict[str, Any]] = field(default_factory=dict)  # re-run, crashed once

    @property
    def done(self) -> frozenset[str]:
        """Test ids and node ids not to run again."""
        return frozenset(self.tests) | frozenset(e["test"] for e in self.tests.values())

    def carried_lines(self) -> list[dict[str, Any]]:
        """The lines that make the resumed run's journal whole on its own."""
        lines: list[dict[str, Any]] = [{"kind": "claims", "claims": self.claims}]
        lines += [{"kind": "result", "entry": entry} for entry in self.tests.values()]
        lines += [{"kind": "crash", **crash} for crash in self.crashes.values()]
        return lines


def resume_from(journal: Journal) -> Resume:
    """Finished tests are kept. A crashed test (its process died: the test running when the
    journal stops, or an xdist worker's) is run again, once: when it crashed an earlier
    attempt too, it is kept as crashed, so that resuming in a loop always ends."""
    tests = entries(journal)
    resume = Resume(source=journal.path, claims=catalogue(journal, tests))
    again = set(journal.results) | set(died_running(journal))  # crashed in this attempt
    for nodeid, entry in tests.items():
        if entry.get("outcome") != "crashed":
            resume.tests[nodeid] = entry
        elif nodeid in journal.crashes and nodeid in again:
            message = str(entry.get("message") or "") + CRASHED_TWICE
            resume.tests[nodeid] = {**entry, "message": message}
        else:
            payload = {key: entry[key] for key in _PAYLOAD_KEYS if key in entry}
            resume.crashes[nodeid] = {"nodeid": nodeid, "payload": payload}
    return resume


def _iso(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))
