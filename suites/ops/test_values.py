"""Every record of the op database against its oracle: values, result dtype and shape, on
every target, for every declared dtype; on small drawn samples (edge cases on purpose) and
at kernel widths and multithreaded sizes (``ops.sizes``).

Eagerly each example is one sample, and the kernel sizes are an item of their own. In
graph modes one item does both: each example is a batch of samples run by one traced
function (one trace, and under XLA one compilation, per batch): the cost of a graph-mode
item is its traces, not its samples. On a replica device (``Device.replica``: CPU:1 beside
CPU:0) properties run one example, in graph modes the kernel-width sample alone, of one
dtype per op (``require_representative_on_replicas``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import light_on_replicas, only_modes
from pytest_tf2conf.ops.record import OpRecord, Sample
from pytest_tf2conf.ops.sizes import MULTITHREADED_LENGTH, reference_lengths
from pytest_tf2conf.strategies import COMPLEX_DTYPES, numpy_dtype

from ._support import (
    BATCH,
    EXAMPLES,
    GRAPH_EXAMPLES,
    check_samples,
    check_values,
    distinct,
    require_declared,
    require_representative_on_replicas,
    rng_for,
    value_params,
)

# A replica device (CPU:1 beside CPU:0) runs one example of each property: the first
# device of its type checks the same kernels in full.
pytestmark = light_on_replicas()


@pytest.mark.parametrize(("record", "dtype"), value_params())
@only_modes("eager")
@EXAMPLES
@given(data=st.data())
def test_values_match_oracle(target, record, dtype, data) -> None:
    require_declared(record, dtype, target)
    sample = data.draw(record.sampler.strategy(dtype), label="sample")
    check_values(target, record, dtype, sample)


@pytest.mark.parametrize(("record", "dtype"), value_params())
@only_modes("function", "xla")
@GRAPH_EXAMPLES
@given(data=st.data())
def test_values_match_oracle_in_graphs(target, record, dtype, data) -> None:
    """Drawn samples, and in hypothesis' first (simplest) example the kernel-size samples
    and documented points too, all run by one traced function per example: one trace
    (under XLA one compilation) per op x dtype x target at quick and ci (one example),
    instead of one per shape."""
    require_declared(record, dtype, target)
    require_representative_on_replicas(record, dtype, target, record.all_declared())
    if target.device.replica:
        # A replica device (the same kernels as the first one of its type, checked there in
        # full) runs one example: the op at its kernel width, one trace or compilation.
        reference, reference_whats = reference_samples(record, dtype)
        check_samples(target, record, dtype, reference[:1], reference_whats[:1])
        return
    strategy = record.sampler.strategy(dtype, bucketed=target.mode.name == "xla")
    samples = distinct([data.draw(strategy, label=f"sample {i}") for i in range(BATCH)])
    whats = [f"sample {i}" for i in range(len(samples))]
    # 0 in the first example (hypothesis starts from the simplest), rarely in later ones.
    if data.draw(st.integers(0, 7), label="with the kernel-size samples") == 0:
        reference, reference_whats = reference_samples(record, dtype)
        samples, whats = samples + reference, whats + reference_whats
    check_samples(target, record, dtype, samples, whats)


@pytest.mark.parametrize(("record", "dtype"), value_params())
@only_modes("eager")
def test_values_at_kernel_sizes(target, record, dtype) -> None:
    require_declared(record, dtype, target)
    # A replica device runs the kernels the first device of its type ran at every size.
    multithreaded = not target.device.replica
    check_samples(target, record, dtype, *reference_samples(record, dtype, multithreaded))


def reference_samples(
    record: OpRecord, dtype: str, multithreaded: bool = True
) -> tuple[list[Sample], list[str]]:
    """Samples at the op's kernel widths and (``multithreaded``) multithreaded size
    (``ops.sizes``) and at its documented points, each with what it is."""
    samples, whats = [], []
    for length in reference_lengths(record.name, dtype, record.all_declared()):
        if length == MULTITHREADED_LENGTH and not multithreaded:
            continue
        samples.append(record.sampler.reference(dtype, length, rng_for(record.name, dtype, length)))
        whats.append(f"length {length}")
    for point in record.points:
        if any(isinstance(v, complex) for v in point) and dtype not in COMPLEX_DTYPES:
            continue  # a complex point is for the complex dtypes
        samples.append(Sample(tuple(np.asarray(v).astype(numpy_dtype(dtype)) for v in point)))
        whats.append(f"at {point}")
    return samples, whats
