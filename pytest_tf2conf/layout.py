"""Where the bundled suites are, and the one name each suite module is imported under.

A checkout keeps the suites at its top level (``suites/<area>/``); the wheel ships them inside
the package as ``pytest_tf2conf.suites`` (pyproject's package-dir maps one to the other). A
suite module's one name is ``pytest_tf2conf.suites.<area>.<module>`` however it is reached:

- installed from a wheel, the folder *is* ``pytest_tf2conf/suites``;
- in a checkout (an editable install, or the checkout on ``PYTHONPATH``), ``install()`` (run
  by the package's ``__init__``) makes ``import pytest_tf2conf.suites`` load the checkout's
  ``suites/``. It answers before the other finders, so neither a stale
  ``pytest_tf2conf/suites/__pycache__`` of the old layout (an empty namespace package) nor an
  editable install of another checkout can stand in;
- collected by pytest, a suite module is imported by that name too (``suite_modules.py``),
  not by the name pytest would derive from the checkout (``suites.ops.test_values``: a
  second copy, which a monkeypatch of the first would not reach).

Standard library only: the package's ``__init__`` imports this module.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

PACKAGE = "pytest_tf2conf.suites"
_HERE = Path(__file__).parent


def _checkout_suites() -> Path | None:
    """The checkout's top-level ``suites/`` when this package runs from a checkout."""
    if (_HERE / "suites" / "__init__.py").is_file():
        return None  # installed from a wheel: the suites are inside the package
    root = _HERE.parent
    if (root / "suites" / "__init__.py").is_file() and (root / "pyproject.toml").is_file():
        return root / "suites"
    return None


CHECKOUT_SUITES = _checkout_suites()
SUITES_DIR = CHECKOUT_SUITES or _HERE / "suites"


def module_name(path: str | Path) -> str | None:
    """``pytest_tf2conf.suites.<area>.<module>`` for a Python file of the bundled suites;
    None for any other path."""
    path = Path(path)
    if path.suffix != ".py":
        return None
    for base, candidate in ((SUITES_DIR, path), (SUITES_DIR.resolve(), path.resolve())):
        if candidate.is_relative_to(base):
            parts = candidate.with_suffix("").relative_to(base).parts
            if parts and parts[-1] == "__init__":
                parts = parts[:-1]
            return ".".join((PACKAGE, *parts))
    return None


class _CheckoutSuitesFinder:
    """Finds ``pytest_tf2conf.suites`` (the package only: its modules are then found in its
    ``__path__`` as usual) in the checkout's top-level ``suites/``."""

    def __init__(self, suites: Path) -> None:
        self.tf2conf_suites = suites

    def find_spec(self, fullname: str, path: object = None, target: object = None):
        if fullname != PACKAGE:
            return None
        return importlib.util.spec_from_file_location(
            PACKAGE,
            self.tf2conf_suites / "__init__.py",
            submodule_search_locations=[str(self.tf2conf_suites)],
        )

    def invalidate_caches(self) -> None:
        pass


def install() -> None:
    """In a checkout, let ``import pytest_tf2conf.suites`` load its top-level ``suites/``."""
    if CHECKOUT_SUITES is None:
        return
    # Once per process, also if this module is imported afresh (pytester drops modules)
    if not any(getattr(f, "tf2conf_suites", None) for f in sys.meta_path):
        sys.meta_path.insert(0, _CheckoutSuitesFinder(CHECKOUT_SUITES))
