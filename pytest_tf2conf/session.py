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

from . import keras_flavour, layout, options, profiles, shards, tf_runtime
from .claims import Catalogue
from .report import journal, recover
from .report.collect import Collector
from .targets import Target, build_targets, select_devices

SUITES_DIR = layout.SUITES_DIR
# Documented behaviour that stock TensorFlow/Keras does not follow (strict xfails).
KNOWN_DEVIATIONS = Path(__file__).parent / "known_deviations.toml"


@dataclass(frozen=True)
class RequestedSetup:
    """What the run asked TensorFlow for; the runtime suite compares it with what TF lists."""

    virtual_cpus: int  # --tf2conf-virtual-cpus (0: no split asked)
    device_spec: tuple[str, ...]  # --tf2conf-devices as given (empty: every device)
    devices: tuple[str, ...]  # the devices the run selected when TensorFlow started


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
    rootdir: str | None = None
    # Entries of --tf2conf-expectations, then the bundled known deviations (loaded at start)
    expectations: list[Any] = field(default_factory=list)
    known_deviations: list[Any] = field(default_factory=list)
    # {"file", "entries", "unmatched": [...], "applied": n} when --tf2conf-expectations is given
    expectations_info: dict[str, Any] | None = None
    # test ids and node ids finished in the run this one resumes (deselected)
    resume_done: frozenset[str] = frozenset()
    _keras_targets: list[Any] | None = None
    keras_unavailable: str | None = None  # why the Keras suites do not apply, if they don't
    shard_durations: dict[str, float] | None = None  # test id -> seconds (--tf2conf-durations)
    ceiling: Any = None  # recycle.Ceiling under --tf2conf-max-rss
    # Keras 3, or Keras 2 (tf_keras / tf.keras): the Keras suites' `keras` (keras_flavour)
    flavour: keras_flavour.Flavour = field(
        default_factory=lambda: keras_flavour.Flavour("none", None)
    )

    def keras_targets(self) -> list[Any]:
        """Targets of the Keras suites; built on first use, so TF-only runs skip Keras."""
        if self._keras_targets is None:
            from . import keras_targets

            try:
                self._keras_targets = keras_targets.build(
                    self.settings.device_spec, self.settings.keras_modes
                )
            except keras_targets.KerasUnavailable as exc:
                self.keras_unavailable = str(exc)
                self._keras_targets = []
        return self._keras_targets

    def requested(self) -> RequestedSetup:
        return RequestedSetup(
            virtual_cpus=self.settings.virtual_cpus,
            device_spec=self.settings.device_spec,
            devices=tuple(self.devices),
        )

    def environment(self) -> dict[str, Any]:
        env: dict[str, Any] = tf_runtime.environment(self.runtime)
        env.update(
            keras=self.flavour.version,
            keras_flavour=self.flavour.name,
            keras_backend=os.environ.get("KERAS_BACKEND", "tensorflow"),
            # Switches that change behaviour without changing versions (an environment
            # matrix entry): the Keras flavour, and oneDNN on or off.
            env_vars={k: os.environ[k] for k in ENV_VARS if k in os.environ} or None,
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
            rootdir=self.rootdir,
            virtual_cpus=self.settings.virtual_cpus or None,
            shard=f"{self.settings.shard[0]}/{self.settings.shard[1]}"
            if self.settings.shard
            else None,
            shard_durations=str(self.settings.durations) if self.settings.durations else None,
            max_rss_mb=self.settings.max_rss_mb,
            stopped_at_max_rss=getattr(self.ceiling, "stopped_at", None),
        )
        return env


ENV_VARS = ("TF_USE_LEGACY_KERAS", "TF_ENABLE_ONEDNN_OPTS")


def _dist_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _fix_seed(config: pytest.Config, derandomize: bool) -> Any:
    """One seed for the whole run, recorded in the report, so any run can be replayed.

    Under pytest-xdist the controller draws it and hands it to every worker
    (``pytest_configure_node``), so the report's seed is the one every test ran with.
    """
    if derandomize:
        return "derandomized"
    worker_input = getattr(config, "workerinput", None) or {}
    seed = worker_input.get(WORKER_SEED_KEY, config.getoption("hypothesis_seed", None))
    if seed is None:
        seed = random.getrandbits(32)
    from hypothesis import core

    # What `--hypothesis-seed` sets; replay a run with `--hypothesis-seed <seed>`.
    core.global_force_seed = seed
    return seed


WORKER_SEED_KEY = "tf2conf_hypothesis_seed"
WORKER_RESUME_KEY = "tf2conf_resume_done"


def _load_resume(folder: Path) -> recover.Resume:
    try:
        return recover.resume_from(journal.read(journal.path_in(folder)))
    except journal.JournalError as exc:
        raise pytest.UsageError(f"--tf2conf-resume: {exc}") from None


def _sandbox_keras_home() -> None:
    # Keras writes keras.json (and caches) under KERAS_HOME; a conformance run must not
    # touch the user's ~/.keras. The backend is chosen with KERAS_BACKEND.
    if "KERAS_HOME" not in os.environ:
        os.environ["KERAS_HOME"] = tempfile.mkdtemp(prefix="tf2conf-keras-home-")


def start(config: pytest.Config) -> RunState:
    """Validate options, initialise TensorFlow and resolve the targets (usage errors exit 4)."""
    settings = options.read_settings(config)
    durations = _load_durations(settings.durations)  # before TensorFlow: a bad file fails fast
    is_worker = hasattr(config, "workerinput")
    # Before TensorFlow starts: a bad journal is a usage error that should not wait for it.
    resume = _load_resume(settings.resume) if settings.resume and not is_worker else None
    hyp_settings = profiles.register_and_load(settings.profile)
    seed = _fix_seed(config, hyp_settings.derandomize)
    entries, known = _load_expectations(settings)  # a bad file stops the run before TF starts
    _sandbox_keras_home()
    flavour = keras_flavour.activate()  # before TensorFlow: `keras` may be bound to tf_keras

    runtime = tf_runtime.import_tensorflow()
    try:
        tf_runtime.initialise(runtime, settings.virtual_cpus, _threads_per_worker(config))
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
        targets=build_targets(
            devices, settings.modes, light_replicas=settings.replica_checks == "light"
        ),
        is_worker=is_worker,
        hypothesis_seed=seed,
        argv=list(config.invocation_params.args),
        rootdir=str(config.rootpath),
        shard_durations=durations,
        expectations=entries,
        known_deviations=known,
        flavour=flavour,
    )
    if resume is not None:
        state.resume_done = resume.done
    elif is_worker:  # the controller's list (pytest_configure_node): workers collect alike
        state.resume_done = frozenset(config.workerinput.get(WORKER_RESUME_KEY, ()))
    if not state.is_worker:
        state.collector = Collector(settings.report_dir, state.environment, lambda: state, resume)
        config.pluginmanager.register(state.collector, "tf2conf-collector")
    if not runtime.available:
        config.pluginmanager.register(WithoutTensorFlow(runtime.import_error or ""))
    return state


def _load_expectations(settings: options.Settings) -> tuple[list[Any], list[Any]]:
    """The user's expectations file and the bundled known deviations, as the run applies them.

    Loaded when the run starts, not at collection: a broken file is a usage error before
    TensorFlow starts and before the report collector exists (no empty report is written).
    """
    from . import expectations

    try:
        entries = expectations.load(settings.expectations) if settings.expectations else []
    except expectations.ExpectationError as exc:
        raise pytest.UsageError(f"--tf2conf-expectations: {exc}") from None
    known = expectations.load(KNOWN_DEVIATIONS) if settings.known_deviations else []
    return entries, known


def _threads_per_worker(config: pytest.Config) -> int | None:
    """TensorFlow threads for one xdist worker: the cores shared out, so that N workers do
    not each start a thread pool as wide as the machine (None: not a worker, TF decides)."""
    worker_input = getattr(config, "workerinput", None)
    if worker_input is None:
        return None
    workers = int(worker_input.get("workercount") or os.environ.get("PYTEST_XDIST_WORKER_COUNT", 1))
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def _load_durations(path: Path | None) -> dict[str, float] | None:
    if path is None:
        return None
    try:
        return shards.load_durations(path)
    except shards.DurationsError as exc:
        raise pytest.UsageError(f"--tf2conf-durations: {exc}") from None


class WithoutTensorFlow:
    """Without TensorFlow (a Keras-on-JAX/PyTorch environment), a bundled suite module that
    imports it does not apply: its collection error becomes a skip saying so, and the
    Keras suites still run."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector):
        report = yield
        if (
            report.failed
            and isinstance(collector, pytest.Module)
            and Path(collector.path).is_relative_to(SUITES_DIR)
            and "No module named 'tensorflow'" in str(report.longrepr)
        ):
            report.outcome = "skipped"
            report.longrepr = (str(collector.path), 0, f"not applicable: {self.reason}")
        return report


def header_lines(state: RunState) -> list[str]:
    runtime = state.runtime
    tf_line = f"TensorFlow {runtime.version}" if runtime.available else runtime.import_error
    return [
        f"tf2conf: {tf_line}, {state.flavour.describe()} "
        f"(backend {os.environ.get('KERAS_BACKEND', 'tensorflow')}), Python "
        f"{sys.version.split()[0]}",
        f"tf2conf: devices {', '.join(state.devices) or 'none'}; "
        f"modes {', '.join(state.settings.modes)}; "
        f"profile {state.settings.profile}; seed {state.hypothesis_seed}",
        *_replica_lines(state),
        f"tf2conf: reports -> {state.settings.report_dir}",
        *_resume_lines(state),
    ]


def _replica_lines(state: RunState) -> list[str]:
    replicas = sorted({t.device.name for t in state.targets if t.device.replica})
    if not replicas:
        return []
    return [
        f"tf2conf: replica devices {', '.join(replicas)} run one example of each op-database "
        "property (the first device of each type runs them all; --tf2conf-replica-devices full)"
    ]


def _resume_lines(state: RunState) -> list[str]:
    collector = state.collector
    if collector is None:  # an xdist worker
        return []
    lines = []
    if collector.resume is not None:
        finished = len(collector.resume.tests)
        lines.append(f"tf2conf: resuming {state.settings.resume}: {finished} tests finished there")
    if collector.earlier_crash:
        lines.append(collector.earlier_crash)
    return lines


# -- collection policies: expectations, per-test timeout, shards -----------------------------
class UnmatchedExpectationWarning(pytest.PytestWarning):
    """An expectations entry that selects no collected test (stale or mistyped)."""


def apply_collection_policies(
    state: RunState, config: pytest.Config, items: list[pytest.Item], payload_key: Any
) -> None:
    """Version ranges, expectations (over the whole collection), this shard's share and
    what a resumed run has left, then timeouts (on the tests that run: a resumed process
    of a sharded run marks a few hundred of ~4 * 10^4 collected tests)."""
    _apply_version_ranges(state, items, payload_key)
    if state.settings.expectations is not None or state.settings.known_deviations:
        _apply_expectations(state, items, payload_key)
    if state.settings.shard is not None:
        # Every shard process and xdist worker computes the same split from the same items.
        test_ids = [_shard_id(item, payload_key) for item in items]
        keep, drop = shards.shard_split(
            items, test_ids, state.settings.shard, state.shard_durations
        )
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
    if state.resume_done:
        keep, drop = resume_split(items, state.resume_done, payload_key)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
    _apply_timeout(state, config, items, payload_key)


def run_versions(state: RunState) -> dict[str, str | None]:
    """The versions claims' ranges are checked against (versions.py)."""
    return {
        "tf": state.runtime.version if state.runtime.available else None,
        "keras": state.flavour.version,
        "numpy": _dist_version("numpy"),
    }


def _apply_version_ranges(state: RunState, items: list[pytest.Item], payload_key: Any) -> None:
    from .versions import not_applicable

    versions = run_versions(state)
    for item in items:
        payload = item.stash.get(payload_key, None)
        for info in payload["claim_info"] if payload else ():
            reason = not_applicable(info.get("applies", ""), versions)
            if reason:
                item.add_marker(pytest.mark.skip(reason=f"not applicable: {info['id']} {reason}"))
                break


def resume_split(
    items: list[pytest.Item], done: frozenset[str], payload_key: Any
) -> tuple[list[pytest.Item], list[pytest.Item]]:
    """Items still to run, and those the resumed run finished (by test id or node id)."""
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        payload = item.stash.get(payload_key, None)
        finished = payload is not None and (payload["test"] in done or item.nodeid in done)
        (drop if finished else keep).append(item)
    return keep, drop


def _apply_expectations(state: RunState, items: list[pytest.Item], payload_key: Any) -> None:
    import warnings

    from . import expectations
    from .runtime_hooks import light_on_replica

    path = state.settings.expectations
    # The user's entries come first: they override the bundled known deviations.
    entries, known = state.expectations, state.known_deviations
    applied = 0
    user, bundled = expectations.Matcher(entries), expectations.Matcher(known)
    # Keras entries match the Keras the suites run on (tf_keras 2.x counts as Keras 2).
    versions = (state.runtime.version, state.flavour.version)
    for item in items:
        payload = item.stash.get(payload_key, None)
        if payload is None:
            continue
        entry = user.first_match(payload, *versions)
        entry = entry or bundled.first_match(payload, *versions)
        if entry is None:
            continue
        # A light item on a replica device runs one example: not meeting a deviation there
        # is no sign of a fix (the first device of the type, which runs them all, tells).
        strict = entry.strict and not light_on_replica(item)
        item.add_marker(expectations.marker_for(entry, strict=strict))
        payload["expectation"] = entry.as_dict()
        applied += 1
    unmatched = [e for e in entries if not e.matched]
    for entry in unmatched:
        warnings.warn(
            UnmatchedExpectationWarning(f"tf2conf: {entry.describe()} matches no collected test"),
            stacklevel=1,
        )
    if path is None:
        state.expectations_info = {"known_deviations": len(known), "applied": applied}
        return
    state.expectations_info = {
        "known_deviations": len(known),
        "file": str(path),
        "entries": len(entries),
        "applied": applied,
        "unmatched": [e.as_dict() for e in unmatched],
    }


def _apply_timeout(
    state: RunState, config: pytest.Config, items: list[pytest.Item], payload_key: Any
) -> None:
    # The signal method raises in the hanging test, so the run goes on; the thread method
    # would end the whole process. A timeout the user set (--timeout, ini, marker) wins.
    seconds = state.settings.timeout
    if not seconds or not config.pluginmanager.hasplugin("timeout"):
        return
    if getattr(config, "_env_timeout", None) is not None:
        return
    if _alarm_pending():
        return  # run in process inside a timed test: its SIGALRM must not be re-armed
    for item in items:
        if item.stash.get(payload_key, None) is not None and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(seconds, method="signal"))


def _alarm_pending() -> bool:
    import signal

    getitimer = getattr(signal, "getitimer", None)  # not on Windows
    return bool(getitimer and getitimer(signal.ITIMER_REAL)[0] > 0)


def _shard_id(item: pytest.Item, payload_key: Any) -> str:
    # The report's stable test id: the same on every machine, and the key of its durations.
    payload = item.stash.get(payload_key, None)
    return payload["test"] if payload else item.nodeid
