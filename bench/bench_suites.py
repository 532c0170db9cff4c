"""Benchmark conformance suites: wall time, hypothesis examples/s and traces per property.

Usage::

    python bench/bench_suites.py [--profile ci] [--devices CPU:0] [--modes eager,function,xla]
                                 SUITE_PATH [SUITE_PATH ...]

Each SUITE_PATH (a suite folder or a test file, e.g. ``suites/eager``) is run
once as ``pytest --tf2conf ... --tf2conf-report DIR``; the table is read back from the JSON
report's results (``duration``, ``examples``, ``example_seconds``, ``traces``, ``compiles``,
``compile_seconds``), grouped by suite file and execution mode. "steady ex/s" leaves out the
time of calls that traced a graph or compiled it with XLA: what a graph-mode property costs
per example once its signatures are built. A test declaring several claims appears once per claim in
the report, so results are de-duplicated by node id first.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def run_suite(
    path: str, profile: str, devices: str, modes: str | None, extra: Sequence[str] = ()
) -> tuple[float, dict]:
    """Run one suite path in a fresh process; returns (wall seconds, JSON report)."""
    with tempfile.TemporaryDirectory(prefix="tf2conf-bench-") as tmp:
        cmd = [
            sys.executable, "-m", "pytest", "--tf2conf", "--tf2conf-profile", profile,
            "--tf2conf-devices", devices, "--tf2conf-report", tmp, "-q",
            "-p", "no:cacheprovider", *extra, path,
        ]  # fmt: skip
        if modes:
            cmd[4:4] = ["--tf2conf-modes", modes]
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
        wall = time.perf_counter() - start
        report_path = Path(tmp) / "tf2conf-report.json"
        if not report_path.exists():
            sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
            raise SystemExit(f"no report for {path} (pytest exit {proc.returncode})")
        return wall, json.loads(report_path.read_text())


def unique_results(report: dict[str, Any]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for result in report.get("results", []):
        seen.setdefault(result.get("nodeid") or result.get("test", ""), result)
    return list(seen.values())


def summarize(results: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, float]]:
    """(suite file, mode) -> totals of tests, seconds, examples, example seconds, traces,
    XLA compilations and the seconds spent in calls that traced or compiled."""
    table: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for result in results:
        nodeid = result.get("nodeid", "")
        key = (Path(nodeid.split("::")[0]).name, str(result.get("mode") or "-"))
        row = table[key]
        row["tests"] += 1
        row["duration"] += float(result.get("duration") or 0.0)
        row["examples"] += float(result.get("examples") or 0)
        row["example_seconds"] += float(result.get("example_seconds") or 0.0)
        row["traces"] += float(result.get("traces") or 0)
        row["compiles"] += float(result.get("compiles") or 0)
        row["compile_seconds"] += float(result.get("compile_seconds") or 0.0)
        if result.get("examples"):  # a property: its compile time lies inside its examples
            row["example_compile_seconds"] += float(result.get("compile_seconds") or 0.0)
        row["failed"] += result.get("outcome") in ("failed", "error", "crashed")
    return table


def rates(row: dict[str, float]) -> tuple[float, float]:
    """(examples/s, steady-state examples/s: without the calls that traced or compiled)."""
    seconds = row["example_seconds"] or row["duration"]
    rate = row["examples"] / seconds if seconds else 0.0
    steady_seconds = seconds - row["example_compile_seconds"]
    steady = row["examples"] / steady_seconds if steady_seconds > 0 else 0.0
    return rate, steady


def render(path: str, wall: float, table: dict[tuple[str, str], dict[str, float]]) -> str:
    """One line per (file, mode); "x eager" is ex/s and steady ex/s over the file's eager ex/s."""
    lines = [
        f"## {path}  (process wall time {wall:.1f}s, including TensorFlow start-up)",
        f"{'file':<28} {'mode':<9} {'tests':>5} {'time s':>8} {'examples':>8} "
        f"{'ex/s':>8} {'steady ex/s':>11} {'x eager':>11} {'traces/test':>11} "
        f"{'compiles/test':>13} {'compile s':>9} {'s/test':>7} {'failed':>6}",
    ]
    for (name, mode), row in sorted(table.items()):
        rate, steady = rates(row)
        eager_row = table.get((name, "eager"))
        eager = rates(eager_row)[0] if eager_row else 0.0
        graph_mode = mode not in ("eager", "-")  # "-": tests that run on no target
        versus = f"{rate / eager:.2f}/{steady / eager:.2f}" if eager and graph_mode else "-"
        lines.append(
            f"{name:<28} {mode:<9} {int(row['tests']):>5} {row['duration']:>8.2f} "
            f"{int(row['examples']):>8} {rate:>8.1f} {steady:>11.1f} {versus:>11} "
            f"{row['traces'] / row['tests']:>11.2f} {row['compiles'] / row['tests']:>13.2f} "
            f"{row['compile_seconds']:>9.2f} {row['duration'] / row['tests']:>7.3f} "
            f"{int(row['failed']):>6}"
        )
    per_mode: dict[str, float] = defaultdict(float)
    for (_, mode), row in table.items():
        per_mode[mode] += row["duration"]
    lines.append("per mode: " + ", ".join(f"{m} {s:.1f}s" for m, s in sorted(per_mode.items())))
    return "\n".join(lines)


def worst_properties(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per graph mode, the property (test function, all targets of that mode together) with
    the most traces per example (``function``) or XLA compilations per example (``xla``)."""
    measure = {"function": "traces", "xla": "compiles"}
    totals: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for result in results:
        mode = result.get("mode")
        if mode not in measure or not result.get("examples"):
            continue
        row = totals[(result.get("nodeid", "").split("[")[0], mode)]
        row["examples"] += float(result["examples"])
        row["count"] += float(result.get(measure[mode]) or 0)
        row["seconds"] += float(result.get("compile_seconds") or 0.0)
    worst: dict[str, dict[str, Any]] = {}
    for (test, mode), row in totals.items():
        per_example = row["count"] / row["examples"]
        if per_example > worst.get(mode, {}).get("per_example", -1.0):
            worst[mode] = {"test": test, "per_example": per_example, **row}
    return worst


def cost_per_result(wall: float, report: dict[str, Any]) -> tuple[int, float]:
    """(distinct claim x target results, wall seconds per result)."""
    pairs = {(r.get("claim"), r.get("target")) for r in report.get("results", [])}
    return len(pairs), (wall / len(pairs) if pairs else 0.0)


def render_extras(wall: float, report: dict[str, Any], results: list[dict[str, Any]]) -> str:
    pairs, cost = cost_per_result(wall, report)
    lines = [f"cost per claim x target: {cost:.3f}s ({pairs} results, {wall:.1f}s wall)"]
    for mode, row in sorted(worst_properties(results).items()):
        what = "traces" if mode == "function" else "XLA compiles"
        lines.append(
            f"worst {mode} property: {row['test']} {row['per_example']:.2f} {what}/example "
            f"({int(row['count'])} over {int(row['examples'])} examples, "
            f"{row['seconds']:.2f}s compiling)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="suite folders or test files")
    parser.add_argument("--profile", default="ci", choices=("quick", "ci", "thorough"))
    parser.add_argument("--devices", default="CPU:0")
    parser.add_argument("--modes", default=None, help="e.g. eager,function,xla (default: all)")
    parser.add_argument("--json", type=Path, help="also write the tables as JSON here")
    parser.add_argument(
        "--virtual-cpus", type=int, default=0, help="split the CPU into N logical devices"
    )
    parser.add_argument(
        "--shard", default=None, help="I/N: a deterministic sample of each suite's tests"
    )
    args = parser.parse_args(argv)
    extra = [f"--tf2conf-virtual-cpus={args.virtual_cpus}"] if args.virtual_cpus else []
    extra += [f"--tf2conf-shard={args.shard}"] if args.shard else []
    dump: dict[str, Any] = {}
    for path in args.paths:
        resolved = str(Path(path).resolve())
        wall, report = run_suite(resolved, args.profile, args.devices, args.modes, extra)
        results = unique_results(report)
        table = summarize(results)
        print(render(path, wall, table), flush=True)
        print(render_extras(wall, report, results), flush=True)
        dump[path] = {"wall": wall, "rows": {f"{f}|{m}": dict(r) for (f, m), r in table.items()}}
    if args.json:
        args.json.write_text(json.dumps(dump, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
