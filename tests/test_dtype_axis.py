"""The dtype axis: one item per dtype (ids = dtype names) and a per-item share of the examples."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_tf2conf.dtype_axis import dtype_axis, dtype_params


@pytest.fixture
def profile_examples() -> Iterator[Callable[[int], None]]:
    """Load a profile of ``n`` examples (as the plugin loads quick/ci before import)."""
    previous = settings.get_current_profile_name()

    def load(n: int) -> None:
        settings.register_profile("tf2conf-test-dtype-axis", max_examples=n)
        settings.load_profile("tf2conf-test-dtype-axis")

    yield load
    settings.load_profile(previous)


def _parametrize(test: Any) -> tuple[str, list[Any]]:
    (mark,) = [m for m in test.pytestmark if m.name == "parametrize"]
    return mark.args[0], mark.args[1]


def test_one_param_per_dtype_named_by_the_dtype() -> None:
    params = dtype_params(("float32", None, ("complex64", "float16")))
    assert [p.id for p in params] == ["float32", "default", "complex64-float16"]
    assert [p.values for p in params] == [("float32",), (None,), ("complex64", "float16")]


@pytest.mark.parametrize(
    ("fraction", "minimum", "expected"),
    [(1.0, 2, 25 // 4), (0.4, 2, 2), (0.2, 1, 1)],
)
def test_each_dtype_item_gets_its_share_of_the_examples(
    profile_examples: Callable[[int], None], fraction: float, minimum: int, expected: int
) -> None:
    profile_examples(25)  # the ci profile's budget
    dtypes = ("float16", "bfloat16", "float32", "float64")

    @dtype_axis(dtypes, fraction=fraction, minimum=minimum)
    @given(st.integers())
    def test_property(dtype: str, n: int) -> None:
        pass

    argnames, params = _parametrize(test_property)
    assert argnames == "dtype" and len(params) == 4
    assert test_property._hypothesis_internal_use_settings.max_examples == expected


def test_many_dtypes_keep_the_minimum(profile_examples: Callable[[int], None]) -> None:
    profile_examples(8)  # quick: 8 examples over 15 dtypes would round to 0

    @dtype_axis([f"d{i}" for i in range(15)], "src")
    @given(st.integers())
    def test_property(src: str, n: int) -> None:
        pass

    assert _parametrize(test_property)[0] == "src"
    assert test_property._hypothesis_internal_use_settings.max_examples == 2


def test_an_empty_axis_is_refused() -> None:
    with pytest.raises(ValueError):
        dtype_axis(())
