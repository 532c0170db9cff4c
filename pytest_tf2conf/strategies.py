"""Hypothesis strategies built for TensorFlow's costs.

Shapes are small and bounded; values are bounded and finite unless special values are
asked for on purpose. Subnormals are excluded by default *only* because TensorFlow's CPU
kernels flush them to zero (a documented deviation from NumPy that has its own claim);
pass ``allow_subnormal=True`` to draw them.

Dtypes are named by strings ("float32", "bfloat16", ...) so that strategies, test ids and
reports never depend on a TensorFlow import.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")
COMPLEX_DTYPES = ("complex64", "complex128")
SIGNED_INT_DTYPES = ("int8", "int16", "int32", "int64")
UNSIGNED_INT_DTYPES = ("uint8", "uint16", "uint32", "uint64")
INT_DTYPES = SIGNED_INT_DTYPES + UNSIGNED_INT_DTYPES
REAL_DTYPES = FLOAT_DTYPES + INT_DTYPES

# Largest magnitude drawn per float dtype by default: far from overflow in products.
_FLOAT_BOUND = {"float16": 100.0, "bfloat16": 100.0, "float32": 1e4, "float64": 1e6}


def numpy_dtype(name: str) -> np.dtype:
    """NumPy dtype for a dtype name. bfloat16 is the NumPy type of the TensorFlow in the
    process (``tf.bfloat16.as_numpy_dtype``: ml_dtypes' since TF 2.14, TF's own before,
    which rejects ml_dtypes arrays); without TensorFlow (Keras on JAX or PyTorch) ml_dtypes'."""
    if name == "bfloat16":
        tf = sys.modules.get("tensorflow")
        bfloat16 = getattr(tf, "bfloat16", None)
        if bfloat16 is not None:
            return np.dtype(bfloat16.as_numpy_dtype)
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def shapes(
    min_rank: int = 0, max_rank: int = 3, min_side: int = 0, max_side: int = 4
) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes; 0-size dimensions are included by default (``min_side=0``)."""
    return hnp.array_shapes(
        min_dims=min_rank, max_dims=max_rank, min_side=min_side, max_side=max_side
    )


def _float_elements(name: str, bound: float | None, allow_subnormal: bool, specials: bool):
    width = 64 if name == "float64" else 32 if name in ("float32", "bfloat16") else 16
    limit = _FLOAT_BOUND[name] if bound is None else bound
    finite = st.floats(-limit, limit, width=width, allow_subnormal=allow_subnormal)
    if not specials:
        return finite
    return st.one_of(finite, st.sampled_from([np.nan, np.inf, -np.inf, 0.0, -0.0]))


def elements(
    name: str,
    *,
    bound: float | None = None,
    allow_subnormal: bool = False,
    specials: bool = False,
) -> st.SearchStrategy[Any]:
    """Scalar values representable in dtype ``name`` (before rounding for bfloat16)."""
    if name in FLOAT_DTYPES:
        return _float_elements(name, bound, allow_subnormal, specials)
    if name in COMPLEX_DTYPES:
        part = "float32" if name == "complex64" else "float64"
        real = _float_elements(part, bound, allow_subnormal, specials)
        return st.builds(complex, real, real)
    if name == "bool":
        return st.booleans()
    info = np.iinfo(np.dtype(name))
    low, high = int(info.min), int(info.max)
    if bound is not None:
        low, high = max(low, -int(bound)), min(high, int(bound))
    return st.integers(low, high)


def arrays(
    name: str,
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
    **element_options: Any,
) -> st.SearchStrategy[np.ndarray]:
    """NumPy arrays of dtype ``name``; bfloat16 values are drawn as float32 and rounded."""
    shape = shapes() if shape is None else shape
    draw_dtype = "float32" if name == "bfloat16" else name
    base = hnp.arrays(np.dtype(draw_dtype), shape, elements=elements(name, **element_options))
    if name == "bfloat16":
        return base.map(lambda a: a.astype(numpy_dtype("bfloat16")))
    return base


def as_float64(array: np.ndarray) -> np.ndarray:
    """The exact float64 (or complex128) value of a dtype-rounded array: the oracle's input."""
    kind = np.asarray(array).dtype.kind
    if kind == "c":
        return np.asarray(array).astype(np.complex128)
    return np.asarray(array).astype(np.float64)


def broadcastable_shapes(
    num_shapes: int = 2, max_rank: int = 3, min_side: int = 0, max_side: int = 4
) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Tuples of ``num_shapes`` shapes that broadcast together (ranks may differ, 1s stretch)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=0, max_dims=max_rank, min_side=min_side, max_side=max_side
    ).map(lambda drawn: tuple(drawn.input_shapes))


def _broadcast_ok(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y and 1 not in (x, y):
            return False
    return True


def incompatible_shape_pairs(
    max_rank: int = 3, max_side: int = 4
) -> st.SearchStrategy[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Pairs of shapes that do NOT broadcast: some trailing-aligned sizes differ, neither 1."""
    pair = st.tuples(shapes(1, max_rank, 0, max_side), shapes(1, max_rank, 0, max_side))
    return pair.filter(lambda ab: not _broadcast_ok(*ab))


def axes(rank: int) -> st.SearchStrategy[int | tuple[int, ...] | None]:
    """``axis`` arguments for a reduction of a rank-``rank`` tensor: None, an int (possibly
    negative) or a sorted tuple of distinct non-negative axes."""
    if rank == 0:
        return st.none()
    single = st.integers(-rank, rank - 1)
    several = st.lists(st.integers(0, rank - 1), min_size=1, max_size=rank, unique=True).map(
        lambda a: tuple(sorted(a))
    )
    return st.one_of(st.none(), single, several)
