"""Markdown rendering of a report: per-area conformance per target, then the failures.

Short enough for a CI job summary; every failing claim is listed with its message.
"""

from __future__ import annotations

from typing import Any

from . import backends, docexamples, kernels, observations
from .text import FAILING, LABELS, cell, failing_claims


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
        for key in ("tensorflow", "keras", "keras_flavour", "keras_backend", "env_vars", "python")
        if env.get(key)
    )
    lines += [
        f"- Versions: {versions or 'unknown'}",
        *_runs(env),
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
            row = [cell(per_target.get(t)) for t in targets]
            lines.append(f"| {area} | " + " | ".join(row) + " |")
        totals = summary.get("totals", {})
        lines.append("| **all** | " + " | ".join(cell(totals.get(t)) for t in targets) + " |")
    else:
        lines.append("No results.")
    lines += ["", *render_failures(report), *render_expectations(report)]
    lines += docexamples.render(report.get("results", []))
    lines += kernels.render_markdown(report.get("results", []))
    lines += observations.render_markdown(report.get("results", []))
    lines += backends.render_markdown(report.get("results", []))
    return "\n".join(lines) + "\n"


def _runs(env: dict[str, Any]) -> list[str]:
    """A merged report: one line per run (its qualifier and versions)."""
    runs = env.get("runs")
    if not isinstance(runs, list):
        return []
    lines = []
    for index, run in enumerate(runs):
        versions = ", ".join(
            f"{key} {run[key]}"
            for key in ("tensorflow", "keras", "keras_flavour", "keras_backend", "host", "shard")
            if run.get(key)
        )
        label = run.get("qualifier") or f"run {index}"
        lines.append(f"- Run `{_escape(str(label))}`: {_escape(versions)}")
    return lines


def render_failures(report: dict[str, Any]) -> list[str]:
    statements = {c["id"]: c for c in report.get("claims", [])}
    failing = failing_claims(report.get("results", []))
    if not failing:
        return ["## Failing claims", "", "None."]
    lines = ["## Failing claims", ""]
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for result in report.get("results", []):
        by_key.setdefault((result["claim"], result["target"]), []).append(result)
    for claim_id, target, outcome in failing:
        info = statements.get(claim_id, {})
        lines.append(
            f"- **{_escape(claim_id)}** on `{_escape(target)}`: "
            f"{LABELS.get(outcome, outcome)} — "
            f"{_escape(info.get('statement', ''))} ([doc]({info.get('doc', '')}))"
        )
        for result in by_key[(claim_id, target)]:
            if result["outcome"] in FAILING and result.get("message"):
                lines.append(f"  - `{result['test']}`: {_escape(result['message'])[:500]}")
            if result["outcome"] in FAILING and result.get("repro"):
                lines.append(f"    repro: `{_escape(str(result['repro']))}`")
    return lines


def render_expectations(report: dict[str, Any]) -> list[str]:
    info = report.get("expectations")
    if not isinstance(info, dict):
        return []
    lines = ["", "## Expectations", "", f"- Applied to {info.get('applied')} tests"]
    if info.get("known_deviations"):
        lines.append(f"- Bundled known deviations: {info['known_deviations']} entries")
    if info.get("file"):
        lines.append(f"- File `{_escape(str(info['file']))}`: {info.get('entries')} entries")
    for entry in info.get("unmatched") or []:
        lines.append(f"- Unmatched (matches no collected test): `{_escape(str(entry))}`")
    return lines
