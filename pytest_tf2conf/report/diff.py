"""``tf2conf diff``: what changed from a baseline report to a candidate report.

Compared per claim x target (the claim's combined outcome there, as in the summary):
regressions (passed -> failed/error/crashed/unsupported, and held -> a known deviation of
the candidate: passed or xpassed -> xfailed), fixes (failing -> passed or
fixed; failing -> a known deviation is an other outcome change), changed failure
messages, claims and targets added or removed, and the environment keys (versions) that
differ; then, per area, how many claims x targets both reports hold and their outcomes in
the candidate (what the diff covered).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from . import behaviour
from .normalize import scrub_tf_counters
from .schema import claim_outcomes

REGRESSED = ("failed", "error", "crashed", "unsupported")
FAILING = ("failed", "error", "crashed", "unsupported", "xpassed")
ENV_KEYS = (
    "tensorflow",
    "keras",
    "keras_flavour",
    "keras_backend",
    "env_vars",
    "numpy",
    "hypothesis",
    "pytest",
    "tf2conf",
    "python",
    "os",
    "devices",
    "modes",
    "keras_modes",
    "profile",
    "seed",
)


# Parts of messages that change from run to run without meaning anything: addresses, ids of
# traced functions and config protos, temporary paths (and TensorFlow's process-wide
# function and variable numbers: ``scrub_tf_counters``).
_NOISE = (
    (re.compile(r"0x[0-9a-fA-F]+"), "0x…"),
    (re.compile(r"\d{4,}"), "…"),
    (re.compile(r"/tmp/[^\s'\"]+"), "/tmp/…"),
)


def normalise(message: str) -> str:
    """The error itself (first line), without run-specific noise: what "changed" compares.

    Hypothesis' notes below it (failing case, explanation) vary between runs and versions.
    """
    message = scrub_tf_counters(message.strip().split("\n", 1)[0])
    for pattern, replacement in _NOISE:
        message = pattern.sub(replacement, message)
    return " ".join(message.split())


def _messages(report: dict[str, Any]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for result in report["results"]:
        if result["outcome"] in FAILING and result.get("message"):
            out.setdefault((result["claim"], result["target"]), str(result["message"]))
    return out


def _claims(report: dict[str, Any]) -> set[str]:
    return {c["id"] for c in report["claims"]} | {r["claim"] for r in report["results"]}


def _environment(report: dict[str, Any]) -> dict[str, Any]:
    env = report["environment"]
    runs = env.get("runs")
    if isinstance(runs, list) and runs:  # merged: compare the per-run values
        return {
            key: [run.get(key) for run in runs]
            if len({str(run.get(key)) for run in runs}) > 1
            else runs[0].get(key)
            for key in ENV_KEYS
        }
    return {key: env.get(key) for key in ENV_KEYS}


def compare(baseline: dict[str, Any], candidate: dict[str, Any]) -> dict[str, Any]:
    before, after = claim_outcomes(baseline["results"]), claim_outcomes(candidate["results"])
    old_msg, new_msg = _messages(baseline), _messages(candidate)
    regressions, fixes, changed, other = [], [], [], []
    for key in sorted(set(before) & set(after)):
        was, now = before[key], after[key]
        row = {"claim": key[0], "target": key[1], "baseline": was, "candidate": now}
        if was == "passed" and now in REGRESSED:
            regressions.append({**row, "message": new_msg.get(key, "")})
        elif was in ("passed", "xpassed") and now == "xfailed":
            # Held in the baseline (an xpass held too), fails in the candidate: declaring
            # it a known deviation of the candidate's release does not make it no regression.
            message = "declared a known deviation for the candidate's versions"
            regressions.append({**row, "message": message})
        # failing -> xfailed is no fix: the candidate declares the failure (a known
        # deviation whose version range starts after the baseline's release, or a new entry).
        elif (was in FAILING and now == "passed") or (
            was in ("failed", "error", "crashed", "xfailed") and now == "xpassed"
        ):
            fixes.append(row)
        elif was != now:
            other.append(row)
        elif now in FAILING and normalise(old_msg.get(key, "")) != normalise(new_msg.get(key, "")):
            changed.append(
                {
                    **row,
                    "old": old_msg.get(key, "").strip().split("\n", 1)[0],
                    "new": new_msg.get(key, "").strip().split("\n", 1)[0],
                }
            )
    old_claims, new_claims = _claims(baseline), _claims(candidate)
    old_targets = {r["target"] for r in baseline["results"]}
    new_targets = {r["target"] for r in candidate["results"]}
    old_env, new_env = _environment(baseline), _environment(candidate)
    environment = [
        {"key": key, "baseline": old_env.get(key), "candidate": new_env.get(key)}
        for key in ENV_KEYS
        if old_env.get(key) != new_env.get(key)
    ]
    compared: dict[str, dict[str, Any]] = {}
    for claim_id, target in sorted(set(before) & set(after)):
        area = compared.setdefault(claim_id.split(".", 1)[0], {"claims": set(), "outcomes": {}})
        area["claims"].add(claim_id)
        outcome = after[(claim_id, target)]
        area["outcomes"][outcome] = area["outcomes"].get(outcome, 0) + 1
    changes = behaviour.compare(baseline, candidate)
    # A regression behind a behaviour change (old claim passed, the claim that supersedes
    # it fails) is a regression like any other: it decides the exit code.
    regressions += changes["hidden_regressions"]
    # A switched pair's skipped <-> ran rows are the switch itself, listed there.
    switched = {row[side]["claim"] for row in changes["switched"] for side in ("from", "to")}
    switched |= {row["claim"] for key in ("entered_range", "left_range") for row in changes[key]}
    other = [
        row
        for row in other
        if not (row["claim"] in switched and "skipped" in (row["baseline"], row["candidate"]))
    ]
    return {
        "behaviour": changes,
        "compared": {
            name: {
                "claims": len(area["claims"]),
                "outcomes": dict(sorted(area["outcomes"].items())),
            }
            for name, area in sorted(compared.items())
        },
        "regressions": regressions,
        "fixes": fixes,
        "changed_messages": changed,
        "other_changes": other,
        "claims_added": sorted(new_claims - old_claims),
        "claims_removed": sorted(old_claims - new_claims),
        "targets_added": sorted(new_targets - old_targets),
        "targets_removed": sorted(old_targets - new_targets),
        "environment": environment,
        "complete": {
            "baseline": bool(baseline.get("complete", True)),
            "candidate": bool(candidate.get("complete", True)),
        },
    }


# The diff's lists of claims and targets present in one report only, with their titles.
_MEMBERSHIP_CHANGES = (
    ("claims_added", "Claims added"),
    ("claims_removed", "Claims removed"),
    ("targets_added", "Targets added"),
    ("targets_removed", "Targets removed"),
)


def _one_line(value: Any, limit: int = 300) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_text(diff: dict[str, Any]) -> str:
    lines = [
        f"tf2conf diff: {len(diff['regressions'])} regressions, {len(diff['fixes'])} fixes, "
        f"{len(diff['changed_messages'])} changed messages, "
        f"{behaviour.count(diff['behaviour'])} behaviour changes"
    ]
    for side, complete in diff["complete"].items():
        if not complete:
            lines.append(f"warning: the {side} run is incomplete (interrupted)")
    sections = [
        (
            "Regressions",
            [
                {**r, "claim": f"{r['claim']} (behind {r['behind']})"} if r.get("behind") else r
                for r in diff["regressions"]
            ],
            "{claim} on {target}: {baseline} -> {candidate}",
        ),
        ("Fixes", diff["fixes"], "{claim} on {target}: {baseline} -> {candidate}"),
        (
            "Other outcome changes",
            diff["other_changes"],
            "{claim} on {target}: {baseline} -> {candidate}",
        ),
        ("Changed messages", diff["changed_messages"], "{claim} on {target}: {candidate}"),
    ]
    for title, rows, fmt in sections:
        if rows:
            lines += ["", f"{title}:"]
            for row in rows:
                lines.append("  " + _one_line(fmt.format(**row)))
                if row.get("message"):
                    lines.append("    " + _one_line(row["message"]))
                if "old" in row:
                    lines.append("    was: " + _one_line(row["old"]))
                    lines.append("    now: " + _one_line(row["new"]))
    lines += _behaviour_text(diff.get("behaviour"))
    for key, title in _MEMBERSHIP_CHANGES:
        if diff[key]:
            lines += ["", f"{title}: " + ", ".join(_one_line(v, 120) for v in diff[key])]
    if diff["environment"]:
        lines += ["", "Environment:"]
        for row in diff["environment"]:
            lines.append(
                f"  {row['key']}: {_one_line(row['baseline'], 120)} -> "
                f"{_one_line(row['candidate'], 120)}"
            )
    return "\n".join(lines) + "\n"


def _has_behaviour(section: dict[str, Any] | None) -> bool:
    keys = ("switched", "observations", "entered_range", "left_range")
    return bool(section) and any(section.get(key) for key in keys)  # type: ignore[union-attr]


def _behaviour_text(section: dict[str, Any] | None) -> list[str]:
    if not _has_behaviour(section):
        return []
    lines = ["", f"Behaviour changes ({behaviour.count(section)}):"]
    for row in section["switched"]:
        old, new = row["from"], row["to"]
        lines.append(
            f"  {old['claim']} -> {new['claim']} ({row['direction']}; "
            f"{row['baseline']} -> {row['candidate']}; {', '.join(row['targets'])})"
        )
        lines.append(f"    was: {_one_line(old['statement'])} [{old['doc']}]")
        lines.append(f"    now: {_one_line(new['statement'])} [{new['doc']}]")
        for obs in row["observations"]:
            lines.append(
                f"    observed {_one_line(obs['name'], 80)}: {_one_line(obs['baseline'], 120)} -> "
                f"{_one_line(obs['candidate'], 120)}"
            )
    for key, label in (("entered_range", "now documented"), ("left_range", "no longer documented")):
        for row in section.get(key, []):
            lines.append(f"  {label}: {row['claim']} ({row['applies']}, {row['outcome']})")
    for row in section["observations"]:
        lines.append(
            f"  {row['claim']} on {row['target']}: {_one_line(row['name'], 80)}: "
            f"{_one_line(row['baseline'], 120)} -> {_one_line(row['candidate'], 120)}"
        )
    return lines


def _behaviour_markdown(section: dict[str, Any] | None) -> list[str]:
    if not _has_behaviour(section):
        return []
    lines = [
        "",
        f"## Behaviour changes ({behaviour.count(section)})",
        "",
        "Documented behaviour that changed between the two environments: each row is a "
        "migration item (regressions behind a change are listed with the regressions).",
    ]
    if section["switched"]:
        lines += [
            "",
            "### Claims that switched documentation",
            "",
            "| before | after | outcomes | targets |",
            "|---|---|---|---|",
        ]
        for row in section["switched"]:
            cells = [
                f"`{_md(side['claim'])}` ({_md(side['applies']) or 'all versions'}): "
                f"{_md(side['statement'])} [doc]({side['doc']})"
                for side in (row["from"], row["to"])
            ]
            lines.append(
                f"| {cells[0]} | {cells[1]} | {row['baseline']} -> {row['candidate']} | "
                f"{_md(', '.join(row['targets']), 120)} |"
            )
        observed = [(row, obs) for row in section["switched"] for obs in row["observations"]]
        if observed:
            lines += ["", "| switched claim | observation | before | after |", "|---|---|---|---|"]
            for row, obs in observed:
                lines.append(
                    f"| `{_md(row['to']['claim'])}` | {_md(obs['name'], 120)} | "
                    f"`{_md(obs['baseline'], 200)}` | `{_md(obs['candidate'], 200)}` |"
                )
    for key, title in (
        ("entered_range", "Documented for the candidate only (not applicable in the baseline)"),
        ("left_range", "Documented for the baseline only (not applicable in the candidate)"),
    ):
        if section.get(key):
            lines += ["", f"### {title}", "", *_range_rows(section[key])]
    if section["observations"]:
        lines += [
            "",
            "### Changed observations",
            "",
            "| claim | target | observation | before | after |",
            "|---|---|---|---|---|",
        ]
        for row in section["observations"]:
            lines.append(
                f"| `{_md(row['claim'])}` | {_md(row['target'])} | {_md(row['name'], 120)} | "
                f"`{_md(row['baseline'], 200)}` | `{_md(row['candidate'], 200)}` |"
            )
    return lines


# A whole area entering its range (keras.ops and the layers suite on Keras 3: ~700 claims)
# is one line per area and range in Markdown; the JSON lists every claim.
RANGE_ROWS_PER_AREA = 8


def _range_rows(rows: list[dict[str, Any]]) -> list[str]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["claim"].split(".", 1)[0], row["applies"]), []).append(row)
    lines = []
    for (area, applies), group in groups.items():
        if len(group) <= RANGE_ROWS_PER_AREA:
            lines += [
                f"- `{_md(row['claim'])}` ({_md(applies)}, {row['outcome']}): "
                f"{_md(row['statement'])} [doc]({row['doc']})"
                for row in group
            ]
            continue
        outcomes = Counter(row["outcome"] for row in group)
        counted = ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items()))
        examples = ", ".join(f"`{_md(row['claim'])}`" for row in group[:3])
        lines.append(
            f"- area `{area}` ({_md(applies)}): {len(group)} claims ({counted}), e.g. "
            f"{examples} (every claim in the JSON diff)"
        )
    return lines


def _md(value: Any, limit: int = 300) -> str:
    return _one_line(value, limit).replace("|", "\\|").replace("<", "&lt;").replace("`", "'")


def render_markdown(diff: dict[str, Any]) -> str:
    status = "❌ regressions" if diff["regressions"] else "✅ no regressions"
    lines = [
        f"# tf2conf diff: {status}",
        "",
        f"{len(diff['regressions'])} regressions, {len(diff['fixes'])} fixes, "
        f"{len(diff['changed_messages'])} changed messages, "
        f"{behaviour.count(diff['behaviour'])} behaviour changes.",
    ]
    for side, complete in diff["complete"].items():
        if not complete:
            lines.append(f"\n**Warning**: the {side} run is incomplete (interrupted).")
    if diff["environment"]:
        lines += ["", "| | baseline | candidate |", "|---|---|---|"]
        for row in diff["environment"]:
            lines.append(
                f"| {_md(row['key'])} | {_md(row['baseline'], 120)} | "
                f"{_md(row['candidate'], 120)} |"
            )
    for title, key in (
        ("Regressions", "regressions"),
        ("Fixes", "fixes"),
        ("Other outcome changes", "other_changes"),
    ):
        rows = diff[key]
        if rows:
            lines += ["", f"## {title}", "", "| claim | target | baseline | candidate | message |"]
            lines.append("|---|---|---|---|---|")
            for row in rows:
                behind = f" (behind {_md(row['behind'])})" if row.get("behind") else ""
                lines.append(
                    f"| {_md(row['claim'])}{behind} | {_md(row['target'])} | "
                    f"{_md(row['baseline'])} | {_md(row['candidate'])} | "
                    f"{_md(row.get('message', ''))} |"
                )
    if diff["changed_messages"]:
        lines += ["", "## Changed failure messages", ""]
        for row in diff["changed_messages"]:
            lines.append(f"- **{_md(row['claim'])}** on `{_md(row['target'])}`")
            lines.append(f"  - was: {_md(row['old'])}")
            lines.append(f"  - now: {_md(row['new'])}")
    lines += _behaviour_markdown(diff.get("behaviour"))
    for key, title in _MEMBERSHIP_CHANGES:
        if diff[key]:
            lines += ["", f"**{title}**: " + ", ".join(f"`{_md(v, 120)}`" for v in diff[key])]
    lines += _render_compared(diff.get("compared") or {})
    return "\n".join(lines) + "\n"


def _render_compared(compared: dict[str, dict[str, Any]]) -> list[str]:
    """Per area: the claims and claim x target outcomes both reports hold (the candidate's)."""
    if not compared:
        return []
    lines = [
        "",
        "## Compared",
        "",
        "| area | claims | claims x targets | candidate outcomes |",
        "|---|---:|---:|---|",
    ]
    for area, row in compared.items():
        outcomes = row["outcomes"]
        shown = ", ".join(f"{outcome} {n}" for outcome, n in outcomes.items())
        lines.append(f"| {_md(area)} | {row['claims']} | {sum(outcomes.values())} | {shown} |")
    return lines


def render(diff: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(diff, indent=1, default=str) + "\n"
    if fmt == "md":
        return render_markdown(diff)
    return render_text(diff)
