"""One declarative record per ``keras.ops`` function, checked on every Keras backend.

A Keras record says what the generic properties of ``suites/keras_ops`` need:

- ``name``: the function's name in ``keras.ops`` (``sin`` for ``keras.ops.sin``), looked
  up when called (so a monkeypatched function is the one run), and ``section``, its page
  of the Keras API docs (``numpy``, ``nn``, ``math``, ``linalg``, ``core``, ``image``);
- ``link``: the name of a record of the TensorFlow op database (``tf.math.sin``) whose
  sampler, oracle, value tolerances and gradient domains this record reuses, by name: the
  two records then share one oracle. Without a link, ``sampler`` and ``oracle`` are the
  record's own (NumPy/SciPy in float64, never Keras);
- ``dtypes``: the dtypes declared to run (the others of the backend's universe must
  raise), with per-backend overrides where Keras documents or its backends differ;
- ``result``: the result dtype rule (``same``, ``floating``, ``boolean``, ...) as Keras
  states it: integer inputs of a floating function give ``floatx()`` (float32);
- ``grad``: which arguments to differentiate (``KGrad``), or None;
- ``promotion``: for binary functions, the rule of ``promotion.py`` their result dtype
  follows on mixed input dtypes;
- ``call``: how the arrays are passed, for functions that take a list (``concatenate``).

Importing this module imports NumPy and hypothesis, never TensorFlow or Keras.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import strategies as S
from ..claims import Claim
from ..ops.record import OpRecord, Sample, Sampler
from ..tolerance import Tolerance

DOCS = "https://keras.io/api/ops/"
# keras.ops is Keras 3 (Keras 2 has no such module): its claims do not apply to Keras 2.
KERAS_OPS_VERSIONS = "keras>=3"
FLOATS = ("bfloat16", "float16", "float32", "float64")
SIGNED = ("int8", "int16", "int32", "int64")
INTS = (*SIGNED, "uint8")
NUMERIC = FLOATS + INTS
# The dtypes every Keras backend holds: the two-way dtype check tries each of them. (uint16
# and wider unsigned integers are left out: torch has no such tensors.)
UNIVERSE = (*NUMERIC, "bool")
# JAX runs without x64 under Keras: a float64 or int64 array becomes float32 or int32 on
# conversion (Keras's ``BIT64_TO_BIT32`` rule, "aligned with JAX's default behavior"), so
# those dtypes are not the backend's and are not tried there.
NARROWED = {"jax": ("float64", "int64")}


def available(backend: str) -> tuple[str, ...]:
    """The dtypes of ``UNIVERSE`` that ``backend`` holds as given."""
    return tuple(d for d in UNIVERSE if d not in NARROWED.get(backend, ()))


# -- result dtype rules (as the Keras docs and keras.backend.result_type state them) -------
def same(dtype: str) -> str:
    return dtype


def floating(dtype: str) -> str:
    """Floating functions keep a float dtype; integers and bools give floatx() (float32)."""
    return dtype if dtype in FLOATS else "float32"


def boolean(dtype: str) -> str:
    return "bool"


def index(dtype: str) -> str:
    return "int32"


def summed(dtype: str) -> str:
    """sum/prod/cumsum: bool and narrow integers accumulate in 32 bits, unsigned in uint32."""
    return {"bool": "int32", "int8": "int32", "int16": "int32", "uint8": "uint32"}.get(dtype, dtype)


def bool_as_int(dtype: str) -> str:
    """Arithmetic that has no bool form: bools count as int32 (abs, negative, ...)."""
    return "int32" if dtype == "bool" else dtype


@dataclass(frozen=True)
class KGrad:
    """Which arguments get gradients (by the backend's own autodiff) and where the oracle
    is smooth (maps of drawn arrays, as ``ops.record.Grad.smooth``; None: the linked
    record's maps)."""

    args: tuple[int, ...] = (0,)
    smooth: tuple[Callable[[np.ndarray], np.ndarray] | None, ...] | None = None
    tolerance: dict[str, Tolerance] = field(default_factory=dict)


def _call_plain(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return fn(*args, **kwargs)


def as_list(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """For functions that take a sequence of tensors (concatenate, stack, einsum operands)."""
    return fn(list(args), **kwargs)


@dataclass(frozen=True, eq=False)
class KerasOpRecord:
    name: str
    section: str = "numpy"
    link: str | None = None
    oracle: Callable[..., Any] | None = None
    sampler: Sampler | None = None
    dtypes: tuple[str, ...] = NUMERIC
    dtypes_by_backend: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Dtypes on which Keras documents nothing and the backends disagree (integer inputs of
    # activations): tried by the dtype-support check and recorded in its table, but neither
    # required to run nor to raise, and not value-checked.
    open_dtypes: tuple[str, ...] = ()
    result: Callable[[str], str] = same
    # Integers and bools reach the oracle as float64 (a floating function's true value);
    # otherwise they stay integers (exact, wrapping arithmetic).
    float_oracle: bool = False
    grad: KGrad | None = None
    tolerance: dict[str, Tolerance] = field(default_factory=dict)
    promotion: str | None = None
    # The oracle takes the result dtype as keyword ``dtype`` (it models wrapping integer
    # accumulation, or a result rounded to that dtype).
    oracle_wants_dtype: bool = False
    call: Callable[..., Any] = _call_plain
    signed_zeros: bool = True
    # ``assert_close`` keywords scaled to the sample (result dtype, sample): for results
    # whose rounding error grows with the inputs' magnitude rather than the result's.
    scaled_tolerance: Callable[[str, Sample], dict[str, float]] | None = None
    # What the value claim adds to "matches its oracle", e.g. "like numpy.sinc".
    reference: str = ""

    # -- identity ------------------------------------------------------------------------
    @property
    def qualified(self) -> str:
        return f"keras.ops.{self.name}"

    @property
    def public_name(self) -> str:
        return self.qualified

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")

    @property
    def doc(self) -> str:
        return f"{DOCS}{self.section}/#{self.name}-function"

    def __repr__(self) -> str:
        return self.qualified

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # hypothesis' printer
        printer.text(self.qualified)

    @property
    def fn(self) -> Callable[..., Any]:
        import keras

        return getattr(keras.ops, self.name)

    # -- the linked op-database record ---------------------------------------------------
    @functools.cached_property
    def linked(self) -> OpRecord | None:
        if self.link is None:
            return None
        from .. import ops

        return ops.by_name(self.link)

    @property
    def the_sampler(self) -> Sampler:
        if self.sampler is not None:
            return self.sampler
        assert self.linked is not None, f"{self.qualified}: no sampler and no link"
        return self.linked.sampler

    @property
    def the_oracle(self) -> Callable[..., Any]:
        if self.oracle is not None:
            return self.oracle
        assert self.linked is not None, f"{self.qualified}: no oracle and no link"
        return self.linked.oracle

    def tolerances(self) -> dict[str, Tolerance]:
        linked = dict(self.linked.tolerance) if self.linked is not None else {}
        return {**linked, **self.tolerance}

    def smooth_maps(self) -> tuple[Callable[[np.ndarray], np.ndarray] | None, ...]:
        if self.grad is not None and self.grad.smooth is not None:
            return self.grad.smooth
        if self.linked is not None and self.linked.grad is not None:
            return self.linked.grad.smooth
        return ()

    # -- claims --------------------------------------------------------------------------
    @functools.cached_property
    def value_claim(self) -> Claim:
        like = f" {self.reference}" if self.reference else ""
        via = f" (the oracle of {self.link})" if self.link and not self.oracle else ""
        return Claim(
            f"keras_ops.{self.slug}",
            f"{self.qualified} gives the values{like}{via}, the result dtype Keras documents "
            "and the NumPy shape, for every declared dtype, on every Keras backend.",
            self.doc,
            applies=KERAS_OPS_VERSIONS,
        )

    @functools.cached_property
    def dtype_claim(self) -> Claim:
        return Claim(
            f"keras_ops.{self.slug}-dtypes",
            f"{self.qualified} runs on each dtype declared for the backend and raises on every "
            "other dtype of the Keras dtype universe (never a silent result).",
            self.doc,
            applies=KERAS_OPS_VERSIONS,
        )

    @functools.cached_property
    def gradient_claim(self) -> Claim:
        return Claim(
            f"keras_ops.{self.slug}-gradient",
            f"The backend's reverse-mode gradient of {self.qualified} matches float64 central "
            "finite differences of its oracle.",
            self.doc,
            applies=KERAS_OPS_VERSIONS,
        )

    @functools.cached_property
    def promotion_claim(self) -> Claim:
        return Claim(
            f"keras_ops.{self.slug}-promotion",
            f"{self.qualified} on two different input dtypes returns the dtype of Keras's "
            f"type promotion lattice ({self.promotion} rule) and the oracle's values.",
            "https://keras.io/api/utils/config_utils/#resulttype-function",
            applies=KERAS_OPS_VERSIONS,
        )

    # -- dtypes --------------------------------------------------------------------------
    def declared(self, backend: str) -> tuple[str, ...]:
        wanted = self.dtypes_by_backend.get(backend, self.dtypes)
        return tuple(d for d in wanted if d in available(backend))

    def open_on(self, backend: str) -> tuple[str, ...]:
        return tuple(d for d in self.open_dtypes if d in available(backend))

    def all_declared(self) -> tuple[str, ...]:
        every = [self.dtypes, *self.dtypes_by_backend.values()]
        return tuple(dict.fromkeys(d for group in every for d in group))

    # -- oracle --------------------------------------------------------------------------
    def oracle_inputs(self, args: tuple[np.ndarray, ...], dtype: str) -> list[np.ndarray]:
        """Float64 values of the inputs; for a floating function, integers and bools first
        rounded to the result dtype (Keras casts them before computing)."""
        out = []
        for a in args:
            a = np.asarray(a)
            if a.dtype.kind in "fcV":
                out.append(S.as_float64(a))
            elif self.float_oracle and a.dtype.kind in "biu":
                wide = self.result(dtype)
                cast = a.astype(S.numpy_dtype(wide)) if wide in FLOATS else a
                out.append(S.as_float64(cast))
            else:
                out.append(a)
        return out

    def expected(self, dtype: str, sample: Sample) -> np.ndarray:
        args = self.oracle_inputs(sample.args, dtype)
        kwargs = dict(sample.kwargs)
        if self.oracle_wants_dtype:
            kwargs["dtype"] = self.result(dtype)
        with np.errstate(all="ignore"):
            value = self.the_oracle(*args, **kwargs)
        # Functions with several results (split, meshgrid, moments) give a list or tuple.
        return value if isinstance(value, list | tuple) else np.asarray(value)
