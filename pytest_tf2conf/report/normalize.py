"""A report without what changes from run to run, to check that a run gives the same answer.

Two derandomized (``ci`` profile) runs of the same suites on the same machine must give
identical reports once the fields below are dropped: wall times, where and when the run
happened, and how it was invoked. Everything else (outcomes, messages, examples, trace and
compile counts, the summary) is the answer and must not change.

Failure messages keep their text but lose the Python stack that TensorFlow's graph errors
quote (the frames of the process that ran pytest) and TensorFlow's process-wide counters
(``scrub_tf_counters``): TensorFlow numbers traced functions (``__inference_<name>_<uid>``)
and the variables XLA finds uninitialised (``Variable/<n>``) by counters that grow with
everything traced or created before in the process. A second run in the same process, a
shard, or a ``-k`` selection quotes other numbers for the same failure.
"""

from __future__ import annotations

import copy
import re
from typing import Any

# Environment keys that describe this invocation, not the answer.
RUN_SPECIFIC_ENVIRONMENT = ("start_time", "end_time", "host", "argv", "rootdir")
# Result keys measured in seconds: they depend on the machine's load.
RUN_SPECIFIC_RESULT = ("duration", "example_seconds", "compile_seconds")
# Expectations info keys that name files of this invocation.
RUN_SPECIFIC_EXPECTATIONS = ("file",)
# Result keys whose text may quote TensorFlow's messages.
MESSAGE_KEYS = ("message", "example")
# TensorFlow's process-wide counters in its messages (see the module doc).
_FUNCTION_UID = re.compile(r"(__inference_\w*?_)\d+\b")
_UNINITIALISED = re.compile(r"Uninitialized arguments: [^\n]*")
_NAME_NUMBER = re.compile(r"(\w)/\d+\b")
# Graph and XLA errors quote the Python stack that defined the failing op ("defined at
# (most recent call last):", "Stack trace for op definition:", one `File "...", line N, in f`
# per frame): the frames of whatever invoked pytest (its entry point, an embedding test).
_QUOTED_STACK = re.compile(r'(?:\n+[ \t]*File "[^"\n]*", line \d+, in [^\n]*)+')


def normalized(report: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``report`` without its run-specific fields (see the module doc)."""
    out = copy.deepcopy(report)
    environment = out.get("environment")
    if isinstance(environment, dict):
        _drop(environment, RUN_SPECIFIC_ENVIRONMENT)
        for run in environment.get("runs") or []:  # a merged report: one entry per run
            if isinstance(run, dict):
                _drop(run, RUN_SPECIFIC_ENVIRONMENT)
    for result in out.get("results") or []:
        if isinstance(result, dict):
            _drop(result, RUN_SPECIFIC_RESULT)
            for key in MESSAGE_KEYS:
                if isinstance(result.get(key), str):
                    text = _QUOTED_STACK.sub("\n<stack>", result[key])
                    result[key] = scrub_tf_counters(text)
    if isinstance(out.get("expectations"), dict):
        _drop(out["expectations"], RUN_SPECIFIC_EXPECTATIONS)
    return out


def scrub_tf_counters(message: str) -> str:
    """``message`` with TensorFlow's process-wide function and variable numbers replaced."""
    message = _FUNCTION_UID.sub(r"\1<uid>", message)
    return _UNINITIALISED.sub(lambda m: _NAME_NUMBER.sub(r"\1/<n>", m.group()), message)


def _drop(mapping: dict[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        mapping.pop(key, None)


def first_difference(a: Any, b: Any, path: str = "$") -> str | None:
    """The path of the first place where ``a`` and ``b`` differ, with both values; or None.

    Results are matched by position: reports sort them by (claim, target, test), so a
    missing result shows as the first position where the two lists part.
    """
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                side = "first" if key in a else "second"
                return f"{path}.{key}: only in the {side} report"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for index, (left, right) in enumerate(zip(a, b, strict=False)):
            found = first_difference(left, right, f"{path}[{_label(index, left)}]")
            if found:
                return found
        if len(a) != len(b):
            return f"{path}: {len(a)} items vs {len(b)}"
        return None
    if isinstance(a, str) and isinstance(b, str) and a != b and max(len(a), len(b)) > 200:
        at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
        at = min(len(a), len(b)) if at is None else at
        start = max(0, at - 60)  # long messages: show where they part, not their start
        return f"{path} (from character {at}): {_short(a[start:])} vs {_short(b[start:])}"
    if a != b or type(a) is not type(b):
        return f"{path}: {_short(a)} vs {_short(b)}"
    return None


def _label(index: int, item: Any) -> str:
    """A result's position with its claim and test, so a difference names the test."""
    if isinstance(item, dict) and "claim" in item and "test" in item:
        return f"{index} {item['claim']} @ {item['test']}"
    return str(index)


def _short(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
