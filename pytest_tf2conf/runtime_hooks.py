"""What the plugin does around each conformance test call.

- opens the test's ``TestRecord`` (traces, examples) for helpers such as ``Target.run``;
- counts hypothesis examples through hypothesis' statistics collector;
- gives XLA targets a fraction of the profile's examples (XLA compiles per input shape)
  and turns hypothesis deadlines off;
- turns a failure's details (tolerance used, worst element) into report fields.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from . import recording
from .profiles import XLA_EXAMPLE_FRACTION
from .targets import Unsupported
from .tolerance import ToleranceError


def _target_of(item: pytest.Item) -> Any:
    params = getattr(getattr(item, "callspec", None), "params", {})
    return params.get("target") or params.get("keras_target")


@contextlib.contextmanager
def _count_examples(record: recording.TestRecord) -> Iterator[None]:
    try:
        from hypothesis.statistics import collector
    except ImportError:  # pragma: no cover - hypothesis is a dependency
        yield
        return
    previous = collector.value

    def note(stats: dict[str, Any]) -> None:
        cases = [
            case
            for key, phase in stats.items()
            if key.endswith("-phase") and isinstance(phase, dict)
            for case in phase.get("test-cases", [])
        ]
        record.examples = sum(1 for c in cases if c.get("status") in ("valid", "interesting"))
        record.example_seconds = sum(float(c.get("runtime", 0.0)) for c in cases)
        if previous is not None:
            previous(stats)

    with collector.with_value(note):
        yield


@contextlib.contextmanager
def _run_settings(item: pytest.Item) -> Iterator[None]:
    """No deadline for any suite property, and fewer examples on XLA targets.

    A test's hypothesis settings are fixed when its module is imported; re-applying these
    here keeps deadline flakiness out even if a profile was loaded late or overridden.
    """
    function = getattr(item.obj, "__func__", item.obj)
    current = getattr(function, "_hypothesis_internal_use_settings", None)
    if current is None or not getattr(item.obj, "is_hypothesis_test", False):
        yield
        return
    from hypothesis import settings

    mode = getattr(getattr(_target_of(item), "mode", None), "name", None)
    examples = current.max_examples
    if mode == "xla":
        examples = max(1, int(examples * XLA_EXAMPLE_FRACTION))
    function._hypothesis_internal_use_settings = settings(
        current, deadline=None, max_examples=examples
    )
    try:
        yield
    finally:
        function._hypothesis_internal_use_settings = current


@contextlib.contextmanager
def measured_call(item: pytest.Item, record: recording.TestRecord) -> Iterator[None]:
    target = _target_of(item)
    device = getattr(target, "device", None)
    if device is not None and getattr(device, "type", None):
        record.notes["device_type"] = device.type
    with recording.recording(record), _count_examples(record), _run_settings(item):
        yield
    record.notes.pop("device_type", None)


def _tolerance_failure(exc: BaseException | None) -> dict[str, Any] | None:
    if exc is None:
        return None
    if isinstance(exc, ToleranceError):
        return exc.details
    for inner in getattr(exc, "exceptions", ()) or ():  # hypothesis: several distinct failures
        found = _tolerance_failure(inner)
        if found:
            return found
    return None


def call_properties(record: recording.TestRecord, call: pytest.CallInfo[None]) -> dict[str, Any]:
    props = record.as_dict()
    if call.excinfo is not None and call.excinfo.errisinstance(Unsupported):
        props["unsupported"] = True
    failure = _tolerance_failure(call.excinfo.value if call.excinfo else None)
    if failure:
        props["tolerance"] = failure
    return props
