"""The memory benchmark's arithmetic and /proc reading (no TensorFlow run)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_memory.py"

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_memory", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_memory"] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


def _journal(tmp_path: Path) -> Path:
    lines = [{"kind": "header", "time": 99.0}]
    for when, test in [(100, "eager/a.py::t"), (110, "eager/b.py::t"), (120, "tape/c.py::t")]:
        lines.append({"kind": "started", "time": when, "nodeid": test, "payload": {"test": test}})
        lines.append({"kind": "result", "time": when + 5, "entry": {}})
    lines.append({"kind": "finished", "time": 140.0})
    path = tmp_path / "tf2conf-journal.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n{cut sho")
    return path


def test_timeline_spans_first_start_to_last_result(bench, tmp_path: Path) -> None:
    timeline = bench.read_timeline(_journal(tmp_path))
    assert (timeline.start, timeline.end) == (100.0, 125.0)
    assert timeline.suites == [("eager", 100.0), ("tape", 120.0)]
    assert bench.read_timeline(tmp_path / "missing.jsonl") is None


def test_quarters_growth_and_suites(bench, tmp_path: Path) -> None:
    timeline = bench.read_timeline(_journal(tmp_path))
    # RSS 100 MB for the first half, then 150 MB; one sample before the run (start-up)
    samples = [bench.Sample(90.0, 10 * 1024, 5 * 1024)] + [
        bench.Sample(float(t), (100 if t < 112.5 else 150) * 1024, 50 * 1024)
        for t in range(100, 126)
    ]
    parts = bench.quarters(samples, timeline.start, timeline.end)
    assert [len(p) for p in parts] == [7, 6, 6, 7]  # the start-up sample is left out
    assert bench.growth_percent(parts) == pytest.approx(50.0)
    rows = bench.suite_rows(samples, timeline)
    assert [r["suite"] for r in rows] == ["eager", "tape"]
    assert (rows[0]["start_mb"], rows[0]["end_mb"], rows[1]["peak_mb"]) == (100.0, 150.0, 150.0)
    text = bench.render({1: bench.Process(1, "pytest", samples)}, timeline, 30.0)
    assert "50.0%" in text and "tape" in text


def test_process_tree_finds_children_and_their_rss(bench) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        tree = bench.process_tree(os.getpid())
        assert child.pid in tree
        rss, anon = bench.read_rss(child.pid)
        assert rss > 0 and anon >= 0
    finally:
        child.kill()
        child.wait()
    assert bench.read_rss(child.pid) is None
