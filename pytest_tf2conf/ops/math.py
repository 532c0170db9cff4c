"""tf.math: element-wise functions and their oracles (NumPy, or SciPy where NumPy lacks
the function). One record per public function; the ops that the eager op table already
checks (``oracles.py``: add, exp, sin, ...) are not repeated here.

Domains map drawn values into the region where the function (and, for gradients, its
derivative) is defined: ``inside(lo, hi)`` keeps values strictly inside an interval.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..oracles import AWAY_FROM_ZERO, POSITIVE, same_dtype
from ..tolerance import Tolerance
from .errors import incompatible_shapes
from .record import API, COMPLEX, FLOATS, INTS, NUMERIC, SIGNED, Grad, OpRecord
from .samplers import Elementwise


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _special(name: str) -> Callable[..., Any]:
    """A scipy.special function, imported when the oracle first runs (SciPy is heavy)."""

    def oracle(*args: Any) -> Any:
        import scipy.special

        return getattr(scipy.special, name)(*args)

    oracle.__name__ = f"scipy.special.{name}"
    return oracle


def oracle_name(oracle: Callable[..., Any]) -> str:
    name = getattr(oracle, "__name__", "its oracle")
    if isinstance(oracle, np.ufunc) or getattr(oracle, "__module__", "") == "numpy":
        return f"numpy.{name}"
    return name


def _real_part_domain(fn: Callable[[np.ndarray], np.ndarray]):
    """A domain map on the real part; a complex value keeps a small imaginary part (within
    ``_COMPLEX_BOUND``), away from the branch cuts on the real axis beyond the domain."""

    def apply(a: np.ndarray) -> np.ndarray:
        if a.dtype.kind == "c":
            return (fn(a.real) + 1j * _COMPLEX_BOUND * np.sin(a.imag)).astype(a.dtype)
        return fn(a)

    return same_dtype(apply)


def inside(lo: float, hi: float):
    """Map any drawn value strictly into (lo, hi), covering the whole interval."""
    mid, half = (lo + hi) / 2, (hi - lo) / 2 * 0.98
    return _real_part_domain(lambda a: mid + half * np.sin(a))


def at_least(lo: float):
    return _real_part_domain(lambda a: lo + np.abs(a))


# Complex values with 0 < |z| < 1e-140 scaled up (see sign).
NOT_TINY_COMPLEX = same_dtype(
    lambda a: (
        np.where((np.abs(a) > 0) & (np.abs(a) < 1e-140), a * 1e150, a) if a.dtype.kind == "c" else a
    )
)
# Gradient samples that must not be exactly zero (where a kink or a special case sits).
NONZERO = same_dtype(lambda a: np.where(a == 0, 0.5, a))


def _math(fn_name: str) -> Callable[..., Any]:
    """The tf.math function ``fn_name``, looked up when first called (no import of TF here)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(_tf().math, fn_name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = fn_name
    return call


def elementwise(
    arity: int,
    name: str,
    oracle: Callable[..., Any],
    dtypes: tuple[str, ...] = FLOATS,
    *,
    domains: tuple[Any, ...] = (),
    bound: float | None = None,
    grad: bool | Grad = True,
    reference: str = "",
    specials: bool = False,
    **kwargs: Any,
) -> OpRecord:
    """The record of an element-wise tf.math function of ``arity`` tensors; ``grad=True``
    checks the gradient with respect to every argument."""
    bounds = {"f": bound, "c": bound} if bound is not None else {}
    if not isinstance(grad, Grad):
        grad = Grad(args=tuple(range(arity))) if grad else None
    return OpRecord(
        name=f"tf.math.{name}",
        fn=_math(name),
        oracle=oracle,
        sampler=Elementwise(arity, bounds=bounds, domains=domains, specials=specials),
        dtypes=dtypes,
        doc=f"{API}tf/math/{name}",
        reference=reference or f"of {oracle_name(oracle)}",
        grad=grad,
        errors=(incompatible_shapes(dtypes),) if arity == 2 else (),
        **kwargs,
    )


def unary(name: str, oracle: Callable[..., Any], *args: Any, domain=None, **kw: Any) -> OpRecord:
    return elementwise(1, name, oracle, *args, domains=(domain,), **kw)


def binary(name: str, oracle: Callable[..., Any], *args: Any, **kw: Any) -> OpRecord:
    return elementwise(2, name, oracle, *args, **kw)


def _softsign(x: np.ndarray) -> np.ndarray:
    return x / (1.0 + np.abs(x))


def _reciprocal_no_nan(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.where(x == 0, 0.0 * x, 1.0 / np.where(x == 0, 1.0, x))


def _xdivy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.where(x == 0, 0.0 * x * y, x / np.where(x == 0, 1.0, y))


def _divide_no_nan(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.where(y == 0, 0.0 * x * y, x / np.where(y == 0, 1.0, y))


def _nextafter(x: np.ndarray, y: np.ndarray, dtype: str) -> np.ndarray:
    # In the inputs' own format: the next float32 after x is not the next float64.
    return np.nextafter(x.astype(dtype), y.astype(dtype))


def _squared_difference(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    # Documented as conj(x - y) * (x - y): real-valued (|x - y|^2), also for complex inputs.
    d = x - y
    if d.dtype.kind == "c":
        return (d.real**2 + d.imag**2).astype(d.dtype)
    return d * d


def _angle(x: np.ndarray) -> np.ndarray:
    # Documented for real inputs: pi where x < 0, else 0 (so angle(-0.0) is 0, not
    # NumPy's pi).
    return np.angle(x) if x.dtype.kind == "c" else np.where(x < 0, np.pi, 0.0)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def _real_result(dtypes: tuple[str, ...]) -> dict[str, str]:
    return {d: {"complex64": "float32", "complex128": "float64"}.get(d, d) for d in dtypes}


F32_64 = ("float32", "float64")
NO_BF16 = ("float16", "float32", "float64")
TRIG = FLOATS + COMPLEX
# Functions whose CPU kernels lack half-precision types that XLA's own kernels have.
XLA_ALL_FLOATS: dict[str, Any] = {"dtypes_by_target": {"CPU-xla": FLOATS}}
TRUEDIV_RESULT = {
    **{d: "float32" for d in ("int8", "int16", "uint8", "uint16")},
    **{d: "float64" for d in ("int32", "int64", "uint32", "uint64")},
}
# Complex arguments of inverse trigonometric functions stay near the origin, away from the
# branch cuts where NumPy and TensorFlow may pick different sides.
_COMPLEX_BOUND = 2.0
# Smooth, moderate arguments for the hyperbolic and exponential functions: no overflow in
# float16 (e^11 > 65504) and finite differences of order one.
_EXP_BOUND = 10.0

RECORDS: tuple[OpRecord, ...] = (
    # -- inverse trigonometric and hyperbolic -------------------------------------------
    unary("acos", np.arccos, TRIG, domain=inside(-1, 1)),
    unary("asin", np.arcsin, TRIG, domain=inside(-1, 1)),
    unary("atan", np.arctan, TRIG, bound=_COMPLEX_BOUND),
    unary("acosh", np.arccosh, TRIG, domain=at_least(1.05)),
    unary("asinh", np.arcsinh, TRIG, bound=_COMPLEX_BOUND),
    unary("atanh", np.arctanh, TRIG, domain=inside(-1, 1)),
    unary("tan", np.tan, TRIG, domain=inside(-1.4, 1.4)),
    unary("sinh", np.sinh, TRIG, bound=_EXP_BOUND),
    unary("cosh", np.cosh, TRIG, bound=_EXP_BOUND),
    # -- rounding: exact, piecewise constant (no gradient claim) ------------------------
    unary("ceil", np.ceil, grad=False),
    unary("floor", np.floor, grad=False),
    unary("round", np.round, FLOATS + INTS, grad=False,
          reference="of numpy.round (half to even; integers unchanged)"),
    unary("rint", np.rint, F32_64, grad=False, dtypes_by_target={"CPU-xla": FLOATS}),
    # Drawn complex values keep |z| above 1e-140; the tiny one is a point checked every run
    # (TF 2.21 gives 0 for complex128 |z| < ~1e-154: a known deviation).
    unary("sign", np.sign, FLOATS + SIGNED + COMPLEX, grad=False, domain=NOT_TINY_COMPLEX,
          points=((3e-300j,),)),
    # -- powers, logs and exponentials -----------------------------------------------------
    unary("square", np.square, FLOATS + COMPLEX + INTS),
    unary("reciprocal", np.reciprocal, FLOATS + COMPLEX, domain=AWAY_FROM_ZERO,
          dtypes_by_target={"CPU-xla": FLOATS + COMPLEX + SIGNED}),
    # The sign of the documented 0 is not specified.
    unary("reciprocal_no_nan", _reciprocal_no_nan, FLOATS + COMPLEX, grad=False,
          reference="(1 / x, and 0 where x is 0)", signed_zeros=False),
    unary("rsqrt", lambda x: 1.0 / np.sqrt(x), FLOATS + COMPLEX, domain=POSITIVE,
          reference="of 1 / sqrt(x)"),
    unary("expm1", np.expm1, FLOATS + COMPLEX, bound=_EXP_BOUND),
    unary("log1p", np.log1p, FLOATS + COMPLEX, domain=at_least(-0.9)),
    unary("sigmoid", _sigmoid, FLOATS + COMPLEX, bound=_EXP_BOUND,
          reference="of 1 / (1 + exp(-x))"),
    unary("softplus", _softplus, reference="of log(1 + exp(x))"),
    unary("log_sigmoid", _log_sigmoid, reference="of -log(1 + exp(-x))"),
    unary("softsign", _softsign, reference="of x / (1 + |x|)", grad=False),
    # -- special functions (SciPy) --------------------------------------------------------
    unary("erf", _special("erf")),
    unary("erfc", _special("erfc")),
    unary("erfinv", _special("erfinv"), F32_64, domain=inside(-1, 1), **XLA_ALL_FLOATS),
    unary("erfcinv", _special("erfcinv"), F32_64, domain=inside(0, 2), **XLA_ALL_FLOATS),
    unary("ndtri", _special("ndtri"), F32_64, domain=inside(0, 1), **XLA_ALL_FLOATS),
    # Near its zeros at 1 and 2, lgamma in float32 is accurate to a few 1e-6 absolute
    # (measured: XLA 1.6e-6 at 131073 samples), not to float32's relative precision.
    unary("lgamma", _special("gammaln"), NO_BF16, domain=POSITIVE, **XLA_ALL_FLOATS,
          tolerance={"float32": Tolerance(rtol=2e-5, atol=1e-5)}),
    unary("digamma", _special("psi"), NO_BF16, domain=POSITIVE, **XLA_ALL_FLOATS),
    # XLA has no kernel for BesselI0/I1 (the exponentially scaled ones it has).
    unary("bessel_i0", _special("i0"), NO_BF16, bound=_EXP_BOUND,
          dtypes_by_target={"CPU-xla": ()}),
    # exp(-|x|) * I(x): a kink at 0 that central differences cannot see through (nor TF's
    # tiny-x formulas, whose flushed subnormals hit the x = 0 case).
    unary("bessel_i0e", _special("i0e"), NO_BF16, grad=Grad(smooth=(AWAY_FROM_ZERO,)),
          **XLA_ALL_FLOATS),
    # The gradient formula I0(x) - I1(x) / x needs its limit at 0: checked there every run.
    unary("bessel_i1", _special("i1"), NO_BF16, bound=_EXP_BOUND,
          grad=Grad(smooth=(AWAY_FROM_ZERO,), points=((0.0,),)),
          dtypes_by_target={"CPU-xla": ()}),
    unary("bessel_i1e", _special("i1e"), NO_BF16, grad=Grad(smooth=(AWAY_FROM_ZERO,)),
          **XLA_ALL_FLOATS),
    # -- classification (bool results) ----------------------------------------------------
    unary("is_finite", np.isfinite, grad=False, result="bool", specials=True),
    unary("is_inf", np.isinf, grad=False, result="bool", specials=True),
    unary("is_nan", np.isnan, grad=False, result="bool", specials=True),
    # -- complex parts ----------------------------------------------------------------------
    # Documented: a real input comes back unchanged (real, conj) or as zeros (imag).
    unary("real", np.real, NUMERIC, grad=False, result=_real_result(NUMERIC)),
    unary("imag", np.imag, (*NUMERIC, "bool"), grad=False, result=_real_result(NUMERIC)),
    unary("angle", _angle, FLOATS + COMPLEX, grad=False, result=_real_result(FLOATS + COMPLEX),
          reference="of numpy.angle (real inputs: pi where x < 0, else 0)"),
    unary("conj", np.conj, NUMERIC, grad=False),
    # -- binary -----------------------------------------------------------------------------
    # Gradients with x > 0: atan2 jumps by 2 pi across y = 0 where x < 0.
    binary("atan2", np.arctan2, domains=(None, AWAY_FROM_ZERO),
           grad=Grad(smooth=(None, POSITIVE), args=(0, 1))),
    binary("squared_difference", _squared_difference, FLOATS + COMPLEX + ("int32", "int64"),
           reference="of conj(x - y) * (x - y)"),
    # At x = 0 TensorFlow's gradient with respect to x is 0 by design (x * log(y) is
    # defined as 0 there, also for y = 0): gradients are checked at x != 0.
    binary("xlogy", _special("xlogy"), FLOATS + COMPLEX, domains=(None, POSITIVE),
           grad=Grad(args=(0, 1), smooth=(NONZERO, None))),
    binary("xlog1py", _special("xlog1py"), FLOATS + COMPLEX, domains=(None, at_least(-0.9)),
           grad=Grad(args=(0, 1), smooth=(NONZERO, None))),
    binary("xdivy", _xdivy, FLOATS + COMPLEX, domains=(None, AWAY_FROM_ZERO), grad=None,
           reference="(x / y, and 0 where x is 0)", signed_zeros=False),
    # Integers are divided in floating point, as tf.math.truediv does.
    binary("divide_no_nan", _divide_no_nan, NUMERIC, grad=None, result=TRUEDIV_RESULT,
           reference="(x / y, and 0 where y is 0)", signed_zeros=False),
    binary("igamma", _special("gammainc"), F32_64, domains=(POSITIVE, POSITIVE), bound=10.0,
           grad=None, **XLA_ALL_FLOATS),
    binary("igammac", _special("gammaincc"), F32_64, domains=(POSITIVE, POSITIVE), bound=10.0,
           grad=None, **XLA_ALL_FLOATS),
    binary("zeta", _special("zeta"), F32_64, domains=(at_least(1.1), POSITIVE), bound=10.0,
           grad=None),
    binary("greater_equal", np.greater_equal, FLOATS + INTS, grad=None, result="bool"),
    binary("nextafter", _nextafter, ("float32", "float64"), grad=None, oracle_wants_dtype=True,
           reference="of numpy.nextafter in the inputs' dtype"),
)  # fmt: skip
