"""What the generic properties of the op database share: parametrization over records x
dtypes (each declaring the record's claim), the value check, and example budgets.

Each property is one pytest item per record x dtype x target: the report can say which
dtype failed where, every declared dtype runs in every profile, and graph modes trace once
per rank (the dtype is fixed per item).
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import settings

from pytest_tf2conf import assert_close, ops
from pytest_tf2conf.claims import Claim, claim
from pytest_tf2conf.ops.record import GRADIENT_TOLERANCES, OpRecord, Sample, oracle_args
from pytest_tf2conf.ops.sizes import representative
from pytest_tf2conf.profiles import scaled_examples
from pytest_tf2conf.strategies import COMPLEX_DTYPES as COMPLEX
from pytest_tf2conf.strategies import FLOAT_DTYPES as FLOATS
from pytest_tf2conf.strategies import numpy_dtype
from pytest_tf2conf.tolerance import override

# A property item checks one op x dtype x target: a sixth of the profile's examples
# (ci 4, quick 2, thorough 33) keeps the database's ~10^4 items within the run's budget,
# while every declared dtype and target is still exercised.
EXAMPLES = scaled_examples(1 / 6)
# In graph modes a trace (and under XLA a compilation) costs 10-100x a call, so an example
# is a batch of samples run by one traced function (``run_samples``), BATCH drawn samples
# (quick 2, ci 3, thorough 8) plus, for values, the reference samples. One example at quick
# and ci (hypothesis' simplest draw; for values also the kernel-width and multithreaded
# samples of random values and the documented points): one trace, or one compilation, per
# op x dtype x target; 15 at thorough (XLA: 7). A second, randomly drawn batch doubled
# the graph items' cost, a third of the run; the eager items draw EXAMPLES random samples
# of each op x dtype (docs/performance.md, "One trace per item").
GRAPH_EXAMPLES = scaled_examples(1 / 13, minimum=1)
BATCH = max(2, min(8, settings.default.max_examples // 8))


def mark(declared: Claim) -> Any:
    return claim(declared.id, declared.statement, declared.doc, applies=declared.applies)


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


def require_representative_on_replicas(
    record: OpRecord, dtype: str, target: Any, dtypes: Sequence[str]
) -> None:
    """On a replica device (CPU:1 beside CPU:0: the same kernels) a graph-mode item runs
    for one of the op's ``dtypes`` that this target declares (``sizes.representative``):
    each graph mode costs a trace or an XLA compilation per item, and the first device of
    the type checks every dtype in full, the replica every dtype eagerly. What the replica
    adds, placement on a second device, does not depend on the dtype."""
    if not target.device.replica:
        return
    declared = record.declared(target.device.type, target.mode.name)
    candidates = tuple(d for d in dtypes if d in declared)
    if candidates and dtype != representative(candidates):
        pytest.skip(
            f"{record.name}: a replica device runs {target.mode.name} mode in "
            f"{representative(candidates)} only (every dtype on the first "
            f"{target.device.type} and eagerly here)"
        )


def rng_for(*parts: Any) -> np.random.Generator:
    """A generator seeded by its purpose (same samples in every run and process)."""
    return np.random.default_rng(zlib.crc32("/".join(map(str, parts)).encode()))


def distinct(samples: list[Sample]) -> list[Sample]:
    """``samples`` without repeats (hypothesis' first example draws the simplest sample
    each time)."""
    seen: dict[str, Sample] = {}
    for sample in samples:
        key = repr([(a.dtype.str, a.shape, a.tobytes()) for a in map(np.asarray, sample.args)])
        seen.setdefault(key + repr(sample.kwargs), sample)
    return list(seen.values())


def run_samples(target: Any, record: OpRecord, samples: list[Sample]) -> list[Any]:
    """``record`` called on each sample on ``target``: eagerly one call each; in a graph
    mode one traced function calls it on all of them, so a batch costs one trace (and
    under XLA one compilation) instead of one per sample shape, rank and constants."""
    relax = not record.static_shapes
    if not target.mode.is_graph or len(samples) == 1:
        return [target.run(record.bound(s.kwargs), *s.args, relax_shapes=relax) for s in samples]
    batch = _batched(record, tuple(s.kwargs for s in samples), tuple(len(s.args) for s in samples))
    flat = [a for s in samples for a in s.args]
    return list(target.run(batch, *flat, relax_shapes=relax))


@functools.cache
def _batched(record: OpRecord, kwargs: tuple[Any, ...], arities: tuple[int, ...]) -> Any:
    return batch_of([record.bound(k) for k in kwargs], arities, f"batch_{record.slug}")


def batch_of(fns: list[Any], arities: Sequence[int], name: str) -> Any:
    """One function of all the arguments of ``fns`` in turn (``arities[i]`` of them for
    ``fns[i]``), returning their results as a list: what a graph mode traces once."""

    def batch(*flat: Any) -> list[Any]:
        out, start = [], 0
        for fn, arity in zip(fns, arities, strict=True):
            out.append(fn(*flat[start : start + arity]))
            start += arity
        return out

    batch.__name__ = name
    return batch


def check_samples(
    target: Any, record: OpRecord, dtype: str, samples: list[Sample], whats: list[str]
) -> None:
    """``check_values`` for several samples, run together (``run_samples``); records
    without a value oracle (``record.random``) run sample by sample."""
    if record.random is not None:
        for sample, what in zip(samples, whats, strict=True):
            check_values(target, record, dtype, sample, what)
        return
    outs = run_samples(target, record, samples)
    for out, sample, what in zip(outs, samples, whats, strict=True):
        check_output(out, record, dtype, sample, what)


def check_values(
    target: Any, record: OpRecord, dtype: str, sample: Sample, what: str = "result"
) -> None:
    """Result dtype, shape and values of one call on ``target`` against the oracle (for a
    record without a value oracle, ``record.random``: its invariant, determinism and seed
    sensitivity instead of the values; strings, object arrays, compare exactly)."""
    fn = record.bound(sample.kwargs)
    out = target.run(fn, *sample.args, relax_shapes=not record.static_shapes)
    check_output(out, record, dtype, sample, what, target)


def check_output(
    out: Any,
    record: OpRecord,
    dtype: str,
    sample: Sample,
    what: str = "result",
    target: Any = None,
) -> None:
    """``out`` (the record's result for ``sample``) against the oracle."""
    expected = record.expected(dtype, sample)
    got = out.dtype.name
    assert got == record.result_dtype(dtype), (
        f"{record.name}({dtype}) returned {got}, documented {record.result_dtype(dtype)}"
    )
    assert tuple(out.shape) == expected.shape, (
        f"{record.name}: {what}: shape {tuple(out.shape)}, oracle {expected.shape}"
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
