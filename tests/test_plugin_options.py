"""Options, their errors, the zero-cost guarantee and the report header."""

from __future__ import annotations

import pytest

SIMPLE_SUITE = """
import numpy as np
from pytest_tf2conf import claim

@claim("demo.identity", "Identity returns its input.", "https://www.tensorflow.org/api_docs/python/tf/identity")
def test_identity(target):
    import tensorflow as tf
    x = np.arange(3, dtype=np.float32)
    np.testing.assert_array_equal(target.run(tf.identity, x).numpy(), x)
"""


@pytest.mark.parametrize(
    ("option", "value", "fragment"),
    [
        ("--tf2conf-modes", "eager,jit", "--tf2conf-modes: unknown value jit; valid values: eager"),
        ("--tf2conf-profile", "fast", "--tf2conf-profile: unknown value fast"),
        ("--tf2conf-devices", "TPU:0", "--tf2conf-devices: unknown device 'TPU:0'"),
        ("--tf2conf-devices", "CPU:7", "TensorFlow lists CPU:0, CPU:1"),
        ("--tf2conf-virtual-cpus", "many", "--tf2conf-virtual-cpus: expected a whole number"),
        ("--tf2conf-virtual-cpus", "3", "TensorFlow was already initialised"),
    ],
)
def test_bad_option_is_a_one_line_usage_error(pytester, option, value, fragment):
    pytester.makepyfile(test_demo=SIMPLE_SUITE)
    result = pytester.runpytest_inprocess("--tf2conf", option, value, "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.startswith("ERROR:")]
    assert len(errors) == 1 and fragment in errors[0], result.errlines
    assert "Traceback" not in "\n".join(result.errlines + result.outlines)


def test_unknown_option_is_rejected(pytester):
    result = pytester.runpytest_inprocess("--tf2conf-colour", "red")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "unrecognized arguments: --tf2conf-colour" in "\n".join(result.errlines)


def test_ini_keys_configure_the_run(pytester):
    pytester.makeini(
        "[pytest]\ntf2conf = true\ntf2conf_devices = CPU:1\ntf2conf_modes = function\n"
        "tf2conf_profile = quick\n"
    )
    pytester.makepyfile(test_demo=SIMPLE_SUITE)
    result = pytester.runpytest_inprocess("test_demo.py", "-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*test_identity?CPU:1-function? PASSED*"])


def test_header_names_versions_devices_modes_profile_and_seed(pytester):
    pytester.makepyfile(test_demo=SIMPLE_SUITE)
    result = pytester.runpytest_inprocess(
        "--tf2conf", "--tf2conf-profile", "quick", "--hypothesis-seed", "1234", "test_demo.py"
    )
    result.stdout.fnmatch_lines(
        [
            "tf2conf: TensorFlow 2.*, Keras 3.* (backend *), Python 3.*",
            "tf2conf: devices CPU:0, CPU:1; modes eager, function, xla; profile quick; seed 1234",
        ]
    )


ZERO_COST_CHECK = """
import sys

def test_nothing_heavy_was_imported(pytestconfig):
    assert pytestconfig.pluginmanager.has_plugin("tf2conf"), "plugin entry point not loaded"
    heavy = [m for m in ("tensorflow", "keras", "jax", "torch", "numpy") if m in sys.modules]
    assert heavy == []
"""


def test_plugin_costs_nothing_without_the_flag(pytester):
    pytester.makepyfile(test_lazy=ZERO_COST_CHECK)
    # A fresh interpreter: this process has TensorFlow loaded already.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_bundled_suites_are_not_collected_without_the_flag(pytester):
    from tests.helpers import SUITES_DIR

    result = pytester.runpytest_inprocess(str(SUITES_DIR), "--collect-only", "-q")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
