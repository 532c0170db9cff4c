"""What the generic properties of the op database share: parametrization over records x
dtypes (each declaring the record's claim), the value check, and example budgets.

Each property is one pytest item per record x dtype x target: the report can say which
dtype failed where, every declared dtype runs in every profile, and graph modes trace once
per rank (the dtype is fixed per item).
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import pytest

from pytest_tf2conf import assert_close, ops
from pytest_tf2conf.claims import Claim, claim
from pytest_tf2conf.ops.record import GRADIENT_TOLERANCES, OpRecord, Sample, oracle_args
from pytest_tf2conf.profiles import scaled_examples
from pytest_tf2conf.strategies import COMPLEX_DTYPES as COMPLEX
from pytest_tf2conf.strategies import FLOAT_DTYPES as FLOATS
from pytest_tf2conf.strategies import numpy_dtype
from pytest_tf2conf.tolerance import override

# A property item checks one op x dtype x target: a sixth of the profile's examples
# (ci 4, quick 2, thorough 33; XLA half of that) keeps the database's ~10^4 items within
# the run's budget, while every declared dtype and target is still exercised.
EXAMPLES = scaled_examples(1 / 6)


def mark(declared: Claim) -> Any:
    return claim(declared.id, declared.statement, declared.doc)


def _register_tolerances() -> None:
    for record in ops.records():
        for dtype, tolerance in record.tolerance.items():
            override(record.value_claim.id, dtype, tolerance)
        if record.grad is not None:
            table = {**GRADIENT_TOLERANCES, **record.grad.tolerance}
            for dtype, tolerance in table.items():
                override(record.gradient_claim.id, dtype, tolerance)


_register_tolerances()


def value_params() -> list[Any]:
    return [
        pytest.param(r, d, id=f"{r.short}-{d}", marks=mark(r.value_claim))
        for r in ops.records()
        for d in r.all_declared()
    ]


def gradient_params() -> list[Any]:
    return [
        pytest.param(r, d, id=f"{r.short}-{d}", marks=mark(r.gradient_claim))
        for r in ops.records()
        if r.grad is not None
        for d in r.grad.dtypes
        if d in r.all_declared()
    ]


def dtype_params() -> list[Any]:
    return [
        pytest.param(r, id=f"{r.short}-dtypes", marks=mark(r.dtype_claim)) for r in ops.records()
    ]


def require_declared(record: OpRecord, dtype: str, target: Any) -> None:
    if dtype not in record.declared(target.device.type, target.mode.name):
        pytest.skip(
            f"{record.name}: {dtype} is not declared for {target.device.type}-"
            f"{target.mode.name} (the dtype-support claim checks that it raises)"
        )


def rng_for(*parts: Any) -> np.random.Generator:
    """A generator seeded by its purpose (same samples in every run and process)."""
    return np.random.default_rng(zlib.crc32("/".join(map(str, parts)).encode()))


def check_values(
    target: Any, record: OpRecord, dtype: str, sample: Sample, what: str = "result"
) -> None:
    """Result dtype, shape and values of one call on ``target`` against the oracle (for a
    record without a value oracle, ``record.random``: its invariant, determinism and seed
    sensitivity instead of the values; strings, object arrays, compare exactly)."""
    fn = record.bound(sample.kwargs)
    out = target.run(fn, *sample.args, relax_shapes=not record.static_shapes)
    expected = record.expected(dtype, sample)
    got = out.dtype.name
    assert got == record.result_dtype(dtype), (
        f"{record.name}({dtype}) returned {got}, documented {record.result_dtype(dtype)}"
    )
    assert tuple(out.shape) == expected.shape, (
        f"{record.name}: shape {tuple(out.shape)}, oracle {expected.shape}"
    )
    if record.random is not None:
        _check_random(target, record, dtype, sample, out, what)
        return
    expected = _rounded_overflow(expected, record.result_dtype(dtype))
    # Strings (object arrays) compare exactly: "object" has the exact tolerance.
    compared = np.dtype(object) if got == "string" else None
    assert_close(out, expected, dtype=compared,
                 signed_zeros=record.compare_signed_zeros(dtype), what=what)  # fmt: skip


def _check_random(
    target: Any, record: OpRecord, dtype: str, sample: Sample, out: Any, what: str
) -> None:
    """The documented properties of a random function's result (``ops.record.Random``)."""
    spec = record.random
    result = _plain(out)
    kwargs = dict(sample.kwargs)
    spec.invariant(result, *oracle_args(dtype, sample.args), **kwargs)
    if not spec.deterministic:
        return
    again = _plain(target.run(record.bound(sample.kwargs), *sample.args))
    assert_close(again, result, rtol=0.0, atol=0.0, what=f"{what}: second call, same seed")
    if spec.reseed is not None and result.size >= spec.reseed_min_size:
        other = spec.reseed(sample)
        changed = _plain(target.run(record.bound(other.kwargs), *other.args))
        assert changed.shape != result.shape or not np.array_equal(
            changed, result, equal_nan=result.dtype.kind in "fc"
        ), f"{record.name}: {what}: another seed gave the same {result.size} values"


def _plain(tensor: Any) -> np.ndarray:
    """A result as NumPy; bfloat16 (an ml_dtypes void kind) widened exactly to float32."""
    array = np.asarray(tensor.numpy() if hasattr(tensor, "numpy") else tensor)
    return array.astype(np.float32) if array.dtype.kind == "V" else array


def _rounded_overflow(expected: np.ndarray, dtype: str) -> np.ndarray:
    """The oracle's value where it overflows the result dtype: rounded to that dtype
    (infinity, as IEEE rounding gives), so a correctly rounded overflow is no mismatch."""
    if dtype not in FLOATS + COMPLEX or expected.dtype.kind not in "fc":
        return expected
    with np.errstate(all="ignore"):
        rounded = expected.astype(numpy_dtype(dtype)).astype(expected.dtype)
    return np.where(np.isinf(rounded) & np.isfinite(expected), rounded, expected)
