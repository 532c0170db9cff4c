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


def _pair_layout(
    min_rank: int = 0,
    class_axis: bool = False,
    kwargs=lambda pick: (),
    reference_kwargs: tuple[tuple[str, Any], ...] | None = None,
):
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
    poisson = _pair_layout(
        kwargs=lambda pick: (("compute_full_loss", pick.choice((False, True))),),
        reference_kwargs=(("compute_full_loss", True),),
    )
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
               # The sign of a zero sum is the kernel's reduction order (sum([-0.0]) is
               # -0.0 from the element, +0.0 from a 0.0 accumulator): not documented.
               signed_zeros=False,
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
        return (dims,), (
            ("depth_radius", pick.int(0, 3)),
            ("bias", pick.choice((1.0, 2.0))),
            ("alpha", pick.choice((1.0, 0.25))),
            ("beta", pick.choice((0.5, 0.75))),
        )

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
               # The sign of a zero mean or variance is not documented (float16 gave -0.0).
               signed_zeros=False,
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


RECORDS: tuple[OpRecord, ...] = (*ACTIVATIONS, *_losses(), *_reductions(), *_moment_records())
