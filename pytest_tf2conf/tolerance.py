"""Per-dtype tolerances and the one comparison every suite uses.

Floating results are compared with ``|actual - expected| <= atol + rtol * |expected|``
against an oracle computed independently (NumPy in float64). Integers and bools are
exact. NaN and infinity positions (and the sign of infinities) always match exactly;
the sign of zero matches exactly where the oracle is exactly zero, unless the caller says
the claim leaves it unspecified.

Tolerances are data: ``TOLERANCES`` per dtype, overridable per claim (and device type)
with ``override``. A failure raises ``ToleranceError``, whose fields the report records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import recording


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float


# A few dozen ulps of each format; atol covers results that cancel to near zero.
TOLERANCES: dict[str, Tolerance] = {
    "float16": Tolerance(rtol=4e-3, atol=1e-3),
    "bfloat16": Tolerance(rtol=3e-2, atol=1e-2),
    "float32": Tolerance(rtol=2e-5, atol=1e-6),
    "float64": Tolerance(rtol=1e-12, atol=1e-13),
    "complex64": Tolerance(rtol=2e-5, atol=1e-6),
    "complex128": Tolerance(rtol=1e-12, atol=1e-13),
}
EXACT = Tolerance(rtol=0.0, atol=0.0)

# (claim id, dtype name, device type or None) -> Tolerance
_OVERRIDES: dict[tuple[str, str, str | None], Tolerance] = {}


def override(
    claim_id: str, dtype: str, tolerance: Tolerance, device_type: str | None = None
) -> None:
    """Loosen or tighten the tolerance of one claim (optionally on one device type)."""
    _OVERRIDES[(claim_id, dtype, device_type)] = tolerance


def dtype_name(value: Any) -> str:
    """A dtype's canonical name, for numpy, ml_dtypes and TensorFlow dtypes alike."""
    name = getattr(value, "name", None)
    if isinstance(name, str):
        return name
    return np.dtype(value).name


def lookup(dtype: Any, claim_ids: tuple[str, ...] = (), device_type: str | None = None):
    name = dtype_name(dtype)
    for claim_id in claim_ids:
        for key in ((claim_id, name, device_type), (claim_id, name, None)):
            if key in _OVERRIDES:
                return _OVERRIDES[key]
    if name in TOLERANCES:
        return TOLERANCES[name]
    return EXACT  # integers, bool, strings


def unit_roundoff(dtype: str) -> float:
    """Half the machine epsilon of a floating (or complex) dtype: one rounding's error."""
    real = {"complex64": "float32", "complex128": "float64"}.get(dtype, dtype)
    if real == "bfloat16":
        import ml_dtypes

        return float(ml_dtypes.finfo(ml_dtypes.bfloat16).eps) / 2
    return float(np.finfo(np.dtype(real)).eps) / 2


def accumulation_tolerance(dtype: str, scale: Any, n: int) -> dict[str, float]:
    """``assert_close`` keyword arguments for a result that accumulates ``n`` roundings.

    Recursive summation of n terms is within n*u*scale of the exact value (u the unit
    roundoff, scale the sum of magnitudes); two implementations free to choose their order
    (eager kernels, XLA, an oracle) differ by at most twice that. Integers stay exact.
    """
    if dtype not in TOLERANCES or n <= 1:
        return {}
    bound = float(np.max(np.asarray(scale, dtype=np.float64), initial=0.0))
    return {"atol": max(TOLERANCES[dtype].atol, 2 * n * unit_roundoff(dtype) * bound)}


class ToleranceError(AssertionError):
    """An element-wise comparison failed; the fields say where and by how much."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.details = details


def _to_numpy(value: Any) -> np.ndarray:
    if hasattr(value, "numpy"):
        value = value.numpy()
    array = np.asarray(value)
    if array.dtype.kind == "V":  # ml_dtypes (bfloat16, float8): widen exactly to float32
        array = array.astype(np.float32)
    return array


def assert_close(
    actual: Any,
    expected: Any,
    *,
    dtype: Any = None,
    rtol: float | None = None,
    atol: float | None = None,
    signed_zeros: bool = True,
    what: str = "result",
) -> None:
    """Compare ``actual`` (a tensor or array) with the oracle ``expected``.

    ``dtype`` is the dtype whose tolerance applies (default: the actual's dtype). Shapes
    must be equal; the oracle may be of higher precision.
    """
    actual_np = _to_numpy(actual)
    expected_np = _to_numpy(expected)
    name = dtype_name(dtype if dtype is not None else getattr(actual, "dtype", actual_np.dtype))
    record = recording.current()
    tol = lookup(name, record.claim_ids, record.notes.get("device_type"))
    tol = Tolerance(tol.rtol if rtol is None else rtol, tol.atol if atol is None else atol)
    details = {"dtype": name, "rtol": tol.rtol, "atol": tol.atol}

    if actual_np.shape != expected_np.shape:
        raise ToleranceError(
            f"{what}: shape {actual_np.shape} != expected {expected_np.shape} (dtype {name})",
            **details,
        )
    if actual_np.size == 0:
        return
    bad = _mismatches(actual_np, expected_np, tol, signed_zeros)
    if not bad.any():
        return
    index = _worst_index(actual_np, expected_np, bad)
    got, want = _plain(actual_np[index]), _plain(expected_np[index])
    count = int(bad.sum())
    raise ToleranceError(
        f"{what}: {count} of {bad.size} element(s) differ (dtype {name}, "
        f"rtol={tol.rtol:g}, atol={tol.atol:g}); worst at index {tuple(int(i) for i in index)}:"
        f" actual {got!r}, expected {want!r}",
        index=[int(i) for i in index],
        actual=repr(got),
        expected=repr(want),
        mismatched=count,
        **details,
    )


def _plain(value: Any) -> Any:
    """A NumPy scalar as a plain Python number, so messages read `4.5`, not `np.float32(4.5)`."""
    return value.item() if hasattr(value, "item") else value


def _mismatches(actual: np.ndarray, expected: np.ndarray, tol: Tolerance, signed_zeros: bool):
    if actual.dtype.kind in "biuSUO" or expected.dtype.kind in "biuSUO":
        return np.asarray(actual != expected)
    a = actual.astype(np.complex128 if actual.dtype.kind == "c" else np.float64)
    e = expected.astype(np.complex128 if expected.dtype.kind == "c" else np.float64)
    bad = np.zeros(a.shape, dtype=bool)
    # A complex result's parts are compared relative to its modulus, as np.isclose does: a
    # correctly rounded product's real part a*a - b*b may cancel to far below |z|**2, with
    # an error of order eps * |z|**2 (complex64 (9991+9998j)**2: -139920 for -139923).
    with np.errstate(invalid="ignore", over="ignore"):
        modulus = np.abs(e)
    for part_a, part_e in _real_parts(a, e):
        nan_a, nan_e = np.isnan(part_a), np.isnan(part_e)
        inf_a, inf_e = np.isinf(part_a), np.isinf(part_e)
        special = nan_a | nan_e | inf_a | inf_e
        bad |= nan_a != nan_e
        bad |= inf_e & ~(inf_a & (np.sign(part_a) == np.sign(part_e)))
        bad |= inf_a & ~inf_e
        finite = ~special
        with np.errstate(invalid="ignore", over="ignore"):
            err = np.abs(part_a - part_e)
            scale = np.where(np.isfinite(modulus), modulus, np.abs(part_e))
            bad |= finite & (err > tol.atol + tol.rtol * scale)
        if signed_zeros:
            zero_e = finite & (part_e == 0)
            bad |= zero_e & (part_a == 0) & (np.signbit(part_a) != np.signbit(part_e))
    return bad


def _real_parts(a: np.ndarray, e: np.ndarray):
    if a.dtype.kind == "c" or e.dtype.kind == "c":
        return [(a.real, e.real), (a.imag, e.imag)]
    return [(a, e)]


def _worst_index(actual: np.ndarray, expected: np.ndarray, bad: np.ndarray) -> tuple[int, ...]:
    """The mismatching element with the largest error (a NaN/Inf mismatch counts as largest)."""
    if actual.dtype.kind in "biuSUO" or expected.dtype.kind in "biuSUO":
        return tuple(np.argwhere(bad)[0])
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(actual.astype(np.complex128) - expected.astype(np.complex128))
    err = np.where(np.isfinite(err), err, np.inf)
    err = np.where(bad, err, -1.0)
    return tuple(np.unravel_index(int(np.argmax(err)), err.shape))
