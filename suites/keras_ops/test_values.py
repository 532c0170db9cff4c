"""Every keras.ops record against its oracle on the active Keras backend: values, the
result dtype Keras documents and the NumPy shape, for every declared dtype, on small drawn
samples (edge cases on purpose: empty and rank-0 arrays, broadcasting)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ._support import EXAMPLES, bucketed, check_values, require_declared, value_params


@pytest.mark.parametrize(("record", "dtype"), value_params())
@EXAMPLES
@given(data=st.data())
def test_values_match_oracle(keras_target, record, dtype, data) -> None:
    require_declared(record, dtype, keras_target)
    strategy = record.the_sampler.strategy(dtype, bucketed=bucketed(keras_target))
    sample = data.draw(strategy, label="sample")
    with keras_target.scope():
        check_values(record, dtype, sample)
