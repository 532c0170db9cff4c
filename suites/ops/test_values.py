"""Every record of the op database against its oracle: values, result dtype and shape, on
every target, for every declared dtype; on small drawn samples (edge cases on purpose) and
at kernel widths and multithreaded sizes (``ops.sizes``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf.ops.record import Sample
from pytest_tf2conf.ops.sizes import reference_lengths
from pytest_tf2conf.strategies import COMPLEX_DTYPES, numpy_dtype

from ._support import EXAMPLES, check_values, require_declared, rng_for, value_params


@pytest.mark.parametrize(("record", "dtype"), value_params())
@EXAMPLES
@given(data=st.data())
def test_values_match_oracle(target, record, dtype, data) -> None:
    require_declared(record, dtype, target)
    bucketed = target.mode.name == "xla"
    sample = data.draw(record.sampler.strategy(dtype, bucketed=bucketed), label="sample")
    check_values(target, record, dtype, sample)


@pytest.mark.parametrize(("record", "dtype"), value_params())
def test_values_at_kernel_sizes(target, record, dtype) -> None:
    require_declared(record, dtype, target)
    lengths = reference_lengths(record.name, dtype, record.all_declared())
    if target.mode.name == "xla":
        lengths = lengths[:1]  # one compilation: the kernel width (XLA fuses the rest)
    for length in lengths:
        sample = record.sampler.reference(dtype, length, rng_for(record.name, dtype, length))
        check_values(target, record, dtype, sample, what=f"length {length}")
    for point in record.points:
        if any(isinstance(v, complex) for v in point) and dtype not in COMPLEX_DTYPES:
            continue  # a complex point is for the complex dtypes
        args = tuple(np.asarray(v).astype(numpy_dtype(dtype)) for v in point)
        check_values(target, record, dtype, Sample(args), what=f"at {point}")
