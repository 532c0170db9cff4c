"""diff / merge / expectations on broken or hostile files: one line on stderr, exit 2.

Hypothesis throws truncated, binary, wrong-version, mistyped and random JSON/TOML at the
commands in process (``cli.main``); none may end in a traceback.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_tf2conf import cli
from tests.test_report_support import make_report, result

VALID = make_report(
    [
        result("eager.a", "CPU:0-eager", "passed"),
        result("eager.b", "CPU:0-eager", "failed", "bad", blob=["6.1", "AAA"]),
        result("graph.c", "CPU:1-xla", "crashed", "worker died"),
    ]
)
VALID_TEXT = json.dumps(VALID)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


def run_cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(args)
    return code, out.getvalue(), err.getvalue()


def check_rejected_cleanly(code: int, err: str, allowed: tuple[int, ...] = (2,)) -> None:
    assert code in allowed, err
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("tf2conf "), err
        assert "Traceback" not in err


def commands(bad: str, good: str, folder: Path) -> list[list[str]]:
    return [
        ["diff", bad, good],
        ["diff", good, bad, "--format", "md"],
        ["merge", good, bad, "-o", str(folder / "merged.json")],
        ["expectations", "--from-report", bad],
    ]


@contextlib.contextmanager
def with_files(contents: dict[str, bytes]) -> Iterator[tuple[Path, dict[str, str]]]:
    with tempfile.TemporaryDirectory(prefix="tf2conf-hostile-") as name:
        folder = Path(name)
        paths = {}
        for file_name, data in contents.items():
            (folder / file_name).write_bytes(data)
            paths[file_name] = str(folder / file_name)
        yield folder, paths


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n",
        VALID_TEXT[: len(VALID_TEXT) // 2].encode(),  # truncated
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe",  # binary
        json.dumps({**VALID, "schema_version": 2}).encode(),
        json.dumps({**VALID, "schema_version": "1"}).encode(),
        json.dumps({**VALID, "results": {"a": 1}}).encode(),
        b"[" * 200_000,  # nesting deeper than the recursion limit
        b"1" * 10_000,  # an integer beyond Python's digit limit
        b'{"schema_version": 1, "results": [{"claim": "a", "target": "t", "test": "x", '
        b'"outcome": "<script>"}]}',
        json.dumps([VALID]).encode(),
        b"\xef\xbb\xbf" + VALID_TEXT.encode(),  # BOM: not plain JSON
    ],
)
def test_known_bad_reports(data: bytes) -> None:
    with with_files({"bad.json": data, "good.json": VALID_TEXT.encode()}) as (folder, paths):
        for args in commands(paths["bad.json"], paths["good.json"], folder):
            code, _, err = run_cli(args)
            check_rejected_cleanly(code, err)


@FAST
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    with with_files({"bad.json": data, "good.json": VALID_TEXT.encode()}) as (folder, paths):
        for args in commands(paths["bad.json"], paths["good.json"], folder)[:1]:
            code, _, err = run_cli(args)
            check_rejected_cleanly(code, err)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            out += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            out += _paths(inner, (*prefix, index))
    return out


PATHS = [p for p in _paths(VALID) if p]


@FAST
@given(st.sampled_from(PATHS), json_values, st.booleans())
def test_mutated_reports_never_crash(path: tuple, value: Any, delete: bool) -> None:
    """Replace or delete one field anywhere: the tools either cope or say why, in one line."""
    report = json.loads(VALID_TEXT)
    parent = report
    for key in path[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    with with_files(
        {"bad.json": json.dumps(report).encode(), "good.json": VALID_TEXT.encode()}
    ) as (folder, paths):
        for args in commands(paths["bad.json"], paths["good.json"], folder):
            code, _, err = run_cli(args)
            check_rejected_cleanly(code, err, allowed=(0, 1, 2))


@FAST
@given(json_values)
def test_random_json_documents(value: Any) -> None:
    files = {"bad.json": json.dumps(value).encode(), "good.json": VALID_TEXT.encode()}
    with with_files(files) as (_folder, paths):
        code, _, err = run_cli(["diff", paths["bad.json"], paths["good.json"]])
        check_rejected_cleanly(code, err)


@FAST
@given(st.text(max_size=200) | st.binary(max_size=200))
def test_hostile_expectations_files(data: str | bytes) -> None:
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    with with_files({"e.toml": raw}) as (_folder, paths):
        code, _, err = run_cli(["expectations", "--check", paths["e.toml"]])
        check_rejected_cleanly(code, err, allowed=(0, 2))


@pytest.mark.parametrize(
    "text",
    [
        "[[expectation]]\nclaim = '" + "a" * 5000 + "'\n",
        "a = [" * 5000,
        "[[expectation]]\nclaim = 'x.*'\ntensorflow = '>=2.20, <'\n",
        "[[expectation]]\nclaim = 'x.*'\n[[expectation]]\ntest = 3\n",
        "\x00\x01",
    ],
)
def test_known_bad_expectations(text: str) -> None:
    with with_files({"e.toml": text.encode()}) as (_folder, paths):
        code, _, err = run_cli(["expectations", "--check", paths["e.toml"]])
        check_rejected_cleanly(code, err)


@pytest.mark.parametrize(
    "make_args",
    [
        lambda folder, good: ["expectations", "--from-report", str(folder)],  # a directory
        lambda folder, good: ["expectations", "--from-report", str(folder / "missing.json")],
        lambda folder, good: ["expectations", "--from-report", good, "-o", str(folder)],
        lambda folder, good: ["expectations", "--check", str(folder)],
        lambda folder, good: ["expectations", "--check", str(folder / "missing.toml")],
    ],
    ids=["report-dir", "report-missing", "output-dir", "check-dir", "check-missing"],
)
def test_expectations_command_on_bad_paths(make_args) -> None:
    with with_files({"good.json": VALID_TEXT.encode()}) as (folder, paths):
        code, _, err = run_cli(make_args(folder, paths["good.json"]))
        check_rejected_cleanly(code, err)
        assert str(folder) in err
