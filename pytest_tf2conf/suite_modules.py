"""Collectors of the bundled suites: each suite module is imported once, by its one name.

pytest names a test module after the ``__init__.py`` files above it (the default "prepend"
import mode; "importlib" too, where it can): run from a checkout, ``suites/ops/test_values.py``
would become ``suites.ops.test_values`` while its neighbours import
``pytest_tf2conf.suites.ops._support`` — two copies of the package, and a monkeypatch of one
not seen by the other. So the plugin collects the suites' folders as plain directories (no
``__init__.py`` imported under pytest's name) and imports each suite module as
``pytest_tf2conf.suites.<area>.<module>`` (``layout.module_name``), whatever the import mode,
the rootdir or the way the suites were reached (the default path, paths on the command line,
a checkout or an installed wheel).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from . import layout


def is_suite_folder(path: Path) -> bool:
    """The suites' folder or one of its subfolders."""
    return layout.module_name(path / "__init__.py") is not None


def is_suite_module(path: Path) -> bool:
    return layout.module_name(path) is not None


class SuiteModule(pytest.Module):
    """A module of the bundled suites, imported as ``pytest_tf2conf.suites.<area>.<module>``."""

    def _getobj(self) -> ModuleType:
        name = layout.module_name(self.path)
        assert name is not None, self.path
        try:
            module = importlib.import_module(name)
        except pytest.skip.Exception as e:
            if e.allow_module_level:
                raise
            raise self.CollectError(f"pytest.skip outside a test in {name}: {e}") from e
        except (ImportError, SyntaxError) as e:
            info = pytest.ExceptionInfo.from_current()
            raise self.CollectError(
                f"ImportError while importing test module '{self.path}' as {name}.\n"
                f"Traceback:\n{info.getrepr(style='short')}"
            ) from e
        found = getattr(module, "__file__", None)
        if found is None or not os.path.samefile(found, self.path):
            raise self.CollectError(
                f"{name} was imported from {found}, not from the collected {self.path}: is "
                f"another tf2conf on sys.path before this one? ({sys.path[:3]}...)"
            )
        self.config.pluginmanager.consider_module(module)
        return module
