"""Repro scripts: one per failed claim x target, standalone, linked from the JSON report."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_tf2conf.report import repro
from tests.test_report_support import HOSTILE, make_report, result, run_planted


def test_failed_claims_get_a_linked_script(pytester: pytest.Pytester) -> None:
    run = run_planted(pytester, profile="ci")
    failing = [r for r in run.report["results"] if r["outcome"] == "failed"]
    passing = [r for r in run.report["results"] if r["outcome"] == "passed"]
    assert failing and passing and not any("repro" in r for r in passing)
    script = pytester.path / "reports" / failing[0]["repro"]
    text = script.read_text()
    compile(text, str(script), "exec")
    env = run.report["environment"]
    assert f"TensorFlow {env['tensorflow']}, Keras {env['keras']}" in text
    assert "device: CPU:0  mode: eager  profile: ci  seed: derandomized" in text
    assert "falsifying example:" in text and re.search(r"^# +n=\d+,$", text, re.M)
    assert "@reproduce_failure(" in text  # the profiles print the blob
    assert '"--tf2conf-devices", "CPU:0", "--tf2conf-modes", "eager"' in text
    assert failing[0]["blob"][1] in text


@pytest.mark.slow
def test_script_reproduces_the_failure(pytester: pytest.Pytester) -> None:
    run = run_planted(pytester, profile="ci")
    failing = next(r for r in run.report["results"] if r["outcome"] == "failed")
    script = pytester.path / "reports" / failing["repro"]
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd="/"
    )
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "1 failed" in proc.stdout and "n too big" in proc.stdout


def test_hostile_names_give_safe_file_names_and_valid_scripts(tmp_path: Path) -> None:
    evil = f"x.y\n__import__('os').system('echo pwned')  # {HOSTILE}"
    row = result("x.y", "CPU:0-eager", "failed", f"line1\nline2\r\x00{HOSTILE}")
    row.update(claim=evil, test=evil, target="../../etc/passwd\nimport os")
    report = make_report([row], host="h\nimport os", seed="1\nimport os")
    (path,) = repro.write_scripts(report, tmp_path)
    assert path.parent == tmp_path / "repro" and "/" not in path.name
    text = path.read_text()
    # Everything from the report stays in comments or string literals: the script has the
    # same statements as one written for a harmless report.
    harmless = make_report([result("x.y", "CPU:0-eager", "failed")])
    benign = repro.render_script(harmless, harmless["results"])
    assert _shape(text) == _shape(benign)


def _shape(source: str) -> list[str]:
    return [type(node).__name__ for node in ast.walk(ast.parse(source))]


@pytest.mark.parametrize("bundled", [True, False])
def test_bundled_suites_are_found_in_the_installed_package(bundled: bool) -> None:
    # Run from a scratch folder, a bundled test's node id equals its test id: only the
    # result's own mark says where the script must look for it.
    row = result("eager.x", "CPU:0-eager", "failed", bundled=bundled)
    assert row["test"] == row["nodeid"]
    script = repro.render_script(make_report([row]), [row])
    assert f'"bundled": {str(bundled).lower()}' in script
