"""A memory ceiling per process: ``--tf2conf-max-rss MB`` ends the run cleanly between two
tests once the process's resident memory passes MB; ``tf2conf run`` (``runner.py``) then
continues it in a fresh process with ``--tf2conf-resume``.

Why a ceiling instead of freeing: what a long run keeps is mostly XLA's compilation cache
(TensorFlow's ``DeviceCompilationCache``: every executable compiled in the process, no
eviction, unreachable from Python; measured in docs/performance.md, "Memory"). Only the end
of the process frees it. The journal already makes a run resumable, so a run that stops
at the ceiling loses nothing: the next process skips every finished test.

The check reads ``VmRSS`` from ``/proc/self/status`` after each test's teardown (about
10 us); where that file does not exist (not Linux) the option does nothing, and says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

STATUS = Path("/proc/self/status")
MEMINFO = Path("/proc/meminfo")
# ``tf2conf run --max-rss auto``: each of the run's processes may hold this share of the
# memory available when the run starts, split among its shards, within these bounds (MB).
# A higher ceiling means fewer fresh processes (each costs ~16 CPU seconds: importing
# TensorFlow, collecting ~4.5e4 tests, writing its report); half of what is available stays
# free for the rest of the machine. Where /proc/meminfo is missing, the floor.
AUTO_SHARE = 0.5
AUTO_FLOOR_MB = 1400
AUTO_CAP_MB = 6000
# The stop reason pytest prints; ``tf2conf run`` recognises a run that stopped for memory
# by its report: ``complete`` false and this marker in the environment.
ENVIRONMENT_KEY = "stopped_at_max_rss"


def rss_mb() -> float | None:
    """This process's resident set size in MB, or None where /proc is not available."""
    return _proc_mb(STATUS, "VmRSS:")


def available_mb() -> float | None:
    """``MemAvailable`` of this machine in MB, or None where /proc is not available."""
    return _proc_mb(MEMINFO, "MemAvailable:")


def _proc_mb(path: Path, key: str) -> float | None:
    """The kB figure on ``path``'s line that starts with ``key``, in MB."""
    try:
        for line in path.read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def auto_ceiling(jobs: int, available: float | None = None) -> int:
    """The per-process ceiling (MB) of ``--max-rss auto`` for a run of ``jobs`` shards."""
    available = available_mb() if available is None else available
    if available is None:
        return AUTO_FLOOR_MB
    share = int(available * AUTO_SHARE / max(1, jobs))
    return max(AUTO_FLOOR_MB, min(AUTO_CAP_MB, share))


class Ceiling:
    """Stops the session between two tests once RSS exceeds ``limit_mb``."""

    def __init__(self, limit_mb: int) -> None:
        self.limit_mb = limit_mb
        self.stopped_at: float | None = None  # the RSS (MB) that stopped the run

    def after_teardown(self, item: Any, nextitem: Any | None) -> None:
        if nextitem is None or self.stopped_at is not None:
            return  # the last test: the process ends anyway
        rss = rss_mb()
        if rss is None or rss <= self.limit_mb:
            return
        self.stopped_at = round(rss)
        item.session.shouldstop = (
            f"tf2conf: resident memory {rss:.0f} MB is above --tf2conf-max-rss "
            f"{self.limit_mb} MB; continue with --tf2conf-resume (tf2conf run does)"
        )
