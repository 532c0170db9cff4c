"""Planted faults: each wrong GradientTape behaviour must fail the tape claim covering it.

Faults are planted by monkeypatching what the tape suite calls (``tf.stop_gradient``,
``tf.abs``, ``tf.GradientTape``, ``tf.autodiff.ForwardAccumulator``, ``tf.custom_gradient``);
suite modules are imported afresh by each in-process run, so patches made before the run
reach module-level decorators too. Runs are small: CPU:0, eager mode unless the fault is
mode-specific, a -k selection. The stock run checks that the union of the selections passes
on unmodified TensorFlow.
"""

from __future__ import annotations

import pytest
import tensorflow as tf

from tests.helpers import suite

CPU0 = ("--tf2conf-devices", "CPU:0")
EAGER = ("--tf2conf-modes", "eager")
EAGER_AND_FUNCTION = ("--tf2conf-modes", "eager,function")

# (suite file, -k selection) used by the faults below; the stock run covers their union.
STOP_GRADIENT = ("tape/test_watching.py", "stop_gradient")
KINK = ("tape/test_worked_example.py", "worked_example_exact or abs_gradient")
PERSISTENT = ("tape/test_tape_lifetime.py", "persistent_tape_many")
SINGLE_USE = ("tape/test_tape_lifetime.py", "single_use")
GRAPH_SCALING = ("tape/test_finite_differences.py", "family_gradients or across_modes")
TANGENT = ("tape/test_higher_order.py", "forward_accumulator")
WATCH = ("tape/test_watching.py", "only_watched")
CUSTOM = ("tape/test_structure_custom.py", "custom_gradient")
KERNEL_SIZES = ("tape/test_finite_differences.py", "family_gradients")
SELECTIONS = (
    STOP_GRADIENT, KINK, PERSISTENT, SINGLE_USE, GRAPH_SCALING, TANGENT, WATCH, CUSTOM,
    KERNEL_SIZES,
)  # fmt: skip


def _run(run_conformance, selection: tuple[str, str], modes: tuple[str, str] = EAGER):
    path, expr = selection
    return run_conformance(suite(path), *CPU0, *modes, "-k", expr, profile="ci")


def test_stop_gradient_as_identity_is_caught(run_conformance, monkeypatch) -> None:
    monkeypatch.setattr(tf, "stop_gradient", lambda x, name=None: tf.identity(x))
    run = _run(run_conformance, STOP_GRADIENT)
    assert "tape.stop-gradient-blocks-gradient" in run.failed_claims


def test_abs_gradient_one_at_zero_is_caught(run_conformance, monkeypatch) -> None:
    real_abs = tf.abs

    @tf.custom_gradient
    def kinked_abs(x):
        def grad(upstream):
            # sign(x) with sign(0) = 1: the worked example overshoots the minimum at X=2
            return upstream * tf.where(x >= 0, tf.ones_like(x), -tf.ones_like(x))

        return real_abs(x), grad

    monkeypatch.setattr(tf, "abs", lambda x, name=None: kinked_abs(x))
    run = _run(run_conformance, KINK)
    assert "tape.worked-example-abs-descent" in run.failed_claims
    assert "tape.abs-gradient-is-sign-and-zero-at-zero" in run.failed_claims


def test_tanh_gradient_wrong_above_a_kernel_width_is_caught(run_conformance, monkeypatch) -> None:
    """A vectorized path that only large tensors take: tanh's gradient is 1% off above 1,000
    elements. The drawn vectors (6 elements at most) pass; the kernel-size item catches it."""
    real_tanh = tf.tanh

    @tf.custom_gradient
    def tanh_wide_path_off(x):
        y = real_tanh(x)

        def grad(upstream):
            scale = tf.where(tf.size(x) > 1000, 1.01, 1.0)
            return upstream * (1.0 - y * y) * tf.cast(scale, y.dtype)

        return y, grad

    monkeypatch.setattr(tf, "tanh", lambda x, name=None: tanh_wide_path_off(x))
    run = _run(run_conformance, KERNEL_SIZES)
    failing = {t.split("::")[-1].split("[")[0] for t in run.failing_tests}
    assert failing == {"test_family_gradients_at_kernel_sizes"}, run.failing_tests


def test_persistent_tape_that_forgets_is_caught(run_conformance, monkeypatch) -> None:
    real_tape = tf.GradientTape

    class ForgetfulTape(real_tape):
        """A persistent tape whose second and later answers are zeros."""

        def gradient(self, target, sources, *args, **kwargs):
            result = super().gradient(target, sources, *args, **kwargs)
            if getattr(self, "_planted_answered", False):
                return tf.nest.map_structure(lambda g: None if g is None else g * 0, result)
            self._planted_answered = True
            return result

    monkeypatch.setattr(tf, "GradientTape", ForgetfulTape)
    run = _run(run_conformance, PERSISTENT)
    assert "tape.persistent-tape-many-gradient-calls" in run.failed_claims


def test_reusable_non_persistent_tape_is_caught(run_conformance, monkeypatch) -> None:
    real_tape = tf.GradientTape

    class AlwaysPersistent(real_tape):
        def __init__(self, persistent=False, watch_accessed_variables=True):
            super().__init__(True, watch_accessed_variables)

    monkeypatch.setattr(tf, "GradientTape", AlwaysPersistent)
    run = _run(run_conformance, SINGLE_USE, EAGER_AND_FUNCTION)
    assert "tape.non-persistent-tape-single-gradient-call" in run.failed_claims


def test_gradients_scaled_under_tf_function_are_caught(run_conformance, monkeypatch) -> None:
    real_gradient = tf.GradientTape.gradient

    def scaled(self, *args, **kwargs):
        result = real_gradient(self, *args, **kwargs)
        if tf.executing_eagerly():
            return result
        # only while tracing a graph: 10% too large
        return tf.nest.map_structure(lambda g: None if g is None else g * 1.1, result)

    monkeypatch.setattr(tf.GradientTape, "gradient", scaled)
    run = _run(run_conformance, GRAPH_SCALING, EAGER_AND_FUNCTION)
    for claim in ("tape.gradient-matches-finite-differences", "tape.gradients-agree-across-modes"):
        assert run.outcomes[(claim, "CPU:0-function")] == "failed"
        assert run.outcomes[(claim, "CPU:0-eager")] == "passed"


def test_forward_accumulator_with_wrong_tangent_is_caught(run_conformance, monkeypatch) -> None:
    real_accumulator = tf.autodiff.ForwardAccumulator

    class Doubled(real_accumulator):
        def __init__(self, primals, tangents):
            super().__init__(primals, tf.nest.map_structure(lambda t: t * 2, tangents))

    monkeypatch.setattr(tf.autodiff, "ForwardAccumulator", Doubled)
    run = _run(run_conformance, TANGENT)
    assert "tape.forward-accumulator-jvp-matches-tape-vjp" in run.failed_claims
    assert "tape.forward-accumulator-jvp-matches-finite-differences" in run.failed_claims


def test_ignored_watch_is_caught(run_conformance, monkeypatch) -> None:
    monkeypatch.setattr(tf.GradientTape, "watch", lambda self, tensor: None)
    run = _run(run_conformance, WATCH)
    assert "tape.watch-makes-a-tensor-a-source" in run.failed_claims


def test_ignored_custom_gradient_is_caught(run_conformance, monkeypatch) -> None:
    def plain(f):
        # drop the custom gradient: differentiate the body instead
        return lambda *args: f(*args)[0]

    monkeypatch.setattr(tf, "custom_gradient", plain)
    run = _run(run_conformance, CUSTOM)
    assert "tape.custom-gradient-overrides-gradient" in run.failed_claims
    assert "tape.custom-gradient-log1pexp-stable" in run.failed_claims


@pytest.mark.parametrize("path", sorted({path for path, _ in SELECTIONS}))
def test_stock_tensorflow_passes_the_fault_selections(run_conformance, path: str) -> None:
    expr = " or ".join(f"({e})" for p, e in SELECTIONS if p == path)
    run = run_conformance(suite(path), *CPU0, *EAGER_AND_FUNCTION, "-k", expr, profile="ci")
    run.assert_all_passed()
    assert run.outcomes, f"selection {expr!r} of {path} ran no claim"
