"""Keras targets: a Keras backend x one of its devices x a Keras execution mode.

The Keras suites request the ``keras_target`` fixture. They import ``keras`` only, so the
same suites run unchanged with ``KERAS_BACKEND`` set to tensorflow, jax or torch; the
backend is fixed per process, so each backend is a separate run (see ``make
conformance-backends``).

Keras execution modes map onto ``Model.compile`` flags:
``eager`` -> ``run_eagerly=True``; ``function`` -> the backend's compiled step without XLA
(``jit_compile=False``); ``xla`` -> ``jit_compile=True``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KerasTarget:
    backend: str
    device: str  # as the backend names it: "CPU:0" (tensorflow), "cpu:0" (jax), "cpu" (torch)
    mode: str

    @property
    def id(self) -> str:
        return f"{self.backend}/{self.device}-{self.mode}"

    def __str__(self) -> str:
        return self.id

    def report_fields(self) -> dict[str, Any]:
        return {
            "target": self.id,
            "device": self.device,
            "mode": self.mode,
            "backend": self.backend,
        }

    def compile_kwargs(self) -> dict[str, Any]:
        """Flags for ``model.compile(...)`` that select this target's execution mode."""
        return {"run_eagerly": self.mode == "eager", "jit_compile": self.mode == "xla"}

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        """Build and run models on this target's device."""
        import keras

        if hasattr(keras, "device"):
            with keras.device(self.device):
                yield
        else:  # Keras 2 (tf_keras / tf.keras) places work with TensorFlow's device scopes
            import tensorflow as tf

            with tf.device(self.device):
                yield


def backend_devices() -> tuple[str, list[str]]:
    """The active Keras backend and the devices it can place work on."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        devices = [d.name.rsplit("device:", 1)[-1] for d in tf.config.list_logical_devices()]
    elif backend == "jax":
        import jax

        devices = [f"{d.platform}:{d.id}" for d in jax.devices()]
    elif backend == "torch":
        import torch

        devices = ["cpu"] + [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    else:
        devices = ["cpu"]
    return backend, devices


def select(devices: Sequence[str], spec: Sequence[str]) -> list[str]:
    """Apply ``--tf2conf-devices`` (types or names, case-insensitive) to backend devices."""
    if not spec:
        return list(devices)
    wanted = {s.lower() for s in spec}
    return [d for d in devices if d.lower() in wanted or d.split(":")[0].lower() in wanted]


class KerasUnavailable(Exception):
    """The Keras suites do not apply here; the message says why (one line)."""


def require_keras() -> None:
    """Keras 3, or Keras 2 (``tf.keras`` of TF <= 2.15, ``tf_keras``): see keras_flavour.
    Claims documented for one of them only carry a version range (not applicable elsewhere).
    """
    try:
        import keras
    except ImportError as exc:
        raise KerasUnavailable(f"not applicable: Keras is not importable ({exc})") from None
    version = getattr(keras, "__version__", "0")
    if int(version.split(".")[0]) < 2:
        raise KerasUnavailable(
            f"not applicable: the Keras suites need Keras 2 or 3, found {version}"
        )


def build(spec: Sequence[str], modes: Sequence[str]) -> list[KerasTarget]:
    require_keras()
    backend, devices = backend_devices()
    return [KerasTarget(backend, d, m) for d in select(devices, spec) for m in modes]
