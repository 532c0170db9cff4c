"""``tf2conf coverage``: the op database's reach over the public API, and a user's calls."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_tf2conf import cli, coverage

SOURCE = """
import numpy as np
import tensorflow as tf
from tensorflow import math as tm
from tensorflow.math import erfc

def model(x):
    y = tf.math.erf(x) + tm.approx_max_k(x, 1)    # erf: pinned; approx_max_k: not
    z = erfc(y) + tf.nn.approx_max_k(y, 1)         # the same function as tf.math's
    return np.sum(z) + tf.constant(1.0).numpy()
"""


def test_calls_are_found_through_every_import_form(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(SOURCE)
    calls = sorted(call for _, call in coverage.calls_in(path))
    assert calls == [
        "tf.constant",
        "tf.math.approx_max_k",
        "tf.math.erf",
        "tf.math.erfc",
        "tf.nn.approx_max_k",
    ]


def test_unparsable_files_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text("def (:\n")
    assert coverage.calls_in(path) == []


def test_coverage_command_reports_pinned_and_unpinned(tmp_path: Path, capsys) -> None:
    (tmp_path / "model.py").write_text(SOURCE)
    assert cli.main(["coverage", "--format", "json", "--scan", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    math = data["namespaces"]["tf.math"]
    assert "tf.math.erf" in math["pinned"] and "tf.math.approx_max_k" in math["unpinned"]
    assert "tf.erf" not in data["namespaces"]["tf"]["pinned"]  # not exported at top level
    unpinned = {(c["call"], c["line"]) for c in data["unpinned_calls"]}
    # erf and erfc are records of the database; approx_max_k (both names), constant are not
    assert unpinned == {("tf.math.approx_max_k", 8), ("tf.nn.approx_max_k", 9), ("tf.constant", 10)}
    assert data["totals"]["pinned_names"] >= 300


def test_missing_scan_path_is_one_line(tmp_path: Path, capsys) -> None:
    assert cli.main(["coverage", "--scan", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file or folder" in err
