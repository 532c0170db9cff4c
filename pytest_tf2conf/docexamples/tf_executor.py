"""Running TensorFlow's documented examples on a target (a device x an execution mode).

Every example runs inside the target's device scope (soft placement is off for the run,
so an op without a kernel there raises: ``unsupported``). An expression example's value
is checked to be on the target device. In the ``function`` and ``xla`` modes the graph
examples (``rules.graph_plan``) are traced into a ``tf.function`` (``jit_compile=True`` for
XLA) on the target device, the traced ops' placement is verified, and the value the graph
returns is what doctest prints. An example XLA cannot compile (no XLA kernel for one of
its ops) runs under ``tf.function`` instead and is counted as an XLA fallback.

The examples see what TensorFlow's own doctest runner gives them: their module's globals,
``tf``, ``np`` and ``os``. Process-wide state they may change (random seeds, the global
generator) is restored after each symbol; a change to the run's own configuration (soft
placement, eager execution, functions run eagerly) is restored and fails the symbol: a
rule in ``rules.py`` should have excluded that example.
"""

from __future__ import annotations

import os
import random
import re
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import tensorflow as tf

from .. import recording
from ..targets import (
    Target,
    Unsupported,
    is_no_kernel_error,
    verify_graph_placement,
    verify_result_placement,
)
from .checker import ExampleChecker
from .harvest import Symbol

# XLA could not compile the graph: an op without an XLA kernel, or a shape XLA cannot know
# at compile time (tf.unique, tf.where with one argument, a loop whose shape changes).
_XLA_CANNOT_COMPILE = re.compile(
    r"Detected unsupported operations|XLA compilation requires|No registered '[^']+' OpKernel "
    r"for XLA_|must be a compile-time constant|not supported by XLA|unsupported by XLA"
    r"|shapes of loop body do not match"
)


class ProcessStateChanged(AssertionError):
    """An example changed the run's configuration; it was restored, the symbol fails."""


class TfExecutor:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.mode = target.mode.name
        self.xla_fallbacks: dict[str, int] = {}
        self.last_mode: str | None = None

    # -- what the examples see ---------------------------------------------------------------
    def namespace(self, symbol: Symbol) -> dict[str, Any]:
        globs = symbol.module_globals()
        globs.update(tf=tf, np=np, os=os)
        return globs

    def checker(self) -> ExampleChecker:
        return ExampleChecker()

    # -- running an expression -------------------------------------------------------------
    def run(self, fn: Callable[[], Any], how: str) -> Any:
        self.last_mode = how
        result = fn() if how == "eager" else self._graph(fn, xla=how == "xla")
        # Symbolic tensors an example leaks out of a graph have no device: eager ones only.
        verify_result_placement(self.target, [v for v in _flat(result) if _is_eager(v)])
        return result

    def _graph(self, fn: Callable[[], Any], xla: bool) -> Any:
        device = self.target.device
        # The tensors the expression reads become the function's arguments. Captured, they
        # would be constants of the graph, and Grappler's (or XLA's) constant folding would
        # compute the example on the host while tracing instead of on the target device.
        globs = fn.__globals__
        inputs = {n: globs[n] for n in fn.__code__.co_names if _is_input(globs.get(n))}

        def placed(*args: Any) -> Any:
            body = types.FunctionType(
                fn.__code__, {**globs, **dict(zip(inputs, args, strict=True))}
            )
            with device.scope():
                return body()

        compiled = tf.function(placed, autograph=False, jit_compile=True if xla else None)
        record = recording.current()
        try:
            result = compiled(*inputs.values())
        except (tf.errors.OpError, ValueError, TypeError) as exc:
            if xla and _XLA_CANNOT_COMPILE.search(str(exc)):
                reason = _xla_reason(str(exc))
                self.xla_fallbacks[reason] = self.xla_fallbacks.get(reason, 0) + 1
                self.last_mode = "function"
                return self._graph(fn, xla=False)
            if is_no_kernel_error(exc):
                raise Unsupported(self.target, str(exc)) from None
            raise
        record.traces += 1
        record.compiles += int(xla)
        graph = compiled.get_concrete_function(*inputs.values())
        if any(op.type not in _WRAPPER_OPS for op in graph.graph.get_operations()):
            verify_graph_placement(self.target, graph)
        return result

    def is_unsupported(self, exc: BaseException) -> bool:
        return isinstance(exc, Unsupported) or (
            isinstance(exc, tf.errors.OpError) and is_no_kernel_error(exc)
        )

    def is_unsupported_text(self, text: str) -> bool:
        return is_no_kernel_error(Exception(text))

    # -- process-wide state ------------------------------------------------------------------
    @contextmanager
    def guard(self) -> Iterator[None]:
        saved_random, saved_numpy = random.getstate(), np.random.get_state()
        global_seed = tf.compat.v1.get_seed(None)[0]
        generator = tf.random.get_global_generator()
        run_config = _run_configuration()
        with self.target.scope():
            try:
                yield
            finally:
                random.setstate(saved_random)
                np.random.set_state(saved_numpy)
                tf.random.set_seed(global_seed)
                tf.random.set_global_generator(generator)
        changed = _restore_run_configuration(run_config)
        if changed:
            raise ProcessStateChanged(
                f"an example changed the run's {', '.join(changed)} (restored); "
                "a rule in pytest_tf2conf/docexamples/rules.py should exclude it"
            )


def _flat(value: Any) -> list[Any]:
    try:
        return tf.nest.flatten(value, expand_composites=True)
    except (TypeError, ValueError):  # a structure tf.nest cannot walk (not tensors anyway)
        return []


_EAGER = type(tf.constant(0))
# What tf.function adds around a body that only returns a captured value or a constant
# (tf.nest.flatten of a tensor, x.ref().deref()): such a graph runs no op of its own, so no
# op names a device.
_WRAPPER_OPS = frozenset({"Placeholder", "Identity", "NoOp", "Const"})


def _is_eager(value: Any) -> bool:
    return isinstance(value, _EAGER)


def _is_input(value: Any) -> bool:
    """A value the traced expression takes as an argument: a tensor or a composite of them
    (ragged, sparse), never a variable (a resource, read inside the graph)."""
    return _is_eager(value) or isinstance(value, (tf.RaggedTensor, tf.SparseTensor))


def _xla_reason(message: str) -> str:
    match = re.search(r"No registered '([^']+)' OpKernel", message) or re.search(
        r"\b([A-Z]\w+) \(No registered", message
    )
    return f"no XLA kernel for {match.group(1)}" if match else "not compilable by XLA"


def _run_configuration() -> dict[str, Any]:
    return {
        "soft device placement": tf.config.get_soft_device_placement(),
        "functions run eagerly": tf.config.functions_run_eagerly(),
        "eager execution": tf.executing_eagerly(),
    }


def _restore_run_configuration(saved: dict[str, Any]) -> list[str]:
    now = _run_configuration()
    changed = [name for name, value in saved.items() if now[name] != value]
    if "soft device placement" in changed:
        tf.config.set_soft_device_placement(saved["soft device placement"])
    if "functions run eagerly" in changed:
        tf.config.run_functions_eagerly(saved["functions run eagerly"])
    return changed
