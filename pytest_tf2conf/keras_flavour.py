"""Which Keras the Keras suites run on: Keras 3, or Keras 2 (``tf_keras`` / ``tf.keras``).

Three flavours exist in the supported range (TF 2.12-2.21):

- ``keras3``: the ``keras`` package 3.x (TF 2.16+ installs it as ``tf.keras``; also the
  JAX and PyTorch backends);
- ``keras2``: the ``keras`` package 2.x of TF <= 2.15, which *is* ``tf.keras`` there;
- ``tf_keras``: Keras 2 as the ``tf_keras`` package on TF 2.16+, selected by
  ``TF_USE_LEGACY_KERAS=1`` (TensorFlow's own switch: ``tf.keras`` then is ``tf_keras``).

The suites import ``keras`` only. Under ``tf_keras`` that name is bound to ``tf_keras``
(``activate``), exactly as TensorFlow binds ``tf.keras`` to it, so the same suite modules
run on every flavour; claims whose documentation differs between Keras 2 and 3 carry a
version range (``claims.claim(..., applies=...)``).

Detection reads installed distributions and the environment, never imports TensorFlow:
the plugin calls it at configure time.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from importlib import metadata

LEGACY_ENV = "TF_USE_LEGACY_KERAS"
FLAVOURS = ("keras3", "keras2", "tf_keras")


@dataclass(frozen=True)
class Flavour:
    name: str  # one of FLAVOURS, or "none" when no Keras is importable
    version: str | None  # the version of the Keras the suites use

    @property
    def major(self) -> int:
        return int((self.version or "0").split(".")[0] or 0)

    @property
    def is_keras2(self) -> bool:
        return self.name in ("keras2", "tf_keras")

    def describe(self) -> str:
        """One line for the report header: 'Keras 2.21.0 (tf_keras, TF_USE_LEGACY_KERAS=1)'."""
        if self.name == "none":
            return "Keras not installed"
        how = {
            "keras3": "Keras 3",
            "keras2": "keras 2.x package = tf.keras",
            "tf_keras": f"tf_keras, {LEGACY_ENV}=1",
        }[self.name]
        return f"Keras {self.version} ({how})"


def _dist(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def legacy_requested() -> bool:
    """TensorFlow's own test of the switch (``tf.keras`` reads it the same way)."""
    return os.environ.get(LEGACY_ENV, "").strip().lower() in ("1", "true")


def detect() -> Flavour:
    if legacy_requested() and importlib.util.find_spec("tf_keras") is not None:
        return Flavour("tf_keras", _dist("tf-keras") or _dist("tf_keras"))
    version = _dist("keras")
    if version is None:
        return Flavour("none", None)
    return Flavour("keras2" if int(version.split(".")[0]) < 3 else "keras3", version)


def activate() -> Flavour:
    """Detect the flavour and, for ``tf_keras``, bind the name ``keras`` to it.

    Called once, before any suite module is imported. Keras 3 may be installed beside
    ``tf_keras`` (TF 2.16+ requires it): without the binding the suites would test it.
    """
    flavour = detect()
    if flavour.name == "tf_keras":
        import tf_keras

        sys.modules["keras"] = tf_keras
    return flavour
