"""Memory of a conformance run: resident set size (RSS) of pytest and its workers over time.

Usage::

    python bench/bench_memory.py [--profile ci] [-n 0] [--virtual-cpus 2] [--interval 1]
                                 [--json FILE] [--report DIR] [--max-rss MB]
                                 [SUITE_PATH ...] [-- PYTEST_ARGS ...]

With ``--max-rss MB`` the run goes through ``tf2conf run --jobs N --max-rss MB`` (N from
``-n``): each shard is a chain of processes, and its figures are those of the chain.

Runs ``pytest --tf2conf`` (all bundled suites when no SUITE_PATH is given) as a subprocess
in a scratch folder and reads ``VmRSS`` and ``RssAnon`` of the pytest process and of every
process below it (xdist workers) from ``/proc/<pid>/status`` every ``--interval`` seconds.
Prints, per process: the peak RSS, the mean and peak RSS of each quarter of the run and the
growth from the first quarter's mean to the last quarter's. "The run" is the time from the
first test's start to the last test's end, read from the run's journal
(``tf2conf-journal.jsonl``), so TensorFlow's import and the report writing stay out of the
quarters. In one process (``-n 0``) it also prints the RSS at the start and end of each
suite folder, in the order the tests ran. Figures, not a test; Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MB = 1024.0  # /proc reports kB


@dataclass
class Sample:
    time: float  # unix seconds, as the journal's
    rss_kb: int
    anon_kb: int


@dataclass
class Process:
    pid: int
    name: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def peak_kb(self) -> int:
        return max((s.rss_kb for s in self.samples), default=0)


def _children_map() -> dict[int, list[int]]:
    """ppid -> pids, from /proc/<pid>/stat (the comm field may hold spaces and parens)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # ended meanwhile
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def process_tree(root: int) -> list[int]:
    tree, todo = [], [root]
    children = _children_map()
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def read_rss(pid: int) -> tuple[int, int] | None:
    """(VmRSS, RssAnon) in kB, or None for a process that ended (or a zombie)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    if "VmRSS" not in fields:
        return None
    return int(fields["VmRSS"].split()[0]), int(fields.get("RssAnon", "0 kB").split()[0])


def _shard_of(pid: int) -> str | None:
    """``"1/2"`` for a process that `tf2conf run` started for shard 1 of 2."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    if b"--tf2conf-shard" in argv and argv.index(b"--tf2conf-shard") + 1 < len(argv):
        return argv[argv.index(b"--tf2conf-shard") + 1].decode()
    return "1/1" if b"pytest" in argv and b"--tf2conf-max-rss" in argv else None


def sample_until_exit(proc: subprocess.Popen, interval: float) -> dict[int, Process]:
    processes: dict[int, Process] = {}
    while True:
        now = time.time()
        for pid in process_tree(proc.pid):
            rss = read_rss(pid)
            if rss is None:
                continue
            if pid not in processes:
                shard = _shard_of(pid)
                name = "pytest" if pid == proc.pid else f"child{len(processes)} ({pid})"
                if shard is not None:
                    name = f"shard {shard} pid {pid}"
                processes[pid] = Process(pid, name)
            processes[pid].samples.append(Sample(now, *rss))
        if proc.poll() is not None:
            return processes
        time.sleep(interval)


# -- the run's window and suites, from its journal ------------------------------------------
@dataclass
class Timeline:
    start: float  # first test started
    end: float  # last test finished
    suites: list[tuple[str, float]]  # (suite folder, time its first test of a stretch started)


def read_timeline(journal: Path) -> Timeline | None:
    if not journal.exists():
        return None
    started: list[tuple[float, str]] = []
    end = None
    for raw in journal.read_text().splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue  # a last line cut short
        if line.get("kind") == "started":
            test = (line.get("payload") or {}).get("test") or line.get("nodeid", "")
            started.append((float(line["time"]), test.split("/", 1)[0]))
        elif line.get("kind") == "result":
            end = float(line["time"])
    if not started or end is None:
        return None
    suites: list[tuple[str, float]] = []
    for when, suite in started:
        if not suites or suites[-1][0] != suite:
            suites.append((suite, when))
    return Timeline(started[0][0], end, suites)


# -- figures --------------------------------------------------------------------------------
def quarters(samples: Sequence[Sample], start: float, end: float) -> list[list[Sample]]:
    """The samples of each quarter of [start, end]."""
    span = (end - start) / 4 or 1.0
    parts: list[list[Sample]] = [[], [], [], []]
    for s in samples:
        if start <= s.time <= end:
            parts[min(3, int((s.time - start) / span))].append(s)
    return parts


def growth_percent(parts: Sequence[Sequence[Sample]]) -> float | None:
    """Mean RSS of the last quarter over the first's, in percent (None: a quarter is empty)."""
    if not parts[0] or not parts[-1]:
        return None
    first = statistics.fmean(s.rss_kb for s in parts[0])
    last = statistics.fmean(s.rss_kb for s in parts[-1])
    return (last / first - 1.0) * 100.0


def suite_rows(samples: Sequence[Sample], timeline: Timeline) -> list[dict[str, Any]]:
    """Per stretch of one suite folder: RSS at its start and end, its peak and the change."""
    rows = []
    bounds = [*timeline.suites, ("", timeline.end)]
    for (suite, begin), (_, finish) in itertools.pairwise(bounds):
        inside = [s for s in samples if begin <= s.time <= finish]
        before = [s for s in samples if s.time <= begin]
        if not inside:
            continue
        first = before[-1] if before else inside[0]
        rows.append(
            {
                "suite": suite,
                "seconds": finish - begin,
                "start_mb": first.rss_kb / MB,
                "end_mb": inside[-1].rss_kb / MB,
                "peak_mb": max(s.rss_kb for s in inside) / MB,
                "anon_end_mb": inside[-1].anon_kb / MB,
            }
        )
    return rows


def _quarter_cell(part: Sequence[Sample]) -> str:
    if not part:
        return f"{'-':>11}"
    mean = statistics.fmean(s.rss_kb for s in part) / MB
    return f"{mean:5.0f} ({max(s.rss_kb for s in part) / MB:4.0f})"


def shard_chains(processes: dict[int, Process]) -> dict[str, tuple[int, list[Sample]]]:
    """Under `tf2conf run`: per shard, (processes, the samples of all of them in time order).
    One process of a shard lives at a time, so the chain is the shard's memory over the run."""
    chains: dict[str, tuple[int, list[Sample]]] = {}
    for proc in processes.values():
        if proc.name.startswith("shard ") and proc.samples:
            shard = proc.name.split()[1]
            count, samples = chains.get(shard, (0, []))
            chains[shard] = (count + 1, samples + proc.samples)
    return {k: (n, sorted(v, key=lambda s: s.time)) for k, (n, v) in sorted(chains.items())}


def render(processes: dict[int, Process], timeline: Timeline | None, wall: float) -> str:
    lines = [f"wall {wall:.1f}s"]
    if timeline is not None:
        lines[0] += f"; tests ran {timeline.end - timeline.start:.1f}s (quarters of that span)"
    header = (
        f"{'process':<18} {'peak MB':>8} | {'quarter mean (peak) MB':^44} | {'Q1->Q4':>7}"
        f" | {'anon MB Q1->Q4':>15}"
    )
    lines.append(header)
    for proc in processes.values():
        if not proc.samples:
            continue
        start = timeline.start if timeline else proc.samples[0].time
        end = timeline.end if timeline else proc.samples[-1].time
        parts = quarters(proc.samples, start, end)
        cells = " ".join(_quarter_cell(part) for part in parts)
        growth = growth_percent(parts)
        anon = (
            f"{statistics.fmean(s.anon_kb for s in parts[0]) / MB:6.0f} ->"
            f"{statistics.fmean(s.anon_kb for s in parts[-1]) / MB:6.0f}"
            if parts[0] and parts[-1]
            else "-"
        )
        lines.append(
            f"{proc.name:<18} {proc.peak_kb / MB:8.0f} | {cells:<44} | "
            + (f"{growth:6.1f}%" if growth is not None else f"{'-':>7}")
            + f" | {anon:>15}"
        )
    chains = shard_chains(processes)
    if chains:
        lines.append("tf2conf run: each shard's chain of processes as one series")
        lines.append(f"{'shard':<18} {'processes':>9} {'peak MB':>8} | "
                     f"{'quarter mean (peak) MB':^44} | {'Q1->Q4':>7}")  # fmt: skip
        for shard, (count, samples) in chains.items():
            parts = quarters(samples, samples[0].time, samples[-1].time)
            growth = growth_percent(parts)
            lines.append(
                f"{shard:<18} {count:9d} {max(s.rss_kb for s in samples) / MB:8.0f} | "
                + f"{' '.join(_quarter_cell(part) for part in parts):<44} | "
                + (f"{growth:6.1f}%" if growth is not None else f"{'-':>7}")
            )
        return "\n".join(lines)
    single = [p for p in processes.values() if p.samples]
    if timeline is not None and len(single) == 1:
        lines.append(f"{'suite (in run order)':<22} {'s':>6} {'start MB':>9} {'end MB':>8} "
                     f"{'change':>7} {'peak MB':>8} {'anon end':>9}")  # fmt: skip
        for row in suite_rows(single[0].samples, timeline):
            lines.append(
                f"{row['suite']:<22} {row['seconds']:6.1f} {row['start_mb']:9.0f} "
                f"{row['end_mb']:8.0f} {row['end_mb'] - row['start_mb']:+7.0f} "
                f"{row['peak_mb']:8.0f} {row['anon_end_mb']:9.0f}"
            )
    elif len(single) > 1:
        lines.append("(per-suite figures only in one process, -n 0: workers interleave suites)")
    return "\n".join(lines)


def run(args: argparse.Namespace, pytest_args: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="tf2conf-bench-memory-") as tmp:
        report = args.report.resolve() if args.report else Path(tmp) / "report"
        common = [
            "--tf2conf-virtual-cpus", str(args.virtual_cpus), "--tf2conf-profile", args.profile,
            "-q", "-p", "no:cacheprovider",
            *pytest_args, *(str(Path(p).resolve()) for p in args.paths),
        ]  # fmt: skip
        if args.max_rss:  # `tf2conf run`: -n shards, each a chain of processes
            jobs = "1" if args.n in ("0", "1") else args.n
            cmd = [
                sys.executable,
                "-m",
                "pytest_tf2conf.cli",
                "run",
                "--jobs",
                jobs,
                "--max-rss",
                str(args.max_rss),
                "--report",
                str(report),
                "--",
                *common,
            ]
        else:
            cmd = [sys.executable, "-m", "pytest", "--tf2conf", "--tf2conf-report", str(report),
                   "-n", args.n, *common]  # fmt: skip
        print("$ " + " ".join(cmd[2:]), flush=True)
        with open(Path(tmp) / "out.txt", "w") as out:
            started = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=tmp, stdout=out, stderr=subprocess.STDOUT)
            processes = sample_until_exit(proc, args.interval)
            wall = time.perf_counter() - started
        output = (Path(tmp) / "out.txt").read_text().strip().splitlines()
        print(f"pytest exit {proc.returncode}: {output[-1] if output else ''}")
        timeline = read_timeline(report / "tf2conf-journal.jsonl")
        print(render(processes, timeline, wall), flush=True)
        if args.json:
            dump = {
                "wall": wall,
                "timeline": timeline.__dict__ if timeline else None,
                "processes": {
                    p.name: [(s.time, s.rss_kb, s.anon_kb) for s in p.samples]
                    for p in processes.values()
                },
            }
            args.json.write_text(json.dumps(dump))
        return proc.returncode


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    pytest_args = argv[argv.index("--") + 1 :] if "--" in argv else []
    argv = argv[: argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="suite folders or test files (default: all)")
    parser.add_argument("--profile", default="ci", choices=("quick", "ci", "thorough"))
    parser.add_argument("-n", default="0", help="pytest-xdist workers (0: one process)")
    parser.add_argument("--virtual-cpus", type=int, default=2)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between samples")
    parser.add_argument("--json", type=Path, help="also write every sample here")
    parser.add_argument("--report", type=Path, help="keep the run's report here (default: none)")
    parser.add_argument(
        "--max-rss", type=int, default=0,
        help="run through `tf2conf run --max-rss MB` (-n shards, each a chain of processes)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    rc = run(args, pytest_args)
    return 0 if rc in (0, 1) else rc  # failing tests still give figures


if __name__ == "__main__":
    raise SystemExit(main())
