"""The "differs between backends" view of a merged report over Keras backends."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_tf2conf import cli
from pytest_tf2conf.report import backends
from tests.test_report_support import make_report, result, write_report


def _keras(claim: str, backend: str, device: str, outcome: str, message: str = "") -> dict:
    row = result(claim, f"{backend}/{device}-function", outcome, message)
    return {**row, "backend": backend}


def _three_backends(tmp_path: Path) -> list[str]:
    tf = make_report(
        [
            _keras("layers.a-forward", "tensorflow", "CPU:0", "passed"),
            _keras("layers.same", "tensorflow", "CPU:0", "passed"),
            _keras("layers.tf-only", "tensorflow", "CPU:0", "passed"),
            _keras("layers.all-fail", "tensorflow", "CPU:0", "failed", "no"),
        ],
        keras_backend="tensorflow",
    )
    jax = make_report(
        [
            _keras("layers.a-forward", "jax", "cpu:0", "failed", "1 of 4 element(s) differ"),
            _keras("layers.same", "jax", "cpu:0", "passed"),
            _keras("layers.tf-only", "jax", "cpu:0", "skipped", "not applicable: no TF"),
            _keras("layers.all-fail", "jax", "cpu:0", "failed", "no"),
        ],
        keras_backend="jax",
        tensorflow=None,
    )
    torch = make_report(
        [
            _keras("layers.a-forward", "torch", "cpu", "xfailed", "known: torch pads"),
            _keras("layers.same", "torch", "cpu", "unsupported", "no kernel | here"),
            _keras("layers.tf-only", "torch", "cpu", "skipped", "not applicable: no TF"),
            _keras("layers.all-fail", "torch", "cpu", "failed", "no"),
        ],
        keras_backend="torch",
        tensorflow=None,
    )
    return [
        write_report(tmp_path, f"{name}.json", report)
        for name, report in (("tf", tf), ("jax", jax), ("torch", torch))
    ]


def test_differences_align_backends_by_device_type_and_mode(tmp_path: Path) -> None:
    out = tmp_path / "merged" / "tf2conf-report.json"
    assert cli.main(["merge", *_three_backends(tmp_path), "-o", str(out)]) == 0
    merged = json.loads(out.read_text())
    found = backends.differences(merged["results"])
    # Passing on one backend and failing / unsupported / a known deviation on another; a
    # claim failing everywhere or skipped (not applicable) elsewhere is no difference.
    assert [(d.claim, d.target) for d in found] == [
        ("layers.a-forward", "cpu-function"),
        ("layers.same", "cpu-function"),
    ]
    first = found[0]
    assert first.outcomes == {"jax": "failed", "tensorflow": "passed", "torch": "xfailed"}
    assert first.messages == {"jax": "1 of 4 element(s) differ", "torch": "known: torch pads"}

    md = out.with_suffix(".md").read_text()
    section = md.split("## Differs between backends", 1)[1]
    assert "| claim | target | jax | tensorflow | torch |" in section
    assert (
        "| layers.a-forward | cpu-function | **failed**: 1 of 4 element(s) differ | **passed** "
        "| **xfailed**: known: torch pads |"
    ) in section
    assert "no kernel \\| here" in section  # table cells stay one cell
    assert "layers.all-fail" not in section and "layers.tf-only" not in section

    page = out.with_suffix(".html").read_text()
    assert 'id="backend-differences-table"' in page
    assert '<td class="o-failed"><b>failed</b><div class="msg">1 of 4 element(s) differ' in page


def test_one_backend_has_no_differences_view() -> None:
    rows = [_keras("layers.a", "jax", "cpu:0", "failed", "x")]
    assert backends.differences(rows) == []
    assert backends.render_markdown(rows) == []
    assert backends.render_html(rows) == []


def test_several_devices_of_one_backend_combine() -> None:
    rows = [
        _keras("layers.a", "tensorflow", "CPU:0", "passed"),
        _keras("layers.a", "tensorflow", "CPU:1", "failed", "on CPU:1"),
        _keras("layers.a", "jax", "cpu:0", "passed"),
    ]
    (diff,) = backends.differences(rows)
    assert diff.outcomes == {"jax": "passed", "tensorflow": "failed"}
    assert diff.messages == {"tensorflow": "on CPU:1"}
