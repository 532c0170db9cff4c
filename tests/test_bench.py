"""The benchmark script's arithmetic, on a hand-made report (no TensorFlow run)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_suites.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_suites", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _result(test: str, mode: str, **measured) -> dict:
    return {"nodeid": f"eager/test_ops.py::{test}[CPU:0-{mode}]", "mode": mode, **measured}


# 100 examples in 1.0 s, of which 0.6 s built graphs: 100 ex/s, 250 ex/s steady
FUNCTION_ADD = _result(
    "test_add", "function", duration=1.1, examples=100, example_seconds=1.0, traces=3,
    compile_seconds=0.6,
)  # fmt: skip

REPORT = {
    "results": [
        # 100 examples in 0.5 s: 200 ex/s
        _result("test_add", "eager", duration=0.6, examples=100, example_seconds=0.5),
        FUNCTION_ADD,
        # the same test declaring a second claim appears twice in a report: counted once
        dict(FUNCTION_ADD, claim="second"),
        # a test without hypothesis: its compile time is not part of any example's time
        _result("test_worked", "function", duration=0.3, traces=1, compile_seconds=0.2),
        _result(
            "test_add",
            "xla",
            duration=2.0,
            examples=50,
            example_seconds=2.0,
            traces=3,
            compiles=40,
            compile_seconds=1.9,
        ),
        {"nodeid": "eager/test_ops.py::test_host", "mode": None, "duration": 0.1},
    ]
}


def test_duplicates_by_node_id_are_counted_once(bench):
    assert len(bench.unique_results(REPORT)) == 5


def test_rates_leave_compile_time_of_properties_out(bench):
    table = bench.summarize(bench.unique_results(REPORT))
    assert bench.rates(table[("test_ops.py", "eager")]) == (200.0, 200.0)
    rate, steady = bench.rates(table[("test_ops.py", "function")])
    assert rate == pytest.approx(100.0)
    assert steady == pytest.approx(250.0)  # 100 / (1.0 - 0.6), not 100 / (1.0 - 0.8)
    row = table[("test_ops.py", "function")]
    assert (row["tests"], row["traces"], row["compile_seconds"]) == (2, 4, pytest.approx(0.8))


def test_render_compares_each_graph_mode_with_eager(bench):
    text = bench.render("suite", 3.0, bench.summarize(bench.unique_results(REPORT)))
    rows = {line.split()[1]: line.split() for line in text.splitlines()[2:-1]}
    assert rows["function"][7] == "0.50/1.25"
    assert rows["xla"][7] == "0.12/2.50"
    assert rows["xla"][9] == "40.00"  # compiles per test
    assert rows["eager"][7] == rows["-"][7] == "-"


def test_worst_property_per_graph_mode(bench) -> None:
    worst = bench.worst_properties(bench.unique_results(REPORT))
    # test_add under XLA: 40 compiles over 50 examples; function: 3 traces over 100
    assert worst["xla"]["test"] == "eager/test_ops.py::test_add"
    assert worst["xla"]["per_example"] == pytest.approx(0.8)
    assert worst["function"]["per_example"] == pytest.approx(0.03)
    assert "eager" not in worst


def test_cost_per_claim_and_target(bench) -> None:
    report = {
        "results": [dict(r, claim=r.get("claim", "c"), target=r["mode"]) for r in REPORT["results"]]
    }
    pairs, cost = bench.cost_per_result(10.0, report)
    # claims c and second on function; c on eager, xla and the host test (mode None)
    assert pairs == 5
    assert cost == pytest.approx(2.0)
