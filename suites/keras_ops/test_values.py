"""Every keras.ops record against its oracle on the active Keras backend: values, the
result dtype Keras documents and the NumPy shape, for every declared dtype: first on one
deterministic reference sample (non-empty, every dtype and backend the same), then on small
drawn samples (edge cases on purpose: empty and rank-0 arrays, broadcasting)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ._support import (
    EXAMPLES,
    REFERENCE_LENGTH,
    bucketed,
    check_values,
    require_declared,
    rng_for,
    value_params,
)


@pytest.mark.parametrize(("record", "dtype"), value_params())
def test_values_match_oracle(keras_target, record, dtype) -> None:
    require_declared(record, dtype, keras_target)
    sampler = record.the_sampler
    reference = sampler.reference(dtype, REFERENCE_LENGTH, rng_for(record.name, dtype))
    with keras_target.scope():
        check_values(record, dtype, reference, what="reference sample")
    strategy = sampler.strategy(dtype, bucketed=bucketed(keras_target))

    @EXAMPLES
    @given(data=st.data())
    def drawn(data) -> None:
        sample = data.draw(strategy, label="sample")
        with keras_target.scope():
            check_values(record, dtype, sample)

    drawn()
