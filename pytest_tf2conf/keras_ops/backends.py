"""The few things the Keras-ops properties need from the active backend itself: tensors
from NumPy arrays, NumPy arrays from results, and the backend's own reverse-mode gradient
(``tf.GradientTape``, ``jax.vjp``, ``torch.autograd``). Each backend's library is imported
only when its backend is the active one: the JAX and torch runs never import TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def backend() -> str:
    import keras

    return keras.backend.backend()


def to_tensor(array: np.ndarray) -> Any:
    """A backend tensor of the array's dtype (bfloat16 arrays go through float32: exact)."""
    from keras import ops

    array = np.asarray(array)
    if array.dtype.kind == "V":  # ml_dtypes bfloat16
        return ops.convert_to_tensor(array.astype(np.float32), dtype="bfloat16")
    return ops.convert_to_tensor(array, dtype=array.dtype.name)


def dtype_of(tensor: Any) -> str:
    import keras

    return keras.backend.standardize_dtype(tensor.dtype)


def to_numpy(tensor: Any) -> np.ndarray:
    """The result as NumPy; bfloat16 widened exactly to float32."""
    from keras import ops

    if dtype_of(tensor) == "bfloat16":
        tensor = ops.cast(tensor, "float32")
    return np.asarray(ops.convert_to_numpy(tensor))


def vjp(
    fn: Callable[..., Any], args: Sequence[np.ndarray], wrt: Sequence[int], w: np.ndarray
) -> list[np.ndarray]:
    """``d sum(w * fn(*args)) / d args[i]`` for each i in ``wrt``, by the backend's autodiff."""
    name = backend()
    tensors = [to_tensor(a) for a in args]
    weight = to_tensor(w)
    if name == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            for i in wrt:
                tape.watch(tensors[i])
            loss = tf.reduce_sum(weight * fn(*tensors))
        grads = tape.gradient(loss, [tensors[i] for i in wrt])
        return [to_numpy(tf.convert_to_tensor(g)) for g in grads]
    if name == "jax":
        import jax

        def partial(*xs: Any) -> Any:
            full = list(tensors)
            for i, x in zip(wrt, xs, strict=True):
                full[i] = x
            return fn(*full)

        _, pullback = jax.vjp(partial, *[tensors[i] for i in wrt])
        return [to_numpy(g) for g in pullback(weight)]
    if name == "torch":
        import torch

        for i in wrt:
            tensors[i] = tensors[i].detach().requires_grad_(True)
        loss = torch.sum(weight * fn(*tensors))
        grads = torch.autograd.grad(loss, [tensors[i] for i in wrt], allow_unused=True)
        return [
            to_numpy(g) if g is not None else np.zeros(args[i].shape, args[i].dtype)
            for i, g in zip(wrt, grads, strict=True)
        ]
    raise NotImplementedError(f"no gradient adapter for Keras backend {name!r}")
