"""Predicted shard times of a previous run: the hash split against the duration-balanced one.

Usage::

    python bench/shard_balance.py REPORT.json N

REPORT.json is a tf2conf report (a single run's or a merged one); its tests and durations
(de-duplicated by test id, the longest row wins, as ``--tf2conf-durations`` reads them)
are split into N shards both ways. Each shard's predicted seconds are the sum of its tests'
durations (xdist workers and per-process start-up are not modelled); "excess" is how much
longer the longest shard is than total/N, the ideal.
"""

from __future__ import annotations

import argparse
import sys

from pytest_tf2conf import shards


def shard_seconds(
    test_ids: list[str], owners: list[int], seconds: dict[str, float], count: int
) -> list[float]:
    loads = [0.0] * count
    for test_id, owner in zip(test_ids, owners, strict=True):
        loads[owner] += seconds[test_id]
    return loads


def excess_percent(loads: list[float]) -> float:
    ideal = sum(loads) / len(loads)
    return 100.0 * (max(loads) - ideal) / ideal if ideal else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", help="tf2conf JSON report of a previous run")
    parser.add_argument("count", type=int, help="number of shards")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("N must be at least 1")
    try:
        seconds = shards.load_durations(args.report)
    except shards.DurationsError as exc:
        sys.stderr.write(f"shard_balance: {exc}\n")
        return 2
    test_ids = sorted(seconds)
    splits = {
        "hash": shards.assignment(test_ids, args.count),
        "balanced": shards.assignment(test_ids, args.count, seconds),
    }
    print(f"{len(test_ids)} tests, {sum(seconds.values()):.1f} s in all, {args.count} shards")
    print(f"{'split':<10}{'excess':>9}  per-shard seconds")
    for name, owners in splits.items():
        loads = shard_seconds(test_ids, owners, seconds, args.count)
        per_shard = " ".join(f"{s:.1f}" for s in loads)
        print(f"{name:<10}{excess_percent(loads):>8.1f}%  {per_shard}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
