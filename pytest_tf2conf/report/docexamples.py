"""The documented-examples section of the Markdown report (the ``docs`` area).

Per target: the symbols whose examples ran, the symbols skipped because a rule excludes
all their examples, the examples run per mode (eager, in tf.function, under XLA), the
examples excluded inside checked symbols and the XLA fallbacks; then the graph rule and
every exclusion rule with its reason and counts. The counts come from the results' notes
(``docexamples.runner.Outcome.notes``) and the skip messages ("excluded: <rule> (...)").
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

from ..docexamples import rules

AREA_PREFIX = "docs."
MODES = ("eager", "function", "xla")
_SKIPPED_RULE = re.compile(r"(?:excluded: |; )([\w-]+) \(")


def summary(results: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Counts per target, or None when the run has no documented-example results."""
    docs = [r for r in results if str(r.get("claim", "")).startswith(AREA_PREFIX)]
    if not docs:
        return None
    targets: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "symbols": 0,
            "skipped": 0,
            "examples": Counter(),
            "excluded": Counter(),
            "xla_fallbacks": Counter(),
        }
    )
    skipped_by_rule: dict[str, set[str]] = defaultdict(set)
    for result in docs:
        row = targets[result["target"]]
        notes = result.get("notes") or {}
        if result.get("outcome") == "skipped":
            row["skipped"] += 1
            for rule in _SKIPPED_RULE.findall(str(result.get("message", ""))):
                skipped_by_rule[rule].add(result["claim"])
            continue
        row["symbols"] += 1
        row["examples"].update(notes.get("examples") or {})
        row["excluded"].update(notes.get("excluded") or {})
        row["xla_fallbacks"].update(notes.get("xla_fallbacks") or {})
    return {"targets": dict(sorted(targets.items())), "skipped_by_rule": skipped_by_rule}


def render(results: list[dict[str, Any]]) -> list[str]:
    counts = summary(results)
    if counts is None:
        return []
    lines = [
        "",
        "## Documented examples (docs area)",
        "",
        f"Graph rule: {rules.GRAPH_RULE}.",
        "",
        "| target | symbols run | symbols excluded | examples eager | in tf.function | "
        "under XLA | examples excluded | XLA fallbacks |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for target, row in counts["targets"].items():
        examples = row["examples"]
        lines.append(
            f"| {target} | {row['symbols']} | {row['skipped']} | "
            + " | ".join(str(examples.get(mode, 0)) for mode in MODES)
            + f" | {sum(row['excluded'].values())} | {sum(row['xla_fallbacks'].values())} |"
        )
    excluded_examples: Counter[str] = Counter()
    for row in counts["targets"].values():
        excluded_examples.update(row["excluded"])
    lines += [
        "",
        "| exclusion rule | reason | symbols excluded | examples excluded in checked symbols "
        "(summed over targets) |",
        "|---|---|---:|---:|",
    ]
    for rule in rules.EXCLUSIONS:
        symbols = len(counts["skipped_by_rule"].get(rule.name, ()))
        lines.append(
            f"| {rule.name} | {rule.reason} | {symbols} | {excluded_examples.get(rule.name, 0)} |"
        )
    lines += ["", "Examples that run in a lesser mode, and why:", ""]
    lines += [f"- {r.name}: {r.reason}" for r in (*rules.GRAPH_EXCLUSIONS, *rules.XLA_EXCLUSIONS)]
    return lines
