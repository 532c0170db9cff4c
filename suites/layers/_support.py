"""What the generic layer properties share: parametrization over the records (each item
declaring its record's claim), building and calling a layer, its inputs and weights, and
the reference on the same weights. Keras and NumPy only.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
import pytest

from pytest_tf2conf import layer_references as ref
from pytest_tf2conf.claims import claim
from pytest_tf2conf.keras_support import randomize_weights
from pytest_tf2conf.tolerance import Tolerance, override

from ._records import Case, LayerRecord, records

POLICIES = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}

# A layer output sums at most a few dozen products of O(1) values: float32 rounding stays
# well inside 1e-5 absolute; the default atol (1e-6) would flag cancellation to near zero.
FORWARD_TOLERANCE = Tolerance(rtol=2e-5, atol=1e-5)
# 16-bit compute: every intermediate (projections, gates, recurrent states) is rounded to
# the compute dtype, so the error is a few roundings of the values' magnitude (O(1) here).
MIXED_TOLERANCES = {
    "float16": Tolerance(rtol=1e-2, atol=1e-2),
    "bfloat16": Tolerance(rtol=6e-2, atol=6e-2),
}


def _register_tolerances() -> None:
    for record in records():
        override(record.claim("forward").id, "float32", FORWARD_TOLERANCE)
        for dtype, tolerance in MIXED_TOLERANCES.items():
            override(record.claim("mixed-precision").id, dtype, tolerance)


_register_tolerances()


def params(prop: str, policies: bool = False) -> list[Any]:
    """One pytest param per record (x dtype policy), marked with the record's claim."""
    out = []
    for record in records():
        declared = record.claim(prop)
        mark = claim(declared.id, declared.statement, declared.doc, applies=declared.applies)
        if policies:
            out += [pytest.param(record, p, id=f"{record.slug}-{p}", marks=mark) for p in POLICIES]
        else:
            out.append(pytest.param(record, id=record.slug, marks=mark))
    return out


def point_params() -> list[Any]:
    """One pytest param per record x fixed configuration, marked with its forward claim."""
    out = []
    for record in records():
        declared = record.claim("forward")
        mark = claim(declared.id, declared.statement, declared.doc, applies=declared.applies)
        out += [
            pytest.param(record, case, id=f"{record.slug}-point{i}", marks=mark)
            for i, case in enumerate(record.points)
        ]
    return out


def make_layer(record: LayerRecord, case: Case, policy: str | None = None) -> keras.layers.Layer:
    kwargs = dict(case.kwargs)
    if policy is not None:
        kwargs["dtype"] = policy
    return getattr(keras.layers, record.layer)(**kwargs)


def inputs(record: LayerRecord, case: Case, seed: int) -> list[np.ndarray]:
    """Seeded float32 inputs of the case's shapes (indices in [0, vocabulary) for an
    Embedding)."""
    rng = np.random.default_rng(zlib.crc32(f"{record.slug}/{seed}".encode()))
    if record.vocabulary is not None:
        return [rng.integers(0, record.vocabulary, size=s).astype(np.int32) for s in case.shapes]
    return [rng.normal(size=s).astype(np.float32) for s in case.shapes]


def call(record: LayerRecord, layer: keras.layers.Layer, args: Sequence[Any]) -> Any:
    if record.call == "list":
        return layer(list(args))
    if record.call == "pair":
        return layer(args[0], args[1])
    return layer(args[0])


def functional(record: LayerRecord, layer: keras.layers.Layer, case: Case) -> keras.Model:
    """The layer alone in a Functional model (``predict`` runs it in the target's mode)."""
    dtype = "int32" if record.vocabulary is not None else "float32"
    symbolic = [keras.Input(shape=s[1:], batch_size=None, dtype=dtype) for s in case.shapes]
    return keras.Model(model_input(symbolic), call(record, layer, symbolic))


def model_input(xs: list[Any]) -> Any:
    return xs[0] if len(xs) == 1 else xs


def set_random_weights(model: keras.Model, seed: int) -> list[np.ndarray]:
    """Seeded weights (variances positive) as float64, in ``layer.weights`` order."""
    randomize_weights(model, seed)
    return [np.asarray(keras.ops.convert_to_numpy(w), np.float64) for w in model.weights]


def reference(
    record: LayerRecord, case: Case, xs: Sequence[np.ndarray], weights: Sequence[np.ndarray],
    rounding: str | None = None,
) -> np.ndarray:  # fmt: skip
    """The record's reference in float64; with ``rounding``, on inputs and weights rounded
    to that dtype first (what a 16-bit compute dtype sees)."""
    if rounding is not None:
        if record.vocabulary is None:
            xs = [ref.round_to(rounding, x) for x in xs]
        weights = [ref.round_to(rounding, w) for w in weights]
    xs = [np.asarray(x, np.float64) if record.vocabulary is None else x for x in xs]
    return np.asarray(record.reference(xs, weights, case.kwargs), np.float64)


def dtype_of(tensor: Any) -> str:
    return keras.backend.standardize_dtype(tensor.dtype)


def shape_of(tensor: Any) -> tuple[int | None, ...]:
    return tuple(None if d is None else int(d) for d in tensor.shape)


def numpy(tensor: Any) -> np.ndarray:
    """A layer's result as NumPy; 16-bit floats widened exactly to float32."""
    array = keras.ops.convert_to_numpy(keras.ops.cast(tensor, "float32"))
    return np.asarray(array)
