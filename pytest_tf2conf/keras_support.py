"""Tiny models and data shared by the Keras suites (model, saving, callbacks).

Everything here imports ``keras`` and NumPy only, never TensorFlow, so the same suites run
on every Keras backend. Models are deliberately tiny: the suites check behaviour, not
learning, and a ``fit`` must cost well under a second.

Stable API (other suites import it): ``tiny_dataset``, ``sequential_mlp``,
``functional_mlp``, ``subclassed_mlp``, ``build_mlp``, ``randomize_weights``,
``numpy_mlp``, ``predict``, ``architectures``, ``MODEL_KINDS``.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

# Keras's TensorFlow backend reads variables with np.array(variable), which NumPy 2 flags
# with a DeprecationWarning per read (upstream noise, not what the Keras claims check).
KERAS_NUMPY2_NOISE = "ignore:__array__ implementation:DeprecationWarning"

# A model compiled but never trained saves an optimizer holding only its iteration count
# and learning rate; loading it compiles a fully built optimizer, and Keras warns that it
# skips the saved variables. Expected wherever such a model is saved and reloaded.
UNBUILT_OPTIMIZER_WARNING = "ignore:Skipping variable loading for optimizer:UserWarning"

# The three ways of writing a model that the Keras guides describe.
MODEL_KINDS = ("sequential", "functional", "subclassed")


def keras_version() -> tuple[int, int]:
    """The installed Keras as (major, minor), for claims about parameters added later."""
    major, minor = [*keras.__version__.split("."), "0"][:2]
    return int(major), int("".join(c for c in minor if c.isdigit()) or 0)


def tiny_dataset(
    seed: int, n: int = 16, features: int | Sequence[int] = 4, classes: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` float32 examples of shape ``features`` and integer labels in ``[0, classes)``."""
    rng = np.random.default_rng(seed)
    shape = (features,) if isinstance(features, int) else tuple(features)
    x = rng.normal(size=(n, *shape)).astype(np.float32)
    y = rng.integers(0, classes, size=(n,)).astype(np.int32)
    return x, y


def _hidden_layers(hidden: Sequence[int], prefix: str) -> list[keras.layers.Layer]:
    return [
        keras.layers.Dense(units, activation="relu", name=f"{prefix}hidden_{i}")
        for i, units in enumerate(hidden)
    ]


def sequential_mlp(
    input_shape: Sequence[int], hidden: Sequence[int] = (8,), classes: int = 3, prefix: str = ""
) -> keras.Sequential:
    """``Input -> Flatten -> Dense(h, relu)... -> Dense(classes, softmax)`` as a Sequential."""
    return keras.Sequential(
        [
            keras.Input(shape=tuple(input_shape), name=f"{prefix}input"),
            keras.layers.Flatten(name=f"{prefix}flatten"),
            *_hidden_layers(hidden, prefix),
            keras.layers.Dense(classes, activation="softmax", name=f"{prefix}output"),
        ],
        name=f"{prefix}sequential_mlp",
    )


def functional_mlp(
    input_shape: Sequence[int], hidden: Sequence[int] = (8,), classes: int = 3, prefix: str = ""
) -> keras.Model:
    """The same stack written with the Functional API, then ``Model(inputs, outputs)``."""
    inputs = keras.Input(shape=tuple(input_shape), name=f"{prefix}input")
    x = keras.layers.Flatten(name=f"{prefix}flatten")(inputs)
    for layer in _hidden_layers(hidden, prefix):
        x = layer(x)
    outputs = keras.layers.Dense(classes, activation="softmax", name=f"{prefix}output")(x)
    return keras.Model(inputs, outputs, name=f"{prefix}functional_mlp")


@keras.saving.register_keras_serializable(package="tf2conf")
class TinyMLP(keras.Model):
    """The same stack as a subclassed model (registered, with a ``get_config``)."""

    def __init__(self, hidden: Sequence[int] = (8,), classes: int = 3, **kwargs) -> None:
        super().__init__(**kwargs)
        self.hidden = [int(h) for h in hidden]
        self.classes = int(classes)
        self.flatten = keras.layers.Flatten()
        self.hidden_layers = _hidden_layers(self.hidden, "")
        self.out = keras.layers.Dense(self.classes, activation="softmax", name="output")

    def build(self, input_shape) -> None:
        self.built_input_shape = [None if d is None else int(d) for d in input_shape]
        shape = self.flatten.compute_output_shape(input_shape)
        for layer in [*self.hidden_layers, self.out]:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.built = True  # Keras 3 sets it after an overridden build; Keras 2 does not

    def call(self, inputs):
        x = self.flatten(inputs)
        for layer in self.hidden_layers:
            x = layer(x)
        return self.out(x)

    def get_config(self) -> dict:
        return {**super().get_config(), "hidden": self.hidden, "classes": self.classes}

    # The documented pair that lets an archive rebuild a custom build() (Keras 2.13+ and 3):
    # Keras 2 has no default for an overridden build, so without it a reload finds no weights.
    def get_build_config(self) -> dict:
        return {"input_shape": self.built_input_shape}

    def build_from_config(self, config: dict) -> None:
        self.build(tuple(config["input_shape"]))


def subclassed_mlp(
    input_shape: Sequence[int], hidden: Sequence[int] = (8,), classes: int = 3
) -> keras.Model:
    """A built ``TinyMLP`` (its weights exist once it has seen an input shape)."""
    model = TinyMLP(hidden, classes)
    model.build((None, *input_shape))
    return model


def build_mlp(
    kind: str, input_shape: Sequence[int], hidden: Sequence[int] = (8,), classes: int = 3
) -> keras.Model:
    """One of ``MODEL_KINDS``; all three compute the same function of the same weights."""
    builders = {"sequential": sequential_mlp, "functional": functional_mlp}
    if kind == "subclassed":
        return subclassed_mlp(input_shape, hidden, classes)
    return builders[kind](input_shape, hidden, classes)


def weight_path(weight) -> str:
    """Where a weight sits in its model: Keras 3's ``variable.path`` ('dense/kernel');
    Keras 2 variables have no ``path``, their ``name`` is the scoped 'dense/kernel:0'."""
    path = getattr(weight, "path", None)
    return path if isinstance(path, str) else str(weight.name)


def to_numpy(value) -> np.ndarray:
    """A tensor or variable as a NumPy array: ``keras.ops`` is Keras 3's; Keras 2 reads
    values with ``keras.backend.get_value``."""
    ops = getattr(keras, "ops", None)
    if ops is not None:
        return np.asarray(ops.convert_to_numpy(value))
    return np.asarray(keras.backend.get_value(value))


def is_compiled(model: keras.Model) -> bool:
    """Keras 3's ``model.compiled``; Keras 2 keeps the flag private (``_is_compiled``)."""
    flag = getattr(model, "compiled", None)
    return bool(model._is_compiled if flag is None else flag)


def optimizer_variables(optimizer) -> list:
    """Keras 3's ``optimizer.variables`` is a list; Keras 2's is a method."""
    found = optimizer.variables
    return list(found() if callable(found) else found)


def weight_dtype(weight) -> str:
    """A weight's dtype as a NumPy name: Keras 3 gives a string, Keras 2 a ``tf.DType``."""
    dtype = weight.dtype
    return dtype if isinstance(dtype, str) else str(dtype.name)


def randomize_weights(model: keras.Model, seed: int, scale: float = 0.5) -> list[np.ndarray]:
    """Give every weight a seeded random value (so a round trip of defaults proves nothing).

    Variances and other non-negative statistics get absolute values. Returns the weights set.
    """
    rng = np.random.default_rng(seed)
    values = []
    for weight in model.weights:
        value = rng.normal(scale=scale, size=tuple(weight.shape))
        if "variance" in weight_path(weight):
            value = np.abs(value) + 0.5
        values.append(value.astype(weight_dtype(weight)))
    model.set_weights(values)
    return values


def numpy_mlp(x: np.ndarray, weights: Sequence[np.ndarray]) -> np.ndarray:
    """The MLP's forward pass in float64 NumPy: the independent oracle of the model suites.

    ``weights`` alternate kernel, bias per Dense layer; hidden layers use relu, the last
    layer softmax (computed stably).
    """
    h = np.asarray(x, np.float64).reshape(len(x), -1)
    pairs = list(zip(weights[0::2], weights[1::2], strict=True))
    for i, (kernel, bias) in enumerate(pairs):
        h = h @ np.asarray(kernel, np.float64) + np.asarray(bias, np.float64)
        if i < len(pairs) - 1:
            h = np.maximum(h, 0.0)
    h = h - h.max(axis=-1, keepdims=True)
    e = np.exp(h)
    return e / e.sum(axis=-1, keepdims=True)


def predict(model: keras.Model, x: object, keras_target: object) -> object:
    """``model.predict`` compiled for the target's Keras mode (eager / compiled / XLA).

    Call inside ``keras_target.scope()``. Returns what ``predict`` returns (an array, or a
    list of arrays for several outputs).
    """
    model.compile(**keras_target.compile_kwargs())  # type: ignore[attr-defined]
    return model.predict(x, verbose=0)


def architectures() -> object:
    """Hypothesis strategy of tiny MLP shapes: (input_shape, hidden widths, classes)."""
    from hypothesis import strategies as st

    return st.tuples(
        st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
        st.lists(st.integers(1, 6), min_size=0, max_size=3).map(tuple),
        st.integers(2, 5),
    )
