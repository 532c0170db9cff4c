"""Samplers of the tf.strings, tf.random, tf.sparse and tf.ragged records.

These functions take structured inputs (strings, index arrays with their values, row
lengths, seeds), so each record describes its sample with a pair of builders instead of
the element-wise sampler: ``Built(draw, build)`` where ``draw(draw_, dtype, small)`` makes a
hypothesis sample and ``build(dtype, length, rng)`` the deterministic reference one.

Strings are NumPy object arrays of ``bytes`` (TensorFlow converts them to ``tf.string``).
A string record's reference sample for a numeric dtype (the dtype-support check) has the
same layout with numbers in place of the strings: the op must reject it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from .record import STRING, Sample
from .samplers import random_array

# Characters of drawn strings: ASCII letters of both cases, digits, whitespace (the
# strip/split edge cases) and multi-byte UTF-8 (2, 3 and 4 bytes: é, 中, 😀).
ASCII = "aAbBcCzZ09 .-_\t\n"
UNICODE = ASCII + "éßΩЖ中ひ😀"

DrawFn = Callable[[Any, str, bool], Sample]
BuildFn = Callable[[str, int, np.random.Generator], Sample]


@dataclass(frozen=True)
class Built:
    """A sampler from two builders (see the module docstring); ``bucketed`` is ignored:
    records drawing shapes freely either do not run under XLA or are cheap to compile."""

    draw: DrawFn
    build: BuildFn

    def strategy(
        self, dtype: str, small: bool = False, bucketed: bool = False
    ) -> st.SearchStrategy[Sample]:
        return st.composite(lambda draw_: self.draw(draw_, dtype, small))()

    def reference(self, dtype: str, length: int, rng: np.random.Generator) -> Sample:
        return self.build(dtype, length, rng)


def as_strings(items: list[bytes], shape: tuple[int, ...]) -> np.ndarray:
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array.reshape(shape)


def draw_texts(
    draw_: Any, shape: tuple[int, ...], alphabet: str = ASCII, max_len: int = 6
) -> np.ndarray:
    n = int(np.prod(shape, dtype=np.int64))
    texts = draw_(st.lists(st.text(alphabet, max_size=max_len), min_size=n, max_size=n))
    return as_strings([t.encode() for t in texts], shape)


def rng_texts(
    rng: np.random.Generator, shape: tuple[int, ...], alphabet: str = ASCII, max_len: int = 6
) -> np.ndarray:
    n = int(np.prod(shape, dtype=np.int64))
    # One draw of all characters, cut at the drawn lengths (linear, no per-string draws).
    lengths = rng.integers(0, max_len + 1, size=n)
    ends = np.cumsum(lengths)
    picks = rng.integers(0, len(alphabet), size=int(ends[-1]) if n else 0)
    text = "".join(np.asarray(list(alphabet))[picks].tolist())
    cuts = zip((ends - lengths).tolist(), ends.tolist(), strict=True)
    return as_strings([text[a:b].encode() for a, b in cuts], shape)


def numeric_in_place(sample: Sample, dtype: str, rng: np.random.Generator) -> Sample:
    """``sample`` with each string array replaced by a ``dtype`` array of its shape (what a
    string op must reject); the sample itself for the string dtype."""
    if dtype == STRING:
        return sample
    args = tuple(
        random_array(dtype, a.shape, rng) if a.dtype.kind == "O" else a for a in sample.args
    )
    return Sample(args, sample.kwargs)


def padded(rows: list[list[Any]], pad: Any, dtype: Any = object) -> np.ndarray:
    """Rows of different lengths as a dense (rows x longest) array, padded with ``pad``:
    the form ``RaggedTensor.to_tensor(default_value=pad)`` gives."""
    lengths = np.asarray([len(r) for r in rows], dtype=np.int64)
    width = int(lengths.max(initial=0))
    out = np.empty((len(rows), width), dtype=dtype)
    out[...] = pad
    flat = np.empty(int(lengths.sum()), dtype=dtype)
    flat[:] = [v for r in rows for v in r]
    out[np.arange(width) < lengths[:, None]] = flat  # row-major, as the rows are laid out
    return out
