"""Two-way dtype support of keras.ops on the active backend: each declared dtype runs,
every other dtype of the Keras universe that the backend holds raises (never a silent
result). The outcome per dtype goes into the report (``notes.dtype_support``)."""

from __future__ import annotations

import pytest

from pytest_tf2conf import recording
from pytest_tf2conf.keras_ops.record import available
from pytest_tf2conf.ops.record import check_dtype_support

from ._support import REFERENCE_LENGTH, call, dtype_params, rng_for


def _outcome(record, dtype: str) -> str:
    # The values property's reference sample: on backends that compile per shape (JAX) its
    # compilations are then reused there.
    sample = record.the_sampler.reference(dtype, REFERENCE_LENGTH, rng_for(record.name, dtype))
    try:
        call(record, sample)
    except Exception as exc:
        return f"raises {type(exc).__name__}"
    return "runs"


@pytest.mark.parametrize("record", dtype_params())
def test_declared_dtypes_run_and_others_raise(keras_target, record) -> None:
    backend = keras_target.backend
    declared = record.declared(backend)
    with keras_target.scope():
        table = {dtype: _outcome(record, dtype) for dtype in available(backend)}
    recording.current().notes.update(
        op=record.qualified, declared=list(declared), dtype_support=table
    )
    check_dtype_support(
        f"{record.qualified} on {keras_target.id}", table, declared, record.open_on(backend)
    )
