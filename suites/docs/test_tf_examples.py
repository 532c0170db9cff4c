"""The documented examples (``>>>``) of TensorFlow's public API, one claim per symbol.

Claim ids: "docs.tf." + the symbol's public name (docs.tf.math.reduce_sum,
docs.tf.TensorShape.merge_with), made by ``params.symbol_params`` from the harvest of the
installed TensorFlow (``docexamples/harvest.py``: ``tf`` and its public submodules outside
``tf.compat`` and ``tf.keras``, cached per version).

- ``test_documented_examples``: every example, eagerly, on each device (eager targets).
- ``test_documented_examples_as_graphs``: the same examples on the ``function`` and
  ``xla`` targets, with the graph examples (``rules.GRAPH_RULE``: one expression computing
  a documented tensor) traced into ``tf.function`` / XLA; symbols without such an example
  have no claim result in those modes.

Exclusions are rules (``rules.EXCLUSIONS``): a symbol whose every example is excluded is a
skip naming its rules; the examples excluded inside a checked symbol are counted in the
result's notes, next to the examples run per mode.
"""

from __future__ import annotations

import time

import pytest

from pytest_tf2conf import Target, only_modes
from pytest_tf2conf.docexamples import harvest, params
from pytest_tf2conf.docexamples.runner import run_symbol
from pytest_tf2conf.docexamples.tf_executor import TfExecutor
from pytest_tf2conf.targets import Unsupported

SYMBOLS = harvest.tensorflow_symbols()
ALL = params.symbol_params(SYMBOLS)
WITH_GRAPH_EXAMPLES = params.symbol_params(SYMBOLS, keep=lambda symbol, plan: bool(plan.graph))


def _check(target: Target, symbol: harvest.Symbol, plan) -> None:
    started = time.perf_counter()
    outcome = run_symbol(symbol, plan, TfExecutor(target))
    seconds = time.perf_counter() - started
    params.verdict(symbol, outcome, seconds, lambda detail: Unsupported(target, detail))


@only_modes("eager")
@pytest.mark.parametrize(("symbol", "plan"), ALL)
def test_documented_examples(target: Target, symbol, plan) -> None:
    _check(target, symbol, plan)


@only_modes("function", "xla")
@pytest.mark.parametrize(("symbol", "plan"), WITH_GRAPH_EXAMPLES)
def test_documented_examples_as_graphs(target: Target, symbol, plan) -> None:
    _check(target, symbol, plan)
