"""The kernel-coverage table (op x dtype x device) in the Markdown and HTML reports."""

from __future__ import annotations

from pytest_tf2conf.report import html, kernels, markdown


def _result(target: str, declared: list[str], support: dict[str, str]) -> dict:
    return {
        "claim": "ops.math-sin-dtypes",
        "target": target,
        "test": f"test_declared_dtypes_run_and_others_raise[{target}-math.sin-dtypes]",
        "outcome": "passed",
        "notes": {"op": "tf.math.sin", "declared": declared, "dtype_support": support},
    }


def test_cells_say_declared_missing_and_undeclared_per_target() -> None:
    results = [
        _result("CPU:0-eager", ["float32", "float64"], {"float32": "runs", "float64": "runs",
                                                        "int32": "raises TypeError"}),
        _result("GPU:0-eager", ["float32", "float64"], {"float32": "runs", "float64": "no kernel",
                                                        "int32": "runs"}),
    ]  # fmt: skip
    table = kernels.table(results)
    assert table is not None
    row = table["rows"]["tf.math.sin"]
    assert row["float32"] == {"CPU:0-eager": "yes", "GPU:0-eager": "yes"}
    assert row["float64"]["GPU:0-eager"] == "MISSING (no kernel)"
    assert row["int32"] == {"CPU:0-eager": "-", "GPU:0-eager": "UNDECLARED"}
    assert kernels.mismatches(table) == 2

    text = "\n".join(kernels.render_markdown(results))
    assert "| tf.math.sin | yes | CPU:0-eager: yes; GPU:0-eager: MISSING (no kernel) |" in text


def test_reports_render_the_table_only_when_the_run_has_it() -> None:
    report = {"claims": [], "results": [_result("CPU:0-eager", ["float32"], {"float32": "runs"})]}
    assert "Kernel coverage" in markdown.render(report)
    assert 'id="kernel-table"' in html.render(report)
    assert "Kernel coverage" not in markdown.render({"claims": [], "results": []})
