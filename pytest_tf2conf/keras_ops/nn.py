"""keras.ops.nn beyond element-wise activations (softmax, one_hot, losses, moments, ...)
and keras.ops.math's top_k / in_top_k / segment reductions; and keras.ops.linalg.

softmax, log_softmax, det, inv, solve, cholesky, slogdet, logdet and pinv link the op
database's records (their samplers of well-conditioned matrices, oracles and tolerances).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..ops.array_samplers import Built, Draw, axis_of, sample
from ..ops.record import Sample
from ..tolerance import Tolerance
from .record import FLOATS, INTS, UNIVERSE, KerasOpRecord, KGrad, floating, same
from .reductions import summed_tolerance

INT_BOOL = (*INTS, "bool")
# Integer and bool inputs of the nn functions: documented nowhere, open (see elementwise).
# The sign of a zero result is not documented for them either.
NN: dict[str, Any] = {"dtypes": FLOATS, "open_dtypes": INT_BOOL, "signed_zeros": False}
LOSS_TOL = {"float16": Tolerance(1e-2, 1e-2), "bfloat16": Tolerance(5e-2, 5e-2)}


def rec(name: str, oracle: Callable[..., Any] | None, gen: Callable[[Draw], Sample] | None, *,
        section: str = "nn", **kw: Any) -> KerasOpRecord:  # fmt: skip
    return KerasOpRecord(name, section=section, oracle=oracle,
                         sampler=Built(gen) if gen is not None else None, **kw)  # fmt: skip


def _one_hot(d: Draw) -> Sample:
    n = d.integer(1, 4)
    return sample(d.ints(d.shape(0, 2), 0, n - 1, dtype=d.dtype), num_classes=n)


def _one_hot_oracle(x: np.ndarray, num_classes: int) -> np.ndarray:
    return np.eye(num_classes)[x.astype(np.int64)].reshape(*x.shape, num_classes)


def _multi_hot(d: Draw) -> Sample:
    n = d.integer(1, 5)
    return sample(d.ints((d.integer(1, 3), d.integer(1, 4)), 0, n - 1, dtype=d.dtype),
                  num_classes=n)  # fmt: skip


def _multi_hot_oracle(x: np.ndarray, num_classes: int) -> np.ndarray:
    out = np.zeros((x.shape[0], num_classes))
    for row, values in enumerate(x.astype(np.int64)):
        out[row, values] = 1.0
    return out


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _axis_gen(min_side: int = 1, even_last: bool = False, **const: Any):
    def gen(d: Draw) -> Sample:
        shape = list(d.shape(1, 3, min_side))
        if even_last:
            shape[-1] = 2 * d.integer(1, 2)
            return sample(d.array(tuple(shape), bound=5.0), axis=-1, **const)
        return sample(d.array(tuple(shape), bound=5.0), axis=axis_of(d, len(shape)), **const)

    return gen


def _normalize_gen(d: Draw) -> Sample:
    shape = d.shape(1, 3, 1)
    x = d.array(shape, bound=5.0)
    x = np.where(np.abs(x.astype(np.float32)) < 0.5, 1, x).astype(x.dtype)  # no zero rows
    return sample(x, axis=axis_of(d, len(shape)))


def _normalize(x: np.ndarray, axis: int) -> np.ndarray:
    return x / np.sqrt(np.sum(x * x, axis=axis, keepdims=True))


def _glu(x: np.ndarray, axis: int = -1) -> np.ndarray:
    a, b = np.split(x, 2, axis=axis)
    return a * (0.5 * (1 + np.tanh(b / 2)))


def _moments_gen(d: Draw) -> Sample:
    shape = d.shape(1, 3, 1)
    axes = tuple(i for i in range(len(shape)) if d.flag()) or (0,)
    return sample(d.array(shape, bound=10.0), axes=axes, keepdims=d.flag())


def _moments(x: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> tuple[Any, Any]:
    return (np.mean(x, axis=axes, keepdims=keepdims), np.var(x, axis=axes, keepdims=keepdims))


def _threshold_gen(d: Draw) -> Sample:
    return sample(d.array(d.shape(), bound=5.0), threshold=0.5, default_value=-1.0)


def _threshold(x: np.ndarray, threshold: float, default_value: float) -> np.ndarray:
    return np.where(x > threshold, x, default_value)


def _probabilities(d: Draw, shape: tuple[int, ...]) -> np.ndarray:
    raw = d.array(shape, bound=1.0)
    return (0.1 + 0.8 * (np.abs(raw.astype(np.float64)) % 1.0)).astype(raw.dtype)


def _bce_gen(d: Draw) -> Sample:
    shape = d.shape(1, 2, 1)
    return sample(_probabilities(d, shape).round(), _probabilities(d, shape))


def _bce(t: np.ndarray, o: np.ndarray) -> np.ndarray:
    return -(t * np.log(o) + (1 - t) * np.log(1 - o))


def _cce_gen(d: Draw) -> Sample:
    shape = (d.integer(1, 3), d.integer(2, 4))
    return sample(_probabilities(d, shape), _probabilities(d, shape))


def _cce(t: np.ndarray, o: np.ndarray) -> np.ndarray:
    return -np.sum(t * np.log(o / np.sum(o, axis=-1, keepdims=True)), axis=-1)


def _distinct_rows(d: Draw) -> np.ndarray:
    rows, n = d.integer(1, 3), d.integer(1, 5)
    x = np.stack([np.array(d.permutation(n)) for _ in range(rows)]) - n // 2
    from .. import strategies as S

    return x.astype(np.float32).astype(S.numpy_dtype(d.dtype))


def _top_k_gen(d: Draw) -> Sample:
    x = _distinct_rows(d)
    return sample(x, k=d.integer(1, x.shape[-1]))


def _top_k(x: np.ndarray, k: int) -> np.ndarray:
    order = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    return np.take_along_axis(x, order, axis=-1)


def _values(fn: Callable[..., Any], x: Any, k: int) -> Any:
    """The values of top_k (the indices' dtype is the backend's: int32, or int64 on torch)."""
    return fn(x, k)[0]


def _slogdet(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sign, logabsdet = np.linalg.slogdet(a)
    return sign, logabsdet


def _in_top_k_gen(d: Draw) -> Sample:
    x = _distinct_rows(d)
    targets = d.ints((x.shape[0],), 0, x.shape[1] - 1)
    return sample(targets, x, k=d.integer(1, x.shape[-1]))


def _in_top_k_call(fn: Callable[..., Any], targets: Any, predictions: Any, k: int) -> Any:
    return fn(targets, predictions, k)


def _in_top_k(targets: np.ndarray, predictions: np.ndarray, k: int) -> np.ndarray:
    rank = np.sum(predictions > np.take_along_axis(predictions, targets[:, None], 1), axis=1)
    return rank < k


def _segment_gen(d: Draw) -> Sample:
    n = d.integer(1, 6)
    ids = np.sort(d.ints((n,), 0, 3))
    return sample(d.array((n,), bound=10.0), ids, num_segments=4)


def _segment(reduce: Callable[..., Any], empty: Callable[[np.dtype], Any]):
    def oracle(data: np.ndarray, ids: np.ndarray, num_segments: int) -> np.ndarray:
        out = []
        for s in range(num_segments):
            part = data[ids == s]
            out.append(reduce(part) if part.size else empty(data.dtype))
        return np.array(out, dtype=np.float64 if data.dtype.kind == "f" else data.dtype)

    return oracle


def _lowest(dtype: np.dtype) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _highest(dtype: np.dtype) -> Any:
    return np.inf if dtype.kind == "f" else np.iinfo(dtype).max


def _eigh_values(fn: Callable[..., Any], a: Any) -> Any:
    return fn(a)[0]  # eigenvectors have no unique sign: the eigenvalues are compared


def _svd_values(fn: Callable[..., Any], a: Any) -> Any:
    return fn(a, compute_uv=False)


def _qr_product(fn: Callable[..., Any], a: Any) -> Any:
    import keras

    q, r = fn(a)
    return keras.ops.matmul(q, r)  # Q and R are unique up to signs: Q @ R is A


def _symmetric(d: Draw) -> Sample:
    n = d.integer(1, 4)
    a = d.array((n, n), bound=5.0).astype(np.float64)
    return sample(((a + a.T) / 2).astype(d.array((0,)).dtype))


def _square(d: Draw) -> Sample:
    n, m = d.integer(1, 4), d.integer(1, 4)
    return sample(d.array((n, m), bound=5.0))


def _triangular_gen(d: Draw) -> Sample:
    n = d.integer(1, 4)
    a = d.array((n, n), bound=2.0).astype(np.float64)
    lower = d.flag()
    tri = np.tril(a) if lower else np.triu(a)
    tri[np.diag_indices(n)] = 2.0 + np.abs(np.diag(a))  # well conditioned
    dtype = d.array((0,)).dtype
    return sample(tri.astype(dtype), d.array((n, d.integer(1, 3)), bound=5.0), lower=lower)


def _solve_triangular(a: np.ndarray, b: np.ndarray, lower: bool) -> np.ndarray:
    return np.linalg.solve(np.tril(a) if lower else np.triu(a), b)


def _norm_gen(d: Draw) -> Sample:
    shape = d.shape(1, 2, 1)
    return sample(d.array(shape, bound=10.0), axis=axis_of(d, len(shape)) if d.flag() else None)


def _norm(x: np.ndarray, axis: Any) -> np.ndarray:
    return np.linalg.norm(x.reshape(-1) if axis is None and x.ndim > 2 else x, axis=axis)


@dataclass(frozen=True)
class NoConstants:
    """The linked record's matrices without its TF-only constants (``adjoint=``)."""

    link: str

    def _sampler(self) -> Any:
        from .. import ops

        return ops.by_name(self.link).sampler

    def strategy(self, dtype: str, small: bool = False, bucketed: bool = False) -> Any:
        inner = self._sampler().strategy(dtype, small=small, bucketed=bucketed)
        return inner.map(lambda s: Sample(s.args))

    def reference(self, dtype: str, length: int, rng: np.random.Generator) -> Sample:
        return Sample(self._sampler().reference(dtype, length, rng).args)


SMOOTH = KGrad()
LINALG_F = ("float32", "float64")
LINALG: dict[str, Any] = {"section": "linalg", "dtypes": LINALG_F, "result": floating,
                          "open_dtypes": ("bfloat16", "float16", *INT_BOOL)}  # fmt: skip

RECORDS: tuple[KerasOpRecord, ...] = (
    KerasOpRecord("softmax", section="nn", link="tf.math.softmax", oracle=_softmax,
                  grad=SMOOTH, sampler=Built(_axis_gen()), **NN),
    # x - max - log(sum(exp(x - max))) rounds at the inputs' scale (|x| up to 5), not the
    # result's (TF float16 -0.00584 for -0.00441, found by thorough TF seed 1735917336): the
    # losses' 16-bit tolerances.
    KerasOpRecord("log_softmax", section="nn", link="tf.math.log_softmax",
                  oracle=lambda x, axis: np.log(_softmax(x, axis)), sampler=Built(_axis_gen()),
                  tolerance=LOSS_TOL, **NN),
    rec("one_hot", _one_hot_oracle, _one_hot, dtypes=("int32", "int64"),
        result=lambda d: "float32", open_dtypes=("int8", "int16", "uint8", "bool", *FLOATS)),
    rec("multi_hot", _multi_hot_oracle, _multi_hot, dtypes=("int32", "int64"),
        result=lambda d: "float32", open_dtypes=("int8", "int16", "uint8", "bool", *FLOATS)),
    rec("normalize", _normalize, _normalize_gen, tolerance=LOSS_TOL, **NN),
    rec("glu", _glu, _axis_gen(even_last=True), **NN),
    rec("moments", _moments, _moments_gen, tolerance=LOSS_TOL, **NN),
    rec("threshold", _threshold, _threshold_gen, **NN),
    rec("binary_crossentropy", _bce, _bce_gen, tolerance=LOSS_TOL, **NN),
    rec("categorical_crossentropy", _cce, _cce_gen, tolerance=LOSS_TOL, **NN),
    rec("top_k", _top_k, _top_k_gen, section="math", dtypes=(*FLOATS, "int32"), call=_values,
        open_dtypes=("int8", "int16", "int64", "uint8", "bool")),
    rec("in_top_k", _in_top_k, _in_top_k_gen, section="math", dtypes=FLOATS,
        result=lambda d: "bool", call=_in_top_k_call, open_dtypes=INT_BOOL),
    rec("segment_sum", _segment(np.sum, lambda t: 0), _segment_gen, section="math",
        dtypes=(*FLOATS, "int32"), open_dtypes=("int8", "int16", "int64", "uint8", "bool"),
        scaled_tolerance=summed_tolerance),
    rec("segment_max", _segment(np.max, _lowest), _segment_gen, section="math",
        dtypes=(*FLOATS, "int32"), open_dtypes=("int8", "int16", "int64", "uint8", "bool")),
    # -- keras.ops.linalg (and logdet from keras.ops.math) ----------------------------------
    # The sign of a zero determinant (a singular matrix) is not documented.
    KerasOpRecord("det", link="tf.linalg.det", signed_zeros=False, **LINALG),
    KerasOpRecord("inv", link="tf.linalg.inv", oracle=np.linalg.inv,
                  sampler=NoConstants("tf.linalg.inv"), **LINALG),
    KerasOpRecord("solve", link="tf.linalg.solve", oracle=np.linalg.solve,
                  sampler=NoConstants("tf.linalg.solve"), **LINALG),
    KerasOpRecord("cholesky", link="tf.linalg.cholesky", **LINALG),
    KerasOpRecord("slogdet", link="tf.linalg.slogdet", oracle=_slogdet, **LINALG),
    # The sign of a zero entry of a pseudo-inverse (sums over the SVD) is not documented (TF
    # gave -0.0 where NumPy gives 0.0, found by a thorough TF run).
    KerasOpRecord("pinv", link="tf.linalg.pinv", oracle=np.linalg.pinv, signed_zeros=False,
                  **LINALG),
    KerasOpRecord("logdet", link="tf.linalg.logdet", **{**LINALG, "section": "math"}),
    # Eigenvalues (and singular values, below) are accurate to ~eps x the largest one, not
    # to themselves (a float32 1e-16 comes back as 1e-6 on torch): absolute tolerance at the
    # matrices' scale (~10).
    KerasOpRecord("eigh", oracle=np.linalg.eigvalsh, sampler=Built(_symmetric),
                  call=_eigh_values, tolerance={"float32": Tolerance(rtol=2e-5, atol=1e-5)},
                  **LINALG),
    KerasOpRecord("svd", oracle=lambda a: np.linalg.svd(a, compute_uv=False),
                  sampler=Built(_square), call=_svd_values,
                  tolerance={"float32": Tolerance(rtol=2e-5, atol=1e-5)}, **LINALG),
    # Q @ R is a sum of products: the sign of a zero entry is not documented (TF gave 0.0 for
    # an input's -0.0, found by a thorough TF run).
    KerasOpRecord("qr", oracle=lambda a: a, sampler=Built(_square), call=_qr_product,
                  signed_zeros=False, **LINALG),
    KerasOpRecord("solve_triangular", oracle=_solve_triangular, sampler=Built(_triangular_gen),
                  signed_zeros=False, **LINALG),  # the sign of a zero solution: undocumented
    KerasOpRecord("norm", oracle=_norm, sampler=Built(_norm_gen), **LINALG),
)  # fmt: skip

__all__ = ["RECORDS", "UNIVERSE", "_highest", "same"]
