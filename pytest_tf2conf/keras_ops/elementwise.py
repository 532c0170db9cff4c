"""Element-wise keras.ops functions (keras.ops.numpy mirrors NumPy; keras.ops.nn and
keras.ops.math add activations and special functions).

Where the TensorFlow op database has the same function, the record links to it by name
(its sampler, domains and NumPy/SciPy oracle); the others have a NumPy oracle here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import strategies as S
from ..ops.array_samplers import Built, Draw, sample
from ..ops.math import at_least, inside
from ..ops.record import Sample
from ..ops.samplers import Elementwise
from ..oracles import AWAY_FROM_ZERO, DIVIDEND, POSITIVE, same_dtype
from ..tolerance import Tolerance
from .record import (
    FLOATS,
    INTS,
    NUMERIC,
    SIGNED,
    UNIVERSE,
    KerasOpRecord,
    KGrad,
    bool_as_int,
    boolean,
    floating,
    same,
)

ALL = UNIVERSE
SMOOTH = KGrad()
BOTH = KGrad(args=(0, 1))
_EXP = {"f": 10.0, "i": 10.0}
# Float16/bfloat16 results of functions with large derivatives: a few ulps of the result.
HALF_LOOSE = {"float16": Tolerance(5e-3, 2e-3), "bfloat16": Tolerance(4e-2, 2e-2)}


def unary(name: str, link: str | None = None, oracle: Callable[..., Any] | None = None, *,
          dtypes: tuple[str, ...] = ALL, result: Callable[[str], str] = floating,
          grad: KGrad | None = SMOOTH, section: str = "numpy", domain: Any = None,
          bounds: dict[str, float] | None = None, specials: bool = False,
          **kw: Any) -> KerasOpRecord:  # fmt: skip
    """A one-argument record; without a link, an own Elementwise sampler."""
    sampler = None
    if link is None or domain is not None or bounds is not None or specials:
        sampler = Elementwise(1, bounds=bounds or {}, domains=(domain,), specials=specials)
    return KerasOpRecord(
        name, section=section, link=link, oracle=oracle, sampler=sampler, dtypes=dtypes,
        result=result, float_oracle=result is floating, grad=grad, **kw,
    )  # fmt: skip


def binary(name: str, link: str | None = None, oracle: Callable[..., Any] | None = None, *,
           dtypes: tuple[str, ...] = NUMERIC, result: Callable[[str], str] = same,
           grad: KGrad | None = None, domains: tuple[Any, ...] = (),
           bounds: dict[str, float] | None = None, promotion: str | None = None,
           section: str = "numpy", **kw: Any) -> KerasOpRecord:  # fmt: skip
    sampler = None
    if link is None or domains or bounds is not None:
        sampler = Elementwise(2, bounds=bounds or {}, domains=domains)
    return KerasOpRecord(
        name, section=section, link=link, oracle=oracle, sampler=sampler, dtypes=dtypes,
        result=result, float_oracle=result is floating, grad=grad, promotion=promotion, **kw,
    )  # fmt: skip


# -- oracles (NumPy/SciPy in float64) -----------------------------------------------------
def _special(name: str) -> Callable[..., Any]:
    def oracle(*args: Any) -> Any:
        import scipy.special

        return getattr(scipy.special, name)(*args)

    oracle.__name__ = f"scipy.special.{name}"
    return oracle


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(x / 2))


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def _elu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _gelu(x: np.ndarray) -> np.ndarray:  # keras.ops.gelu(approximate=True) is the default
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def _hard_sigmoid(x: np.ndarray) -> np.ndarray:
    return np.clip(x / 6 + 0.5, 0, 1)


def _sparse_plus(x: np.ndarray) -> np.ndarray:
    return np.where(x <= -1, 0.0, np.where(x >= 1, x, (x + 1) ** 2 / 4))


def _celu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    return np.maximum(x, 0) + alpha * np.expm1(np.minimum(x, 0) / alpha)


def _squareplus(x: np.ndarray, b: float = 4.0) -> np.ndarray:
    return (x + np.sqrt(x * x + b)) / 2


def _divide_no_nan(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.where(y == 0, 0.0, x / np.where(y == 0, 1, y))


def _heaviside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.heaviside(x, y)


def _logaddexp2(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.logaddexp2(x, y)


def _no_kink(a: np.ndarray) -> np.ndarray:
    """Gradient samples away from a kink at 0 (|x| >= 0.1)."""
    return same_dtype(lambda v: np.where(np.abs(v) < 0.1, v + 0.25, v))(a)


KINK = KGrad(smooth=(_no_kink,))
INT_BOOL = (*INTS, "bool")
# keras.ops.nn activations are documented on float tensors; on integers the backends
# disagree (some raise, some compute in the integer dtype): those dtypes stay open.
# The sign of a zero result is not documented for them either.
NN: dict[str, Any] = {"dtypes": FLOATS, "open_dtypes": INT_BOOL, "signed_zeros": False}
F64_LOOSE = {"float64": Tolerance(1e-10, 1e-12)}


def _nan_to_num(x: np.ndarray, dtype: str) -> np.ndarray:
    """NaN -> 0, infinities -> the largest finite values of the result dtype."""
    import ml_dtypes

    info = ml_dtypes.finfo(S.numpy_dtype(dtype)) if dtype in FLOATS else np.iinfo(dtype)
    return np.nan_to_num(x, nan=0.0, posinf=float(info.max), neginf=float(info.min))


def _nextafter(x: np.ndarray, y: np.ndarray, dtype: str) -> np.ndarray:
    """The next value after x towards y in the result dtype (float32 for integers)."""
    if dtype == "bfloat16":
        import ml_dtypes

        a, b = x.astype(np.float32), y.astype(np.float32)
        bits = a.astype(ml_dtypes.bfloat16).view(np.uint16).astype(np.int32)
        step = np.where((b > a) == (a >= 0), 1, -1)
        step = np.where(a == 0, 1, step)
        nxt = np.where(a == b, bits, bits + step).astype(np.uint16).view(ml_dtypes.bfloat16)
        zero_next = np.where(b > 0, 1, 0x8001).astype(np.uint16).view(ml_dtypes.bfloat16)
        return np.where(a == 0, np.where(b == 0, b, zero_next.astype(np.float32)),
                        nxt.astype(np.float32)).astype(np.float64)  # fmt: skip
    wide = S.numpy_dtype(dtype)
    a, b = x.astype(wide), y.astype(wide)
    # Where x == y the result is y (C99, and NumPy's float32/64); NumPy's float16 returns x,
    # which differs for nextafter(0.0, -0.0) (found by thorough TF seed 192895761).
    return np.where(a == b, b, np.nextafter(a, b)).astype(np.float64)


def _floor_divide(x: np.ndarray, y: np.ndarray, dtype: str) -> np.ndarray:
    """floor(x / y) of the inputs in the result dtype: NumPy's rule for that dtype."""
    if dtype in FLOATS:
        wide = np.float32 if dtype in ("bfloat16", "float16") else S.numpy_dtype(dtype)
        return np.floor_divide(x.astype(wide), y.astype(wide)).astype(np.float64)
    return np.floor_divide(x, y)


def _exponent(a: np.ndarray) -> np.ndarray:
    """Exponents: integers non-negative (no integer result for negative powers)."""
    if a.dtype.kind in "iu":
        return (np.abs(a.astype(np.int64)) % 4).astype(a.dtype)
    return a


_EXPONENT = _exponent


def _ldexp(d: Draw) -> Sample:
    shapes = d.shape(0, 2)
    return sample(d.array(shapes, bound=8.0), d.ints(shapes, -4, 4))


_BOUNDS_SHIFTS = {"i": 7.0}  # shift amounts stay within the narrowest integer width

RECORDS: tuple[KerasOpRecord, ...] = (
    # -- trigonometric and hyperbolic (keras.ops.numpy) -----------------------------------
    unary("sin", "tf.math.sin"),
    unary("cos", "tf.math.cos"),
    unary("tan", "tf.math.tan", tolerance=HALF_LOOSE),
    unary("arcsin", "tf.math.asin", domain=inside(-1, 1)),
    unary("arccos", "tf.math.acos", domain=inside(-1, 1)),
    unary("arctan", "tf.math.atan"),
    unary("sinh", "tf.math.sinh", bounds=_EXP),
    unary("cosh", "tf.math.cosh", bounds=_EXP),
    unary("tanh", "tf.math.tanh"),
    unary("arcsinh", "tf.math.asinh"),
    unary("arccosh", "tf.math.acosh", domain=at_least(1.05)),
    unary("arctanh", "tf.math.atanh", domain=inside(-1, 1)),
    unary("deg2rad", None, np.deg2rad),
    unary("rad2deg", None, np.rad2deg),
    unary("sinc", None, np.sinc, grad=None, tolerance=HALF_LOOSE),
    # -- exponentials, logarithms, powers -------------------------------------------------
    unary("exp", "tf.math.exp", bounds=_EXP),
    unary("exp2", None, np.exp2, bounds=_EXP),
    unary("expm1", "tf.math.expm1", bounds=_EXP),
    unary("log", "tf.math.log", domain=POSITIVE),
    unary("log2", None, np.log2, domain=POSITIVE),
    unary("log10", None, np.log10, domain=POSITIVE),
    unary("log1p", "tf.math.log1p", domain=at_least(-0.9)),
    unary("sqrt", "tf.math.sqrt", domain=POSITIVE),
    unary("cbrt", None, np.cbrt, grad=KGrad(smooth=(POSITIVE,))),
    unary("rsqrt", "tf.math.rsqrt", section="math", domain=POSITIVE, dtypes=FLOATS,
          open_dtypes=INT_BOOL),
    unary("reciprocal", "tf.math.reciprocal", domain=AWAY_FROM_ZERO),
    unary("square", "tf.math.square", result=bool_as_int, dtypes=ALL),
    unary("i0", None, np.i0, bounds=_EXP, grad=None),
    # -- rounding and sign ----------------------------------------------------------------
    unary("floor", "tf.math.floor", grad=None),
    unary("ceil", "tf.math.ceil", grad=None),
    unary("round", "tf.math.round", result=same, grad=None, dtypes=NUMERIC),
    unary("trunc", None, np.trunc, result=same, grad=None),
    unary("sign", "tf.math.sign", result=same, grad=None, dtypes=NUMERIC, signed_zeros=False,
          open_dtypes=("bool",)),
    unary("abs", "tf.math.abs", result=same, grad=KINK),
    unary("absolute", "tf.math.abs", result=same, grad=KINK),
    unary("fabs", None, np.fabs, grad=KINK),
    unary("negative", "tf.math.negative", result=same, dtypes=NUMERIC),
    unary("signbit", None, np.signbit, result=boolean, grad=None, dtypes=ALL),
    unary("nan_to_num", None, _nan_to_num, result=same, grad=None, specials=True,
          dtypes=NUMERIC, open_dtypes=("bool",),
          oracle_wants_dtype=True),
    # -- classification --------------------------------------------------------------------
    unary("isnan", "tf.math.is_nan", result=boolean, grad=None),
    unary("isinf", "tf.math.is_inf", result=boolean, grad=None),
    unary("isfinite", "tf.math.is_finite", result=boolean, grad=None),
    unary("isneginf", None, np.isneginf, result=boolean, grad=None),
    unary("isposinf", None, np.isposinf, result=boolean, grad=None),
    unary("logical_not", "tf.math.logical_not", result=boolean, grad=None, dtypes=ALL),
    # -- complex parts of real inputs (documented: real -> itself, imag -> zeros) ---------
    unary("real", "tf.math.real", result=same, grad=None, dtypes=NUMERIC,
          open_dtypes=("bool",)),
    unary("imag", "tf.math.imag", result=same, grad=None),
    unary("conj", "tf.math.conj", result=same, grad=None, dtypes=NUMERIC,
          open_dtypes=("bool",)),
    unary("conjugate", "tf.math.conj", result=same, grad=None, dtypes=NUMERIC,
          open_dtypes=("bool",)),
    unary("copy", None, np.copy, result=same, grad=None, dtypes=ALL),
    # -- special functions (keras.ops.math) -------------------------------------------------
    unary("erf", "tf.math.erf", section="math", tolerance=HALF_LOOSE, dtypes=FLOATS,
          open_dtypes=INT_BOOL),
    unary("erfinv", "tf.math.erfinv", section="math", dtypes=FLOATS, open_dtypes=INT_BOOL,
          domain=inside(-1, 1), tolerance=HALF_LOOSE),
    unary("erfc", "tf.math.erfc", section="numpy", tolerance=HALF_LOOSE),
    # -- activations (keras.ops.nn) -------------------------------------------------------
    unary("sigmoid", "tf.math.sigmoid", _sigmoid, section="nn", **NN),
    unary("softplus", "tf.math.softplus", _softplus, section="nn", **NN),
    unary("log_sigmoid", "tf.math.log_sigmoid", lambda x: -_softplus(-x), section="nn", **NN),
    unary("softsign", "tf.math.softsign", lambda x: x / (1 + np.abs(x)), section="nn", **NN,
          grad=KINK),
    unary("relu", None, lambda x: np.maximum(x, 0), section="nn", **NN, grad=KINK),
    unary("relu6", None, lambda x: np.clip(x, 0, 6), section="nn", **NN, grad=None),
    unary("elu", None, _elu, section="nn", **NN, grad=KINK),
    unary("selu", None, lambda x: _SELU_SCALE * _elu(x, _SELU_ALPHA), section="nn", **NN,
          grad=KINK),
    unary("gelu", None, _gelu, section="nn", **NN, tolerance=HALF_LOOSE),
    unary("celu", None, _celu, section="nn", **NN, grad=KINK),
    unary("leaky_relu", None, lambda x: np.where(x >= 0, x, 0.2 * x), section="nn", **NN,
          grad=KINK),
    unary("silu", None, lambda x: x * _sigmoid(x), section="nn", **NN),
    unary("swish", None, lambda x: x * _sigmoid(x), section="nn", **NN),
    unary("hard_sigmoid", None, _hard_sigmoid, section="nn", **NN, grad=None),
    unary("hard_silu", None, lambda x: x * _hard_sigmoid(x), section="nn", **NN, grad=None),
    unary("hard_swish", None, lambda x: x * _hard_sigmoid(x), section="nn", **NN, grad=None),
    unary("hard_tanh", None, lambda x: np.clip(x, -1, 1), section="nn", **NN, grad=None),
    unary("tanh_shrink", None, lambda x: x - np.tanh(x), section="nn", **NN, tolerance=HALF_LOOSE),
    unary("soft_shrink", None, lambda x: np.sign(x) * np.maximum(np.abs(x) - 0.5, 0),
          section="nn", **NN, grad=None),
    unary("hard_shrink", None, lambda x: np.where(np.abs(x) > 0.5, x, 0.0), section="nn", **NN,

          grad=None),
    unary("squareplus", None, _squareplus, section="nn", **NN, bounds={"f": 4.0},
          tolerance=HALF_LOOSE),
    unary("sparse_plus", None, _sparse_plus, section="nn", **NN, grad=None),
    unary("sparse_sigmoid", None, lambda x: np.clip((x + 1) / 2, 0, 1), section="nn", **NN,

          grad=None),
    # -- binary arithmetic (Keras's promotion lattice on mixed dtypes) --------------------
    binary("add", "tf.math.add", grad=BOTH, promotion="lattice", dtypes=ALL),
    binary("subtract", "tf.math.subtract", grad=BOTH, promotion="lattice"),
    binary("multiply", "tf.math.multiply", grad=BOTH, promotion="lattice", dtypes=ALL),
    # Which zero max(0.0, -0.0) and min(0.0, -0.0) return is not documented (IEEE 754-2008
    # leaves it open; TF float16 gave 0.0 where the linked oracle gives -0.0, found by
    # thorough TF seed 192895761).
    binary("maximum", "tf.math.maximum", promotion="lattice", dtypes=ALL, signed_zeros=False),
    binary("minimum", "tf.math.minimum", promotion="lattice", dtypes=ALL, signed_zeros=False),
    binary("divide", "tf.math.divide", np.divide, result=floating, grad=BOTH,
           domains=(None, AWAY_FROM_ZERO), promotion="floating", dtypes=ALL),
    binary("true_divide", "tf.math.truediv", np.divide, result=floating,
           domains=(None, AWAY_FROM_ZERO), promotion="floating", dtypes=ALL),
    # The sign of a zero quotient is not documented (JAX gives -0.0 for 0 // -y). Dividends
    # as the op database's floordiv: none whose quotient is subnormal, which TF's
    # CPU kernels flush to -0.0 (floor -0.0, not -1; a claim of its own), none INT_MIN.
    binary("floor_divide", None, _floor_divide, domains=(DIVIDEND, AWAY_FROM_ZERO),
           signed_zeros=False, promotion="lattice", oracle_wants_dtype=True,
           open_dtypes=("bool",)),
    # The sign of a zero remainder is not documented (NumPy: the divisor's; torch: +0.0).
    binary("mod", None, np.mod, domains=(None, AWAY_FROM_ZERO), promotion="lattice",
           dtypes=ALL, result=bool_as_int, signed_zeros=False),
    binary("fmod", None, np.fmod, domains=(None, AWAY_FROM_ZERO), promotion="lattice",
           dtypes=ALL, result=bool_as_int),
    binary("power", None, np.power, domains=(POSITIVE, _EXPONENT), bounds={"f": 3.0, "i": 5.0},
           grad=KGrad(args=(0, 1)), promotion="lattice", tolerance=HALF_LOOSE,
           open_dtypes=("bool",)),
    binary("arctan2", "tf.math.atan2", np.arctan2, result=floating, promotion="floating",
           domains=(None, AWAY_FROM_ZERO), dtypes=ALL),
    binary("hypot", None, np.hypot, result=floating, promotion="floating",
           open_dtypes=("bool",)),
    binary("logaddexp", None, np.logaddexp, result=floating, grad=BOTH, promotion="floating",
           dtypes=ALL),
    binary("logaddexp2", None, _logaddexp2, result=floating, promotion="floating",
           dtypes=ALL, tolerance=F64_LOOSE),
    binary("fmax", None, np.fmax, promotion="lattice", dtypes=ALL),
    binary("fmin", None, np.fmin, promotion="lattice", dtypes=ALL),
    binary("heaviside", None, _heaviside, result=floating, promotion="floating",
           open_dtypes=("bool",)),
    binary("divide_no_nan", None, _divide_no_nan, section="nn", result=floating,
           signed_zeros=False, dtypes=ALL),
    binary("nextafter", None, _nextafter, dtypes=ALL, result=floating, oracle_wants_dtype=True),
    # Bounded away from the integer minimum: keras.ops.gcd on the JAX backend does not
    # terminate for gcd(-128, x) in int8 (found building this record; a hang is no xfail).
    binary("gcd", None, np.gcd, dtypes=INTS, bounds={"i": 100.0}),
    binary("lcm", None, np.lcm, dtypes=INTS, bounds={"i": 100.0}),
    KerasOpRecord("ldexp", oracle=lambda x, e: np.ldexp(x, e.astype(np.int64)),
                  sampler=Built(_ldexp), result=floating, float_oracle=True, dtypes=NUMERIC,
                  open_dtypes=("bool",)),
    # -- comparisons and logic (bool results) ----------------------------------------------
    binary("equal", "tf.math.equal", result=boolean, dtypes=ALL),
    binary("not_equal", "tf.math.not_equal", result=boolean, dtypes=ALL),
    binary("less", "tf.math.less", result=boolean, dtypes=ALL),
    binary("less_equal", "tf.math.less_equal", result=boolean, dtypes=ALL),
    binary("greater", "tf.math.greater", result=boolean, dtypes=ALL),
    binary("greater_equal", "tf.math.greater_equal", result=boolean, dtypes=ALL),
    binary("logical_and", "tf.math.logical_and", result=boolean, dtypes=ALL),
    binary("logical_or", "tf.math.logical_or", result=boolean, dtypes=ALL),
    binary("logical_xor", "tf.math.logical_xor", result=boolean, dtypes=ALL),
    binary("isclose", None, np.isclose, result=boolean, dtypes=ALL),
    # -- bitwise (integers) ---------------------------------------------------------------
    binary("bitwise_and", None, np.bitwise_and, dtypes=(*INTS, "bool")),
    binary("bitwise_or", None, np.bitwise_or, dtypes=(*INTS, "bool")),
    binary("bitwise_xor", None, np.bitwise_xor, dtypes=(*INTS, "bool")),
    unary("bitwise_invert", None, np.invert, result=same, grad=None, dtypes=(*INTS, "bool")),
    unary("bitwise_not", None, np.invert, result=same, grad=None, dtypes=(*INTS, "bool")),
    binary("left_shift", None, np.left_shift, dtypes=INTS,
           domains=(None, same_dtype(lambda a: np.abs(a) % 7)), bounds=_BOUNDS_SHIFTS,
           open_dtypes=("bool",)),
    binary("right_shift", None, np.right_shift, dtypes=INTS,
           domains=(None, same_dtype(lambda a: np.abs(a) % 7)), bounds=_BOUNDS_SHIFTS,
           open_dtypes=("bool",)),
    binary("bitwise_left_shift", None, np.left_shift, dtypes=INTS,
           domains=(None, same_dtype(lambda a: np.abs(a) % 7)), bounds=_BOUNDS_SHIFTS,
           open_dtypes=("bool",)),
    binary("bitwise_right_shift", None, np.right_shift, dtypes=INTS,
           domains=(None, same_dtype(lambda a: np.abs(a) % 7)), bounds=_BOUNDS_SHIFTS,
           open_dtypes=("bool",)),
)  # fmt: skip

__all__ = ["RECORDS", "SIGNED"]
