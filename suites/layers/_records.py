"""The layers table: one record per Keras core layer, checked by the generic properties of
``suites/layers/test_layers.py``.

A record gives the layer (its ``keras.layers`` class name), a hypothesis strategy of
constructor arguments with input shapes (``Case``), how the layer is called (one input, a
list, or query and value), its NumPy float64 reference (``pytest_tf2conf.layer_references``)
and its page on keras.io. Adding a layer is adding a record. Keras and NumPy only: the
suite runs unchanged on every Keras backend.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from hypothesis import strategies as st

from pytest_tf2conf import layer_references as ref
from pytest_tf2conf.claims import Claim

API = "https://keras.io/api/layers"
Shape = tuple[int, ...]


@dataclass(frozen=True)
class Case:
    """One drawn configuration: constructor arguments and the input shapes (batch first)."""

    kwargs: dict[str, Any]
    shapes: tuple[Shape, ...]


@dataclass(frozen=True)
class LayerRecord:
    slug: str  # claim ids: layers.<slug>-<property>
    layer: str  # keras.layers.<layer>
    cases: Callable[[], st.SearchStrategy[Case]]
    reference: Callable[[Sequence[np.ndarray], Sequence[np.ndarray], dict[str, Any]], np.ndarray]
    doc: str
    call: str = "single"  # "single": layer(x); "list": layer([x, y]); "pair": layer(q, v)
    vocabulary: int | None = None  # integer inputs in [0, vocabulary) (Embedding's indices)
    statement: str = ""  # the documented computation, in words (claims' statements)
    # Fixed configurations checked in every profile: edge cases that a profile's few draws
    # may miss (padding split unevenly between the two sides of a window, say).
    points: tuple[Case, ...] = ()
    # False for layers that set ``autocast = False`` (LayerNormalization): under a mixed
    # policy they compute from their float32 inputs and weights and cast only the output,
    # so the reference rounds nothing before computing (rounding the inputs first made two
    # nearly equal inputs equal: 0.0 where the layer normalizes 0.25; a thorough TF run).
    autocast: bool = True

    def claim(self, prop: str) -> Claim:
        what = self.statement or f"{self.layer} computes its documented function"
        texts = {
            "forward": f"{self.layer}: {what}; its forward values match a NumPy float64 "
            "computation of that from the same inputs and weights.",
            "shape-dtype": f"{self.layer} called on float32 inputs returns float32 (its "
            "dtype policy's compute dtype) with the documented output shape.",
            "compute-output-shape": f"{self.layer}.compute_output_shape gives the shape of "
            "the output the layer returns, with an unknown batch size kept unknown.",
            "mixed-precision": f"{self.layer} with dtype policy mixed_float16 or "
            "mixed_bfloat16 keeps float32 variables, computes and returns the 16-bit "
            "compute dtype, and its values match the documented computation on 16-bit "
            "rounded inputs and weights."
            if self.autocast
            else f"{self.layer} with dtype policy mixed_float16 or mixed_bfloat16 keeps "
            "float32 variables, computes from its float32 inputs and weights (autocast off) "
            "and returns the 16-bit compute dtype: the documented computation, rounded.",
        }
        doc = self.doc
        if prop == "mixed-precision":
            doc = "https://keras.io/api/mixed_precision/policy/"
        suffix = "forward-matches-reference" if prop == "forward" else prop
        # keras.io/api documents Keras 3; the suite drives layers through keras.ops.
        return Claim(f"layers.{self.slug}-{suffix}", texts[prop], doc, applies="keras>=3")


# -- strategies -------------------------------------------------------------------------------
BATCH = st.integers(1, 3)
SIZE = st.integers(1, 4)


@st.composite
def _dense(draw: Any) -> Case:
    shape = (draw(BATCH), *draw(st.lists(SIZE, min_size=0, max_size=1)), draw(st.integers(1, 6)))
    kwargs = {
        "units": draw(st.integers(1, 5)),
        "activation": draw(st.sampled_from([None, "relu", "tanh", "sigmoid"])),
        "use_bias": draw(st.booleans()),
    }
    return Case(kwargs, (shape,))


@st.composite
def _conv(draw: Any, rank: int) -> Case:
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    strides = draw(st.integers(1, 2))
    dilation = draw(st.integers(1, 2)) if strides == 1 else 1  # Keras allows one of them > 1
    padding = draw(st.sampled_from(["valid", "same"]))
    # A valid window needs (k - 1) * d + 1 positions.
    spatial = tuple(draw(st.integers((k - 1) * dilation + 1, 7)) for k in kernel)
    kwargs = {
        "filters": draw(st.integers(1, 4)),
        "kernel_size": kernel,
        "strides": strides,
        "padding": padding,
        "dilation_rate": dilation,
        "activation": draw(st.sampled_from([None, "relu"])),
        "use_bias": draw(st.booleans()),
    }
    return Case(kwargs, ((draw(BATCH), *spatial, draw(st.integers(1, 3))),))


@st.composite
def _pool(draw: Any, rank: int) -> Case:
    size = draw(st.integers(1, 3))
    strides = draw(st.sampled_from([None, 1, 2]))
    padding = draw(st.sampled_from(["valid", "same"]))
    spatial = tuple(draw(st.integers(size, 7)) for _ in range(rank))
    kwargs = {"pool_size": size, "strides": strides, "padding": padding}
    return Case(kwargs, ((draw(BATCH), *spatial, draw(SIZE)),))


@st.composite
def _global_pool(draw: Any, rank: int) -> Case:
    spatial = tuple(draw(st.integers(1, 5)) for _ in range(rank))
    kwargs = {"keepdims": draw(st.booleans())}
    return Case(kwargs, ((draw(BATCH), *spatial, draw(SIZE)),))


@st.composite
def _features(draw: Any, **kwargs: Any) -> Case:
    rank = draw(st.integers(0, 1))
    shape = (draw(BATCH), *(draw(SIZE) for _ in range(rank)), draw(st.integers(2, 6)))
    return Case(dict(kwargs), (shape,))


@st.composite
def _normalization(draw: Any) -> Case:
    case = draw(_features())
    return Case({"epsilon": draw(st.sampled_from([1e-3, 1e-5, 0.1]))}, case.shapes)


@st.composite
def _embedding(draw: Any) -> Case:
    shape = (draw(BATCH), *draw(st.lists(SIZE, min_size=0, max_size=2)))
    return Case({"input_dim": VOCABULARY, "output_dim": draw(st.integers(1, 4))}, (shape,))


@st.composite
def _attention(draw: Any) -> Case:
    batch, dim = draw(BATCH), draw(st.integers(1, 5))
    query = (batch, draw(st.integers(1, 4)), dim)
    value = (batch, draw(st.integers(1, 4)), dim)
    kwargs = {"num_heads": draw(st.integers(1, 3)), "key_dim": draw(st.integers(1, 4))}
    return Case(kwargs, (query, value))


@st.composite
def _recurrent(draw: Any) -> Case:
    shape = (draw(BATCH), draw(st.integers(1, 5)), draw(st.integers(1, 4)))
    kwargs = {"units": draw(st.integers(1, 4)), "return_sequences": draw(st.booleans())}
    return Case(kwargs, (shape,))


@st.composite
def _reshape(draw: Any) -> Case:
    shape = (draw(BATCH), *(draw(SIZE) for _ in range(draw(st.integers(1, 3)))))
    size = int(np.prod(shape[1:]))
    divisors = [d for d in range(1, size + 1) if size % d == 0]
    first = draw(st.sampled_from(divisors))
    target = draw(st.sampled_from([(first, size // first), (size,), (first, -1), (-1, 1)]))
    return Case({"target_shape": target}, (shape,))


@st.composite
def _permute(draw: Any) -> Case:
    rank = draw(st.integers(2, 3))
    dims = tuple(draw(st.permutations(range(1, rank + 1))))
    shape = (draw(BATCH), *(draw(SIZE) for _ in range(rank)))
    return Case({"dims": dims}, (shape,))


@st.composite
def _flatten(draw: Any) -> Case:
    shape = (draw(BATCH), *(draw(SIZE) for _ in range(draw(st.integers(1, 3)))))
    return Case({}, (shape,))


@st.composite
def _merge(draw: Any, concatenate: bool = False) -> Case:
    shape = (draw(BATCH), *(draw(SIZE) for _ in range(draw(st.integers(1, 2)))))
    count = draw(st.integers(2, 3))
    if not concatenate:
        return Case({}, (shape,) * count)
    axis = draw(st.sampled_from([-1, 1]))
    shapes = tuple(
        tuple(draw(SIZE) if i == (axis % len(shape)) else n for i, n in enumerate(shape))
        for _ in range(count)
    )
    return Case({"axis": axis}, shapes)


@st.composite
def _dropout(draw: Any) -> Case:
    case = draw(_flatten())
    return Case({"rate": draw(st.sampled_from([0.0, 0.2, 0.5, 0.9]))}, case.shapes)


VOCABULARY = 7


# -- the table ----------------------------------------------------------------------------
def _uneven(rank: int, channels: int, **kwargs: Any) -> Case:
    """A "same" window of 3 with strides 2 over 4 positions per axis: padding 0 before and
    1 after, so the last window overlaps the padding by one position."""
    return Case({"padding": "same", **kwargs}, ((2, *(4,) * rank, channels),))


def _pooling(name: str, slug: str, rank: int, kind: str, page: str) -> LayerRecord:
    return LayerRecord(
        slug, name, partial(_pool, rank), lambda i, w, c: ref.pool(i, c, rank=rank, kind=kind),
        f"{API}/pooling_layers/{page}/",
        statement=f"each output is the {kind} of its pool_size window, strides defaulting to "
        "pool_size, 'same' padding giving ceil(n / strides) positions"
        + (" (padding not counted)" if kind == "average" else ""),
        points=(_uneven(rank, 2, pool_size=3, strides=2), _uneven(rank, 2, pool_size=2, strides=1)),
    )  # fmt: skip


def _conv_points(rank: int) -> tuple[Case, ...]:
    return (
        _uneven(rank, 3, filters=2, kernel_size=3, strides=2),
        _uneven(rank, 3, filters=2, kernel_size=2, dilation_rate=2),
    )


def _global(name: str, slug: str, rank: int, kind: str, page: str) -> LayerRecord:
    return LayerRecord(
        slug, name, partial(_global_pool, rank),
        lambda i, w, c: ref.global_pool(i, c, kind=kind), f"{API}/pooling_layers/{page}/",
        statement=f"the {kind} over every spatial axis (kept as size 1 with keepdims)",
    )  # fmt: skip


RECORDS: tuple[LayerRecord, ...] = (
    LayerRecord("dense", "Dense", _dense, ref.dense, f"{API}/core_layers/dense/",
                statement="activation(dot(input, kernel) + bias) over the last input axis"),
    LayerRecord("conv1d", "Conv1D", partial(_conv, 1), ref.conv,
                f"{API}/convolution_layers/convolution1d/",
                points=_conv_points(1),
                statement="the cross-correlation of each window with the kernel, plus bias, "
                "then the activation, for every stride, dilation and padding"),
    LayerRecord("conv2d", "Conv2D", partial(_conv, 2), ref.conv,
                f"{API}/convolution_layers/convolution2d/",
                points=_conv_points(2),
                statement="the cross-correlation of each window with the kernel, plus bias, "
                "then the activation, for every stride, dilation and padding"),
    _pooling("MaxPooling1D", "max-pooling1d", 1, "max", "max_pooling1d"),
    _pooling("MaxPooling2D", "max-pooling2d", 2, "max", "max_pooling2d"),
    _pooling("AveragePooling1D", "average-pooling1d", 1, "average", "average_pooling1d"),
    _pooling("AveragePooling2D", "average-pooling2d", 2, "average", "average_pooling2d"),
    _global("GlobalAveragePooling1D", "global-average-pooling1d", 1, "mean",
            "global_average_pooling1d"),
    _global("GlobalAveragePooling2D", "global-average-pooling2d", 2, "mean",
            "global_average_pooling2d"),
    _global("GlobalMaxPooling1D", "global-max-pooling1d", 1, "max", "global_max_pooling1d"),
    _global("GlobalMaxPooling2D", "global-max-pooling2d", 2, "max", "global_max_pooling2d"),
    LayerRecord("batch-normalization", "BatchNormalization", _normalization,
                ref.batch_normalization,
                f"{API}/normalization_layers/batch_normalization/",
                statement="at inference, gamma * (x - moving_mean) / sqrt(moving_var + "
                "epsilon) + beta over the last axis"),
    LayerRecord("layer-normalization", "LayerNormalization", _normalization,
                ref.layer_normalization,
                f"{API}/normalization_layers/layer_normalization/",
                statement="gamma * (x - mean) / sqrt(var + epsilon) + beta with the mean and "
                "variance of each example over the last axis", autocast=False),
    LayerRecord("embedding", "Embedding", _embedding, ref.embedding,
                f"{API}/core_layers/embedding/", vocabulary=VOCABULARY,
                statement="row i of the embeddings matrix for each index i"),
    LayerRecord("multi-head-attention", "MultiHeadAttention", _attention,
                ref.multi_head_attention, f"{API}/attention_layers/multi_head_attention/",
                call="pair",
                # key_dim 1 and a value as long as num_heads (found by the thorough profile).
                points=(Case({"num_heads": 2, "key_dim": 1}, ((2, 3, 3), (2, 2, 3))),),
                statement="softmax(q k^T / sqrt(key_dim)) v per head of the projected query, "
                "key (= value) and value, then the output projection"),
    LayerRecord("simple-rnn", "SimpleRNN", _recurrent, ref.simple_rnn,
                f"{API}/recurrent_layers/simple_rnn/",
                statement="h_t = tanh(x_t W + h_(t-1) U + b) from a zero state, the last "
                "output or all of them with return_sequences"),
    LayerRecord("lstm", "LSTM", _recurrent, ref.lstm, f"{API}/recurrent_layers/lstm/",
                statement="the LSTM recurrence (sigmoid gates i, f, o; tanh candidate and "
                "output) from zero states, the last output or all of them"),
    LayerRecord("gru", "GRU", _recurrent, ref.gru, f"{API}/recurrent_layers/gru/",
                statement="the GRU recurrence with the reset gate applied after the "
                "recurrent projection (reset_after=True), from a zero state"),
    LayerRecord("flatten", "Flatten", _flatten, ref.flatten,
                f"{API}/reshaping_layers/flatten/",
                statement="the row-major flattening of each example"),
    LayerRecord("reshape", "Reshape", _reshape, ref.reshape,
                f"{API}/reshaping_layers/reshape/",
                statement="the row-major reshape of each example to target_shape (-1 "
                "inferred)"),
    LayerRecord("permute", "Permute", _permute, ref.permute,
                f"{API}/reshaping_layers/permute/",
                statement="the transpose of each example by dims (1-based)"),
    LayerRecord("concatenate", "Concatenate", partial(_merge, concatenate=True),
                ref.concatenate, f"{API}/merging_layers/concatenate/", call="list",
                statement="the inputs joined along axis"),
    LayerRecord("add", "Add", _merge, ref.add, f"{API}/merging_layers/add/", call="list",
                statement="the element-wise sum of the inputs"),
    LayerRecord("multiply", "Multiply", _merge, ref.multiply,
                f"{API}/merging_layers/multiply/", call="list",
                statement="the element-wise product of the inputs"),
    LayerRecord("dropout", "Dropout", _dropout, ref.identity,
                f"{API}/regularization_layers/dropout/",
                statement="at inference (training=False), the input unchanged"),
)  # fmt: skip


def records() -> tuple[LayerRecord, ...]:
    return RECORDS
