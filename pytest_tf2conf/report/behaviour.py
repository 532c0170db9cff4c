"""The behaviour-change section of ``tf2conf diff``: what an upgrade changed on purpose.

Three lists, between a baseline and a candidate report:

- **switched claims**: a claim ``new`` that ``supersedes`` ``old`` (the documentation
  changed) where the baseline ran ``old`` and the candidate runs ``new`` (or the reverse,
  a downgrade): the old and new documented behaviour, both statements and doc links, the
  outcomes, and the observations of the old claim next to those of the new one;
- **hidden regressions**: a switched pair where ``old`` passed in the baseline and ``new``
  fails in the candidate on the same target. The claim ids differ, so the plain
  claim-by-claim comparison cannot see them; they count as regressions;
- **changed observations**: a claim x target x observation name both reports hold, with
  different values;
- **claims entering (or leaving) their version range** without a linked claim: documented
  for one side only (new API such as ``TFSMLayer``); listed, not counted as changes.

"Ran" means a result other than skipped: a claim outside its version range is skipped as
not applicable, so which of the pair ran is which documentation the environment follows.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .schema import claim_outcome

REGRESSED = ("failed", "error", "crashed", "unsupported")

Key = tuple[str, str]  # (claim id, target)


def _outcomes(report: dict[str, Any]) -> dict[Key, str]:
    grouped: dict[Key, list[str]] = defaultdict(list)
    for result in report["results"]:
        grouped[(result["claim"], result["target"])].append(result["outcome"])
    return {key: claim_outcome(values) for key, values in grouped.items()}


def observations(report: dict[str, Any]) -> dict[Key, dict[str, Any]]:
    """(claim, target) -> {observation name: value}, over the claim's tests there."""
    out: dict[Key, dict[str, Any]] = defaultdict(dict)
    for result in sorted(report["results"], key=lambda r: str(r.get("test"))):
        for name, value in (result.get("observations") or {}).items():
            out[(result["claim"], result["target"])].setdefault(name, value)
    return dict(out)


def _claim_info(*reports: dict[str, Any]) -> dict[str, dict[str, Any]]:
    info: dict[str, dict[str, Any]] = {}
    for report in reports:  # the candidate's text wins: it is the documentation now
        for entry in report.get("claims", []):
            info[entry["id"]] = entry
    return info


def _ran(outcomes: dict[Key, str], claim_id: str) -> dict[str, str]:
    return {t: o for (c, t), o in outcomes.items() if c == claim_id and o != "skipped"}


def _side(info: dict[str, Any], claim_id: str) -> dict[str, Any]:
    entry = info.get(claim_id, {})
    return {
        "claim": claim_id,
        "statement": entry.get("statement", ""),
        "doc": entry.get("doc", ""),
        "applies": entry.get("applies", ""),
    }


def compare(baseline: dict[str, Any], candidate: dict[str, Any]) -> dict[str, Any]:
    before, after = _outcomes(baseline), _outcomes(candidate)
    obs_before, obs_after = observations(baseline), observations(candidate)
    info = _claim_info(baseline, candidate)
    pairs = sorted(
        (entry["supersedes"], claim_id)
        for claim_id, entry in info.items()
        if entry.get("supersedes")
    )
    switched: list[dict[str, Any]] = []
    hidden: list[dict[str, Any]] = []
    for old, new in pairs:
        for was, now, direction in ((old, new, "upgrade"), (new, old, "downgrade")):
            ran_before, ran_after = _ran(before, was), _ran(after, now)
            targets = sorted(set(ran_before) & set(ran_after))
            if not targets or _ran(before, now) or _ran(after, was):
                continue  # not a switch: one side ran both, or neither
            changed_obs = []
            for target in targets:
                olds = obs_before.get((was, target), {})
                news = obs_after.get((now, target), {})
                # Names both sides observed (hypothesis may draw other examples per run;
                # one-sided values stay in each report's observations table).
                for name in sorted(set(olds) & set(news)):
                    if olds[name] != news[name]:
                        changed_obs.append(
                            {
                                "target": target,
                                "name": name,
                                "baseline": olds[name],
                                "candidate": news[name],
                            }
                        )
            switched.append(
                {
                    "direction": direction,
                    "from": _side(info, was),
                    "to": _side(info, now),
                    "targets": targets,
                    "baseline": claim_outcome(ran_before[t] for t in targets),
                    "candidate": claim_outcome(ran_after[t] for t in targets),
                    "observations": changed_obs,
                }
            )
            for target in targets:
                if ran_before[target] == "passed" and ran_after[target] in REGRESSED:
                    hidden.append(
                        {
                            "claim": now,
                            "target": target,
                            "baseline": "passed",
                            "candidate": ran_after[target],
                            "behind": f"{was} -> {now}",
                            "message": _message(candidate, now, target),
                        }
                    )
    changed: list[dict[str, Any]] = []
    for key in sorted(set(obs_before) & set(obs_after)):
        olds, news = obs_before[key], obs_after[key]
        for name in sorted(set(olds) & set(news)):
            if olds[name] != news[name]:
                changed.append(
                    {
                        "claim": key[0],
                        "target": key[1],
                        "name": name,
                        "baseline": olds[name],
                        "candidate": news[name],
                    }
                )
    in_pairs = {claim_id for pair in pairs for claim_id in pair}
    ranged = sorted(c for c, e in info.items() if e.get("applies") and c not in in_pairs)
    return {
        "switched": switched,
        "hidden_regressions": hidden,
        "observations": changed,
        # claims of one version's documentation only (a range, no link): new or dropped API
        "entered_range": [_ranged(info, c, after) for c in ranged if _entered(c, before, after)],
        "left_range": [_ranged(info, c, before) for c in ranged if _entered(c, after, before)],
    }


def _entered(claim_id: str, before: dict[Key, str], after: dict[Key, str]) -> bool:
    """Not applicable (skipped) in ``before``, run in ``after``."""
    was = [o for (c, _), o in before.items() if c == claim_id]
    return bool(was) and set(was) == {"skipped"} and bool(_ran(after, claim_id))


def _ranged(
    info: dict[str, dict[str, Any]], claim_id: str, where: dict[Key, str]
) -> dict[str, Any]:
    """The claim's texts and its outcome in the report where it ran."""
    ran = _ran(where, claim_id)
    return {**_side(info, claim_id), "outcome": claim_outcome(ran.values())}


def _message(report: dict[str, Any], claim_id: str, target: str) -> str:
    for result in report["results"]:
        if result["claim"] == claim_id and result["target"] == target and result.get("message"):
            return str(result["message"]).strip().split("\n", 1)[0]
    return ""


def count(section: dict[str, Any]) -> int:
    """How many behaviour changes (what --fail-on-behaviour-change counts)."""
    return len(section["switched"]) + len(section["observations"])
