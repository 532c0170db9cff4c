"""tf.linalg factorizations: QR, LU, SVD, eigendecompositions and the rank (records of the
``linalg`` namespace, collected by ``linalg.py``; dtype groups and tolerances are those of
``linalg_solvers.py``).

Results that are unique only up to signs, phases or order come through wrappers that return
a unique form:

- ``qr``: Q and R with R's diagonal made real and non-negative (the factorization is then
  unique for full-rank inputs), flattened and concatenated;
- ``svd``/``eigh``: the singular values (eigenvalues), then U diag(s) V^H (V diag(e) V^H),
  U^H U and V^H V, whose oracles are the input and identities;
- ``eig``/``eigvals``: eigenvalues sorted by real part + 0.01 imaginary part (spectra drawn
  with gaps, so the order is the same for TensorFlow and NumPy), residuals A v - e v;
- ``lu``: P^T L U, how far |L| exceeds 1 (partial pivoting keeps it at most 1) and the
  sorted permutation minus 0..n-1, whose oracles are the input and zeros.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .linalg_solvers import (
    COMPLEX_RESULT,
    DISTINCT_EIGEN,
    DISTINCT_SINGULAR,
    F32_64,
    HALF_LAPACK,
    LAPACK,
    REAL_RESULT,
    SOLVER_TOLERANCE,
    SQUARE_DOMINANT,
    map_first,
    real_dtype,
    solver_grad,
)
from .matrices import (
    Matrices,
    Variant,
    dominant,
    fixed,
    hermitian,
    linalg_record,
    np_flat,
    np_real_parts,
    phase,
    tf_flat,
    tf_hermitian,
    tf_module,
    tf_real_parts,
    variants,
)
from .record import COMPLEX, FLOATS, OpRecord

_tf = tf_module
_record = linalg_record

# --- QR and LU ----------------------------------------------------------------------------


def _qr(a: Any, **kw: Any) -> Any:
    """Q and R with R's diagonal real and non-negative (Q's columns and R's rows times the
    phase of R's diagonal), flattened and concatenated."""
    tf = _tf()
    q, r = tf.linalg.qr(a, **kw)
    d = tf.linalg.diag_part(r)
    magnitude = tf.cast(tf.abs(d), d.dtype)
    unit = tf.where(
        tf.equal(magnitude, 0),
        tf.ones_like(d),
        d / tf.where(tf.equal(magnitude, 0), tf.ones_like(d), magnitude),
    )
    q = q * unit[..., None, :]
    r = tf.math.conj(unit)[..., :, None] * r
    return tf.concat([tf_flat(q), tf_flat(r)], -1)


def _np_qr(a: np.ndarray, full_matrices: bool = False) -> np.ndarray:
    q, r = np.linalg.qr(a, mode="complete" if full_matrices else "reduced")
    k = min(r.shape[-2], r.shape[-1])
    unit = phase(np.diagonal(r, axis1=-2, axis2=-1)[..., :k])
    q = q * np.pad(unit, [(0, 0)] * (unit.ndim - 1) + [(0, q.shape[-1] - k)],
                   constant_values=1)[..., None, :]  # fmt: skip
    r = np.conj(np.pad(unit, [(0, 0)] * (unit.ndim - 1) + [(0, r.shape[-2] - k)],
                       constant_values=1))[..., :, None] * r  # fmt: skip
    return np.concatenate([np_flat(q), np_flat(r)], -1)


# Full rank (a dominant leading block): the normalized factors are unique and smooth.
# Gradient samples are not empty: in graph mode the QR gradient of a 0 x n matrix fails
# (MatrixTriangularSolve), eager TensorFlow gives an empty gradient.
_QR = Matrices(
    (Variant(("...nm",)), Variant(("...nn",), (("full_matrices", True),))),
    build=map_first(dominant),
    grad_empty=False,
)


def _lu(a: Any) -> Any:
    """P^T L U from tf.linalg.lu, then relu(max |L| - 1) and sort(perm) - range(n)."""
    tf = _tf()
    packed, perm = tf.linalg.lu(a)
    n = tf.shape(a)[-1]
    rank = len(a.shape)
    upper = tf.linalg.band_part(packed, 0, -1)
    lower = packed - upper + tf.eye(n, dtype=a.dtype)
    inverse = tf.argsort(perm, axis=-1)
    product = tf.gather(tf.matmul(lower, upper), inverse, axis=rank - 2, batch_dims=rank - 2)
    excess = tf.nn.relu(tf.reduce_max(tf.abs(lower), axis=[-2, -1]) - 1)
    order = tf.sort(perm, axis=-1) - tf.range(n, dtype=perm.dtype)
    return tf.concat(
        [tf_flat(product), tf.cast(excess[..., None], a.dtype), tf.cast(order, a.dtype)], -1
    )


def _np_lu(a: np.ndarray) -> np.ndarray:
    zeros = np.zeros((*a.shape[:-2], 1 + a.shape[-1]), dtype=a.dtype)
    return np.concatenate([np_flat(a), zeros], -1)


def _lu_factors(raw: list[np.ndarray], kwargs: dict[str, Any]) -> list[np.ndarray]:
    """Packed LU factors (|L| < 0.71 below the unit diagonal, U with a dominant diagonal)
    and a permutation (int32, the order of the second raw array)."""
    packed, order, *rest = raw
    n = packed.shape[-1]
    upper = np.triu(packed)
    index = np.arange(n)
    diagonal = upper[..., index, index]
    upper[..., index, index] = diagonal + phase(diagonal) * (np.abs(upper).sum(-1) + 1.0)
    perm = np.argsort(order.real, axis=-1, kind="stable").astype(np.int32)
    return [np.tril(packed, -1) / 4 + upper, fixed(perm), *rest]


def _np_lu_reconstruct(lower_upper: np.ndarray, perm: np.ndarray) -> np.ndarray:
    """A with P A = L U, where (P A)[i] = A[perm[i]]: A[j] = (L U)[perm^-1[j]]."""
    n = lower_upper.shape[-1]
    product = (np.tril(lower_upper, -1) + np.eye(n)) @ np.triu(lower_upper)
    inverse = np.broadcast_to(np.argsort(perm, axis=-1)[..., None], product.shape)
    return np.take_along_axis(product, inverse, axis=-2)


def _lu_reconstruct(lower_upper: Any, perm: Any) -> Any:
    return _tf().linalg.lu_reconstruct(lower_upper, perm)


def _lu_solve(lower_upper: Any, perm: Any, rhs: Any) -> Any:
    return _tf().linalg.lu_solve(lower_upper, perm, rhs)


def _np_lu_solve(lower_upper, perm, rhs):
    return np.linalg.solve(_np_lu_reconstruct(lower_upper, perm), rhs)


def _lu_matrix_inverse(lower_upper: Any, perm: Any) -> Any:
    return _tf().linalg.lu_matrix_inverse(lower_upper, perm)


def _np_lu_matrix_inverse(lower_upper, perm):
    return np.linalg.inv(_np_lu_reconstruct(lower_upper, perm))


# Not empty: lu_reconstruct, lu_solve and lu_matrix_inverse raise InvalidArgumentError for
# empty matrices or right-hand sides (their tf.stack of shapes, their GatherNd). The
# reference length of lu_reconstruct is capped: it inverts each permutation in a map_fn,
# one op per matrix (about 1 ms each).
_LU_FACTORS = Matrices(variants(("...nn", "...n")), build=_lu_factors, empty=False, cap=1025)
_LU_SOLVE = Matrices(variants(("...nn", "...n", "...nk")), build=_lu_factors, empty=False)

# --- singular values and eigenvalues --------------------------------------------------------


def _svd(a: Any, *, compute_uv: bool = False, full_matrices: bool = False) -> Any:
    """The singular values; with U and V also U diag(s) V^H, U^H U and V^H V (flattened;
    complex ones as real parts then imaginary parts)."""
    tf = _tf()
    if not compute_uv:
        return tf.linalg.svd(a, full_matrices=full_matrices, compute_uv=False)
    s, u, v = tf.linalg.svd(a, full_matrices=full_matrices, compute_uv=True)
    k = tf.shape(s)[-1]
    product = tf.matmul(u[..., :k] * tf.cast(s, a.dtype)[..., None, :], v[..., :k], adjoint_b=True)
    parts = [product, tf.matmul(u, u, adjoint_a=True), tf.matmul(v, v, adjoint_a=True)]
    return tf.concat([s, *(tf_real_parts(tf_flat(p)) for p in parts)], -1)


def _np_svd(a: np.ndarray, compute_uv: bool = False, full_matrices: bool = False):
    s = np.linalg.svd(a, compute_uv=False) if 0 not in a.shape[-2:] else _no_values(a)
    if not compute_uv:
        return s
    rows, cols = a.shape[-2:]
    k = min(rows, cols)
    eye_u, eye_v = (np.eye(rows), np.eye(cols)) if full_matrices else (np.eye(k), np.eye(k))
    batch = a.shape[:-2]
    parts = [a, np.broadcast_to(eye_u, (*batch, *eye_u.shape)),
             np.broadcast_to(eye_v, (*batch, *eye_v.shape))]  # fmt: skip
    complex_input = a.dtype.kind == "c"
    return np.concatenate([s, *(np_real_parts(np_flat(p), complex_input) for p in parts)], -1)


def _no_values(a: np.ndarray) -> np.ndarray:
    return np.zeros((*a.shape[:-2], min(a.shape[-2:])))


_SVD = Matrices(
    (
        Variant(("...nm",)),
        Variant(("...nm",), (("compute_uv", True),)),
        # TensorFlow's SVD gradient is not implemented for full matrices of unequal sides
        Variant(("...nm",), (("compute_uv", True), ("full_matrices", True)), grad=False),
        Variant(("...nn",), (("compute_uv", True), ("full_matrices", True))),
    ),
    xla_empty=False,  # see _RECT_DOMINANT
)


def _eigh(a: Any) -> Any:
    """Eigenvalues of hermitian(a), then V diag(e) V^H and V^H V (flattened)."""
    tf = _tf()
    e, v = tf.linalg.eigh(tf_hermitian(a))
    product = tf.matmul(v * e[..., None, :], v, adjoint_b=True)
    return tf.concat([e, tf_flat(product), tf_flat(tf.matmul(v, v, adjoint_a=True))], -1)


def _np_eigh(a: np.ndarray) -> np.ndarray:
    h = hermitian(a)
    e = np.linalg.eigvalsh(h) if a.shape[-1] else np.zeros(a.shape[:-1])
    eye = np.broadcast_to(np.eye(a.shape[-1]), a.shape)
    return np.concatenate([e, np_flat(h), np_flat(eye)], -1)


def _eigvalsh(a: Any) -> Any:
    return _tf().linalg.eigvalsh(tf_hermitian(a))


def _np_eigvalsh(a: np.ndarray) -> np.ndarray:
    """Real eigenvalues, of the input's type (TensorFlow returns complex ones for complex
    inputs)."""
    e = np.linalg.eigvalsh(hermitian(a)) if a.shape[-1] else np.zeros(a.shape[:-1])
    return e.astype(a.dtype) if a.dtype.kind == "c" else e


_HERMITIAN = Matrices(variants(("...nn",)))


def _sorted_eigenvalues(e: Any) -> Any:
    tf = _tf()
    key = tf.math.real(e) + 0.01 * tf.math.imag(e)
    return tf.gather(e, tf.argsort(key, axis=-1), batch_dims=len(e.shape) - 1)


def _np_sorted_eigenvalues(a: np.ndarray) -> np.ndarray:
    e = np.linalg.eigvals(a) if a.shape[-1] else np.zeros(a.shape[:-1], dtype=complex)
    e = e.astype(np.complex128)
    return np.take_along_axis(e, np.argsort(e.real + 0.01 * e.imag, axis=-1), axis=-1)


def _eigvals(a: Any) -> Any:
    return _sorted_eigenvalues(_tf().linalg.eigvals(a))


def _eig(a: Any) -> Any:
    """Sorted eigenvalues, the residuals A v - e v and the squared lengths of v."""
    tf = _tf()
    e, v = tf.linalg.eig(a)
    residual = tf.matmul(tf.cast(a, e.dtype), v) - v * e[..., None, :]
    lengths = tf.reduce_sum(tf.math.real(v * tf.math.conj(v)), axis=-2)
    return tf.concat([_sorted_eigenvalues(e), tf_flat(residual), tf.cast(lengths, e.dtype)], -1)


def _np_eig(a: np.ndarray) -> np.ndarray:
    n = a.shape[-1]
    rest = np.concatenate([np.zeros((*a.shape[:-2], n * n)), np.ones((*a.shape[:-2], n))], -1)
    return np.concatenate([_np_sorted_eigenvalues(a), rest], -1)


def _spectrum(raw: list[np.ndarray], kwargs: dict[str, Any]) -> list[np.ndarray]:
    """P B P^-1 with P diagonally dominant and B block diagonal: real parts i + 0.3 tanh(x)
    (gaps >= 0.4); complex dtypes get imaginary parts in (-2, 2), real dtypes pairs
    a +- bi (b in [0.5, 1.5], a 2x2 block) where the third raw array is positive."""
    p, re, im = raw
    n = p.shape[-1]
    real = np.arange(n) + 0.3 * np.tanh(re.real)
    b = np.zeros(p.shape, dtype=p.dtype)
    index = np.arange(n)
    if p.dtype.kind == "c":
        b[..., index, index] = real + 2j * np.tanh(im.real)
    else:
        b[..., index, index] = real
        for i in range(0, n - 1, 2):
            paired = im[..., i].real > 0
            width = 0.5 + np.abs(np.tanh(im[..., i + 1].real))
            b[..., i + 1, i + 1] = np.where(paired, real[..., i], real[..., i + 1])
            b[..., i, i + 1] = np.where(paired, width, 0.0)
            b[..., i + 1, i] = np.where(paired, -width, 0.0)
    p = dominant(p)
    return [p @ b @ np.linalg.inv(p) if n else p]


_SPECTRUM = Matrices(variants(("...nn", "...n", "...n")), build=_spectrum)


def _matrix_rank(a: Any) -> Any:
    return _tf().linalg.matrix_rank(a)


def _np_matrix_rank(a: np.ndarray, dtype: str) -> np.ndarray:
    """The documented default tolerance: eps(dtype) max(rows, cols) max(s)."""
    if 0 in a.shape[-2:]:
        return np.zeros(a.shape[:-2], dtype=np.int32)
    s = np.linalg.svd(a, compute_uv=False)
    tol = float(np.finfo(real_dtype(dtype)).eps) * max(a.shape[-2:]) * s.max(-1, keepdims=True)
    return np.sum(s > tol, axis=-1).astype(np.int32)


def _low_rank(raw: list[np.ndarray], kwargs: dict[str, Any]) -> list[np.ndarray]:
    """B C with B (n x k) and C (k x m) of integers in [-3, 3]: rank at most k, exact in
    every float format (|entries| <= 36), so a rank deficiency is exact."""
    b, c = (np.round(1.5 * r.real) for r in raw)
    return [b @ c]


_LOW_RANK = Matrices(variants(("...nk", "...km")), build=_low_rank, xla_empty=False)

# -------------------------------------------------------------------------------------------

RECORDS: tuple[OpRecord, ...] = (
    # -- QR and LU ------------------------------------------------------------------------------
    _record("qr", _qr, _np_qr, _QR, HALF_LAPACK, grad=solver_grad(), tolerance=SOLVER_TOLERANCE,
            reference="(Q and R of numpy.linalg.qr, both with R's diagonal made non-negative)",
            static_shapes=True),
    _record("lu", _lu, _np_lu, SQUARE_DOMINANT, LAPACK, xla=(), tolerance=SOLVER_TOLERANCE,
            reference="(P^T L U gives the input back, |L| <= 1, perm is a permutation)"),
    _record("lu_reconstruct", _lu_reconstruct, _np_lu_reconstruct, _LU_FACTORS,
            (*FLOATS, *COMPLEX, "int32", "int64"), xla=(), grad=solver_grad(),
            tolerance=SOLVER_TOLERANCE,
            reference="(A with P A = L U for packed factors and a permutation)",
            static_shapes=True),
    _record("lu_solve", _lu_solve, _np_lu_solve, _LU_SOLVE, LAPACK, xla=(),
            grad=solver_grad(0, 2), tolerance=SOLVER_TOLERANCE,
            reference="(numpy.linalg.solve with the matrix P^T L U)", static_shapes=True),
    _record("lu_matrix_inverse", _lu_matrix_inverse, _np_lu_matrix_inverse, _LU_FACTORS,
            LAPACK, xla=(), grad=solver_grad(), tolerance=SOLVER_TOLERANCE,
            reference="(numpy.linalg.inv of P^T L U)", static_shapes=True),
    # -- singular values and eigenvalues ----------------------------------------------------
    _record("svd", _svd, _np_svd, _SVD, LAPACK, xla=("float32",), result=REAL_RESULT,
            grad=solver_grad(smooth=(DISTINCT_SINGULAR,)), tolerance=SOLVER_TOLERANCE,
            reference="(numpy's singular values; U diag(s) V^H is the input, U and V are "
            "orthonormal)", static_shapes=True),
    _record("eigh", _eigh, _np_eigh, _HERMITIAN, LAPACK, xla=("float16", "float32"),
            grad=solver_grad(smooth=(DISTINCT_EIGEN,)), tolerance=SOLVER_TOLERANCE,
            reference="(numpy.linalg.eigvalsh of hermitian(a); V diag(e) V^H is hermitian(a), "
            "V is unitary)", static_shapes=True),
    _record("eigvalsh", _eigvalsh, _np_eigvalsh, _HERMITIAN, LAPACK, xla=("float16", "float32"),
            grad=solver_grad(smooth=(DISTINCT_EIGEN,)), tolerance=SOLVER_TOLERANCE,
            reference="of numpy.linalg.eigvalsh of hermitian(a)", static_shapes=True),
    _record("eig", _eig, _np_eig, _SPECTRUM, LAPACK, xla=(), result=COMPLEX_RESULT,
            tolerance=SOLVER_TOLERANCE,
            reference="(numpy.linalg.eigvals, sorted; A v = e v with unit eigenvectors)"),
    _record("eigvals", _eigvals, _np_sorted_eigenvalues, _SPECTRUM, LAPACK, xla=(),
            result=COMPLEX_RESULT, tolerance=SOLVER_TOLERANCE,
            reference="of numpy.linalg.eigvals (sorted)"),
    _record("matrix_rank", _matrix_rank, _np_matrix_rank, _LOW_RANK, F32_64,
            result="int32", oracle_wants_dtype=True,
            reference="(singular values above the documented tolerance eps max(rows, cols) "
            "max(s))"),
)  # fmt: skip
