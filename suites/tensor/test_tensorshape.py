"""tf.TensorShape algebra on partially known shapes, and tf.TensorSpec.

TensorShape and TensorSpec are pure Python objects: their algebra (rank, compatibility,
merging, concatenation) does not depend on a device or an execution mode, so those tests
take no ``target`` and run once, on the host. The TensorSpec claims that involve a tensor
do take a ``target``: the tensor is an EagerTensor in eager mode and a symbolic tensor
while tracing, and both must behave.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import claim
from pytest_tf2conf.dtype_axis import dtype_axis
from pytest_tf2conf.strategies import arrays, shapes

from ._support import ALL_DTYPES, API, as_numpy, run_built

TS_DOC = API + "TensorShape"
SPEC_DOC = API + "TensorSpec"

RANK_AS_LIST = claim(
    "tensor.tensorshape-rank-and-as-list",
    "TensorShape(dims).rank is len(dims) and as_list() gives dims back, None for unknown sizes.",
    TS_DOC,
)
FULLY_DEFINED = claim(
    "tensor.tensorshape-is-fully-defined",
    "TensorShape.is_fully_defined() is true exactly when the rank and every size are known.",
    TS_DOC,
)
UNKNOWN_RANK = claim(
    "tensor.tensorshape-unknown-rank",
    "TensorShape(None) has rank None, is not fully defined and its as_list() raises ValueError.",
    TS_DOC,
)
COMPATIBLE = claim(
    "tensor.tensorshape-compatibility",
    "Two shapes are compatible iff a rank is unknown, or ranks match and each size pair may agree.",
    TS_DOC,
)
MERGE = claim(
    "tensor.tensorshape-merge-with",
    "merge_with of compatible shapes keeps every size known in either one.",
    TS_DOC,
)
MERGE_REJECTS = claim(
    "tensor.tensorshape-merge-rejects-incompatible",
    "merge_with of incompatible shapes raises ValueError.",
    TS_DOC,
)
CONCATENATE = claim(
    "tensor.tensorshape-concatenate",
    "concatenate joins the dimensions of two shapes; with an unknown rank the result is unknown.",
    TS_DOC,
)
SPEC_FIELDS = claim(
    "tensor.tensorspec-shape-and-dtype",
    "TensorSpec(shape, dtype) exposes that shape (as a TensorShape) and that dtype.",
    SPEC_DOC,
)
SPEC_FROM_TENSOR = claim(
    "tensor.tensorspec-from-tensor",
    "TensorSpec.from_tensor(t) has t's (static) shape and t's dtype.",
    SPEC_DOC,
)
SPEC_COMPATIBLE = claim(
    "tensor.tensorspec-compatible-with-tensor",
    "A TensorSpec is compatible with a tensor iff the dtypes are equal and the shapes compatible.",
    SPEC_DOC,
)

Dims = list[int | None] | None  # None: unknown rank


# --- independent oracles (plain Python on lists) ---------------------------------------
def compatible(a: Dims, b: Dims) -> bool:
    if a is None or b is None:
        return True
    return len(a) == len(b) and all(
        x is None or y is None or x == y for x, y in zip(a, b, strict=True)
    )


def merged(a: Dims, b: Dims) -> Dims:
    if a is None:
        return b
    if b is None:
        return a
    return [x if x is not None else y for x, y in zip(a, b, strict=True)]


# --- strategies -------------------------------------------------------------------------
sizes = st.one_of(st.none(), st.integers(0, 5))
known_dims = st.lists(sizes, max_size=4)
any_dims = st.one_of(st.just(None), known_dims)


@st.composite
def compatible_pairs(draw: st.DrawFn) -> tuple[Dims, Dims]:
    """Two partial views of one full shape (sizes hidden at random): always compatible."""
    full = draw(st.lists(st.integers(0, 5), max_size=4))

    def view() -> Dims:
        if draw(st.integers(0, 9)) == 0:
            return None
        return [None if draw(st.booleans()) else d for d in full]

    return view(), view()


@st.composite
def incompatible_pairs(draw: st.DrawFn) -> tuple[Dims, Dims]:
    """Known ranks that differ, or one dimension known on both sides with different sizes."""
    a = draw(known_dims)
    if not a or draw(st.booleans()):
        b = draw(known_dims.filter(lambda d: len(d) != len(a)))
        return a, b
    i = draw(st.integers(0, len(a) - 1))
    a[i] = draw(st.integers(0, 5))
    b = [None if draw(st.booleans()) else d for d in a]
    b[i] = draw(st.integers(0, 5).filter(lambda s: s != a[i]))
    return a, b


shape_pairs = st.one_of(compatible_pairs(), incompatible_pairs(), st.tuples(any_dims, any_dims))


# --- TensorShape ------------------------------------------------------------------------
@RANK_AS_LIST
@given(known_dims)
def test_tensorshape_rank_and_as_list(dims):
    shape = tf.TensorShape(dims)
    assert shape.rank == len(dims)
    assert shape.as_list() == dims


@FULLY_DEFINED
@given(any_dims)
def test_tensorshape_is_fully_defined(dims):
    expected = dims is not None and all(d is not None for d in dims)
    assert tf.TensorShape(dims).is_fully_defined() == expected


@UNKNOWN_RANK
@given(any_dims)
def test_tensorshape_unknown_rank(other):
    unknown = tf.TensorShape(None)
    assert unknown.rank is None
    assert not unknown.is_fully_defined()
    with pytest.raises(ValueError):
        unknown.as_list()
    # Unknown rank is compatible with (and merges into) any shape.
    assert unknown.is_compatible_with(tf.TensorShape(other))
    result = unknown.merge_with(tf.TensorShape(other))
    assert (result.as_list() if result.rank is not None else None) == other


@COMPATIBLE
@given(shape_pairs)
def test_tensorshape_compatibility(pair):
    a, b = pair
    expected = compatible(a, b)
    assert tf.TensorShape(a).is_compatible_with(tf.TensorShape(b)) == expected, (a, b)
    assert tf.TensorShape(b).is_compatible_with(tf.TensorShape(a)) == expected, (b, a)


@MERGE
@given(compatible_pairs())
def test_tensorshape_merge_with(pair):
    a, b = pair
    result = tf.TensorShape(a).merge_with(tf.TensorShape(b))
    expected = merged(a, b)
    assert (result.as_list() if result.rank is not None else None) == expected, (a, b)


@MERGE_REJECTS
@given(incompatible_pairs())
def test_tensorshape_merge_rejects_incompatible(pair):
    a, b = pair
    with pytest.raises(ValueError):
        tf.TensorShape(a).merge_with(tf.TensorShape(b))


@CONCATENATE
@given(any_dims, any_dims)
def test_tensorshape_concatenate(a, b):
    result = tf.TensorShape(a).concatenate(tf.TensorShape(b))
    if a is None or b is None:
        assert result.rank is None
    else:
        assert result.as_list() == a + b


# --- TensorSpec -------------------------------------------------------------------------
@SPEC_FIELDS
@dtype_axis((*ALL_DTYPES, "string"), "name")  # one host item per dtype (pytest_tf2conf.dtype_axis)
@given(any_dims)
def test_tensorspec_shape_and_dtype(name, dims):
    spec = tf.TensorSpec(dims, tf.as_dtype(name))
    assert isinstance(spec.shape, tf.TensorShape)
    assert spec.shape == tf.TensorShape(dims) or (dims is None and spec.shape.rank is None)
    assert spec.dtype == tf.as_dtype(name)


def spec_of(x):
    # Read while tracing (or eagerly): the spec's shape and dtype against x's own.
    spec = tf.TensorSpec.from_tensor(x)
    sizes = [-1 if d is None else d for d in spec.shape.as_list()]
    same = spec.shape.as_list() == x.shape.as_list() and spec.dtype == x.dtype
    return tf.constant(sizes, tf.int32, shape=[len(sizes)]), tf.constant(same)


# Each dtype is its own item (see pytest_tf2conf.dtype_axis): every dtype runs in every
# profile, and graph modes trace once per rank.
per_dtype = dtype_axis(ALL_DTYPES)


def any_arrays(dtype: str) -> st.SearchStrategy[np.ndarray]:
    return arrays(dtype, shapes(0, 4))


@SPEC_FROM_TENSOR
@per_dtype
@given(st.data())
def test_tensorspec_from_tensor(target, dtype, data):
    array = data.draw(any_arrays(dtype), label="array")
    sizes, same = target.run(spec_of, array, relax_shapes=False)
    assert bool(as_numpy(same)), "from_tensor's shape or dtype differs from the tensor's"
    np.testing.assert_array_equal(as_numpy(sizes), np.array(array.shape, np.int32))


@SPEC_COMPATIBLE
@per_dtype  # the tensor's dtype; the spec's dtype is drawn (the same one, or any)
@given(st.data())
def test_tensorspec_compatible_with_tensor(target, dtype, data):
    array = data.draw(any_arrays(dtype), label="array")
    dims = [None if data.draw(st.booleans()) else d for d in array.shape]
    dims = [d if d is None else data.draw(st.sampled_from([d, d + 1])) for d in dims]
    if data.draw(st.integers(0, 4)) == 0:
        dims = [*dims, 1]  # another rank
    name = data.draw(st.sampled_from([array.dtype.name, *ALL_DTYPES]), label="spec dtype")
    spec = tf.TensorSpec(dims, tf.as_dtype(name))

    def check():
        return tf.constant(spec.is_compatible_with(tf.identity(tf.constant(array))))

    expected = spec.dtype == tf.as_dtype(array.dtype) and compatible(dims, list(array.shape))
    assert bool(as_numpy(run_built(target, check))) == expected, (spec, array.shape, array.dtype)
