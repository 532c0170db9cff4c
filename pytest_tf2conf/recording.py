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
        return out


_current: TestRecord | None = None


def current() -> TestRecord:
    """The open record; outside a test, a throwaway one so helpers never need to check."""
    return _current if _current is not None else TestRecord()


@contextmanager
def recording(record: TestRecord) -> Iterator[TestRecord]:
    global _current
    previous, _current = _current, record
    try:
        yield record
    finally:
        _current = previous
