"""Plain-text summary of a report for pytest's terminal: the per-area table, the failures.

The product's main output at the end of a run, so it is short: the full detail (statements,
every message, repro scripts) stays in the Markdown and HTML reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from .text import LABELS, cell, failing_claims

WIDTH = 120  # columns the table and the failure lines are fitted to
MAX_FAILURES = 20
TITLE = "tf2conf conformance"
NO_FAILURES = "Failing claims: none"


class Reporter(Protocol):
    """The part of pytest's TerminalReporter the summary writes through."""

    def write_sep(self, sep: str, title: str | None = None, **markup: bool) -> None: ...

    def write_line(self, line: str, **markup: bool) -> None: ...


def render(
    report: dict[str, Any], details: Path | str | None = None, width: int = WIDTH
) -> list[str]:
    """The whole summary; ``details`` is where the failures left out are listed."""
    return [*overview(report, width), "", *failures(report, details, width=width)]


def overview(report: dict[str, Any], width: int = WIDTH) -> list[str]:
    """The table, after a warning when the run was interrupted."""
    if report.get("complete", True):
        return table(report, width)
    return ["Incomplete run: interrupted before every test ran.", *table(report, width)]


def table(report: dict[str, Any], width: int = WIDTH) -> list[str]:
    """Claims passed / claims run per area and target, one aligned text table.

    Areas as rows and targets as columns, as in the Markdown report, while that fits in
    ``width``; otherwise targets as rows: areas are few, targets multiply with devices,
    modes and backends. Columns still too many for ``width`` wrap into blocks.
    """
    summary = report.get("summary", {})
    targets: list[str] = summary.get("targets", [])
    areas: dict[str, dict[str, Any]] = summary.get("areas", {})
    totals: dict[str, Any] = summary.get("totals", {})
    if not targets:
        return ["Conformance per area: no results."]
    heading = "Conformance per area (claims passed / claims run):"
    rows = [(area, [cell(per.get(t)) for t in targets]) for area, per in areas.items()]
    rows.append(("all", [cell(totals.get(t)) for t in targets]))
    lines = _grid("area", targets, rows, width)
    if len(lines) > len(rows) + 2:  # wrapped: the targets do not fit side by side
        # Transposed, "all" first: the headline next to the target's name, even when wrapped.
        columns = ["all", *areas]
        rows = [
            (t, [cell(totals.get(t)), *(cell(per.get(t)) for per in areas.values())])
            for t in targets
        ]
        lines = _grid("target", columns, rows, width)
    return [heading, *lines]


def _grid(
    corner: str, columns: list[str], rows: list[tuple[str, list[str]]], width: int
) -> list[str]:
    """Left-aligned row labels, right-aligned cells; blocks of columns that fit in width."""
    label_width = max(len(corner), *(len(label) for label, _ in rows))
    widths = [
        max(len(name), *(len(cells[i]) for _, cells in rows)) for i, name in enumerate(columns)
    ]
    lines: list[str] = []
    start = 0
    while start < len(columns):
        end, used = start + 1, label_width + 2 + widths[start]  # at least one column a block
        while end < len(columns) and used + 2 + widths[end] <= width:
            used += 2 + widths[end]
            end += 1
        block = range(start, end)
        text = [
            label.ljust(label_width) + "".join(f"  {cells[i]:>{widths[i]}}" for i in block)
            for label, cells in [(corner, columns), *rows]
        ]
        lines += [*([""] if lines else []), text[0], "-" * used, *text[1:]]
        start = end
    return lines


def failures(
    report: dict[str, Any],
    details: Path | str | None = None,
    limit: int = MAX_FAILURES,
    width: int = WIDTH,
) -> list[str]:
    """One line per failing claim x target: outcome and the first message, cut to width."""
    results: list[dict[str, Any]] = report.get("results", [])
    failing = failing_claims(results)
    if not failing:
        return [NO_FAILURES]
    # The first message of a test whose outcome is the claim's (a failure, not a skip beside it).
    outcome_of = {(claim_id, target): outcome for claim_id, target, outcome in failing}
    first: dict[tuple[str, str], str] = {}
    for result in results:
        key = (result["claim"], result["target"])
        message = str(result.get("message") or "").strip()
        if key not in first and message and result["outcome"] == outcome_of.get(key):
            first[key] = message.splitlines()[0]
    lines = [f"Failing claims ({len(failing)}):"]
    for claim_id, target, outcome in failing[:limit]:
        line = f"  {claim_id} on {target}: {LABELS.get(outcome, outcome)}"
        message = first.get((claim_id, target))
        lines.append(_cut(f"{line} — {message}" if message else line, width))
    if len(failing) > limit:
        where = f" (see {details})" if details else ""
        lines.append(f"  ... and {len(failing) - limit} more{where}")
    return lines


def _cut(line: str, width: int) -> str:
    return line if len(line) <= width else line[: width - 3] + "..."


def write(reporter: Reporter, report: dict[str, Any], details: Path | str | None = None) -> None:
    """The summary through pytest's terminal reporter; failures in red, none in green."""
    reporter.write_sep("=", TITLE)
    for line in overview(report):
        reporter.write_line(line)
    reporter.write_line("")
    lines = failures(report, details)
    colour = {"green": True} if lines == [NO_FAILURES] else {"red": True}
    for line in lines:
        reporter.write_line(line, **colour)
