"""Documented error inputs shared by many records (``ErrorCase`` builders).

An error case is checked by ``suites/ops/test_errors.py`` on every target: the sample must
raise the named class in every mode, never give a result.
"""

from __future__ import annotations

import numpy as np

from .. import strategies as S
from .record import ErrorCase, Sample

BROADCASTING_GUIDE = "https://www.tensorflow.org/guide/tensor#broadcasting"


def incompatible_shapes(dtypes: tuple[str, ...]) -> ErrorCase:
    """Element-wise binary ops follow NumPy broadcasting: shapes (2, 3) and (4, 3) do not
    broadcast, and the op raises InvalidArgumentError (the guide's documented rejection)."""
    dtype = "float32" if "float32" in dtypes else dtypes[0]

    def build(dtype: str) -> Sample:
        np_dtype = S.numpy_dtype(dtype)
        return Sample((np.zeros((2, 3), np_dtype), np.ones((4, 3), np_dtype)))

    return ErrorCase("incompatible-shapes", build, "InvalidArgumentError", dtype)
