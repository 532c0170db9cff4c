"""Running Keras's documented examples on a Keras target (backend x device x Keras mode).

Imports ``keras`` (and NumPy) only, so it runs on every Keras backend. Every example runs
inside ``keras.device(...)``. What an example shows is reduced to values the way the docs
write them on every backend: a backend tensor (a ``tf.Tensor``, a ``jax.Array``, a
``torch.Tensor``) is shown as the NumPy array ``keras.ops.convert_to_numpy`` gives, a
backend shape object as a tuple; ``print`` in the examples does the same.

In the ``function`` and ``xla`` Keras modes the graph examples (``rules.keras_graph``) run
through Keras's own compiled step: a model whose ``call`` evaluates the expression,
compiled with the target's flags (``jit_compile`` for xla) and run with
``predict_on_batch``, which returns NumPy arrays. Keras compiles nothing outside a model,
so this is the compiled path the documentation's ops take in a user's model.
"""

from __future__ import annotations

import builtins
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import keras
import numpy as np

from ..keras_targets import KerasTarget
from .checker import ValueChecker
from .harvest import Symbol

_SHAPE_TYPES = ("TensorShape", "Size")  # tf.TensorShape, torch.Size
_DTYPE_TYPES = ("DType", "dtype")  # tf.DType, torch.dtype


def shown(value: Any) -> Any:
    """What an example's value looks like in the docs: backend tensors as NumPy arrays."""
    # Before the tuple case: torch.Size is a tuple subclass (its repr is "torch.Size([..])").
    if type(value).__name__ in _SHAPE_TYPES and hasattr(value, "__iter__"):
        return tuple(None if d is None else int(d) for d in value)
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return type(value)(shown(v) for v in value)
    if isinstance(value, dict):
        return {k: shown(v) for k, v in value.items()}
    if type(value).__name__ in _DTYPE_TYPES and type(value).__module__.split(".")[0] in (
        "tensorflow",
        "torch",
    ):
        try:  # tf.float32 / torch.float32 -> dtype('float32'), as NumPy and JAX show it
            return np.dtype(keras.backend.standardize_dtype(value))
        except (TypeError, ValueError):
            return value
    if keras.ops.is_tensor(value) and not isinstance(value, np.ndarray):
        try:
            return keras.ops.convert_to_numpy(value)
        except Exception:  # a symbolic or sparse tensor: shown as it is
            return value
    return value


def _print(*args: Any, **kwargs: Any) -> None:
    """``print`` for the examples: a tensor or array is printed as its NumPy repr, so that
    its dtype is shown (the docs write either form)."""
    values = [shown(a) for a in args]
    builtins.print(*(repr(v) if isinstance(v, np.ndarray) else v for v in values), **kwargs)


class KerasExecutor:
    def __init__(self, target: KerasTarget) -> None:
        self.target = target
        self.mode = target.mode
        self.xla_fallbacks: dict[str, int] = {}
        self.last_mode: str | None = None

    def namespace(self, symbol: Symbol) -> dict[str, Any]:
        globs = symbol.module_globals()
        globs.update(keras=keras, np=np, ops=keras.ops, layers=keras.layers, print=_print)
        return globs

    def checker(self) -> ValueChecker:
        return ValueChecker()

    def run(self, fn: Callable[[], Any], how: str) -> Any:
        self.last_mode = how
        if how == "eager":
            return shown(fn())
        return self._compiled(fn, how)

    def _compiled(self, fn: Callable[[], Any], how: str) -> Any:
        model = DocumentedExpression(fn)
        model.compile(run_eagerly=False, jit_compile=how == "xla")
        result = model.predict_on_batch(np.zeros((1, 1), dtype="float32"))
        # predict returns a 0-d result as a NumPy scalar; eagerly it is a 0-d array
        return keras.tree.map_structure(
            lambda v: np.asarray(v) if isinstance(v, np.generic) else v, result
        )

    def is_unsupported(self, exc: BaseException) -> bool:
        return False  # Keras has no "no kernel" error class shared by its backends

    def is_unsupported_text(self, text: str) -> bool:
        return False

    @contextmanager
    def guard(self) -> Iterator[None]:
        saved_random, saved_numpy = random.getstate(), np.random.get_state()
        config = _keras_configuration()
        with self.target.scope():
            try:
                yield
            finally:
                random.setstate(saved_random)
                np.random.set_state(saved_numpy)
        changed = [name for name, value in _keras_configuration().items() if config[name] != value]
        if changed:
            _restore(config)
            raise AssertionError(
                f"an example changed Keras's {', '.join(changed)} (restored); "
                "a rule in pytest_tf2conf/docexamples/rules.py should exclude it"
            )


class DocumentedExpression(keras.Model):
    """A model whose output is one documented expression (its input is ignored)."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__(name="documented_expression")
        self._fn = fn

    def call(self, inputs: Any) -> Any:
        return self._fn()


def _keras_configuration() -> dict[str, Any]:
    return {
        "floatx": keras.config.floatx(),
        "image data format": keras.config.image_data_format(),
        "epsilon": keras.config.epsilon(),
        "dtype policy": keras.config.dtype_policy().name,
    }


def _restore(config: dict[str, Any]) -> None:
    keras.config.set_floatx(config["floatx"])
    keras.config.set_image_data_format(config["image data format"])
    keras.config.set_epsilon(config["epsilon"])
    keras.config.set_dtype_policy(config["dtype policy"])
