"""Array creation in keras.ops (zeros, eye, arange, linspace, the window functions, ...):
the item's dtype is the requested ``dtype=``; the oracle is the NumPy function in float64
(or exact integers), the result dtype the requested one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..ops.array_samplers import Built, Draw, sample
from ..ops.record import Sample
from ..tolerance import Tolerance
from .record import FLOATS, INTS, NUMERIC, UNIVERSE, KerasOpRecord, floating, same

# Integer spacings round differently per backend (truncation vs rounding): not documented.
INT_BOOL = (*INTS, "bool")


def _plain(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The NumPy function without the ``dtype`` keyword (the oracle works in float64)."""

    def oracle(*args: Any, dtype: str | None = None, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    oracle.__name__ = getattr(fn, "__name__", "oracle")
    return oracle


def rec(name: str, oracle: Callable[..., Any], gen: Callable[[Draw], Sample], *,
        dtypes: tuple[str, ...] = UNIVERSE, result: Callable[[str], str] = same,
        **kw: Any) -> KerasOpRecord:  # fmt: skip
    return KerasOpRecord(name, oracle=oracle, sampler=Built(gen), dtypes=dtypes, result=result,
                         **kw)  # fmt: skip


def _shape_gen(**const: Any) -> Callable[[Draw], Sample]:
    def gen(d: Draw) -> Sample:
        return sample(shape=d.shape(0, 3), dtype=d.dtype, **const)

    return gen


def _full(d: Draw) -> Sample:
    value = d.integer(0, 1) if d.dtype == "bool" else d.integer(0, 9)
    return sample(shape=d.shape(0, 3), fill_value=value, dtype=d.dtype)


def _like_gen(**const: Any) -> Callable[[Draw], Sample]:
    def gen(d: Draw) -> Sample:
        return sample(d.array(d.shape(0, 3)), **const)

    return gen


def _eye(d: Draw) -> Sample:
    return sample(N=d.integer(0, 4), M=d.integer(0, 4) if d.flag() else None,
                  k=d.integer(-2, 2), dtype=d.dtype)  # fmt: skip


def _identity(d: Draw) -> Sample:
    return sample(n=d.integer(0, 4), dtype=d.dtype)


def _arange(d: Draw) -> Sample:
    start = d.integer(0, 5)
    return sample(start=start, stop=start + d.integer(0, 8), step=d.integer(1, 3), dtype=d.dtype)


def _spaced(d: Draw) -> Sample:
    start = float(d.integer(1, 4))
    return sample(start=start, stop=start + d.integer(1, 6), num=d.integer(2, 7),
                  endpoint=d.flag(), dtype=d.dtype)  # fmt: skip


def _window(d: Draw) -> Sample:
    return sample(x=d.integer(1, 9))


def _kaiser(d: Draw) -> Sample:
    return sample(x=d.integer(1, 9), beta=float(d.integer(0, 8)))


def _like(fn: Callable[..., Any]) -> Callable[..., Any]:
    def oracle(x: np.ndarray, **kwargs: Any) -> Any:
        kwargs.pop("dtype", None)
        return fn(x, **kwargs)

    return oracle


def _full_like_oracle(x: np.ndarray, fill_value: Any) -> np.ndarray:
    return np.full(x.shape, fill_value, dtype=np.float64 if x.dtype.kind in "fV" else x.dtype)


# The window functions take a length, no dtype: the item's dtype is nominal (float32).
# logspace/geomspace compute the exponents in the requested dtype: an exponent x rounded
# in bfloat16 (float16) moves 10**x by ln(10) * |x| * 2**-8 (2**-11), ~5% (0.7%) at x ~ 6.
POWERS = {"bfloat16": Tolerance(rtol=0.1, atol=0.01), "float16": Tolerance(rtol=1e-2, atol=1e-3)}
WINDOW: dict[str, Any] = {
    "dtypes": ("float32",),
    "result": floating,
    "open_dtypes": tuple(d for d in UNIVERSE if d != "float32"),
    "section": "numpy",
}

RECORDS: tuple[KerasOpRecord, ...] = (
    rec("zeros", _plain(np.zeros), _shape_gen()),
    rec("ones", _plain(np.ones), _shape_gen()),
    rec("full", _plain(np.full), _full),
    rec("zeros_like", _like(np.zeros_like), _like_gen()),
    rec("ones_like", _like(np.ones_like), _like_gen()),
    rec("full_like", _full_like_oracle, _like_gen(fill_value=1)),
    rec("eye", _plain(np.eye), _eye),
    rec("identity", _plain(np.identity), _identity),
    rec("tri", _plain(np.tri), _eye),
    rec("arange", _plain(np.arange), _arange, dtypes=NUMERIC),
    rec("linspace", _plain(np.linspace), _spaced, dtypes=FLOATS, open_dtypes=INT_BOOL),
    rec("logspace", _plain(np.logspace), _spaced, dtypes=FLOATS, open_dtypes=INT_BOOL,
        tolerance=POWERS),
    rec("geomspace", _plain(np.geomspace), _spaced, dtypes=FLOATS, open_dtypes=INT_BOOL,
        tolerance=POWERS),
    rec("bartlett", lambda x: np.bartlett(x), _window, **WINDOW),
    rec("blackman", lambda x: np.blackman(x), _window, **WINDOW),
    rec("hamming", lambda x: np.hamming(x), _window, **WINDOW),
    rec("hanning", lambda x: np.hanning(x), _window, **WINDOW),
    rec("kaiser", lambda x, beta: np.kaiser(x, beta), _kaiser, **WINDOW),
)  # fmt: skip
