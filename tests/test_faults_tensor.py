"""Planted faults in tensor metadata are caught by the tensor suite; stock TF passes it.

Each fault monkeypatches the TensorFlow attribute that the suite calls, runs the affected
tests in process on CPU:0 and checks that the matching claim fails.
"""

from __future__ import annotations

import tensorflow as tf

from tests.helpers import suite


def _run(run_conformance, path: str, keyword: str, modes: str = "eager,function,xla"):
    return run_conformance(
        suite(path), "--tf2conf-devices", "CPU:0", "--tf2conf-modes", modes, "-k", keyword
    )


def _assert_caught(run, claim_id: str, evidence: str) -> None:
    """The claim failed, and for the planted reason (not, say, a deadline or a crash)."""
    assert claim_id in run.failed_claims
    messages = [r.get("message") or "" for r in run.report["results"] if r["claim"] == claim_id]
    assert any(evidence in m for m in messages), messages


def test_python_ints_inferred_as_int64_are_caught(run_conformance, monkeypatch):
    real = tf.constant

    def int64_constant(value, dtype=None, shape=None, name="Const"):
        result = real(value, dtype=dtype, shape=shape, name=name)
        return tf.cast(result, tf.int64) if dtype is None and result.dtype == tf.int32 else result

    monkeypatch.setattr(tf, "constant", int64_constant)
    # The fault acts the same in every mode (tf.constant is called while tracing too).
    run = _run(run_conformance, "tensor/test_dtypes.py", "python_ints_infer_int32", modes="eager")
    _assert_caught(run, "tensor.python-int-infers-int32", "inferred as int64")


def test_rank_off_by_one_is_caught(run_conformance, monkeypatch):
    real = tf.rank
    monkeypatch.setattr(tf, "rank", lambda input, name=None: real(input, name=name) + 1)
    run = _run(run_conformance, "tensor/test_shapes.py", "rank_counts_dimensions", "eager,xla")
    _assert_caught(run, "tensor.rank-counts-dimensions", "tf.rank =")


def test_always_compatible_shapes_are_caught(run_conformance, monkeypatch):
    # Host-only test: TensorShape algebra needs no tracing, so the patch cannot break TF.
    monkeypatch.setattr(tf.TensorShape, "is_compatible_with", lambda self, other: True)
    run = _run(run_conformance, "tensor/test_tensorshape.py", "tensorshape_compatibility")
    _assert_caught(run, "tensor.tensorshape-compatibility", "AssertionError")


def test_cast_rounding_instead_of_truncating_is_caught(run_conformance, monkeypatch):
    real = tf.cast

    def rounding_cast(x, dtype, name=None):
        x = tf.convert_to_tensor(x)
        if x.dtype.is_floating and tf.as_dtype(dtype).is_integer:
            x = tf.round(x)
        return real(x, dtype, name=name)

    monkeypatch.setattr(tf, "cast", rounding_cast)
    run = _run(run_conformance, "tensor/test_casting.py", "truncates_toward_zero")
    _assert_caught(run, "tensor.cast-float-to-int-truncates-toward-zero", "not equal")


def test_shape_returning_the_static_shape_is_caught(run_conformance, monkeypatch):
    real_constant = tf.constant

    def static_shape(input, out_type=None, name=None):
        sizes = [-1 if d is None else d for d in input.shape.as_list()]
        return real_constant(sizes, tf.int32, shape=[len(sizes)])

    monkeypatch.setattr(tf, "shape", static_shape)
    run = _run(run_conformance, "tensor/test_shapes.py", "traced_static_shape", modes="function")
    _assert_caught(run, "tensor.traced-static-shape-unknown-dynamic-shape-exact", "tf.shape")


def test_string_length_in_characters_by_default_is_caught(run_conformance, monkeypatch):
    real = tf.strings.length
    monkeypatch.setattr(
        tf.strings, "length", lambda input, unit="BYTE", name=None: real(input, "UTF8_CHAR")
    )
    run = _run(run_conformance, "tensor/test_strings.py", "strings_length", modes="eager")
    _assert_caught(run, "tensor.strings-length-bytes-or-characters", "length in bytes")


def test_stock_tensorflow_passes_the_tensor_suite(run_conformance):
    run = run_conformance(suite("tensor"), "--tf2conf-devices", "CPU:0")
    run.assert_all_passed()
    assert {r["mode"] for r in run.report["results"] if r["mode"]} == {"eager", "function", "xla"}
    assert len({r["claim"] for r in run.report["results"]}) >= 22
