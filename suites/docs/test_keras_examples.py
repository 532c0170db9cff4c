"""The documented examples (``>>>``) of ``keras.ops`` and ``keras.layers``, one claim per
symbol, on every Keras target (backend x device x Keras mode). Imports ``keras`` only.

Claim ids: "docs.keras." + the symbol's public name (docs.keras.ops.add,
docs.keras.layers.Dense), made by ``params.symbol_params`` from the harvest of the
installed Keras (``docexamples/harvest.py``, cached per version).

Every example runs in the target's device scope; in the ``function`` and ``xla`` Keras
modes the graph examples (one expression computing a documented array) run through a
compiled Keras step (``keras_executor.py``), the others eagerly. Outputs are compared by
their values (``checker.ValueChecker``): Keras documents one output for every backend, and
its reprs differ between backends.
"""

from __future__ import annotations

import time

import keras
import pytest

from pytest_tf2conf import claim
from pytest_tf2conf.docexamples import harvest, params, rules

KERAS_3 = int(keras.__version__.split(".")[0]) >= 3
if KERAS_3:
    from pytest_tf2conf.docexamples.keras_executor import KerasExecutor
    from pytest_tf2conf.docexamples.runner import run_symbol

    SYMBOLS = params.symbol_params(harvest.keras_symbols(), tensor_repr=rules.KERAS_TENSOR)
else:  # Keras 2 (tf.keras of TF <= 2.15, tf_keras): the claim is not applicable
    SYMBOLS = [
        pytest.param(
            None,
            None,
            id="keras-2",
            marks=[
                claim(
                    "docs.keras-examples",
                    "The documented examples of keras.ops and keras.layers give their "
                    "documented outputs.",
                    harvest.KERAS_API,
                    applies="keras>=3",  # Keras 2 has no keras.ops: not applicable there
                ),
            ],
        )
    ]


@pytest.mark.parametrize(("symbol", "plan"), SYMBOLS)
def test_documented_examples(keras_target, symbol, plan) -> None:
    started = time.perf_counter()
    outcome = run_symbol(symbol, plan, KerasExecutor(keras_target))
    seconds = time.perf_counter() - started
    params.verdict(symbol, outcome, seconds, lambda detail: AssertionError(detail))
