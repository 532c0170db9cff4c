"""Bounded memory of long runs: what a finished test (and module) held is freed before the next.

A conformance run traces thousands of graphs. ``Target.run`` keeps the ``tf.function`` it
built for each (function, target, dtype x rank) so that hypothesis examples reuse a trace;
kept for the whole run, these functions (their FuncGraphs, the functions registered in the
eager context, their instantiated kernels) made a run's RSS grow linearly with the number of
modules run. A compiled function is keyed by its target and dtypes, which are a test's
parameters, so a later test almost never reuses one (the op database builds a function per
item): the cache is emptied after every test (measured on a 1/48 shard of the op database:
RSS growth 639 -> 542 MB, CPU time unchanged). A function that a later test calls again is
traced, and its new graph's placement checked, afresh. Keras' session is cleared when a
module that used it ends. Measured effect: docs/performance.md, "Memory".

Tried and not kept (no effect on the figures): ``gc.collect()`` at each module end (the
functions are freed without it; it cost about 0.4 s a module), glibc's ``malloc_trim(0)``
(it returned 10-100 MB at a module's end, which the next module took again: the same peak),
``MALLOC_ARENA_MAX=2``.

What is not freed here, and why:

- XLA's compilation cache (TensorFlow's ``DeviceCompilationCache``, one per device) keeps
  every executable compiled in the process and has no eviction; Python cannot reach it.
- The ``tf.cond`` branch functions of Keras optimizers' update steps stay registered in the
  eager context after their models are freed (their referrers end outside Python's garbage
  collector, not in the plugin).
"""

from __future__ import annotations

import sys
from typing import Any

# The fixture of the Keras suites' tests: after their modules, Keras' session is cleared too.
KERAS_FIXTURE = "keras_target"


def module_ends(item: Any, nextitem: Any | None) -> bool:
    """Whether ``item`` is the last test of its module before another module's tests.

    At the end of the session (``nextitem`` None) nothing is freed: the process ends anyway.
    Under pytest-xdist a worker runs its tests in collection order, so a module it leaves
    does not come back (where it does, its functions are traced again: slower, not wrong).
    """
    return nextitem is not None and getattr(nextitem, "path", None) != getattr(item, "path", None)


class ModuleMemory:
    """Frees a finished test's compiled functions, and Keras' session when a module that used
    it ends."""

    def __init__(self) -> None:
        self.used_keras = False

    def after_teardown(self, item: Any, nextitem: Any | None) -> None:
        self.used_keras = self.used_keras or KERAS_FIXTURE in getattr(item, "fixturenames", ())
        if nextitem is None:
            return  # the process ends anyway
        if not module_ends(item, nextitem):
            release()
            return
        release(keras=self.used_keras)
        self.used_keras = False


def release(keras: bool = False) -> None:
    """Free what the finished tests no longer need (``keras``: and Keras' session)."""
    from .targets import release_compiled

    release_compiled()
    if keras:
        _clear_keras_session()


def _clear_keras_session() -> None:
    # Keras' global state and, on the TensorFlow backend, the eager kernel cache (measured:
    # about 100 MB less after the Keras suites). No garbage collection: it changed nothing.
    keras = sys.modules.get("keras")
    clear = getattr(getattr(keras, "backend", None), "clear_session", None)
    if clear is not None:
        try:
            clear(free_memory=False)
        except TypeError:  # Keras 2 (tf_keras / tf.keras): no free_memory argument
            clear()
