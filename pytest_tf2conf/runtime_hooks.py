"""What the plugin does around each conformance test call.

- opens the test's ``TestRecord`` (traces, examples) for helpers such as ``Target.run``;
- counts hypothesis examples through hypothesis' statistics collector;
- gives XLA targets a fraction of the profile's examples (XLA compiles per input shape),
  a property marked ``light_on_replicas`` its first example only on a replica device
  (CPU:1 beside CPU:0, ``Device.replica``), and turns hypothesis deadlines off;
- does not shrink the failures of expected failures (known deviations, expectations):
  the first falsifying example is reported, the rest of the search would be wasted;
- bounds the time spent shrinking a real failure (``profiles.SHRINK_SECONDS``);
- turns a failure's details (tolerance used, worst element) into report fields.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from . import recording
from .profiles import XLA_EXAMPLE_FRACTION
from .targets import REPLICA_LIGHT_MARKER, Unsupported
from .tolerance import ToleranceError


def _target_of(item: pytest.Item) -> Any:
    params = getattr(getattr(item, "callspec", None), "params", {})
    return params.get("target") or params.get("keras_target")


def light_on_replica(item: pytest.Item) -> bool:
    """Whether ``item`` runs the light checks: a replica device, a marked property."""
    device = getattr(_target_of(item), "device", None)
    return bool(getattr(device, "replica", False)) and (
        item.get_closest_marker(REPLICA_LIGHT_MARKER) is not None
    )


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


_FIRST_SETTINGS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def _run_settings(item: pytest.Item) -> Iterator[None]:
    """No deadline for any suite property, fewer examples on XLA targets, one for a marked
    property on a replica device (the same kernels as the first device of its type, which
    runs them all), and no shrinking where the failure is expected.

    A test's hypothesis settings are fixed when its module is imported; re-applying these
    here keeps deadline flakiness out even if a profile was loaded late or overridden.
    """
    function = getattr(item.obj, "__func__", item.obj)
    current = getattr(function, "_hypothesis_internal_use_settings", None)
    if current is None or not getattr(item.obj, "is_hypothesis_test", False):
        yield
        return
    from hypothesis import Phase, settings

    # Hypothesis' own pytest plugin wraps a parametrized test's settings in a new child on
    # every invocation and never unwraps them: a test parametrized a thousand times (the op
    # database) would end in a RecursionError inside hypothesis. Each invocation starts
    # again from the settings the function had when first run.
    current = _FIRST_SETTINGS.setdefault(function, current)
    mode = getattr(getattr(_target_of(item), "mode", None), "name", None)
    changes: dict[str, Any] = {"deadline": None}
    if light_on_replica(item):
        changes["max_examples"] = 1  # hypothesis' first example is its simplest
    elif mode == "xla":
        changes["max_examples"] = max(1, int(current.max_examples * XLA_EXAMPLE_FRACTION))
    if item.get_closest_marker("xfail") is not None:
        # A known deviation fails by design: stop at the first falsifying example.
        changes["phases"] = tuple(p for p in current.phases if p is not Phase.shrink)
        changes["report_multiple_bugs"] = False
    function._hypothesis_internal_use_settings = settings(current, **changes)
    try:
        yield
    finally:
        function._hypothesis_internal_use_settings = current


@contextlib.contextmanager
def _shrink_budget(seconds: float | None) -> Iterator[None]:
    """Bound shrinking by wall time (hypothesis documents this constant as patchable)."""
    if seconds is None:
        yield
        return
    from hypothesis.internal.conjecture import engine

    previous = engine.MAX_SHRINKING_SECONDS
    engine.MAX_SHRINKING_SECONDS = seconds
    try:
        yield
    finally:
        engine.MAX_SHRINKING_SECONDS = previous


@contextlib.contextmanager
def measured_call(
    item: pytest.Item, record: recording.TestRecord, shrink_seconds: float | None = None
) -> Iterator[None]:
    target = _target_of(item)
    device = getattr(target, "device", None)
    if device is not None and getattr(device, "type", None):
        record.notes["device_type"] = device.type
    with (
        recording.recording(record),
        _count_examples(record),
        _run_settings(item),
        _shrink_budget(shrink_seconds),
    ):
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
