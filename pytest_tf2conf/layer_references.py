"""NumPy float64 references of the documented computation of Keras core layers.

Each reference computes a layer's output from its inputs and its weights (in the order of
``layer.weights``) and the layer's constructor arguments, as the Keras API pages describe
it, with no Keras and no backend: the independent oracle of ``suites/layers``. Inputs are
batch-first and channels-last (the Keras default data format).

Padding follows the documented rule of ``padding="same"``: the output has
``ceil(n / stride)`` positions and the total padding ``max((out - 1) * stride + k - n, 0)``
is split with the smaller half before. Average pooling over a padded window averages the
input values in it (padding is not counted), as TensorFlow documents for ``avg_pool``.

Everything here is NumPy only (importable without Keras or TensorFlow).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

Arrays = Sequence[np.ndarray]
Config = dict[str, Any]


# -- dtypes of mixed precision ------------------------------------------------------------
def round_to(dtype: str, x: np.ndarray) -> np.ndarray:
    """``x`` rounded to ``dtype`` (float16, bfloat16 or float32) and back to float64.

    bfloat16 is float32 with the low 16 bits rounded away (to nearest, ties to even); done
    on the bits so that no ml_dtypes is needed.
    """
    x = np.asarray(x, np.float64)
    if dtype in ("float16", "float32", "float64"):
        return x.astype(dtype).astype(np.float64)
    if dtype != "bfloat16":
        raise ValueError(f"no rounding rule for {dtype}")
    bits = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return rounded.astype(np.uint32).view(np.float32).astype(np.float64)


# -- activations ----------------------------------------------------------------------------
def sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # stable for large |x|


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


ACTIVATIONS = {
    None: lambda x: x,
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
    "tanh": np.tanh,
    "sigmoid": sigmoid,
}


def activation(name: str | None, x: np.ndarray) -> np.ndarray:
    return ACTIVATIONS[name](x)


# -- core ---------------------------------------------------------------------------------
def dense(inputs: Arrays, weights: Arrays, config: Config) -> np.ndarray:
    """``activation(dot(input, kernel) + bias)`` over the last axis of the input."""
    y = np.tensordot(inputs[0], weights[0], axes=([-1], [0]))
    if config.get("use_bias", True):
        y = y + weights[1]
    return activation(config.get("activation"), y)


def embedding(inputs: Arrays, weights: Arrays, config: Config) -> np.ndarray:
    """Row ``i`` of the embeddings matrix for each index ``i``."""
    return weights[0][np.asarray(inputs[0]).astype(np.int64)]


def identity(inputs: Arrays, weights: Arrays, config: Config) -> np.ndarray:
    """Dropout at inference: the input unchanged."""
    return np.asarray(inputs[0])


# -- windows: convolution and pooling -------------------------------------------------------
def _tuple(value: int | Sequence[int] | None, rank: int, default: int = 1) -> tuple[int, ...]:
    if value is None:
        return (default,) * rank
    return tuple(value) if isinstance(value, (tuple, list)) else (int(value),) * rank


def _padding(n: int, k: int, stride: int, same: bool) -> tuple[int, int, int]:
    """(output length, padding before, padding after) of one spatial axis."""
    if not same:
        return (n - k) // stride + 1, 0, 0
    out = math.ceil(n / stride)
    total = max((out - 1) * stride + k - n, 0)
    return out, total // 2, total - total // 2


def _windows(
    x: np.ndarray, kernel: Sequence[int], strides: Sequence[int], dilation: Sequence[int],
    same: bool, fill: float,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Every window of ``x`` (B, *spatial, C): values (B, *out, *kernel, C) and a mask of
    the positions that lie in the input (not in the padding)."""
    rank = len(kernel)
    effective = [(k - 1) * d + 1 for k, d in zip(kernel, dilation, strict=True)]
    plan = [_padding(x.shape[1 + i], effective[i], strides[i], same) for i in range(rank)]
    pads = [(0, 0)] + [(before, after) for _, before, after in plan] + [(0, 0)]
    padded = np.pad(x, pads, constant_values=fill)
    inside = np.pad(np.ones(x.shape[1:-1], bool), pads[1:-1], constant_values=False)
    outs = [out for out, _, _ in plan]
    values = np.empty((x.shape[0], *outs, *kernel, x.shape[-1]), x.dtype)
    mask = np.empty((*outs, *kernel), bool)
    for offset in itertools.product(*(range(k) for k in kernel)):
        index = tuple(
            slice(o * d, o * d + (n - 1) * s + 1, s)
            for o, d, n, s in zip(offset, dilation, outs, strides, strict=True)
        )
        values[(slice(None), *(slice(None),) * rank, *offset)] = padded[(slice(None), *index)]
        mask[(*(slice(None),) * rank, *offset)] = inside[index]
    return values, mask


def conv(inputs: Arrays, weights: Arrays, config: Config) -> np.ndarray:
    """Conv1D/Conv2D: the sum over each window of input x kernel (cross-correlation), plus
    bias, then the activation; ``kernel`` has shape (*kernel_size, in_channels, filters)."""
    kernel = weights[0]
    rank = kernel.ndim - 2
    windows, _ = _windows(
        inputs[0], kernel.shape[:rank], _tuple(config.get("strides"), rank),
        _tuple(config.get("dilation_rate"), rank), config.get("padding") == "same", 0.0,
    )  # fmt: skip
    y = np.tensordot(
        windows, kernel, axes=(list(range(1 + rank, 2 + 2 * rank)), list(range(rank + 1)))
    )
    if config.get("use_bias", True):
        y = y + weights[1]
    return activation(config.get("activation"), y)


def pool(inputs: Arrays, config: Config, *, rank: int, kind: str) -> np.ndarray:
    """Max or average over each window (``strides`` defaults to ``pool_size``)."""
    size = _tuple(config.get("pool_size", 2), rank)
    strides = _tuple(config.get("strides") or size, rank)
    same = config.get("padding", "valid") == "same"
    x = np.asarray(inputs[0], np.float64)
    values, mask = _windows(x, size, strides, (1,) * rank, same, -np.inf if kind == "max" else 0.0)
    axes = tuple(range(1 + rank, 1 + 2 * rank))
    if kind == "max":
        return values.max(axis=axes)
    counts = mask.sum(axis=tuple(range(rank, 2 * rank)))[(None, ..., None)]
    return values.sum(axis=axes) / counts


def global_pool(inputs: Arrays, config: Config, *, kind: str) -> np.ndarray:
    """Max or mean over every spatial axis (kept as size 1 with ``keepdims``)."""
    x = np.asarray(inputs[0], np.float64)
    axes = tuple(range(1, x.ndim - 1))
    reduce = np.max if kind == "max" else np.mean
    return reduce(x, axis=axes, keepdims=bool(config.get("keepdims", False)))


# -- normalization --------------------------------------------------------------------------
def batch_normalization(inputs: Arrays, weights: Arrays, config: Config) -> np.ndarray:
    """Inference: ``gamma * (x - moving_mean) / sqrt(moving_var + epsilon) + beta`` over
    the last axis; weights (gamma, beta, moving_mean, moving_variance)."""
    gamma, beta, mean, variance = weights
    eps = config.get("epsilon", 1e-3)
    return gamma * (inputs[0] - mean) / np.sqrt(variance + eps) + beta


def layer_normalization(inputs: Arrays, weights: Arrays, config: Config) -> np.ndarray:
    """Per example over the last axis: ``gamma * (x - mean) / sqrt(var + epsilon) + beta``."""
    x = np.asarray(inputs[0], np.float64)
    gamma, beta = weights
    eps = config.get("epsilon", 1e-3)
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


# -- attention ------------------------------------------------------------------------------
def multi_head_attention(inputs: Arrays, weights: Arrays, config: Config) -> np.ndarray:
    """Scaled dot-product attention per head of the projected query, key (= value) and
    value, then the output projection; weights: (kernel, bias) of query, key, value and
    output, kernels (dim, heads, key_dim) and (heads, key_dim, dim)."""
    query, value = inputs[0], inputs[1]
    wq, bq, wk, bk, wv, bv, wo, bo = weights
    q = np.einsum("btd,dhk->bthk", query, wq) + bq
    k = np.einsum("bsd,dhk->bshk", value, wk) + bk
    v = np.einsum("bsd,dhk->bshk", value, wv) + bv
    scores = np.einsum("bthk,bshk->bhts", q, k) / math.sqrt(wq.shape[-1])
    heads = np.einsum("bhts,bshk->bthk", softmax(scores, axis=-1), v)
    return np.einsum("bthk,hko->bto", heads, wo) + bo


# -- recurrent ------------------------------------------------------------------------------
def _run_cell(x: np.ndarray, units: int, step: Any, config: Config, states: int) -> np.ndarray:
    h = [np.zeros((x.shape[0], units)) for _ in range(states)]
    outputs = []
    for t in range(x.shape[1]):
        h = step(x[:, t], h)
        outputs.append(h[0])
    return np.stack(outputs, axis=1) if config.get("return_sequences") else outputs[-1]


def simple_rnn(inputs: Arrays, weights: Arrays, config: Config) -> np.ndarray:
    """``h_t = tanh(x_t kernel + h_{t-1} recurrent_kernel + bias)``; the last ``h`` (or all
    of them with ``return_sequences``)."""
    kernel, recurrent, bias = weights

    def step(x: np.ndarray, h: list[np.ndarray]) -> list[np.ndarray]:
        return [np.tanh(x @ kernel + h[0] @ recurrent + bias)]

    return _run_cell(np.asarray(inputs[0]), kernel.shape[1], step, config, 1)


def lstm(inputs: Arrays, weights: Arrays, config: Config) -> np.ndarray:
    """Gates i, f, c, o (in that order along the last axis of the kernels):
    ``c_t = f * c_{t-1} + i * tanh(z_c)``, ``h_t = o * tanh(c_t)``, sigmoid gates."""
    kernel, recurrent, bias = weights
    units = recurrent.shape[0]

    def step(x: np.ndarray, state: list[np.ndarray]) -> list[np.ndarray]:
        h, c = state
        z = x @ kernel + h @ recurrent + bias
        i, f, g, o = (z[:, n * units : (n + 1) * units] for n in range(4))
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        return [sigmoid(o) * np.tanh(c), c]

    return _run_cell(np.asarray(inputs[0]), units, step, config, 2)


def gru(inputs: Arrays, weights: Arrays, config: Config) -> np.ndarray:
    """Keras 3's default GRU (``reset_after=True``): gates z, r, candidate n along the last
    axis; bias rows (input, recurrent);
    ``n = tanh(x W_n + b_n + r * (h U_n + b'_n))``, ``h_t = z * h_{t-1} + (1 - z) * n``."""
    kernel, recurrent, bias = weights
    units = recurrent.shape[0]

    def step(x: np.ndarray, state: list[np.ndarray]) -> list[np.ndarray]:
        (h,) = state
        xs = x @ kernel + bias[0]
        hs = h @ recurrent + bias[1]
        part = [slice(n * units, (n + 1) * units) for n in range(3)]
        z = sigmoid(xs[:, part[0]] + hs[:, part[0]])
        r = sigmoid(xs[:, part[1]] + hs[:, part[1]])
        n = np.tanh(xs[:, part[2]] + r * hs[:, part[2]])
        return [z * h + (1.0 - z) * n]

    return _run_cell(np.asarray(inputs[0]), units, step, config, 1)


# -- reshaping and merging ------------------------------------------------------------------
def flatten(inputs: Arrays, weights: Arrays, config: Config) -> np.ndarray:
    """Row-major (C order) flattening of everything but the batch axis."""
    x = np.asarray(inputs[0])
    return x.reshape(x.shape[0], -1)


def reshape(inputs: Arrays, weights: Arrays, config: Config) -> np.ndarray:
    """Row-major reshape of each example to ``target_shape`` (one entry may be -1)."""
    x = np.asarray(inputs[0])
    return x.reshape(x.shape[0], *config["target_shape"])


def permute(inputs: Arrays, weights: Arrays, config: Config) -> np.ndarray:
    """``dims`` (1-based, the batch axis excluded) is the order of the input axes."""
    x = np.asarray(inputs[0])
    return np.transpose(x, (0, *config["dims"]))


def concatenate(inputs: Arrays, weights: Arrays, config: Config) -> np.ndarray:
    return np.concatenate([np.asarray(x) for x in inputs], axis=config.get("axis", -1))


def add(inputs: Arrays, weights: Arrays, config: Config) -> np.ndarray:
    return np.sum([np.asarray(x, np.float64) for x in inputs], axis=0)


def multiply(inputs: Arrays, weights: Arrays, config: Config) -> np.ndarray:
    return np.prod([np.asarray(x, np.float64) for x in inputs], axis=0)
