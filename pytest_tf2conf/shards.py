"""Which tests a shard runs (``--tf2conf-shard I/N``).

The functions take test ids, not pytest items, and use nothing but their arguments: every
shard process and every xdist worker computes the same partition from the same collection,
so the N shards cover each test exactly once. No TensorFlow (and no pytest) import here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def shard_key(test_id: str) -> int:
    return int.from_bytes(hashlib.sha256(test_id.encode()).digest()[:8], "big")


def hash_assignment(test_ids: Sequence[str], count: int) -> list[int]:
    """Shard (from 0) of each test by a stable hash of its id."""
    return [shard_key(test_id) % count for test_id in test_ids]


def shard_split(
    items: Sequence[T], test_ids: Sequence[str], shard: tuple[int, int]
) -> tuple[list[T], list[T]]:
    """(kept, dropped) items of shard ``index`` of ``count`` (from 1), in collection order."""
    index, count = shard
    keep: list[T] = []
    drop: list[T] = []
    for item, owner in zip(items, hash_assignment(test_ids, count), strict=True):
        (keep if owner == index - 1 else drop).append(item)
    return keep, drop
