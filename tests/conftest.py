"""Shared fixtures of the project's own tests.

Most tests run the conformance suites *in process* with pytester (fast: TensorFlow is
imported once). TensorFlow is imported and the host CPU split into two logical devices
here, before any in-process run, because pytester restores ``sys.modules`` after each run
and TensorFlow cannot be imported twice or re-split once initialised.
"""

from __future__ import annotations

import importlib
import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_HOME", tempfile.mkdtemp(prefix="tf2conf-tests-keras-"))
# The docs suites cache their harvest of the API; the tests keep it out of ~/.cache.
os.environ.setdefault("TF2CONF_CACHE_DIR", tempfile.mkdtemp(prefix="tf2conf-tests-cache-"))

import pytest

from tests.helpers import VIRTUAL_CPUS, ConformanceRun, run_conformance_inprocess

pytest_plugins = ["pytester"]


def pytest_configure(config: pytest.Config) -> None:
    try:
        import tensorflow as tf
    except ModuleNotFoundError:
        # A venv without TensorFlow (Keras on JAX or PyTorch): `pytest --tf2conf` in the
        # checkout still loads this file (testpaths), and must run the bundled suites there;
        # nothing to split or preload (the in-process runs below need TensorFlow).
        return

    cpus = tf.config.list_physical_devices("CPU")
    if not tf.config.get_logical_device_configuration(cpus[0]):
        tf.config.set_logical_device_configuration(
            cpus[0], [tf.config.LogicalDeviceConfiguration() for _ in range(VIRTUAL_CPUS)]
        )
    # Everything an in-process run imports must be imported here first: pytester drops the
    # modules a run imported when it ends, and a second copy of hypothesis or of our own
    # modules (a profile loaded into the old one, an `Unsupported` class that no longer
    # matches) would make later runs silently differ from the first.
    for module in _PRELOADED:
        importlib.import_module(module)


_PRELOADED = (
    "keras",
    "hypothesis.extra.numpy",
    "pytest_tf2conf.session",
    "pytest_tf2conf.runtime_hooks",
    "pytest_tf2conf.targets",
    "pytest_tf2conf.keras_targets",
    "pytest_tf2conf.tolerance",
    "pytest_tf2conf.strategies",
    "pytest_tf2conf.oracles",
    "pytest_tf2conf.report.collect",
    "pytest_tf2conf.docexamples.params",
    "pytest_tf2conf.docexamples.tf_executor",
    "pytest_tf2conf.docexamples.keras_executor",
)


@pytest.fixture
def run_conformance(pytester: pytest.Pytester):
    """Run ``pytest --tf2conf ARGS`` in process; returns a ConformanceRun (result + report)."""

    def run(*args: str, profile: str = "ci", shrink: bool = False) -> ConformanceRun:
        return run_conformance_inprocess(pytester, *args, profile=profile, shrink=shrink)

    return run
