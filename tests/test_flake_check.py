"""The flake check's comparison, on hand-made reports (no TensorFlow run)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.test_report_support import make_report, result

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "flake_check.py"


def _module():
    spec = importlib.util.spec_from_file_location("flake_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_differences_list_every_changed_or_missing_outcome() -> None:
    ci = make_report(
        [
            result("eager.a", "CPU:0-eager", "passed"),
            result("eager.b", "CPU:0-eager", "xfailed"),
            result("eager.c", "CPU:0-xla", "passed"),
        ]
    )
    seeded = make_report(
        [
            result("eager.a", "CPU:0-eager", "passed"),
            result("eager.b", "CPU:0-eager", "xpassed"),  # a known deviation not hit
            result("eager.d", "CPU:0-eager", "passed"),
        ]
    )
    assert _module().differences(ci, seeded) == [
        ("eager.b", "CPU:0-eager", "xfailed", "xpassed"),
        ("eager.c", "CPU:0-xla", "passed", "absent"),
        ("eager.d", "CPU:0-eager", "absent", "passed"),
    ]
    assert _module().differences(ci, ci) == []
