"""Samples of linear-algebra functions: batches of small matrices with the structure a
function needs (symmetric positive definite, diagonally dominant, triangular factors, ...),
and the NumPy helpers that build that structure and model the diagonal layouts of
``tf.linalg.diag``/``diag_part``/``set_diag``.

A ``Matrices`` sampler draws one ``Variant`` (the Python constants of a call, such as
``adjoint=True``, and the shapes of its arguments), a batch shape, sizes, and raw values
within a bound; its ``build`` maps the raw values (float64 or complex128) onto the
function's arguments, which are then rounded to the sample's dtype. The structure is made
in float64 before rounding, so the oracle sees exactly the rounded arguments TensorFlow gets.

Shapes are written as layouts: ``"...nk"`` is a batch of ``n x k`` matrices. ``...`` is the
batch shape (ranks 0-2 in properties, one fixed shape per XLA bucket, ``(length,)`` in
reference samples); ``n``, ``m``, ``k``, ``p`` are sizes drawn from ``sides``; ``L`` is
drawn like a size in properties and is the reference length in reference samples (a matrix
with ``length`` rows); digits are fixed sizes (``"...3"`` for cross products).

Reference samples are a batch of ``length`` small matrices (``reference_sizes``), so that
multithreaded lengths cost linear time. Where the oracle loops over matrices in Python
(SciPy's ``logm``, ``sqrtm``), ``pool`` makes a long batch repeat a few hundred distinct
matrices in random order (``per_matrix`` computes each distinct one once): a kernel that
mixes up batch items across threads still gets a wrong answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from ..tolerance import Tolerance
from .record import API, COMPLEX, FLOATS, Grad, OpRecord, Sample
from .samplers import random_array

Build = Callable[[list[np.ndarray], dict[str, Any]], Sequence[np.ndarray]]

LETTERS = "nmkpL"
# Sizes of reference samples (per letter); "L" is the reference length itself.
REFERENCE_SIZES = {"n": 3, "m": 2, "k": 4, "p": 2}
# XLA compiles once per concrete shape: its samples come from these batch shapes and sizes
# (clipped to each sampler's sides), values still vary freely.
XLA_BUCKETS: tuple[tuple[tuple[int, ...], dict[str, int]], ...] = (
    ((), {"n": 3, "m": 2, "k": 2, "p": 2, "L": 3}),
    ((2,), {"n": 2, "m": 3, "k": 1, "p": 1, "L": 2}),
    ((1,), {"n": 1, "m": 1, "k": 3, "p": 3, "L": 1}),
    ((), {"n": 0, "m": 2, "k": 0, "p": 1, "L": 0}),
)


@dataclass(frozen=True)
class Variant:
    """One way of calling the function: its Python constants and its arguments' layouts.

    ``grad=False`` keeps the variant out of gradient checks (a kink everywhere, such as a
    max-norm, or a gradient the documentation says is not implemented); ``xla=False`` keeps
    it out of XLA samples where XLA does not implement it (documented, or no XLA kernel);
    ``dtypes`` restricts it to the dtypes it is documented for; ``sides`` overrides the
    sampler's range of sizes for this variant.
    """

    layouts: tuple[str, ...]
    kwargs: tuple[tuple[str, Any], ...] = ()
    grad: bool = True
    xla: bool = True
    # The dtypes this variant is drawn for (None: all), where the documentation restricts
    # one way of calling to some dtypes.
    dtypes: tuple[str, ...] | None = None
    # Its own range of sizes (a band of 2 needs two rows), else the sampler's.
    sides: tuple[int, int] | None = None


def variants(layouts: tuple[str, ...], *options: dict[str, Any], **flags: Any) -> tuple:
    """One ``Variant`` per keyword dictionary, all with the same layouts."""
    return tuple(Variant(layouts, tuple(o.items()), **flags) for o in options or ({},))


def cast(x: np.ndarray, dtype: str) -> np.ndarray:
    """Round float64/complex128 values to ``dtype`` (real part for real dtypes; integers
    rounded and clipped; bools are x != 0)."""
    x = np.asarray(x)
    if dtype == "bool":
        return np.asarray(x != 0)
    target = S.numpy_dtype(dtype)
    if dtype not in COMPLEX and x.dtype.kind == "c":
        x = x.real
    if dtype not in COMPLEX + FLOATS:
        info = np.iinfo(target)
        return np.clip(np.round(x), int(info.min), int(info.max)).astype(target)
    with np.errstate(all="ignore"):
        return x.astype(target)


def _wide(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype.kind == "c":
        return a.astype(np.complex128)
    return a.astype(np.float64)


class Fixed(np.ndarray):
    """An argument whose dtype does not follow the sample's dtype (an int32 permutation)."""


def fixed(a: np.ndarray) -> np.ndarray:
    """Mark a built argument to keep its own dtype (see ``Matrices.build``)."""
    return np.asarray(a).view(Fixed)


def _as_sample(args: Sequence[np.ndarray], dtype: str, kwargs: tuple) -> Sample:
    final = tuple(
        np.asarray(a).view(np.ndarray) if isinstance(a, Fixed) else cast(a, dtype) for a in args
    )
    return Sample(final, kwargs)


def shape_of(layout: str, batch: tuple[int, ...], sizes: dict[str, int]) -> tuple[int, ...]:
    rest = layout.removeprefix("...")
    dims = tuple(int(c) if c.isdigit() else sizes[c] for c in rest)
    return (*batch, *dims) if layout.startswith("...") else dims


@dataclass(frozen=True)
class Matrices:
    """Samples of a linear-algebra function (see the module docstring).

    ``build(raw, kwargs)`` maps the raw arrays (one per layout, float64/complex128) onto the
    function's arguments; an argument made with ``fixed`` keeps its own dtype (int32
    permutations), the others are rounded to the sample's dtype. ``bound`` bounds the raw
    float and complex values, ``int_bound`` the integer ones; ``sides`` the sizes n, m, k,
    p, L in properties (gradient samples stay at 3 or below).

    ``empty=False`` keeps every dimension, batch ones included, at 1 or more (a function
    that rejects empty inputs or has no defined value for them); ``xla_empty=False`` leaves
    the XLA bucket of empty matrices out (XLA cannot compile the function for them);
    ``grad_empty=False`` keeps gradient samples' sizes at 1 or more (a gradient that fails
    on empty matrices). ``cap`` bounds the reference length where the output grows faster
    than the input (``tensor_diag``: length^2 elements); ``pool`` see the module docstring.
    """

    variants: tuple[Variant, ...]
    build: Build | None = None
    bound: float = 2.0
    int_bound: int = 8
    sides: tuple[int, int] = (0, 4)
    reference_variant: Variant | None = None
    reference_sizes: dict[str, int] = field(default_factory=lambda: dict(REFERENCE_SIZES))
    pool: int = 0
    empty: bool = True
    cap: int = 0
    xla_empty: bool = True
    grad_empty: bool = True

    # -- drawing ------------------------------------------------------------------------
    def _bound(self, dtype: str) -> float:
        return float(self.int_bound) if dtype not in FLOATS + COMPLEX else self.bound

    def _built(self, raw: list[np.ndarray], variant: Variant, dtype: str) -> Sample:
        wide = [_wide(r) for r in raw]
        kwargs = dict(variant.kwargs)
        args = self.build(wide, kwargs) if self.build is not None else wide
        return _as_sample(list(args), dtype, variant.kwargs)

    def strategy(
        self, dtype: str, small: bool = False, bucketed: bool = False
    ) -> st.SearchStrategy[Sample]:
        pool = [
            v
            for v in self.variants
            if (v.grad or not small)
            and (v.xla or not bucketed)
            and (v.dtypes is None or dtype in v.dtypes)
        ]
        assert pool, "a Matrices sampler without variants for this kind of sample"
        batch_side = 0 if self.empty else 1
        bound = self._bound(dtype)

        @st.composite
        def draw(draw_: Any) -> Sample:
            variant = draw_(st.sampled_from(pool), label="variant")
            lo, hi = variant.sides or self.sides
            lo = lo if self.empty and (self.grad_empty or not small) else max(lo, 1)
            if bucketed:
                buckets = XLA_BUCKETS if self.empty and self.xla_empty else XLA_BUCKETS[:-1]
                batch, base = draw_(st.sampled_from(buckets), label="bucket")
                sizes = {c: min(max(v, lo), hi) for c, v in base.items()}
            else:
                top = max(lo, min(hi, 3)) if small else hi
                batch = draw_(
                    S.shapes(0, 1 if small else 2, 1 if small else batch_side, 2 if small else 3)
                )
                sizes = {c: draw_(st.integers(lo, top), label=c) for c in LETTERS}
            raw = [
                draw_(S.arrays(dtype, shape_of(layout, batch, sizes), bound=bound), label="raw")
                for layout in variant.layouts
            ]
            return self._built(raw, variant, dtype)

        return draw()

    # -- reference samples --------------------------------------------------------------
    def reference(self, dtype: str, length: int, rng: np.random.Generator) -> Sample:
        variant = self.reference_variant or self.variants[0]
        length = min(length, self.cap) if self.cap else length
        lengthwise = any("L" in layout for layout in variant.layouts)
        count = self.pool if self.pool and length > self.pool and not lengthwise else length
        batch = () if lengthwise else (count,)
        sizes = {**self.reference_sizes, "L": length}
        raw = [
            random_array(dtype, shape_of(layout, batch, sizes), rng, self._bound(dtype))
            for layout in variant.layouts
        ]
        sample = self._built(raw, variant, dtype)
        if count == length:
            return sample
        index = rng.integers(0, count, size=length)
        return Sample(tuple(a[index] for a in sample.args), sample.kwargs)


# --- structure (float64/complex128 in, same kind out; on the last two axes) ----------------


def swap(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def adjoint(a: np.ndarray) -> np.ndarray:
    return np.conj(swap(a))


def hermitian(a: np.ndarray) -> np.ndarray:
    """(a + a^H) / 2: symmetric (Hermitian) with a real diagonal."""
    return (a + adjoint(a)) / 2


def _eye_like(a: np.ndarray) -> np.ndarray:
    return np.broadcast_to(np.eye(a.shape[-2], a.shape[-1]), a.shape)


def positive_definite(a: np.ndarray) -> np.ndarray:
    """a a^H / n + I: Hermitian positive definite, eigenvalues in [1, 1 + |a|_2^2 / n]."""
    n = max(a.shape[-1], 1)
    return hermitian(a @ adjoint(a) / n + _eye_like(a))


def phase(d: np.ndarray) -> np.ndarray:
    """d / |d| (1 where d is 0): the sign of a real or complex number."""
    magnitude = np.abs(d)
    safe = np.where(magnitude == 0, 1.0, magnitude)
    return np.where(magnitude == 0, 1.0, d / safe)


def dominant(a: np.ndarray) -> np.ndarray:
    """The leading square block made strictly diagonally dominant by rows and columns (its
    diagonal pushed away from zero in its own direction by the row's and column's absolute
    sums, plus 1): nonsingular, with condition numbers of order 10 at sides up to 4."""
    a = np.array(a, copy=True)
    r = min(a.shape[-2], a.shape[-1])
    if r == 0:
        return a
    rows = np.abs(a).sum(axis=-1)[..., :r]
    cols = np.abs(a).sum(axis=-2)[..., :r]
    index = np.arange(r)
    diagonal = a[..., index, index]
    a[..., index, index] = diagonal + phase(diagonal) * (rows + cols + 1.0)
    return a


def positive_dominant(a: np.ndarray) -> np.ndarray:
    """Diagonally dominant with a positive real diagonal: every eigenvalue has real part
    >= 1 (Gershgorin), so the principal square root and logarithm are defined."""
    a = np.array(a, copy=True)
    n = a.shape[-1]
    index = np.arange(n)
    radius = np.abs(a).sum(axis=-1) - np.abs(a[..., index, index])
    a[..., index, index] = radius + 1.0 + np.abs(a[..., index, index].real)
    return a


def spread(values: np.ndarray) -> np.ndarray:
    """Positive values at gaps of at least 0.6 (gradients of eigen- and singular values
    divide by their differences): the i-th of n becomes n - 1 - i + 0.5 + 0.4 tanh|v_i|."""
    rank = np.arange(values.shape[-1])[::-1]
    return rank + 0.5 + 0.4 * np.tanh(np.abs(values))


def distinct_singular_values(a: np.ndarray) -> np.ndarray:
    """U diag(s') V^H from a's SVD, with singular values s' in [0.5, 5) at gaps >= 0.6."""
    if 0 in a.shape[-2:]:
        return a
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return (u * spread(s)[..., None, :]) @ vh


def distinct_eigenvalues(a: np.ndarray) -> np.ndarray:
    """V diag(l') V^H from the eigenvectors of hermitian(a), eigenvalues at gaps >= 0.6
    (signs alternate, so the matrices are indefinite)."""
    if a.shape[-1] == 0:
        return a
    drawn, v = np.linalg.eigh(hermitian(a))
    values = spread(drawn) * (-1.0) ** np.arange(a.shape[-1])
    return hermitian((v * values[..., None, :]) @ adjoint(v))


def per_matrix(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """Apply a function of one matrix over a batch, once per distinct matrix."""

    def apply(a: np.ndarray) -> np.ndarray:
        a = np.asarray(a)
        if a.size == 0:
            return np.zeros(a.shape, dtype=a.dtype)
        flat = a.reshape((int(np.prod(a.shape[:-2])), *a.shape[-2:]))
        unique, inverse = np.unique(flat, axis=0, return_inverse=True)
        results = np.stack([np.asarray(fn(m)) for m in unique])
        return results[inverse.reshape(-1)].reshape(a.shape[:-2] + results.shape[1:])

    apply.__name__ = getattr(fn, "__name__", "per_matrix")
    return apply


# --- the diagonal layouts of tf.linalg.diag, diag_part and set_diag (MatrixDiagV3) ---------


def _band(k: int | tuple[int, int]) -> tuple[int, int]:
    return (k, k) if isinstance(k, int) else (int(k[0]), int(k[1]))


def _diagonal_length(d: int, rows: int, cols: int) -> int:
    return max(0, min(rows + min(d, 0), cols - max(d, 0)))


def _diagonals(k: Any, rows: int, cols: int, align: str):
    """(d, row in the packed diagonals, offset, positions (i, j)) per diagonal d of band k.

    Diagonal d of band [k0, k1] is row k1 - d of the packed input; a diagonal shorter than
    the longest is padded, on the left where it is right-aligned ("RIGHT" in ``align``,
    whose first word applies to superdiagonals and second to subdiagonals).
    """
    k0, k1 = _band(k)
    longest = _longest(k, rows, cols)
    sup, sub = align.split("_")
    for d in range(k1, k0 - 1, -1):
        length = _diagonal_length(d, rows, cols)
        right = (sup if d >= 0 else sub) == "RIGHT"
        offset = longest - length if right else 0
        t = np.arange(length)
        i, j = (t, t + d) if d >= 0 else (t - d, t)
        yield d, k1 - d, offset, i, j


def _longest(k: Any, rows: int, cols: int) -> int:
    k0, k1 = _band(k)
    return max(0, min(rows + min(k1, 0), cols - max(k0, 0)))


def diag_part(x: np.ndarray, k: Any = 0, padding_value: Any = 0, align: str = "RIGHT_LEFT"):
    """The diagonals of band k of x's innermost matrices, packed as MatrixDiagPartV3 does."""
    rows, cols = x.shape[-2:]
    k0, k1 = _band(k)
    shape = (*x.shape[:-2], k1 - k0 + 1, _longest(k, rows, cols))
    out = np.full(shape, padding_value, dtype=x.dtype)
    for _, row, offset, i, j in _diagonals(k, rows, cols, align):
        out[..., row, offset + np.arange(len(i))] = x[..., i, j]
    return out[..., 0, :] if k0 == k1 else out


def matrix_diag(
    diagonal: np.ndarray,
    k: Any = 0,
    num_rows: int = -1,
    num_cols: int = -1,
    padding_value: Any = 0,
    align: str = "RIGHT_LEFT",
) -> np.ndarray:
    """Matrices with the packed diagonals of band k, padding elsewhere (MatrixDiagV3).

    Without num_rows/num_cols the matrices are square, of the smallest size whose longest
    diagonal in the band has the input's length.
    """
    k0, k1 = _band(k)
    packed = diagonal if k0 != k1 else diagonal[..., None, :]
    longest = packed.shape[-1]
    if num_rows < 0 and num_cols < 0:
        num_rows = num_cols = longest + max(k0, -k1, 0)
    elif num_rows < 0:
        num_rows = longest - min(k1, 0)
    elif num_cols < 0:
        num_cols = longest + max(k0, 0)
    out = np.full((*packed.shape[:-2], num_rows, num_cols), padding_value, dtype=diagonal.dtype)
    for _, row, offset, i, j in _diagonals(k, num_rows, num_cols, align):
        out[..., i, j] = packed[..., row, offset + np.arange(len(i))]
    return out


def set_diag(x: np.ndarray, diagonal: np.ndarray, k: Any = 0, align: str = "RIGHT_LEFT"):
    """x with the diagonals of band k replaced by the packed ``diagonal`` (MatrixSetDiagV3)."""
    k0, k1 = _band(k)
    packed = diagonal if k0 != k1 else diagonal[..., None, :]
    out = np.array(x, copy=True)
    rows, cols = x.shape[-2:]
    for _, row, offset, i, j in _diagonals(k, rows, cols, align):
        out[..., i, j] = packed[..., row, offset + np.arange(len(i))]
    return out


def band_mask(rows: int, cols: int, lower: int, upper: int) -> np.ndarray:
    """Where band_part keeps entries: i - j <= lower and j - i <= upper (negative: all)."""
    i, j = np.indices((rows, cols))
    keep = np.ones((rows, cols), dtype=bool)
    if lower >= 0:
        keep &= i - j <= lower
    if upper >= 0:
        keep &= j - i <= upper
    return keep


# --- the TensorFlow side: helpers of the records' wrappers (TensorFlow imported lazily) ----


def tf_module() -> Any:
    import tensorflow as tf

    return tf


def tf_flat(x: Any) -> Any:
    """(..., a, b) -> (..., a * b), also for empty tensors (where -1 cannot be inferred)."""
    tf = tf_module()
    shape = tf.shape(x)
    return tf.reshape(x, tf.concat([shape[:-2], [shape[-2] * shape[-1]]], 0))


def np_flat(x: np.ndarray) -> np.ndarray:
    return x.reshape((*x.shape[:-2], x.shape[-2] * x.shape[-1]))


def tf_hermitian(a: Any) -> Any:
    """(a + a^H) / 2 for floating and complex tensors; others unchanged, so that the
    function under test, not this wrapper, decides whether it takes them."""
    if not (a.dtype.is_floating or a.dtype.is_complex):
        return a
    return (a + tf_module().linalg.adjoint(a)) / 2


def tf_real_parts(x: Any) -> Any:
    """A complex tensor as its real parts followed by its imaginary parts (last axis)."""
    tf = tf_module()
    if not x.dtype.is_complex:
        return x
    return tf.concat([tf.math.real(x), tf.math.imag(x)], -1)


def np_real_parts(x: np.ndarray, complex_input: bool) -> np.ndarray:
    x = np.asarray(x)
    if not complex_input:
        return x.real if x.dtype.kind == "c" else x
    x = x.astype(np.complex128)
    return np.concatenate([x.real, x.imag], -1)


def tridiagonal_dense(diagonals: np.ndarray, diagonals_format: str = "compact") -> np.ndarray:
    """The dense matrix of compact diagonals (superdiagonal, diagonal, subdiagonal; the
    superdiagonal's last and the subdiagonal's first element are not used), or the
    tridiagonal part of a full matrix."""
    if diagonals_format == "matrix":
        n = diagonals.shape[-1]
        return np.where(band_mask(n, n, 1, 1), diagonals, 0)
    return matrix_diag(diagonals, k=(-1, 1), align="LEFT_RIGHT")


# --- records ------------------------------------------------------------------------------

# Products of bounded values: a dot product of length k is within 2 k u sum|a_i b_i| of the
# exact value in any summation order (u the unit roundoff); at the samplers' bound 2 and
# k <= 4 that is a few units of the result's magnitude in the last place, and half
# precision kernels that accumulate in their own format need about 0.03 absolute.
PRODUCT_TOLERANCE = {
    "float16": Tolerance(rtol=4e-3, atol=3e-2),
    "bfloat16": Tolerance(rtol=3e-2, atol=2e-1),
    "float32": Tolerance(rtol=2e-5, atol=2e-5),
    "complex64": Tolerance(rtol=2e-5, atol=2e-5),
    "float64": Tolerance(rtol=1e-12, atol=1e-12),
    "complex128": Tolerance(rtol=1e-12, atol=1e-12),
}


def linalg_record(
    name: str,
    fn: Callable[..., Any],
    oracle: Callable[..., Any],
    sampler: Any,
    dtypes: tuple[str, ...],
    *,
    xla: tuple[str, ...] | None = None,
    grad: Grad | None = None,
    tolerance: dict[str, Tolerance] | None = None,
    reference: str = "",
    signed_zeros: bool = False,
    **kw: Any,
) -> OpRecord:
    """The record of ``tf.linalg.<name>``; ``xla`` declares the dtypes under XLA on CPU
    where they differ from the kernels' (``dtypes``). The sign of a zero is compared only
    where ``signed_zeros`` (functions that move entries without arithmetic)."""
    return OpRecord(
        name=f"tf.linalg.{name}",
        fn=fn,
        oracle=oracle,
        sampler=sampler,
        dtypes=dtypes,
        doc=f"{API}tf/linalg/{name}",
        reference=reference,
        dtypes_by_target={"CPU-xla": xla} if xla is not None else {},
        grad=grad,
        tolerance=tolerance or {},
        signed_zeros=signed_zeros,
        **kw,
    )


def grad_args(*indices: int, **kw: Any) -> Grad:
    return Grad(args=indices, **kw)
