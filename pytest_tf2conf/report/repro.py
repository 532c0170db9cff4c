"""Standalone repro scripts: one per failed claim x target, under ``<report dir>/repro/``.

A script re-runs the failing test(s) of one claim on one target with the run's options
(device, mode, profile, seed) and, when hypothesis printed one, replays its
``@reproduce_failure`` blob. Its header records the versions and the falsifying example,
so a failure can be reproduced from the report alone.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

REPRO_DIR = "repro"
FAILED = ("failed", "error", "crashed")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_name(claim_id: str, target: str) -> str:
    """A file name for claim x target: readable, bounded, collision-free."""
    readable = _UNSAFE.sub("_", f"{claim_id}__{target}").strip("._")[:100]
    digest = hashlib.sha1(f"{claim_id}\0{target}".encode()).hexdigest()[:8]
    return f"{readable}-{digest}.py"


def _run_environment(report: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    env = report.get("environment") or {}
    runs = env.get("runs")
    index = result.get("run")
    if isinstance(runs, list) and isinstance(index, int) and 0 <= index < len(runs):
        run_env = runs[index]
        if isinstance(run_env, dict):
            return run_env
    return env if isinstance(env, dict) else {}


def _line(value: Any) -> str:
    """One comment-safe line: no line breaks or control characters (report text is data)."""
    return "".join(ch if ch.isprintable() else " " for ch in " ".join(str(value).split()))


def _comment(text: Any, limit: int = 4000) -> list[str]:
    lines = str(text)[:limit].splitlines() or [""]
    return ["#   " + "".join(ch if ch.isprintable() else " " for ch in line) for line in lines]


def _virtual_cpus(env: dict[str, Any]) -> int | None:
    if isinstance(env.get("virtual_cpus"), int) and env["virtual_cpus"] > 0:
        return env["virtual_cpus"]
    cpus = [d for d in env.get("devices") or [] if "CPU:" in str(d)]
    return len(cpus) if len(cpus) > 1 else None


def pytest_arguments(result: dict[str, Any], env: dict[str, Any]) -> list[str]:
    """The tf2conf options that put one test back on its target."""
    args = ["--tf2conf"]
    device, mode = result.get("device"), result.get("mode")
    if device:
        args += ["--tf2conf-devices", str(device)]
    if mode:
        modes_option = "--tf2conf-keras-modes" if result.get("backend") else "--tf2conf-modes"
        args += [modes_option, str(mode)]
    cpus = _virtual_cpus(env)
    if cpus:
        args += ["--tf2conf-virtual-cpus", str(cpus)]
    if env.get("profile"):
        args += ["--tf2conf-profile", str(env["profile"])]
    seed = env.get("seed")
    if seed not in (None, "derandomized"):
        args += ["--hypothesis-seed", str(seed)]
    return args


_TEMPLATE = '''
import os
import sys
import tempfile
from pathlib import Path

import pytest

TESTS = json.loads({tests!r})
ARGS = json.loads({args!r})
ROOTDIR = {rootdir!r}
KERAS_BACKEND = {backend!r}


def _node(test):
    if test["bundled"]:  # a bundled suite: found wherever tf2conf is installed (or checked out)
        import pytest_tf2conf.suites

        return str(Path(list(pytest_tf2conf.suites.__path__)[0]) / test["test"])
    return test["nodeid"]


class _ReplayBlob:
    """Applies hypothesis' @reproduce_failure blob (if printed) to the failing test."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_call(self, item):
        for test in TESTS:
            if test.get("blob") and item.nodeid.endswith(test["test"].split("/")[-1]):
                function = getattr(item.obj, "__func__", item.obj)
                function._hypothesis_internal_use_reproduce_failure = tuple(test["blob"])


def main():
    if KERAS_BACKEND:
        os.environ.setdefault("KERAS_BACKEND", KERAS_BACKEND)
    if ROOTDIR and not all(t["bundled"] for t in TESTS) and Path(ROOTDIR).is_dir():
        os.chdir(ROOTDIR)
    report_dir = tempfile.mkdtemp(prefix="tf2conf-repro-")
    args = [*map(_node, TESTS), *ARGS, "--tf2conf-report", report_dir, "-p", "no:cacheprovider"]
    print("pytest " + " ".join(args))
    return pytest.main(args, plugins=[_ReplayBlob()])


if __name__ == "__main__":
    sys.exit(main())
'''


def render_script(report: dict[str, Any], failures: list[dict[str, Any]]) -> str:
    first = failures[0]
    env = _run_environment(report, first)
    statements = {c.get("id"): c for c in report.get("claims", []) if isinstance(c, dict)}
    info = statements.get(first["claim"], {})
    header = [
        "#!/usr/bin/env python3",
        f"# tf2conf repro: claim {_line(first['claim'])} on target {_line(first['target'])}",
        f"# statement: {_line(info.get('statement', ''))}",
        f"# doc: {_line(info.get('doc', ''))}",
        f"# TensorFlow {_line(env.get('tensorflow'))}, Keras {_line(env.get('keras'))} "
        f"(backend {_line(first.get('backend') or env.get('keras_backend'))}), "
        f"Python {_line(env.get('python'))}, hypothesis {_line(env.get('hypothesis'))}",
        f"# device: {_line(first.get('device'))}  mode: {_line(first.get('mode'))}  "
        f"profile: {_line(env.get('profile'))}  seed: {_line(env.get('seed'))}  "
        f"host: {_line(env.get('host'))}",
    ]
    tests = []
    for result in failures:
        header.append(f"# test: {_line(result.get('test'))}")
        header.append(f"#   outcome: {_line(result.get('outcome'))}")
        header += _comment(f"message: {_line(result.get('message') or '')}", 1000)
        if result.get("example"):
            header.append("#   falsifying example:")
            header += _comment(result["example"])
        blob = result.get("blob")
        if blob:
            header.append(
                f"#   @reproduce_failure({_line(repr(blob[0]))}, b{_line(repr(blob[1]))})"
            )
        tests.append(
            {
                "test": str(result.get("test", "")),
                "nodeid": str(result.get("nodeid", result.get("test", ""))),
                # Runs of the bundled suites mark their results; older reports did not, and
                # there a node id unlike the test id meant a bundled suite run from elsewhere.
                "bundled": bool(result.get("bundled", result.get("test") != result.get("nodeid"))),
                "blob": blob if isinstance(blob, list) and len(blob) == 2 else None,
            }
        )
    header.append("# Run: python <this file>  (exit status 0 once the claim holds again)")
    body = _TEMPLATE.format(
        tests=json.dumps(tests),
        args=json.dumps(pytest_arguments(first, env)),
        rootdir=str(env.get("rootdir") or ""),
        backend=first.get("backend") or None,
    )
    return "\n".join(header) + '\n"""Reproduce one tf2conf failure."""\n\nimport json' + body


def write_scripts(report: dict[str, Any], folder: Path) -> list[Path]:
    """Write a script per failed claim x target; set ``repro`` on the results it covers."""
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for result in report.get("results", []):
        if result.get("outcome") in FAILED:
            grouped.setdefault((result["claim"], result["target"]), []).append(result)
    written = []
    if grouped:
        (folder / REPRO_DIR).mkdir(parents=True, exist_ok=True)
    for (claim_id, target), failures in sorted(grouped.items()):
        relative = f"{REPRO_DIR}/{safe_name(claim_id, target)}"
        path = folder / relative
        path.write_text(render_script(report, failures))
        path.chmod(0o755)
        for result in failures:
            result["repro"] = relative
        written.append(path)
    return written
