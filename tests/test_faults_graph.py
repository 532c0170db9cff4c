"""Planted faults in graph execution and tracing: the graph suite must catch each of them.

Each fault replaces what the suite calls (``tf.function``, ``tf.print``,
``tf.compat.v1.Session``) by a subtly broken version, runs a small selection of the suite in
process and asserts that the claim the fault breaks fails. Stock runs of the same
selections pass.
"""

from __future__ import annotations

import functools

import pytest
import tensorflow as tf

from tests.helpers import suite

CPU0 = ("--tf2conf-devices", "CPU:0")
FUNCTION_ONLY = ("--tf2conf-modes", "function")
REAL_FUNCTION = tf.function


def _function_factory(make):
    """A stand-in for ``tf.function`` usable bare or with keyword arguments."""

    def fake(func=None, **kwargs):
        if func is None:
            return lambda f: make(f, **kwargs)
        return make(func, **kwargs)

    return fake


def _drifting(func, **kwargs):
    """A real tf.function whose floating results are off by 1e-3."""

    @functools.wraps(func)
    def drifted(*args, **kw):
        out = func(*args, **kw)
        return tf.nest.map_structure(
            lambda t: t + tf.cast(1e-3, t.dtype) if t.dtype.is_floating else t, out
        )

    return REAL_FUNCTION(drifted, **kwargs)


class _Eager:
    """No graph at all: the Python body (and its side effects) runs on every call."""

    def __init__(self, func, **_kwargs):
        self._func = func

    def __call__(self, *args, **kwargs):
        return self._func(*args, **kwargs)

    def experimental_get_tracing_count(self) -> int:
        return 1  # claims to have traced once: only the side-effect counter can tell

    def get_concrete_function(self, *args, **kwargs):
        return REAL_FUNCTION(self._func).get_concrete_function(*args, **kwargs)


class _RetraceEveryCall:
    """A fresh tf.function per call: correct results, one trace per call."""

    def __init__(self, func, **kwargs):
        self._func, self._kwargs, self._traces = func, kwargs, 0

    def _fresh(self):
        return REAL_FUNCTION(self._func, **self._kwargs)

    def __call__(self, *args, **kwargs):
        fresh = self._fresh()
        try:
            return fresh(*args, **kwargs)
        finally:
            self._traces += fresh.experimental_get_tracing_count()

    def experimental_get_tracing_count(self) -> int:
        return self._traces

    def get_concrete_function(self, *args, **kwargs):
        fresh = self._fresh()
        concrete = fresh.get_concrete_function(*args, **kwargs)
        self._traces += fresh.experimental_get_tracing_count()
        return concrete


def _without_autograph(func, **kwargs):
    return REAL_FUNCTION(func, **{**kwargs, "autograph": False})


def _without_reduce_retracing(func, **kwargs):
    kwargs.pop("reduce_retracing", None)
    return REAL_FUNCTION(func, **kwargs)


class _SessionWithoutCSE(tf.compat.v1.Session):
    """A Session whose graph optimisers do not eliminate common subexpressions.

    Both passes that can merge ``a*b`` are off: Grappler's arithmetic optimizer (and its
    common-subgraph elimination) and the classic graph optimiser's CSE (opt level L0).
    ``tf.config.optimizer.set_experimental_options`` cannot do this: it has no key for the
    classic pass, and it ignores "common_subgraph_elimination".
    """

    def __init__(self, target="", graph=None, config=None):
        from tensorflow.core.protobuf import config_pb2, rewriter_config_pb2

        config = config_pb2.ConfigProto() if config is None else config
        off = rewriter_config_pb2.RewriterConfig.OFF
        config.graph_options.rewrite_options.arithmetic_optimization = off
        config.graph_options.rewrite_options.common_subgraph_elimination = off
        config.graph_options.optimizer_options.opt_level = config_pb2.OptimizerOptions.L0
        config.graph_options.optimizer_options.do_common_subexpression_elimination = False
        super().__init__(target, graph, config)


# (fault id, patch(monkeypatch), suite file, extra args, claim that must fail)
FAULTS = [
    (
        "graph-results-drift",
        lambda mp: mp.setattr(tf, "function", _function_factory(_drifting)),
        "graph/test_equivalence.py",
        ("-k", "equals_eager and add", *FUNCTION_ONLY),
        "graph.binary-ops-graph-equals-eager",
    ),
    (
        "side-effects-every-call",
        lambda mp: mp.setattr(tf, "function", _function_factory(_Eager)),
        "graph/test_tracing.py",
        ("-k", "side_effects", *FUNCTION_ONLY),
        "graph.python-side-effects-run-only-while-tracing",
    ),
    (
        "retrace-every-call",
        lambda mp: mp.setattr(tf, "function", _function_factory(_RetraceEveryCall)),
        "graph/test_tracing.py",
        ("-k", "same_signature or none_dims", *FUNCTION_ONLY),
        "graph.same-signature-does-not-retrace",
    ),
    (
        "autograph-disabled",
        lambda mp: mp.setattr(tf, "function", _function_factory(_without_autograph)),
        "graph/test_autograph.py",
        ("-k", "tensor_if", *FUNCTION_ONLY),
        "graph.autograph-tensor-if-becomes-cond",
    ),
    (
        "reduce-retracing-ignored",
        lambda mp: mp.setattr(tf, "function", _function_factory(_without_reduce_retracing)),
        "graph/test_tracing.py",
        ("-k", "reduce_retracing", *FUNCTION_ONLY),
        "graph.reduce-retracing-bounds-traces",
    ),
    (
        "tf-print-silent",
        lambda mp: mp.setattr(tf, "print", lambda *args, **kwargs: tf.no_op()),
        "graph/test_tracing.py",
        ("-k", "tf_print", *FUNCTION_ONLY),
        "graph.tf-print-runs-on-every-call",
    ),
    (
        "cse-disabled",
        lambda mp: mp.setattr(tf.compat.v1, "Session", _SessionWithoutCSE),
        "graph/test_optimization.py",
        ("-k", "common_product", *FUNCTION_ONLY),
        "graph.optimizer-eliminates-common-subexpression",
    ),
]


@pytest.mark.parametrize(
    ("patch", "path", "args", "claim_id"),
    [pytest.param(*fault[1:], id=fault[0]) for fault in FAULTS],
)
def test_planted_fault_is_caught(run_conformance, monkeypatch, patch, path, args, claim_id):
    patch(monkeypatch)
    run = run_conformance(suite(path), *CPU0, *args)
    assert claim_id in run.failed_claims, (
        f"fault not caught; outcomes: {run.outcomes}\n" + "\n".join(run.result.outlines[-20:])
    )


# The stock runs cover every selection above, one run per suite file.
STOCK = {
    "graph/test_equivalence.py": "equals_eager and add",
    "graph/test_tracing.py": "side_effects or same_signature or none_dims or reduce_retracing "
    "or tf_print",
    "graph/test_autograph.py": "tensor_if",
    "graph/test_optimization.py": "common_product",
}


@pytest.mark.parametrize(("path", "selection"), sorted(STOCK.items()), ids=sorted(STOCK))
def test_stock_selection_passes(run_conformance, path, selection):
    run = run_conformance(suite(path), *CPU0, *FUNCTION_ONLY, "-k", selection)
    assert run.outcomes, "nothing ran"
    run.assert_all_passed()
