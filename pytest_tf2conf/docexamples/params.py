"""Claims and pytest parameters of the documented-examples suites, and their verdict.

One claim per documented symbol: ``docs.<public name>`` ("docs.tf.math.reduce_sum",
"docs.keras.ops.add"), stating that the symbol's documented examples give their documented
outputs, linked to the symbol's API page. A symbol whose every example is excluded by a
rule is a skip whose reason names the rules; otherwise ``verdict`` turns a run's outcome
into the test's result: its counts go to the report row's notes, differing examples fail
the claim, an example without a kernel on the target makes it unsupported.

Nothing here imports TensorFlow or Keras.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from .. import recording
from ..claims import claim
from . import rules
from .harvest import Symbol
from .runner import Outcome

AREA = "docs"
_REASONS = {rule.name: rule.reason for rule in rules.EXCLUSIONS}


def claim_id(symbol: Symbol) -> str:
    return f"{AREA}.{symbol.name}"


def statement(symbol: Symbol) -> str:
    return f"The documented examples of {symbol.name} give their documented outputs."


def exclusion_reason(counts: dict[str, int]) -> str:
    """The reason of a skip: "excluded: network (starts servers ...)", every rule listed."""
    parts = [
        f"{name} ({_REASONS.get(name, '')})" + (f" x{n}" if len(counts) > 1 else "")
        for name, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    return "excluded: " + "; ".join(parts)


def symbol_params(
    symbols: Sequence[Symbol],
    tensor_repr: re.Pattern[str] = rules.TF_TENSOR,
    keep: Callable[[Symbol, rules.Plan], bool] = lambda symbol, plan: True,
) -> list[Any]:
    """``pytest.param(symbol, plan, id=name, marks=[claim, skip?])`` per symbol ``keep``s."""
    params = []
    for symbol in symbols:
        examples = symbol.examples
        symbol_plan = rules.plan(examples, tensor_repr=tensor_repr)
        if not keep(symbol, symbol_plan):
            continue
        marks = [claim(claim_id(symbol), statement(symbol), symbol.url)]
        if symbol_plan.all_excluded(len(examples)):
            reason = exclusion_reason(symbol_plan.excluded_counts())
            marks.append(pytest.mark.skip(reason=reason))
        params.append(pytest.param(symbol, symbol_plan, id=symbol.name, marks=marks))
    return params


def verdict(
    symbol: Symbol,
    outcome: Outcome,
    seconds: float,
    unsupported: Callable[[str], BaseException],
) -> None:
    """Record the outcome's counts, then fail, report unsupported, or pass."""
    record = recording.current()
    record.notes.update(outcome.notes())
    record.examples = sum(outcome.ran.values())
    record.example_seconds = seconds
    if outcome.failures:
        pytest.fail(outcome.failure_message(symbol), pytrace=False)
    if outcome.missing:
        pytest.skip(f"not applicable: {outcome.missing}")
    if outcome.unsupported:
        raise unsupported(outcome.unsupported[0])
