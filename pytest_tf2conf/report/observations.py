"""The report's observations: plain values claims recorded (``recording.observe``).

Per claim x target x name, the first test's value (results sorted by test id), as the diff
compares them (``behaviour.observations``). Rendered as one table in Markdown and HTML.
"""

from __future__ import annotations

import html
import json
from typing import Any

from .behaviour import observations


def _rows(results: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    found = observations({"results": results})
    return [
        (claim, target, name, json.dumps(value, default=str))
        for (claim, target), values in sorted(found.items())
        for name, value in sorted(values.items())
    ]


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_markdown(results: list[dict[str, Any]]) -> list[str]:
    rows = _rows(results)
    if not rows:
        return []
    lines = ["", "## Observations", "", "| claim | target | observation | value |"]
    lines.append("|---|---|---|---|")
    for claim, target, name, value in rows:
        cells = [claim, target, name, f"`{_short(value)}`"]
        lines.append(
            "| " + " | ".join(c.replace("|", "\\|").replace("<", "&lt;") for c in cells) + " |"
        )
    return lines


def render_html(results: list[dict[str, Any]]) -> list[str]:
    rows = _rows(results)
    if not rows:
        return []
    out = [
        '<h2 id="observations">Observations</h2>',
        "<table><tr><th>claim</th><th>target</th><th>observation</th><th>value</th></tr>",
    ]
    for claim, target, name, value in rows:
        cells = "".join(f"<td>{html.escape(c)}</td>" for c in (claim, target, name))
        out.append(f"<tr>{cells}<td><code>{html.escape(_short(value))}</code></td></tr>")
    out.append("</table>")
    return out
