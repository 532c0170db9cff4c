"""One declarative record per public TensorFlow function, and how its samples are drawn.

A record says what the generic properties of ``suites/ops`` need to check the function on
every target, and nothing else:

- ``name`` (the public name, ``tf.math.sin``) and ``fn`` (the function itself);
- ``oracle``: the independent expected value, NumPy/SciPy on float64 (complex128) inputs or
  the exact integers, never TensorFlow; it gets the sample's keyword arguments too;
- ``sampler``: a hypothesis strategy of small samples (edge cases on purpose) and reference
  samples at kernel widths and multithreaded sizes (``samplers.py``);
- ``dtypes``: the dtypes declared supported, with per-target overrides (``"CPU"``,
  ``"GPU"``, ``"CPU-xla"``): each declared dtype must run, each other one must raise;
- ``grad``: how to check gradients (which arguments, where the function is smooth), or
  None for functions that are not differentiable;
- ``errors``: documented error inputs and the error class they raise;
- tolerances per dtype, the result dtype rule, the doc link and the claim wording.

Two additive extensions serve namespaces beyond numeric math:

- string dtype: a record may declare ``"string"`` (``STRING``) among its dtypes. Its
  samples are NumPy object arrays of ``bytes`` (converted to ``tf.string``); results are
  compared exactly, element by element. ``"string"`` is not in the numeric ``UNIVERSE``:
  the dtype-support check tries the universe plus the extra dtypes a record declares, so
  a string op must run on strings and raise on every numeric dtype (its sampler gives
  numeric arrays of the same layout for those);
- ``random``: for functions without a value oracle (random sampling, ``ops/random.py``)
  a ``Random`` replaces the value comparison: the oracle then gives only an array of the
  expected shape (its values are ignored), the result's dtype and shape are checked as
  usual, ``Random.invariant`` asserts the documented support (a range, a permutation, ...)
  and, for deterministic (stateless, seeded) functions, a second call with the same
  arguments must give the identical result and a call with another seed
  (``Random.reseed``) a different one.

Adding an op is adding one record to the module of its namespace (``ops/math.py``, ...).
Known deviations stay in the expectations mechanism, never in a record.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from ..claims import Claim
from ..oracles import COMPLEX, FLOATS, INTS, NUMERIC, SIGNED, UNSIGNED  # noqa: F401 (the dtype groups)
from ..tolerance import Tolerance

API = "https://www.tensorflow.org/api_docs/python/"

# Every dtype the two-way support check tries: the declared ones must run, the rest raise.
UNIVERSE = (*NUMERIC, "bool")
# The string dtype (tf.string; NumPy object arrays of bytes): declared by string records
# only, and then tried by the support check besides the UNIVERSE.
STRING = "string"


@dataclass(frozen=True)
class Sample:
    """The arguments of one call: arrays (passed as tensors) and Python constants (baked
    into the traced function, like a user's ``axis=1``)."""

    args: tuple[np.ndarray, ...]
    kwargs: tuple[tuple[str, Any], ...] = ()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # hypothesis' printer
        printer.text(repr(self))

    def __repr__(self) -> str:  # hypothesis prints this in a falsifying example
        parts = [f"array({np.asarray(a).tolist()!r}, dtype={a.dtype.name})" for a in self.args]
        parts += [f"{k}={v!r}" for k, v in self.kwargs]
        text = f"Sample({', '.join(parts)})"
        if len(text) <= 2000:
            return text
        shapes = ", ".join(f"{a.dtype.name}{list(a.shape)}" for a in self.args)
        return f"Sample(<{shapes}>, {dict(self.kwargs)!r})"


class Sampler(Protocol):
    """How a record's samples are drawn (see ``samplers.py``)."""

    def strategy(
        self, dtype: str, small: bool = False, bucketed: bool = False
    ) -> st.SearchStrategy[Sample]:
        """Samples for properties; ``small`` for gradients (finite differences per element),
        ``bucketed`` for XLA (a few fixed shapes: one compilation each)."""

    def reference(self, dtype: str, length: int, rng: np.random.Generator) -> Sample:
        """One deterministic sample whose main dimension has ``length`` elements."""


@dataclass(frozen=True)
class Grad:
    """How to check a differentiable record: which arguments get gradients, with which
    dtypes, and where the oracle is smooth enough for central finite differences."""

    args: tuple[int, ...] = (0,)
    dtypes: tuple[str, ...] = ("float32", "float64")
    # Argument values where the derivative is documented or easy to get wrong (0 for a
    # function whose formula divides by x): checked every run, besides the drawn samples.
    points: tuple[tuple[float, ...], ...] = ()
    # Per-argument maps of drawn arrays into the smooth region (away from kinks and poles).
    smooth: tuple[Callable[[np.ndarray], np.ndarray] | None, ...] = ()
    # gradient tolerance per dtype (rounding of the forward pass and of its adjoint)
    tolerance: dict[str, Tolerance] = field(default_factory=dict)


@dataclass(frozen=True)
class ErrorCase:
    """A documented error input: ``build(dtype) -> Sample`` raises ``error`` (a name in
    ``tf.errors`` or a builtin exception name) in every mode.

    ``traced_error``: where the bad value is a Python constant of the call (an ``axis``),
    tf.function and XLA see it while tracing, and TensorFlow's shape functions raise
    ValueError then (graphs are built before they run); eagerly the kernel raises ``error``.
    """

    what: str
    build: Callable[[str], Sample]
    error: str
    dtype: str = "float32"
    traced_error: str | None = None

    def error_in(self, mode: str) -> str:
        return self.traced_error if self.traced_error and mode != "eager" else self.error


@dataclass(frozen=True)
class Random:
    """How to check a function whose values have no oracle (random sampling).

    ``invariant(result, *args, **kwargs)`` (a NumPy result, the oracle's arguments) raises
    AssertionError where the result leaves its documented support. With
    ``deterministic`` (stateless ops, and seeded ones documented to repeat), two calls with
    the same arguments give identical results; ``reseed(sample)`` gives the same call with
    another seed, whose result must differ where it has at least ``reseed_min_size``
    elements (fewer could coincide by chance).
    """

    invariant: Callable[..., None]
    deterministic: bool = True
    reseed: Callable[[Sample], Sample] | None = None
    reseed_min_size: int = 16


GRADIENT_TOLERANCES = {
    "float32": Tolerance(rtol=2e-4, atol=2e-5),
    "float64": Tolerance(rtol=1e-7, atol=1e-9),
}


@dataclass(frozen=True, eq=False)
class OpRecord:
    name: str
    fn: Callable[..., Any]
    oracle: Callable[..., Any]
    sampler: Sampler
    dtypes: tuple[str, ...]
    doc: str
    # What the value claim says beyond "matches its oracle", e.g. "like numpy.sin".
    reference: str = ""
    dtypes_by_target: dict[str, tuple[str, ...]] = field(default_factory=dict)
    grad: Grad | None = None
    errors: tuple[ErrorCase, ...] = ()
    tolerance: dict[str, Tolerance] = field(default_factory=dict)
    # "same" (the inputs' dtype), a dtype name, or a map input dtype -> result dtype
    result: str | dict[str, str] = "same"
    signed_zeros: bool = True
    # The oracle takes the dtype name as keyword ``dtype`` (it models the result's rounding).
    oracle_wants_dtype: bool = False
    # An existing claim id to keep (rows that moved in from the eager op table).
    claim_id: str | None = None
    # Argument values checked every run for each declared dtype (edge cases a draw may
    # miss), besides the drawn and reference samples; e.g. a tiny complex number for sign.
    points: tuple[tuple[Any, ...], ...] = ()
    # Functions without a value oracle (random sampling): what is checked instead.
    random: Random | None = None
    # Graph modes trace this record once per concrete shape (as tf.function does without an
    # input signature) instead of once per rank with every dimension None, and its eager
    # forward-mode gradients use exact shapes: for functions whose Python code or gradient
    # needs static shapes (tf.linalg.eigh_tridiagonal, the SVD and QR gradients, the
    # forward mode of SpaceToBatchND).
    static_shapes: bool = False

    # -- identity ------------------------------------------------------------------------
    @property
    def namespace(self) -> str:
        """``math`` for tf.math.sin, ``tf`` for top-level functions such as tf.concat."""
        parts = self.name.split(".")
        return parts[1] if len(parts) > 2 else "tf"

    @property
    def public_name(self) -> str:
        """The function's public name; a release without it skips the record."""
        return self.name

    @property
    def short(self) -> str:
        """Test-id form: ``math.sin``."""
        return self.name.removeprefix("tf.")

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.short.lower()).strip("-")

    def __repr__(self) -> str:
        return self.name

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # hypothesis' printer
        printer.text(self.name)

    # -- claims --------------------------------------------------------------------------
    @functools.cached_property
    def value_claim(self) -> Claim:
        like = f" {self.reference}" if self.reference else ""
        return Claim(
            self.claim_id or f"ops.{self.slug}",
            f"{self.name} gives the values{like}, the dtype and the shape its documentation "
            "states, for every declared dtype.",
            self.doc,
        )

    @functools.cached_property
    def dtype_claim(self) -> Claim:
        return Claim(
            f"ops.{self.slug}-dtypes",
            f"{self.name} runs on each dtype declared for the target and raises a TensorFlow "
            "error (never a silent result) on every other dtype.",
            self.doc,
        )

    @functools.cached_property
    def gradient_claim(self) -> Claim:
        return Claim(
            f"ops.{self.slug}-gradient",
            f"The reverse-mode gradient of {self.name} matches float64 central finite "
            "differences of its oracle, and forward mode agrees with reverse mode.",
            self.doc,
        )

    @functools.cached_property
    def error_claim(self) -> Claim:
        return Claim(
            f"ops.{self.slug}-errors",
            f"{self.name} rejects its documented error inputs with the documented error class.",
            self.doc,
        )

    # -- dtypes --------------------------------------------------------------------------
    def declared(self, device_type: str, mode: str) -> tuple[str, ...]:
        for key in (f"{device_type}-{mode}", device_type):
            if key in self.dtypes_by_target:
                return self.dtypes_by_target[key]
        return self.dtypes

    def all_declared(self) -> tuple[str, ...]:
        """Every dtype declared for some target (the value properties' parametrization)."""
        every = [self.dtypes, *self.dtypes_by_target.values()]
        return tuple(dict.fromkeys(d for group in every for d in group))

    def result_dtype(self, dtype: str) -> str:
        if self.result == "same":
            return dtype
        if isinstance(self.result, str):
            return self.result
        return self.result.get(dtype, dtype)

    def compare_signed_zeros(self, dtype: str) -> bool:
        return self.signed_zeros and dtype not in COMPLEX

    # -- calling -------------------------------------------------------------------------
    def bound(self, kwargs: tuple[tuple[str, Any], ...]) -> Callable[..., Any]:
        """``fn`` with the sample's Python constants bound, the same object for the same
        constants (compiled functions are cached by identity: one trace per dtype x rank)."""
        return _bound(self.fn, kwargs)

    def expected(self, dtype: str, sample: Sample) -> np.ndarray:
        """The oracle's value for ``sample`` (computed once per distinct sample)."""
        return _expected(self, dtype, sample)


@functools.cache
def _bound(fn: Callable[..., Any], kwargs: tuple[tuple[str, Any], ...]) -> Callable[..., Any]:
    import tensorflow as tf  # called while tests run, never at import

    bound = functools.partial(fn, **dict(kwargs)) if kwargs else fn
    if bound is not fn:
        functools.update_wrapper(bound, fn)
    # Records are traced as written, not converted by AutoGraph (the graph suite checks
    # AutoGraph): AutoGraph re-parses a lambda from its source line and picks the wrong one
    # where a line holds two lambdas of a record (fn and oracle).
    return tf.autograph.experimental.do_not_convert(bound)


def oracle_args(dtype: str, arrays: tuple[np.ndarray, ...]) -> list[np.ndarray]:
    """Float64 (complex128) values of the dtype-rounded inputs; integers and bools as they are."""
    return [S.as_float64(a) if a.dtype.kind in "fcV" or a.dtype.name == "bfloat16" else a
            for a in arrays]  # fmt: skip


# Oracles are computed once per distinct sample: the same derandomized examples come back
# on every target, and NumPy/SciPy in float64 costs more than the op under test.
_ORACLE_CACHE: dict[tuple[Any, ...], np.ndarray] = {}
_ORACLE_CACHE_LIMIT = 4096


def _sample_key(sample: Sample) -> tuple[Any, ...]:
    # Object arrays (strings) by value: their bytes are pointers, which a later array reuses.
    return (
        tuple(
            (a.dtype.name, a.shape, repr(a.tolist()) if a.dtype.kind == "O" else a.tobytes())
            for a in sample.args
        )
        + sample.kwargs
    )


def _expected(record: OpRecord, dtype: str, sample: Sample) -> np.ndarray:
    small = sum(a.size for a in sample.args) <= 4096
    key = (record.name, dtype, _sample_key(sample)) if small else None
    if key is not None and key in _ORACLE_CACHE:
        return _ORACLE_CACHE[key]
    kwargs = dict(sample.kwargs)
    if record.oracle_wants_dtype:
        kwargs["dtype"] = dtype
    with np.errstate(all="ignore"):
        value = np.asarray(record.oracle(*oracle_args(dtype, sample.args), **kwargs))
    if key is not None:
        if len(_ORACLE_CACHE) >= _ORACLE_CACHE_LIMIT:
            _ORACLE_CACHE.clear()
        _ORACLE_CACHE[key] = value
    return value


def check_dtype_support(
    what: str, table: dict[str, str], declared: tuple[str, ...], open_: tuple[str, ...] = ()
) -> None:
    """Two-way dtype support of ``what`` from its outcome per dtype (``"runs"`` or why not):
    every declared dtype runs, every other dtype (but the ``open_`` ones, declared neither
    way) raises. Shared by the op database and the keras.ops records."""
    missing = [d for d in declared if table[d] != "runs"]
    silent = [d for d in table if d not in declared and d not in open_ and table[d] == "runs"]
    problems = []
    if missing:
        problems.append(f"declared but failing: {', '.join(f'{d} ({table[d]})' for d in missing)}")
    if silent:
        problems.append(f"undeclared but running: {', '.join(silent)}")
    assert not problems, f"{what}: " + "; ".join(problems)
