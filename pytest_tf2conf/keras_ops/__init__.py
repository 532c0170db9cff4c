"""keras.ops records: one declarative record per ``keras.ops`` function, checked by the
generic properties of ``suites/keras_ops`` on every Keras backend (``record.py``).

``records()`` is every record, from the modules listed in ``MODULES``. Importing this
package imports NumPy and hypothesis, never TensorFlow nor Keras.
"""

from __future__ import annotations

import functools
from importlib import import_module

from .record import KerasOpRecord

MODULES = ("elementwise", "reductions", "arrays", "creation", "nn")

__all__ = ["MODULES", "KerasOpRecord", "by_name", "coverage", "records"]


@functools.cache
def records() -> tuple[KerasOpRecord, ...]:
    found: list[KerasOpRecord] = []
    for module in MODULES:
        found.extend(import_module(f".{module}", __name__).RECORDS)
    names = [r.name for r in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"keras.ops records declared twice: {', '.join(duplicates)}")
    return tuple(found)


def by_name(name: str) -> KerasOpRecord:
    short = name.removeprefix("keras.ops.")
    for record in records():
        if record.name == short:
            return record
    raise KeyError(name)


def coverage() -> dict[str, int]:
    """How many keras.ops functions have records, and how many link an op-database record
    or have a gradient check."""
    every = records()
    return {
        "functions": len(every),
        "linked": sum(r.link is not None for r in every),
        "with_gradients": sum(r.grad is not None for r in every),
        "with_promotion": sum(r.promotion is not None for r in every),
    }
