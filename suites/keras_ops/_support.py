"""What the generic keras.ops properties share: parametrization over records x dtypes
(each declaring the record's claim), one call on the active backend, and the value check.

Each property is one pytest item per record x dtype x Keras target that checks several
drawn examples: the report says which dtype failed on which backend. The suites import
``keras`` only (``pytest_tf2conf.keras_ops.backends`` imports the backend's own library
for gradients), so they run unchanged on the tensorflow, jax and torch backends.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import pytest
from hypothesis import Phase, settings

from pytest_tf2conf import assert_close, keras_ops
from pytest_tf2conf.claims import Claim, claim
from pytest_tf2conf.keras_ops import backends
from pytest_tf2conf.keras_ops.record import FLOATS, KerasOpRecord
from pytest_tf2conf.ops.record import GRADIENT_TOLERANCES, Sample
from pytest_tf2conf.profiles import scaled_examples
from pytest_tf2conf.strategies import numpy_dtype
from pytest_tf2conf.tolerance import override

# A twelfth of the profile's examples per item (ci 2, quick 2, thorough 16): ~1,400 items per
# backend, each example a few calls, most of a run's time on JAX is compiling them.
# No shrinking: the drawn examples are small already, and each known deviation of a backend
# would otherwise cost up to the profile's shrink budget (30 s on ci) per item.
_NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)
EXAMPLES = settings(scaled_examples(1 / 12), phases=_NO_SHRINK)
GRADIENT_EXAMPLES = settings(scaled_examples(1 / 12), phases=_NO_SHRINK)
# Backends that compile each op per concrete input shape (JAX dispatches op by op through
# XLA): their samples come from a few fixed shapes per rank (the samplers' ``bucketed``
# shapes, as for TensorFlow's XLA mode), so that examples reuse compilations.
SHAPE_COMPILING = ("jax",)
# The deterministic reference sample of each record x dtype (values and dtype support).
REFERENCE_LENGTH = 5


def bucketed(keras_target: Any) -> bool:
    return keras_target.backend in SHAPE_COMPILING


def mark(declared: Claim) -> Any:
    return claim(declared.id, declared.statement, declared.doc, applies=declared.applies)


def _register_tolerances() -> None:
    for record in keras_ops.records():
        for dtype, tolerance in record.tolerances().items():
            override(record.value_claim.id, dtype, tolerance)
            override(record.promotion_claim.id, dtype, tolerance)
        if record.grad is not None:
            for dtype, tolerance in {**GRADIENT_TOLERANCES, **record.grad.tolerance}.items():
                override(record.gradient_claim.id, dtype, tolerance)


_register_tolerances()


def value_params() -> list[Any]:
    return [
        pytest.param(r, d, id=f"{r.name}-{d}", marks=mark(r.value_claim))
        for r in keras_ops.records()
        for d in r.all_declared()
    ]


def dtype_params() -> list[Any]:
    return [
        pytest.param(r, id=f"{r.name}-dtypes", marks=mark(r.dtype_claim))
        for r in keras_ops.records()
    ]


def promotion_params() -> list[Any]:
    return [
        pytest.param(r, id=f"{r.name}-promotion", marks=mark(r.promotion_claim))
        for r in keras_ops.records()
        if r.promotion is not None
    ]


def gradient_params() -> list[Any]:
    return [
        pytest.param(r, d, id=f"{r.name}-{d}", marks=mark(r.gradient_claim))
        for r in keras_ops.records()
        if r.grad is not None
        for d in ("float32", "float64")
        if d in r.all_declared()
    ]


def require_declared(record: KerasOpRecord, dtype: str, keras_target: Any) -> None:
    if dtype not in record.declared(keras_target.backend):
        pytest.skip(
            f"{record.qualified}: {dtype} is not declared on {keras_target.backend} (the "
            "dtype-support claim checks that it raises, where the backend holds it)"
        )


def rng_for(*parts: Any) -> np.random.Generator:
    """A generator seeded by its purpose (same samples in every run and process)."""
    return np.random.default_rng(zlib.crc32("/".join(map(str, parts)).encode()))


def call(record: KerasOpRecord, sample: Sample) -> Any:
    """The record's keras.ops function on the sample's arrays as backend tensors."""
    tensors = [backends.to_tensor(a) for a in sample.args]
    return record.call(record.fn, *tensors, **dict(sample.kwargs))


def check_values(record: KerasOpRecord, dtype: str, sample: Sample, what: str = "result") -> None:
    """Result dtype, shape and values of one call against the oracle (several results,
    e.g. split or moments, one by one)."""
    out = call(record, sample)
    expected = record.expected(dtype, sample)
    outs = list(out) if isinstance(out, list | tuple) else [out]
    wants = list(expected) if isinstance(expected, list | tuple) else [expected]
    assert len(outs) == len(wants), f"{record.qualified}: {len(outs)} results, oracle {len(wants)}"
    want_dtype = record.result(dtype)
    scaled = record.scaled_tolerance(want_dtype, sample) if record.scaled_tolerance else {}
    for k, (got, want) in enumerate(zip(outs, wants, strict=True)):
        label = what if len(outs) == 1 else f"{what} {k}"
        got_dtype = backends.dtype_of(got)
        assert got_dtype == want_dtype, (
            f"{record.qualified}({dtype}) returned {got_dtype}, documented {want_dtype}"
        )
        actual = backends.to_numpy(got)
        want = _rounded_overflow(np.asarray(want), want_dtype)
        assert actual.shape == want.shape, (
            f"{record.qualified}: {label} shape {actual.shape}, oracle {want.shape}"
        )
        assert_close(actual, want, dtype=want_dtype, signed_zeros=record.signed_zeros,
                     what=label, **scaled)  # fmt: skip


def _rounded_overflow(expected: np.ndarray, dtype: str) -> np.ndarray:
    """Where the oracle overflows the result dtype, the infinity IEEE rounding gives."""
    if dtype not in FLOATS or expected.dtype.kind != "f":
        return expected
    with np.errstate(all="ignore"):
        rounded = expected.astype(numpy_dtype(dtype)).astype(np.float64)
    return np.where(np.isinf(rounded) & np.isfinite(expected), rounded, expected)
