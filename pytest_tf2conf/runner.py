"""``tf2conf run``: a conformance run in shards, each in a chain of fresh processes, merged
into one report: parallel, bounded in memory, and resilient to crashes.

Each of ``--jobs`` shards (``--tf2conf-shard I/N``) runs ``pytest --tf2conf`` in its own
process with ``--tf2conf-max-rss``: a process that passes the ceiling stops between two
tests (``recycle.py``), and one that dies (SIGSEGV in a kernel, the OOM killer) leaves its
journal; either way the next process of that shard continues with ``--tf2conf-resume``,
skipping every finished test. A shard ends when its run is complete, or when a process
that ended normally added no result. After a death it always continues: the resume runs
the test that died once more and records it as crashed when it dies again, so each test
ends at most two processes and the chain ends. The shards' reports are merged (``report/merge.py``).

Why not pytest-xdist for this: an xdist worker cannot be replaced between two tests
without the controller counting a crash, and XLA's compilation cache, which holds most of a
long run's memory, is only freed when its process ends (docs/performance.md, "Memory").
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .report import collect, journal, load, merge, recover, terminal
from .report.text import FAILING

# A process that exits with pytest's usage error or internal error will not do better on
# the next attempt: the shard stops there.
FATAL_EXIT_CODES = (3, 4)
# A process in which no test ended for this long is killed (``_wait_or_kill_hung``): twice
# the plugin's default per-test timeout, which a test stuck outside Python never reaches.
HANG_SECONDS = 600.0
# A process that has not written its journal this long after it started is hung too.
STARTUP_SECONDS = 300
_POLL_SECONDS = 5.0
REPORT_NAME = "tf2conf-report.json"


@dataclass
class Shard:
    index: int
    count: int
    folder: Path
    attempts: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def label(self) -> str:
        return f"shard {self.index}/{self.count}"

    def journal(self) -> journal.Journal | None:
        path = journal.path_in(self.folder)
        if not path.is_file():
            return None
        try:
            return journal.read(path)
        except journal.JournalError:
            return None


def _pytest_command(shard: Shard, pytest_args: Sequence[str], max_rss: int | None) -> list[str]:
    command = [sys.executable, "-m", "pytest", "--tf2conf", *pytest_args]
    command += ["--tf2conf-report", str(shard.folder)]
    if shard.count > 1:
        command += ["--tf2conf-shard", f"{shard.index}/{shard.count}"]
    if max_rss is not None:
        command += ["--tf2conf-max-rss", str(max_rss)]
    if shard.journal() is not None:
        command += ["--tf2conf-resume", str(shard.folder)]
    return command


def _wait_or_kill_hung(process: subprocess.Popen[bytes], shard: Shard, hang_seconds: float) -> int:
    """The process's exit code; a process whose journal has not changed for ``hang_seconds``
    is killed (SIGKILL: -9), as if it had died.

    pytest-timeout's signal method cannot interrupt a test stuck in TensorFlow's C++ code
    (an XLA compilation that ran for over 20 minutes was seen), and its thread method would
    end the process without a report. The journal records a test when it starts and when it
    ends, so an unchanged journal means one test has been running that long; the next
    process runs it once more and records it as crashed when it hangs again.
    """
    path = journal.path_in(shard.folder)
    started = time.time()  # a resumed process starts with an old journal
    while True:
        try:
            return process.wait(timeout=_POLL_SECONDS)
        except subprocess.TimeoutExpired:
            pass
        try:
            changed = path.stat().st_mtime
        except OSError:
            changed = started  # no journal yet: the process is still starting
        if changed > started:  # the process has written: tests are running
            quiet, limit = time.time() - changed, hang_seconds
        else:  # starting up (TensorFlow's import, collection): slower on a loaded machine
            quiet, limit = time.time() - started, max(hang_seconds, STARTUP_SECONDS)
        if quiet > limit:
            _say(f"tf2conf run: {shard.label}: no test ended for {quiet:.0f} s: killing it")
            process.kill()
            return process.wait()


def _run_shard(
    shard: Shard,
    pytest_args: Sequence[str],
    max_rss: int | None,
    max_attempts: int,
    cwd: Path,
    hang_seconds: float = HANG_SECONDS,
) -> None:
    shard.folder.mkdir(parents=True, exist_ok=True)
    before = 0
    for attempt in range(1, max_attempts + 1):
        command = _pytest_command(shard, pytest_args, max_rss)
        log = shard.folder / f"pytest-{attempt}.log"
        started = time.monotonic()
        with log.open("wb") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
            code = _wait_or_kill_hung(process, shard, hang_seconds)
        found = shard.journal()
        results = len(found.results) if found is not None else 0
        finished = found.finished if found is not None else None
        complete = bool(finished and finished.get("complete"))
        shard.attempts.append(
            {"exit": code, "results": results, "seconds": round(time.monotonic() - started, 1)}
        )
        _say(
            f"tf2conf run: {shard.label}, process {attempt}: exit {code}, {results} results"
            + ("" if complete else ", incomplete: resuming")
        )
        if code in FATAL_EXIT_CODES:
            shard.error = f"{shard.label}: pytest exited {code}: {_last_line(log)}"
            return
        died = found is not None and finished is None
        if complete or found is None or (not died and results <= before):
            if not complete:
                shard.error = f"{shard.label}: no progress in process {attempt} ({log})"
            return
        before = results
    shard.error = f"{shard.label}: still incomplete after {max_attempts} processes"


def _say(line: str) -> None:
    with _PRINT_LOCK:
        print(line, flush=True)


_PRINT_LOCK = threading.Lock()


def _last_line(log: Path) -> str:
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1][:300] if lines else "(no output)"


def _shard_report(shard: Shard) -> dict[str, Any] | None:
    """The shard's report: the last process's, or rebuilt from the journal when that
    process died before writing one."""
    found = shard.journal()
    path = shard.folder / REPORT_NAME
    if found is not None and found.finished is None:
        collect.write(recover.report(found), shard.folder)
    if not path.is_file():
        return None
    return load.load(path)


def run(
    pytest_args: Sequence[str],
    report_dir: Path,
    jobs: int,
    max_rss: int | None,
    max_attempts: int = 50,
    hang_seconds: float = HANG_SECONDS,
) -> int:
    """Run, merge, print the summary; the exit code is 1 when a claim fails or the run is
    incomplete, 2 when a shard could not run at all."""
    ceiling = f"a fresh process past {max_rss} MB" if max_rss else "no memory ceiling"
    _say(f"tf2conf run: {jobs} shard(s), {ceiling}")
    shard_root = report_dir / "shards"
    if shard_root.exists():
        shutil.rmtree(shard_root)  # a new run, not a continuation of an old one
    shards = [Shard(i, jobs, shard_root / f"{i}-of-{jobs}") for i in range(1, jobs + 1)]
    cwd = Path.cwd()
    threads = [
        threading.Thread(
            target=_run_shard, args=(s, pytest_args, max_rss, max_attempts, cwd, hang_seconds)
        )
        for s in shards
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    reports = [_shard_report(s) for s in shards]
    present = [(s, r) for s, r in zip(shards, reports, strict=True) if r is not None]
    for shard in shards:
        if shard.error:
            _say(f"tf2conf run: {shard.error}")
    if not present:
        return 2
    if len(present) == 1 and jobs == 1:
        report = present[0][1]
        written = collect.write(report, report_dir)
    else:
        sources = [str(s.folder / REPORT_NAME) for s, _ in present]
        report = merge.merge([r for _, r in present], sources)
        written = merge.write(report, report_dir / REPORT_NAME)
    for line in terminal.render(report, report_dir / "tf2conf-report.md"):
        print(line)
    processes = sum(len(s.attempts) for s in shards)
    _say(f"tf2conf run: {jobs} shard(s), {processes} process(es); wrote {written[0]}")
    failing = any(r.get("outcome") in FAILING for r in report["results"])
    if any(s.error for s in shards) and len(present) < len(shards):
        return 2
    return 1 if failing or not report.get("complete", True) else 0


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
