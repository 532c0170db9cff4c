"""Hypothesis profiles sized for TensorFlow's costs.

Every profile disables the deadline: the first example of a graph-mode property pays for
tracing (and XLA compilation), which would otherwise make deadlines flaky.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Slow data generation and large inputs are normal here; they are not bugs in a test.
_QUIET_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.differing_executors]

PROFILE_SETTINGS = {
    # seconds: a smoke test of every claim
    "quick": dict(max_examples=8, derandomize=False, database=None),
    # minutes, reproducible: derandomized, so every CI run draws the same examples
    "ci": dict(max_examples=25, derandomize=True, database=None),
    # nightly: many random examples, failures remembered in the local database
    "thorough": dict(max_examples=200, derandomize=False),
}

# XLA compiles per concrete input shape; its properties draw this fraction of the examples.
XLA_EXAMPLE_FRACTION = 0.5

# Wall-time bound on shrinking one failure (hypothesis' own bound is 300 s). A failing
# property reports its smallest example found by then; properties whose examples are cheap
# finish shrinking far below it, those that fit a Keras model per example stop here.
SHRINK_SECONDS = {"quick": 10, "ci": 30, "thorough": 120}


def profile_name(short: str) -> str:
    return f"tf2conf-{short}"


def register_and_load(short: str) -> settings:
    for name, values in PROFILE_SETTINGS.items():
        settings.register_profile(
            profile_name(name),
            deadline=None,
            suppress_health_check=_QUIET_CHECKS,
            print_blob=True,
            **values,
        )
    settings.load_profile(profile_name(short))
    return settings.default


def scaled_examples(fraction: float, minimum: int = 2) -> settings:
    """Settings drawing ``fraction`` of the active profile's examples (for costly properties).

    Decorate a test with it (below ``@given``); it is evaluated at import time, after the
    plugin has loaded the run's profile, so quick/ci/thorough still scale it.
    """
    base = settings.default
    return settings(max_examples=max(minimum, int(base.max_examples * fraction)))
