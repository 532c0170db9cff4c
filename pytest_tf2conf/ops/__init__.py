"""The op database: one declarative record per public TensorFlow function.

``records()`` is every record, from the namespace modules listed in ``NAMESPACES``
(``ops/math.py``, ...). Adding an op is adding a record to its namespace's module; adding
a namespace is adding a module with a ``RECORDS`` tuple and its name here.

Importing this package imports NumPy and hypothesis, never TensorFlow (records look their
functions up when first called) and never SciPy (oracles import it when they first run).
"""

from __future__ import annotations

import functools
from importlib import import_module

from .record import ErrorCase, Grad, OpRecord, Sample

NAMESPACES = (
    "math",
    "math_table",
    "math_reduce",
    "math_misc",
    "linalg",
    "array",
    "array_indexing",
    "array_casts",
    "nn",
    "nn_misc",
    "nn_conv",
    "bitwise",
    "strings",
    "sparse",
    "random",
    "ragged",
    "signal",
    "signal_spectral",
    "image",
)

__all__ = ["NAMESPACES", "ErrorCase", "Grad", "OpRecord", "Sample", "by_name", "records"]


@functools.cache
def records() -> tuple[OpRecord, ...]:
    found: list[OpRecord] = []
    for namespace in NAMESPACES:
        found.extend(import_module(f".{namespace}", __name__).RECORDS)
    names = [r.name for r in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"op database: records declared twice: {', '.join(duplicates)}")
    return tuple(found)


def by_name(name: str) -> OpRecord:
    for record in records():
        if record.name == name or record.short == name:
            return record
    raise KeyError(name)
