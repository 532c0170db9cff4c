"""``--tf2conf-expectations`` on broken or hostile files: one line, usage error, no traceback.

Like the report JSON in ``test_cli_hostile_inputs.py``, but through the plugin: each file
stops the run with pytest's usage-error exit code (4) and one ``ERROR:`` line naming the
file and the problem.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_tf2conf import expectations
from pytest_tf2conf.expectations import MAX_FILE_BYTES
from tests.helpers import run_conformance_inprocess
from tests.test_report_support import make_planted

ENTRY = '[[expectation]]\nclaim = "demo.planted-fault"\nreason = "known"\n'

# name -> (file contents, or a function making the path; a fragment of the expected error)
CASES: dict[str, tuple[bytes | Callable[[Path], Path], str]] = {
    "empty": (b"", "empty file"),
    "blank": (b"  \n\n", "empty file"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not UTF-8 text"),
    "nul bytes": (b"\x00\x01\x02", "not valid TOML"),
    "invalid toml": (b"[[expectation]\nclaim = 'x'\n", "not valid TOML"),
    "deep nesting": (b"a = [" * 5000, "not valid TOML"),
    "claim is a number": (b"[[expectation]]\nclaim = 3\n", "claim must be a non-empty string"),
    "unknown action": (ENTRY.encode() + b'action = "maybe"\n', "action must be one of"),
    "bad version range": (ENTRY.encode() + b'tensorflow = ">=x"\n', "bad version range '>=x'"),
    "version is a list": (ENTRY.encode() + b"tensorflow = ['2.21']\n", "tensorflow must be"),
    "strict is text": (ENTRY.encode() + b'strict = "yes"\n', "strict must be true or false"),
    "unknown entry key": (ENTRY.encode() + b'colour = "red"\n', "unknown key 'colour'"),
    "unknown table": (b"[settings]\nx = 1\n", "unknown key 'settings'"),
    "no selector": (b'[[expectation]]\nmode = "xla"\nreason = "r"\n', "give a claim or a test"),
    "not an array": (b"expectation = 3\n", "must be an array of tables"),
    "huge": (ENTRY.encode() + b"#" * (MAX_FILE_BYTES + 1) + b"\n", "larger than"),
    "directory": (lambda folder: _mkdir(folder / "exp.toml"), "Is a directory"),
    "missing": (lambda folder: folder / "nowhere" / "exp.toml", "No such file"),
}


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def _run_with(pytester: pytest.Pytester, path: Path):
    planted = make_planted(pytester)
    return run_conformance_inprocess(
        pytester, str(planted), "--tf2conf-devices", "CPU:0", "--tf2conf-modes", "eager",
        "--tf2conf-expectations", str(path), profile="quick",
    )  # fmt: skip


def _assert_one_line_usage_error(run, path: Path, fragment: str) -> None:
    result = run.result
    output = "\n".join(result.outlines + result.errlines)
    assert result.ret == pytest.ExitCode.USAGE_ERROR, output
    errors = [line for line in result.errlines if line.startswith("ERROR:")]
    assert len(errors) == 1, output
    assert str(path) in errors[0] and fragment in errors[0], errors[0]
    assert "Traceback" not in output


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_expectations_file_is_a_one_line_usage_error(
    pytester: pytest.Pytester, case: str
) -> None:
    contents, fragment = CASES[case]
    if callable(contents):
        path = contents(pytester.path)
    else:
        path = pytester.path / "exp.toml"
        path.write_bytes(contents)
    run = _run_with(pytester, path)
    _assert_one_line_usage_error(run, path, fragment)
    assert not (pytester.path / "reports").exists()  # stopped before any report


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root reads a file whatever its mode, so chmod 000 does not make it unreadable",
)
def test_unreadable_expectations_file_is_a_one_line_usage_error(pytester: pytest.Pytester):
    path = pytester.path / "exp.toml"
    path.write_text(ENTRY)
    path.chmod(0)
    try:
        run = _run_with(pytester, path)
    finally:
        path.chmod(0o600)
    _assert_one_line_usage_error(run, path, "Permission denied")


def test_a_file_with_comments_only_is_valid(pytester: pytest.Pytester) -> None:
    """What `tf2conf expectations --from-report` writes for a run without failures."""
    path = pytester.path / "exp.toml"
    path.write_text("# tf2conf expectations written from report.json\n# 0 entries\n")
    run = _run_with(pytester, path)
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED  # the planted fault, not expected
    assert run.report["expectations"]["entries"] == 0


# Parsed TOML of any shape: known and unknown keys, values of every TOML type.
toml_values = st.recursive(
    st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)
entry_keys = st.sampled_from(expectations.KEYS) | st.text(max_size=6)
entries = st.dictionaries(entry_keys, toml_values | st.sampled_from(["xfail", "skip", "a.*"]))
documents = st.dictionaries(
    st.sampled_from(["expectation"]) | st.text(max_size=6),
    st.lists(entries, max_size=3) | toml_values,
    max_size=2,
)


@settings(max_examples=200, deadline=None)
@given(documents)
def test_any_parsed_document_is_accepted_or_one_line_error(data) -> None:
    try:
        parsed = expectations.from_data(data, "exp.toml")
    except expectations.ExpectationError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("exp.toml: ")
        assert len(str(exc)) < 400
    else:
        assert all(e.claim or e.test for e in parsed)
