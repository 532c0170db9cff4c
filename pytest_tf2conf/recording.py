"""What the running test measured, for its report entry (traces, examples, notes).

The plugin opens a record around each test call; helpers such as ``Target.run`` add to it.
Kept free of TensorFlow so the plugin can import it while ``--tf2conf`` is off.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class TestRecord:
    claim_ids: tuple[str, ...] = ()
    traces: int = 0
    # XLA compilations: calls of a jit-compiled function with input shapes it had not seen.
    compiles: int = 0
    # Wall time of the calls that traced or compiled (the rest is steady-state execution).
    compile_seconds: float = 0.0
    examples: int | None = None
    example_seconds: float | None = None
    notes: dict[str, Any] = field(default_factory=dict)
    # Plain values the test saw (a result dtype, an error class, logged keys, file names):
    # reported per result and compared by `tf2conf diff` (observe()).
    observations: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"traces": self.traces}
        if self.compiles:
            out["compiles"] = self.compiles
        if self.traces or self.compiles:
            out["compile_seconds"] = round(self.compile_seconds, 6)
        if self.examples is not None:
            out["examples"] = self.examples
            out["example_seconds"] = round(self.example_seconds or 0.0, 6)
        if self.notes:
            out["notes"] = self.notes
        if self.observations:
            out["observations"] = self.observations
        return out


_current: TestRecord | None = None


def current() -> TestRecord:
    """The open record; outside a test, a throwaway one so helpers never need to check."""
    return _current if _current is not None else TestRecord()


def plain(value: Any) -> Any:
    """``value`` as JSON-ready plain data: sets become sorted lists, classes their names,
    anything else that is not a str/number/bool/None its ``str``."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, type):
        return value.__name__
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v) for v in value), key=str)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return str(value)


def observe(name: str, value: Any) -> None:
    """Record what the running test observed, as a plain value (see ``plain``).

    Observations are not checks: a claim passes or fails by its assertions; the values
    tell an upgrade what changed (``tf2conf diff``, "Changed observations"). Record them
    before the assertions, so a failing test still reports what it saw.
    """
    current().observations[name] = plain(value)


@contextmanager
def recording(record: TestRecord) -> Iterator[TestRecord]:
    global _current
    previous, _current = _current, record
    try:
        yield record
    finally:
        _current = previous
