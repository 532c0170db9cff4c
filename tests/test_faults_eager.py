"""Planted faults: each wrong TensorFlow behaviour must fail the eager claim that covers it.

Faults are planted by monkeypatching the public TF function the suite calls (the op
table's records, ``ops/math_table.py``, look it up when called), and runs are kept small:
one device, eager mode, a -k selection. The values of the table's ops are checked by the
ops suite (under the eager claim ids they always had), so faults in them run that suite.
The stock runs check that the same suite passes on unmodified TensorFlow, except for the
deviations from the docs that stock TF 2.21 is known to have.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tests.helpers import suite

EAGER_ONLY = ("--tf2conf-devices", "CPU:0", "--tf2conf-modes", "eager")

# Stock TF 2.21 deviations (see the suite): tf.math.maximum/minimum return NaN for a NaN
# first operand, where the documented x > y ? x : y gives y; XLA returns x for a NaN second
# operand, where the formula gives NaN; the mean of an empty complex tensor is 0j (eager and
# function), not NaN; tf.range raises where np.arange, its documented equivalent, is empty.


def _run_fault(run_conformance, path: str, selection: str):
    return run_conformance(suite(path), *EAGER_ONLY, "-k", selection, profile="ci")


def test_floordiv_truncating_is_caught(run_conformance, monkeypatch) -> None:
    monkeypatch.setattr(tf.math, "floordiv", lambda x, y, name=None: tf.truncatediv(x, y))
    run = _run_fault(run_conformance, "ops/test_values.py", "math.floordiv-")
    assert "eager.floordiv-rounds-toward-negative-infinity" in run.failed_claims


def test_reduce_sum_ignoring_keepdims_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.math.reduce_sum
    monkeypatch.setattr(
        tf.math,
        "reduce_sum",
        lambda x, axis=None, keepdims=False, name=None: real(x, axis=axis),
    )
    run = _run_fault(run_conformance, "ops/test_values.py", "math.reduce_sum-")
    assert "eager.reduce-sum-matches-numpy" in run.failed_claims


def test_matmul_returning_transpose_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.linalg.matmul
    # (A B)^T = B^T A^T: right for symmetric square products only
    monkeypatch.setattr(
        tf.linalg, "matmul", lambda a, b, **kw: real(b, a, transpose_a=True, transpose_b=True)
    )
    run = _run_fault(run_conformance, "eager/test_matmul.py", "matmul_2d")
    assert "eager.matmul-2d-matches-numpy" in run.failed_claims


def test_maximum_swallowing_nan_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.math.maximum

    def fmax(x, y, name=None):  # NumPy's fmax: NaN loses to a number
        return tf.where(tf.math.is_nan(y), x, tf.where(tf.math.is_nan(x), y, real(x, y)))

    monkeypatch.setattr(tf.math, "maximum", fmax)
    run = _run_fault(run_conformance, "eager/test_special_values.py", "nan_second_operand")
    assert "eager.maximum-minimum-nan-second-operand" in run.failed_claims


def test_saturating_int_add_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.math.add

    def saturating_add(x, y, name=None):
        x, y = tf.convert_to_tensor(x), tf.convert_to_tensor(y)
        if not x.dtype.is_integer or x.dtype.size == 8:
            return real(x, y)
        info = np.iinfo(x.dtype.as_numpy_dtype)
        wide = real(tf.cast(x, tf.int64), tf.cast(y, tf.int64))
        return tf.cast(tf.clip_by_value(wide, int(info.min), int(info.max)), x.dtype)

    monkeypatch.setattr(tf.math, "add", saturating_add)
    run = _run_fault(run_conformance, "eager/test_special_values.py", "int_overflow_wraps")
    assert "eager.signed-int-overflow-wraps" in run.failed_claims
    assert "eager.unsigned-int-overflow-wraps" in run.failed_claims


def test_truediv_of_int32_in_float32_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.math.truediv

    def narrow_truediv(x, y, name=None):
        x, y = tf.convert_to_tensor(x), tf.convert_to_tensor(y)
        if x.dtype.is_integer:
            return real(tf.cast(x, tf.float32), tf.cast(y, tf.float32))
        return real(x, y)

    monkeypatch.setattr(tf.math, "truediv", narrow_truediv)
    run = _run_fault(run_conformance, "ops/test_values.py", "math.truediv-")
    assert "eager.truediv-of-integers-is-floating" in run.failed_claims


def test_subnormals_kept_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.math.multiply

    def gradual_underflow(x, y, name=None):  # computes in float64 after a host round trip
        x, y = tf.convert_to_tensor(x), tf.convert_to_tensor(y)
        if x.dtype != tf.float32:
            return real(x, y)
        return tf.constant(np.multiply(x.numpy(), y.numpy()), dtype=tf.float32)

    monkeypatch.setattr(tf.math, "multiply", gradual_underflow)
    run = _run_fault(run_conformance, "eager/test_special_values.py", "subnormals")
    assert "eager.cpu-flushes-subnormals-to-zero" in run.failed_claims


def test_range_including_its_limit_is_caught(run_conformance, monkeypatch) -> None:
    real = tf.range

    def inclusive(start, limit=None, delta=1, dtype=None, name="range"):  # off by one
        return real(start, limit + delta, delta, dtype=dtype)

    monkeypatch.setattr(tf, "range", inclusive)
    run = _run_fault(run_conformance, "eager/test_range.py", "matches_np_arange")
    assert "eager.range-matches-np-arange" in run.failed_claims


_DEVIATION_TESTS = (
    "nan_first_operand or nan_second_operand or mean_over_empty or limit_behind_start"
)


def test_stock_eager_suite_passes(run_conformance) -> None:
    """The whole eager suite on CPU:0 in every mode (quick profile, fixed seed): every claim
    passes or is one of the bundled known deviations (a strict xfail)."""
    run = run_conformance(
        suite("eager"),
        *("--tf2conf-devices", "CPU:0"),
        profile="quick",
    )
    run.assert_all_passed()
    # 21 claims: the op table's value claims moved to the ops suite (same ids, checked there)
    assert len({claim for claim, _ in run.outcomes}) >= 21, "the suite lost claims"
    modes = {target.rsplit("-", 1)[1] for _, target in run.outcomes}
    assert modes == {"eager", "function", "xla"}


_STOCK_DEVIATIONS = {
    ("eager.maximum-minimum-nan-first-operand", "CPU:0-eager"): "failed",
    ("eager.maximum-minimum-nan-first-operand", "CPU:0-xla"): "failed",
    ("eager.maximum-minimum-nan-second-operand", "CPU:0-eager"): "passed",
    ("eager.maximum-minimum-nan-second-operand", "CPU:0-xla"): "failed",
    ("eager.reduce-mean-over-empty-is-nan", "CPU:0-eager"): "failed",
    ("eager.reduce-mean-over-empty-is-nan", "CPU:0-xla"): "passed",
    ("eager.range-empty-when-limit-is-behind-start", "CPU:0-eager"): "failed",
    ("eager.range-empty-when-limit-is-behind-start", "CPU:0-xla"): "failed",
}


def test_known_deviations_of_stock_tf(run_conformance) -> None:
    """Stock TF 2.21 on CPU deviates from the docs exactly here (a fix shows up as a change),
    and the bundled known-deviations file turns exactly those failures into xfails."""
    args = (
        suite("eager"),
        *("--tf2conf-devices", "CPU:0", "--tf2conf-modes", "eager,xla"),
        *("-k", _DEVIATION_TESTS),
    )
    raw = run_conformance(*args, "--tf2conf-no-known-deviations", profile="quick")
    assert raw.outcomes == _STOCK_DEVIATIONS
    expected = run_conformance(*args, profile="quick")
    assert expected.outcomes == {
        key: "xfailed" if outcome == "failed" else outcome
        for key, outcome in _STOCK_DEVIATIONS.items()
    }
    assert expected.result.ret == 0
