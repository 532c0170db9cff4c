"""The terminal summary: the renderer on hand-made reports, then real in-process runs."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_tf2conf.report import schema, terminal

DOC = "https://www.tensorflow.org/api_docs/python/tf/constant"
TARGETS = ("CPU:0-eager", "CPU:0-xla")


def _claim(claim_id: str) -> dict[str, str]:
    return {"id": claim_id, "area": claim_id.split(".")[0], "statement": "S.", "doc": DOC}


def _result(claim_id: str, target: str, outcome: str, message: str = "") -> dict[str, Any]:
    test = f"test_{claim_id.split('.')[1]}[{target}]"
    return dict(claim=claim_id, test=test, target=target, outcome=outcome, message=message)


def _report(results: list[dict[str, Any]], complete: bool = True) -> dict[str, Any]:
    claims = [_claim(c) for c in sorted({r["claim"] for r in results})]
    return schema.build({}, claims, results, complete)


def _mixed() -> dict[str, Any]:
    """Two areas on two targets: a failure with a two-line message and a fixed deviation."""
    results = [_result("tape.ok", t, "passed") for t in TARGETS]
    results += [
        _result("tensor.ok", "CPU:0-eager", "passed"),
        _result("tensor.ok", "CPU:0-xla", "skipped", "not on xla"),
        _result("tensor.drift", "CPU:0-eager", "passed"),
        _result("tensor.drift", "CPU:0-xla", "failed", "AssertionError: not close\nmore detail"),
        _result("tape.fixed", "CPU:0-eager", "xpassed", "[XPASS(strict)] known deviation"),
        _result("tape.fixed", "CPU:0-xla", "xfailed", "known deviation"),
    ]
    return _report(results)


def test_table_has_one_row_per_area_and_an_all_row_aligned() -> None:
    lines = terminal.table(_mixed())
    assert lines[0].startswith("Conformance per area")
    header, rule, *rows = lines[1:]
    assert header.split() == ["area", *TARGETS]
    assert [row.split()[0] for row in rows] == ["tape", "tensor", "all"]
    assert set(rule) == {"-"} and {len(line) for line in lines[1:]} == {len(rule)}
    # tape: ok passes twice, fixed is xpassed on eager (not a pass) and xfailed on xla.
    assert rows[0].split()[1:] == ["50%", "(1/2)", "50%", "(1/2)"]
    assert rows[1].split()[1:] == ["100%", "(2/2)", "0%", "(0/1)"]  # the skip is not run
    assert rows[2].split()[1:] == ["75%", "(3/4)", "33.3%", "(1/3)"]


def test_failing_claims_show_outcome_and_first_message_line() -> None:
    lines = terminal.failures(_mixed())
    assert lines == [
        "Failing claims (2):",
        "  tape.fixed on CPU:0-eager: fixed (xpassed; remove its expectation)"
        " — [XPASS(strict)] known deviation",
        "  tensor.drift on CPU:0-xla: failed — AssertionError: not close",
    ]


def test_a_long_message_is_cut_to_the_width() -> None:
    report = _report([_result("tensor.long", "CPU:0-eager", "error", "E" * 500)])
    line = terminal.failures(report)[1]
    assert len(line) == terminal.WIDTH and line.endswith("...")


def test_many_failures_are_truncated_with_where_to_read_the_rest() -> None:
    results = [_result(f"tensor.bad{i:02d}", "CPU:0-eager", "failed", "boom") for i in range(25)]
    lines = terminal.failures(_report(results), "reports/tf2conf-report.md")
    assert lines[0] == "Failing claims (25):"
    assert len(lines) == 1 + terminal.MAX_FAILURES + 1
    assert lines[-1] == "  ... and 5 more (see reports/tf2conf-report.md)"


def test_a_passing_run_says_none() -> None:
    report = _report([_result("tape.ok", t, "passed") for t in TARGETS])
    assert terminal.failures(report) == [terminal.NO_FAILURES]
    assert terminal.render(report)[-1] == "Failing claims: none"


@pytest.mark.parametrize("report", [{}, _report([])], ids=["no-keys", "no-results"])
def test_an_empty_report(report: dict[str, Any]) -> None:
    assert terminal.render(report) == [
        "Conformance per area: no results.",
        "",
        "Failing claims: none",
    ]


def test_an_interrupted_run_says_so_first() -> None:
    report = _report([_result("tape.ok", "CPU:0-eager", "passed")], complete=False)
    assert terminal.render(report)[0].startswith("Incomplete run")


def test_many_targets_become_rows_and_wrap_within_the_width() -> None:
    targets = [f"tensorflow/CPU:{i}-function" for i in range(12)]
    areas = ["callbacks", "eager", "graph", "model", "saving", "tape", "tensor", "extra"]
    report = _report([_result(f"{a}.ok", t, "passed") for a in areas for t in targets])
    lines = terminal.table(report)
    assert max(map(len, lines)) <= terminal.WIDTH
    assert lines[1].split()[:2] == ["target", "all"]  # the headline next to each target
    blocks = [line for line in lines if line.startswith("target")]
    assert len(blocks) == 2  # 8 areas and "all" do not fit in one block of 120 columns
    assert sum(line.startswith(targets[0] + " ") for line in lines) == 2


class _Reporter:
    def __init__(self) -> None:
        self.out: list[tuple[str, dict[str, bool]]] = []

    def write_sep(self, sep: str, title: str | None = None, **markup: bool) -> None:
        self.out.append((f"{sep * 3} {title}", markup))

    def write_line(self, line: str, **markup: bool) -> None:
        self.out.append((line, markup))


def test_write_colours_failures_red_and_none_green() -> None:
    failing, passing = _Reporter(), _Reporter()
    terminal.write(failing, _mixed())
    terminal.write(passing, _report([_result("tape.ok", "CPU:0-eager", "passed")]))
    assert failing.out[0] == ("=== tf2conf conformance", {})
    assert failing.out[-1] == (terminal.failures(_mixed())[-1], {"red": True})
    assert passing.out[-1] == ("Failing claims: none", {"green": True})


# -- real runs ---------------------------------------------------------------------------------
SUITE = f"""
from pytest_tf2conf import claim

@claim("demo.fine", "Fine.", "{DOC}")
def test_fine(target):
    assert True
"""
PLANTED = f"""
@claim("demo.planted", "A planted failure.", "{DOC}")
def test_planted(target):
    assert 1 == 2, "planted failure"
"""
ONE_TARGET = ("--tf2conf-devices", "CPU:0", "--tf2conf-modes", "eager")


def _summary(outlines: list[str]) -> list[str]:
    """The summary's lines: from its separator to the first 'tf2conf: wrote' line."""
    start = next(i for i, line in enumerate(outlines) if "tf2conf conformance" in line)
    wrote = next(i for i, line in enumerate(outlines) if line.startswith("tf2conf: wrote"))
    assert start < wrote, "the summary comes before the files written"
    return outlines[start:wrote]


def test_a_run_prints_the_table_before_the_files_written(pytester, run_conformance) -> None:
    path = pytester.makepyfile(test_demo=SUITE)
    run = run_conformance(str(path), *ONE_TARGET)
    assert run.result.ret == pytest.ExitCode.OK
    summary = _summary(run.result.outlines)
    assert summary[0].startswith("=") and summary[0].endswith("=")
    assert summary[2].split() == ["area", "CPU:0-eager"]
    assert summary[4].split() == ["demo", "100%", "(1/1)"]
    assert summary[5].split() == ["all", "100%", "(1/1)"]
    assert summary[-1] == "Failing claims: none"


def test_a_planted_failure_is_listed(pytester, run_conformance) -> None:
    path = pytester.makepyfile(test_demo=SUITE + PLANTED)
    run = run_conformance(str(path), *ONE_TARGET)
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    summary = _summary(run.result.outlines)
    assert summary[5].split() == ["all", "50%", "(1/2)"]
    assert summary[-2:] == [
        "Failing claims (1):",
        "  demo.planted on CPU:0-eager: failed — AssertionError: planted failure",
    ]


def test_collect_only_prints_no_summary(pytester, run_conformance) -> None:
    path = pytester.makepyfile(test_demo=SUITE)
    run = run_conformance(str(path), *ONE_TARGET, "--collect-only")
    assert not any("tf2conf conformance" in line for line in run.result.outlines)
