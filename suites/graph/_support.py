"""Helpers of the graph and tracing suite: probes that count traces, graph inspection.

Tracing claims are checked by counting, two independent ways: TensorFlow's own
``experimental_get_tracing_count()`` and a Python side-effect counter that runs only while
the function body is traced. Every trace a test causes is added to its report entry.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from pytest_tf2conf import recording

# Op types by which the traced graph shows graph control flow (stateless when the branch
# or body has no stateful op, which is the case for the pure functions used here).
IF_OPS = frozenset({"If", "StatelessIf"})
WHILE_OPS = frozenset({"While", "StatelessWhile"})


class Probe:
    """A Python function with a counter of how many times its body ran (i.e. was traced).

    ``probe.fn`` is what gets wrapped by ``tf.function``; ``probe.runs`` counts executions of
    the Python body, which under ``tf.function`` happen only while tracing.
    """

    def __init__(self, body: Callable[..., Any]) -> None:
        self.runs = 0
        self._body = body

        def fn(*args: Any) -> Any:
            self.runs += 1  # a Python side effect: executes only during tracing
            return body(*args)

        fn.__name__ = getattr(body, "__name__", "probe")
        self.fn = fn


class CountedFunction:
    """A ``tf.function`` built for a target, with its traces added to the test's record."""

    def __init__(self, target: Any, body: Callable[..., Any], **kwargs: Any) -> None:
        self.probe = Probe(body)
        self.target = target
        self.function = target.function(self.probe.fn, **kwargs)
        self._reported = 0

    @property
    def traces(self) -> int:
        """TensorFlow's count of traces of this function."""
        return int(self.function.experimental_get_tracing_count())

    def __call__(self, *args: Any) -> Any:
        with self.target.scope():
            try:
                return self.function(*args)
            finally:
                self._report()

    def concrete(self, *args: Any) -> Any:
        with self.target.scope():
            try:
                return self.function.get_concrete_function(*args)
            finally:
                self._report()

    def _report(self) -> None:
        now = self.traces
        recording.current().traces += now - self._reported
        self._reported = now


def op_types(concrete: Any) -> list[str]:
    """Op types of a concrete function's traced graph (outer graph only)."""
    return [op.type for op in concrete.graph.get_operations()]


def all_op_types(concrete: Any) -> list[str]:
    """Op types of the traced graph and of every function it calls (If/While branches)."""
    graph_def = concrete.graph.as_graph_def()
    types = [node.op for node in graph_def.node]
    for function in graph_def.library.function:
        types.extend(node.op for node in function.node_def)
    return types


@contextlib.contextmanager
def print_capture() -> Iterator[tuple[str, Callable[[], list[str]]]]:
    """A ``file://`` output stream for ``tf.print`` and a reader of the lines written so far.

    ``tf.print(..., output_stream="file://" + path)`` appends each print to the file, which
    is more reliable than capturing the C++ stderr stream of the process.
    """
    handle, path = tempfile.mkstemp(prefix="tf2conf-print-", suffix=".txt")
    os.close(handle)

    def lines() -> list[str]:
        with open(path, encoding="utf-8") as stream:
            return [line.rstrip("\n") for line in stream if line.strip()]

    try:
        yield "file://" + path, lines
    finally:
        with contextlib.suppress(OSError):
            os.remove(path)


def run_partitioned(concrete: Any, feeds: Sequence[Any]) -> tuple[list[Any], dict[str, list[str]]]:
    """Run a traced graph in a TF1 ``Session``: (results, op types that ran per device).

    The session's partition graphs (``RunOptions(output_partition_graphs=True)``) are the
    graphs after the runtime's optimisations (Grappler and the graph optimiser), one per
    device: what actually executed, as opposed to what was traced.
    """
    import tensorflow as tf

    from pytest_tf2conf.tf_runtime import short_device_name

    inputs = [t.name for t in concrete.inputs]
    outputs = [t.name for t in concrete.outputs]
    options = tf.compat.v1.RunOptions(output_partition_graphs=True)
    metadata = tf.compat.v1.RunMetadata()
    # Feeds and fetches by name: graph tensors are unhashable while TF2 behaviour is on.
    with tf.compat.v1.Session(graph=concrete.graph) as session:
        results = session.run(
            outputs,
            feed_dict=dict(zip(inputs, feeds, strict=True)),
            options=options,
            run_metadata=metadata,
        )
    ran: dict[str, list[str]] = {}
    for graph in metadata.partition_graphs:
        for node in graph.node:
            ran.setdefault(short_device_name(node.device), []).append(node.op)
    return results, ran


def partition_op_types(concrete: Any, feeds: Sequence[Any]) -> tuple[list[Any], list[str]]:
    """Like ``run_partitioned``, with the op types of all devices in one list."""
    results, ran = run_partitioned(concrete, feeds)
    return results, [op for ops in ran.values() for op in ops]
