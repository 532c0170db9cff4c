"""Expectations: parsing, matching, application at collection, and the baseline round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_tf2conf import cli, expectations
from pytest_tf2conf.expectations import ExpectationError, VersionRange
from tests.helpers import run_conformance_inprocess
from tests.test_report_support import make_planted, make_report, result, write_report

FACTS = {
    "claims": ["eager.floordiv-rounds-down"],
    "test": "eager/test_arith.py::test_floordiv[CPU:1-xla]",
    "device": "CPU:1",
    "mode": "xla",
    "backend": None,
}


@pytest.mark.parametrize(
    ("spec", "version", "expected"),
    [
        (">=2.20,<2.22", "2.21.0", True),
        (">=2.20,<2.22", "2.22.0", False),
        (">=2.20,<2.22", "2.19.1", False),
        ("==2.21.*", "2.21.3", True),
        ("==2.21.*", "2.2.1", False),
        ("!=2.21.0", "2.21.0", False),
        ("2.15.1", "2.15.1", True),
        (">2.15", "2.15.1", True),
        ("<2.21", "2.21.0rc1", False),  # pre-release tags are ignored (2.21.0rc1 ~ 2.21.0)
        ("~=2.20", "2.99.0", True),
        ("~=2.20.1", "2.21.0", False),
    ],
)
def test_version_ranges(spec: str, version: str, expected: bool) -> None:
    assert VersionRange.parse(spec).contains(version) is expected


@pytest.mark.parametrize("bad", ["", ">=", "=>2.1", "2.*.1", ">=2.20;<3"])
def test_bad_version_range_is_an_error(bad: str) -> None:
    with pytest.raises(ExpectationError):
        VersionRange.parse(bad)


@pytest.mark.parametrize(
    ("entry", "matches"),
    [
        ('claim = "eager.*"', True),
        ('claim = "graph.*"', False),
        ('test = "eager/test_arith.py::test_floordiv"', True),
        ('test = "eager/test_arith.py::test_floordiv[CPU:1-xla]"', True),
        ('test = "eager/*::test_floor*"', True),
        ('claim = "eager.*"\ndevice_type = "cpu"\nmode = "xla"', True),
        ('claim = "eager.*"\ndevice = "CPU:0"', False),
        ('claim = "eager.*"\nbackend = "jax"', False),
        ('claim = "eager.*"\ntensorflow = ">=2.20,<2.22"', True),
        ('claim = "eager.*"\ntensorflow = "<2.20"', False),
    ],
)
def test_matching(entry: str, matches: bool) -> None:
    (parsed,) = expectations.parse(f'[[expectation]]\n{entry}\nreason = "r"\n')
    assert parsed.matches(FACTS, "2.21.0") is matches


@pytest.mark.parametrize(
    ("entry", "keras_version", "matches"),
    [
        ('keras = ">=3"', "3.15.1", True),
        ('keras = ">=3"', "2.15.0", False),  # tf.keras of TF 2.15, or tf_keras
        ('keras = "<3"', "2.21.0", True),
        ('keras = "<3"', None, False),  # no Keras in the run: a Keras entry cannot hold
        ('keras = "<3"\ntensorflow = ">=2.16"', "2.21.0", True),
        ('keras = "<3"\ntensorflow = "<2.16"', "2.21.0", False),
    ],
)
def test_matching_on_the_keras_version(
    entry: str, keras_version: str | None, matches: bool
) -> None:
    (parsed,) = expectations.parse(f'[[expectation]]\nclaim = "eager.*"\n{entry}\nreason = "r"\n')
    assert parsed.matches(FACTS, "2.21.0", keras_version) is matches
    assert parsed.as_dict().get("keras") == parsed.keras.text


def test_a_bad_keras_range_names_its_key() -> None:
    with pytest.raises(ExpectationError, match="keras"):
        expectations.parse('[[expectation]]\nclaim = "eager.*"\nkeras = "=>3"\n')


@pytest.mark.parametrize(
    ("pattern", "bundled", "matches"),
    [
        ("eager/test_arith.py::test_floordiv", True, True),  # the test id, as ever
        ("suites/eager/test_arith.py::test_floordiv", True, True),  # node id from a checkout
        ("pytest_tf2conf/suites/eager/test_arith.py::test_floordiv", True, True),  # old layout
        ("pytest_tf2conf/suites/eager/*::test_floor*", True, True),
        ("suites/eager/test_arith.py::test_floordiv", False, False),  # a user's own test
    ],
)
def test_a_bundled_test_matches_by_its_node_id_in_either_layout(
    pattern: str, bundled: bool, matches: bool
) -> None:
    (parsed,) = expectations.parse(f'[[expectation]]\ntest = "{pattern}"\nreason = "r"\n')
    assert parsed.matches({**FACTS, "bundled": bundled}, "2.21.0") is matches


@pytest.mark.parametrize(
    "text",
    [
        "[[expectation]]\naction = 'xfail'\n",  # no claim/test
        "[[expectation]]\nclaim = 'a.*'\naction = 'ignore'\n",
        "[[expectation]]\nclaim = 'a.*'\nstrict = 'yes'\n",
        "[[expectation]]\nclaim = 'a.*'\ncolour = 'red'\n",
        "[[expectation]]\nclaim = 1\n",
        "expectation = 3\n",
        "[other]\nx = 1\n",
        "[[expectation]\n",
    ],
)
def test_bad_files_are_one_line_errors(text: str) -> None:
    with pytest.raises(ExpectationError) as info:
        expectations.parse(text)
    assert "\n" not in str(info.value)


def test_entries_from_report_pick_device_type_only_when_all_devices_fail() -> None:
    rows = [
        result("eager.a", "CPU:0-xla", "failed", "bad"),
        result("eager.a", "CPU:1-xla", "failed", "bad"),
        result("eager.b", "CPU:0-eager", "error", "boom"),
        result("eager.b", "CPU:1-eager", "passed"),
        result("eager.c", "CPU:0-eager", "unsupported"),
    ]
    entries = expectations.entries_from_report(make_report(rows))
    assert [(e["claim"], e.get("device_type"), e.get("device"), e["mode"]) for e in entries] == [
        ("eager.a", "CPU", None, "xla"),
        ("eager.b", None, "CPU:0", "eager"),
    ]
    assert all(e["tensorflow"] == "==2.21.*" and e["strict"] for e in entries)
    parsed = expectations.parse(expectations.to_toml(entries, "header\nline two"))
    assert [p.reason for p in parsed] == ["bad", "boom"]


def test_unmatched_entries_warn_and_are_reported(pytester: pytest.Pytester) -> None:
    path = make_planted(pytester)
    toml = pytester.path / "exp.toml"
    toml.write_text(
        '[[expectation]]\nclaim = "demo.planted-fault"\nreason = "known"\n\n'
        '[[expectation]]\nclaim = "nothing.here"\nreason = "stale"\n'
    )
    run = run_conformance_inprocess(
        pytester, str(path), "--tf2conf-devices", "CPU:0", "--tf2conf-modes", "eager",
        "--tf2conf-expectations", str(toml), profile="quick",
    )  # fmt: skip
    assert run.result.ret == 0
    assert run.outcomes[("demo.planted-fault", "CPU:0-eager")] == "xfailed"
    info = run.report["expectations"]
    assert info["applied"] == 1 and info["entries"] == 2
    assert [u["claim"] for u in info["unmatched"]] == ["nothing.here"]
    assert "matches no collected test" in run.result.stdout.str()
    assert "Unmatched" in (pytester.path / "reports" / "tf2conf-report.md").read_text()


def test_strict_xfail_that_passes_is_reported_fixed(pytester: pytest.Pytester) -> None:
    path = make_planted(pytester)
    toml = pytester.path / "exp.toml"
    toml.write_text('[[expectation]]\nclaim = "demo.double-doubles"\nreason = "was broken"\n')
    run = run_conformance_inprocess(
        pytester, str(path), "--tf2conf-devices", "CPU:0", "--tf2conf-modes", "eager",
        "--tf2conf-expectations", str(toml), "-k", "double", profile="quick",
    )  # fmt: skip
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED  # strict: the run fails
    assert run.outcomes[("demo.double-doubles", "CPU:0-eager")] == "xpassed"
    (row,) = run.report["results"]
    assert row["expectation"]["reason"] == "was broken"
    assert "fixed (xpassed" in (pytester.path / "reports" / "tf2conf-report.md").read_text()


def test_bad_expectations_file_is_a_usage_error(pytester: pytest.Pytester) -> None:
    path = make_planted(pytester)
    toml = pytester.path / "exp.toml"
    toml.write_text("[[expectation]]\nclaim = 'x.*'\naction = 'explode'\n")
    run = run_conformance_inprocess(pytester, str(path), "--tf2conf-expectations", str(toml))
    assert run.result.ret == pytest.ExitCode.USAGE_ERROR


def test_round_trip_baseline_then_rerun_is_green(pytester: pytest.Pytester, capsys) -> None:
    """Planted fault -> report -> `tf2conf expectations` -> rerun: exit 0, all xfailed."""
    path = make_planted(pytester)
    args = (str(path), "--tf2conf-devices", "CPU:0,CPU:1", "--tf2conf-modes", "eager,function")
    first = run_conformance_inprocess(pytester, *args, profile="ci")
    assert first.result.ret == pytest.ExitCode.TESTS_FAILED
    failing = {k for k, v in first.outcomes.items() if v == "failed"}
    assert len(failing) == 4
    saved = write_report(pytester.path, "baseline.json", first.report)
    toml = pytester.path / "expectations.toml"
    assert cli.main(["expectations", "--from-report", saved, "-o", str(toml)]) == 0
    assert cli.main(["expectations", "--check", str(toml)]) == 0
    assert 'device_type = "CPU"' in toml.read_text()
    second = run_conformance_inprocess(
        pytester, *args, "--tf2conf-expectations", str(toml), profile="ci"
    )
    assert second.result.ret == 0
    assert {k for k, v in second.outcomes.items() if v == "xfailed"} == failing
    assert second.report["expectations"]["unmatched"] == []


def test_expectations_command_on_bad_report(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "r.json"
    bad.write_text('{"schema_version": 1, "results": [')
    assert cli.main(["expectations", "--from-report", str(bad)]) == 2
    assert "truncated" in capsys.readouterr().err
