"""Reading a report back (diff, merge, expectations): strict validation, one-line errors.

Report files come from other machines and CI artifacts: they may be truncated, binary,
of another schema version or hostile. ``load`` accepts only the shape the tools rely on,
so the code behind it never meets a wrong type.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .schema import OUTCOMES, SCHEMA_VERSION

MAX_BYTES = 256 * 1024 * 1024


class ReportError(Exception):
    """A report that cannot be used; the message is one line."""

    tf2conf_user_error = True  # cli.main prints it as one line, exit code 2


_RESULT_TEXT = ("claim", "target", "test", "outcome")
_RESULT_OPTIONAL_TEXT = ("nodeid", "device", "mode", "backend", "message", "example", "repro")


def _fail(source: str, what: str) -> ReportError:
    return ReportError(f"{source}: {what}")


def _check_environment(env: dict[str, Any], source: str, where: str) -> None:
    for key in ("devices", "modes", "keras_modes"):
        if key in env and not (
            isinstance(env[key], list) and all(isinstance(v, str) for v in env[key])
        ):
            raise _fail(source, f"'{where}.{key}' must be a list of strings")


def validate(data: Any, source: str = "report") -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _fail(source, "not a tf2conf report (expected a JSON object)")
    version = data.get("schema_version")
    if "schema_version" not in data or "results" not in data:
        raise _fail(source, "not a tf2conf report (no schema_version/results)")
    if version != SCHEMA_VERSION or isinstance(version, bool):
        raise _fail(
            source,
            f"unsupported schema_version {str(version)[:40]!r} (this tf2conf reads "
            f"{SCHEMA_VERSION})",
        )
    if not isinstance(data.get("complete", True), bool):
        raise _fail(source, "'complete' must be true or false")
    env = data.setdefault("environment", {})
    if not isinstance(env, dict):
        raise _fail(source, "'environment' must be an object")
    _check_environment(env, source, "environment")
    runs = env.get("runs")
    if runs is not None and not (isinstance(runs, list) and all(isinstance(r, dict) for r in runs)):
        raise _fail(source, "'environment.runs' must be a list of objects")
    for index, run in enumerate(runs or []):
        _check_environment(run, source, f"environment.runs[{index}]")
    claims = data.setdefault("claims", [])
    if not isinstance(claims, list):
        raise _fail(source, "'claims' must be a list")
    for index, claim in enumerate(claims):
        if not isinstance(claim, dict) or not isinstance(claim.get("id"), str):
            raise _fail(source, f"claims[{index}] must be an object with a string 'id'")
        for key in ("area", "statement", "doc"):
            if key in claim and not isinstance(claim[key], str):
                raise _fail(source, f"claims[{index}].{key} must be a string")
        claim.setdefault("area", claim["id"].split(".", 1)[0])
    results = data["results"]
    if not isinstance(results, list):
        raise _fail(source, "'results' must be a list")
    for index, result in enumerate(results):
        if not isinstance(result, dict):
            raise _fail(source, f"results[{index}] must be an object")
        for key in _RESULT_TEXT:
            if not isinstance(result.get(key), str):
                raise _fail(source, f"results[{index}].{key} must be a string")
        if result["outcome"] not in OUTCOMES:
            raise _fail(source, f"results[{index}].outcome {result['outcome'][:40]!r} is unknown")
        for key in _RESULT_OPTIONAL_TEXT:
            if result.get(key) is not None and not isinstance(result[key], str):
                raise _fail(source, f"results[{index}].{key} must be a string or null")
        run = result.get("run")
        if run is not None and (
            not isinstance(run, int) or isinstance(run, bool) or not 0 <= run < len(runs or [])
        ):
            raise _fail(source, f"results[{index}].run does not name a run")
        blob = result.get("blob")
        if blob is not None and not (
            isinstance(blob, list) and len(blob) == 2 and all(isinstance(b, str) for b in blob)
        ):
            raise _fail(source, f"results[{index}].blob must be [version, blob]")
        if result.get("expectation") is not None and not isinstance(result["expectation"], dict):
            raise _fail(source, f"results[{index}].expectation must be an object")
        duration = result.get("duration", 0.0)
        if isinstance(duration, bool) or not isinstance(duration, (int, float)):
            raise _fail(source, f"results[{index}].duration must be a number")
    expectations = data.get("expectations")
    if expectations is not None and not isinstance(expectations, dict):
        raise _fail(source, "'expectations' must be an object")
    return data


def parse(raw: bytes, source: str = "report") -> dict[str, Any]:
    if not raw.strip():
        raise _fail(source, "empty file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _fail(source, "not UTF-8 text (binary file?)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        truncated = " (truncated?)" if exc.pos >= len(text.rstrip()) else ""
        raise _fail(source, f"invalid JSON at {where}: {exc.msg}{truncated}") from None
    except RecursionError:
        raise _fail(source, "invalid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. integers longer than Python's digit limit
        raise _fail(source, f"invalid JSON: {str(exc).splitlines()[0][:120]}") from None
    return validate(data, source)


def load(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _fail(str(path), f"larger than {MAX_BYTES} bytes")
        raw = path.read_bytes()
    except OSError as exc:
        raise ReportError(f"cannot read {path}: {exc.strerror or exc}") from None
    return parse(raw, str(path))
