"""tf.bitwise: exact integer operations, NumPy's bitwise ufuncs as the oracle.

The shift functions document that a shift amount that is negative or at least the bit
width of the type gives an implementation-defined result, so the shift amounts are drawn
in [0, bits) (``_shift_amount``): every defined shift, nothing else. Right shifts of
signed integers are arithmetic (sign-extending), as NumPy's ``right_shift``; left shifts
keep the low bits of the two's complement result, as NumPy's ``left_shift``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .record import API, INTS, OpRecord
from .samplers import Elementwise

# Full-range integers for the narrow types, most of the range for 64-bit ones.
_INT_BOUNDS = {"i": float(2**62)}


def _bitwise(fn_name: str) -> Callable[..., Any]:
    """tf.bitwise.``fn_name``, looked up when called (a monkeypatched one included)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        import tensorflow as tf

        return getattr(tf.bitwise, fn_name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = fn_name
    return call


def _shift_amount(a: np.ndarray) -> np.ndarray:
    """Shift amounts in [0, bits of the dtype): the documented range."""
    if a.dtype.kind not in "iu":
        return a
    bits = a.dtype.itemsize * 8
    return np.mod(a.astype(np.int64), bits).astype(a.dtype)


def _record(name: str, oracle: Callable[..., Any], arity: int, shifts: bool = False) -> OpRecord:
    domains = (None, _shift_amount) if shifts else ()
    return OpRecord(
        name=f"tf.bitwise.{name}",
        fn=_bitwise(name),
        oracle=oracle,
        sampler=Elementwise(arity, bounds=_INT_BOUNDS, domains=domains),
        dtypes=INTS,
        doc=f"{API}tf/bitwise/{name}",
        reference=f"of numpy.{oracle.__name__}"
        + (" (shift amounts in [0, bits): beyond, the result is implementation defined)"
           if shifts else ""),
    )  # fmt: skip


RECORDS: tuple[OpRecord, ...] = (
    _record("bitwise_and", np.bitwise_and, 2),
    _record("bitwise_or", np.bitwise_or, 2),
    _record("bitwise_xor", np.bitwise_xor, 2),
    _record("invert", np.invert, 1),
    _record("left_shift", np.left_shift, 2, shifts=True),
    _record("right_shift", np.right_shift, 2, shifts=True),
)
