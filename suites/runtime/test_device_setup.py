"""The run's device set-up: TensorFlow lists the logical devices that were configured.

``tf.config.set_logical_device_configuration`` splits a physical device into logical
devices before the runtime initialises, and ``tf.config.list_logical_devices`` then lists
them. A run that asked for a split (``--tf2conf-virtual-cpus``) or named devices
(``--tf2conf-devices``) and did not get them would otherwise pass as a smaller run; here
it fails, saying what was asked and what TensorFlow lists.

These tests take no target: they run once per run (reported on the target "host").
"""

from __future__ import annotations

import tensorflow as tf

from pytest_tf2conf import claim
from pytest_tf2conf.targets import select_devices
from pytest_tf2conf.tf_runtime import short_device_name

APPLIES = claim(
    "runtime.logical-device-configuration-applies",
    "After tf.config.set_logical_device_configuration splits a physical device into N logical"
    " devices, tf.config.list_logical_devices lists N of them.",
    "https://www.tensorflow.org/api_docs/python/tf/config/set_logical_device_configuration",
)


def _listed(device_type: str | None = None) -> list[str]:
    return [short_device_name(d.name) for d in tf.config.list_logical_devices(device_type)]


@APPLIES
def test_logical_devices_follow_their_configuration():
    """Per device type: as many logical devices as the visible physical ones are split into
    (one for a physical device without a logical configuration)."""
    expected: dict[str, int] = {}
    for physical in tf.config.get_visible_devices():
        configured = tf.config.get_logical_device_configuration(physical) or [None]
        expected[physical.device_type] = expected.get(physical.device_type, 0) + len(configured)
    listed = {kind: len(_listed(kind)) for kind in expected}
    assert listed == expected, (
        f"TensorFlow lists {listed} logical devices per type, but its logical device "
        f"configuration gives {expected} (listed: {', '.join(_listed())})"
    )


@APPLIES
def test_the_run_got_the_devices_it_asked_for(tf2conf_requested):
    asked = tf2conf_requested
    assert asked is not None, "needs a --tf2conf run"
    listed = _listed()
    problems = []
    cpus = [d for d in listed if d.startswith("CPU:")]
    if asked.virtual_cpus and len(cpus) != asked.virtual_cpus:
        problems.append(
            f"--tf2conf-virtual-cpus {asked.virtual_cpus} asked for {asked.virtual_cpus} "
            f"logical CPUs, TensorFlow lists {len(cpus)} ({', '.join(cpus) or 'none'})"
        )
    missing = [d for d in asked.devices if d not in listed]
    if missing:
        problems.append(
            f"the run selected {', '.join(missing)}, TensorFlow lists {', '.join(listed)}"
        )
    try:
        select_devices(asked.device_spec, listed)
    except ValueError as exc:  # a --tf2conf-devices entry that names no listed device
        problems.append(str(exc))
    assert not problems, "; ".join(problems)
