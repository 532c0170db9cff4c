"""Importing and initialising TensorFlow for a conformance run.

Imported only when ``--tf2conf`` is given. TensorFlow may be absent (a Keras-on-JAX
environment): then the TensorFlow-level suites report that they do not apply.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from types import ModuleType


class RuntimeSetupError(Exception):
    """TensorFlow cannot be set up as the options ask; the message is one line for the user."""


@dataclass
class TFRuntime:
    tf: ModuleType | None
    devices: list[str] = field(default_factory=list)  # logical devices, e.g. "CPU:0"
    import_error: str | None = None

    @property
    def available(self) -> bool:
        return self.tf is not None

    @property
    def version(self) -> str | None:
        return getattr(self.tf, "__version__", None)


def _quiet_logs() -> None:
    # TensorFlow's C++ INFO lines drown pytest's output; users can still override this.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def import_tensorflow() -> TFRuntime:
    _quiet_logs()
    try:
        import tensorflow as tf
    except ImportError as exc:
        return TFRuntime(tf=None, import_error=f"TensorFlow is not importable: {exc}")
    return TFRuntime(tf=tf)


def split_host_cpu(runtime: TFRuntime, count: int) -> None:
    """Split the host CPU into ``count`` logical devices; only possible before TF initialises."""
    tf = runtime.tf
    assert tf is not None
    cpus = tf.config.list_physical_devices("CPU")
    existing = tf.config.get_logical_device_configuration(cpus[0]) or []
    if len(existing) == count:
        return  # already split this way (e.g. by an embedding test process)
    try:
        tf.config.set_logical_device_configuration(
            cpus[0], [tf.config.LogicalDeviceConfiguration() for _ in range(count)]
        )
    except RuntimeError as exc:
        raise RuntimeSetupError(
            "--tf2conf-virtual-cpus: TensorFlow was already initialised in this process "
            f"({exc}); pass the option on the command line so it applies before any test "
            "imports TensorFlow"
        ) from None


def initialise(runtime: TFRuntime, virtual_cpus: int, threads: int | None = None) -> None:
    """Apply the device and thread configuration and turn soft placement off for the run.

    ``threads`` caps TensorFlow's intra- and inter-op thread pools (xdist workers share the
    cores); it applies only before TensorFlow initialises, like the device configuration.
    """
    tf = runtime.tf
    if tf is None:
        return
    if threads:
        with contextlib.suppress(RuntimeError):  # already initialised: keep TF's pools
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
    if virtual_cpus:
        split_host_cpu(runtime, virtual_cpus)
    # Placement is verified, never assumed: an op that cannot run where it is asked to
    # must raise instead of silently falling back to CPU:0.
    tf.config.set_soft_device_placement(False)
    runtime.devices = [short_device_name(d.name) for d in tf.config.list_logical_devices()]


def short_device_name(name: str) -> str:
    """'/job:localhost/replica:0/task:0/device:CPU:1' -> 'CPU:1'."""
    tail = name.rsplit("device:", 1)[-1]
    return tail.upper() if tail.count(":") == 1 else tail


def environment(runtime: TFRuntime) -> dict[str, object]:
    info: dict[str, object] = {"tensorflow": runtime.version, "devices": list(runtime.devices)}
    if runtime.tf is not None:
        build: dict[str, object] = {}
        with contextlib.suppress(Exception):  # build info is informative only
            build = dict(runtime.tf.sysconfig.get_build_info())
        info["tensorflow_build"] = {
            k: str(v) for k, v in build.items() if k in ("is_cuda_build", "cuda_version")
        }
    if runtime.import_error:
        info["tensorflow_error"] = runtime.import_error
    return info
