"""The one comparison helper: per-dtype tolerances, exact ints, special values, messages."""

from __future__ import annotations

import numpy as np
import pytest

from pytest_tf2conf import recording, tolerance
from pytest_tf2conf.tolerance import Tolerance, ToleranceError, assert_close


def test_float32_within_table_tolerance_passes():
    expected = np.array([1.0, 2.0, 3.0])
    assert_close(expected.astype(np.float32) * (1 + 1e-6), expected)


def test_failure_names_dtype_tolerance_worst_index_actual_and_expected():
    actual = np.array([[1.0, 2.0], [3.0, 4.5]], dtype=np.float32)
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ToleranceError) as info:
        assert_close(actual, expected)
    message = str(info.value)
    assert "float32" in message and "rtol=2e-05" in message and "atol=1e-06" in message
    assert "index (1, 1)" in message and "actual 4.5" in message and "expected 4.0" in message
    assert info.value.details["index"] == [1, 1]


def test_integers_are_exact():
    with pytest.raises(ToleranceError, match="int32"):
        assert_close(np.array([1, 2], dtype=np.int32), np.array([1, 3]))
    assert_close(np.array([-128], dtype=np.int8), np.array([-128], dtype=np.int8))


def test_nan_and_inf_positions_must_match():
    with pytest.raises(ToleranceError):
        assert_close(np.array([np.nan, 1.0]), np.array([1.0, 1.0]))
    with pytest.raises(ToleranceError):
        assert_close(np.array([np.inf]), np.array([-np.inf]))
    with pytest.raises(ToleranceError):
        assert_close(np.array([1e300]), np.array([np.inf]))
    assert_close(np.array([np.nan, np.inf, -np.inf]), np.array([np.nan, np.inf, -np.inf]))


def test_signed_zero_is_exact_unless_unspecified():
    with pytest.raises(ToleranceError):
        assert_close(np.array([0.0]), np.array([-0.0]))
    assert_close(np.array([0.0]), np.array([-0.0]), signed_zeros=False)


def test_shape_mismatch_fails():
    with pytest.raises(ToleranceError, match="shape"):
        assert_close(np.zeros((2, 1)), np.zeros((2,)))


def test_bfloat16_and_complex_use_their_rows():
    import ml_dtypes

    actual = np.array([1.0, 100.0], dtype=ml_dtypes.bfloat16)
    assert_close(actual, np.array([1.001, 100.3]))
    with pytest.raises(ToleranceError, match="complex64"):
        assert_close(np.array([1 + 1j], dtype=np.complex64), np.array([1 + 1.1j]))


def test_per_claim_override_applies_only_to_that_claim(monkeypatch):
    monkeypatch.setattr(tolerance, "_OVERRIDES", {})
    tolerance.override("demo.loose", "float32", Tolerance(rtol=0.1, atol=0.0))
    with recording.recording(recording.TestRecord(claim_ids=("demo.loose",))):
        assert_close(np.float32([1.05]), np.array([1.0]))
    with (
        recording.recording(recording.TestRecord(claim_ids=("demo.strict",))),
        pytest.raises(ToleranceError),
    ):
        assert_close(np.float32([1.05]), np.array([1.0]))


def test_complex_parts_are_compared_relative_to_the_modulus():
    # complex64 (9991+9998j)**2, correctly rounded per part: the real part cancels.
    assert_close(np.complex64(-139920 + 199780032j), np.complex128(-139923 + 199780036j))
    # An error of that size in a result of small modulus is still a mismatch.
    with pytest.raises(ToleranceError, match="complex64"):
        assert_close(np.array([1 + 1j], dtype=np.complex64), np.array([1 + 1j - 3e-3]))
