"""Shapes for the op database: small shapes for properties, kernel-width and multithreaded
sizes for the reference samples.

Small shapes keep hypothesis examples cheap and graph modes within one trace per dtype x
rank. Real kernels go wrong elsewhere too: at the edges of their vector and block widths
(lengths 2^k - 1, 2^k, 2^k + 1) and above the size where the CPU kernels split work across
threads (~10^5 elements for cheap element-wise ops). ``reference_lengths`` picks those,
deterministically per op, so that every run checks them without drawing them.
"""

from __future__ import annotations

import zlib

from hypothesis import strategies as st

from .. import strategies as S

# k of the widths 2^k - 1, 2^k, 2^k + 1: SIMD registers (8-64 lanes), cache lines, GPU
# warps and blocks (32, 256, 1024).
WIDTH_EXPONENTS = (3, 4, 5, 6, 7, 8, 10)
# Above the element count at which TensorFlow's CPU element-wise kernels shard their work
# over the intra-op thread pool (Eigen's cost model: ~10^4-10^5 cheap ops).
MULTITHREADED_LENGTH = 2**17 + 1


def small_shapes(min_rank: int = 0, max_rank: int = 3) -> st.SearchStrategy[tuple[int, ...]]:
    """Shapes of properties: ranks ``min_rank``-``max_rank``, sides 0-4 (empty included)."""
    return S.shapes(min_rank, max_rank, 0, 4)


def _choice(name: str, options: tuple[int, ...]) -> int:
    # Stable across runs and processes (hash() of a str is salted per process).
    return options[zlib.crc32(name.encode()) % len(options)]


def reference_lengths(name: str, dtype: str, dtypes: tuple[str, ...]) -> tuple[int, ...]:
    """Vector lengths op ``name`` is checked at in ``dtype`` besides its properties' small
    shapes: one kernel width (2^k - 1, 2^k or 2^k + 1, chosen per op and dtype, so that the
    database as a whole covers every k and offset), and, for one dtype of the op (float32
    where declared), one length above the multithreading threshold.

    One or two shapes per op x dtype x target: under XLA each is one compilation.
    """
    key = f"{name}/{dtype}"
    k = _choice(key, WIDTH_EXPONENTS)
    width = 2**k + _choice(key[::-1], (-1, 0, 1))
    return (width, MULTITHREADED_LENGTH) if dtype == representative(dtypes) else (width,)


def representative(dtypes: tuple[str, ...]) -> str:
    """The dtype of an op that stands for the others where one is checked: float32 where
    declared, else the first (the multithreaded sample; replica devices in graph modes)."""
    return "float32" if "float32" in dtypes else dtypes[0]
