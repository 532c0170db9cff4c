"""The JSON report: its version, its shape, and the summary derived from its results.

The JSON document is the source of truth; Markdown and HTML are renderings of it, and the
diff/merge tools read it back. Shape (schema_version 1)::

    {
      "schema_version": 1,
      "complete": true,            # false when the run was interrupted
      "environment": {...},        # versions, devices, modes, profile, seed, times
      "claims":  [{"id", "area", "statement", "doc"}],
      "results": [{"claim", "test", "nodeid", "target", "device", "mode", "backend",
                   "outcome", "duration", "message", "example", ...}],
      "summary": {"targets": [...], "areas": {area: {target: counts}}, "totals": {...}}
    }

Measurements a result may carry: ``traces`` (tf.function traces of ``Target.run``),
``compiles`` (XLA compilations: new concrete input signatures), ``compile_seconds`` (wall
time of the calls that traced or compiled), ``examples`` and ``example_seconds``
(hypothesis examples run and their total time).

One result per (claim, test): a test that declares two claims gives two results.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

SCHEMA_VERSION = 1

OUTCOMES = ("passed", "failed", "error", "crashed", "unsupported", "skipped", "xfailed", "xpassed")

# How the tests of one claim on one target combine: the first outcome present wins.
CLAIM_PRECEDENCE = (
    "error",
    "crashed",
    "failed",
    "xpassed",
    "unsupported",
    "xfailed",
    "passed",
    "skipped",
)


def claim_outcome(outcomes: Iterable[str]) -> str:
    present = set(outcomes)
    for outcome in CLAIM_PRECEDENCE:
        if outcome in present:
            return outcome
    return "skipped"


def claim_outcomes(results: Iterable[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """(claim id, target) -> the claim's outcome there."""
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    for result in results:
        grouped[(result["claim"], result["target"])].append(result["outcome"])
    return {key: claim_outcome(values) for key, values in grouped.items()}


def conformance(counts: dict[str, int]) -> float | None:
    """Passed claims over the claims that ran (skipped ones excluded), in percent."""
    ran = sum(n for outcome, n in counts.items() if outcome not in ("skipped", "claims"))
    if not ran:
        return None
    return round(100.0 * counts.get("passed", 0) / ran, 1)


def summarize(claims: list[dict[str, Any]], results: list[dict[str, Any]]) -> dict[str, Any]:
    area_of = {c["id"]: c["area"] for c in claims}
    targets = sorted({r["target"] for r in results})
    areas: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    for (claim_id, target), outcome in claim_outcomes(results).items():
        area = area_of.get(claim_id, claim_id.split(".", 1)[0])
        areas[area][target][outcome] += 1
        areas[area][target]["claims"] += 1
        totals[target][outcome] += 1
        totals[target]["claims"] += 1

    def finish(counts: Counter[str]) -> dict[str, Any]:
        return {**dict(counts), "conformance": conformance(counts)}

    return {
        "targets": targets,
        "areas": {
            area: {target: finish(counts) for target, counts in sorted(per_target.items())}
            for area, per_target in sorted(areas.items())
        },
        "totals": {target: finish(counts) for target, counts in sorted(totals.items())},
        "tests": dict(Counter(r["outcome"] for r in results)),
    }


def build(
    environment: dict[str, Any],
    claims: list[dict[str, Any]],
    results: list[dict[str, Any]],
    complete: bool,
) -> dict[str, Any]:
    claims = sorted(claims, key=lambda c: c["id"])
    results = sorted(results, key=lambda r: (r["claim"], r["target"], r["test"]))
    return {
        "schema_version": SCHEMA_VERSION,
        "complete": complete,
        "environment": environment,
        "claims": claims,
        "results": results,
        "summary": summarize(claims, results),
    }
