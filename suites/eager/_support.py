"""Helpers of the eager-results suite (dtype draws, error bounds, dtype names)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from pytest_tf2conf import strategies as S


def dtypes(names: tuple[str, ...]) -> st.SearchStrategy[str]:
    """A dtype name drawn by hypothesis (cheaper than one parametrization per dtype)."""
    return st.sampled_from(names)


def is_floating(dtype: str) -> bool:
    return dtype in S.FLOAT_DTYPES or dtype in S.COMPLEX_DTYPES


def tf_dtype_name(value: Any) -> str:
    """The dtype name of a tensor (or array) result."""
    return value.dtype.name if hasattr(value.dtype, "name") else np.dtype(value.dtype).name


def wrap(value: int, bits: int, signed: bool) -> int:
    """``value`` reduced modulo 2**bits into the signed or unsigned range (exact, Python ints)."""
    value %= 1 << bits
    if signed and value >= 1 << (bits - 1):
        value -= 1 << bits
    return value


def bits_of(dtype: str) -> int:
    return np.dtype(dtype).itemsize * 8
