"""tf.random: functions without a value oracle, checked by their documented properties
(``record.Random``): the result's dtype and shape, its support (uniform in [minval,
maxval), truncated normal within two standard deviations, categorical in [0, classes) and
never a class of logit -inf, binomial in [0, counts], gamma and poisson >= 0, shuffle a
permutation, ...), and for the stateless functions determinism (documented: the same
seed and arguments give the same values on the same hardware) and seed sensitivity.

Stateful functions (uniform, normal, shuffle, ...) get an op seed; their documented
repetition needs ``tf.random.set_seed`` before each call sequence, which graph modes do
not replay, so only their support is claimed.

Each sample is ``(seed, dtype-bearing parameters...)`` with the shape a Python constant;
the record's dtype is the parameters' (the sampled dtype), so two-way dtype support is
checked as for any op. The oracle gives an array of the expected shape only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from .. import strategies as S
from .misc_samplers import Built
from .record import API, FLOATS, OpRecord, Random, Sample

F32_64 = ("float32", "float64")


def _tf() -> Any:
    import tensorflow as tf

    return tf


def _scalar(value: float, dtype: str) -> np.ndarray:
    return np.asarray(value).astype(S.numpy_dtype(dtype))


ParamsFn = Callable[[Any, str], tuple[np.ndarray, ...]]  # (draw or rng-backed draw, dtype)


def seeded(params: ParamsFn, shape: bool = True, seed: bool = True,
           kwargs: dict[str, Any] | None = None) -> Built:  # fmt: skip
    """``(seed?, *params(dtype))`` and the ``shape`` constant (drawn; ``(length,)`` for the
    reference sample); ``params`` draws with a hypothesis ``draw`` or, for reference
    samples, the same function over a NumPy generator (``_RngDraw``)."""

    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        head = (np.asarray(draw_(st.lists(st.integers(0, 2**31 - 1), min_size=2, max_size=2)),
                           dtype=np.int64),) if seed else ()  # fmt: skip
        extra = dict(kwargs or {})
        if shape:
            extra["shape"] = tuple(draw_(S.shapes(0, 2, 0, 5)))
        return Sample((*head, *params(draw_, dtype)), tuple(extra.items()))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        head = (rng.integers(0, 2**31 - 1, size=2).astype(np.int64),) if seed else ()
        extra = dict(kwargs or {})
        if shape:
            extra["shape"] = (length,)
        return Sample((*head, *params(_RngDraw(rng), dtype)), tuple(extra.items()))

    return Built(draw, build)


class _RngDraw:
    """A ``draw`` over a NumPy generator for the strategies ``params`` uses (sampled_from,
    integers, floats): the reference samples share the parameter code of the drawn ones."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def __call__(self, strategy: Any) -> Any:
        return _pick(strategy, self.rng)


def _pick(strategy: Any, rng: np.random.Generator) -> Any:
    spec = getattr(strategy, "_tf2conf", None)
    if spec is None:
        raise TypeError(f"no reference draw for {strategy!r}")
    kind, a, b = spec
    if kind == "ints":
        return int(rng.integers(a, b, endpoint=True))
    if kind == "floats":
        return float(rng.uniform(a, b))
    return a[int(rng.integers(0, len(a)))]


def ints(lo: int, hi: int) -> Any:
    strategy = st.integers(lo, hi)
    strategy._tf2conf = ("ints", lo, hi)  # type: ignore[attr-defined]
    return strategy


def floats(lo: float, hi: float) -> Any:
    strategy = st.floats(lo, hi)
    strategy._tf2conf = ("floats", lo, hi)  # type: ignore[attr-defined]
    return strategy


def one_of(*values: Any) -> Any:
    strategy = st.sampled_from(values)
    strategy._tf2conf = ("one_of", values, None)  # type: ignore[attr-defined]
    return strategy


def _reseed(sample: Sample) -> Sample:
    seed = sample.args[0].copy()
    seed[1] = seed[1] + 1
    return Sample((seed, *sample.args[1:]), sample.kwargs)


def _shaped(*_: Any, shape: tuple[int, ...] = (), **__: Any) -> np.ndarray:
    return np.zeros(shape)


def _check(condition: Any, what: str) -> None:
    assert np.all(condition), f"outside the documented support: {what}"


# -- parameters and invariants ---------------------------------------------------------------
def _range(draw_: Any, dtype: str) -> tuple[np.ndarray, ...]:
    if dtype in FLOATS:
        lo = draw_(one_of(-10.0, 0.0, 1.5))
        return _scalar(lo, dtype), _scalar(lo + draw_(one_of(0.5, 1.0, 8.0)), dtype)
    lo = draw_(ints(-100, 100))
    return _scalar(lo, dtype), _scalar(lo + draw_(ints(2, 50)), dtype)


def _in_range(x: np.ndarray, lo: Any, hi: Any, **_: Any) -> None:
    # Documented [minval, maxval); TF 2.21 computes minval + u * (maxval - minval) in the
    # result dtype, which rounds up to maxval now and then (measured with seed [0, 0] on
    # [-10, -9.5): 6140 of 10^5 bfloat16 values, 745 float16, 1 float32). Floats are held
    # to the closed interval here; the open end is a deviation reported for its own claim.
    if x.dtype.kind == "f":
        _check((x >= lo) & (x <= hi), f"[{lo}, {hi}] (the open end: a known rounding deviation)")
    else:
        _check((x >= lo) & (x < hi), f"[{lo}, {hi})")


def _moments(draw_: Any, dtype: str) -> tuple[np.ndarray, ...]:
    return _scalar(draw_(one_of(0.0, -3.0, 2.5)), dtype), _scalar(draw_(one_of(1.0, 0.5)), dtype)


def _normal(x: np.ndarray, mean: Any, stddev: Any, **_: Any) -> None:
    _check(np.isfinite(x), "finite")
    if x.size >= 256:  # the sample mean within 6 standard errors (~1e-9 to fail by chance)
        err = abs(float(np.mean(x.astype(np.float64))) - float(mean))
        _check(err <= 6 * float(stddev) / np.sqrt(x.size), f"mean {mean}")


def _truncated(x: np.ndarray, mean: Any, stddev: Any, **_: Any) -> None:
    # Documented: values more than 2 stddev from the mean are dropped and re-picked; the
    # slack is the result's rounding (half precision).
    slack = 1e-2 if x.dtype.itemsize <= 2 else 1e-6
    _check(np.abs(x.astype(np.float64) - mean) <= 2 * stddev * (1 + slack), "mean +- 2 stddev")


def _logits(draw_: Any, dtype: str) -> tuple[np.ndarray, ...]:
    batch, classes = draw_(ints(1, 3)), draw_(ints(1, 5))
    values = [[draw_(one_of(0.0, 1.0, -2.0, -np.inf)) for _ in range(classes)]
              for _ in range(batch)]  # fmt: skip
    logits = np.asarray(values)
    logits[:, 0] = 0.0  # each row has a class that can be drawn
    return (logits.astype(S.numpy_dtype(dtype)),)


def _categorical(x: np.ndarray, logits: np.ndarray, **_: Any) -> None:
    _check((x >= 0) & (x < logits.shape[1]), "[0, num_classes)")
    drawn = np.take_along_axis(logits, np.clip(x, 0, logits.shape[1] - 1).astype(np.int64), 1)
    _check(np.isfinite(drawn), "never a class of logit -inf")


def _categorical_shape(*args: np.ndarray, num_samples: int = 1) -> np.ndarray:
    # (seed?, logits): the logits come last.
    return np.zeros((args[-1].shape[0], num_samples))


def _binomial_params(draw_: Any, dtype: str) -> tuple[np.ndarray, ...]:
    return _scalar(draw_(one_of(0.0, 1.0, 7.0, 40.0)), dtype), _scalar(
        draw_(one_of(0.0, 0.3, 1.0)), dtype)  # fmt: skip


def _binomial(x: np.ndarray, counts: Any, probs: Any, **_: Any) -> None:
    _check((x >= 0) & (x <= counts), f"[0, counts={counts}]")
    if probs == 0:
        _check(x == 0, "0 where probs is 0")
    if probs == 1:
        _check(x == counts, "counts where probs is 1")


def _gamma_params(draw_: Any, dtype: str) -> tuple[np.ndarray, ...]:
    return _scalar(draw_(one_of(0.5, 1.0, 4.0)), dtype), _scalar(draw_(one_of(1.0, 2.0)), dtype)


def _non_negative(x: np.ndarray, *_: Any, **__: Any) -> None:
    _check(np.isfinite(x) & (x >= 0), ">= 0 and finite")


def _lam(draw_: Any, dtype: str) -> tuple[np.ndarray, ...]:
    return (_scalar(draw_(one_of(0.0, 0.5, 3.0, 20.0)), dtype),)


def _poisson(x: np.ndarray, lam: Any, **_: Any) -> None:
    _check((x >= 0) & (x == np.round(x)), "non-negative integers")
    if lam == 0:
        _check(x == 0, "0 where lam is 0")


def _bounds(draw_: Any, dtype: str) -> tuple[np.ndarray, ...]:
    mean, std = _moments(draw_, dtype)
    lo = draw_(one_of(-1.0, 0.0, 2.0))
    return mean, std, _scalar(lo, dtype), _scalar(lo + draw_(one_of(0.5, 3.0)), dtype)


def _within(x: np.ndarray, mean: Any, std: Any, lo: Any, hi: Any, **_: Any) -> None:
    slack = 1e-2 if x.dtype.itemsize <= 2 else 1e-6
    _check((x >= lo - slack) & (x <= hi + slack), f"[{lo}, {hi}]")


def _seed_only(draw_: Any, dtype: str) -> tuple[np.ndarray, ...]:
    # Small seeds: representable in every dtype (split and fold_in cast the seed).
    return (np.asarray([draw_(ints(0, 100)), draw_(ints(0, 100))]).astype(S.numpy_dtype(dtype)),)


def _any(x: np.ndarray, *_: Any, **__: Any) -> None:
    """No support beyond the dtype and shape (new seeds: any values)."""


def _value(draw_: Any, dtype: str) -> tuple[np.ndarray, ...]:
    rows = draw_(ints(0, 6))
    values = [[draw_(ints(-50, 50)) for _ in range(2)] for _ in range(rows)]
    return (np.asarray(values, dtype=np.int64).reshape(rows, 2).astype(S.numpy_dtype(dtype)),)


def _permutation(x: np.ndarray, value: np.ndarray, **_: Any) -> None:
    # Documented: the value shuffled along its first dimension (rows kept whole).
    def rows(a: np.ndarray) -> list[str]:  # rows as text: complex values do not order
        width = int(np.prod(a.shape[1:], dtype=np.int64))
        return sorted(repr(r) for r in a.reshape(a.shape[0], width).tolist())

    _check(x.shape == value.shape and rows(x) == rows(value), "a permutation of the rows")


# -- calls -----------------------------------------------------------------------------------
def _call(name: str, body: Callable[..., Any]) -> Callable[..., Any]:
    body.__name__ = body.__qualname__ = name
    return body


R = _tf  # short alias in the call bodies below


def _stateless_uniform(seed: Any, lo: Any, hi: Any, shape: tuple[int, ...]) -> Any:
    return R().random.stateless_uniform(shape, seed, minval=lo, maxval=hi, dtype=lo.dtype)


def _stateless_normal(seed: Any, mean: Any, std: Any, shape: tuple[int, ...]) -> Any:
    return R().random.stateless_normal(shape, seed, mean=mean, stddev=std, dtype=mean.dtype)


def _stateless_truncated(seed: Any, mean: Any, std: Any, shape: tuple[int, ...]) -> Any:
    return R().random.stateless_truncated_normal(shape, seed, mean=mean, stddev=std,
                                                 dtype=mean.dtype)  # fmt: skip


def _stateless_categorical(seed: Any, logits: Any, num_samples: int = 3) -> Any:
    return R().random.stateless_categorical(logits, num_samples, seed)


def _stateless_binomial(seed: Any, counts: Any, probs: Any, shape: tuple[int, ...]) -> Any:
    return R().random.stateless_binomial(shape, seed, counts, probs)


def _stateless_gamma(seed: Any, alpha: Any, beta: Any, shape: tuple[int, ...]) -> Any:
    return R().random.stateless_gamma(shape, seed, alpha, beta, dtype=alpha.dtype)


def _stateless_poisson(seed: Any, lam: Any, shape: tuple[int, ...]) -> Any:
    return R().random.stateless_poisson(shape, seed, lam, dtype=lam.dtype)


def _stateless_ptn(seed: Any, mean: Any, std: Any, lo: Any, hi: Any,
                   shape: tuple[int, ...]) -> Any:  # fmt: skip
    return R().random.stateless_parameterized_truncated_normal(shape, seed, mean, std, lo, hi)


def _split(seed: Any, num: int = 3) -> Any:
    return R().random.split(seed, num)


def _fold_in(seed: Any, data: int = 7) -> Any:
    return R().random.fold_in(seed, data)


OP_SEED = 1234


def _uniform(lo: Any, hi: Any, shape: tuple[int, ...]) -> Any:
    return R().random.uniform(shape, lo, hi, dtype=lo.dtype, seed=OP_SEED)


def _normal_call(mean: Any, std: Any, shape: tuple[int, ...]) -> Any:
    return R().random.normal(shape, mean, std, dtype=mean.dtype, seed=OP_SEED)


def _truncated_call(mean: Any, std: Any, shape: tuple[int, ...]) -> Any:
    return R().random.truncated_normal(shape, mean, std, dtype=mean.dtype, seed=OP_SEED)


def _categorical_call(logits: Any, num_samples: int = 3) -> Any:
    return R().random.categorical(logits, num_samples, seed=OP_SEED)


def _gamma_call(alpha: Any, beta: Any, shape: tuple[int, ...]) -> Any:
    return R().random.gamma(shape, alpha, beta, dtype=alpha.dtype, seed=OP_SEED)


def _poisson_call(lam: Any, shape: tuple[int, ...]) -> Any:
    return R().random.poisson(shape, lam, dtype=lam.dtype, seed=OP_SEED)


def _shuffle(value: Any) -> Any:
    return R().random.shuffle(value, seed=OP_SEED)


def _after_seed(invariant: Callable[..., None]) -> Callable[..., None]:
    def check(x: np.ndarray, seed: np.ndarray, *params: Any, **kw: Any) -> None:
        invariant(x, *params, **kw)

    return check


def _record(name: str, fn: Callable[..., Any], sampler: Built, dtypes: tuple[str, ...],
            invariant: Callable[..., None], stateless: bool = True,
            oracle: Callable[..., Any] = _shaped, deterministic_reseed: bool = False,
            xla: tuple[str, ...] | None = None, reseed: bool = True,
            reseed_min_size: int = 64, **kw: Any) -> OpRecord:  # fmt: skip
    """``stateless``: deterministic, and seed-sensitive unless ``reseed`` is false (the
    discrete ones, whose parameters may leave one possible value); the seed is the first
    argument. A new seed must change a result of ``reseed_min_size`` elements (64 draws
    of two or more equally likely values coincide with probability <= 2^-63).
    ``xla``: the dtypes XLA compiles, where they differ from ``dtypes``."""
    if stateless:  # the seed comes first: the invariant sees the parameters only
        invariant = _after_seed(invariant)
    random = Random(invariant, deterministic=stateless or deterministic_reseed,
                    reseed=_reseed if reseed and (stateless or deterministic_reseed) else None,
                    reseed_min_size=reseed_min_size)  # fmt: skip
    if xla is not None:
        kw["dtypes_by_target"] = {"CPU-xla": xla}
    fn.__name__ = fn.__qualname__ = name
    return OpRecord(name=f"tf.random.{name}", fn=fn, oracle=oracle, sampler=sampler,
                    dtypes=dtypes, doc=f"{API}tf/random/{name}", random=random, **kw)  # fmt: skip


UNIFORM_TYPES = (*FLOATS, "int32", "int64")
NO_BF16 = ("float16", "float32", "float64")
SEEDS = ("int32", "int64")
POISSON_TYPES = (*NO_BF16, "int32", "int64")
ALL = (*FLOATS, "complex64", "complex128", *S.INT_DTYPES, "bool")
RECORDS: tuple[OpRecord, ...] = (
    _record("stateless_uniform", _stateless_uniform, seeded(_range), UNIFORM_TYPES, _in_range),
    _record("stateless_normal", _stateless_normal, seeded(_moments), FLOATS, _normal),
    _record("stateless_truncated_normal", _stateless_truncated, seeded(_moments), FLOATS,
            _truncated),
    _record("stateless_categorical", _stateless_categorical,
            seeded(_logits, shape=False, kwargs={"num_samples": 8}), FLOATS, _categorical,
            oracle=_categorical_shape, result="int64", xla=(), reseed=False),
    _record("stateless_binomial", _stateless_binomial, seeded(_binomial_params), NO_BF16,
            _binomial, result="int32", xla=(), reseed=False),
    _record("stateless_gamma", _stateless_gamma, seeded(_gamma_params), NO_BF16,
            _non_negative, xla=()),
    # An integer lam is cast (the result dtype is lam's here).
    _record("stateless_poisson", _stateless_poisson, seeded(_lam), POISSON_TYPES, _poisson,
            xla=(), reseed=False),
    _record("stateless_parameterized_truncated_normal", _stateless_ptn, seeded(_bounds),
            NO_BF16, _within, xla=()),
    # Seeds of shape [2], int32 or int64 (documented; under XLA int32 only). fold_in's
    # result has the dtype of its data (a Python int: int32), as documented.
    _record("split", _split, seeded(_seed_only, seed=False, shape=False), SEEDS, _any,
            oracle=lambda seed, num=3: np.zeros((num, 2)), deterministic_reseed=True,
            reseed_min_size=2, xla=("int32",)),
    _record("fold_in", _fold_in, seeded(_seed_only, seed=False, shape=False), SEEDS, _any,
            oracle=lambda seed, data=7: np.zeros(2), deterministic_reseed=True,
            reseed_min_size=2, result="int32", xla=("int32",)),
    _record("uniform", _uniform, seeded(_range, seed=False), UNIFORM_TYPES, _in_range,
            stateless=False),
    _record("normal", _normal_call, seeded(_moments, seed=False), FLOATS, _normal,
            stateless=False),
    _record("truncated_normal", _truncated_call, seeded(_moments, seed=False), FLOATS,
            _truncated, stateless=False, xla=F32_64),
    _record("categorical", _categorical_call, seeded(_logits, seed=False, shape=False,
                                                     kwargs={"num_samples": 8}),
            FLOATS, _categorical, stateless=False, oracle=_categorical_shape, result="int64"),
    _record("gamma", _gamma_call, seeded(_gamma_params, seed=False), NO_BF16, _non_negative,
            stateless=False, xla=()),
    _record("poisson", _poisson_call, seeded(_lam, seed=False), POISSON_TYPES, _poisson,
            stateless=False, xla=()),
    _record("shuffle", _shuffle, seeded(_value, seed=False, shape=False), ALL, _permutation,
            stateless=False,
            oracle=lambda value: np.zeros(value.shape)),
)  # fmt: skip
