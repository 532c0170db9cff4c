"""Repo-level pytest setup: running the bundled suites from a checkout
(``pytest --tf2conf suites/ops``).

pytest imports this file before collecting, and its default import mode puts the checkout
root on ``sys.path`` with it. So:

- where tf2conf is not installed, the checkout's plugin is registered here (where it is
  installed, its pytest11 entry point has done that, and a second registration is an error);
- a checkout's ``suites/`` given on the command line must be run by the checkout's own
  package: with another tf2conf imported (say an editable install of a different checkout),
  its modules would mix with that one's, so the run stops and says how to fix it.

Nothing else: a suite module's import name is the plugin's business
(``pytest_tf2conf/suite_modules.py``), the same in a checkout and in an installed wheel.
"""

from importlib.metadata import entry_points
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent

if not entry_points(group="pytest11", name="tf2conf"):
    # Only then: pytest rejects pytest_plugins (even empty) in a conftest that is not the
    # rootdir's, and this one is also loaded when an editable install runs its suites
    # from elsewhere.
    pytest_plugins = ["pytest_tf2conf.plugin"]


def pytest_configure(config: pytest.Config) -> None:
    import pytest_tf2conf

    package = Path(pytest_tf2conf.__file__).resolve().parent
    if package == ROOT / "pytest_tf2conf":
        return
    suites = ROOT / "suites"
    here = config.invocation_params.dir
    given = (here / str(arg).split("::")[0] for arg in config.invocation_params.args)
    if any(p.exists() and p.resolve().is_relative_to(suites) for p in given):
        raise pytest.UsageError(
            f"{suites} would run with the tf2conf at {package}, not with this checkout's: "
            f"set PYTHONPATH={ROOT} or `pip install -e {ROOT}`"
        )
