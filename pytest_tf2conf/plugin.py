"""pytest hooks of tf2conf (entry point ``pytest11``). Hooks only: the work lives elsewhere.

Without ``--tf2conf`` the plugin registers its options and markers and does nothing else:
no TensorFlow, Keras, JAX or NumPy import, and the bundled suites are not collected.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from . import layout, options, recording
from .claims import MARKER, Catalogue, ClaimError, claims_of
from .targets import REPLICA_LIGHT_MARKER

if TYPE_CHECKING:
    from .memory import ModuleMemory
    from .session import RequestedSetup, RunState

SUITES_DIR = layout.SUITES_DIR
STATE = pytest.StashKey["RunState"]()
RECORD = pytest.StashKey[recording.TestRecord]()
PAYLOAD = pytest.StashKey[dict]()
MEMORY: pytest.StashKey[ModuleMemory] = pytest.StashKey()
MODES_MARKER = "tf2conf_modes"


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(claim): the documented claim a test checks")
    config.addinivalue_line("markers", f"{MODES_MARKER}(*modes): execution modes a test runs in")
    config.addinivalue_line(
        "markers", f"{REPLICA_LIGHT_MARKER}: a property runs one example on a replica device"
    )
    if not options.is_enabled(config):
        return
    from . import gc_pause, session

    gc_pause.pause()  # until collection ends (gc_pause.py: start-up walks millions of objects)
    state = session.start(config)
    from .targets import reset_compiled_cache

    reset_compiled_cache()  # a run embedded in a longer process (pytester) traces afresh
    config.stash[STATE] = state
    from .memory import ModuleMemory

    config.stash[MEMORY] = ModuleMemory()
    if state.settings.max_rss_mb is not None:
        from .recycle import Ceiling

        state.ceiling = Ceiling(state.settings.max_rss_mb)
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args = [str(SUITES_DIR)]  # `pytest --tf2conf` alone runs the bundled suites


def _state(config: pytest.Config) -> RunState | None:
    return config.stash.get(STATE, None)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if _state(config) is None and collection_path.is_relative_to(SUITES_DIR):
        return True
    return None


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # the hook is pytest 8's
def pytest_collect_directory(path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if _state(parent.config) is None:
        return None
    from . import suite_modules

    if suite_modules.is_suite_folder(path):  # a plain folder: its __init__.py is not imported
        return pytest.Dir.from_parent(parent, path=path)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> Any:
    if _state(parent.config) is None:
        return None
    from . import suite_modules

    # A suite module is imported once, by its one name (a package's __init__.py stays
    # pytest's: under pytest 7 it is the Package collector).
    if module_path.name != "__init__.py" and suite_modules.is_suite_module(module_path):
        return suite_modules.SuiteModule.from_parent(parent, path=module_path)
    return None


@pytest.fixture(scope="session")
def tf2conf_devices(pytestconfig: pytest.Config) -> list[str]:
    """The logical devices selected for this run (e.g. ["CPU:0", "CPU:1"])."""
    state = _state(pytestconfig)
    return list(state.devices) if state is not None else []


@pytest.fixture(scope="session")
def tf2conf_requested(pytestconfig: pytest.Config) -> RequestedSetup | None:
    """What the run asked for (virtual CPUs, device spec, selected devices); None without
    ``--tf2conf``. The runtime suite checks that TensorFlow applied it."""
    state = _state(pytestconfig)
    return state.requested() if state is not None else None


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    state = _state(config)
    if state is None:
        return None
    from .session import header_lines

    return header_lines(state)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    state = _state(metafunc.config)
    if state is None:
        return
    marker = metafunc.definition.get_closest_marker(MODES_MARKER)
    allowed = set(marker.args) if marker else None
    if "target" in metafunc.fixturenames:
        targets = [t for t in state.targets if allowed is None or t.mode.name in allowed]
        reason = (
            f"not applicable: {state.runtime.import_error}"
            if state.runtime.import_error
            else "no selected device x mode applies to this test"
        )
        _parametrize(metafunc, "target", targets, reason)
    elif "keras_target" in metafunc.fixturenames:
        targets = [t for t in state.keras_targets() if allowed is None or t.mode in allowed]
        reason = state.keras_unavailable or "no Keras device x mode applies"
        _parametrize(metafunc, "keras_target", targets, reason)


def _parametrize(metafunc: pytest.Metafunc, name: str, targets: list[Any], reason: str) -> None:
    if targets:
        metafunc.parametrize(name, targets, ids=[t.id for t in targets])
    else:
        metafunc.parametrize(name, [pytest.param(None, marks=pytest.mark.skip(reason=reason))])


def _is_suite_item(item: pytest.Item) -> bool:
    return _suite_relative(str(item.path)) is not None


@functools.lru_cache(maxsize=4096)
def _suite_relative(path: str) -> str | None:
    """A bundled suite file's path relative to the suites folder (cached per file: the
    op database collects ~10^4 items from each of a few files)."""
    file = Path(path)
    return file.relative_to(SUITES_DIR).as_posix() if file.is_relative_to(SUITES_DIR) else None


def _test_id(item: pytest.Item) -> str:
    relative = _suite_relative(str(item.path))
    return item.nodeid if relative is None else f"{relative}::{item.name}"


def _target_fields(item: pytest.Item) -> dict[str, Any]:
    for value in getattr(getattr(item, "callspec", None), "params", {}).values():
        fields = getattr(value, "report_fields", None)
        if callable(fields):
            return fields()
    return {"target": "host", "device": None, "mode": None, "backend": None}


def _item_payload(item: pytest.Item, declared: list[Any]) -> dict[str, Any]:
    return {
        "test": _test_id(item),
        # A bundled suite's test is found again in the installed package (repro scripts).
        "bundled": _is_suite_item(item),
        "claims": [c.id for c in declared],
        "claim_info": [c.as_dict() for c in declared],
        **_target_fields(item),
    }


def _junit_properties(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """Short name/value pairs that ``--junitxml`` writes as ``<property>`` elements."""
    props = [("tf2conf_claim", c["id"]) for c in payload["claim_info"]]
    props += [("tf2conf_area", a) for a in dict.fromkeys(c["area"] for c in payload["claim_info"])]
    for key in ("target", "device", "mode", "backend"):
        if payload.get(key):
            props.append((f"tf2conf_{key}", str(payload[key])))
    return props


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    state = _state(config)
    if state is None:
        return
    problems: list[str] = []
    catalogue: Catalogue = state.catalogue
    for item in items:
        declared = claims_of(item)
        if not declared:
            if _is_suite_item(item):
                problems.append(f"{item.nodeid} declares no claim (decorate it with @claim)")
            continue
        try:
            catalogue.extend(declared, where=item.nodeid)
        except ClaimError as exc:
            problems.append(str(exc))
        # The payload travels on each phase report (``report.tf2conf``, see makereport),
        # not as a user property: JUnit XML would dump it as one giant string.
        payload = _item_payload(item, declared)
        item.stash[PAYLOAD] = payload
        item.user_properties.extend(_junit_properties(payload))
    if problems:
        raise pytest.UsageError(
            f"tf2conf: invalid claim declarations: {problems[0]}"
            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
        )
    from .session import apply_collection_policies

    apply_collection_policies(state, config, items, PAYLOAD)
    if state.collector is not None:  # journal lines name the claims of each started test
        state.collector.collected(
            {item.nodeid: item.stash[PAYLOAD] for item in items if PAYLOAD in item.stash}
        )


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    if _state(session.config) is not None:
        from . import gc_pause

        gc_pause.settle()


def pytest_unconfigure(config: pytest.Config) -> None:
    from . import gc_pause

    gc_pause.release()


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_call(item: pytest.Item):
    state = _state(item.config)
    if state is None or not claims_of(item):
        return (yield)
    from .profiles import SHRINK_SECONDS
    from .runtime_hooks import measured_call

    _skip_functions_this_release_lacks(item)
    record = recording.TestRecord(claim_ids=tuple(c.id for c in claims_of(item)))
    item.stash[RECORD] = record
    with measured_call(item, record, SHRINK_SECONDS[state.settings.profile]):
        try:
            return (yield)
        except ModuleNotFoundError as exc:
            # A TF-level test without a target (target "host") imports TensorFlow in its
            # body: in a Keras-on-JAX/PyTorch environment it does not apply, like the rest.
            if str(exc.name or "").split(".")[0] == "tensorflow" and not state.runtime.available:
                pytest.skip(f"not applicable: {state.runtime.import_error}")
            raise


def _skip_functions_this_release_lacks(item: pytest.Item) -> None:
    """A database record (``record`` parameter with a ``public_name``) of a function the
    installed TensorFlow or Keras does not have yet is not applicable, not a failure."""
    record = getattr(getattr(item, "callspec", None), "params", {}).get("record")
    name = getattr(record, "public_name", None)
    if name:
        from .versions import missing_function

        reason = missing_function(name)
        if reason:
            pytest.skip(f"not applicable: {reason}")


@pytest.hookimpl(trylast=True)  # after pytest's own teardown of the module's fixtures
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    memory = item.config.stash.get(MEMORY, None)
    if memory is not None:
        memory.after_teardown(item, nextitem)
    state = _state(item.config)
    if state is not None and state.ceiling is not None:
        state.ceiling.after_teardown(item, nextitem)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    payload = item.stash.get(PAYLOAD, None)
    if payload is None:
        return report
    # A plain dict attribute: pytest's report serialization (xdist) keeps it as is.
    channel: dict[str, Any] = {"item": payload}
    record = item.stash.get(RECORD, None)
    if record is not None and call.when == "call":
        from .runtime_hooks import call_properties

        channel["call"] = call_properties(record, call)
    report.tf2conf = channel
    return report


@pytest.hookimpl(optionalhook=True)  # an xdist hook: unknown where xdist is not installed
def pytest_configure_node(node: Any) -> None:
    """The controller's hypothesis seed goes to every worker (one seed per run), and the
    tests a resumed run already has (each worker deselects them from its collection)."""
    state = _state(node.config)
    if state is not None:
        from .session import WORKER_RESUME_KEY, WORKER_SEED_KEY

        node.workerinput[WORKER_SEED_KEY] = state.hypothesis_seed
        node.workerinput[WORKER_RESUME_KEY] = sorted(state.resume_done)


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = _state(session.config)
    workeroutput = getattr(session.config, "workeroutput", None)
    if state is not None and workeroutput is not None:
        workeroutput["tf2conf_claims"] = state.catalogue.as_dicts()
        if state.expectations_info is not None:
            workeroutput["tf2conf_expectations"] = state.expectations_info
