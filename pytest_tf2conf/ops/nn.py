"""tf.nn: activations, losses, moments and normalization, space/depth rearrangements,
embedding lookup and the CTC helpers, each against a NumPy/SciPy oracle in float64 (the
convolutions and poolings are in ``nn_conv.py``).

Functions with several results get a small wrapper that returns one tensor (stacked or
concatenated); the record keeps the public name, and the wrapper says what it returns.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..oracles import same_dtype
from ..tolerance import Tolerance, unit_roundoff
from .nn_samplers import (
    POSITIVE_SMALL,
    UNIT,
    Layout,
    Layouts,
    Pick,
    away_from,
    distinct,
    elementwise,
    shape,
)
from .record import API, COMPLEX, FLOATS, INTS, NUMERIC, SIGNED, Grad, OpRecord

F32_64 = ("float32", "float64")
NO_BF16 = ("float16", "float32", "float64")
REAL = FLOATS + INTS
ALL = (*NUMERIC, "bool")
INT32_64 = ("int32", "int64")
# Integer sums divided by an integer count: float32 for 8/16-bit, float64 above (truediv).
TRUEDIV_RESULT = {
    **{d: "float32" for d in ("int8", "int16", "uint8", "uint16")},
    **{d: "float64" for d in ("int32", "int64", "uint32", "uint64")},
}
SMALL_IMAG = same_dtype(lambda a: a.real + 1j * np.sin(a.imag) if a.dtype.kind == "c" else a)


def _tf() -> Any:
    import tensorflow as tf

    return tf


def nn(fn_name: str) -> Callable[..., Any]:
    """The tf.nn function ``fn_name``, looked up when called (so a test can monkeypatch it)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(_tf().nn, fn_name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = fn_name
    return call


def summed(scale: float, terms: int = 64) -> dict[str, Tolerance]:
    """Tolerances of a result that sums up to ``terms`` values of magnitude up to ``scale``:
    two summation orders differ by up to ~2 * terms * u * scale; half of that worst case."""
    return {
        d: Tolerance(rtol=max(8 * unit_roundoff(d), 2e-5 if d == "float32" else 0.0),
                     atol=terms * unit_roundoff(d) * scale)
        for d in FLOATS + COMPLEX
    }  # fmt: skip


def record(name: str, fn: Callable[..., Any], oracle: Callable[..., Any], sampler: Any,
           dtypes: tuple[str, ...], **kwargs: Any) -> OpRecord:  # fmt: skip
    """A tf.nn record whose doc page is the function's own."""
    short = name.removeprefix("tf.nn.")
    return OpRecord(name=name, fn=fn, oracle=oracle, sampler=sampler, dtypes=dtypes,
                    doc=f"{API}tf/nn/{short}", **kwargs)  # fmt: skip


# -- activations ---------------------------------------------------------------------------

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _erf(x: np.ndarray) -> np.ndarray:
    import scipy.special

    return scipy.special.erf(x)


def _gelu(x: np.ndarray, approximate: bool = False) -> np.ndarray:
    if approximate:
        return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _crelu(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.concatenate([np.maximum(x, 0), np.maximum(-x, 0)], axis=axis)


def _activation(short: str, oracle: Callable[..., Any], dtypes: tuple[str, ...], *,
                kwargs: Callable[[Pick], tuple[tuple[str, Any], ...]] = lambda pick: (),
                kinks: tuple[float, ...] = (), bound: float | None = None, min_rank: int = 0,
                domain: Any = None, **extra: Any) -> OpRecord:  # fmt: skip
    layout, reference = elementwise(kwargs, min_rank)
    smooth = (away_from(*kinks),) if kinks else ()
    sampler = Layouts(layout, reference, bound=bound, domains=(domain,))
    return record(f"tf.nn.{short}", nn(short), oracle, sampler, dtypes, grad=Grad(smooth=smooth),
                  **extra)  # fmt: skip


def _rank_axis(pick: Pick) -> tuple[tuple[str, Any], ...]:
    return (("axis", pick.choice((-1, 0))),)


ACTIVATIONS: tuple[OpRecord, ...] = (
    # The sign of relu(-0.0) is not documented.
    _activation("relu", lambda x: np.maximum(x, 0), REAL, kinks=(0.0,), signed_zeros=False,
                reference="of max(x, 0)"),
    _activation("relu6", lambda x: np.clip(x, 0, 6), REAL, kinks=(0.0, 6.0), bound=10.0,
                signed_zeros=False, reference="of min(max(x, 0), 6)"),
    # Away from 0 for gradients: the second derivative jumps there (central differences
    # straddling 0 are off by ~h/4).
    _activation("elu", lambda x: np.where(x > 0, x, np.expm1(x)), FLOATS, bound=20.0,
                kinks=(0.0,),
                reference="of x if x > 0 else exp(x) - 1"),
    _activation("selu", lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x)),
                FLOATS, kinks=(0.0,), bound=20.0,
                reference="of scale * (x if x > 0 else alpha * (exp(x) - 1))"),
    _activation("gelu", _gelu, FLOATS, bound=20.0,
                kwargs=lambda pick: (("approximate", pick.choice((False, True))),),
                reference="of x * Phi(x) (approximate: the tanh form)"),
    # Integers are documented inputs; the result is float32 (they are cast first).
    _activation("leaky_relu", lambda x, alpha=0.2: np.where(x > 0, x, alpha * x), REAL,
                result={d: "float32" for d in INTS},
                kwargs=lambda pick: (("alpha", pick.choice((0.2, 0.01, 0.3))),), kinks=(0.0,),
                signed_zeros=False, reference="of x if x > 0 else alpha * x"),
    # Complex values keep |imag| <= 1, away from the sigmoid's poles at i * pi * (2k + 1).
    _activation("silu", lambda x, beta=1.0: x * _sigmoid(beta * x), FLOATS + COMPLEX,
                bound=20.0, domain=SMALL_IMAG,
                kwargs=lambda pick: (("beta", pick.choice((1.0, 0.5, 2.0))),),
                reference="of x * sigmoid(beta * x)"),
    _activation("crelu", _crelu, FLOATS + SIGNED, kwargs=_rank_axis, kinks=(0.0,), min_rank=1,
                signed_zeros=False, reference="of concat([relu(x), relu(-x)], axis)"),
)  # fmt: skip



# -- losses --------------------------------------------------------------------------------


def _log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    top = np.max(x, axis=axis, keepdims=True)
    return x - top - np.log(np.sum(np.exp(x - top), axis=axis, keepdims=True))


def _softmax_xent(labels: np.ndarray, logits: np.ndarray, axis: int = -1) -> np.ndarray:
    return -np.sum(labels * _log_softmax(logits, axis), axis=axis)


def _sparse_xent(labels: np.ndarray, logits: np.ndarray) -> np.ndarray:
    return -np.take_along_axis(_log_softmax(logits), labels[..., None].astype(np.int64), -1)[..., 0]


def _sigmoid_xent(labels: np.ndarray, logits: np.ndarray) -> np.ndarray:
    # The documented stable form max(x, 0) - x * z + log(1 + exp(-|x|)).
    return np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))


def _weighted_xent(labels: np.ndarray, logits: np.ndarray, pos_weight: float = 1.0):
    # Documented: labels * -log(sigmoid(x)) * pos_weight + (1 - labels) * -log(1 - sigmoid(x)).
    log_sig = -np.logaddexp(0.0, -logits)
    log_one_minus = -np.logaddexp(0.0, logits)
    return -labels * log_sig * pos_weight - (1 - labels) * log_one_minus


def _log_poisson(targets: np.ndarray, log_input: np.ndarray, compute_full_loss: bool = False):
    loss = np.exp(log_input) - log_input * targets
    if compute_full_loss:
        # Stirling's term, documented as added only where targets > 1.
        with np.errstate(all="ignore"):
            safe = np.where(targets > 1, targets, 2.0)
            stirling = safe * np.log(safe) - safe + 0.5 * np.log(2 * np.pi * safe)
        loss = loss + np.where(targets > 1, stirling, 0.0)
    return loss


def _pair_layout(min_rank: int = 0, class_axis: bool = False, kwargs=lambda pick: (),
                 reference_kwargs: tuple[tuple[str, Any], ...] | None = None):
    """Two arrays of one shape (labels and logits); ``class_axis``: rank >= 1 and an axis
    of at least one class, drawn among the valid ones."""

    def layout(pick: Pick, small: bool) -> Layout:
        dims = shape(pick, min_rank, max(min_rank, 2 if small else 3), 3 if small else 4)
        extra = kwargs(pick)
        if class_axis:  # the last axis (labels are distributions along it)
            dims = (*dims[:-1], max(dims[-1], 1))
            extra += (("axis", -1),)
        return (dims, dims), extra

    def reference(pick: Pick, length: int) -> Layout:
        dims = (length // 4 + 1, 4) if class_axis else (length,)
        extra = kwargs(pick) if reference_kwargs is None else reference_kwargs
        return (dims, dims), extra + ((("axis", -1),) if class_axis else ())

    return layout, reference


def _distribution(a: np.ndarray) -> np.ndarray:
    positive = 0.1 + 0.5 * (1.0 + np.sin(a))
    return positive / np.sum(positive, axis=-1, keepdims=True)


DISTRIBUTION = same_dtype(_distribution)


def _sparse_layout(pick: Pick, small: bool) -> Layout:
    batch = shape(pick, 0, 1 if small else 2, 3 if small else 4)
    classes = pick.int(1, 4)
    labels = pick.ints(0, classes - 1, batch, pick.choice(("int32", "int64")))
    return (labels, (*batch, classes)), ()


def _sparse_reference(pick: Pick, length: int) -> Layout:
    return (pick.ints(0, 4, (length,)), (length, 5)), ()


def _losses() -> tuple[OpRecord, ...]:
    xent = _pair_layout(min_rank=1, class_axis=True)
    plain = _pair_layout()
    weighted = _pair_layout(kwargs=lambda pick: (("pos_weight", pick.choice((1.0, 0.5, 3.0))),))
    poisson = _pair_layout(kwargs=lambda pick: (("compute_full_loss", pick.choice((False, True))),),
                           reference_kwargs=(("compute_full_loss", True),))
    return (
        # Labels are documented as probability distributions along the class axis (the
        # gradient softmax - labels assumes they sum to 1); gradients flow into both.
        record("tf.nn.softmax_cross_entropy_with_logits", nn("softmax_cross_entropy_with_logits"),
               _softmax_xent, Layouts(*xent, bound=10.0, domains=(DISTRIBUTION,)), FLOATS,
               grad=Grad(args=(0, 1)),
               tolerance=summed(200.0, 8), signed_zeros=False,
               reference="of -sum(labels * log_softmax(logits))"),
        record("tf.nn.sparse_softmax_cross_entropy_with_logits",
               nn("sparse_softmax_cross_entropy_with_logits"), _sparse_xent,
               Layouts(_sparse_layout, _sparse_reference, bound=10.0), FLOATS,
               grad=Grad(args=(1,)), tolerance=summed(20.0, 8), signed_zeros=False,
               reference="of logsumexp(logits) - logits[label]"),
        # Gradients at logits = 0, where the stable form switches branch.
        record("tf.nn.sigmoid_cross_entropy_with_logits", nn("sigmoid_cross_entropy_with_logits"),
               _sigmoid_xent, Layouts(*plain, bound=20.0, domains=(UNIT,)), FLOATS,
               grad=Grad(args=(0, 1), points=((0.25, 0.0),)), tolerance=summed(20.0, 4),
               reference="of max(x, 0) - x * z + log(1 + exp(-|x|))"),
        record("tf.nn.weighted_cross_entropy_with_logits",
               nn("weighted_cross_entropy_with_logits"), _weighted_xent,
               Layouts(*weighted, bound=20.0, domains=(UNIT,)), FLOATS,
               # At logits = 0 (a point, known deviation) TensorFlow's gradient takes the
               # subgradient 0 of |x| and relu(-x) where the function is smooth.
               grad=Grad(args=(0, 1), smooth=(None, away_from(0.0)), points=((0.5, 0.0),)),
               tolerance=summed(60.0, 4),
               reference="of z * -log(sigmoid(x)) * pos_weight + (1 - z) * -log(1 - sigmoid(x))"),
        # Targets are counts (non-negative); gradients with respect to targets stay above 1,
        # where the Stirling term is smooth.
        record("tf.nn.log_poisson_loss", nn("log_poisson_loss"), _log_poisson,
               Layouts(*poisson, bound=5.0, domains=(same_dtype(np.abs),)), FLOATS,
               grad=Grad(args=(0, 1), smooth=(same_dtype(lambda t: 1.5 + np.abs(t)),)),
               tolerance=summed(200.0, 4),
               reference="of exp(c) - c * z (+ Stirling's term where z > 1)"),
    )  # fmt: skip


def _average_loss(per_example_loss: np.ndarray, global_batch_size: int | None = None):
    # Documented: sum(per_example_loss) / global_batch_size, the global batch size by default
    # the first dimension (one replica), and 0 where it is 0. Integer sums wrap in their dtype.
    total = _wrapping_sum(per_example_loss)
    size = per_example_loss.shape[0] if global_batch_size is None else global_batch_size
    if per_example_loss.dtype.kind in "iu":  # the batch size is cast to the loss dtype
        size = np.array(size).astype(per_example_loss.dtype)
    return total / size if size else 0.0 * total


def _wrapping_sum(x: np.ndarray) -> Any:
    return np.sum(x, dtype=x.dtype) if x.dtype.kind in "iu" else np.sum(x)


def compute_average_loss(per_example_loss: Any, **kwargs: Any) -> Any:
    """tf.nn.compute_average_loss without sample weights. (With them, TensorFlow computes in
    float32 whatever the dtype: float64 results lose precision, complex ones their imaginary
    part; reported, not a claim of this record.)"""
    return _tf().nn.compute_average_loss(per_example_loss, **kwargs)


def _reductions() -> tuple[OpRecord, ...]:
    def batch_layout(pick: Pick, small: bool) -> Layout:
        dims = shape(pick, 1, 2 if small else 3, 3 if small else 4)
        return (dims,), (("global_batch_size", pick.choice((None, 8))),)

    def batch_reference(pick: Pick, length: int) -> Layout:
        return ((length,),), (("global_batch_size", None),)

    any_layout, any_reference = elementwise()
    return (
        record("tf.nn.l2_loss", nn("l2_loss"), lambda x: np.sum(x * x) / 2,
               Layouts(any_layout, any_reference, bound=10.0), FLOATS, grad=Grad(),
               tolerance=summed(100.0, 64), reference="of sum(x ** 2) / 2"),
        # Outside a distribution strategy there is one replica: the sum, divided by 1.
        record("tf.nn.scale_regularization_loss", nn("scale_regularization_loss"), _wrapping_sum,
               Layouts(any_layout, any_reference, bound=10.0), NUMERIC, grad=Grad(),
               result=TRUEDIV_RESULT, tolerance=summed(10.0, 64),
               reference="of sum(loss) / num_replicas (one)"),
        record("tf.nn.compute_average_loss", compute_average_loss, _average_loss,
               Layouts(batch_layout, batch_reference, bound=10.0), NUMERIC, result=TRUEDIV_RESULT,
               grad=Grad(),
               tolerance=summed(100.0, 64),
               reference="of sum(loss) / global_batch_size"),
    )  # fmt: skip


# -- moments and normalization ------------------------------------------------------------


def _axes_layout(pick: Pick, small: bool) -> tuple[tuple[int, ...], tuple[int, ...]]:
    dims = shape(pick, 1, 2 if small else 3, 3 if small else 4, min_side=1)
    count = pick.int(1, len(dims))
    axes = tuple(sorted({pick.int(0, len(dims) - 1) for _ in range(count)}))
    return dims, axes


def _moments(x: np.ndarray, axes: tuple[int, ...], keepdims: bool = False) -> np.ndarray:
    mean = np.mean(x, axis=tuple(axes), keepdims=True)
    if x.dtype.kind in "iu":  # integer means truncate (C division), as TF's reductions do
        count = np.prod([x.shape[a] for a in axes])
        mean = np.trunc(np.sum(x, axis=tuple(axes), keepdims=True) / count)
        var = np.trunc(np.sum((x - mean) ** 2, axis=tuple(axes), keepdims=keepdims) / count)
        return np.stack([np.squeeze(mean, tuple(axes)) if not keepdims else mean, var])
    # squared_difference: |x - mean|^2, real also for complex inputs
    var = np.mean(np.abs(x - mean) ** 2, axis=tuple(axes), keepdims=keepdims)
    return np.stack([np.mean(x, axis=tuple(axes), keepdims=keepdims), var])


def moments(x: Any, axes: tuple[int, ...], keepdims: bool = False) -> Any:
    """tf.nn.moments, its (mean, variance) stacked into one tensor."""
    return _tf().stack(_tf().nn.moments(x, axes, keepdims=keepdims))


def _weighted_moments(x, weights, axes, keepdims=False):
    total = np.sum(weights * np.ones_like(x), axis=tuple(axes), keepdims=True)
    mean = np.sum(weights * x, axis=tuple(axes), keepdims=True) / total
    var = np.sum(weights * np.abs(x - mean) ** 2, axis=tuple(axes), keepdims=True) / total
    if not keepdims:
        mean, var = np.squeeze(mean, tuple(axes)), np.squeeze(var, tuple(axes))
    return np.stack([mean, var])


def weighted_moments(x: Any, weights: Any, axes: tuple[int, ...], keepdims: bool = False) -> Any:
    """tf.nn.weighted_moments, its (mean, variance) stacked into one tensor."""
    tf = _tf()
    return tf.stack(tf.nn.weighted_moments(x, axes, weights, keepdims=keepdims))


def _sufficient(x, shift, axes, keepdims=False):
    ax = tuple(axes)
    count = np.prod([x.shape[a] for a in axes]) * np.ones(np.sum(x, ax, keepdims=keepdims).shape)
    return np.stack([count, np.sum(x - shift, ax, keepdims=keepdims),
                     np.sum(np.abs(x - shift) ** 2, ax, keepdims=keepdims)])  # fmt: skip


def sufficient_statistics(x: Any, shift: Any, axes: tuple[int, ...], keepdims: bool = False) -> Any:
    """tf.nn.sufficient_statistics: (count, sum(x - shift), sum((x - shift)^2)) stacked,
    the count broadcast to the sums' shape (the shift itself, the fourth result, is an input)."""
    tf = _tf()
    count, mean_ss, var_ss, _ = tf.nn.sufficient_statistics(x, axes, shift, keepdims)
    return tf.stack([count * tf.ones_like(mean_ss), mean_ss, var_ss])


def _normalize_moments(counts, mean_ss, variance_ss, shift):
    mean = mean_ss / counts
    return np.stack([mean + shift, variance_ss / counts - mean**2])


def normalize_moments(counts: Any, mean_ss: Any, variance_ss: Any, shift: Any) -> Any:
    """tf.nn.normalize_moments, its (mean, variance) stacked into one tensor."""
    return _tf().stack(_tf().nn.normalize_moments(counts, mean_ss, variance_ss, shift))


def _batch_norm(x, mean, variance, offset, scale, variance_epsilon=1e-3):
    return (x - mean) * scale / np.sqrt(variance + variance_epsilon) + offset


def _global_norm(t, m, v, beta, gamma, variance_epsilon=1e-3, scale_after_normalization=True):
    scaled = (t - m) / np.sqrt(v + variance_epsilon)
    return (scaled * gamma if scale_after_normalization else scaled) + beta


def _lrn(x, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5):
    # Documented: sqr_sum[a, b, c, d] = sum(input[a, b, c, d - r : d + r + 1] ** 2).
    depth = x.shape[-1]
    sq = np.zeros_like(x)
    for d in range(depth):
        lo, hi = max(0, d - depth_radius), min(depth, d + depth_radius + 1)
        sq[..., d] = np.sum(x[..., lo:hi] ** 2, axis=-1)
    return x / (bias + alpha * sq) ** beta


def _moment_records() -> tuple[OpRecord, ...]:
    def moments_layout(pick: Pick, small: bool) -> Layout:
        dims, axes = _axes_layout(pick, small)
        return (dims,), (("axes", axes), ("keepdims", pick.choice((False, True))))

    def weighted_layout(pick: Pick, small: bool) -> Layout:
        dims, axes = _axes_layout(pick, small)
        weights = tuple(1 if pick.choice((False, True)) else d for d in dims)  # broadcast
        return (dims, weights), (("axes", axes), ("keepdims", pick.choice((False, True))))

    def sufficient_layout(pick: Pick, small: bool) -> Layout:
        dims, axes = _axes_layout(pick, small)
        return (dims, ()), (("axes", axes), ("keepdims", pick.choice((False, True))))

    def vector(pick: Pick, length: int) -> Layout:
        return ((length,),), (("axes", (0,)), ("keepdims", False))

    def pair(pick: Pick, length: int) -> Layout:
        return ((length,), (length,)), (("axes", (0,)), ("keepdims", False))

    def with_shift(pick: Pick, length: int) -> Layout:
        return ((length,), ()), (("axes", (0,)), ("keepdims", False))

    def four(pick: Pick, small: bool) -> Layout:
        dims = shape(pick, 0, 2 if small else 3, 3 if small else 4)
        return (dims,) * 4, ()

    def four_reference(pick: Pick, length: int) -> Layout:
        return ((length,),) * 4, ()

    def channels(pick: Pick, small: bool, rank: tuple[int, int] = (1, 4)) -> Layout:
        dims = shape(pick, rank[0], max(rank[0], min(rank[1], 3 if small else 4)), 3, min_side=1)
        c = (dims[-1],)
        eps = ("variance_epsilon", pick.choice((1e-3, 0.5)))
        return (dims, c, c, c, c), (eps,)

    def channels_reference(pick: Pick, length: int) -> Layout:
        return ((length // 2 + 1, 2), (2,), (2,), (2,), (2,)), (("variance_epsilon", 1e-3),)

    def global_layout(pick: Pick, small: bool) -> Layout:
        args, eps = channels(pick, small, (4, 4))
        # gradients: gamma is used (unused, its gradient is None, not zeros)
        scale = True if small else pick.choice((True, False))
        return args, (*eps, ("scale_after_normalization", scale))

    def global_reference(pick: Pick, length: int) -> Layout:
        return (((1, length, 1, 2), (2,), (2,), (2,), (2,)),
                (("variance_epsilon", 1e-3), ("scale_after_normalization", True)))  # fmt: skip

    def lrn_layout(pick: Pick, small: bool) -> Layout:
        dims = (pick.int(0, 2), pick.int(1, 2), pick.int(1, 3), pick.int(1, 4 if small else 6))
        return (dims,), (("depth_radius", pick.int(0, 3)), ("bias", pick.choice((1.0, 2.0))),
                         ("alpha", pick.choice((1.0, 0.25))), ("beta", pick.choice((0.5, 0.75))))

    def lrn_reference(pick: Pick, length: int) -> Layout:
        return ((1, 1, length, 3),), (("depth_radius", 1), ("bias", 1.0), ("alpha", 1.0),
                                      ("beta", 0.5))  # fmt: skip

    positive_var = (None, None, POSITIVE_SMALL, None, None)
    return (
        record("tf.nn.moments", moments, _moments, Layouts(moments_layout, vector, bound=10.0),
               FLOATS + COMPLEX + INT32_64, grad=Grad(), tolerance=summed(100.0, 64),
               reference="(mean and population variance over axes, stacked)"),
        # Frequency weights are positive (their sum divides).
        record("tf.nn.weighted_moments", weighted_moments, _weighted_moments,
               Layouts(weighted_layout, pair, bound=10.0, domains=(None, POSITIVE_SMALL)),
               FLOATS + COMPLEX, grad=Grad(args=(0, 1)), tolerance=summed(400.0, 64),
               reference="(frequency-weighted mean and variance over axes, stacked)"),
        record("tf.nn.sufficient_statistics", sufficient_statistics, _sufficient,
               Layouts(sufficient_layout, with_shift, bound=10.0), FLOATS + COMPLEX + INT32_64,
               grad=Grad(args=(0, 1)), tolerance=summed(400.0, 64),
               reference="(count, sum(x - shift), sum((x - shift) ** 2), stacked)"),
        record("tf.nn.normalize_moments", normalize_moments, _normalize_moments,
               Layouts(four, four_reference, bound=10.0, domains=(POSITIVE_SMALL,)),
               FLOATS + COMPLEX,
               grad=Grad(args=(0, 1, 2, 3)), tolerance=summed(2000.0, 4),
               reference="(mean_ss / n + shift, variance_ss / n - (mean_ss / n) ** 2, stacked)"),
        record("tf.nn.batch_normalization", nn("batch_normalization"), _batch_norm,
               Layouts(channels, channels_reference, bound=10.0, domains=positive_var),
               FLOATS + COMPLEX,
               grad=Grad(args=(0, 1, 2, 3, 4)), tolerance=summed(400.0, 4),
               reference="of (x - mean) * scale / sqrt(variance + epsilon) + offset"),
        record("tf.nn.batch_norm_with_global_normalization",
               nn("batch_norm_with_global_normalization"), _global_norm,
               Layouts(global_layout, global_reference, bound=10.0, domains=positive_var),
               FLOATS + COMPLEX,
               grad=Grad(args=(0, 1, 2, 3, 4)), tolerance=summed(400.0, 4),
               reference="of (t - m) / sqrt(v + epsilon) * gamma + beta"),
        record("tf.nn.local_response_normalization", nn("local_response_normalization"), _lrn,
               Layouts(lrn_layout, lrn_reference, bound=4.0), ("float16", "float32"),
               # No gradient claim: forward mode needs LRNGrad's gradient (not registered).
               dtypes_by_target={"CPU-xla": ("float32",)}, grad=None,
               tolerance=summed(4.0, 8),
               reference="of x / (bias + alpha * sum of squares over the depth window) ** beta"),
    )  # fmt: skip


# -- rearrangements, lookups, dropout ------------------------------------------------------


def _depth_to_space(x: np.ndarray, block_size: int) -> np.ndarray:
    b, h, w, c = x.shape
    c2 = c // (block_size * block_size)
    y = x.reshape(b, h, w, block_size, block_size, c2).transpose(0, 1, 3, 2, 4, 5)
    return y.reshape(b, h * block_size, w * block_size, c2)


def _space_to_depth(x: np.ndarray, block_size: int) -> np.ndarray:
    b, h, w, c = x.shape
    bs = block_size
    y = x.reshape(b, h // bs, bs, w // bs, bs, c).transpose(0, 1, 3, 2, 4, 5)
    return y.reshape(b, h // bs, w // bs, bs * bs * c)


def _space_to_batch(x: np.ndarray, block_shape: tuple[int, ...], paddings: Any) -> np.ndarray:
    # The documented steps: zero-pad, split each spatial dimension into (dim / block, block),
    # move the block dimensions in front of the batch, merge them into it.
    m = len(block_shape)
    padded = np.pad(x, [(0, 0), *map(tuple, paddings)] + [(0, 0)] * (x.ndim - 1 - m))
    batch, rest = padded.shape[0], padded.shape[1 + m :]
    split = [batch]
    for d, bsz in enumerate(block_shape):
        split += [padded.shape[1 + d] // bsz, bsz]
    y = padded.reshape(*split, *rest)
    order = [2 + 2 * d for d in range(m)] + [0] + [1 + 2 * d for d in range(m)]
    order += list(range(1 + 2 * m, y.ndim))
    blocks = [padded.shape[1 + d] // b for d, b in enumerate(block_shape)]
    return y.transpose(order).reshape(batch * int(np.prod(block_shape)), *blocks, *rest)


def _bias_add(value: np.ndarray, bias: np.ndarray) -> np.ndarray:
    return value + bias


def embedding_lookup(params: Any, ids: Any) -> Any:
    """tf.nn.embedding_lookup. Its gradient for ``params`` is an IndexedSlices: the ``+ 0``
    makes the tape hand back the dense gradient the checks compare (the values are the same)."""
    return _tf().nn.embedding_lookup(params + 0, ids)


def dropout(x: Any, rate: float) -> Any:
    """tf.nn.dropout with a fixed seed, in the one form its documentation determines: each
    element is either dropped (0) or x / (1 - rate); dropped elements are replaced by
    x / (1 - rate), so the result must equal x / (1 - rate) everywhere (rate 0: x itself)."""
    tf = _tf()
    y = tf.nn.dropout(x, rate=rate, seed=7)
    return tf.where(tf.equal(y, 0), x * (1.0 / (1.0 - rate)), y) if rate else y


def _misc() -> tuple[OpRecord, ...]:
    def d2s_layout(pick: Pick, small: bool) -> Layout:
        bs = pick.int(2, 3)
        dims = (pick.int(0, 2), pick.int(1, 2), pick.int(1, 2), bs * bs * pick.int(1, 2))
        return (dims,), (("block_size", bs),)

    def d2s_reference(pick: Pick, length: int) -> Layout:
        return ((length, 1, 2, 4),), (("block_size", 2),)

    def s2d_layout(pick: Pick, small: bool) -> Layout:
        bs = pick.int(2, 3)
        dims = (pick.int(0, 2), bs * pick.int(1, 2), bs * pick.int(1, 2), pick.int(1, 2))
        return (dims,), (("block_size", bs),)

    def s2d_reference(pick: Pick, length: int) -> Layout:
        return ((length, 2, 2, 1),), (("block_size", 2),)

    def s2b_layout(pick: Pick, small: bool) -> Layout:
        m = pick.int(1, 2)
        block, pads, spatial = [], [], []
        for _ in range(m):  # padded sizes are multiples of the block
            b = pick.int(1, 3)
            padded = b * pick.int(0, 2)
            before = pick.int(0, min(2, padded))
            after = pick.int(0, min(2, padded - before))
            block.append(b)
            pads.append([before, after])
            spatial.append(padded - before - after)
        dims = (pick.int(1, 2), *spatial, *([pick.int(1, 2)] if pick.choice((0, 1)) else []))
        return (dims,), (("block_shape", tuple(block)), ("paddings", tuple(map(tuple, pads))))

    def s2b_reference(pick: Pick, length: int) -> Layout:
        return ((1, 2 * length, 1),), (("block_shape", (2,)), ("paddings", ((1, 1),)))

    def bias_layout(pick: Pick, small: bool) -> Layout:
        dims = shape(pick, 2, 3 if small else 4, 3)
        return (dims, dims[-1:]), ()

    def bias_reference(pick: Pick, length: int) -> Layout:
        return ((length, 3), (3,)), ()

    def lookup_layout(pick: Pick, small: bool) -> Layout:
        rows = pick.int(1, 4)
        params = (rows, *shape(pick, 0, 1 if small else 2, 3, min_side=1 if small else 0))
        # gradients: at least one id (with none, the tape gives no gradient at all)
        # (and of rank >= 1: a scalar id into a vector gives a gradient of shape (); reported)
        ids_shape = shape(pick, 1 if small else 0, 2, 3, min_side=1 if small else 0)
        ids = pick.ints(0, rows - 1, ids_shape, pick.choice(("int32", "int64")))
        return (params, ids), ()

    def lookup_reference(pick: Pick, length: int) -> Layout:
        return ((length, 2), pick.ints(0, length - 1, (length,))), ()

    def dropout_layout(pick: Pick, small: bool) -> Layout:
        dims = shape(pick, 0, 2 if small else 3, 3 if small else 4)
        return (dims,), (("rate", pick.choice((0.0, 0.5, 0.25))),)

    def dropout_reference(pick: Pick, length: int) -> Layout:
        return ((length,),), (("rate", 0.5),)

    return (
        record("tf.nn.bias_add", nn("bias_add"), _bias_add,
               Layouts(bias_layout, bias_reference, bound=100.0), FLOATS + COMPLEX + INTS,
               grad=Grad(args=(0, 1)), reference="of value + bias (bias on the last axis)"),
        record("tf.nn.depth_to_space", nn("depth_to_space"), _depth_to_space,
               Layouts(d2s_layout, d2s_reference), ALL, grad=Grad(),
               reference="(NHWC: depth blocks moved to spatial blocks)"),
        record("tf.nn.space_to_depth", nn("space_to_depth"), _space_to_depth,
               Layouts(s2d_layout, s2d_reference), ALL, grad=Grad(),
               reference="(NHWC: spatial blocks moved to depth)"),
        record("tf.nn.space_to_batch", nn("space_to_batch"), _space_to_batch,
               Layouts(s2b_layout, s2b_reference), REAL, dtypes_by_target={"CPU-xla": ALL},
               grad=Grad(),
               reference="(zero-padded spatial blocks moved into the batch)"),
        record("tf.nn.embedding_lookup", embedding_lookup, lambda p, ids: p[ids.astype(np.int64)],
               Layouts(lookup_layout, lookup_reference), FLOATS + COMPLEX + INTS,
               grad=Grad(), reference="(params[ids])"),
        record("tf.nn.dropout", dropout, lambda x, rate: x / (1.0 - rate),
               Layouts(dropout_layout, dropout_reference, bound=100.0), FLOATS, grad=Grad(),
               reference="(each element 0 or x / (1 - rate); rate 0: x)"),
    )  # fmt: skip


# -- sequences: isotonic regression, CTC ---------------------------------------------------


def _pava(row: np.ndarray, decreasing: bool) -> np.ndarray:
    """Pool-adjacent-violators: the least-squares non-increasing (or non-decreasing) fit."""
    sign = 1.0 if decreasing else -1.0
    blocks: list[list[float]] = []  # [sum, count] of each pool
    for v in sign * row:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] < blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    return sign * np.concatenate([np.full(int(c), t / c) for t, c in blocks] or [np.zeros(0)])


def _isotonic(x: np.ndarray, decreasing: bool = True, axis: int = -1) -> np.ndarray:
    moved = np.moveaxis(x, axis, -1)
    flat = moved.reshape(-1, moved.shape[-1]) if moved.size else moved.reshape(0, 0)
    out = np.stack([_pava(r, decreasing) for r in flat]) if flat.shape[0] else flat
    return np.moveaxis(out.reshape(moved.shape), -1, axis)


def isotonic_regression(x: Any, decreasing: bool = True, axis: int = -1) -> Any:
    """tf.nn.isotonic_regression's fitted values (its second result, the segment ids,
    follows from them)."""
    return _tf().nn.isotonic_regression(x, decreasing=decreasing, axis=axis)[0]


def _generic(a: np.ndarray) -> np.ndarray:
    """Distinct values with irrational offsets: no two pools of PAVA have the same mean, so
    the fit is smooth at the sample (ties make its derivative one-sided)."""
    flat = np.asarray(a, dtype=np.float64).reshape(-1)
    ranks = np.empty(flat.size)
    ranks[np.argsort(flat, kind="stable")] = np.arange(flat.size)
    offsets = np.sqrt(np.arange(flat.size) + 2.0) % 1.0 * 0.37
    return (ranks - flat.size / 2 + offsets).reshape(np.shape(a))


def _collapse(labels: np.ndarray, seq_length: np.ndarray) -> np.ndarray:
    """Runs of equal labels within seq_length merged, zero-padded; the new lengths are the
    last column (the wrapper's layout)."""
    rows, lengths = [], []
    for row, n in zip(labels, seq_length, strict=True):
        kept = [v for i, v in enumerate(row[:n]) if i == 0 or v != row[i - 1]]
        rows.append(kept)
        lengths.append(len(kept))
    width = max(lengths, default=0)  # the longest collapsed row, not the labels' width
    out = np.zeros((labels.shape[0], width + 1), dtype=labels.dtype)
    for i, kept in enumerate(rows):
        out[i, : len(kept)] = kept
        out[i, -1] = lengths[i]
    return out


def collapse_repeated(labels: Any, seq_length: Any) -> Any:
    """tf.nn.collapse_repeated: the collapsed labels with the new lengths as a last column."""
    tf = _tf()
    collapsed, lengths = tf.nn.collapse_repeated(labels, seq_length)
    return tf.concat([collapsed, tf.cast(lengths, collapsed.dtype)[:, None]], axis=1)


def _greedy(inputs: np.ndarray, sequence_length: np.ndarray, merge_repeated: bool = True):
    """Best path per batch entry (argmax per step; the blank is the last class), repeats
    merged, blanks removed; the decoded labels, -1-padded, after -sum(max logits)."""
    blank = inputs.shape[2] - 1
    rows, scores = [], []
    for b, n in enumerate(sequence_length):
        best = inputs[:n, b, :].argmax(-1) if n else np.zeros(0, int)
        scores.append(-inputs[:n, b, :].max(-1).sum() if n else 0.0)
        out, prev = [], -1
        for k in best:
            if k != blank and not (merge_repeated and k == prev):
                out.append(k)
            prev = k
        rows.append(out)
    width = max((len(r) for r in rows), default=0)
    dense = np.full((len(rows), width + 1), -1.0)
    for b, r in enumerate(rows):
        dense[b, 0] = scores[b]
        dense[b, 1 : 1 + len(r)] = r
    return dense


def ctc_greedy_decoder(inputs: Any, sequence_length: Any, merge_repeated: bool = True) -> Any:
    """tf.nn.ctc_greedy_decoder: [neg_sum_logits, decoded labels padded with -1] per batch
    entry, the labels in the inputs' dtype (they are small integers)."""
    tf = _tf()
    (decoded,), neg_sum = tf.nn.ctc_greedy_decoder(inputs, sequence_length, merge_repeated)
    dense = tf.sparse.to_dense(decoded, default_value=-1)
    return tf.concat([neg_sum, tf.cast(dense, inputs.dtype)], axis=1)


def _ctc_loss(logits, labels, label_length, logit_length, blank_index=0):
    """Negative log-likelihood of each label sequence by the CTC forward algorithm (log space)."""
    losses = []
    for b in range(logits.shape[1]):
        logp = _log_softmax(logits[: logit_length[b], b, :])
        ext = [blank_index]
        for label in labels[b, : label_length[b]]:
            ext += [int(label), blank_index]
        alpha = np.full(len(ext), -np.inf)
        alpha[0] = logp[0, ext[0]] if len(logp) else -np.inf
        if len(ext) > 1 and len(logp):
            alpha[1] = logp[0, ext[1]]
        for t in range(1, len(logp)):
            prev = alpha.copy()
            for s in range(len(ext)):
                terms = [prev[s]] + ([prev[s - 1]] if s >= 1 else [])
                if s >= 2 and ext[s] != blank_index and ext[s] != ext[s - 2]:
                    terms.append(prev[s - 2])
                alpha[s] = np.logaddexp.reduce(terms) + logp[t, ext[s]]
        losses.append(-np.logaddexp.reduce(alpha[-2:]))
    return np.array(losses)


def ctc_loss(logits: Any, labels: Any, label_length: Any, logit_length: Any) -> Any:
    """tf.nn.ctc_loss on dense labels, time-major logits, blank index 0 (the defaults);
    the logits come first so that the gradient check's argument 0 is them."""
    return _tf().nn.ctc_loss(labels, logits, label_length, logit_length)


def _sequences() -> tuple[OpRecord, ...]:
    def iso_layout(pick: Pick, small: bool) -> Layout:
        # gradients: not empty (the gradient of an empty fit fails in tf.split) and of rank
        # 2 (of a vector, the gradient comes back as a matrix [1, n]; reported)
        dims = shape(pick, 2 if small else 1, 2, 3 if small else 5, min_side=1 if small else 0)
        return (dims,), (("decreasing", pick.choice((True, False))),
                         ("axis", pick.int(-len(dims), len(dims) - 1)))  # fmt: skip

    def iso_reference(pick: Pick, length: int) -> Layout:
        return ((1, length),), (("decreasing", True), ("axis", -1))

    def collapse_layout(pick: Pick, small: bool) -> Layout:
        batch, width = pick.int(1, 3), pick.int(1, 5)
        lengths = pick.ints(0, width, (batch,))
        lengths[pick.int(0, batch - 1)] = width  # the labels' width is the longest length
        return ((batch, width), lengths), ()

    def collapse_reference(pick: Pick, length: int) -> Layout:
        lengths = pick.ints(0, 4, (length,))
        lengths[0] = 4
        return ((length, 4), lengths), ()

    def greedy_layout(pick: Pick, small: bool) -> Layout:
        time, batch, classes = pick.int(1, 4), pick.int(1, 3), pick.int(1, 4)  # inputs not empty
        lengths = pick.ints(0, time, (batch,))
        return ((time, batch, classes), lengths), (("merge_repeated", pick.choice((True, False))),)

    def greedy_reference(pick: Pick, length: int) -> Layout:
        return ((length, 2, 3), np.array([length, length // 2], np.int32)), (
            ("merge_repeated", True),)

    def ctc_layout(pick: Pick, small: bool) -> Layout:
        time, batch, classes = pick.int(1, 4), pick.int(1, 2), pick.int(2, 4)
        logit_length = pick.ints(1, time, (batch,))
        # Labels at least one wide: zero-width dense labels give a loss of 0 (reported).
        max_label = pick.int(1, 2)
        # Feasible: a label sequence with r repeats needs len + r <= frames (blanks between).
        label_length = np.array([pick.int(0, min(max_label, (n + 1) // 2)) for n in logit_length],
                                np.int32)  # fmt: skip
        labels = pick.ints(1, classes - 1, (batch, max_label))
        return ((time, batch, classes), labels, label_length, logit_length), ()

    def ctc_reference(pick: Pick, length: int) -> Layout:
        # length classes: the forward algorithm is sequential in time, which stays short
        labels = pick.ints(1, max(1, length - 1), (2, 3))
        lengths = np.array([3, 2], np.int32)
        return ((8, 2, length + 1), labels, lengths, np.array([8, 6], np.int32)), ()

    generic = same_dtype(_generic)
    return (
        record("tf.nn.isotonic_regression", isotonic_regression, _isotonic,
               Layouts(iso_layout, iso_reference, bound=10.0), FLOATS + SIGNED,
               result={"int8": "float32", "int16": "float32", "int32": "float64",
                       "int64": "float64"}, dtypes_by_target={"CPU-xla": ()},
               grad=Grad(smooth=(generic,)), tolerance=summed(10.0, 8),
               reference="(pool-adjacent-violators fit along axis)"),
        record("tf.nn.collapse_repeated", collapse_repeated, _collapse,
               Layouts(collapse_layout, collapse_reference, bound=2.0, int_bound=2), ALL,
               reference="(runs merged within seq_length, zero-padded)"),
        # Inputs are made distinct: the documented argmax has no ties to break.
        record("tf.nn.ctc_greedy_decoder", ctc_greedy_decoder, _greedy,
               Layouts(greedy_layout, greedy_reference, bound=10.0, domains=(distinct(0.5),)),
               F32_64, dtypes_by_target={"CPU-xla": ()}, tolerance=summed(64.0 * 10, 64),
               reference="(best path: argmax per step, repeats merged, blanks removed)"),
        record("tf.nn.ctc_loss", ctc_loss, _ctc_loss,
               Layouts(ctc_layout, ctc_reference, bound=4.0), ("float16", "bfloat16", "float32"),
               grad=Grad(),
               tolerance=summed(64.0 * 10, 64), reference="(CTC forward algorithm, blank 0)"),
    )  # fmt: skip


RECORDS: tuple[OpRecord, ...] = (
    *ACTIVATIONS, *_losses(), *_reductions(), *_moment_records(), *_misc(), *_sequences()
)
