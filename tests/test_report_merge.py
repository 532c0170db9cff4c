"""``tf2conf merge`` and ``--tf2conf-shard``: one report over several runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_tf2conf import cli
from pytest_tf2conf.report import merge, schema
from tests.helpers import run_conformance_inprocess
from tests.test_report_support import make_planted, make_report, result, write_report


def test_runs_on_two_tf_versions_get_qualified_targets(tmp_path: Path, capsys) -> None:
    old = make_report([result("eager.a", "CPU:0-eager", "passed")], tensorflow="2.20.0")
    new = make_report([result("eager.a", "CPU:0-eager", "failed", "boom")], tensorflow="2.21.0")
    out = tmp_path / "out" / "merged.json"
    paths = [write_report(tmp_path, "a.json", old), write_report(tmp_path, "b.json", new)]
    assert cli.main(["merge", *paths, "-o", str(out)]) == 0
    merged = json.loads(out.read_text())
    assert merged["summary"]["targets"] == ["tf2.20/CPU:0-eager", "tf2.21/CPU:0-eager"]
    assert [r["run"] for r in merged["results"]] == [0, 1]
    runs = merged["environment"]["runs"]
    assert [r["tensorflow"] for r in runs] == ["2.20.0", "2.21.0"]
    assert merged["environment"]["host"] == "ci-1"  # common keys stay on top
    assert "tensorflow" not in merged["environment"]
    assert merged["summary"] == schema.summarize(merged["claims"], merged["results"])
    assert out.with_suffix(".md").is_file() and out.with_suffix(".html").is_file()
    failing = next(r for r in merged["results"] if r["outcome"] == "failed")
    assert (out.parent / failing["repro"]).is_file()  # repro scripts regenerated
    assert "TensorFlow 2.21.0" in (out.parent / failing["repro"]).read_text()


def test_qualifiers_name_only_what_differs() -> None:
    base = {"tensorflow": "2.21.0", "keras_backend": "tensorflow", "host": "a"}
    assert merge.qualifiers([base, dict(base)]) == ["", ""]
    assert merge.qualifiers([base, {**base, "keras_backend": "jax", "host": "b"}]) == [
        "tensorflow/a",
        "jax/b",
    ]
    assert merge.qualifiers([base, {**base, "tensorflow": "2.21.1"}]) == [
        "tf2.21.0",
        "tf2.21.1",
    ]
    # Shards run on different CI machines: the host does not tell them apart.
    shards = [{**base, "shard": "1/2"}, {**base, "host": "b", "shard": "2/2"}]
    assert merge.qualifiers(shards) == ["", ""]
    assert merge.qualifiers(shards, ("host",)) == ["a", "b"]


def test_qualify_option(tmp_path: Path) -> None:
    a = make_report([result("e.a", "CPU:0-eager", "passed")], host="h1")
    b = make_report([result("e.a", "CPU:0-eager", "passed")], host="h2", tensorflow="2.20.0")
    paths = [write_report(tmp_path, "a.json", a), write_report(tmp_path, "b.json", b)]
    out = tmp_path / "m.json"
    assert cli.main(["merge", *paths, "-o", str(out), "--qualify", "host"]) == 0
    assert json.loads(out.read_text())["summary"]["targets"] == ["h1/CPU:0-eager", "h2/CPU:0-eager"]
    assert cli.main(["merge", *paths, "-o", str(out), "--qualify", "none"]) == 0
    assert json.loads(out.read_text())["summary"]["targets"] == ["CPU:0-eager"]


def test_merging_a_merged_report_is_refused(tmp_path: Path, capsys) -> None:
    merged = merge.merge([make_report([result("a.b", "CPU:0-eager", "passed")])])
    path = write_report(tmp_path, "m.json", merged)
    assert cli.main(["merge", path, "-o", str(tmp_path / "x.json")]) == 2
    assert "already a merged report" in capsys.readouterr().err


def test_shards_partition_the_run_and_merge_back(pytester: pytest.Pytester, tmp_path) -> None:
    path = str(make_planted(pytester))
    common = (path, "--tf2conf-devices", "CPU:0,CPU:1", "--tf2conf-modes", "eager,function")
    full = run_conformance_inprocess(pytester, *common, profile="quick")
    shards = []
    for index in (1, 2):
        run = run_conformance_inprocess(
            pytester, *common, "--tf2conf-shard", f"{index}/2", profile="quick"
        )
        assert run.report["environment"]["shard"] == f"{index}/2"
        shards.append(run.report)
    ids = [{r["nodeid"] for r in s["results"]} for s in shards]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
    assert ids[0] | ids[1] == {r["nodeid"] for r in full.report["results"]}
    merged = merge.merge(shards)
    assert merged["summary"]["targets"] == full.report["summary"]["targets"]  # unqualified
    assert schema.claim_outcomes(merged["results"]) == full.outcomes


def test_bad_shard_is_a_usage_error(pytester: pytest.Pytester) -> None:
    path = str(make_planted(pytester))
    run = run_conformance_inprocess(pytester, path, "--tf2conf-shard", "3/2")
    assert run.result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--tf2conf-shard" in "\n".join(run.result.errlines)


def test_keras_backend_reports_merge_without_repeating_the_backend() -> None:
    """Keras targets already name their backend; a run without TensorFlow is 'no-tf'."""
    tf_run = make_report(
        [result("model.x", "tensorflow/CPU:0-function", "passed")], keras_backend="tensorflow"
    )
    jax_run = make_report(
        [result("model.x", "jax/cpu:0-function", "failed")], keras_backend="jax", tensorflow=None
    )
    merged = merge.merge([tf_run, jax_run])
    assert sorted(r["target"] for r in merged["results"]) == [
        "no-tf/jax/cpu:0-function",
        "tf2.21/tensorflow/CPU:0-function",
    ]
