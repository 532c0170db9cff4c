"""Documented error inputs: each record's ``errors`` (``ErrorCase``) raise the documented
error class on every target, in every mode, never a result.

The class is looked up by name in ``tf.errors`` (``InvalidArgumentError``, ...) or among
Python's builtins (``ValueError``, ``TypeError``); a subclass counts, as ``except`` would. In
graph modes an error TensorFlow can find while tracing (a static shape) is raised then; the
target's functions trace with unknown dimensions, so shape errors are found when the graph
runs, as eagerly; a bad Python constant (an axis) is found while tracing, where
TensorFlow's shape functions raise ValueError (``ErrorCase.traced_error``). A mode that
raises a different class is a failure of this claim (or a
known deviation with its reason).
"""

from __future__ import annotations

import builtins

import pytest

from pytest_tf2conf import ops

from ._support import mark, require_declared


def _error_params() -> list:
    return [
        pytest.param(r, case, id=f"{r.short}-{case.what}", marks=mark(r.error_claim))
        for r in ops.records()
        for case in r.errors
    ]


def _error_class(name: str) -> type[BaseException]:
    import tensorflow as tf

    found = getattr(tf.errors, name, None) or getattr(builtins, name, None)
    if not (isinstance(found, type) and issubclass(found, BaseException)):
        raise LookupError(f"ErrorCase names {name!r}: not in tf.errors nor a builtin exception")
    return found


@pytest.mark.parametrize(("record", "case"), _error_params())
def test_documented_error_inputs_raise(target, record, case) -> None:
    require_declared(record, case.dtype, target)
    documented = case.error_in(target.mode.name)
    expected = _error_class(documented)
    sample = case.build(case.dtype)
    try:
        result = target.run(record.bound(sample.kwargs), *sample.args)
    except expected:
        return
    except Exception as exc:  # the wrong class is the finding
        pytest.fail(
            f"{record.name} ({case.what}) on {target.id} raised {type(exc).__name__}, "
            f"documented {documented}: {str(exc).strip().splitlines()[0][:200] if str(exc) else ''}"
        )
    pytest.fail(
        f"{record.name} ({case.what}) on {target.id} returned a result of shape "
        f"{tuple(getattr(result, 'shape', ()))}, documented to raise {documented}"
    )
