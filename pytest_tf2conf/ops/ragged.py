"""tf.ragged: RaggedTensors built inside ``fn`` from (values, row_lengths) arrays; results
made dense with ``to_tensor(default_value=PAD)``, PAD a value no sample draws (|values|
<= 100), so that a wrong row length shows as a misplaced pad; the oracle pads alike.

No gradient claims: the reverse-mode gradient through ``to_tensor`` is an IndexedSlices on
which forward mode (ForwardAccumulator) fails in TF 2.21 ("'IndexedSlices' object has no
attribute '_id'"), and the gradient property checks both modes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .. import strategies as S
from .misc_samplers import Built, padded
from .record import API, FLOATS, NUMERIC, Grad, OpRecord, Sample
from .samplers import GRADIENT_BOUND, random_array

PAD = 111
ALL = (*NUMERIC, "bool")


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _dense(rt: Any) -> Any:
    return rt.to_tensor(default_value=_tf().cast(PAD, rt.dtype))


def _pad(dtype: Any) -> Any:
    return np.asarray(PAD).astype(dtype)


def _rows_of(values: np.ndarray, lengths: np.ndarray) -> list[list[Any]]:
    ends = np.cumsum(lengths)
    return [values[e - n : e].tolist() for e, n in zip(ends.tolist(), lengths.tolist(),
                                                          strict=True)]  # fmt: skip


def _padded_rows(rows: list[list[Any]], dtype: Any) -> np.ndarray:
    return padded(rows, _pad(dtype), dtype)


def _bound(dtype: str, small: bool) -> float | None:
    return None if dtype == "bool" else GRADIENT_BOUND if small and dtype in FLOATS else 100.0


def _draw_ragged(draw_: Any, dtype: str, small: bool) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.asarray(draw_(st.lists(st.integers(0, 4), max_size=4)), dtype=np.int64)
    values = draw_(S.arrays(dtype, (int(lengths.sum()),), bound=_bound(dtype, small)))
    return values, lengths


def _rng_ragged(rng: np.random.Generator, dtype: str, rows: int) -> tuple[np.ndarray, ...]:
    lengths = rng.integers(0, 4, size=rows).astype(np.int64)
    return random_array(dtype, (int(lengths.sum()),), rng), lengths


def ragged_sampler(count: int = 1) -> Built:
    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        return Sample(tuple(a for _ in range(count) for a in _draw_ragged(draw_, dtype, small)))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        return Sample(tuple(a for _ in range(count) for a in _rng_ragged(rng, dtype, length)))

    return Built(draw, build)


def _rt(values: Any, lengths: Any) -> Any:
    return _tf().RaggedTensor.from_row_lengths(values, lengths)


# -- functions and oracles ------------------------------------------------------------------
def boolean_mask(data: Any, mask: Any) -> Any:
    # A rank-2 mask of a rank-2 tensor: rows of the kept entries (ragged).
    return _dense(_tf().ragged.boolean_mask(data, mask))


def _boolean_mask(data: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return _padded_rows([row[m].tolist() for row, m in zip(data, mask, strict=True)], data.dtype)


def _mask_sampler() -> Built:
    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        shape = draw_(S.shapes(2, 2, 0, 4))
        data = draw_(S.arrays(dtype, shape, bound=_bound(dtype, small)))
        return Sample((data, draw_(hnp.arrays(np.bool_, shape))))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        data = random_array(dtype, (length, 3), rng)
        return Sample((data, rng.random((length, 3)) < 0.5))

    return Built(draw, build)


def range_(starts: Any, limits: Any, deltas: Any) -> Any:
    return _dense(_tf().ragged.range(starts, limits, deltas))


def _range(starts: np.ndarray, limits: np.ndarray, deltas: np.ndarray) -> np.ndarray:
    rows = [np.arange(a, b, d).tolist() for a, b, d in zip(starts, limits, deltas, strict=True)]
    return _padded_rows(rows, starts.dtype)


def _range_sampler() -> Built:
    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        n = draw_(st.integers(0, 4))
        starts = draw_(hnp.arrays(np.int64, (n,), elements=st.integers(-5, 5)))
        limits = draw_(hnp.arrays(np.int64, (n,), elements=st.integers(-5, 5)))
        deltas = draw_(hnp.arrays(np.int64, (n,), elements=st.sampled_from((-2, -1, 1, 3))))
        cast = S.numpy_dtype(dtype)
        return Sample((starts.astype(cast), limits.astype(cast), deltas.astype(cast)))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        cast = S.numpy_dtype(dtype) if dtype != "bool" else np.bool_
        starts = rng.integers(0, 3, size=length)
        return Sample(tuple(a.astype(cast) for a in (starts, starts + 3, np.ones(length))))

    return Built(draw, build)


def row_splits_to_segment_ids(splits: Any) -> Any:
    return _tf().ragged.row_splits_to_segment_ids(splits)


def segment_ids_to_row_splits(ids: Any) -> Any:
    return _tf().ragged.segment_ids_to_row_splits(ids)


def _splits_sampler() -> Built:
    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        lengths = draw_(st.lists(st.integers(0, 3), max_size=5))
        return Sample((np.concatenate([[0], np.cumsum(lengths)]).astype(S.numpy_dtype(dtype)),))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        lengths = rng.integers(0, 3, size=length)
        return Sample((np.concatenate([[0], np.cumsum(lengths)]).astype(S.numpy_dtype(dtype)),))

    return Built(draw, build)


def _ids_sampler() -> Built:
    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        ids = sorted(draw_(st.lists(st.integers(0, 4), max_size=6)))
        return Sample((np.asarray(ids, dtype=np.int64).astype(S.numpy_dtype(dtype)),))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        ids = np.sort(rng.integers(0, max(length // 2, 1), size=length))
        return Sample((ids.astype(S.numpy_dtype(dtype)),))

    return Built(draw, build)


def _segment_ids(splits: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(splits) - 1), np.diff(splits)).astype(splits.dtype)


def _row_splits(ids: np.ndarray) -> np.ndarray:
    # Documented: num_segments defaults to max(ids) + 1; empty segments give equal splits.
    counts = np.bincount(ids.astype(np.int64), minlength=int(ids.max()) + 1 if len(ids) else 0)
    return np.concatenate([[0], np.cumsum(counts)]).astype(ids.dtype)


def stack(v1: Any, l1: Any, v2: Any, l2: Any) -> Any:
    return _dense(_tf().ragged.stack([_rt(v1, l1), _rt(v2, l2)], axis=0))


def _stack(v1: np.ndarray, l1: np.ndarray, v2: np.ndarray, l2: np.ndarray) -> np.ndarray:
    # Two ragged [rows, (cols)] tensors stacked: [2, rows?, (cols)]: equal row counts only
    # densify to a cube; the oracle pads both levels.
    first, second = _rows_of(v1, l1), _rows_of(v2, l2)
    rows = max(len(first), len(second))
    width = max((len(r) for r in first + second), default=0)
    out = np.full((2, rows, width), _pad(v1.dtype), dtype=v1.dtype)
    for k, part in enumerate((first, second)):
        for i, row in enumerate(part):
            out[k, i, : len(row)] = row
    return out


def map_flat_values(values: Any, lengths: Any) -> Any:
    # map_flat_values applies an op to the flat values: here x * x.
    tf = _tf()
    return _dense(tf.ragged.map_flat_values(tf.math.multiply, _rt(values, lengths),
                                            _rt(values, lengths)))  # fmt: skip


def _map_flat_values(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    return _padded_rows(_rows_of(values * values, lengths), values.dtype)


def stack_dynamic_partitions(data: Any, partitions: Any) -> Any:
    return _dense(_tf().ragged.stack_dynamic_partitions(data, partitions, 3))


def _partitions(data: np.ndarray, partitions: np.ndarray) -> np.ndarray:
    return _padded_rows([data[partitions == p].tolist() for p in range(3)], data.dtype)


def _partition_sampler() -> Built:
    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        n = draw_(st.integers(0, 6))
        data = draw_(S.arrays(dtype, (n,), bound=_bound(dtype, small)))
        parts = draw_(hnp.arrays(np.int32, (n,), elements=st.integers(0, 2)))
        return Sample((data, parts))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        data = random_array(dtype, (length,), rng)
        return Sample((data, rng.integers(0, 3, size=length).astype(np.int32)))

    return Built(draw, build)


def _record(fn: Callable[..., Any], oracle: Callable[..., Any], sampler: Built,
            dtypes: tuple[str, ...], grad: tuple[int, ...] | None = None, xla: bool = False,
            **kw: Any) -> OpRecord:  # fmt: skip
    """``xla``: whether XLA compiles it (the functions building a RaggedTensor do not:
    its to_tensor has no XLA kernel for a row-length-dependent shape)."""
    name = fn.__name__.rstrip("_")
    if not xla:
        kw["dtypes_by_target"] = {"CPU-xla": ()}
    return OpRecord(name=f"tf.ragged.{name}", fn=fn, oracle=oracle, sampler=sampler,
                    dtypes=dtypes, doc=f"{API}tf/ragged/{name}",
                    grad=Grad(args=grad) if grad else None, **kw)  # fmt: skip


RECORDS: tuple[OpRecord, ...] = (
    _record(boolean_mask, _boolean_mask, _mask_sampler(), ALL),
    # tf.ragged.range is left out: on a bool or complex input it raises a bare
    # AssertionError (ragged_math_ops._infer_matching_dtype), no TensorFlow error.
    _record(row_splits_to_segment_ids, _segment_ids, _splits_sampler(), ("int32", "int64"),
            xla=True),
    _record(segment_ids_to_row_splits, _row_splits, _ids_sampler(), ("int32", "int64"),
            xla=True),
    _record(stack, _stack, ragged_sampler(2), ALL),
    _record(map_flat_values, _map_flat_values, ragged_sampler(), NUMERIC),
    _record(stack_dynamic_partitions, _partitions, _partition_sampler(), ALL),
)  # fmt: skip
