"""Dtype promotion between mixed input dtypes: each binary keras.ops record with a
promotion rule returns, for every ordered pair of distinct declared dtypes the backend
holds, the dtype of Keras's documented promotion lattice (``keras_ops.promotion``, an
independent statement of the rule, not ``keras.backend.result_type``) and its oracle's
values in that dtype."""

from __future__ import annotations

import numpy as np
import pytest

from pytest_tf2conf import assert_close
from pytest_tf2conf.keras_ops import backends
from pytest_tf2conf.keras_ops.promotion import RULES
from pytest_tf2conf.ops.record import Sample
from pytest_tf2conf.strategies import numpy_dtype

from ._support import promotion_params, rng_for


def _operand(dtype: str, rng: np.random.Generator) -> np.ndarray:
    """Small positive values (1..4; bools True): in every dtype's range, nonzero where
    the op divides, exact in every float format."""
    if dtype == "bool":
        return np.ones((2, 3), dtype=bool)
    return rng.integers(1, 5, size=(2, 3)).astype(numpy_dtype(dtype))


@pytest.mark.parametrize("record", promotion_params())
def test_mixed_dtypes_promote_as_documented(keras_target, record) -> None:
    rule = RULES[record.promotion]
    declared = record.declared(keras_target.backend)
    wrong: list[str] = []
    with keras_target.scope():
        for a in declared:
            for b in declared:
                if a == b:
                    continue
                rng = rng_for(record.name, a, b)
                x, y = _operand(a, rng), _operand(b, rng)
                want = rule(a, b)
                out = record.call(record.fn, backends.to_tensor(x), backends.to_tensor(y))
                got = backends.dtype_of(out)
                if got != want:
                    wrong.append(f"({a}, {b}) -> {got}, documented {want}")
                    continue
                expected = record.expected(want, Sample((x, y)))
                try:
                    assert_close(backends.to_numpy(out), expected, dtype=want)
                except AssertionError as exc:
                    wrong.append(f"({a}, {b}): {exc}")
    assert not wrong, f"{record.qualified}: " + "; ".join(wrong)
