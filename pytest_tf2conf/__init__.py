"""tf2conf: a pytest plugin and property-based conformance suites for TensorFlow 2 and Keras 3.

Suites import what they need from here::

    from pytest_tf2conf import claim, only_modes, assert_close

Names are resolved lazily: importing the package (as pytest does for every session through
the plugin entry point) must stay free of NumPy, TensorFlow and Keras.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from . import layout

# A checkout keeps the bundled suites at its top level; ``pytest_tf2conf.suites`` names them.
layout.install()

_EXPORTS = {
    "Claim": "claims",
    "claim": "claims",
    "Target": "targets",
    "Unsupported": "targets",
    "only_modes": "targets",
    "light_on_replicas": "targets",
    "Tolerance": "tolerance",
    "assert_close": "tolerance",
}

__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
