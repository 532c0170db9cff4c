"""How outcomes and summary counts read, shared by the text renderings (Markdown, terminal)."""

from __future__ import annotations

from typing import Any

from .schema import claim_outcomes

FAILING = ("failed", "error", "crashed", "xpassed", "unsupported")
# A strict xfail that passed: the known deviation is gone, its expectation can be removed.
LABELS = {"xpassed": "fixed (xpassed; remove its expectation)"}


def cell(counts: dict[str, Any] | None) -> str:
    """One summary cell: conformance and claims passed / claims run (skipped ones excluded)."""
    if not counts:
        return "–"
    pct = counts.get("conformance")
    ran = counts.get("claims", 0) - counts.get("skipped", 0)
    if pct is None:
        return f"skipped ({counts.get('claims', 0)})"
    return f"{pct:g}% ({counts.get('passed', 0)}/{ran})"


def failing_claims(results: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(claim id, target, outcome) of every claim that fails on a target, sorted."""
    outcomes = claim_outcomes(results)
    return [(*key, outcomes[key]) for key in sorted(outcomes) if outcomes[key] in FAILING]
