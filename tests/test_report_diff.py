"""``tf2conf diff``: regressions (exit 1), fixes, changes, in text, Markdown and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_tf2conf import cli
from tests.test_report_support import make_report, result, write_report

BASE = [
    result("eager.a", "CPU:0-eager", "passed"),
    result("eager.b", "CPU:0-eager", "failed", "off by one"),
    result("eager.c", "CPU:0-eager", "failed", "old message"),
    result("eager.d", "CPU:0-eager", "passed"),
    result("eager.gone", "CPU:0-eager", "passed"),
    result("eager.e", "CPU:0-xla", "passed"),
]
CAND = [
    result("eager.a", "CPU:0-eager", "failed", "now wrong"),  # regression
    result("eager.b", "CPU:0-eager", "passed"),  # fix
    result("eager.c", "CPU:0-eager", "failed", "new message"),  # changed message
    result("eager.d", "CPU:0-eager", "passed"),
    result("eager.new", "CPU:0-eager", "passed"),
    result("eager.e", "CPU:0-function", "passed"),
]


@pytest.fixture
def pair(tmp_path: Path) -> tuple[str, str]:
    return (
        write_report(tmp_path, "base.json", make_report(BASE, tensorflow="2.20.0")),
        write_report(tmp_path, "cand.json", make_report(CAND)),
    )


def test_diff_json_lists_every_kind_of_change(pair, capsys) -> None:
    assert cli.main(["diff", *pair, "--format", "json"]) == 1
    diff = json.loads(capsys.readouterr().out)
    assert [(r["claim"], r["candidate"]) for r in diff["regressions"]] == [("eager.a", "failed")]
    assert diff["regressions"][0]["message"] == "now wrong"
    assert [r["claim"] for r in diff["fixes"]] == ["eager.b"]
    assert [(r["old"], r["new"]) for r in diff["changed_messages"]] == [
        ("old message", "new message")
    ]
    assert diff["claims_added"] == ["eager.new"] and diff["claims_removed"] == ["eager.gone"]
    assert diff["targets_added"] == ["CPU:0-function"]
    assert diff["targets_removed"] == ["CPU:0-xla"]
    tf_row = {"key": "tensorflow", "baseline": "2.20.0", "candidate": "2.21.0"}
    assert tf_row in diff["environment"]
    # what both reports hold, per area, with the candidate's outcomes
    assert diff["compared"] == {"eager": {"claims": 4, "outcomes": {"failed": 2, "passed": 2}}}


def test_diff_text_and_markdown(pair, capsys) -> None:
    assert cli.main(["diff", *pair]) == 1
    text = capsys.readouterr().out
    assert "1 regressions" in text and "eager.a on CPU:0-eager: passed -> failed" in text
    assert "tensorflow: 2.20.0 -> 2.21.0" in text
    assert cli.main(["diff", *pair, "--format", "md"]) == 1
    md = capsys.readouterr().out
    assert md.startswith("# tf2conf diff: ❌ regressions")
    assert "| eager.a | CPU:0-eager | passed | failed | now wrong |" in md
    assert "| eager | 4 | 4 | failed 2, passed 2 |" in md.split("## Compared", 1)[1]


def test_no_regression_exits_zero(tmp_path: Path, capsys) -> None:
    same = write_report(tmp_path, "a.json", make_report(BASE))
    assert cli.main(["diff", same, same]) == 0
    assert "0 regressions" in capsys.readouterr().out


@pytest.mark.parametrize("now", ["error", "crashed", "unsupported"])
def test_every_kind_of_failure_is_a_regression(tmp_path: Path, now: str) -> None:
    a = write_report(tmp_path, "a.json", make_report([result("x.y", "CPU:0-eager", "passed")]))
    b = write_report(tmp_path, "b.json", make_report([result("x.y", "CPU:0-eager", now)]))
    assert cli.main(["diff", a, b, "--format", "json", "-o", str(tmp_path / "d.json")]) == 1
    assert json.loads((tmp_path / "d.json").read_text())["regressions"][0]["candidate"] == now


def test_missing_file_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    assert cli.main(["diff", str(tmp_path / "nope.json"), str(tmp_path / "nope.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("tf2conf diff: error: cannot read")


def test_run_specific_noise_is_not_a_changed_message(tmp_path: Path, capsys) -> None:
    def failing(message: str) -> str:
        row = result("graph.v", "CPU:0-xla", "failed", message)
        return write_report(tmp_path, f"{abs(hash(message))}.json", make_report([row]))

    a = failing("Uninitialized: __inference_body_73743[config_proto=998183] at 0x7f00aa")
    b = failing("Uninitialized: __inference_body_69669[config_proto=122701] at 0x7f11bb")
    c = failing("Uninitialized: something else")
    assert cli.main(["diff", a, b, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["changed_messages"] == []
    assert cli.main(["diff", a, c, "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["changed_messages"]) == 1


def _diff(tmp_path, capsys, base: list, cand: list, exit_code: int) -> dict:
    """``tf2conf diff --format json`` of two hand-made reports (baseline on TF 2.15.1)."""
    paths = (
        write_report(tmp_path, "base.json", make_report(base, tensorflow="2.15.1")),
        write_report(tmp_path, "cand.json", make_report(cand)),
    )
    assert cli.main(["diff", *paths, "--format", "json"]) == exit_code
    return json.loads(capsys.readouterr().out)


def test_a_failure_the_candidate_declares_is_no_fix(tmp_path, capsys) -> None:
    """failed -> xfailed: the same failure, now a known deviation (e.g. an entry whose
    TensorFlow range starts after the baseline's release): listed, not counted as fixed."""
    base = [
        result("ops.x", "CPU:0-eager", "failed", "wrong"),
        result("ops.y", "CPU:0-eager", "failed", "w"),
    ]
    cand = [
        result("ops.x", "CPU:0-eager", "xfailed", "wrong"),
        result("ops.y", "CPU:0-eager", "passed"),
    ]
    diff = _diff(tmp_path, capsys, base, cand, exit_code=0)
    assert [r["claim"] for r in diff["fixes"]] == ["ops.y"]
    assert [(r["claim"], r["candidate"]) for r in diff["other_changes"]] == [("ops.x", "xfailed")]


def test_a_claim_that_held_and_is_a_known_deviation_now_is_a_regression(tmp_path, capsys) -> None:
    """passed (or xpassed) -> xfailed: the candidate's release declares the failure a known
    deviation (bfloat16 Conv2D: right on TF 2.15.1, wrong on 2.21.0), still a regression."""
    base = [result("ops.x", "CPU:0-eager", "passed"), result("ops.y", "CPU:0-eager", "xpassed")]
    cand = [
        result("ops.x", "CPU:0-eager", "xfailed", "wrong"),
        result("ops.y", "CPU:0-eager", "xfailed"),
    ]
    diff = _diff(tmp_path, capsys, base, cand, exit_code=1)
    assert [r["claim"] for r in diff["regressions"]] == ["ops.x", "ops.y"]
    assert "known deviation" in diff["regressions"][0]["message"]
