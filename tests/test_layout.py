"""The layout: the suites live in the checkout's top-level suites/ and are the package
``pytest_tf2conf.suites``; each suite module is imported once, under that one name, however
the suites are run (so that a monkeypatch of a suite module in these tests reaches the run).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from pytest_tf2conf import layout
from tests.helpers import ROOT, SUITES_DIR

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Two areas, one importing its _support absolutely (eager), one relatively (tape).
FILES = ("suites/eager/test_elementwise.py", "suites/tape/test_watching.py")


def test_the_checkout_suites_are_the_package_pytest_tf2conf_suites() -> None:
    import pytest_tf2conf.suites

    assert layout.SUITES_DIR == SUITES_DIR
    assert [Path(p) for p in pytest_tf2conf.suites.__path__] == [SUITES_DIR]
    assert layout.module_name(SUITES_DIR / "ops" / "test_values.py") == (
        "pytest_tf2conf.suites.ops.test_values"
    )
    assert layout.module_name(SUITES_DIR / "ops" / "__init__.py") == "pytest_tf2conf.suites.ops"
    assert layout.module_name(ROOT / "tests" / "test_layout.py") is None


def test_pyproject_ships_every_package_and_maps_the_suites() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"] == {"pytest_tf2conf.suites": "suites"}
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts).replace("suites", "pytest_tf2conf.suites", 1)
        if init.is_relative_to(SUITES_DIR)
        else ".".join(init.parent.relative_to(ROOT).parts)
        for folder in (ROOT / "pytest_tf2conf", SUITES_DIR)
        for init in folder.rglob("__init__.py")
    }
    assert sorted(config["packages"]) == sorted(on_disk)


class _ModuleNames:
    """At the end of collection: every name under which a file of the suites is in
    sys.modules, and whether each collected module is the one of its canonical name."""

    def __init__(self) -> None:
        self.names: dict[Path, list[str]] = {}
        self.canonical: dict[Path, bool] = {}
        self.support: object = None

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for name, module in list(sys.modules.items()):
            file = getattr(module, "__file__", None)
            if file and Path(file).resolve().is_relative_to(SUITES_DIR):
                self.names.setdefault(Path(file).resolve(), []).append(name)
        for item in session.items:
            module = item.getparent(pytest.Module)
            name = layout.module_name(module.path)
            self.canonical[Path(module.path).resolve()] = module.obj is sys.modules.get(name)
        self.support = sys.modules.get("pytest_tf2conf.suites.eager._support")


@pytest.mark.parametrize(
    ("where", "import_mode"),
    [
        ("checkout", "prepend"),  # pytest's own name would be suites.eager.test_elementwise
        ("checkout", "importlib"),
        ("checkout", "append"),
        ("scratch", "prepend"),  # absolute paths, outside the rootdir
        ("default", "prepend"),  # `pytest --tf2conf` alone: every suite module
    ],
)
def test_each_suite_module_is_imported_once_under_one_name(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, where: str, import_mode: str
) -> None:
    import pytest_tf2conf.suites.eager._support as support

    # What the planted-fault tests do: patch a suite module here, then run the suites.
    monkeypatch.setattr(support, "tf2conf_planted", True, raising=False)
    paths = {
        "checkout": list(FILES),
        "scratch": [str(ROOT / f) for f in FILES],
        "default": [],
    }[where]
    observed = _ModuleNames()
    args = ["--tf2conf", "--collect-only", "-q", "-p", "no:cacheprovider"]
    args += ["--tf2conf-report", str(pytester.path / "reports"), f"--import-mode={import_mode}"]
    cwd = Path.cwd()
    os.chdir(ROOT if where == "checkout" else pytester.path)
    try:
        result = pytester.runpytest_inprocess(*args, *paths, plugins=[observed])
    finally:
        os.chdir(cwd)
    assert result.ret == pytest.ExitCode.OK, "\n".join(result.outlines[-20:])

    twice = {f: n for f, n in observed.names.items() if len(n) != 1}
    assert not twice, f"suite modules imported under more than one name: {twice}"
    for file, (name,) in observed.names.items():
        assert name == layout.module_name(file)
    assert observed.canonical and all(observed.canonical.values()), observed.canonical
    assert observed.support is support  # the patched module is the one the run used
    if where == "default":
        every = {p.resolve() for p in SUITES_DIR.rglob("*.py")}
        assert set(observed.names) == every
    else:
        assert {ROOT / f for f in FILES} <= set(observed.canonical)
