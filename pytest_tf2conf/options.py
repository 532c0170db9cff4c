"""Command-line options and ini keys of the plugin, and their validation.

Nothing here imports TensorFlow: options are registered in every pytest session, with or
without ``--tf2conf``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

MODES = ("eager", "function", "xla")
PROFILES = ("quick", "ci", "thorough")
REPLICA_CHECKS = ("light", "full")
DEFAULT_REPORT_DIR = "reports"
DEFAULT_TIMEOUT = 300


@dataclass(frozen=True)
class OptionSpec:
    name: str  # without the leading dashes
    help: str
    default: str | None = None
    is_flag: bool = False

    @property
    def dest(self) -> str:
        return self.name.replace("-", "_")


OPTIONS = (
    OptionSpec("tf2conf", "run the bundled tf2conf conformance suites", is_flag=True),
    OptionSpec(
        "tf2conf-devices",
        "devices to run on: device types (CPU, GPU) or names (CPU:1,GPU:0); "
        "default: every logical device TensorFlow lists",
    ),
    OptionSpec("tf2conf-modes", "execution modes: eager,function,xla (default: all)"),
    OptionSpec(
        "tf2conf-virtual-cpus",
        "split the host CPU into N logical devices before TensorFlow initialises",
    ),
    OptionSpec("tf2conf-profile", "hypothesis profile: quick, ci or thorough", default="ci"),
    OptionSpec("tf2conf-report", "folder for the conformance reports", DEFAULT_REPORT_DIR),
    OptionSpec(
        "tf2conf-keras-modes",
        "Keras execution modes for the Keras suites: eager,function,xla (default: function)",
    ),
    OptionSpec(
        "tf2conf-shard",
        "run shard I of N (e.g. 2/4): a deterministic split of the tests by a hash of their id "
        "(or balanced by --tf2conf-durations)",
    ),
    OptionSpec(
        "tf2conf-durations",
        "JSON report of a previous run: --tf2conf-shard balances the shards by its test "
        "durations (longest first) instead of hashing test ids",
    ),
    OptionSpec(
        "tf2conf-expectations",
        "TOML file of known deviations (xfail/skip per claim, test, target, TF version)",
    ),
    OptionSpec(
        "tf2conf-no-known-deviations",
        "do not apply the bundled known deviations of stock TensorFlow/Keras (strict xfails)",
        is_flag=True,
    ),
    OptionSpec(
        "tf2conf-timeout",
        "per-test timeout in seconds (needs pytest-timeout; 0 disables)",
        default=str(DEFAULT_TIMEOUT),
    ),
    OptionSpec(
        "tf2conf-resume",
        "continue the interrupted run whose journal is in DIR (a report folder): tests with a "
        "result there are deselected and the report covers the whole run",
    ),
    OptionSpec(
        "tf2conf-replica-devices",
        "on a device after the first of its type (CPU:1 beside CPU:0), run one example of "
        "each op-database property: light (default; both run the same kernels), or every "
        "example: full (e.g. for GPUs of different models)",
        default="light",
    ),
    OptionSpec(
        "tf2conf-max-rss",
        "stop the run between two tests once this process's resident memory passes MB "
        "megabytes (the report says complete: false); tf2conf run resumes it in a fresh process",
    ),
)


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("tf2conf", "TensorFlow 2 conformance suites")
    for spec in OPTIONS:
        if spec.is_flag:
            group.addoption(f"--{spec.name}", action="store_true", dest=spec.dest, help=spec.help)
            parser.addini(spec.dest, spec.help, type="bool", default=False)
        else:
            group.addoption(f"--{spec.name}", dest=spec.dest, default=None, help=spec.help)
            parser.addini(spec.dest, spec.help, default=spec.default)


def raw_value(config: pytest.Config, spec_name: str) -> str | bool | None:
    """Command line first, then the ini key of the same name."""
    dest = spec_name.replace("-", "_")
    value = config.getoption(dest, default=None)
    if value not in (None, False):
        return value
    return config.getini(dest) or None


def is_enabled(config: pytest.Config) -> bool:
    return bool(raw_value(config, "tf2conf"))


@dataclass(frozen=True)
class Settings:
    """The validated options of one run (devices are resolved later, against TensorFlow)."""

    device_spec: tuple[str, ...]
    modes: tuple[str, ...]
    keras_modes: tuple[str, ...]
    virtual_cpus: int
    profile: str
    report_dir: Path
    shard: tuple[int, int] | None = None  # (index from 1, count)
    durations: Path | None = None  # report whose test durations balance the shards
    expectations: Path | None = None
    known_deviations: bool = True
    timeout: float = DEFAULT_TIMEOUT
    resume: Path | None = None  # the report folder (or journal) of the run to continue
    max_rss_mb: int | None = None  # stop between tests above this resident memory (MB)
    # What a device after the first of its type runs: "light" (each property's first
    # example) or "full" (every example).
    replica_checks: str = "light"


def _split(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(part.strip() for part in str(value).split(",") if part.strip())


def _choose(option: str, value: str | None, valid: tuple[str, ...], default: tuple[str, ...]):
    chosen = _split(value) or default
    unknown = [v for v in chosen if v not in valid]
    if unknown:
        raise pytest.UsageError(
            f"--{option}: unknown value {', '.join(unknown)!s}; valid values: {', '.join(valid)}"
        )
    return tuple(dict.fromkeys(chosen))


def read_settings(config: pytest.Config) -> Settings:
    """Validate every option; a bad value is a one-line usage error (pytest exit code 4)."""
    modes = _choose("tf2conf-modes", raw_value(config, "tf2conf-modes"), MODES, MODES)
    keras_modes = _choose(
        "tf2conf-keras-modes", raw_value(config, "tf2conf-keras-modes"), MODES, ("function",)
    )
    profiles = _choose("tf2conf-profile", raw_value(config, "tf2conf-profile"), PROFILES, ("ci",))
    if len(profiles) != 1:
        raise pytest.UsageError(f"--tf2conf-profile: give one of {', '.join(PROFILES)}")
    profile = profiles[0]
    replicas = _choose(
        "tf2conf-replica-devices", raw_value(config, "tf2conf-replica-devices"),
        REPLICA_CHECKS, ("light",),
    )  # fmt: skip
    if len(replicas) != 1:
        raise pytest.UsageError(
            f"--tf2conf-replica-devices: give one of {', '.join(REPLICA_CHECKS)}"
        )
    cpus_raw = raw_value(config, "tf2conf-virtual-cpus")
    try:
        virtual_cpus = int(cpus_raw) if cpus_raw else 0
    except ValueError:
        virtual_cpus = -1
    if virtual_cpus < 0 or virtual_cpus > 64:
        raise pytest.UsageError(
            f"--tf2conf-virtual-cpus: expected a whole number from 1 to 64, got {cpus_raw!r}"
        )
    report_dir = Path(str(raw_value(config, "tf2conf-report") or DEFAULT_REPORT_DIR))
    if not report_dir.is_absolute():
        report_dir = Path(config.invocation_params.dir) / report_dir
    shard = parse_shard(raw_value(config, "tf2conf-shard"))
    durations = _path(config, "tf2conf-durations")
    if durations is not None and shard is None:
        raise pytest.UsageError(
            "--tf2conf-durations: needs --tf2conf-shard I/N (the durations balance the shards)"
        )
    return Settings(
        device_spec=_split(raw_value(config, "tf2conf-devices")),
        modes=modes,
        keras_modes=keras_modes,
        virtual_cpus=virtual_cpus,
        profile=profile,
        report_dir=report_dir,
        shard=shard,
        durations=durations,
        expectations=_path(config, "tf2conf-expectations"),
        known_deviations=not raw_value(config, "tf2conf-no-known-deviations"),
        timeout=_timeout(raw_value(config, "tf2conf-timeout")),
        resume=_resume(config),
        max_rss_mb=_max_rss(config),
        replica_checks=replicas[0],
    )


def _path(config: pytest.Config, option: str) -> Path | None:
    """A file option; a relative path is relative to where pytest was invoked."""
    raw = raw_value(config, option)
    if not raw:
        return None
    path = Path(str(raw))
    return path if path.is_absolute() else Path(config.invocation_params.dir) / path


def parse_shard(value: str | bool | None) -> tuple[int, int] | None:
    """``"I/N"`` with 1 <= I <= N, or None when not sharding."""
    if not value:
        return None
    index, _, count = str(value).partition("/")
    try:
        shard = (int(index), int(count))
    except ValueError:
        shard = (0, 0)
    if not 1 <= shard[0] <= shard[1]:
        raise pytest.UsageError(
            f"--tf2conf-shard: expected I/N with 1 <= I <= N (e.g. 1/4), got {value!r}"
        )
    return shard


def _resume(config: pytest.Config) -> Path | None:
    """The folder to resume from; its journal itself is read by the controller."""
    value = raw_value(config, "tf2conf-resume")
    if not value:
        return None
    path = Path(str(value))
    if not path.is_absolute():
        path = Path(config.invocation_params.dir) / path
    if not path.exists():
        raise pytest.UsageError(f"--tf2conf-resume: no such folder: {path}")
    return path


def _max_rss(config: pytest.Config) -> int | None:
    value = raw_value(config, "tf2conf-max-rss")
    if not value:
        return None
    try:
        megabytes = int(str(value))
    except ValueError:
        megabytes = 0
    if not 64 <= megabytes <= 10**7:
        raise pytest.UsageError(
            f"--tf2conf-max-rss: expected megabytes as a whole number from 64, got {value!r}"
        )
    if getattr(config.option, "numprocesses", None) not in (None, 0, "0"):
        raise pytest.UsageError(
            "--tf2conf-max-rss: needs one process per run (no -n); for parallel runs use "
            "`tf2conf run --jobs N`, which gives each shard its own process"
        )
    return megabytes


def _timeout(value: str | bool | None) -> float:
    if value in (None, ""):
        return float(DEFAULT_TIMEOUT)
    try:
        seconds = float(str(value))
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < 10**7:
        raise pytest.UsageError(
            f"--tf2conf-timeout: expected a number of seconds (0 disables), got {value!r}"
        )
    return seconds
