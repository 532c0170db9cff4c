"""Python's cyclic garbage collector around a conformance run.

Importing TensorFlow and collecting ~4.5 * 10^4 tests allocate millions of long-lived
objects; each full collection while they pile up walks all of them (measured: 2.9 s of
gen-2 collections while collecting every suite, ~20% of a resumed process's start-up).
So the collector is paused from configuration to the end of collection, and what exists
then (modules, tests, claims) is frozen: later collections skip it (1.1 s less per
1/48 shard of the op database). Unfrozen at the end, so that a run embedded in a longer
process (pytester) leaves nothing behind.
"""

from __future__ import annotations

import gc

_paused = False
_frozen = False


def pause() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def settle() -> None:
    """After collection: freeze what exists, collect again from here on."""
    global _paused, _frozen
    if _paused:
        gc.freeze()
        gc.enable()
        _paused, _frozen = False, True


def release() -> None:
    global _paused, _frozen
    if _paused:
        gc.enable()
    if _frozen:
        gc.unfreeze()
    _paused = _frozen = False
