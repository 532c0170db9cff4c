"""The kernel-coverage table of a report: op x dtype x device, from the op database's
dtype-support results (``suites/ops/test_dtype_support.py`` notes each outcome per dtype).

This is the table a device-plugin author reads: which kernels a device has, which it lacks
while the record declares them, and which run although undeclared. A cell reads ``yes``
(declared, runs), ``-`` (not declared, raises: as documented), ``MISSING`` (declared, does
not run) or ``UNDECLARED`` (runs although not declared). Where the targets agree a cell
holds one word; where they differ it lists each target's.
"""

from __future__ import annotations

import html
from collections import defaultdict
from typing import Any

DTYPE_ORDER = (
    "bfloat16", "float16", "float32", "float64", "complex64", "complex128",
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool", "string",
)  # fmt: skip
LEGEND = (
    "yes: declared and runs; -: not declared and raises (as declared); MISSING: declared but "
    "does not run (the outcome follows); UNDECLARED: runs although not declared."
)


def _word(declared: bool, outcome: str) -> str:
    runs = outcome == "runs"
    if declared:
        return "yes" if runs else f"MISSING ({outcome})"
    return "UNDECLARED" if runs else "-"


def table(results: list[dict[str, Any]]) -> dict[str, Any] | None:
    """{"dtypes": [...], "targets": [...], "rows": {op: {dtype: {target: word}}}}, or None
    when the run has no dtype-support results."""
    rows: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    dtypes: set[str] = set()
    targets: set[str] = set()
    for result in results:
        notes = result.get("notes") or {}
        support = notes.get("dtype_support")
        if not isinstance(support, dict) or not isinstance(notes.get("op"), str):
            continue
        declared = set(notes.get("declared") or ())
        target = str(result.get("target"))
        targets.add(target)
        for dtype, outcome in support.items():
            dtypes.add(dtype)
            rows[notes["op"]][dtype][target] = _word(dtype in declared, str(outcome))
    if not rows:
        return None
    order = [d for d in DTYPE_ORDER if d in dtypes] + sorted(dtypes - set(DTYPE_ORDER))
    return {"dtypes": order, "targets": sorted(targets), "rows": dict(sorted(rows.items()))}


def _cell(per_target: dict[str, str]) -> str:
    words = set(per_target.values())
    if len(words) <= 1:
        return next(iter(words), "")
    return "; ".join(f"{t}: {w}" for t, w in sorted(per_target.items()))


def mismatches(kernels: dict[str, Any]) -> int:
    return sum(
        1
        for per_dtype in kernels["rows"].values()
        for per_target in per_dtype.values()
        for word in per_target.values()
        if word not in ("yes", "-")
    )


def render_markdown(results: list[dict[str, Any]]) -> list[str]:
    kernels = table(results)
    if kernels is None:
        return []
    dtypes = kernels["dtypes"]
    lines = [
        "",
        "## Kernel coverage (op x dtype x device)",
        "",
        f"Targets: {', '.join(kernels['targets'])}; ops: {len(kernels['rows'])}; "
        f"cells that differ from the declarations: {mismatches(kernels)}. {LEGEND}",
        "",
        "| op | " + " | ".join(dtypes) + " |",
        "|---" * (len(dtypes) + 1) + "|",
    ]
    for op, per_dtype in kernels["rows"].items():
        cells = [_cell(per_dtype.get(d, {})).replace("|", "\\|") for d in dtypes]
        lines.append(f"| {op} | " + " | ".join(cells) + " |")
    return lines


def render_html(results: list[dict[str, Any]]) -> list[str]:
    kernels = table(results)
    if kernels is None:
        return []
    dtypes = kernels["dtypes"]
    out = [
        '<h2 id="kernels">Kernel coverage (op x dtype x device)</h2>',
        f"<p>Targets: {html.escape(', '.join(kernels['targets']))}; ops: "
        f"{len(kernels['rows'])}; cells that differ from the declarations: "
        f"{mismatches(kernels)}. {html.escape(LEGEND)}</p>",
        '<table id="kernel-table"><tr><th>op</th>'
        + "".join(f"<th>{html.escape(d)}</th>" for d in dtypes)
        + "</tr>",
    ]
    for op, per_dtype in kernels["rows"].items():
        cells = []
        for dtype in dtypes:
            text = _cell(per_dtype.get(dtype, {}))
            bad = text not in ("yes", "-", "")
            cls = ' class="fail"' if bad else ""
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        out.append(f"<tr><td>{html.escape(op)}</td>{''.join(cells)}</tr>")
    out.append("</table>")
    return out
