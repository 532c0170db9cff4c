"""The HTML rendering of a report: one self-contained file (inline CSS and JS, no network).

A claims x targets matrix grouped by area with per-area conformance, the environment,
filters (area, outcome, target) in plain JavaScript, and for each failing cell its message,
falsifying example and a link to its repro script. Every string that comes from a test or a
report is escaped: report files are data, not markup.
"""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from . import backends, kernels, observations
from .schema import OUTCOMES, claim_outcomes, summarize

HTML_NAME = "tf2conf-report.html"
FAILING = ("failed", "error", "crashed", "xpassed", "unsupported")
LABELS = {"xpassed": "fixed (xpassed)"}
_SAFE_REPRO = re.compile(r"^repro/[A-Za-z0-9_.-]+\.py$")
_ENV_KEYS = (
    "tensorflow",
    "keras",
    "keras_flavour",
    "keras_backend",
    "numpy",
    "hypothesis",
    "python",
    "pytest",
    "tf2conf",
    "os",
    "host",
    "devices",
    "modes",
    "keras_modes",
    "profile",
    "seed",
    "shard",
    "start_time",
    "end_time",
)

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.4em 0 .4em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#f2f2f2;text-align:left}.env td:first-child{font-weight:600}
.warn{background:#fff3cd;border:1px solid #e0c36b;padding:.5em;margin:.5em 0}
.o-passed{background:#d4f4d4}.o-failed,.o-error,.o-crashed{background:#f8c9c9}
.o-unsupported{background:#f3e2b3}.o-skipped,.o-none{background:#eee;color:#777}
#kernel-table td.fail{background:#f8c9c9}
.o-xfailed{background:#e1e1f7}.o-xpassed{background:#bfe9f6}
tr.area-row th{background:#dde6f0}.pct{font-weight:600}
td.cell{min-width:7em;font-size:12px}details summary{cursor:pointer}
.msg{white-space:pre-wrap;max-width:32em;font-family:monospace;font-size:11px;margin:.3em 0}
.claim-id{font-family:monospace}.statement{color:#555;font-size:12px}
#filters{display:flex;gap:1em;align-items:center;margin:.5em 0;flex-wrap:wrap}
.hidden{display:none}
"""

_JS = """
(function(){
  var area=document.getElementById('f-area'),outcome=document.getElementById('f-outcome'),
      target=document.getElementById('f-target'),shown=document.getElementById('f-shown');
  function apply(){
    var a=area.value,o=outcome.value,t=target.value,count=0;
    document.querySelectorAll('[data-target]').forEach(function(el){
      el.classList.toggle('hidden',t!==''&&el.getAttribute('data-target')!==t);});
    document.querySelectorAll('tr.claim-row').forEach(function(row){
      var ok=a===''||row.getAttribute('data-area')===a;
      if(ok&&o!==''){ok=false;row.querySelectorAll('td.cell').forEach(function(c){
        if((t===''||c.getAttribute('data-target')===t)&&c.getAttribute('data-outcome')===o)ok=true;});}
      row.classList.toggle('hidden',!ok);if(ok)count++;});
    document.querySelectorAll('tr.area-row').forEach(function(row){
      var name=row.getAttribute('data-area'),any=false;
      document.querySelectorAll('tr.claim-row').forEach(function(r){
        if(r.getAttribute('data-area')===name&&!r.classList.contains('hidden'))any=true;});
      row.classList.toggle('hidden',!any);});
    shown.textContent=count+' claims shown';
  }
  [area,outcome,target].forEach(function(s){s.addEventListener('change',apply);});
  // Deep links: report.html#outcome=failed&area=eager preselects the filters.
  location.hash.replace(/^#/,'').split('&').forEach(function(kv){
    var p=kv.split('='),el={area:area,outcome:outcome,target:target}[p[0]];
    if(el&&p.length===2){var v=decodeURIComponent(p[1]);
      for(var i=0;i<el.options.length;i++)if(el.options[i].value===v)el.value=v;}});
  apply();
})();
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _label(outcome: str) -> str:
    return LABELS.get(outcome, outcome)


def _pct(counts: dict[str, Any] | None) -> str:
    if not counts:
        return "–"
    pct = counts.get("conformance")
    ran = counts.get("claims", 0) - counts.get("skipped", 0)
    if pct is None:
        return "skipped"
    return f"{pct:g}% ({counts.get('passed', 0)}/{ran})"


def _environment(env: dict[str, Any]) -> list[str]:
    rows = []
    for key in (*_ENV_KEYS, *sorted(k for k in env if k not in _ENV_KEYS)):
        if key in env and key != "runs" and env[key] not in (None, "", [], {}):
            value = env[key]
            if isinstance(value, list):
                text = ", ".join(map(str, value))
            elif isinstance(value, dict):
                text = json.dumps(value, default=str)
            else:
                text = value
            rows.append(f"<tr><td>{_e(key)}</td><td>{_e(text)}</td></tr>")
    return ['<table class="env">', *rows, "</table>"]


def _runs(runs: list[Any]) -> list[str]:
    keys = (
        "qualifier",
        "tensorflow",
        "keras",
        "keras_flavour",
        "keras_backend",
        "python",
        "host",
        "shard",
    )
    out = ["<h3>Runs</h3>", '<table class="env runs">']
    out.append("<tr>" + "".join(f"<th>{_e(k)}</th>" for k in ("run", *keys)) + "</tr>")
    for index, run in enumerate(runs):
        run = run if isinstance(run, dict) else {}
        cells = "".join(f"<td>{_e(run.get(k))}</td>" for k in keys)
        out.append(f"<tr><td>{index}</td>{cells}</tr>")
    return [*out, "</table>"]


def _cell(target: str, outcome: str | None, results: list[dict[str, Any]]) -> str:
    if outcome is None:
        return f'<td class="cell o-none" data-target="{_e(target)}" data-outcome="">–</td>'
    attrs = f'class="cell o-{_e(outcome)}" data-target="{_e(target)}" data-outcome="{_e(outcome)}"'
    if outcome not in FAILING and not any(r.get("expectation") for r in results):
        return f"<td {attrs}>{_e(_label(outcome))}</td>"
    details = []
    for result in results:
        if result.get("outcome") not in FAILING and not result.get("expectation"):
            continue
        parts = [f"<div><b>{_e(result.get('test'))}</b>: {_e(_label(result.get('outcome')))}"]
        expectation = result.get("expectation")
        if isinstance(expectation, dict):
            parts.append(f" (expected {_e(expectation.get('action'))}: ")
            parts.append(f"{_e(expectation.get('reason'))})")
        parts.append("</div>")
        message, example = str(result.get("message") or ""), str(result.get("example") or "")
        if example and example in message:  # newer hypothesis: the example is in the message
            message = message.replace(example, "").strip()
        if message:
            parts.append(f'<div class="msg">{_e(message[:2000])}</div>')
        if example:
            parts.append(f'<div class="msg example">{_e(example[:4000])}</div>')
        repro = result.get("repro")
        if isinstance(repro, str) and _SAFE_REPRO.match(repro):
            parts.append(f'<a class="repro" href="{_e(repro)}">repro script</a>')
        details.append("".join(parts))
    body = "".join(details)
    return f"<td {attrs}><details><summary>{_e(_label(outcome))}</summary>{body}</details></td>"


def render(report: dict[str, Any]) -> str:
    env = report.get("environment") or {}
    claims = [c for c in report.get("claims", []) if isinstance(c, dict)]
    results = [r for r in report.get("results", []) if isinstance(r, dict)]
    summary = summarize(claims, results)
    targets = summary["targets"]
    outcomes = claim_outcomes(results)
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for result in results:
        by_key[(result["claim"], result["target"])].append(result)
    info = {c["id"]: c for c in claims}
    claim_ids = sorted({r["claim"] for r in results} | set(info))
    areas: dict[str, list[str]] = defaultdict(list)
    for claim_id in claim_ids:
        areas[str(info.get(claim_id, {}).get("area") or claim_id.split(".", 1)[0])].append(claim_id)
    present = sorted(set(outcomes.values()), key=lambda o: OUTCOMES.index(o))

    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>tf2conf conformance report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>tf2conf conformance report</h1>",
    ]
    if not report.get("complete", True):
        out.append(
            '<p class="warn" id="incomplete">Incomplete run: interrupted before every test ran.</p>'
        )
    totals = summary["totals"]
    out.append(
        "<p>" + "; ".join(f"<b>{_e(t)}</b>: {_e(_pct(totals.get(t)))}" for t in targets) + "</p>"
        if targets
        else "<p>No results.</p>"
    )
    expectations = report.get("expectations")
    if isinstance(expectations, dict):
        out += _expectations(expectations, results)

    out.append("<h2>Conformance per area</h2>")
    out.append('<table id="areas"><tr><th>area</th>')
    out.append("".join(f'<th data-target="{_e(t)}">{_e(t)}</th>' for t in targets) + "</tr>")
    for area, per_target in summary["areas"].items():
        cells = "".join(
            f'<td class="pct" data-target="{_e(t)}">{_e(_pct(per_target.get(t)))}</td>'
            for t in targets
        )
        out.append(f"<tr><td>{_e(area)}</td>{cells}</tr>")
    out.append("</table>")

    out.append("<h2>Claims x targets</h2>")
    out.append('<div id="filters">')
    out.append(_select("f-area", "area", sorted(areas)))
    out.append(_select("f-outcome", "outcome", present, labels=LABELS))
    out.append(_select("f-target", "target", targets))
    out.append('<span id="f-shown"></span></div>')
    out.append('<table id="matrix"><thead><tr><th>claim</th>')
    out.append("".join(f'<th data-target="{_e(t)}">{_e(t)}</th>' for t in targets))
    out.append("</tr></thead>")
    for area in sorted(areas):
        per_target = summary["areas"].get(area, {})
        out.append(f'<tbody class="area" data-area="{_e(area)}">')
        out.append(
            f'<tr class="area-row" data-area="{_e(area)}"><th>{_e(area)}</th>'
            + "".join(
                f'<th class="pct" data-target="{_e(t)}">{_e(_pct(per_target.get(t)))}</th>'
                for t in targets
            )
            + "</tr>"
        )
        for claim_id in areas[area]:
            claim = info.get(claim_id, {})
            doc = str(claim.get("doc") or "")
            link = (
                f' <a href="{_e(doc)}">doc</a>' if doc.startswith(("https://", "http://")) else ""
            )
            out.append(
                f'<tr class="claim-row" data-area="{_e(area)}" data-claim="{_e(claim_id)}">'
                f'<td><span class="claim-id">{_e(claim_id)}</span>{link}'
                f'<div class="statement">{_e(claim.get("statement"))}</div></td>'
            )
            out.append(
                "".join(
                    _cell(t, outcomes.get((claim_id, t)), by_key.get((claim_id, t), []))
                    for t in targets
                )
                + "</tr>"
            )
        out.append("</tbody>")
    out.append("</table>")
    out += kernels.render_html(results)
    out += observations.render_html(results)
    out += backends.render_html(results)
    out += ["<h2>Environment</h2>", *_environment(env)]
    if isinstance(env.get("runs"), list):
        out += _runs(env["runs"])
    out.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(out) + "\n"


def _select(element_id: str, what: str, values: list[str], labels: dict[str, str] | None = None):
    options = "".join(
        f'<option value="{_e(v)}">{_e((labels or {}).get(v, v))}</option>' for v in values
    )
    return (
        f'<label>{_e(what)} <select id="{element_id}"><option value="">all</option>'
        f"{options}</select></label>"
    )


def _expectations(info: dict[str, Any], results: list[dict[str, Any]]) -> list[str]:
    fixed = sorted({(r["claim"], r["target"]) for r in results if r.get("outcome") == "xpassed"})
    sources = []
    if info.get("known_deviations"):
        sources.append(f"{_e(info['known_deviations'])} bundled known deviations")
    if info.get("file"):
        sources.append(f"file {_e(info['file'])} ({_e(info.get('entries'))} entries)")
    out = [
        "<h2>Expectations</h2>",
        f"<p>{' and '.join(sources) or 'None'}: applied to {_e(info.get('applied'))} tests.</p>",
    ]
    if fixed:
        out.append(
            '<p class="warn" id="fixed">Fixed (an expected deviation passed; remove '
            "its entry): " + ", ".join(f"{_e(c)} on {_e(t)}" for c, t in fixed) + "</p>"
        )
    unmatched = info.get("unmatched") or []
    if isinstance(unmatched, list) and unmatched:
        out.append('<p class="warn" id="unmatched">Entries matching no collected test:</p><ul>')
        out += [f"<li>{_e(entry)}</li>" for entry in unmatched]
        out.append("</ul>")
    return out


def write(report: dict[str, Any], folder: Path) -> list[Path]:
    path = folder / HTML_NAME
    path.write_text(render(report), encoding="utf-8")
    return [path]
