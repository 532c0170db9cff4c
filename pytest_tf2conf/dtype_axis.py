"""The dtype as a parametrization axis of a property, as the op database has it.

A property that draws its dtype inside the example can miss a dtype entirely at a small
profile (quick: 8 examples over ~10 dtypes), and its pass then says nothing about that
dtype. Decorated with ``@dtype_axis(DTYPES)`` (above ``@given``), each dtype is its own
pytest item instead, and the test id carries it (``test_x[float32-CPU:1-xla]``):

* every declared dtype is exercised in every profile;
* the report can say which dtype failed, and ``-k float16`` selects one;
* a graph-mode property traces once per rank, not once per dtype x rank (the dtype is
  fixed for all examples of an item).

The cost is more items, each drawing fewer examples: the axis splits the profile's example
budget over its dtypes (``fraction / len(dtypes)`` of it, at least ``minimum`` per item), so
a property's total stays about what it was when it drew the dtype itself.

Properties over *pairs* of dtypes (casts, promotion) either take the first dtype from the
axis and keep drawing the second, or give the axis the pairs themselves when they are few:
``dtype_axis([("complex64", "float32"), ...], "src,dst")`` (id ``complex64-float32``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pytest

from .profiles import scaled_examples

F = TypeVar("F", bound=Callable[..., Any])

# Per item: one example would be hypothesis' simplest one (often all zeros) and nothing else.
MIN_EXAMPLES = 2
# The id of ``None`` on an axis: "no dtype given, the API's default" (tf.zeros(shape)).
DEFAULT_ID = "default"

DtypeValue = str | None | tuple[str | None, ...]


def dtype_id(value: DtypeValue) -> str:
    """The id part of one axis value: the dtype's name, or the names of a pair joined by -."""
    if isinstance(value, tuple):
        return "-".join(dtype_id(part) for part in value)
    return DEFAULT_ID if value is None else value


def dtype_params(dtypes: Sequence[DtypeValue]) -> list[Any]:
    """One ``pytest.param`` per dtype (or per tuple of dtypes, for several argnames)."""
    params = []
    for value in dtypes:
        values = value if isinstance(value, tuple) else (value,)
        params.append(pytest.param(*values, id=dtype_id(value)))
    return params


def dtype_axis(
    dtypes: Sequence[DtypeValue],
    argnames: str = "dtype",
    *,
    fraction: float = 1.0,
    minimum: int = MIN_EXAMPLES,
) -> Callable[[F], F]:
    """Parametrize a property by ``dtypes`` and give each item its share of the examples.

    ``fraction`` is the property's own budget as a fraction of the profile's (what it passed
    to ``scaled_examples`` before, for costly properties); each dtype item draws
    ``fraction / len(dtypes)`` of the profile's examples, at least ``minimum``. Place it
    above ``@given`` and instead of any ``@settings``/``scaled_examples`` (hypothesis allows
    one settings decorator per test).
    """
    if not dtypes:
        raise ValueError("dtype_axis needs at least one dtype")
    mark = pytest.mark.parametrize(argnames, dtype_params(dtypes))
    budget = scaled_examples(fraction / len(dtypes), minimum)

    def apply(test: F) -> F:
        return mark(budget(test))

    return apply
