"""Top-level tf.* dtype functions: tf.cast, tf.saturate_cast, tf.bitcast and tf.complex,
with the conversion rules their documentation states (NumPy oracles on the exact inputs).

Each input dtype is converted to one target dtype (the record's result map), so that one
record checks every input dtype in one direction that its documentation pins down.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import strategies as S
from .array import F32_64, _gen_one, _gen_pair, _tf, record
from .array_samplers import Draw, sample
from .record import FLOATS, INTS, NUMERIC, OpRecord

# -- dtypes ----------------------------------------------------------------------------------
# tf.cast per input dtype: floats to int32 (documented: truncated toward zero), integers
# to float32 (rounded to nearest), complex to its real part's type (documented: the
# imaginary part is dropped), bool to int32 (0 and 1).
CAST_TO = {**{d: "int32" for d in FLOATS}, **{d: "float32" for d in INTS},
           "complex64": "float32", "complex128": "float64", "bool": "int32"}  # fmt: skip
# tf.saturate_cast: values are clamped to the target's range before the cast.
SATURATE_TO = {**{d: "int8" for d in FLOATS}, **{d: "uint8" for d in INTS},
               "complex64": "int8", "complex128": "int8"}  # fmt: skip


# uint32 and uint64 have no kernel (the clamp's minimum/maximum lacks them).
SATURATE_DTYPES = tuple(d for d in NUMERIC if d not in ("uint32", "uint64"))


def _cast_to(table: dict[str, str], fn_name: str) -> Callable[..., Any]:
    def call(x: Any) -> Any:
        # An undeclared dtype goes to int8: TensorFlow must reject it (dtype-support claim).
        return getattr(_tf(), fn_name)(x, table.get(x.dtype.name, "int8"))

    call.__name__ = fn_name
    return call


def _cast_oracle(x: np.ndarray, dtype: str) -> np.ndarray:
    to = S.numpy_dtype(CAST_TO[dtype])
    return (np.trunc(x.real) if x.dtype.kind in "fc" and to.kind == "i" else x.real).astype(to)


def _saturate_oracle(x: np.ndarray, dtype: str) -> np.ndarray:
    info = np.iinfo(S.numpy_dtype(SATURATE_TO[dtype]))
    real = x.real.astype(np.float64) if x.dtype.kind == "c" else x
    return np.trunc(np.clip(real, info.min, info.max)).astype(info.dtype)


def _gen_cast(d: Draw) -> Any:
    return sample(d.array(d.shape(), bound=1000.0))


# tf.bitcast to a type of the same width (the shape stays), or to bytes (one more axis).
BITCAST_TO = {"float16": "int16", "bfloat16": "uint16", "float32": "uint8", "float64": "int32",
              "int8": "uint8", "uint8": "int8", "int16": "float16", "uint16": "uint8",
              "int32": "float32", "uint32": "int8", "int64": "float64", "uint64": "uint16",
              "complex64": "float32", "complex128": "uint64"}  # fmt: skip


def _bitcast_oracle(x: np.ndarray, dtype: str) -> np.ndarray:
    # The oracle gets float64 values: it casts them back to the exact input dtype first.
    raw = np.array(x.astype(S.numpy_dtype(dtype)), order="C")  # 0-d stays 0-d
    to = S.numpy_dtype(BITCAST_TO[dtype])
    ratio = raw.dtype.itemsize // to.itemsize
    out = raw.view(to) if raw.ndim else raw.reshape(1).view(to)
    return out.reshape(raw.shape + ((ratio,) if ratio > 1 else ()))


def _complex(real: Any, imag: Any) -> Any:
    return _tf().complex(real, imag)


def _complex_oracle(real: np.ndarray, imag: np.ndarray) -> np.ndarray:
    """real + imag * j with the signs of zero parts kept (real + 1j * imag computes
    1j * -0.0 = (-0 + 0j) and loses them)."""
    real, imag = np.broadcast_arrays(real, imag)
    out = np.empty(real.shape, np.result_type(real.dtype, np.complex64))
    out.real, out.imag = real, imag
    return out


RECORDS: tuple[OpRecord, ...] = (
    record("complex", _complex, _complex_oracle, _gen_pair, F32_64,
           result={"float32": "complex64", "float64": "complex128"}),
    record("cast", _cast_to(CAST_TO, "cast"), _cast_oracle, _gen_cast, oracle_wants_dtype=True,
           result=CAST_TO, reference="(floats to int32 truncated toward zero, integers to "
           "float32, complex to its real part)"),
    record("saturate_cast", _cast_to(SATURATE_TO, "saturate_cast"), _saturate_oracle,
           _gen_cast, SATURATE_DTYPES, oracle_wants_dtype=True, result=SATURATE_TO,
           reference="(clamped to the target range, then cast)"),
    record("bitcast", _cast_to(BITCAST_TO, "bitcast"), _bitcast_oracle, _gen_one,
           tuple(BITCAST_TO), oracle_wants_dtype=True, result=BITCAST_TO,
           # XLA bitcasts no complex type (UnimplementedError).
           dtypes_by_target={"CPU-xla": tuple(d for d in BITCAST_TO if "complex" not in d)},
           reference="like numpy's view of the same bytes"),
)  # fmt: skip
