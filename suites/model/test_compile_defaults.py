"""What ``Model.compile()`` does with no ``jit_compile`` argument: Keras 2 and Keras 3 differ.

Keras 3 documents ``jit_compile="auto"``: XLA where the backend and the model support it
(TensorFlow and JAX), eager ``torch`` otherwise. Keras 2 compiles without XLA unless asked.
One claim per documentation, linked; the resolved flag is recorded as an observation, so
``tf2conf diff`` shows the change next to the pair.
"""

from __future__ import annotations

import keras
import pytest

from pytest_tf2conf import claim, recording
from pytest_tf2conf.keras_support import KERAS_NUMPY2_NOISE, functional_mlp

pytestmark = pytest.mark.filterwarnings(KERAS_NUMPY2_NOISE)

JIT_AUTO = claim(
    "model.compile-jit-compile-auto-by-default",
    "Model.compile() without jit_compile uses 'auto': XLA compilation on the TensorFlow and "
    "JAX backends for a model that supports it (model.jit_compile is True), none on torch.",
    "https://keras.io/api/models/model_training_apis/#compile-method",
    applies="keras>=3",
    supersedes="model.compile-no-jit-compile-by-default",
)
JIT_OFF = claim(
    "model.compile-no-jit-compile-by-default",
    "Keras 2: Model.compile() without jit_compile does not compile the train step with XLA "
    "(model.jit_compile is not True).",
    "https://www.tensorflow.org/versions/r2.15/api_docs/python/tf/keras/Model#compile",
    applies="keras<3",
)


def _resolved_jit_compile(keras_target) -> object:
    with keras_target.scope():
        model = functional_mlp((3,), (4,), 2)
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    flag = getattr(model, "jit_compile", None)
    recording.observe("model.jit_compile after compile()", flag)
    return flag


@JIT_AUTO
def test_compile_default_is_auto(keras_target) -> None:
    flag = _resolved_jit_compile(keras_target)
    assert flag is (keras.backend.backend() in ("tensorflow", "jax")), flag


@JIT_OFF
def test_compile_default_is_no_xla(keras_target) -> None:
    assert _resolved_jit_compile(keras_target) is not True
