"""Sequential, Functional and subclassed models: the same computation, different topologies.

Oracles: the MLP forward pass in float64 NumPy (``numpy_mlp``) and, for branching models,
the concatenation or sum of the branches computed from the layers' own weights in NumPy.
"""

from __future__ import annotations

import itertools
import math

import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim, recording
from pytest_tf2conf.keras_support import (
    KERAS_NUMPY2_NOISE,
    architectures,
    functional_mlp,
    numpy_mlp,
    predict,
    randomize_weights,
    sequential_mlp,
    subclassed_mlp,
    tiny_dataset,
    weight_path,
)
from pytest_tf2conf.profiles import scaled_examples

pytestmark = pytest.mark.filterwarnings(KERAS_NUMPY2_NOISE)

SEQUENTIAL_GUIDE = "https://keras.io/guides/sequential_model/"
FUNCTIONAL_GUIDE = "https://keras.io/guides/functional_api/"
SUBCLASSING_GUIDE = "https://keras.io/guides/making_new_layers_and_models_via_subclassing/"

SAME_COMPUTATION = claim(
    "model.sequential-and-functional-compute-the-same",
    "Input -> Flatten -> Dense(128, relu) -> Dense(n, softmax) written as a Sequential model "
    "and with the Functional API give the same predictions once given the same weights.",
    FUNCTIONAL_GUIDE,
)
DENSE_MLP = claim(
    "model.mlp-predictions-match-dense-formula",
    "A stack of Dense layers predicts activation(x @ kernel + bias) layer after layer "
    "(relu hidden layers, softmax output), for Sequential, Functional and subclassed models.",
    "https://keras.io/api/layers/core_layers/dense/",
)
BRANCHES = claim(
    "model.functional-supports-parallel-branches",
    "The Functional API can apply parallel layers to one input and merge them: "
    "Concatenate()([a(x), b(x)]) predicts the two branches' outputs side by side.",
    FUNCTIONAL_GUIDE,
)
MULTI_IO = claim(
    "model.functional-supports-several-inputs-and-outputs",
    "A Functional Model(inputs=[a, b], outputs=[y, z]) lists both inputs and both outputs "
    "and predict() returns one array per output, in order.",
    FUNCTIONAL_GUIDE,
)
SEQUENTIAL_SINGLE_INPUT = claim(
    "model.sequential-rejects-multi-input-layers",
    "A Sequential model is a plain stack of single-input layers: adding a layer whose call "
    "needs two input tensors (two required arguments, or a merge layer) raises ValueError.",
    SEQUENTIAL_GUIDE,
    # Keras 2 fails later, with TypeError from inside call (observed; docs/upgrades.md).
    applies="keras>=3",
)
SHARED_LAYER = claim(
    "model.shared-layer-reuses-its-weights",
    "Calling one layer instance on two inputs of a Functional model shares its weights: "
    "they are counted once and both branches apply the same kernel.",
    FUNCTIONAL_GUIDE,
)
SUBCLASSED = claim(
    "model.subclassed-model-tracks-sublayer-weights",
    "A subclassed Model tracks the layers assigned as attributes: once built, its weights "
    "are theirs, in assignment order, and count_params() counts them.",
    SUBCLASSING_GUIDE,
)

TUTORIAL_HIDDEN = (128,)


@SAME_COMPUTATION
@given(
    input_shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
    classes=st.integers(2, 10),
    seed=st.integers(0, 2**16),
)
@scaled_examples(0.2)
def test_sequential_and_functional_agree(keras_target, input_shape, classes, seed) -> None:
    x, _ = tiny_dataset(seed, n=4, features=input_shape, classes=classes)
    with keras_target.scope():
        sequential = sequential_mlp(input_shape, TUTORIAL_HIDDEN, classes)
        functional = functional_mlp(input_shape, TUTORIAL_HIDDEN, classes)
        weights = randomize_weights(sequential, seed, scale=0.2)
        functional.set_weights(weights)
        got_seq = predict(sequential, x, keras_target)
        got_fun = predict(functional, x, keras_target)
    assert_close(got_fun, got_seq, what="functional vs sequential predictions")
    assert_close(got_seq, numpy_mlp(x, weights), what="sequential vs NumPy forward pass")


@DENSE_MLP
@given(
    architecture=architectures(),
    kind=st.sampled_from(["sequential", "functional", "subclassed"]),
    seed=st.integers(0, 2**16),
)
@scaled_examples(0.3)
def test_mlp_matches_numpy(keras_target, architecture, kind, seed) -> None:
    input_shape, hidden, classes = architecture
    x, _ = tiny_dataset(seed, n=5, features=input_shape, classes=classes)
    builders = {"sequential": sequential_mlp, "functional": functional_mlp}
    with keras_target.scope():
        model = builders.get(kind, subclassed_mlp)(input_shape, hidden, classes)
        weights = randomize_weights(model, seed)
        got = predict(model, x, keras_target)
    assert_close(got, numpy_mlp(x, weights), what=f"{kind} model vs NumPy forward pass")


def _dense_np(x: np.ndarray, layer: keras.layers.Dense) -> np.ndarray:
    kernel, bias = (np.asarray(w, np.float64) for w in layer.get_weights())
    return x.astype(np.float64) @ kernel + bias


@BRANCHES
@given(
    features=st.integers(1, 5),
    left=st.integers(1, 4),
    right=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
@scaled_examples(0.4)
def test_parallel_branches(keras_target, features, left, right, seed) -> None:
    x, _ = tiny_dataset(seed, n=3, features=features)
    with keras_target.scope():
        inputs = keras.Input((features,))
        a = keras.layers.Dense(left, name="left")
        b = keras.layers.Dense(right, name="right")
        model = keras.Model(inputs, keras.layers.Concatenate()([a(inputs), b(inputs)]))
        randomize_weights(model, seed)
        got = predict(model, x, keras_target)
    assert tuple(model.output_shape) == (None, left + right)
    assert_close(got, np.concatenate([_dense_np(x, a), _dense_np(x, b)], axis=-1))


@MULTI_IO
@given(
    f1=st.integers(1, 4), f2=st.integers(1, 4), units=st.integers(1, 4), seed=st.integers(0, 2**16)
)
@scaled_examples(0.4)
def test_several_inputs_and_outputs(keras_target, f1, f2, units, seed) -> None:
    x1, _ = tiny_dataset(seed, n=3, features=f1)
    x2, _ = tiny_dataset(seed + 1, n=3, features=f2)
    with keras_target.scope():
        in1, in2 = keras.Input((f1,), name="first"), keras.Input((f2,), name="second")
        d1, d2 = keras.layers.Dense(units, name="d1"), keras.layers.Dense(units, name="d2")
        total = keras.layers.Add(name="total")([d1(in1), d2(in2)])
        echo = keras.layers.Identity(name="echo")(in2)
        model = keras.Model(inputs=[in1, in2], outputs=[total, echo])
        randomize_weights(model, seed)
        got = predict(model, [x1, x2], keras_target)
    assert [tuple(t.shape) for t in model.inputs] == [(None, f1), (None, f2)]
    assert [tuple(t.shape) for t in model.outputs] == [(None, units), (None, f2)]
    assert isinstance(got, (list, tuple)) and len(got) == 2
    assert_close(got[0], _dense_np(x1, d1) + _dense_np(x2, d2), what="first output")
    assert_close(got[1], x2.astype(np.float64), what="second output")


class _TwoArguments(keras.layers.Layer):
    """A layer whose call needs two tensors, like a merge."""

    def call(self, a, b):
        return a + b


@SEQUENTIAL_SINGLE_INPUT
@given(features=st.integers(1, 5), merge=st.sampled_from(["two-arguments", "add", "concat"]))
def test_sequential_rejects_multi_input_layer(keras_target, features, merge) -> None:
    layer = {
        "two-arguments": _TwoArguments,
        "add": keras.layers.Add,
        "concat": keras.layers.Concatenate,
    }[merge]()
    with keras_target.scope():
        try:
            keras.Sequential([keras.Input((features,)), keras.layers.Dense(2), layer])
        except Exception as exc:  # observed whatever it is; the claim wants ValueError
            recording.observe(f"Sequential with a {merge} layer raises", type(exc))
            if isinstance(exc, ValueError):
                return
            raise
    raise AssertionError(f"Sequential accepted the multi-input layer {layer!r}")


@SHARED_LAYER
@given(features=st.integers(1, 5), units=st.integers(1, 4), seed=st.integers(0, 2**16))
@scaled_examples(0.4)
def test_shared_layer(keras_target, features, units, seed) -> None:
    x1, _ = tiny_dataset(seed, n=3, features=features)
    x2, _ = tiny_dataset(seed + 1, n=3, features=features)
    with keras_target.scope():
        in1, in2 = keras.Input((features,)), keras.Input((features,))
        shared = keras.layers.Dense(units, name="shared")
        model = keras.Model([in1, in2], keras.layers.Subtract()([shared(in1), shared(in2)]))
        randomize_weights(model, seed)
        got = predict(model, [x1, x2], keras_target)
    assert model.count_params() == (features + 1) * units
    assert len(model.weights) == 2
    kernel = np.asarray(shared.get_weights()[0], np.float64)
    # The bias cancels; only one kernel exists, applied to both inputs.
    assert_close(got, (x1.astype(np.float64) - x2) @ kernel, what="shared-layer difference")


@SUBCLASSED
@given(architecture=architectures())
def test_subclassed_model_tracks_weights(keras_target, architecture) -> None:
    input_shape, hidden, classes = architecture
    with keras_target.scope():
        model = subclassed_mlp(input_shape, hidden, classes)
    # Keras 3 names a variable by its attribute ('kernel') and keeps the scope in .path;
    # Keras 2 names carry a scope and a ':0' output index: a documented upgrade change.
    recording.observe("weight names", sorted({w.name for w in model.weights}))
    widths = [math.prod(input_shape), *hidden, classes]
    expected_shapes = []
    for m, n in itertools.pairwise(widths):
        expected_shapes += [(m, n), (n,)]
    assert [tuple(w.shape) for w in model.weights] == expected_shapes
    assert model.count_params() == sum(math.prod(s) for s in expected_shapes)
    sublayers = [*model.hidden_layers, model.out]
    assert [weight_path(w) for w in model.weights] == [
        weight_path(w) for layer in sublayers for w in layer.weights
    ]
