"""Two-way dtype support: each dtype declared for a target runs there, every other dtype
raises a TensorFlow error (a missing kernel counts), never a silent result.

The outcome per dtype is recorded in the report (``notes.dtype_support``): the op x dtype x
device table a device-plugin author reads. Kernels are registered per device, and
tf.function dispatches the same kernels as eager execution, so this runs eagerly. Under
XLA (its own kernels) every dtype would be one compilation; there the value properties
run each declared dtype (a missing XLA kernel is reported as unsupported).
"""

from __future__ import annotations

import pytest

from pytest_tf2conf import only_modes, recording
from pytest_tf2conf.ops.record import UNIVERSE, check_dtype_support
from pytest_tf2conf.targets import Unsupported

from ._support import dtype_params, rng_for


def _outcome(target, record, dtype: str) -> str:
    import tensorflow as tf

    sample = record.sampler.reference(dtype, 3, rng_for(record.name, dtype, "support"))
    try:
        target.run(record.bound(sample.kwargs), *sample.args)
    except Unsupported:
        return "no kernel"
    except (tf.errors.OpError, TypeError, ValueError, NotImplementedError) as exc:
        return f"raises {type(exc).__name__}"
    return "runs"


@only_modes("eager")
@pytest.mark.parametrize("record", dtype_params())
def test_declared_dtypes_run_and_others_raise(target, record) -> None:
    declared = record.declared(target.device.type, target.mode.name)
    # The numeric universe, plus the dtypes beyond it that the record declares ("string").
    universe = (*UNIVERSE, *(d for d in record.all_declared() if d not in UNIVERSE))
    table = {dtype: _outcome(target, record, dtype) for dtype in universe}
    notes = recording.current().notes
    notes.update(op=record.name, declared=list(declared), dtype_support=table)
    check_dtype_support(f"{record.name} on {target.id}", table, declared)
