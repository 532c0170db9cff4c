"""Targets: where and how a check runs (a device x an execution mode).

Each axis is a small object: a ``Device`` gives a scope (``tf.device``) and matches device
strings; a ``Mode`` turns a Python function into what runs (itself, ``tf.function`` or
``tf.function(jit_compile=True)``). ``Target.run`` applies both, converts "no kernel here"
into the ``unsupported`` outcome and verifies placement of the results and of the traced ops.

TensorFlow is imported lazily, inside the methods, so that building targets for ids and
filters costs nothing.
"""

from __future__ import annotations

import re
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from _pytest.outcomes import Skipped

from . import recording
from .options import MODES

UNSUPPORTED_PREFIX = "unsupported on target"

# Messages with which TensorFlow says "there is no kernel for this op/dtype on this device".
_NO_KERNEL_PATTERNS = (
    re.compile(r"Could not find device for node"),
    re.compile(r"No registered '[^']+' OpKernel for"),
    re.compile(r"Could not satisfy (explicit )?device specification"),
    re.compile(r"no supported kernel for"),
    re.compile(r"Detected unsupported operations when trying to compile graph"),
)


class Unsupported(Skipped):
    """An op or dtype has no kernel on the target: its own outcome, never a pass.

    It derives from pytest's skip exception so that Hypothesis re-raises it at once instead
    of shrinking it as a failure; the plugin reports it as ``unsupported``, not ``skipped``.
    """

    def __init__(self, target: Target, detail: str) -> None:
        first_line = detail.strip().splitlines()[0] if detail.strip() else "no kernel"
        super().__init__(f"{UNSUPPORTED_PREFIX} {target.id}: {first_line[:300]}")


class PlacementError(AssertionError):
    """A result or traced op was not where the target put it."""


def is_no_kernel_error(exc: BaseException) -> bool:
    text = str(exc)
    return any(p.search(text) for p in _NO_KERNEL_PATTERNS)


@dataclass(frozen=True)
class Device:
    name: str  # short logical name, e.g. "CPU:1"

    @property
    def type(self) -> str:
        return self.name.split(":", 1)[0]

    @property
    def index(self) -> int:
        return int(self.name.split(":", 1)[1])

    @property
    def tf_name(self) -> str:
        return f"/device:{self.name}"

    @contextmanager
    def scope(self) -> Iterator[None]:
        import tensorflow as tf

        with tf.device(self.tf_name):
            yield

    def holds(self, device_string: str) -> bool:
        """Whether a tensor's or op's device string names this device."""
        match = re.search(r"device:([A-Za-z_]+):(\d+)", device_string or "")
        return bool(match) and (match.group(1).upper(), int(match.group(2))) == (
            self.type.upper(),
            self.index,
        )


@dataclass(frozen=True)
class Mode:
    name: str

    @property
    def is_graph(self) -> bool:
        return self.name != "eager"

    def compile(self, fn: Callable[..., Any], input_signature: Sequence[Any] | None):
        if not self.is_graph:
            return fn
        import tensorflow as tf

        return tf.function(
            fn, input_signature=input_signature, jit_compile=(self.name == "xla") or None
        )


@dataclass(frozen=True)
class Target:
    device: Device
    mode: Mode

    @property
    def id(self) -> str:
        return f"{self.device.name}-{self.mode.name}"

    def __str__(self) -> str:
        return self.id

    def report_fields(self) -> dict[str, Any]:
        return {
            "target": self.id,
            "device": self.device.name,
            "mode": self.mode.name,
            "backend": None,
        }

    @contextmanager
    def scope(self) -> Iterator[None]:
        """The device scope; use it in tests that build their own tf.function."""
        with self.device.scope():
            yield

    def function(self, fn: Callable[..., Any], **kwargs: Any):
        """``tf.function`` for this target's graph mode (XLA adds ``jit_compile=True``)."""
        import tensorflow as tf

        if self.mode.name == "xla":
            kwargs.setdefault("jit_compile", True)
        return tf.function(fn, **kwargs)

    def run(self, fn: Callable[..., Any], *args: Any, relax_shapes: bool = True) -> Any:
        """Run ``fn(*args)`` on this target and return its (verified) result.

        ``args`` are tensors or arrays. In graph modes the function is traced once per
        dtype x rank of the arguments (every dimension ``None``) when ``relax_shapes`` is
        true, so hypothesis examples of new shapes do not retrace; pass ``False`` when the
        check is about static shapes. ``fn`` should be defined once (module level), since
        compiled functions are cached by identity.
        """
        call = _Call()
        started = time.perf_counter()
        try:
            return self._run_verified(fn, args, relax_shapes, call)
        finally:
            if call.compiled is not None:
                record_compilation(self, call.compiled, call.tensors, call.traces_before, started)

    def _run_verified(
        self, fn: Callable[..., Any], args: tuple[Any, ...], relax_shapes: bool, call: _Call
    ) -> Any:
        import tensorflow as tf

        try:
            with self.device.scope():
                # Inputs are made on the target device: an op that returns its input
                # unchanged (a cast to the same dtype) must still yield a result placed there.
                call.tensors = tuple(tf.convert_to_tensor(a) for a in args)
                compiled = _compiled_for(self, fn, call.tensors, relax_shapes)
                call.traces_before = _trace_count(compiled)
                call.compiled = compiled
                result = compiled(*call.tensors)
        except (tf.errors.OpError, ValueError, TypeError) as exc:
            if is_no_kernel_error(exc):
                raise Unsupported(self, str(exc)) from None
            raise
        verify_result_placement(self, result)
        if self.mode.is_graph and compiled not in _GRAPH_CHECKED:
            with self.device.scope():
                concrete = compiled.get_concrete_function(*call.tensors)
            verify_graph_placement(self, concrete)
            if relax_shapes:  # one signature, one graph: checked once for all calls
                _GRAPH_CHECKED.add(compiled)
        return result


@dataclass
class _Call:
    """What one ``Target.run`` call compiled, for its test's record."""

    compiled: Any = None
    tensors: tuple[Any, ...] = ()
    traces_before: int = 0


_COMPILED: dict[tuple[Any, ...], Any] = {}
# Weak, not by id(): a function or graph that was freed may leave its id to a new one,
# which must still be checked (helpers that trace afresh on every call free theirs at once).
_GRAPH_CHECKED: weakref.WeakSet[Any] = weakref.WeakSet()
_XLA_SIGNATURES: weakref.WeakKeyDictionary[Any, set[tuple[Any, ...]]] = weakref.WeakKeyDictionary()


def reset_compiled_cache() -> None:
    """Forget compiled functions (a new run in the same process must trace afresh)."""
    _COMPILED.clear()
    _GRAPH_CHECKED.clear()
    _XLA_SIGNATURES.clear()


def _compiled_for(target: Target, fn: Callable[..., Any], tensors: tuple[Any, ...], relax: bool):
    import tensorflow as tf

    if relax and target.mode.is_graph:
        signature = tuple(tf.TensorSpec([None] * t.shape.rank, t.dtype) for t in tensors)
        key: tuple[Any, ...] = (fn, target, signature)
    else:
        signature, key = None, (fn, target, None)
    if key not in _COMPILED:
        device = target.device

        def placed(*inner: Any) -> Any:
            with device.scope():
                return fn(*inner)

        placed.__name__ = getattr(fn, "__name__", "fn")
        _COMPILED[key] = target.mode.compile(placed, signature)
    return _COMPILED[key]


def record_compilation(
    target: Target,
    compiled: Any,
    tensors: tuple[Any, ...],
    traces_before: int,
    started: float,
) -> None:
    """Add a call's traces and XLA compilations, and their wall time, to the test's record.

    ``compiled`` is the ``tf.function`` called with ``tensors``, ``traces_before`` its trace
    count before the call and ``started`` the call's ``time.perf_counter()``.

    XLA compiles once per concrete input signature (shapes and dtypes), even where the
    traced graph has ``None`` dimensions, so a signature this compiled function has not
    run before counts as one compilation. The wall time of a call that traced or compiled
    (placement checks of the new graph included) goes to ``compile_seconds``.
    """
    record = recording.current()
    traced = _trace_count(compiled) - traces_before
    record.traces += traced
    compiled_now = False
    if target.mode.name == "xla":
        signature = tuple((t.dtype, tuple(t.shape)) for t in tensors)
        seen = _XLA_SIGNATURES.setdefault(compiled, set())
        compiled_now = signature not in seen
        seen.add(signature)
        record.compiles += compiled_now
    if traced or compiled_now:
        record.compile_seconds += time.perf_counter() - started


def _trace_count(compiled: Any) -> int:
    getter = getattr(compiled, "experimental_get_tracing_count", None)
    return int(getter()) if getter else 0


def verify_result_placement(target: Target, result: Any) -> None:
    import tensorflow as tf

    for value in tf.nest.flatten(result):
        device = getattr(value, "device", None)
        if isinstance(value, tf.Tensor) and device is not None and not target.device.holds(device):
            raise PlacementError(
                f"result expected on {target.device.name} ({target.mode.name}) "
                f"but was produced on {device!r}"
            )


# Ops that tf.function itself adds around the traced body, outside any device scope.
_WRAPPER_OPS = {"Placeholder", "Identity", "NoOp"}


def verify_graph_placement(target: Target, concrete: Any) -> None:
    """Every placed op of a traced graph names the target device, and some op does."""
    if concrete in _GRAPH_CHECKED:
        return
    ops = concrete.graph.get_operations()
    body = [op for op in ops if op.type not in _WRAPPER_OPS]
    wrong = [op for op in ops if op.device and not target.device.holds(op.device)]
    if wrong:
        op = wrong[0]
        raise PlacementError(
            f"traced op {op.name} ({op.type}) is placed on {op.device!r}, "
            f"expected {target.device.name}"
        )
    if body and not any(op.device for op in body):
        raise PlacementError(
            f"no traced op is placed on {target.device.name}: the device scope did not "
            "reach the graph"
        )
    _GRAPH_CHECKED.add(concrete)


def only_modes(*names: str):
    """Restrict a test to some execution modes (a claim about eager tensors, say)."""
    import pytest

    unknown = set(names) - set(MODES)
    if unknown:
        raise ValueError(f"unknown modes {sorted(unknown)}; valid: {', '.join(MODES)}")
    return pytest.mark.tf2conf_modes(*names)


def build_targets(devices: Sequence[str], modes: Sequence[str]) -> list[Target]:
    return [Target(Device(d), Mode(m)) for d in devices for m in modes if m in MODES]


def select_devices(spec: Sequence[str], available: Sequence[str]) -> list[str]:
    """Resolve ``--tf2conf-devices`` (types like ``GPU`` or names like ``CPU:1``)."""
    if not spec:
        return list(available)
    chosen: list[str] = []
    for entry in spec:
        wanted = entry.upper().removeprefix("/DEVICE:")
        matches = [d for d in available if d.upper() == wanted or d.split(":")[0].upper() == wanted]
        if not matches:
            raise ValueError(
                f"--tf2conf-devices: unknown device {entry!r}; "
                f"TensorFlow lists {', '.join(available) or 'no devices'}"
            )
        chosen.extend(m for m in matches if m not in chosen)
    return chosen
