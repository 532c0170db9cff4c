"""The keras.ops records themselves: they import without TensorFlow or Keras, name real
keras.ops functions, link existing op-database records, and declare valid claims."""

from __future__ import annotations

import subprocess
import sys

import keras

from pytest_tf2conf import keras_ops, ops
from pytest_tf2conf.keras_ops.promotion import lattice
from pytest_tf2conf.keras_ops.record import UNIVERSE
from tests.helpers import ROOT


def test_records_import_without_tensorflow_or_keras() -> None:
    code = (
        "import sys; import pytest_tf2conf.keras_ops as k; n = len(k.records()); "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, sorted(sys.modules)"
        "; print(n)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) >= 200


def test_every_record_names_a_keras_op_and_a_valid_claim() -> None:
    for record in keras_ops.records():
        assert callable(getattr(keras.ops, record.name)), record.name
        assert record.doc.startswith("https://keras.io/api/ops/")
        for claim in (record.value_claim, record.dtype_claim, record.gradient_claim):
            claim.validate()
        assert set(record.all_declared()) <= set(UNIVERSE), record.name
        assert not set(record.open_dtypes) & set(record.all_declared()), record.name
        if record.link is not None:
            assert ops.by_name(record.link).name == record.link
        if record.promotion is not None:
            record.promotion_claim.validate()


def test_coverage_counts() -> None:
    counts = keras_ops.coverage()
    assert counts["functions"] == len(keras_ops.records()) >= 200
    assert counts["linked"] > 50 and counts["with_gradients"] > 30


def test_promotion_rule_is_symmetric_and_idempotent() -> None:
    for a in UNIVERSE:
        assert lattice(a, a) == a
        for b in UNIVERSE:
            assert lattice(a, b) == lattice(b, a)
