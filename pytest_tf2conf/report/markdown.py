"""Markdown rendering of a report: per-area conformance per target, then the failures.

Short enough for a CI job summary; every failing claim is listed with its message.
"""

from __future__ import annotations

from typing import Any

from .schema import claim_outcomes

FAILING = ("failed", "error", "crashed", "xpassed", "unsupported")


def _cell(counts: dict[str, Any] | None) -> str:
    if not counts:
        return "–"
    pct = counts.get("conformance")
    ran = counts.get("claims", 0) - counts.get("skipped", 0)
    if pct is None:
        return f"skipped ({counts.get('claims', 0)})"
    return f"{pct:g}% ({counts.get('passed', 0)}/{ran})"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def render(report: dict[str, Any]) -> str:
    env = report.get("environment", {})
    summary = report.get("summary", {})
    targets = summary.get("targets", [])
    lines = ["# tf2conf conformance report", ""]
    if not report.get("complete", True):
        lines += ["**Incomplete run**: interrupted before every test ran.", ""]
    versions = ", ".join(
        f"{key} {env[key]}"
        for key in ("tensorflow", "keras", "keras_backend", "python")
        if env.get(key)
    )
    lines += [
        f"- Versions: {versions or 'unknown'}",
        f"- Devices: {', '.join(env.get('devices', [])) or 'none'};"
        f" modes: {', '.join(env.get('modes', [])) or 'none'}",
        f"- Hypothesis profile: {env.get('profile')}, seed: {env.get('seed')}",
        f"- Claims: {len(report.get('claims', []))}; test results: "
        + ", ".join(f"{k} {v}" for k, v in sorted(summary.get("tests", {}).items())),
        "",
        "## Conformance per area (claims passed / claims run)",
        "",
    ]
    if targets:
        lines.append("| area | " + " | ".join(targets) + " |")
        lines.append("|---" * (len(targets) + 1) + "|")
        for area, per_target in summary.get("areas", {}).items():
            row = [_cell(per_target.get(t)) for t in targets]
            lines.append(f"| {area} | " + " | ".join(row) + " |")
        totals = summary.get("totals", {})
        lines.append("| **all** | " + " | ".join(_cell(totals.get(t)) for t in targets) + " |")
    else:
        lines.append("No results.")
    lines += ["", *render_failures(report)]
    return "\n".join(lines) + "\n"


def render_failures(report: dict[str, Any]) -> list[str]:
    statements = {c["id"]: c for c in report.get("claims", [])}
    outcomes = claim_outcomes(report.get("results", []))
    failing = sorted(key for key, outcome in outcomes.items() if outcome in FAILING)
    if not failing:
        return ["## Failing claims", "", "None."]
    lines = ["## Failing claims", ""]
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for result in report.get("results", []):
        by_key.setdefault((result["claim"], result["target"]), []).append(result)
    for claim_id, target in failing:
        info = statements.get(claim_id, {})
        lines.append(
            f"- **{claim_id}** on `{target}`: {outcomes[(claim_id, target)]} — "
            f"{_escape(info.get('statement', ''))} ([doc]({info.get('doc', '')}))"
        )
        for result in by_key[(claim_id, target)]:
            if result["outcome"] in FAILING and result.get("message"):
                lines.append(f"  - `{result['test']}`: {_escape(result['message'])[:500]}")
    return lines
