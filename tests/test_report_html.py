"""The HTML report: self-contained, escaped, and usable in a real (headless) browser."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from html import escape
from pathlib import Path

import pytest

from pytest_tf2conf.report import html
from tests.test_report_support import HOSTILE, make_report, result, run_planted

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def planted_run(pytester: pytest.Pytester):
    return run_planted(pytester)


def test_html_is_written_self_contained_and_escaped(planted_run) -> None:
    path = Path(planted_run.report["environment"]["rootdir"]) / "reports" / html.HTML_NAME
    page = path.read_text()
    # The planted failure message carries <script>: it must appear only escaped.
    assert HOSTILE not in page
    assert escape(HOSTILE) in page
    assert "Doubling &lt;b&gt;multiplies&lt;/b&gt;" in page
    # Self-contained: one inline script, no external resources.
    assert page.count("<script") == 1 and "<script>" in page
    assert "<link" not in page and " src=" not in page and "@import" not in page
    # Failing cells link their repro script, which exists next to the report.
    repro = next(r["repro"] for r in planted_run.report["results"] if r.get("repro"))
    assert f'href="{repro}"' in page
    assert (path.parent / repro).is_file()


def test_hostile_report_strings_are_escaped_and_links_sanitised() -> None:
    rows = [
        result("demo.a", "CPU:0-eager", "failed", HOSTILE, repro="javascript:alert(1)"),
        result("demo.b", "CPU:0-eager", "passed"),
    ]
    rows[0]["test"] = HOSTILE
    report = make_report(rows, host=HOSTILE, devices=[HOSTILE])
    report["claims"][0]["doc"] = "javascript:alert(1)"
    report["claims"][0]["statement"] = HOSTILE
    page = html.render(report)
    assert HOSTILE not in page
    assert "javascript:" not in page


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_html_renders_in_headless_chromium(planted_run, tmp_path: Path) -> None:
    path = Path(planted_run.report["environment"]["rootdir"]) / "reports" / html.HTML_NAME
    profile = tempfile.mkdtemp(prefix="tf2conf-chromium-")
    base = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}"]
    env = {**os.environ, "HOME": profile}
    try:
        dom = subprocess.run(
            [*base, "--dump-dom", path.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        ).stdout
        filtered = subprocess.run(
            [*base, "--dump-dom", path.as_uri() + "#outcome=failed"],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        ).stdout
        shot = tmp_path / "report.png"
        subprocess.run(
            [*base, "--window-size=1200,900", f"--screenshot={shot}", path.as_uri()],
            capture_output=True,
            timeout=120,
            env=env,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    # The DOM after the script ran: the matrix, its cells, the filters and the counter.
    assert 'id="matrix"' in dom
    assert 'class="cell o-failed" data-target="CPU:0-eager" data-outcome="failed"' in dom
    assert 'class="cell o-passed" data-target="CPU:0-eager" data-outcome="passed"' in dom
    for select in ("f-area", "f-outcome", "f-target"):
        assert f'id="{select}"' in dom
    assert "2 claims shown" in dom  # written by the filter script: JavaScript ran
    assert "<script>alert" not in dom
    # A deep link preselects a filter: only the failing claim's row stays visible.
    assert "1 claims shown" in filtered
    assert 'class="claim-row hidden" data-area="demo" data-claim="demo.double-doubles"' in filtered
    assert 'class="claim-row" data-area="demo" data-claim="demo.planted-fault"' in filtered
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_fixed_expectation_is_shown_as_fixed() -> None:
    rows = [
        result(
            "demo.a",
            "CPU:0-eager",
            "xpassed",
            "[XPASS(strict)] known",
            expectation={"action": "xfail", "reason": "known", "index": 1},
        )
    ]
    report = make_report(rows)
    report["expectations"] = {"file": "e.toml", "entries": 2, "applied": 1, "unmatched": []}
    page = html.render(report)
    assert "fixed (xpassed)" in page and 'id="fixed"' in page
    from pytest_tf2conf.report import markdown

    assert "fixed (xpassed" in markdown.render(report)
