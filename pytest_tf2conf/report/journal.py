"""The run journal: ``<report dir>/tf2conf-journal.jsonl``, one JSON object a line.

The controller appends to it while the run goes, so that a process that dies (SIGSEGV in
a kernel, SIGABRT, SIGKILL, the OOM killer) leaves every finished result on disk and says
which test was running. Lines, each ``{"kind": ..., "time": <unix seconds>, ...}``:

- ``header`` (first): ``journal_version``, ``environment``, ``claims`` known so far,
  ``started`` (ISO time), and ``resumed_from`` when the run continues another one;
- ``claims``: claims learnt later (xdist workers send theirs when they end);
- ``started``: ``nodeid`` and ``payload`` (test id, claims, target) of the test about to
  run (with xdist: when its setup report, the first to carry its claims, arrives);
- ``result``: ``entry``, a finished test as the Collector keeps it (``outcome`` final);
- ``crash``: ``nodeid`` and ``payload`` of a test that killed an earlier attempt of
  this run and is re-run (a resumed run carries them, so a second crash is final);
- ``finished`` (last, on a normal end): ``exitstatus`` and ``complete``.

Every line is flushed as it is written: that alone survives the death of the process.
Each ``result`` line (one per test) and the header and ``finished`` lines are also
fsync'd, which survives the death of the machine: 0.15-0.5 ms a call on this project's
machines. Where fsync is slow (over 1 ms on average, network disks), results are fsync'd
at most once a second instead: a machine that dies loses at most that second.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

JOURNAL_NAME = "tf2conf-journal.jsonl"
JOURNAL_VERSION = 1
FSYNC_SECONDS = 1.0
SLOW_FSYNC = 0.001  # mean seconds per fsync above which results are synced once a second
DURABLE = ("result", "finished")
MAX_BYTES = 256 * 1024 * 1024
KINDS = ("header", "claims", "started", "result", "crash", "finished")


class JournalError(Exception):
    """A journal that cannot be used; the message is one line naming the file."""

    tf2conf_user_error = True  # cli.main prints it as one line, exit code 2


def path_in(location: str | Path) -> Path:
    """The journal of a report folder (or the journal file itself)."""
    location = Path(location)
    return location if location.is_file() else location / JOURNAL_NAME


# -- writing ---------------------------------------------------------------------------------
class JournalWriter:
    """Appends lines; a write that fails (disk full, read-only folder) turns the journal
    off for the rest of the run instead of failing the run: ``error`` says why."""

    def __init__(self, path: Path, fsync_seconds: float = FSYNC_SECONDS) -> None:
        self.path = path
        self.fsync_seconds = fsync_seconds
        self.error: str | None = None
        self._file: IO[str] | None = None
        self._synced = 0.0  # time.monotonic() of the last fsync
        self._fsyncs = 0
        self._fsync_seconds_total = 0.0

    @property
    def is_open(self) -> bool:
        return self._file is not None

    def open(self, header: dict[str, Any], carried: Iterable[dict[str, Any]] = ()) -> None:
        """Start the journal with its header (and lines carried over from a resumed run).

        Written to a temporary file that then replaces the old journal, so an old journal
        (perhaps the one being resumed) is never half overwritten.
        """
        temporary = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = temporary.open("w", encoding="utf-8")
            self._write_line({"kind": "header", "journal_version": JOURNAL_VERSION, **header})
            for line in carried:
                self._write_line(line)
            self._sync(force=True)
            os.replace(temporary, self.path)  # the open file follows the rename
            _sync_folder(self.path.parent)
        except (OSError, TypeError, ValueError) as exc:
            self._fail(exc)

    def write(self, kind: str, **fields: Any) -> None:
        if self._file is None:
            return
        try:
            self._write_line({"kind": kind, **fields})
            if kind in DURABLE:
                self._sync(force=kind == "finished")
        except (OSError, TypeError, ValueError) as exc:  # the run goes on without a journal
            self._fail(exc)

    def close(self) -> None:
        if self._file is not None:
            try:
                self._sync(force=True)
                self._file.close()
            except OSError as exc:
                self._fail(exc)
            self._file = None

    def _write_line(self, line: dict[str, Any]) -> None:
        assert self._file is not None
        line = {**line, "time": line.get("time", round(time.time(), 3))}
        # json.dumps escapes newlines inside strings: one object, one line.
        self._file.write(json.dumps(line, default=str, separators=(",", ":")) + "\n")
        self._file.flush()

    def _sync(self, force: bool = False) -> None:
        if self._file is None:
            return
        slow = self._fsyncs > 0 and self._fsync_seconds_total / self._fsyncs > SLOW_FSYNC
        if slow and not force and time.monotonic() - self._synced < self.fsync_seconds:
            return
        start = time.monotonic()
        os.fsync(self._file.fileno())
        self._synced = time.monotonic()
        self._fsyncs += 1
        self._fsync_seconds_total += self._synced - start

    def _fail(self, exc: Exception) -> None:
        self.error = f"cannot write {self.path}: {getattr(exc, 'strerror', None) or exc}"
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
        self._file = None


def _sync_folder(folder: Path) -> None:
    # Makes the rename itself durable; not possible on every platform (Windows).
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- reading ---------------------------------------------------------------------------------
@dataclass
class Journal:
    """What a journal says about its run."""

    path: Path
    header: dict[str, Any]
    claims: list[dict[str, Any]] = field(default_factory=list)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)  # nodeid -> entry
    started: dict[str, dict[str, Any]] = field(default_factory=dict)  # nodeid -> started line
    crashes: dict[str, dict[str, Any]] = field(default_factory=dict)  # earlier attempts
    finished: dict[str, Any] | None = None
    last_time: float | None = None
    truncated: bool = False  # a last line cut short (the process died mid-write) was dropped

    @property
    def running(self) -> list[str]:
        """Tests that started and never finished: the one that took the process down
        (with xdist, the ones in flight when the controller died)."""
        return [nodeid for nodeid in self.started if nodeid not in self.results]


def read(path: str | Path) -> Journal:
    """Parse a journal strictly, except for its last line, which may be cut short."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise JournalError(f"{path}: larger than {MAX_BYTES} bytes")
        raw = path.read_bytes()
    except OSError as exc:
        raise JournalError(f"cannot read {path}: {exc.strerror or exc}") from None
    lines = raw.split(b"\n")
    parsed: list[dict[str, Any]] = []
    truncated = False
    for number, data in enumerate(lines, 1):
        if not data.strip(b"\0 \t\r"):
            continue
        try:
            parsed.append(_line(data))
        except ValueError as exc:
            last = all(not rest.strip(b"\0 \t\r") for rest in lines[number:])
            if last and isinstance(exc, _CutShort):
                truncated = True  # the process died while writing it
                break
            raise JournalError(f"{path}: line {number}: {exc}") from None
    if not parsed or parsed[0]["kind"] != "header":
        what = "empty file" if not raw.strip() else "no header line"
        raise JournalError(f"{path}: not a tf2conf journal ({what})")
    version = parsed[0].get("journal_version")
    if version != JOURNAL_VERSION:
        raise JournalError(
            f"{path}: unsupported journal_version {str(version)[:40]!r} "
            f"(this tf2conf reads {JOURNAL_VERSION})"
        )
    journal = Journal(path, parsed[0], last_time=parsed[0].get("time"), truncated=truncated)
    try:
        if not isinstance(parsed[0].get("environment", {}), dict):
            raise ValueError("'environment' must be an object")
        journal.claims.extend(_claims(parsed[0].get("claims", [])))
    except ValueError as exc:
        raise JournalError(f"{path}: line 1: {exc}") from None
    for number, line in enumerate(parsed[1:], 2):
        try:
            _apply(journal, line)
        except ValueError as exc:
            raise JournalError(f"{path}: line {number}: {exc}") from None
    return journal


class _CutShort(ValueError):
    """Not JSON (or not UTF-8) at all: what a line cut short by a dying process looks like."""


def _line(data: bytes) -> dict[str, Any]:
    try:
        line = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise _CutShort("not UTF-8 text") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except ValueError as exc:
        raise _CutShort(f"invalid JSON ({str(exc).splitlines()[0][:80]})") from None
    if not isinstance(line, dict) or line.get("kind") not in KINDS:
        raise ValueError("not a journal line (expected an object with a known 'kind')")
    when = line.get("time")
    if when is not None and (
        isinstance(when, bool) or not isinstance(when, (int, float)) or not 0 <= when < 1e11
    ):
        raise ValueError("'time' must be a number of seconds since 1970")
    return line


def _apply(journal: Journal, line: dict[str, Any]) -> None:
    kind = line["kind"]
    journal.last_time = line.get("time", journal.last_time)
    if kind == "header":
        raise ValueError("a second header")
    if kind == "claims":
        journal.claims.extend(_claims(line.get("claims")))
    elif kind in ("started", "crash"):
        nodeid = line.get("nodeid")
        if not isinstance(nodeid, str):
            raise ValueError(f"a '{kind}' line without a string 'nodeid'")
        if line.get("payload") is not None:
            _check_payload(line["payload"])
        (journal.started if kind == "started" else journal.crashes)[nodeid] = line
    elif kind == "result":
        entry = line.get("entry")
        _check_payload(entry)
        if not isinstance(entry.get("nodeid"), str) or not isinstance(entry.get("outcome"), str):
            raise ValueError("a 'result' entry needs a string 'nodeid' and 'outcome'")
        journal.results[entry["nodeid"]] = entry
    elif kind == "finished":
        journal.finished = line


def _check_payload(payload: Any) -> None:
    if not isinstance(payload, dict):
        raise ValueError("a test entry must be an object")
    for key in ("test", "target"):  # what the report is sorted by, with the claim
        if not isinstance(payload.get(key), str):
            raise ValueError(f"a test entry needs a string '{key}'")
    claims = payload.get("claims")
    if not isinstance(claims, list) or not all(isinstance(c, str) for c in claims):
        raise ValueError("a test entry needs 'claims', a list of strings")
    _claims(payload.get("claim_info", []))


def _claims(claims: Any) -> list[dict[str, Any]]:
    if not isinstance(claims, list) or not all(
        isinstance(c, dict)
        and isinstance(c.get("id"), str)
        and all(isinstance(c.get(k, ""), str) for k in ("area", "statement", "doc"))
        for c in claims
    ):
        raise ValueError("claims must be a list of objects with a string 'id' (and text)")
    for claim in claims:  # as load.validate does: the summary groups by area
        claim.setdefault("area", claim["id"].split(".", 1)[0])
    return claims
