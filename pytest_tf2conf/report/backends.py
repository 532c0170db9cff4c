"""The "differs between backends" view of a report over several Keras backends (``make
conformance-backends`` merges one run per backend): every claim x target where one
backend passes and another fails, errs, crashes, is unsupported or deviates as known
(xfailed), with each backend's outcome and message side by side.

Backends name their devices differently (``CPU:0`` for TensorFlow, ``cpu:0`` for JAX,
``cpu`` for PyTorch), so a target here is the device type and the Keras mode
(``cpu-function``); a backend's outcome there combines its devices of that type. A report
with results of fewer than two backends has no such view.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from .schema import claim_outcome

# Outcomes that make a claim differ from a backend where it passes ("skipped" is a claim
# that does not apply there, e.g. a TensorFlow-only claim without TensorFlow: not a
# difference in behaviour).
DIFFERING = ("failed", "error", "crashed", "unsupported", "xfailed", "xpassed")
MESSAGE_CHARS = 300


@dataclass(frozen=True)
class Difference:
    claim: str
    target: str  # device type and mode, e.g. "cpu-function"
    outcomes: dict[str, str]  # backend -> claim outcome
    messages: dict[str, str]  # backend -> first message of a test that did not pass


def _target(result: dict[str, Any]) -> str:
    device = str(result.get("device") or "").split(":")[0].lower() or "host"
    mode = result.get("mode")
    return f"{device}-{mode}" if mode else device


def backends(results: list[dict[str, Any]]) -> list[str]:
    return sorted({str(r["backend"]) for r in results if r.get("backend")})


def differences(results: list[dict[str, Any]]) -> list[Difference]:
    """Every claim x target that passes on one backend and not on another, sorted."""
    if len(backends(results)) < 2:
        return []
    grouped: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for result in results:
        if result.get("backend"):
            grouped[(result["claim"], _target(result))][str(result["backend"])].append(result)
    found = []
    for (claim_id, target), per_backend in sorted(grouped.items()):
        outcomes = {b: claim_outcome(r["outcome"] for r in rs) for b, rs in per_backend.items()}
        values = set(outcomes.values())
        if "passed" not in values or not values & set(DIFFERING):
            continue
        messages = {
            backend: _first_message(rows, outcomes[backend])
            for backend, rows in per_backend.items()
            if outcomes[backend] != "passed"
        }
        found.append(Difference(claim_id, target, dict(sorted(outcomes.items())), messages))
    return found


def _first_message(rows: list[dict[str, Any]], outcome: str) -> str:
    for row in rows:
        if row["outcome"] == outcome and row.get("message"):
            text = " ".join(str(row["message"]).split())
            return text[:MESSAGE_CHARS] + ("..." if len(text) > MESSAGE_CHARS else "")
    return ""


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;")


def render_markdown(results: list[dict[str, Any]]) -> list[str]:
    names = backends(results)
    found = differences(results)
    if len(names) < 2:
        return []
    lines = [
        "",
        "## Differs between backends",
        "",
        f"Claims x targets that pass on one Keras backend and fail, are unsupported or are a "
        f"known deviation on another ({len(found)}); targets are device type and Keras mode.",
        "",
    ]
    if not found:
        return [*lines, "None."]
    lines.append("| claim | target | " + " | ".join(names) + " |")
    lines.append("|---" * (len(names) + 2) + "|")
    for diff in found:
        cells = []
        for backend in names:
            outcome = diff.outcomes.get(backend, "absent")
            message = diff.messages.get(backend)
            cells.append(_md(f"**{outcome}**" + (f": {message}" if message else "")))
        lines.append(f"| {_md(diff.claim)} | {diff.target} | " + " | ".join(cells) + " |")
    return lines


def render_html(results: list[dict[str, Any]]) -> list[str]:
    names = backends(results)
    if len(names) < 2:
        return []
    found = differences(results)
    out = [
        '<h2 id="backend-differences">Differs between backends</h2>',
        f"<p>Claims x targets that pass on one Keras backend and fail, are unsupported or are "
        f"a known deviation on another: {len(found)}.</p>",
    ]
    if not found:
        return out
    out.append(
        '<table id="backend-differences-table"><tr><th>claim</th><th>target</th>'
        + "".join(f"<th>{html.escape(b)}</th>" for b in names)
        + "</tr>"
    )
    for diff in found:
        cells = []
        for backend in names:
            outcome = diff.outcomes.get(backend, "absent")
            message = html.escape(diff.messages.get(backend, ""))
            cells.append(
                f'<td class="o-{html.escape(outcome)}"><b>{html.escape(outcome)}</b>'
                + (f'<div class="msg">{message}</div>' if message else "")
                + "</td>"
            )
        out.append(
            f"<tr><td>{html.escape(diff.claim)}</td><td>{html.escape(diff.target)}</td>"
            + "".join(cells)
            + "</tr>"
        )
    out.append("</table>")
    return out
