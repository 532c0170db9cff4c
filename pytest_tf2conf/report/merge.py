"""``tf2conf merge``: one report over several runs (CI shards, machines, TF versions, backends).

Targets are qualified by what distinguishes the runs, and only by that: shards of one run
keep their targets (``CPU:0-eager``); runs on two TensorFlow versions give
``tf2.20/CPU:0-eager`` and ``tf2.21/CPU:0-eager``. Each run's environment is kept in
``environment.runs`` (results point to theirs with ``run``); keys all runs agree on are
also kept at the top level. The summary is recomputed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import html, markdown, repro, schema
from .load import ReportError

# What can distinguish runs, in the order qualifiers are written.
DISTINGUISHING = ("tensorflow", "keras_backend", "host")


def _short_tf(version: Any, versions: set[str]) -> str:
    if version in (None, "None"):
        return "no-tf"  # a Keras-on-JAX/PyTorch run without TensorFlow
    text = str(version)
    minor = ".".join(text.split(".")[:2])
    # "tf2.21" unless two runs share major.minor (2.21.0 vs 2.21.1): then the full version
    if len({".".join(v.split(".")[:2]) for v in versions}) == len(versions):
        return f"tf{minor}"
    return f"tf{text}"


def qualifiers(
    environments: list[dict[str, Any]], keys: tuple[str, ...] | None = None
) -> list[str]:
    """Per run, the values of ``keys`` that differ between runs ("tf2.21/jax").

    ``keys=None`` is automatic: TensorFlow version, Keras backend and host, except that
    shards (runs made with ``--tf2conf-shard``) are not told apart by host: CI runs each
    shard on another machine.
    """
    if keys is None:
        shards = all(env.get("shard") for env in environments)
        keys = tuple(k for k in DISTINGUISHING if not (shards and k == "host"))
    parts: list[list[str]] = [[] for _ in environments]
    for key in keys:
        values = [str(env.get(key)) for env in environments]
        if len(set(values)) < 2:
            continue
        for index, value in enumerate(values):
            if key == "tensorflow":
                value = _short_tf(value, set(values))
            parts[index].append(value.replace("/", "_"))
    return ["/".join(p) for p in parts]


def _targets_name_their_backend(reports: list[dict[str, Any]]) -> bool:
    for report in reports:
        backend = str(report["environment"].get("keras_backend"))
        if any(not str(r["target"]).startswith(f"{backend}/") for r in report["results"]):
            return False
    return True


def _hosts_differ(environments: list[dict[str, Any]]) -> bool:
    return len({str(env.get("host")) for env in environments}) > 1


def merge(
    reports: list[dict[str, Any]],
    sources: list[str] | None = None,
    qualify: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    sources = sources or [f"report {i}" for i in range(len(reports))]
    for report, source in zip(reports, sources, strict=True):
        if isinstance(report["environment"].get("runs"), list):
            raise ReportError(f"{source}: already a merged report; merge the original runs")
    environments = [dict(r["environment"]) for r in reports]
    if qualify is None and _targets_name_their_backend(reports):
        # Keras targets already read "jax/cpu:0-function": the backend needs no qualifier.
        qualify = tuple(k for k in DISTINGUISHING if k != "keras_backend")
        if not all(env.get("shard") for env in environments):
            qualify = tuple(k for k in qualify if k != "host" or _hosts_differ(environments))
    names = qualifiers(environments, qualify)
    claims: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for index, (report, name) in enumerate(zip(reports, names, strict=True)):
        environments[index]["qualifier"] = name
        environments[index]["source"] = sources[index]
        environments[index]["complete"] = bool(report.get("complete", True))
        if isinstance(report.get("expectations"), dict):
            environments[index]["expectations"] = report["expectations"]
        for claim in report["claims"]:
            claims.setdefault(claim["id"], claim)
        for result in report["results"]:
            row = {k: v for k, v in result.items() if k != "repro"}
            row["run"] = index
            if name:
                row["target"] = f"{name}/{result['target']}"
            results.append(row)
    common = {
        key: value
        for key, value in environments[0].items()
        if key not in ("qualifier", "source", "complete", "expectations")
        and all(env.get(key) == value for env in environments[1:])
    }
    return schema.build(
        {**common, "runs": environments},
        list(claims.values()),
        results,
        all(r.get("complete", True) for r in reports),
    )


def write(report: dict[str, Any], out: Path) -> list[Path]:
    """OUT.json, with OUT.md, OUT.html and repro/ scripts next to it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    scripts = repro.write_scripts(report, out.parent)
    out.write_text(json.dumps(report, indent=1, default=str) + "\n")
    md_path = out.with_suffix(".md")
    md_path.write_text(markdown.render(report))
    html_path = out.with_suffix(".html")
    html_path.write_text(html.render(report), encoding="utf-8")
    return [out, md_path, html_path, *scripts]
