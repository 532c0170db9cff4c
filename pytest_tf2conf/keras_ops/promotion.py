"""Keras's documented type promotion, written out as an independent oracle.

``keras.backend.result_type`` documents that Keras promotes dtypes on a lattice adapted
from JAX's (https://keras.io/api/utils/config_utils/#resulttype-function; the table is in
keras/src/backend/common/dtypes.py). For the dtypes of ``record.UNIVERSE`` (no weak
Python scalars, no uint16 and wider unsigned types) the lattice comes down to these rules,
which this module states directly instead of calling Keras:

- equal dtypes promote to themselves; bool promotes to the other dtype;
- two signed (or two unsigned) integers: the wider one;
- a signed and an unsigned integer: the narrowest signed integer holding both
  (int8 + uint8 -> int16, int64 + uint8 -> int64);
- an integer (or bool) and a float: the float (int64 + float16 -> float16);
- two floats: the wider one, except bfloat16 + float16 -> float32 (neither holds the other).

``lattice`` is that rule (add, multiply, maximum, ...); ``floating`` adds a weak Python
float to the operands, as Keras's true division and transcendental binary functions do
(divide, arctan2): integer-only operands then give ``floatx()`` (float32).
"""

from __future__ import annotations

from .record import FLOATS

_BITS = {"bool": 1, "int8": 8, "int16": 16, "int32": 32, "int64": 64, "uint8": 8}
_FLOAT_RANK = {"bfloat16": 16, "float16": 16, "float32": 32, "float64": 64}


def _kind(dtype: str) -> str:
    if dtype == "bool":
        return "b"
    if dtype in FLOATS:
        return "f"
    return "u" if dtype.startswith("uint") else "i"


def lattice(a: str, b: str) -> str:
    """The documented result dtype of a binary Keras op on dtypes ``a`` and ``b``."""
    if a == b:
        return a
    ka, kb = _kind(a), _kind(b)
    if ka == "b":
        return b
    if kb == "b":
        return a
    if ka == "f" and kb == "f":
        if {a, b} == {"bfloat16", "float16"}:
            return "float32"
        return a if _FLOAT_RANK[a] > _FLOAT_RANK[b] else b
    if ka == "f":
        return a
    if kb == "f":
        return b
    if ka == kb:
        return a if _BITS[a] > _BITS[b] else b
    signed, unsigned = (a, b) if ka == "i" else (b, a)
    bits = max(_BITS[signed], 2 * _BITS[unsigned])
    return f"int{bits}"


def floating(a: str, b: str) -> str:
    """``lattice`` with a weak float operand: integer and bool results become float32."""
    result = lattice(a, b)
    return result if result in FLOATS else "float32"


RULES = {"lattice": lattice, "floating": floating}
