"""A process that dies mid-run loses nothing: the journal it leaves gives the report
(``tf2conf report --from-journal``), a later run finds it, and ``--tf2conf-resume``
finishes the run.

The planted crashes (a segfault inside a TensorFlow op, ``os.abort()``, SIGKILL) each kill
a fresh ``pytest --tf2conf`` process, once: a marker file makes the resumed run pass.
Reading and writing journals, and resuming, are checked on hand-made journals.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import signal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_tf2conf import cli
from pytest_tf2conf.report import journal, recover
from tests.helpers import run_conformance_inprocess, run_conformance_subprocess
from tests.test_reliability import HEADER

DOC = "https://www.tensorflow.org/api_docs/python/tf/constant"  # as in HEADER

CRASHES = {
    # A segfault in a kernel: the Python function of a py_function reads address 0.
    "segfault": (
        "tf.py_function(lambda: ctypes.string_at(0), [], tf.string)",
        signal.SIGSEGV,
    ),
    "abort": ("os.abort()", signal.SIGABRT),
    "sigkill": ("os.kill(os.getpid(), signal.SIGKILL)", signal.SIGKILL),
}
ONE_TARGET = ("--tf2conf-devices", "CPU:0", "--tf2conf-modes", "eager")


def _crash_suite(pytester: pytest.Pytester, kind: str) -> Path:
    """Tests a, b, c, d in this order; b kills its process the first time it runs."""
    marker = pytester.path / "crashed-once"
    return pytester.makepyfile(
        test_crash=HEADER
        + f"""
import ctypes, signal
import tensorflow as tf

@OK
def test_a_first(target):
    assert True

@OK
@claim("demo.crash", "A test that kills its process once.", DOC)
def test_b_crash(target):
    if not os.path.exists({str(marker)!r}):
        open({str(marker)!r}, "w").close()
        {CRASHES[kind][0]}

@OK
def test_c_later(target):
    assert True

@OK
def test_d_later(target):
    assert True
"""
    )


def run_cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(args)
    return code, out.getvalue(), err.getvalue()


def _name(test_id: str) -> str:
    """``test_crash.py::test_a_first[CPU:0-eager]`` -> ``test_a_first``."""
    return test_id.split("::")[1].split("[")[0]


def _outcomes(report: dict[str, Any]) -> dict[str, str]:
    """Test name -> its outcome (crashed if any of its claims' results is)."""
    found: dict[str, str] = {}
    for result in report["results"]:
        name = _name(result["test"])
        if found.get(name) != "crashed":
            found[name] = result["outcome"]
    return found


def _kinds(path: Path) -> list[str]:
    return [json.loads(line)["kind"] for line in path.read_text().splitlines()]


@pytest.mark.parametrize("kind", sorted(CRASHES))
def test_crash_report_from_journal_then_resume(pytester: pytest.Pytester, kind: str) -> None:
    path = _crash_suite(pytester, kind)
    reports = pytester.path / "reports"
    proc, report = run_conformance_subprocess(pytester.path, str(path), *ONE_TARGET, timeout=300)
    output = proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.returncode == -CRASHES[kind][1], output
    assert not report, "the process died: it wrote no report"

    code, out, err = run_cli(["report", "--from-journal", str(reports)])
    assert code == 0, err
    assert "died while running test_crash.py::test_b_crash[CPU:0-eager]" in out
    recovered = json.loads((reports / "tf2conf-report.json").read_text())
    assert recovered["complete"] is False
    assert _outcomes(recovered) == {"test_a_first": "passed", "test_b_crash": "crashed"}
    crashed = [r for r in recovered["results"] if r["outcome"] == "crashed"]
    assert {r["claim"] for r in crashed} == {"demo.fine", "demo.crash"}
    assert "process died while this test ran" in crashed[0]["message"]
    assert crashed[0]["repro"].startswith("repro/")
    assert recovered["environment"]["running_when_it_died"] == [crashed[0]["nodeid"]]
    assert (reports / "tf2conf-report.html").exists()

    # The crashed test is run again (it passes now), the finished one is not.
    proc, report = run_conformance_subprocess(
        pytester.path, str(path), *ONE_TARGET, "--tf2conf-resume", str(reports), timeout=300
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "3 passed, 1 deselected" in proc.stdout
    assert report["complete"] is True
    assert report["environment"]["resumed_from"] == str(reports)
    assert _outcomes(report) == dict.fromkeys(
        ("test_a_first", "test_b_crash", "test_c_later", "test_d_later"), "passed"
    )
    # The resumed run's journal stands on its own: header, carried lines, ..., finished.
    kinds = _kinds(reports / journal.JOURNAL_NAME)
    assert kinds[:4] == ["header", "claims", "result", "crash"] and kinds[-1] == "finished"


@pytest.mark.skipif(importlib.util.find_spec("xdist") is None, reason="pytest-xdist missing")
def test_xdist_controller_keeps_the_journal(pytester: pytest.Pytester) -> None:
    """With -n 2 the controller writes the journal; a worker's segfault is a crashed result
    there, run again once by --tf2conf-resume (each worker deselects the finished tests)."""
    path = _crash_suite(pytester, "segfault")
    reports = pytester.path / "reports"
    args = (str(path), *ONE_TARGET, "-n", "2")
    proc, report = run_conformance_subprocess(pytester.path, *args, timeout=300)
    assert report, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert _outcomes(report)["test_b_crash"] == "crashed"
    found = journal.read(reports / journal.JOURNAL_NAME)
    assert found.finished is not None and not found.running
    assert {_name(e["test"]) for e in found.results.values()} == set(_outcomes(report))
    code, _, err = run_cli(["report", "--from-journal", str(reports), "-o", str(reports / "re")])
    assert code == 0, err
    again = json.loads((reports / "re" / "tf2conf-report.json").read_text())
    assert again["results"] == report["results"] and again["complete"] is True

    proc, report = run_conformance_subprocess(
        pytester.path, *args, "--tf2conf-resume", str(reports), timeout=300
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert set(_outcomes(report).values()) == {"passed"} and len(_outcomes(report)) == 4
    found = journal.read(reports / journal.JOURNAL_NAME)
    assert [_name(nodeid) for nodeid in found.started] == ["test_b_crash"]


# -- hand-made journals --------------------------------------------------------------------
def _payload(name: str, *claims: str) -> dict[str, Any]:
    claims = claims or ("demo.fine",)
    return {
        "test": f"test_x.py::{name}[CPU:0-eager]",
        "claims": list(claims),
        "claim_info": [{"id": c, "area": "demo", "statement": "S.", "doc": DOC} for c in claims],
        "target": "CPU:0-eager",
        "device": "CPU:0",
        "mode": "eager",
        "backend": None,
    }


def _entry(name: str, outcome: str = "passed", message: str = "") -> dict[str, Any]:
    payload = _payload(name)
    return {**payload, "nodeid": payload["test"], "duration": 0.5, "outcome": outcome,
            "message": message}  # fmt: skip


def _write_journal(folder: Path, lines: list[dict[str, Any]]) -> Path:
    writer = journal.JournalWriter(folder / journal.JOURNAL_NAME)
    header = {"started": "2026-01-02T03:04:05Z", "environment": {"profile": "quick"}}
    writer.open(header)
    for line in lines:
        writer.write(**line)
    writer.close()
    assert writer.error is None
    return writer.path


def _started(name: str) -> dict[str, Any]:
    payload = _payload(name)
    return {"kind": "started", "nodeid": payload["test"], "payload": payload}


def _died_in_b() -> list[dict[str, Any]]:
    return [_started("test_a"), {"kind": "result", "entry": _entry("test_a")}, _started("test_b")]


def test_truncated_last_line_is_ignored(tmp_path: Path) -> None:
    path = _write_journal(tmp_path, _died_in_b())
    with path.open("a") as f:
        f.write('{"kind":"result","entry":{"test":"test_x.py::te')  # died mid-write
    code, out, err = run_cli(["report", "--from-journal", str(tmp_path)])
    assert code == 0, err
    report = json.loads((tmp_path / "tf2conf-report.json").read_text())
    assert _outcomes(report) == {"test_a": "passed", "test_b": "crashed"}
    assert report["environment"]["start_time"] == "2026-01-02T03:04:05Z"
    assert "died while running test_x.py::test_b[CPU:0-eager]" in out


@pytest.mark.parametrize(
    "content, problem",
    [
        (None, "cannot read"),
        (b"", "not a tf2conf journal (empty file)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary\n{}\n", "line 1: not UTF-8"),
        (b'{"kind":"started","nodeid":"x"}\n', "no header line"),
        (b'{"kind":"header","journal_version":7}\n', "unsupported journal_version '7'"),
        (b'{"kind":"header","journal_version":1}\n{oops\n{"kind":"finished"}\n', "line 2:"),
        (b'{"kind":"header","journal_version":1}\n{"kind":"result","entry":[]}\n\n', "line 2:"),
        (b'{"kind":"header","journal_version":1,"claims":"x"}\n', "line 1: claims must be"),
        (b'{"kind":"header","journal_version":1}\n{"kind":"nope"}\n', "line 2: not a journal"),
    ],
)
def test_bad_journal_is_one_line_exit_2(tmp_path: Path, content: bytes | None, problem: str):
    if content is not None:
        (tmp_path / journal.JOURNAL_NAME).write_bytes(content)
    code, _, err = run_cli(["report", "--from-journal", str(tmp_path)])
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("tf2conf report: error: ") and journal.JOURNAL_NAME in err, err
    assert problem in err, err


def test_resume_runs_a_crashed_test_once(tmp_path: Path) -> None:
    """First resume: the test that killed the run is run again. If the resumed run dies in
    it too, the next resume keeps it as crashed: resuming in a loop always ends."""
    first = recover.resume_from(journal.read(_write_journal(tmp_path, _died_in_b())))
    b_nodeid = _payload("test_b")["test"]
    assert set(first.tests) == {_payload("test_a")["test"]}
    assert first.done == {_payload("test_a")["test"]}  # test id == node id here
    assert set(first.crashes) == {b_nodeid}

    second_run = tmp_path / "second"
    second_run.mkdir()
    lines = [*first.carried_lines(), _started("test_b")]  # and died in test_b again
    second = recover.resume_from(journal.read(_write_journal(second_run, lines)))
    assert second.tests[b_nodeid]["outcome"] == "crashed"
    assert "not run again" in second.tests[b_nodeid]["message"]
    assert b_nodeid in second.done and not second.crashes


def test_writer_turns_itself_off_when_it_cannot_write(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    writer = journal.JournalWriter(tmp_path / "file" / journal.JOURNAL_NAME)
    writer.open({"environment": {}})
    writer.write("started", nodeid="x")
    writer.close()
    assert writer.error is not None and "cannot write" in writer.error


def test_results_are_fsynced_per_test_unless_fsync_is_slow(tmp_path, monkeypatch) -> None:
    synced: list[int] = []
    monkeypatch.setattr(journal.os, "fsync", synced.append)
    writer = journal.JournalWriter(tmp_path / journal.JOURNAL_NAME)
    writer.open({"environment": {}})
    for name in ("test_a", "test_b"):
        writer.write(**_started(name))  # flushed only: enough when the process dies
        writer.write("result", entry=_entry(name))
    assert len(synced) == 4  # the header, its folder (the rename), then each result
    monkeypatch.setattr(journal, "SLOW_FSYNC", -1.0)  # as if fsync were slow: once a second
    for name in ("test_c", "test_d"):
        writer.write("result", entry=_entry(name))
    writer.write("finished", exitstatus=0, complete=True)  # always synced
    assert len(synced) == 5
    writer.close()
    assert len(journal.read(writer.path).results) == 4


# -- in-process runs: the next run in the folder, bad --tf2conf-resume ------------------------
def _small_suite(pytester: pytest.Pytester) -> Path:
    return pytester.makepyfile(test_small=HEADER + "\n@OK\ndef test_ok(target):\n    pass\n")


def test_next_run_sets_the_dead_runs_journal_aside(pytester: pytest.Pytester) -> None:
    reports = pytester.path / "reports"
    reports.mkdir()
    _write_journal(reports, _died_in_b())
    run = run_conformance_inprocess(pytester, str(_small_suite(pytester)), *ONE_TARGET)
    assert run.result.ret == 0
    (aside,) = reports.glob(f"{recover.CRASHED_RUN_PREFIX}*")
    assert aside.name == "crashed-run-20260102T030405Z"
    run.result.stdout.fnmatch_lines(
        [f"tf2conf: the earlier run in {reports} died while running test_x.py::test_b*"
         f"--tf2conf-resume {aside})"]
    )  # fmt: skip
    earlier = json.loads((aside / "tf2conf-report.json").read_text())
    assert _outcomes(earlier) == {"test_a": "passed", "test_b": "crashed"}
    assert earlier["complete"] is False
    # This run's own journal replaced nothing and ends with its finished line.
    assert _kinds(reports / journal.JOURNAL_NAME) == ["header", "started", "result", "finished"]
    assert run.report["complete"] is True and "resumed_from" not in run.report["environment"]


@pytest.mark.parametrize(
    "make, problem",
    [
        (lambda folder: None, "no such folder"),
        (lambda folder: folder.mkdir(), "cannot read"),
        (lambda folder: (folder.mkdir(), (folder / journal.JOURNAL_NAME).write_text("{x\n{}\n")),
         "line 1: invalid JSON"),
    ],
)  # fmt: skip
def test_bad_resume_folder_is_a_usage_error(pytester: pytest.Pytester, make, problem) -> None:
    folder = pytester.path / "old"
    make(folder)
    args = [str(_small_suite(pytester)), *ONE_TARGET, "--tf2conf-resume", str(folder)]
    run = run_conformance_inprocess(pytester, *args)
    assert run.result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in run.result.errlines if "--tf2conf-resume" in line]
    assert len(errors) == 1 and problem in errors[0], run.result.errlines


# -- hostile journals ------------------------------------------------------------------------
def _valid_journal_lines(folder: Path) -> list[str]:
    lines = [
        *_died_in_b(),
        {"kind": "claims", "claims": _payload("test_z", "demo.z")["claim_info"]},
    ]
    lines += [{"kind": "crash", "nodeid": "n", "payload": _payload("test_c")}]
    return _write_journal(folder, lines).read_text().splitlines()


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            out += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            out += _paths(inner, (*prefix, index))
    return out


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data(), json_values, st.booleans())
def test_mutated_journals_never_crash(tmp_path_factory, data, value: Any, delete: bool) -> None:
    """Replace or delete one field of one line: a report, or one line saying why (exit 2);
    resuming from it is the same or a JournalError (a usage error)."""
    folder = tmp_path_factory.mktemp("hostile")
    lines = [json.loads(line) for line in _valid_journal_lines(folder)]
    index = data.draw(st.integers(0, len(lines) - 1))
    path = data.draw(st.sampled_from(_paths(lines[index])))
    parent = lines[index]
    for key in path[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    text = "\n".join(json.dumps(line) for line in lines) + "\n"
    (folder / journal.JOURNAL_NAME).write_text(text)
    code, _, err = run_cli(["report", "--from-journal", str(folder), "-o", str(folder / "out")])
    assert code in (0, 2), err
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("tf2conf report: error: "), err
    with contextlib.suppress(journal.JournalError):
        recover.resume_from(journal.read(folder / journal.JOURNAL_NAME))
