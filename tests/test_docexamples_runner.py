"""Running one symbol's examples on a target: counts per mode, failures, fallbacks, guards."""

from __future__ import annotations

import pytest
import tensorflow as tf

from pytest_tf2conf.docexamples import harvest, rules
from pytest_tf2conf.docexamples.runner import run_symbol
from pytest_tf2conf.docexamples.tf_executor import ProcessStateChanged, TfExecutor
from pytest_tf2conf.targets import Device, Mode, Target


def _run(docstring: str, mode: str = "eager", device: str = "CPU:1", plan=None):
    symbol = harvest.Symbol("tf.demo", "tensorflow.python.ops.math_ops", "https://x.org", docstring)
    plan = plan or rules.plan(symbol.examples)
    return run_symbol(symbol, plan, TfExecutor(Target(Device(device), Mode(mode))))


ADD = """
>>> x = tf.constant([1, 2])
>>> tf.add(x, 1)
<tf.Tensor: shape=(2,), dtype=int32, numpy=array([2, 3], dtype=int32)>
>>> m = tf.eye(2)
>>> tf.linalg.slogdet(m)[1]
<tf.Tensor: shape=(), dtype=float32, numpy=0.0>
"""


@pytest.mark.parametrize(
    ("mode", "ran"),
    [
        ("eager", {"eager": 4}),
        ("function", {"eager": 2, "function": 2}),
        # XLA has no kernel for slogdet (LogMatrixDeterminant): it runs in tf.function
        ("xla", {"eager": 2, "xla": 1, "function": 1}),
    ],
)
def test_examples_run_and_are_counted_per_mode(mode: str, ran: dict[str, int]) -> None:
    outcome = _run(ADD, mode)
    assert not outcome.failures and not outcome.unsupported
    assert dict(outcome.ran) == ran
    if mode == "xla":
        assert outcome.xla_fallbacks == {"no XLA kernel for LogMatrixDeterminant": 1}


def test_a_differing_example_is_reported_with_its_line_and_diff() -> None:
    outcome = _run(ADD.replace("array([2, 3]", "array([2, 4]"))
    (failure,) = outcome.failures
    assert failure.startswith("[eager] line 3: >>> tf.add(x, 1)")
    assert "Expected:" in failure and "Got:" in failure


def test_a_missing_optional_dependency_makes_the_examples_not_applicable() -> None:
    outcome = _run(">>> import not_a_module_tf2conf\n>>> 1\n1\n")
    assert outcome.missing and "not_a_module_tf2conf" in outcome.missing
    assert not outcome.failures


def test_an_example_that_reconfigures_the_run_is_undone_and_fails() -> None:
    # a rule excludes this example (process-configuration); without the rule, the guard
    # restores the setting and fails the symbol
    with pytest.raises(ProcessStateChanged, match="functions run eagerly"):
        _run(">>> tf.config.run_functions_eagerly(True)\n", plan=rules.Plan())
    assert tf.config.functions_run_eagerly() is False
