"""The behaviour-change section of ``tf2conf diff`` on hand-made reports (no TensorFlow)."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_tf2conf import cli
from pytest_tf2conf.report import diff
from tests.test_report_support import make_report, result, write_report

T = "tensorflow/CPU:0-function"
OLD, NEW = "saving.old-format", "saving.new-format"


def _report(outcomes: dict[str, str], observations: dict[str, dict], keras: str) -> dict:
    results = [
        result(claim, T, outcome, observations=observations.get(claim, {}))
        for claim, outcome in outcomes.items()
    ]
    report = make_report(results, keras=keras)
    for entry in report["claims"]:  # the catalogue as the suites declare it
        if entry["id"] == OLD:
            entry["applies"] = "keras<3"
        if entry["id"] == NEW:
            entry.update(applies="keras>=3", supersedes=OLD, doc="https://keras.io/new")
    return report


def _pair(tmp_path: Path, new_outcome: str = "passed", names: list[str] | None = None):
    base = _report(
        {OLD: "passed", NEW: "skipped", "model.names": "passed"},
        {OLD: {"save wrote": ["saved_model.pb"]}, "model.names": {"names": ["kernel:0"]}},
        keras="2.15.0",
    )
    cand = _report(
        {OLD: "skipped", NEW: new_outcome, "model.names": "passed"},
        {NEW: {"save wrote": []}, "model.names": {"names": names or ["kernel"]}},
        keras="3.15.1",
    )
    return write_report(tmp_path, "b.json", base), write_report(tmp_path, "c.json", cand)


def test_switch_and_changed_observation_are_listed(tmp_path, capsys) -> None:
    paths = _pair(tmp_path)
    assert cli.main(["diff", *paths, "--format", "json"]) == 0  # not a regression
    out = json.loads(capsys.readouterr().out)
    (switch,) = out["behaviour"]["switched"]
    assert (switch["from"]["claim"], switch["to"]["claim"]) == (OLD, NEW)
    assert switch["direction"] == "upgrade" and switch["to"]["doc"] == "https://keras.io/new"
    assert switch["from"]["statement"] == f"{OLD} holds."
    assert switch["observations"] == [
        {"target": T, "name": "save wrote", "baseline": ["saved_model.pb"], "candidate": []}
    ]
    assert out["behaviour"]["observations"] == [
        {
            "claim": "model.names",
            "target": T,
            "name": "names",
            "baseline": ["kernel:0"],
            "candidate": ["kernel"],
        }
    ]
    assert out["regressions"] == []


def test_fail_on_behaviour_change(tmp_path, capsys) -> None:
    paths = _pair(tmp_path)
    assert cli.main(["diff", *paths, "--fail-on-behaviour-change"]) == 1
    text = capsys.readouterr().out
    assert "2 behaviour changes" in text
    assert f"{OLD} -> {NEW} (upgrade; passed -> passed" in text
    # nothing changed at all: the option does not fail
    assert cli.main(["diff", paths[1], paths[1], "--fail-on-behaviour-change"]) == 0


def test_regression_behind_a_switch_decides_the_exit_code(tmp_path, capsys) -> None:
    paths = _pair(tmp_path, new_outcome="failed")
    assert cli.main(["diff", *paths, "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    (row,) = out["regressions"]
    assert row["claim"] == NEW and row["behind"] == f"{OLD} -> {NEW}"
    # the claim-by-claim comparison alone sees only skipped <-> ran changes
    plain = [r for r in out["regressions"] if not r.get("behind")]
    assert plain == []


def test_markdown_section(tmp_path) -> None:
    base, cand = (json.loads(Path(p).read_text()) for p in _pair(tmp_path, "failed"))
    md = diff.render_markdown(diff.compare(base, cand))
    assert "## Behaviour changes (2)" in md
    assert "### Claims that switched documentation" in md
    assert "[doc](https://keras.io/new)" in md and "### Changed observations" in md
    assert f"{NEW} (behind {OLD} -> {NEW})" in md


def test_downgrade_is_listed_the_other_way(tmp_path, capsys) -> None:
    base, cand = _pair(tmp_path)
    assert cli.main(["diff", cand, base, "--format", "json"]) == 0
    (switch,) = json.loads(capsys.readouterr().out)["behaviour"]["switched"]
    assert switch["direction"] == "downgrade" and switch["to"]["claim"] == OLD


def test_observations_in_markdown_and_html() -> None:
    from pytest_tf2conf.report import html as html_report
    from pytest_tf2conf.report import markdown

    report = make_report(
        [result("model.names", T, "passed", observations={"names": ["kernel:0"]})],
        keras="2.21.0",
        keras_flavour="tf_keras",
    )
    md = markdown.render(report)
    assert "keras_flavour tf_keras" in md
    assert (
        "## Observations" in md
        and '| model.names | tensorflow/CPU:0-function | names | `["kernel:0"]` |' in md
    )
    page = html_report.render(report)
    assert 'id="observations"' in page and "[&quot;kernel:0&quot;]" in page


def test_claims_entering_their_range_are_listed_apart(tmp_path, capsys) -> None:
    def report(outcome: str, keras: str) -> dict:
        built = make_report([result("saving.new-api", T, outcome)], keras=keras)
        built["claims"][0]["applies"] = "keras>=3"
        return built

    base = write_report(tmp_path, "b.json", report("skipped", "2.15.0"))
    cand = write_report(tmp_path, "c.json", report("passed", "3.15.1"))
    assert cli.main(["diff", base, cand, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["claim"] for r in out["behaviour"]["entered_range"]] == ["saving.new-api"]
    assert out["other_changes"] == []  # listed once, in the behaviour section
    md = diff.render_markdown(
        diff.compare(*(json.loads(Path(p).read_text()) for p in (base, cand)))
    )
    assert "### Documented for the candidate only" in md


def test_a_whole_area_entering_its_range_is_one_markdown_line(tmp_path) -> None:
    """keras.ops on Keras 3 after Keras 2: hundreds of claims enter their range; the
    Markdown sums them up per area (the JSON keeps each), single claims stay listed."""
    ids = [f"keras_ops.op{i}" for i in range(diff.RANGE_ROWS_PER_AREA + 1)] + ["saving.new-api"]

    def report(outcome: str, keras: str) -> dict:
        built = make_report([result(i, T, outcome) for i in ids], keras=keras)
        for entry in built["claims"]:
            entry["applies"] = "keras>=3"
        return built

    base = report("skipped", "2.15.0")
    cand = report("passed", "3.15.1")
    compared = diff.compare(base, cand)
    assert len(compared["behaviour"]["entered_range"]) == len(ids)
    md = diff.render_markdown(compared)
    assert f"area `keras_ops` (keras>=3): {len(ids) - 1} claims ({len(ids) - 1} passed)" in md
    assert "- `saving.new-api` (keras>=3, passed)" in md
    assert "`keras_ops.op8`" not in md  # summed up, not listed
