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
from functools import cached_property
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
    # A light replica: a device after the first selected one of its type (CPU:1 beside
    # CPU:0), running the same kernels; properties marked ``light_on_replicas`` run their
    # first example only there (--tf2conf-replica-devices light, the default).
    replica: bool = False

    @property
    def type(self) -> str:
        return self.name.split(":", 1)[0]

    @property
    def index(self) -> int:
        return int(self.name.split(":", 1)[1])

    @cached_property
    def tf_name(self) -> str:
        return f"/device:{self.name}"

    @contextmanager
    def scope(self) -> Iterator[None]:
        with _tf().device(self.tf_name):
            yield

    def holds(self, device_string: str) -> bool:
        """Whether a tensor's or op's device string names this device."""
        key = (self.name, device_string)
        known = _HOLDS.get(key)
        if known is None:
            match = re.search(r"device:([A-Za-z_]+):(\d+)", device_string or "")
            known = _HOLDS[key] = bool(match) and (
                match.group(1).upper(),
                int(match.group(2)),
            ) == (self.type.upper(), self.index)
        return known


# (device name, device string) -> Device.holds: a run meets a handful of device strings.
_HOLDS: dict[tuple[str, str], bool] = {}


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

        The hot path is kept lean (a property calls it hundreds of times): one device scope,
        eager functions called as they are, the result's device checked on every call and a
        traced graph's placement checked once, on the call that traced it.
        """
        if not self.mode.is_graph:
            return self._run_eager(fn, args)
        return self._run_graph(fn, args, relax_shapes)

    def _run_eager(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        tf = _tf()
        try:
            with tf.device(self.device.tf_name):
                result = fn(*_on_device(tf, args))
        except (tf.errors.OpError, ValueError, TypeError) as exc:
            raise _unsupported_or(self, exc) from None
        verify_result_placement(self, result)
        return result

    def _run_graph(self, fn: Callable[..., Any], args: tuple[Any, ...], relax: bool) -> Any:
        tf = _tf()
        started = time.perf_counter()
        compiled = None
        tensors: tuple[Any, ...] = ()
        traces_before = 0
        try:
            with tf.device(self.device.tf_name):
                # Inputs are made on the target device: an op that returns its input
                # unchanged (a cast to the same dtype) must still yield a result placed there.
                tensors = _on_device(tf, args)
                compiled = _compiled_for(self, fn, tensors, relax)
                traces_before = compiled.experimental_get_tracing_count()
                result = compiled(*tensors)
                if compiled.experimental_get_tracing_count() != traces_before:
                    # A new graph: check where its ops are placed, once (later calls reuse it).
                    try:
                        verify_graph_placement(self, compiled.get_concrete_function(*tensors))
                    except PlacementError:
                        # Traced afresh next time, so that a replay of this call (hypothesis
                        # reruns a failing example) fails the same way instead of "flaky".
                        _forget(compiled)
                        raise
        except (tf.errors.OpError, ValueError, TypeError) as exc:
            raise _unsupported_or(self, exc) from None
        finally:
            if compiled is not None:
                record_compilation(self, compiled, tensors, traces_before, started)
        verify_result_placement(self, result)
        return result


_TF: Any = None


def _tf() -> Any:
    """TensorFlow, imported on first use (building targets for ids must not import it)."""
    global _TF
    if _TF is None:
        import tensorflow as tf

        _TF = tf
    return _TF


def _on_device(tf: Any, args: tuple[Any, ...]) -> tuple[Any, ...]:
    # Eager tensors pass through as they are (convert_to_tensor would return them anyway).
    # A NumPy scalar goes in as a 0-d array: eager TensorFlow caches the tensors of Python
    # numbers (np.float64 is one) by value, so np.float64(-0.0) after a 0.0 came back +0.0
    # and a result depended on what the process converted before (known deviation
    # tensor.constant-keeps-the-sign-of-zero); arrays are not cached.
    eager = _eager_tensor_type()
    return tuple(a if type(a) is eager else tf.convert_to_tensor(_array_if_scalar(a)) for a in args)


def _array_if_scalar(value: Any) -> Any:
    import numpy as np

    return np.asarray(value) if isinstance(value, np.generic) else value


def _eager_tensor_type() -> type:
    global _EAGER_TENSOR
    if _EAGER_TENSOR is None:
        _EAGER_TENSOR = type(_tf().constant(0))
    return _EAGER_TENSOR


_EAGER_TENSOR: type | None = None


def _unsupported_or(target: Target, exc: BaseException) -> BaseException:
    """``Unsupported`` when TensorFlow says there is no kernel here, else the error itself."""
    return Unsupported(target, str(exc)) if is_no_kernel_error(exc) else exc


_COMPILED: dict[tuple[Any, ...], Any] = {}
# Weak, not by id(): a function or graph that was freed may leave its id to a new one,
# which must still be checked (helpers that trace afresh on every call free theirs at once).
_GRAPH_CHECKED: weakref.WeakSet[Any] = weakref.WeakSet()
_XLA_SIGNATURES: weakref.WeakKeyDictionary[Any, set[tuple[Any, ...]]] = weakref.WeakKeyDictionary()


def _forget(compiled: Any) -> None:
    for key in [k for k, v in _COMPILED.items() if v is compiled]:
        del _COMPILED[key]


def reset_compiled_cache() -> None:
    """Forget compiled functions (a new run in the same process must trace afresh)."""
    _COMPILED.clear()
    _GRAPH_CHECKED.clear()
    _XLA_SIGNATURES.clear()


def release_compiled() -> None:
    """Drop the compiled functions (memory.py calls it when a test module ends).

    Their placement checks and XLA signatures are weak entries and go with them, so a
    function called again is traced, placement-checked and counted afresh.
    """
    _COMPILED.clear()


def _compiled_for(target: Target, fn: Callable[..., Any], tensors: tuple[Any, ...], relax: bool):
    # The key holds dtypes and ranks, not TensorSpecs: building specs costs more than the
    # lookup, so they are made only on a miss.
    ranks = tuple((t.dtype, t.shape.rank) for t in tensors) if relax else None
    key = (fn, target.id, ranks)
    compiled = _COMPILED.get(key)
    if compiled is None:
        tf = _tf()
        signature = (
            tuple(tf.TensorSpec([None] * rank, dtype) for dtype, rank in ranks)
            if ranks is not None
            else None
        )
        device = target.device

        def placed(*inner: Any) -> Any:
            with device.scope():
                return fn(*inner)

        placed.__name__ = getattr(fn, "__name__", "fn")
        compiled = _COMPILED[key] = target.mode.compile(placed, signature)
    return compiled


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
    tf = _tf()
    # A single tensor (the common case) skips tf.nest; device strings are few, so
    # Device.holds answers from a cache.
    values = (result,) if type(result) is _eager_tensor_type() else tf.nest.flatten(result)
    for value in values:
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


REPLICA_LIGHT_MARKER = "tf2conf_light_on_replicas"


def light_on_replicas():
    """Mark a module's properties (``pytestmark = light_on_replicas()``) to run their first
    example only on a replica device (``Device.replica``): for properties so many that
    running them in full on every device of a type does not pay (the op database, whose
    kernels the first device of the type checks in full). Unmarked properties run every
    example everywhere."""
    import pytest

    return getattr(pytest.mark, REPLICA_LIGHT_MARKER)


def build_targets(
    devices: Sequence[str], modes: Sequence[str], light_replicas: bool = False
) -> list[Target]:
    """Every device x mode; with ``light_replicas``, devices after the first of their type
    are replicas (``Device.replica``)."""
    types = [d.split(":", 1)[0] for d in devices]
    chosen = [
        Device(d, replica=light_replicas and types.index(kind) < i)
        for i, (d, kind) in enumerate(zip(devices, types, strict=True))
    ]
    return [Target(device, Mode(m)) for device in chosen for m in modes if m in MODES]


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
