"""Claims: documented statements that conformance tests check.

A claim has a stable id ``area.slug``, a one-line statement written by us and a link to the
TensorFlow/Keras documentation that states it. Tests declare claims with ``@claim(...)``;
the plugin builds the catalogue at collection time and rejects suite tests without a claim
or an id declared twice with different texts.

This module must stay importable without TensorFlow: the CLI and the report tools use it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

import pytest

MARKER = "tf2conf_claim"
# area.slug-words, or area.<a dotted public API name> for claims about one API symbol
# (docs.tf.math.reduce_sum, docs.tf.TensorShape.merge_with, docs.keras.ops.add).
ID_PATTERN = re.compile(
    r"^[a-z][a-z0-9_]*\.(?:[a-z0-9][a-z0-9-]*|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)$", re.ASCII
)
DOC_PREFIXES = ("https://",)

F = TypeVar("F", bound=Callable[..., Any])


class ClaimError(ValueError):
    """A malformed or conflicting claim declaration."""


@dataclass(frozen=True)
class Claim:
    id: str
    statement: str
    doc: str
    # The versions whose documentation states the claim ("keras>=3", "tf<2.16; keras<3"):
    # elsewhere its tests are skipped as not applicable (versions.py). Empty: all versions.
    applies: str = ""
    # The id of the claim this one replaces where the documentation changed: the pair is
    # what `tf2conf diff` lists as a behaviour change when a run switches from one to the other.
    supersedes: str = ""

    @property
    def area(self) -> str:
        return self.id.split(".", 1)[0]

    def as_dict(self) -> dict[str, str]:
        # Unversioned claims keep the keys they always had (older reports compare alike).
        # A fresh copy of a table built once per claim: every item's payload asks for it
        # (~4 * 10^4 items), and dataclasses.asdict costs ~0.1 ms.
        return dict(_claim_dict(self))

    def validate(self) -> None:
        if not ID_PATTERN.match(self.id):
            raise ClaimError(f"claim id {self.id!r} is not of the form 'area.slug-words'")
        if not self.statement.strip() or "\n" in self.statement:
            raise ClaimError(f"claim {self.id}: the statement must be one non-empty line")
        if not self.doc.startswith(DOC_PREFIXES):
            raise ClaimError(f"claim {self.id}: doc must be an https:// link, got {self.doc!r}")
        if self.applies:
            from .versions import VersionRangeError, parse_range

            try:
                parse_range(self.applies)
            except VersionRangeError as exc:
                raise ClaimError(f"claim {self.id}: {exc}") from None
        if self.supersedes and (
            not ID_PATTERN.match(self.supersedes) or self.supersedes == self.id
        ):
            raise ClaimError(f"claim {self.id}: supersedes must name another claim id")


def claim(
    claim_id: str, statement: str, doc: str, *, applies: str = "", supersedes: str = ""
) -> Callable[[F], F]:
    """Declare that the decorated test checks one documented claim.

    Stack several ``@claim`` decorators for a test that checks several claims. ``applies``
    limits the claim to the versions whose documentation states it; ``supersedes`` links
    it to the claim of the earlier documentation it replaces.
    """
    declared = Claim(claim_id, statement, doc, applies, supersedes)
    declared.validate()
    return getattr(pytest.mark, MARKER)(claim=declared)


def claims_of(item: pytest.Item) -> list[Claim]:
    """The claims an item declares, in declaration order, without duplicates."""
    found: list[Claim] = []
    for mark in reversed(list(item.iter_markers(MARKER))):
        declared = mark.kwargs.get("claim")
        if isinstance(declared, Claim) and declared not in found:
            found.append(declared)
    return found


class Catalogue:
    """All claims seen in a run, keyed by id; one text per id."""

    def __init__(self) -> None:
        self._claims: dict[str, Claim] = {}
        self._where: dict[str, str] = {}

    def add(self, declared: Claim, where: str) -> None:
        known = self._claims.get(declared.id)
        if known is None:
            self._claims[declared.id] = declared
            self._where[declared.id] = where
        elif known != declared:
            raise ClaimError(
                f"claim {declared.id} is declared with two different texts "
                f"({self._where[declared.id]} and {where})"
            )

    def extend(self, claims: Iterable[Claim], where: str) -> None:
        for declared in claims:
            self.add(declared, where)

    def __len__(self) -> int:
        return len(self._claims)

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._claims

    def get(self, claim_id: str) -> Claim | None:
        return self._claims.get(claim_id)

    def sorted(self) -> list[Claim]:
        return [self._claims[key] for key in sorted(self._claims)]

    def as_dicts(self) -> list[dict[str, str]]:
        return [c.as_dict() for c in self.sorted()]


@functools.cache
def _claim_dict(claim: Claim) -> dict[str, str]:
    return {"area": claim.area, **{k: v for k, v in asdict(claim).items() if v}}
