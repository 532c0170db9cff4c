"""The state of one conformance run, set up when ``--tf2conf`` is given.

Everything heavy (TensorFlow, hypothesis profiles) is imported from here, never from
``plugin.py`` at import time, so that the plugin costs nothing when it is off.
"""

from __future__ import annotations

import os
import platform
import random
import socket
import sys
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from . import options, profiles, tf_runtime
from .claims import Catalogue
from .report.collect import Collector
from .targets import Target, build_targets, select_devices

SUITES_DIR = Path(__file__).parent / "suites"


@dataclass
class RunState:
    settings: options.Settings
    runtime: tf_runtime.TFRuntime
    devices: list[str]
    targets: list[Target]
    is_worker: bool
    hypothesis_seed: Any
    catalogue: Catalogue = field(default_factory=Catalogue)
    collector: Collector | None = None
    argv: list[str] = field(default_factory=list)
    _keras_targets: list[Any] | None = None

    def keras_targets(self) -> list[Any]:
        """Targets of the Keras suites; built on first use, so TF-only runs skip Keras."""
        if self._keras_targets is None:
            from . import keras_targets

            self._keras_targets = keras_targets.build(
                self.settings.device_spec, self.settings.keras_modes
            )
        return self._keras_targets

    def environment(self) -> dict[str, Any]:
        env: dict[str, Any] = tf_runtime.environment(self.runtime)
        env.update(
            keras=_dist_version("keras"),
            keras_backend=os.environ.get("KERAS_BACKEND", "tensorflow"),
            numpy=_dist_version("numpy"),
            hypothesis=_dist_version("hypothesis"),
            pytest=pytest.__version__,
            tf2conf=_dist_version("tf2conf"),
            python=platform.python_version(),
            os=platform.platform(),
            host=socket.gethostname(),
            modes=list(self.settings.modes),
            keras_modes=list(self.settings.keras_modes),
            profile=self.settings.profile,
            seed=self.hypothesis_seed,
            argv=self.argv,
        )
        return env


def _dist_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _fix_seed(config: pytest.Config, derandomize: bool) -> Any:
    """One seed for the whole run, recorded in the report, so any run can be replayed."""
    if derandomize:
        return "derandomized"
    seed = config.getoption("hypothesis_seed", None)
    if seed is None:
        from hypothesis import core

        seed = random.getrandbits(32)
        # What `--hypothesis-seed` sets; replay a run with `--hypothesis-seed <seed>`.
        core.global_force_seed = seed
    return seed


def _sandbox_keras_home() -> None:
    # Keras writes keras.json (and caches) under KERAS_HOME; a conformance run must not
    # touch the user's ~/.keras. The backend is chosen with KERAS_BACKEND.
    if "KERAS_HOME" not in os.environ:
        os.environ["KERAS_HOME"] = tempfile.mkdtemp(prefix="tf2conf-keras-home-")


def start(config: pytest.Config) -> RunState:
    """Validate options, initialise TensorFlow and resolve the targets (usage errors exit 4)."""
    settings = options.read_settings(config)
    hyp_settings = profiles.register_and_load(settings.profile)
    seed = _fix_seed(config, hyp_settings.derandomize)
    _sandbox_keras_home()

    runtime = tf_runtime.import_tensorflow()
    try:
        tf_runtime.initialise(runtime, settings.virtual_cpus)
    except tf_runtime.RuntimeSetupError as exc:
        raise pytest.UsageError(str(exc)) from None
    try:
        devices = select_devices(settings.device_spec, runtime.devices)
    except ValueError as exc:
        if runtime.available:
            raise pytest.UsageError(str(exc)) from None
        devices = []  # no TensorFlow: the Keras suites choose their own devices
    state = RunState(
        settings=settings,
        runtime=runtime,
        devices=devices,
        targets=build_targets(devices, settings.modes),
        is_worker=hasattr(config, "workerinput"),
        hypothesis_seed=seed,
        argv=list(config.invocation_params.args),
    )
    if not state.is_worker:
        state.collector = Collector(settings.report_dir, state.environment)
        config.pluginmanager.register(state.collector, "tf2conf-collector")
    return state


def header_lines(state: RunState) -> list[str]:
    runtime = state.runtime
    tf_line = f"TensorFlow {runtime.version}" if runtime.available else runtime.import_error
    return [
        f"tf2conf: {tf_line}, Keras {_dist_version('keras')} "
        f"(backend {os.environ.get('KERAS_BACKEND', 'tensorflow')}), Python "
        f"{sys.version.split()[0]}",
        f"tf2conf: devices {', '.join(state.devices) or 'none'}; "
        f"modes {', '.join(state.settings.modes)}; "
        f"profile {state.settings.profile}; seed {state.hypothesis_seed}",
        f"tf2conf: reports -> {state.settings.report_dir}",
    ]
