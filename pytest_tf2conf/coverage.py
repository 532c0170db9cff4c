"""``tf2conf coverage``: which public TensorFlow functions the op database pins down, and
which ``tf.*`` functions a user's own code calls that it does not.

A function counts as pinned when an op-database record checks it (by identity, so the
aliases ``tf.sin`` and ``tf.math.sin`` are one function). The scan reads Python sources with
``ast`` (nothing is imported or run): ``import tensorflow as tf`` (any alias) and
``from tensorflow import math`` style imports, then every call of a dotted name under them.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

NAMESPACES = (
    "tf", "tf.math", "tf.linalg", "tf.nn", "tf.signal", "tf.bitwise", "tf.image",
    "tf.strings", "tf.random", "tf.sparse", "tf.ragged",
)  # fmt: skip


def _resolve(tf: ModuleType, dotted: str) -> Any:
    value: Any = tf
    for part in dotted.split(".")[1:]:
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _is_function(value: Any) -> bool:
    return callable(value) and not inspect.isclass(value) and not inspect.ismodule(value)


def public_functions(tf: ModuleType) -> dict[str, dict[str, Any]]:
    """namespace -> {public name: function} (classes, modules and private names left out)."""
    table: dict[str, dict[str, Any]] = {}
    for namespace in NAMESPACES:
        module = _resolve(tf, namespace)
        if module is None:
            continue
        found = {}
        for name in sorted(dir(module)):
            if name.startswith("_"):
                continue
            value = getattr(module, name, None)
            if _is_function(value):
                found[f"{namespace}.{name}"] = value
        table[namespace] = found
    return table


def pinned_functions(tf: ModuleType) -> dict[int, str]:
    """id(function) -> record name, for every op-database record."""
    from . import ops

    pinned = {}
    for record in ops.records():
        value = _resolve(tf, record.name)
        if value is not None:
            pinned[id(value)] = record.name
    return pinned


@dataclass
class Coverage:
    tensorflow: str
    namespaces: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    unpinned_calls: list[dict[str, Any]] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        # Aliases count once: a function is pinned or not wherever it is exported.
        pinned = {n for ns in self.namespaces.values() for n in ns["pinned"]}
        unpinned = {n for ns in self.namespaces.values() for n in ns["unpinned"]}
        return {"pinned_names": len(pinned), "unpinned_names": len(unpinned)}

    def as_dict(self) -> dict[str, Any]:
        return {
            "tensorflow": self.tensorflow,
            "namespaces": self.namespaces,
            "totals": self.totals(),
            "unpinned_calls": self.unpinned_calls,
        }


def measure(tf: ModuleType, scan: Iterable[Path] = ()) -> Coverage:
    pinned = pinned_functions(tf)
    result = Coverage(tensorflow=str(getattr(tf, "__version__", "?")))
    for namespace, functions in public_functions(tf).items():
        yes = [name for name, fn in functions.items() if id(fn) in pinned]
        no = [name for name, fn in functions.items() if id(fn) not in pinned]
        result.namespaces[namespace] = {"pinned": yes, "unpinned": no}
    for path in scan:
        for line, dotted in calls_in(path):
            value = _resolve(tf, dotted)
            if _is_function(value) and id(value) not in pinned:
                result.unpinned_calls.append({"file": str(path), "line": line, "call": dotted})
    return result


def python_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*.py") if ".venv" not in p.parts)


def calls_in(path: Path) -> list[tuple[int, str]]:
    """(line, "tf.a.b") for every call of a TensorFlow function in one source file."""
    try:
        tree = ast.parse(path.read_text(errors="replace"), filename=str(path))
    except (SyntaxError, ValueError):
        return []
    aliases = _tensorflow_aliases(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            dotted = _dotted(node.func)
            if dotted is None:
                continue
            head, _, rest = dotted.partition(".")
            if head in aliases:
                found.append((node.lineno, ".".join(p for p in (aliases[head], rest) if p)))
    return found


def _tensorflow_aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> the tf.* path it stands for."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "tensorflow" or alias.name.startswith("tensorflow."):
                    path = "tf" + alias.name.removeprefix("tensorflow")
                    aliases[alias.asname or alias.name.split(".")[0]] = (
                        path if alias.asname else "tf"
                    )
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and (node.module == "tensorflow" or node.module.startswith("tensorflow."))
        ):
            base = "tf" + node.module.removeprefix("tensorflow")
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{base}.{alias.name}"
    return aliases


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def render_text(coverage: Coverage, show_unpinned: bool = False) -> str:
    lines = [f"TensorFlow {coverage.tensorflow}: public functions with property claims"]
    for namespace, split in coverage.namespaces.items():
        total = len(split["pinned"]) + len(split["unpinned"])
        lines.append(f"  {namespace:<12} {len(split['pinned']):>4} / {total:<4}")
        if show_unpinned and split["unpinned"]:
            lines.append("      not pinned: " + ", ".join(split["unpinned"]))
    totals = coverage.totals()
    lines.append(
        f"  all names    {totals['pinned_names']:>4} pinned, {totals['unpinned_names']} not"
        " (an alias counts in each namespace that exports it)"
    )
    if coverage.unpinned_calls:
        lines.append("Calls in the scanned code that no claim pins down:")
        lines += [f"  {c['file']}:{c['line']}: {c['call']}" for c in coverage.unpinned_calls]
    return "\n".join(lines) + "\n"
