"""Which tests a shard runs (``--tf2conf-shard I/N``), optionally balanced by the durations
of a previous run (``--tf2conf-durations FILE``).

The functions take test ids, not pytest items, and use nothing but their arguments: every
shard process and every xdist worker computes the same partition from the same collection,
so the N shards cover each test exactly once. No TensorFlow (and no pytest) import here.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from .report.load import ReportError, load

T = TypeVar("T")

# The estimate of a test missing from the durations file when no collected test is in it.
DEFAULT_SECONDS = 1.0


class DurationsError(Exception):
    """A durations file that cannot be used; the message (one line) names the file."""


def shard_key(test_id: str) -> int:
    return int.from_bytes(hashlib.sha256(test_id.encode()).digest()[:8], "big")


def hash_assignment(test_ids: Sequence[str], count: int) -> list[int]:
    """Shard (from 0) of each test by a stable hash of its id: the split without durations."""
    return [shard_key(test_id) % count for test_id in test_ids]


def estimated_seconds(test_ids: Sequence[str], durations: Mapping[str, float]) -> list[float]:
    """Each test's duration; a test missing from ``durations`` gets the median duration of
    the tests that are in it (tests of this collection only, so that running a subset of the
    suites estimates a new test from its neighbours), or DEFAULT_SECONDS if none is."""
    known = [durations[t] for t in dict.fromkeys(test_ids) if t in durations]
    default = statistics.median(known) if known else DEFAULT_SECONDS
    return [durations.get(t, default) for t in test_ids]


def balanced_assignment(
    test_ids: Sequence[str], count: int, durations: Mapping[str, float]
) -> list[int]:
    """Shard (from 0) of each test: longest-processing-time-first greedy.

    Tests sorted by (duration descending, test id) each go to the shard with the least
    seconds so far, the lowest index on a tie. Every key of the sort and of the heap is
    fixed by the arguments, so the result does not depend on the process computing it.
    """
    seconds = estimated_seconds(test_ids, durations)
    # The position is the last key: two items with one id (not made by pytest) still sort
    # the same way everywhere.
    order = sorted(range(len(test_ids)), key=lambda i: (-seconds[i], test_ids[i], i))
    loads = [(0.0, shard) for shard in range(count)]  # a heap; (load, index) breaks ties
    assignment = [0] * len(test_ids)
    for i in order:
        load_, shard = heapq.heappop(loads)
        assignment[i] = shard
        heapq.heappush(loads, (load_ + seconds[i], shard))
    return assignment


def assignment(
    test_ids: Sequence[str], count: int, durations: Mapping[str, float] | None = None
) -> list[int]:
    """Shard (from 0) of each test: balanced with durations, else the hash split."""
    if durations is None:
        return hash_assignment(test_ids, count)
    return balanced_assignment(test_ids, count, durations)


def shard_split(
    items: Sequence[T],
    test_ids: Sequence[str],
    shard: tuple[int, int],
    durations: Mapping[str, float] | None = None,
) -> tuple[list[T], list[T]]:
    """(kept, dropped) items of shard ``index`` of ``count`` (from 1), in collection order."""
    index, count = shard
    keep: list[T] = []
    drop: list[T] = []
    for item, owner in zip(items, assignment(test_ids, count, durations), strict=True):
        (keep if owner == index - 1 else drop).append(item)
    return keep, drop


def load_durations(path: str | Path) -> dict[str, float]:
    """Test id -> seconds, from a tf2conf JSON report (a single run's or a merged one).

    A test has one row per claim (and per run in a merged report): rows are keyed by
    ``test`` and the longest duration wins. A row without a finite duration >= 0 rejects
    the whole file: a balance computed from half a file would be silently wrong.
    """
    try:
        report = load(path)
    except ReportError as exc:
        raise DurationsError(str(exc)) from None
    durations: dict[str, float] = {}
    for index, row in enumerate(report["results"]):
        seconds = row.get("duration")
        if seconds is None:
            raise DurationsError(f"{path}: results[{index}] has no duration")
        # load() has checked that it is a number; JSON NaN, Infinity and 1e999 are numbers too.
        try:
            value = float(seconds)
        except OverflowError:  # an integer too long for a float
            value = math.inf
        if not math.isfinite(value) or value < 0:
            raise DurationsError(
                f"{path}: results[{index}].duration must be a number of seconds >= 0, "
                f"got {str(seconds)[:40]}"
            )
        test = row["test"]
        durations[test] = max(value, durations.get(test, 0.0))
    return durations
