"""tf.linalg determinants, inverses, solves and matrix functions (records of the ``linalg``
namespace, collected by ``linalg.py``; QR, LU, SVD and eigendecompositions are in
``linalg_factorizations.py``, which shares this module's dtype groups and tolerances).

Inputs are made well-conditioned where the result's accuracy depends on it (diagonally
dominant for solves and inverses, a a^H / n + I for Cholesky, spectra with gaps for the
gradients of eigen- and singular values; ``matrices.py``), and exactly singular on purpose
in the records' ``points``.

Records marked ``static_shapes`` are traced per concrete shape in graph modes: traced with
every dimension None they fail before running (found by this database; TF 2.21):
``eigh_tridiagonal`` compares a static length with ``<=`` (TypeError); the gradients of
``svd`` with vectors, ``qr`` and ``pinv`` raise NotImplementedError ("unknown inner matrix
shape"); the gradients of ``tridiagonal_solve`` and ``banded_triangular_solve`` fail in
``set_diag``/``diag_part`` shape inference; the gradients of ``expm`` and ``lstsq`` of
empty matrices fail (a variant-dtype TypeError, an AssertionError under XLA); under XLA the
gradients of ``cholesky``, ``eigh``, ``eigvalsh``, ``logdet`` and the ``lu_*`` functions
read a dynamic shape as a constant ("Reading input as constant from a dynamic tensor").
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..oracles import same_dtype
from ..tolerance import Tolerance
from .matrices import (
    Matrices,
    Variant,
    adjoint,
    diag_part,
    distinct_eigenvalues,
    distinct_singular_values,
    dominant,
    grad_args,
    hermitian,
    linalg_record,
    matrix_diag,
    per_matrix,
    phase,
    positive_definite,
    positive_dominant,
    swap,
    tf_hermitian,
    tf_module,
    tridiagonal_dense,
    variants,
)
from .record import COMPLEX, FLOATS, Grad, OpRecord

_tf = tf_module
_record = linalg_record
_args = grad_args

F32_64 = ("float32", "float64")
# Not declared under XLA (CPU), found by this database on TF 2.21: float16 SVDs (NaN
# singular vectors for about 1 in 60 well-conditioned 3 x 2 matrices, NaN singular values
# of [[-4, -4, -4], [0, 0, 0]]: svd, pinv, matrix_rank); float16 expm (NaN, even for the
# 1 x 1 matrix [-0.67]); float64 singular vectors and eigenvectors (|U diag(s) V^H - A| and
# |V diag(e) V^H - A| about 5e-7 for 3 x 3 matrices, eager 5e-15: svd, eigh, and the
# eigvalsh gradient; the eigenvalues themselves are accurate); complex eigh and eigvalsh
# (real eigenvalues read as complex numbers, or a graph that fails to compile);
# lu_reconstruct, lu_solve and lu_matrix_inverse (their gradients fail to compile, "Reading
# input as constant from a dynamic tensor", once a jit-compiled function is called again
# with a new shape).
LAPACK = (*F32_64, *COMPLEX)  # the dtypes of TensorFlow's CPU linear-algebra kernels
HALF_LAPACK = ("float16", *LAPACK)
HALF_REAL = ("float16", *F32_64)
REAL_RESULT = {"complex64": "float32", "complex128": "float64"}
COMPLEX_RESULT = {"float32": "complex64", "float64": "complex128"}

# Well-conditioned inputs (condition numbers of order 10): backward-stable algorithms are
# within a few hundred units in the last place of the exact result; half precision, whose
# unit is 5e-4 (bfloat16 4e-3), within a few percent.
SOLVER_TOLERANCE = {
    "float16": Tolerance(rtol=3e-2, atol=3e-2),
    "bfloat16": Tolerance(rtol=1e-1, atol=1e-1),
    "float32": Tolerance(rtol=1e-4, atol=1e-4),
    "complex64": Tolerance(rtol=1e-4, atol=1e-4),
    "float64": Tolerance(rtol=1e-10, atol=1e-10),
    "complex128": Tolerance(rtol=1e-10, atol=1e-10),
}
# Gradients of decompositions go through several solves: float32 keeps three digits.
SOLVER_GRADIENT = {
    "float32": Tolerance(rtol=2e-3, atol=2e-3),
    "float64": Tolerance(rtol=1e-6, atol=1e-7),
}

DOMINANT = same_dtype(dominant)
DISTINCT_SINGULAR = same_dtype(distinct_singular_values)
DISTINCT_EIGEN = same_dtype(distinct_eigenvalues)
# Exactly singular matrices (in every dtype): rank 1 and zero.
SINGULAR_POINTS = (([[1.0, 2.0], [2.0, 4.0]],), ([[0.0, 0.0], [0.0, 0.0]],))


def solver_grad(*args: int, smooth: tuple = (), points: tuple = ()) -> Grad:
    return Grad(args=args or (0,), smooth=smooth, points=points, tolerance=SOLVER_GRADIENT)


def map_first(fn: Any) -> Any:
    """A build that maps the first raw array and keeps the others."""
    return lambda raw, kwargs: [fn(raw[0]), *raw[1:]]


_SQUARE = Matrices(variants(("...nn",)), bound=1.5)
SQUARE_DOMINANT = Matrices(variants(("...nn",)), build=map_first(dominant))
# XLA fails to compile an SVD of an empty matrix ("Slice dim size 1 greater than dynamic
# slice dimension: 0"), eager TensorFlow returns empty results: XLA samples are not empty.
_RECT_DOMINANT = Matrices(variants(("...nm",)), build=map_first(dominant), xla_empty=False)
_POSITIVE_DEFINITE = Matrices(variants(("...nn",)), build=map_first(positive_definite))

# --- determinants -------------------------------------------------------------------------


def _det(a: Any) -> Any:
    return _tf().linalg.det(a)


def _slogdet(a: Any) -> Any:
    """(sign, log|det|) stacked on a last axis of 2."""
    sign, log_abs = _tf().linalg.slogdet(a)
    return _tf().stack([sign, log_abs], -1)


def _np_slogdet(a: np.ndarray) -> np.ndarray:
    sign, log_abs = np.linalg.slogdet(a)
    return np.stack([sign, log_abs.astype(sign.dtype)], -1)


def _logdet(a: Any) -> Any:
    return _tf().linalg.logdet(tf_hermitian(a))


def _np_logdet(a: np.ndarray) -> np.ndarray:
    return np.linalg.slogdet(hermitian(a))[1]


# --- inverses and solves ------------------------------------------------------------------


def _inv(a: Any, **kw: Any) -> Any:
    return _tf().linalg.inv(a, **kw)


def _np_inv(a: np.ndarray, adjoint: bool = False) -> np.ndarray:
    return np.linalg.inv(_adjoint_if(a, adjoint))


def _adjoint_if(a: np.ndarray, flag: bool) -> np.ndarray:
    return adjoint(a) if flag else a


_INV = Matrices(variants(("...nn",), {}, {"adjoint": True}), build=map_first(dominant))


def _pinv(a: Any) -> Any:
    return _tf().linalg.pinv(a)


def _np_pinv(a: np.ndarray, dtype: str) -> np.ndarray:
    """The documented cutoff: singular values at most 10 max(rows, cols) eps(dtype) times
    the largest are dropped (NumPy's default cutoff is 1e-15)."""
    rows, cols = a.shape[-2:]
    if 0 in a.shape:
        return np.zeros(swap(a).shape, dtype=a.dtype)
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    rcond = 10.0 * max(rows, cols) * float(np.finfo(real_dtype(dtype)).eps)
    cutoff = rcond * np.max(s, axis=-1, keepdims=True)
    inverse = np.where(s > cutoff, 1.0 / np.where(s > cutoff, s, 1.0), 0.0)
    return (adjoint(vh) * inverse[..., None, :]) @ adjoint(u)


def real_dtype(dtype: str) -> np.dtype:
    return np.dtype({"complex64": "float32", "complex128": "float64"}.get(dtype, dtype))


def _solve(a: Any, b: Any, **kw: Any) -> Any:
    return _tf().linalg.solve(a, b, **kw)


def _np_solve(a: np.ndarray, b: np.ndarray, adjoint: bool = False) -> np.ndarray:
    return np.linalg.solve(_adjoint_if(a, adjoint), b)


_SOLVE = Matrices(variants(("...nn", "...nk"), {}, {"adjoint": True}), build=map_first(dominant))


def _triangular_solve(a: Any, b: Any, **kw: Any) -> Any:
    return _tf().linalg.triangular_solve(a, b, **kw)


def _np_triangular_solve(a, b, lower=True, adjoint=False):
    """Only the lower (upper) triangle of the matrix is read."""
    triangle = np.tril(a) if lower else np.triu(a)
    return np.linalg.solve(_adjoint_if(triangle, adjoint), b)


# lower and upper triangles, with and without the adjoint
_TRIANGULAR_BANDS = tuple(
    {"lower": lower, "adjoint": adj} for lower in (True, False) for adj in (False, True)
)
_TRIANGULAR_SOLVE = Matrices(
    (
        *variants(("...nn", "...nk"), *_TRIANGULAR_BANDS),
        Variant(("nn", "...nk")),  # a matrix broadcast against a batch of right-hand sides
    ),
    build=map_first(dominant),
)


def _cholesky(a: Any) -> Any:
    return _tf().linalg.cholesky(tf_hermitian(a))


def _np_cholesky(a: np.ndarray) -> np.ndarray:
    return np.linalg.cholesky(hermitian(a))


def _cholesky_solve(chol: Any, rhs: Any) -> Any:
    return _tf().linalg.cholesky_solve(chol, rhs)


def _np_cholesky_solve(chol: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    lower = np.tril(chol)
    return np.linalg.solve(lower @ adjoint(lower), rhs)


_CHOLESKY_SOLVE = Matrices(
    variants(("...nn", "...nk")),
    build=map_first(lambda a: np.linalg.cholesky(positive_definite(a))),
)


def _lstsq(a: Any, b: Any, **kw: Any) -> Any:
    return _tf().linalg.lstsq(a, b, **kw)


def _np_lstsq(a, b, l2_regularizer=0.0, fast=True):
    """The minimum-norm least-squares solution; with a regularizer l, the solution of
    (A^H A + l I) X = A^H B."""
    if l2_regularizer:
        ah = adjoint(a)
        return np.linalg.solve(ah @ a + l2_regularizer * np.eye(a.shape[-1]), ah @ b)
    return np.linalg.pinv(a) @ b


_LSTSQ = Matrices(
    (
        Variant(("...nm", "...nk")),
        # fast=False (a complete orthogonal decomposition) has no gradient and no XLA
        # kernel; with no rows TensorFlow returns uninitialized memory, not zeros
        Variant(("...nm", "...nk"), (("fast", False),), grad=False, xla=False, sides=(1, 4)),
        # TensorFlow raises NotImplementedError for complex128 with a regularizer ("disabled
        # for complex128 and l2_regularizer != 0 due to poor accuracy")
        Variant(("...nm", "...nk"), (("l2_regularizer", 0.5),), dtypes=(*FLOATS, "complex64")),
    ),
    build=map_first(dominant),
)

# --- matrix functions -----------------------------------------------------------------------


def _expm(a: Any) -> Any:
    return _tf().linalg.expm(a)


def _scipy(name: str) -> Any:
    def one(m: np.ndarray) -> np.ndarray:
        import scipy.linalg

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = getattr(scipy.linalg, name)(m)
        return value.real if m.dtype.kind != "c" else value

    one.__name__ = f"scipy.linalg.{name}"
    return per_matrix(one)


def _logm(a: Any) -> Any:
    return _tf().linalg.logm(a)


def _sqrtm(a: Any) -> Any:
    return _tf().linalg.sqrtm(a)


# Eigenvalues with real parts >= 1: the principal logarithm and square root are defined
# (and real for real inputs). SciPy computes one matrix at a time (logm about 10 ms each):
# long reference batches repeat a few distinct matrices.
# Gradient samples are not empty: forward mode (tf.autodiff.ForwardAccumulator) through
# tf.linalg.sqrtm of an empty float32 matrix kills the process (SIGFPE; float64 is fine).
_SQRTM = Matrices(
    variants(("...nn",)), build=map_first(positive_dominant), pool=256, grad_empty=False
)
_LOGM = Matrices(variants(("...nn",)), build=map_first(positive_dominant), pool=32)
_EXPM = Matrices(variants(("...nn",)), bound=1.5, pool=256, grad_empty=False)


# --- banded and tridiagonal solves ----------------------------------------------------------


def _tridiagonal_solve(diagonals: Any, rhs: Any, **kw: Any) -> Any:
    return _tf().linalg.tridiagonal_solve(diagonals, rhs, **kw)


def _np_tridiagonal_solve(
    diagonals, rhs, diagonals_format="compact", transpose_rhs=False, conjugate_rhs=False,
    partial_pivoting=True,
):  # fmt: skip
    dense = tridiagonal_dense(diagonals, diagonals_format)
    if transpose_rhs:
        rhs = swap(rhs)
    if conjugate_rhs:
        rhs = np.conj(rhs)
    if rhs.ndim == dense.ndim - 1:
        return np.linalg.solve(dense, rhs[..., None])[..., 0]
    return np.linalg.solve(dense, rhs)


def _tridiagonal_build(raw: list[np.ndarray], kwargs: dict[str, Any]) -> list[np.ndarray]:
    diagonals, rhs = raw
    if kwargs.get("diagonals_format") == "matrix":
        return [dominant(diagonals), rhs]
    diagonals = np.array(diagonals, copy=True)
    main = diagonals[..., 1, :]
    diagonals[..., 1, :] = main + phase(main) * (
        np.abs(diagonals[..., 0, :]) + np.abs(diagonals[..., 2, :]) + 1.0
    )
    return [diagonals, rhs]


# XLA documents UnimplementedError for partial pivoting: its samples solve without it.
_NO_PIVOTING = (("partial_pivoting", False),)
_TRIDIAGONAL_SOLVE = Matrices(
    (
        Variant(("...3n", "...nk"), xla=False),  # partial pivoting, the default
        Variant(("...3n", "...nk"), _NO_PIVOTING),
        Variant(("...3n", "...n"), _NO_PIVOTING),
        Variant(("...3n", "...kn"), (("transpose_rhs", True), *_NO_PIVOTING)),
        Variant(("...3n", "...nk"), (("conjugate_rhs", True), *_NO_PIVOTING)),
        # the full-matrix format needs 2 rows or more (see tridiagonal_matmul)
        Variant(("...nn", "...nk"), (("diagonals_format", "matrix"), *_NO_PIVOTING), sides=(2, 4)),
    ),
    build=_tridiagonal_build,
    reference_variant=Variant(("...3n", "...nk"), _NO_PIVOTING),
    xla_empty=False,  # XLA fails to compile an empty system ("Slice dim size 1 greater ...")
    grad_empty=False,  # the gradient of an empty system raises ValueError (shapes [0], [1])
)


def _banded_triangular_solve(bands: Any, rhs: Any, **kw: Any) -> Any:
    return _tf().linalg.banded_triangular_solve(bands, rhs, **kw)


def _banded_dense(bands: np.ndarray, lower: bool = True) -> np.ndarray:
    """The triangular matrix of K bands ("LEFT_RIGHT" aligned): the diagonal and the K - 1
    subdiagonals below it (lower), or the K - 1 superdiagonals and the diagonal (upper)."""
    count, n = bands.shape[-2:]
    k = (-(count - 1), 0) if lower else (0, count - 1)
    diagonals = bands if count > 1 else bands[..., 0, :]
    return matrix_diag(diagonals, k=k, num_rows=n, num_cols=n, align="LEFT_RIGHT")


def _np_banded_triangular_solve(bands, rhs, lower=True, adjoint=False):
    return np.linalg.solve(_adjoint_if(_banded_dense(bands, lower), adjoint), rhs)


def _banded_build(raw: list[np.ndarray], kwargs: dict[str, Any]) -> list[np.ndarray]:
    """At most as many bands as rows (more run, but their gradient raises "Number of bands
    3 cannot exceed the size of the matrix 2"), a dominant diagonal."""
    bands, rhs = raw
    bands = bands[..., : max(1, min(bands.shape[-2], bands.shape[-1])), :]
    lower = kwargs.get("lower", True)
    count = bands.shape[-2]
    k = (-(count - 1), 0) if lower else (0, count - 1)
    packed = diag_part(dominant(_banded_dense(bands, lower)), k, 0, "LEFT_RIGHT")
    return [packed if count > 1 else packed[..., None, :], rhs]


# Not empty: TensorFlow rejects an empty band or right-hand side ("must not be an empty
# tensor") where the other solvers return an empty result. Forward-mode gradients raise
# ValueError for one band or a batch of bands (a point checked every run): gradient samples
# are single matrices of 2 bands or more.
_BANDED = Matrices(
    (
        *variants(("...pn", "...nk"), *_TRIANGULAR_BANDS, grad=False),
        *variants(("pn", "nk"), *_TRIANGULAR_BANDS, sides=(2, 4)),
    ),
    build=_banded_build,
    empty=False,
)
# One band (a diagonal system) of 3, one right-hand side.
_ONE_BAND = (((3.0, 2.0, 4.0),), ((1.0,), (-1.0,), (0.5,)))


def _eigh_tridiagonal(alpha: Any, beta: Any, **kw: Any) -> Any:
    return _tf().linalg.eigh_tridiagonal(alpha, beta, eigvals_only=True, **kw)


def _np_eigh_tridiagonal(alpha, beta, select="a", select_range=None):
    """Eigenvalues of the Hermitian tridiagonal matrix (the imaginary part of a complex
    diagonal is ignored, as documented); select "i" keeps an index range."""
    dense = np.diag(alpha.real).astype(np.result_type(alpha, beta))
    dense += np.diag(beta, 1) + np.diag(np.conj(beta), -1)
    values = np.linalg.eigvalsh(dense)
    if select == "i":
        return values[select_range[0] : select_range[1] + 1]
    return values


def _unreduced(raw: list[np.ndarray], kwargs: dict[str, Any]) -> list[np.ndarray]:
    """The diagonal, and off-diagonal entries of magnitude 0.5 or more: TensorFlow's
    bisection loses eigenvalues of a matrix that splits into blocks (a zero off-diagonal
    entry; eigh_tridiagonal([0, 0, 0], [0, 1]) is [0, 0, 1], not [-1, 0, 1], in every dtype
    and mode), a point checked every run and a known deviation."""
    alpha, beta = raw
    return [alpha, np.where(np.abs(beta) < 0.5, beta + 0.5 * phase(beta), beta)[..., :-1]]


# A tridiagonal matrix that splits into the blocks [0] and [[0, 1], [1, 0]].
_SPLIT_TRIDIAGONAL = ((0.0, 0.0, 0.0), (0.0, 1.0))
_TRIDIAGONAL_SPECTRUM = Matrices(
    variants(("n", "n"), {}, {"select": "i", "select_range": (0, 0)}),
    build=_unreduced,
    sides=(1, 4),
    reference_variant=Variant(("L", "L")),
    cap=128,  # bisection for all eigenvalues costs length^2 per step
)

# -------------------------------------------------------------------------------------------

RECORDS: tuple[OpRecord, ...] = (
    # -- determinants ----------------------------------------------------------------------
    _record("det", _det, np.linalg.det, _SQUARE, LAPACK, xla=(), points=SINGULAR_POINTS,
            grad=solver_grad(smooth=(DOMINANT,)), tolerance=SOLVER_TOLERANCE,
            reference="of numpy.linalg.det (singular matrices too)"),
    _record("slogdet", _slogdet, _np_slogdet, SQUARE_DOMINANT, LAPACK, xla=(),
            points=SINGULAR_POINTS, grad=solver_grad(), tolerance=SOLVER_TOLERANCE,
            reference="(sign and log|det| stacked) of numpy.linalg.slogdet"),
    _record("logdet", _logdet, _np_logdet, _POSITIVE_DEFINITE, LAPACK, xla=HALF_LAPACK,
            grad=solver_grad(), tolerance=SOLVER_TOLERANCE, result=REAL_RESULT,
            reference="of Hermitian positive definite matrices (numpy.linalg.slogdet)",
            static_shapes=True),
    # -- inverses and solves -----------------------------------------------------------------
    _record("inv", _inv, _np_inv, _INV, HALF_LAPACK, xla=HALF_REAL, grad=solver_grad(),
            tolerance=SOLVER_TOLERANCE, reference="of numpy.linalg.inv (adjoint too)"),
    _record("pinv", _pinv, _np_pinv, _RECT_DOMINANT, F32_64,
            points=(*SINGULAR_POINTS, ([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],)),
            grad=solver_grad(smooth=(DISTINCT_SINGULAR,)), tolerance=SOLVER_TOLERANCE,
            oracle_wants_dtype=True,
            reference="(the SVD pseudo-inverse with the documented cutoff 10 max(rows, cols) "
            "eps)", static_shapes=True),
    _record("solve", _solve, _np_solve, _SOLVE, LAPACK, xla=HALF_REAL, grad=solver_grad(0, 1),
            tolerance=SOLVER_TOLERANCE, reference="of numpy.linalg.solve (adjoint too)"),
    _record("triangular_solve", _triangular_solve, _np_triangular_solve, _TRIANGULAR_SOLVE,
            LAPACK, xla=(*FLOATS, *COMPLEX), grad=solver_grad(0, 1), tolerance=SOLVER_TOLERANCE,
            reference="(a solve with the lower or upper triangle only; adjoint; broadcast)"),
    _record("cholesky", _cholesky, _np_cholesky, _POSITIVE_DEFINITE, LAPACK, xla=HALF_LAPACK,
            grad=solver_grad(), tolerance=SOLVER_TOLERANCE,
            reference="of numpy.linalg.cholesky of hermitian(a) = (a + a^H) / 2",
            static_shapes=True),
    _record("cholesky_solve", _cholesky_solve, _np_cholesky_solve, _CHOLESKY_SOLVE, LAPACK,
            xla=(*FLOATS, *COMPLEX), grad=solver_grad(0, 1), tolerance=SOLVER_TOLERANCE,
            reference="(a solve with L L^H for a lower-triangular L)"),
    _record("lstsq", _lstsq, _np_lstsq, _LSTSQ, LAPACK, xla=HALF_LAPACK, grad=solver_grad(0, 1),
            tolerance=SOLVER_TOLERANCE,
            reference="(minimum-norm least squares, or with an L2 regularizer)",
            static_shapes=True),
    # -- matrix functions ---------------------------------------------------------------------
    _record("expm", _expm, _scipy("expm"), _EXPM, LAPACK, xla=F32_64, grad=solver_grad(),
            tolerance=SOLVER_TOLERANCE, reference="of scipy.linalg.expm", static_shapes=True),
    _record("logm", _logm, _scipy("logm"), _LOGM, COMPLEX, xla=(),
            tolerance=SOLVER_TOLERANCE, reference="of scipy.linalg.logm"),
    _record("sqrtm", _sqrtm, _scipy("sqrtm"), _SQRTM, LAPACK, xla=(), grad=solver_grad(),
            tolerance=SOLVER_TOLERANCE, reference="of scipy.linalg.sqrtm"),
    # -- banded and tridiagonal ----------------------------------------------------------------
    _record("tridiagonal_solve", _tridiagonal_solve, _np_tridiagonal_solve, _TRIDIAGONAL_SOLVE,
            LAPACK, xla=F32_64, grad=solver_grad(0, 1), tolerance=SOLVER_TOLERANCE,
            reference="(numpy.linalg.solve with the dense tridiagonal matrix)", static_shapes=True),
    _record("banded_triangular_solve", _banded_triangular_solve, _np_banded_triangular_solve,
            _BANDED, LAPACK, xla=(), grad=solver_grad(0, 1, points=(_ONE_BAND,)),
            tolerance=SOLVER_TOLERANCE,
            reference="(numpy.linalg.solve with the dense banded triangular matrix)",
            static_shapes=True),
    _record("eigh_tridiagonal", _eigh_tridiagonal, _np_eigh_tridiagonal,
            _TRIDIAGONAL_SPECTRUM, HALF_LAPACK, result=REAL_RESULT, tolerance=SOLVER_TOLERANCE,
            points=(_SPLIT_TRIDIAGONAL,),
            reference="(numpy.linalg.eigvalsh of the dense Hermitian tridiagonal matrix)",
            static_shapes=True),
)  # fmt: skip
