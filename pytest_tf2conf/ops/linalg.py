"""tf.linalg: products, structure and norms here; determinants, solvers and matrix
functions in ``linalg_solvers.py``, factorizations in ``linalg_factorizations.py`` (their
records are part of this namespace's RECORDS).

Oracles are NumPy (SciPy for matrix functions) in float64/complex128 on the rounded inputs.
Where a function returns several tensors, or a result that is unique only up to signs or
order, the record calls a small wrapper that returns one tensor in a unique form (sorted
eigenvalues, a factorization's reconstruction, a QR with a non-negative diagonal); the
wrapper is named in the record's claim. Samples are batches of small matrices
(``matrices.py``); their reference samples are ``length`` matrices in a batch.

Integer and bool dtypes are declared where the kernels have them (probed on TF 2.21 CPU and
XLA): matrix products take int32/int64, structure functions (transposes, diagonals, bands)
every dtype.

Records marked ``static_shapes`` are traced per concrete shape in graph modes: with every
dimension None, ``diag`` and ``set_diag`` of a band of diagonals fail in shape inference
("The number of rows of `diagonal` doesn't match the number of diagonals", "Shapes must be
equal rank, but are 2 and 3"), and so do the gradients of ``diag_part`` and
``tridiagonal_matmul``, which use them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from ..oracles import AWAY_FROM_ZERO
from .linalg_factorizations import RECORDS as FACTORIZATION_RECORDS
from .linalg_solvers import RECORDS as SOLVER_RECORDS
from .matrices import (
    PRODUCT_TOLERANCE,
    Matrices,
    Variant,
    adjoint,
    band_mask,
    cast,
    diag_part,
    grad_args,
    linalg_record,
    matrix_diag,
    set_diag,
    swap,
    tf_module,
    tridiagonal_dense,
    variants,
)
from .record import COMPLEX, FLOATS, INTS, NUMERIC, Grad, OpRecord, Sample

_tf = tf_module

ALL = (*NUMERIC, "bool")
PRODUCTS = (*FLOATS, *COMPLEX, "int32", "int64")
NO_BFLOAT16 = ("float16", "float32", "float64", *COMPLEX, "int32", "int64")
_record = linalg_record
_args = grad_args

# --- products ---------------------------------------------------------------------------


def _matmul(a: Any, b: Any, **kw: Any) -> Any:
    return _tf().linalg.matmul(a, b, **kw)


def _operand(x: np.ndarray, transpose: bool = False, adjoint_: bool = False) -> np.ndarray:
    if transpose:
        x = swap(x)
    if adjoint_:
        x = adjoint(x)
    return x


def _np_matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False):
    return np.matmul(_operand(a, transpose_a, adjoint_a), _operand(b, transpose_b, adjoint_b))


_MATMUL = Matrices(
    (
        *variants(("...nk", "...km")),
        *variants(("...kn", "...km"), {"transpose_a": True}, {"adjoint_a": True}),
        *variants(("...nk", "...mk"), {"transpose_b": True}, {"adjoint_b": True}),
        *variants(("...kn", "...mk"), {"transpose_a": True, "adjoint_b": True}),
        Variant(("...nk", "km")),  # batch broadcasting
        Variant(("nk", "...km")),
    ),
    reference_variant=Variant(("Lk", "km")),
)


def _matvec(a: Any, b: Any, **kw: Any) -> Any:
    return _tf().linalg.matvec(a, b, **kw)


def _np_matvec(a, b, transpose_a=False, adjoint_a=False):
    return np.matmul(_operand(a, transpose_a, adjoint_a), b[..., None])[..., 0]


_MATVEC = Matrices(
    (
        *variants(("...nk", "...k")),
        *variants(("...kn", "...k"), {"transpose_a": True}, {"adjoint_a": True}),
        Variant(("nk", "...k")),
    ),
    reference_variant=Variant(("Lk", "k")),
)


def _einsum(*operands: Any, equation: str) -> Any:
    return _tf().linalg.einsum(equation, *operands)


def _np_einsum(*operands: np.ndarray, equation: str) -> np.ndarray:
    return np.einsum(equation, *operands)


def _equation(equation: str, *layouts: str, grad: bool = True) -> Variant:
    return Variant(layouts, (("equation", equation),), grad=grad)


_EINSUM = Matrices(
    (
        _equation("ij,jk->ik", "nk", "km"),
        _equation("bij,bjk->bik", "pnk", "pkm"),
        _equation("...ij,...jk->...ik", "...nk", "...km"),
        _equation("bij,jk->bki", "pnm", "mk"),
        _equation("i,i->", "n", "n"),
        _equation("i,j->ij", "n", "m"),
        _equation("ij,j->i", "nk", "k"),
        _equation("ij,ij->ij", "nm", "nm"),
        _equation("ijk,ik->j", "nmk", "nk"),
        # one operand: a transpose, a diagonal, a trace, a sum (no gradient check: the
        # gradient property differentiates with respect to two operands)
        _equation("ij->ji", "nm", grad=False),
        _equation("ii->i", "nn", grad=False),
        _equation("ii->", "nn", grad=False),
        _equation("ij->", "nm", grad=False),
    ),
    reference_variant=_equation("ij,jk->ik", "Lk", "km"),
)


def _tensordot(a: Any, b: Any, *, axes: Any) -> Any:
    return _tf().linalg.tensordot(a, b, axes=axes)


def _np_tensordot(a: np.ndarray, b: np.ndarray, *, axes: Any) -> np.ndarray:
    return np.tensordot(a, b, axes=axes)


def _axes(axes: Any, *layouts: str) -> Variant:
    return Variant(layouts, (("axes", axes),))


_TENSORDOT = Matrices(
    (
        _axes(1, "nk", "km"),
        _axes(0, "nk", "m"),
        _axes(2, "nkm", "kmp"),
        _axes(((0,), (1,)), "kn", "mk"),
        _axes(((1,), (1,)), "nk", "mk"),
        _axes(((0, 2), (1, 0)), "knm", "mkp"),
    ),
    reference_variant=_axes(1, "Lk", "km"),
)


def _cross(a: Any, b: Any) -> Any:
    return _tf().linalg.cross(a, b)


# Integers stay within +-7: products of two and their difference fit int8 (they wrap in
# the unsigned types, as NumPy's do). The operands have the same shape (documented: no
# broadcasting).
_CROSS = Matrices(variants(("...3", "...3")), int_bound=7)


# --- structure: transposes, traces, diagonals, bands -------------------------------------


def _adjoint(x: Any) -> Any:
    return _tf().linalg.adjoint(x)


def _matrix_transpose(x: Any, **kw: Any) -> Any:
    return _tf().linalg.matrix_transpose(x, **kw)


def _np_matrix_transpose(x: np.ndarray, conjugate: bool = False) -> np.ndarray:
    return adjoint(x) if conjugate else swap(x)


def _trace(x: Any) -> Any:
    return _tf().linalg.trace(x)


def _np_trace(x: np.ndarray) -> np.ndarray:
    return np.trace(x, axis1=-2, axis2=-1)


_MATRICES = Matrices(variants(("...nm",)))
_TRANSPOSES = Matrices(variants(("...nm",), {}, {"conjugate": True}))


def _band_part(x: Any, *, num_lower: int, num_upper: int) -> Any:
    return _tf().linalg.band_part(x, num_lower, num_upper)


def _np_band_part(x: np.ndarray, *, num_lower: int, num_upper: int) -> np.ndarray:
    keep = band_mask(x.shape[-2], x.shape[-1], num_lower, num_upper)
    return np.where(keep, x, np.zeros((), dtype=x.dtype))


# TensorFlow rejects a band wider than the matrix ("num_lower must be negative or less or
# equal to number of rows"): bands of 1 and 2 come with 2 rows and columns or more.
_BAND_PART = Matrices(
    (
        *variants(
            ("...nm",),
            *(
                {"num_lower": lo, "num_upper": up}
                for lo, up in ((0, -1), (-1, 0), (0, 0), (-1, -1))
            ),
        ),
        *variants(
            ("...nm",),
            *({"num_lower": lo, "num_upper": up} for lo, up in ((1, 1), (2, 0), (0, 1))),
            sides=(2, 4),
        ),
    )
)

_ALIGNS = ("RIGHT_LEFT", "LEFT_RIGHT", "LEFT_LEFT", "RIGHT_RIGHT")


def _diag(diagonal: Any, **kw: Any) -> Any:
    return _tf().linalg.diag(diagonal, **kw)


# A padding value every dtype can hold (bool True, 1 in the integers).
_DIAG = Matrices(
    (
        *variants(("...n",), {}, {"k": 1}, {"k": -2}, {"num_cols": 5}),
        *variants(("...n",), {"k": 1, "num_rows": 5}, {"k": -1, "padding_value": 1}),
        # bands of diagonals of length 2 or more: the gradient of a band of length-1
        # diagonals raises ("lower_diag_index is out of bound: -1. It must be between -1
        # and 1", diag_part of the 1 x 1 cotangent)
        *variants(("...3n",), *({"k": (-1, 1), "align": a} for a in _ALIGNS), sides=(2, 4)),
        *variants(("...2n",), {"k": (1, 2)}, {"k": (-1, 0), "padding_value": 1}, sides=(2, 4)),
    ),
    # The gradient of an empty diagonal off the main one raises ("lower_diag_index is out of
    # bound": diag_part of the 1 x 1 cotangent with k = 1): gradient samples are not empty.
    grad_empty=False,
)


def _diag_part(x: Any, **kw: Any) -> Any:
    return _tf().linalg.diag_part(x, **kw)


# Bands of +-1 need two rows and columns (TensorFlow rejects a diagonal outside the matrix).
_DIAG_PART = Matrices(
    (
        *variants(("...nm",), {}, {"k": 1}, {"k": -1}),
        *variants(("...nm",), *({"k": (-1, 1), "align": a} for a in _ALIGNS)),
        *variants(("...nm",), {"k": (0, 1), "padding_value": 1}),
    ),
    sides=(2, 4),
)


def _set_diag(x: Any, diagonal: Any, **kw: Any) -> Any:
    return _tf().linalg.set_diag(x, diagonal, **kw)


def _set_diag_build(raw: list[np.ndarray], kwargs: dict[str, Any]) -> list[np.ndarray]:
    """The input, and diagonals of the right packed shape taken from a second matrix."""
    x, source = raw
    return [x, diag_part(source, kwargs.get("k", 0), 0, kwargs.get("align", "RIGHT_LEFT"))]


_SET_DIAG = Matrices(
    (
        *variants(("...nm", "...nm"), {}, {"k": 1}, {"k": -1}, {"k": (0, 1)}),
        *variants(("...nm", "...nm"), *({"k": (-1, 1), "align": a} for a in _ALIGNS)),
    ),
    build=_set_diag_build,
    sides=(2, 4),
)


def _tensor_diag(diagonal: Any) -> Any:
    return _tf().linalg.tensor_diag(diagonal)


def _np_tensor_diag(diagonal: np.ndarray) -> np.ndarray:
    out = np.zeros(diagonal.shape * 2, dtype=diagonal.dtype)
    for index in np.ndindex(*diagonal.shape):
        out[index + index] = diagonal[index]
    return out


def _tensor_diag_part(x: Any) -> Any:
    return _tf().linalg.tensor_diag_part(x)


def _np_tensor_diag_part(x: np.ndarray) -> np.ndarray:
    shape = x.shape[: x.ndim // 2]
    out = np.zeros(shape, dtype=x.dtype)
    for index in np.ndindex(*shape):
        out[index] = x[index + index]
    return out


# The result has length^2 elements (tensor_diag) or the input has (tensor_diag_part): the
# reference length is capped. The sign of a zero is not compared: XLA's tensor_diag_part
# gives +0.0 for a -0.0 on the diagonal (it sums the masked tensor).
_TENSOR_DIAG = Matrices(
    variants(("n",)) + variants(("nm",)) + variants(("nmk",)),
    sides=(1, 4),
    reference_variant=Variant(("L",)),
    cap=256,
)
_TENSOR_DIAG_PART = Matrices(
    variants(("nn",)) + variants(("nmnm",)) + variants(("nmknmk",)),
    sides=(1, 4),
    reference_variant=Variant(("LL",)),
    cap=256,
)


# --- eye: a function of Python constants; a 0-d argument carries the dtype ---------------


def _eye(like: Any, *, num_rows: int, **kw: Any) -> Any:
    return _tf().linalg.eye(num_rows, dtype=like.dtype, **kw)


def _np_eye(like: np.ndarray, *, num_rows: int, num_columns=None, batch_shape=None):
    columns = num_rows if num_columns is None else num_columns
    eye = np.eye(num_rows, columns, dtype=np.result_type(like, np.float64))
    return np.broadcast_to(eye, (*(batch_shape or ()), num_rows, columns))


class _EyeSampler:
    """``tf.linalg.eye`` takes sizes, not tensors: each sample is a set of sizes and a 0-d
    tensor of the sample's dtype (the wrapper passes its dtype as ``dtype=``)."""

    SIZES = (
        {"num_rows": 3},
        {"num_rows": 0},
        {"num_rows": 2, "num_columns": 4},
        {"num_rows": 4, "num_columns": 1},
        {"num_rows": 3, "batch_shape": (2,)},
        {"num_rows": 1, "num_columns": 0, "batch_shape": (2, 3)},
        {"num_rows": 2, "num_columns": 3, "batch_shape": (0,)},
    )

    def strategy(self, dtype: str, small: bool = False, bucketed: bool = False):
        return st.sampled_from(self.SIZES).map(lambda kw: self._sample(dtype, kw))

    def reference(self, dtype: str, length: int, rng: np.random.Generator) -> Sample:
        rows = min(length, 300)  # rows^2 elements
        return self._sample(dtype, {"num_rows": rows, "num_columns": rows + 1, "batch_shape": (2,)})

    @staticmethod
    def _sample(dtype: str, kwargs: dict[str, Any]) -> Sample:
        return Sample((cast(np.zeros(()), dtype),), tuple(kwargs.items()))


# --- norms ------------------------------------------------------------------------------


def _norm(x: Any, **kw: Any) -> Any:
    return _tf().linalg.norm(x, **kw)


def _vector_norm(x: np.ndarray, ord: Any, axis: Any, keepdims: bool) -> np.ndarray:
    magnitude = np.abs(x)
    if ord in ("euclidean", "fro", 2):
        return np.sqrt(np.sum(magnitude**2, axis=axis, keepdims=keepdims))
    if ord == np.inf:
        return np.max(magnitude, axis=axis, keepdims=keepdims)
    return np.sum(magnitude**ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)


def _np_norm(x: np.ndarray, ord: Any = "euclidean", axis: Any = None, keepdims: bool = False):
    """The documented norms, of the input's type: axis None is the norm of the flattened
    tensor as a vector; an int axis gives vector norms; two axes give matrix norms ('fro'
    and 'euclidean' are the Frobenius norm, 1 the largest column sum, inf the largest row
    sum of magnitudes)."""
    value = _real_norm(x, ord, axis, keepdims)
    return value.astype(np.complex128) if x.dtype.kind == "c" else value


def _real_norm(x: np.ndarray, ord: Any, axis: Any, keepdims: bool) -> np.ndarray:
    if axis is None:
        flat = _vector_norm(x.reshape(-1), ord, 0, False)
        return flat.reshape((1,) * x.ndim) if keepdims else flat
    if isinstance(axis, int):
        return _vector_norm(x, ord, axis, keepdims)
    if ord in ("euclidean", "fro"):
        return _vector_norm(x, "fro", tuple(axis), keepdims)
    rows, cols = (a % x.ndim for a in axis)
    sums = np.sum(np.abs(x), axis=cols if ord == np.inf else rows, keepdims=True)
    largest = np.max(sums, axis=rows if ord == np.inf else cols, keepdims=True)
    return largest if keepdims else np.squeeze(largest, axis=(rows, cols))


def _orders(layouts: tuple[str, ...], axis: Any, *orders: Any, norm: bool = True, **extra: Any):
    """Variants for norm orders. The max-norm ones (kinks at every tie) have no gradient
    check, nor have the matrix 1- and inf-norms. For ``tf.linalg.norm`` the Euclidean and
    Frobenius norms are drawn for real dtypes only: TensorFlow documents the result as "of
    the same type as tensor", which it is for those norms of a complex tensor (a complex
    number with a zero imaginary part) but not for the others (a real tensor, a known
    deviation); complex samples draw those others, and the Euclidean norm of complex
    tensors is checked by the reference samples."""
    matrix = isinstance(axis, tuple)
    return tuple(
        Variant(
            layouts,
            (("ord", o), ("axis", axis), *extra.items()),
            grad=o != np.inf and not (matrix and o == 1),
            dtypes=FLOATS
            if norm and (o in ("euclidean", "fro") or (o == 2 and not matrix))
            else None,
        )
        for o in orders
    )


# Inputs are not empty: TensorFlow gives -inf for the max-norm of an empty vector (the
# reduce_max of nothing) where a norm is 0 and NumPy raises; no documented value to check.
_NORM = Matrices(
    (
        *_orders(("...n",), -1, "euclidean", 1, 2, np.inf, 3, 0.5),
        *_orders(("...n",), -1, "euclidean", 1, keepdims=True),
        *_orders(("nm",), None, "euclidean", 1, np.inf),
        *_orders(("nm",), None, "euclidean", keepdims=True),
        *_orders(("nm",), 0, "euclidean", 1),
        *_orders(("...nm",), (-2, -1), "fro", "euclidean", 1, np.inf),
        *_orders(("...nm",), (-1, -2), "fro", 1, np.inf, keepdims=True),
    ),
    empty=False,
)


def _normalize(x: Any, **kw: Any) -> Any:
    """tf.linalg.normalize's two results, each flattened: the normalized tensor, the norm."""
    tf = _tf()
    normalized, norm = tf.linalg.normalize(x, **kw)
    return tf.concat([tf.reshape(normalized, [tf.size(normalized)]), tf.reshape(norm, [-1])], 0)


def _np_normalize(x: np.ndarray, ord: Any = "euclidean", axis: Any = None) -> np.ndarray:
    norm = _np_norm(x, ord, axis, keepdims=True)  # of the input's type, as documented
    return np.concatenate([(x / norm).reshape(-1), norm.reshape(-1)])


def _no_tiny(raw: list[np.ndarray], kwargs: dict[str, Any]) -> list[np.ndarray]:
    """Entries below 0.01 in magnitude become zeros: a vector of tiny entries has a norm
    that underflows in a naive sum of squares (0, so x / norm is inf) and not in a scaled
    one (XLA: 1), both within tolerance of the norm but not of the normalized vector."""
    return [np.where(np.abs(r) < 0.01, 0.0 * r, r) for r in raw]


_NORMALIZE = Matrices(
    (
        *_orders(("...n",), -1, "euclidean", 1, 2, np.inf, 3, norm=False),
        *_orders(("nm",), None, "euclidean", 1, norm=False),
        *_orders(("...nm",), (-2, -1), "fro", 1, norm=False),
    ),
    build=_no_tiny,
    empty=False,
)


def _global_norm(*tensors: Any) -> Any:
    return _tf().linalg.global_norm(list(tensors))


def _np_global_norm(*tensors: np.ndarray) -> np.ndarray:
    return np.sqrt(sum(np.sum(np.abs(t) ** 2) for t in tensors))


# Gradient samples are not empty: the norm of nothing is 0, where sqrt has no derivative.
_GLOBAL_NORM = Matrices(
    (
        Variant(("...n", "...nm")),
        Variant(("n", "m")),
        Variant(("nm", "k", "p")),
        Variant(("...", "...")),
    ),
    grad_empty=False,
)


# --- tridiagonal products -----------------------------------------------------------------


def _tridiagonal_matmul(diagonals: Any, rhs: Any, **kw: Any) -> Any:
    return _tf().linalg.tridiagonal_matmul(diagonals, rhs, **kw)


def _np_tridiagonal_matmul(diagonals, rhs, diagonals_format="compact"):
    return tridiagonal_dense(diagonals, diagonals_format) @ rhs


# The full-matrix format needs 2 rows or more (TensorFlow takes its band -1..1 with
# diag_part, which rejects a 1 x 1 matrix). XLA fails to compile the product of an empty
# system ("limit index (-1) must be greater or equal to start index"): its samples are not
# empty.
_TRIDIAGONAL_MATMUL = Matrices(
    (
        Variant(("...3n", "...nk")),
        Variant(("...nn", "...nk"), (("diagonals_format", "matrix"),), sides=(2, 4)),
    ),
    xla_empty=False,
)


# -----------------------------------------------------------------------------------------

_RECORDS: tuple[OpRecord, ...] = (
    # -- products -------------------------------------------------------------------------
    _record("matmul", _matmul, _np_matmul, _MATMUL, PRODUCTS, grad=_args(0, 1),
            tolerance=PRODUCT_TOLERANCE, reference="of numpy.matmul (transposes, adjoints, "
            "broadcast batches)"),
    _record("matvec", _matvec, _np_matvec, _MATVEC, PRODUCTS, grad=_args(0, 1),
            tolerance=PRODUCT_TOLERANCE, reference="of numpy.matmul with a vector"),
    _record("einsum", _einsum, _np_einsum, _EINSUM, PRODUCTS,
            xla=(*PRODUCTS, "uint64"), grad=_args(0, 1), tolerance=PRODUCT_TOLERANCE,
            reference="of numpy.einsum for the same equation"),
    _record("tensordot", _tensordot, _np_tensordot, _TENSORDOT, PRODUCTS, grad=_args(0, 1),
            tolerance=PRODUCT_TOLERANCE, reference="of numpy.tensordot for the same axes"),
    _record("cross", _cross, np.cross, _CROSS, (*FLOATS, *INTS), grad=_args(0, 1),
            tolerance=PRODUCT_TOLERANCE, reference="of numpy.cross"),
    # -- structure -----------------------------------------------------------------------
    _record("trace", _trace, _np_trace, _MATRICES, NUMERIC, grad=_args(0),
            tolerance=PRODUCT_TOLERANCE, reference="of numpy.trace (rectangular too)"),
    _record("adjoint", _adjoint, adjoint, _MATRICES, ALL, grad=_args(0),
            signed_zeros=True, reference="(the conjugate transpose)"),
    _record("matrix_transpose", _matrix_transpose, _np_matrix_transpose, _TRANSPOSES, ALL,
            grad=_args(0), signed_zeros=True, reference="(conjugated when asked)"),
    _record("band_part", _band_part, _np_band_part, _BAND_PART, ALL, grad=_args(0),
            signed_zeros=True,
            reference="(zeros outside the band; negative bounds keep a whole triangle)"),
    _record("diag", _diag, matrix_diag, _DIAG, ALL, grad=_args(0), signed_zeros=True,
            reference="(diagonals of a band, their alignments, sizes and padding)",
            static_shapes=True),
    _record("diag_part", _diag_part, diag_part, _DIAG_PART, ALL, grad=_args(0),
            signed_zeros=True, reference="(diagonals of a band, aligned and padded)",
            static_shapes=True),
    _record("set_diag", _set_diag, set_diag, _SET_DIAG, ALL, grad=_args(0, 1),
            signed_zeros=True, reference="(the band's diagonals replaced, the rest unchanged)",
            static_shapes=True),
    _record("tensor_diag", _tensor_diag, _np_tensor_diag, _TENSOR_DIAG,
            NO_BFLOAT16, xla=(*FLOATS, *COMPLEX, "int32", "int64"), grad=_args(0),
            reference="(a rank-2k tensor with the input on its diagonal)"),
    _record("tensor_diag_part", _tensor_diag_part, _np_tensor_diag_part, _TENSOR_DIAG_PART,
            NO_BFLOAT16, xla=(*FLOATS, *COMPLEX, "int32", "int64"), grad=_args(0),
            reference="(the diagonal of a rank-2k tensor)"),
    _record("eye", _eye, _np_eye, _EyeSampler(), ALL, signed_zeros=True,
            reference="of numpy.eye (rectangular, batched; the dtype asked for)"),
    # -- norms ---------------------------------------------------------------------------
    _record("norm", _norm, _np_norm, _NORM, (*FLOATS, *COMPLEX),
            grad=Grad(smooth=(AWAY_FROM_ZERO,)), tolerance=PRODUCT_TOLERANCE,
            reference="(vector p-norms and the Frobenius, 1- and inf-matrix norms over the "
            "axes given; a complex input gives its norm as a complex number)"),
    _record("normalize", _normalize, _np_normalize, _NORMALIZE, (*FLOATS, *COMPLEX),
            grad=Grad(smooth=(AWAY_FROM_ZERO,)), tolerance=PRODUCT_TOLERANCE,
            reference="(the tensor divided by its norm, and the norm with kept dimensions)"),
    _record("global_norm", _global_norm, _np_global_norm, _GLOBAL_NORM, FLOATS,
            grad=Grad(args=(0, 1), smooth=(AWAY_FROM_ZERO, AWAY_FROM_ZERO)),
            tolerance=PRODUCT_TOLERANCE,
            reference="(the square root of the sum of all squared entries)"),
    # -- tridiagonal products ----------------------------------------------------------------
    _record("tridiagonal_matmul", _tridiagonal_matmul, _np_tridiagonal_matmul,
            _TRIDIAGONAL_MATMUL, (*FLOATS[2:], *COMPLEX), xla=FLOATS[2:], grad=_args(0, 1),
            tolerance=PRODUCT_TOLERANCE,
            reference="(the product of the dense tridiagonal matrix, compact or full)",
            static_shapes=True),
)  # fmt: skip

RECORDS: tuple[OpRecord, ...] = _RECORDS + SOLVER_RECORDS + FACTORIZATION_RECORDS
