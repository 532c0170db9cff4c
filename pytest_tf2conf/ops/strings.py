"""tf.strings: exact Python rules on ``bytes`` as the oracle (``str``/``bytes`` methods,
``re`` for the patterns RE2 and Python read alike, ``codecs`` for the Unicode ops).

String results compare exactly. Functions returning a RaggedTensor are wrapped into one
dense tensor (``to_tensor`` with a pad value no drawn string contains) and the oracle pads
alike. None of these functions has an XLA kernel (XLA has no string type): under XLA they
declare no dtype. Hash functions (``to_hash_bucket*``) are left out: their values come from
Fingerprint64/SipHash implementations with no independent oracle here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from .misc_samplers import (
    ASCII,
    UNICODE,
    Built,
    as_strings,
    draw_texts,
    numeric_in_place,
    padded,
    rng_texts,
)
from .record import API, NUMERIC, STRING, OpRecord, Sample
from .samplers import random_array
from .sizes import small_shapes

NO_XLA = {"CPU-xla": ()}
PAD = b"<pad>"  # contains "<", which no drawn string does


def _strings(fn_name: str) -> Callable[..., Any]:
    """tf.strings.``fn_name``, looked up when called (a monkeypatched one included)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        import tensorflow as tf

        return getattr(tf.strings, fn_name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = fn_name
    return call


def _ragged_dense(fn_name: str, pad: Any = PAD) -> Callable[..., Any]:
    """tf.strings.``fn_name`` whose RaggedTensor result comes back dense, padded with ``pad``."""
    inner = _strings(fn_name)

    def call(*args: Any, **kwargs: Any) -> Any:
        return inner(*args, **kwargs).to_tensor(default_value=pad)

    call.__name__ = call.__qualname__ = fn_name
    return call


def _each(fn: Callable[[bytes], Any], result: Any = object) -> Callable[..., np.ndarray]:
    """An element-wise oracle from a function of one ``bytes`` value."""

    def oracle(x: np.ndarray, **kwargs: Any) -> np.ndarray:
        flat = [fn(b, **kwargs) for b in x.reshape(-1)]
        out = np.empty(len(flat), dtype=result)
        out[:] = flat
        return out.reshape(x.shape)

    return oracle


def _rows(fn: Callable[..., list[Any]], pad: Any = PAD, dtype: Any = object):
    """The oracle of a rank-1 input whose per-element results are rows (ragged, padded)."""

    def oracle(x: np.ndarray, **kwargs: Any) -> np.ndarray:
        return padded([fn(b, **kwargs) for b in x], pad, dtype)

    return oracle


# -- samplers ------------------------------------------------------------------------------
def texts_sampler(
    *,
    alphabet: str = ASCII,
    max_rank: int = 2,
    min_rank: int = 0,
    kwargs: Callable[[Any, np.ndarray], dict[str, Any]] | None = None,
    ref_kwargs: dict[str, Any] | None = None,
    arity: int = 1,
) -> Built:
    """``arity`` string arrays of one shape, and Python constants drawn by ``kwargs``."""

    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        shape = draw_(small_shapes(min_rank, max_rank))
        arrays = tuple(draw_texts(draw_, shape, alphabet) for _ in range(arity))
        extra = kwargs(draw_, arrays[0]) if kwargs else {}
        return Sample(arrays, tuple(extra.items()))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        shape = (length,) if max_rank >= 1 else ()
        arrays = tuple(rng_texts(rng, shape, alphabet) for _ in range(arity))
        sample = Sample(arrays, tuple((ref_kwargs or {}).items()))
        return numeric_in_place(sample, dtype, rng)

    return Built(draw, build)


def _one_of(name: str, values: tuple[Any, ...]) -> Callable[[Any, np.ndarray], dict[str, Any]]:
    return lambda draw_, x: {name: draw_(st.sampled_from(values))}


# -- oracles -------------------------------------------------------------------------------
def _length(b: bytes, unit: str = "BYTE") -> int:
    return len(b) if unit == "BYTE" else len(b.decode())


def _substr(b: bytes, pos: int, unit: str = "BYTE", **kw: int) -> bytes:
    # ``len`` (the keyword tf.strings.substr takes) comes in ``kw``: it shadows a builtin.
    s: Any = b if unit == "BYTE" else b.decode()
    start = pos if pos >= 0 else len(s) + pos
    piece = s[start : start + kw["len"]]
    return piece if unit == "BYTE" else piece.encode()


def _substr_kwargs(draw_: Any, x: np.ndarray) -> dict[str, Any]:
    # pos must lie within every string (else InvalidArgumentError, documented): |pos| <=
    # the shortest length, in the unit.
    unit = draw_(st.sampled_from(("BYTE", "UTF8_CHAR")))
    shortest = min((_length(b, unit) for b in x.reshape(-1)), default=0)
    pos = draw_(st.integers(-shortest, shortest))
    return {"pos": pos, "len": draw_(st.integers(0, 4)), "unit": unit}


def _reduce_join(x: np.ndarray, axis: int | None = None, keepdims: bool = False,
                 separator: str = "") -> np.ndarray:  # fmt: skip
    sep = separator.encode()
    if axis is None:
        joined = as_strings([sep.join(x.reshape(-1).tolist())], ())
        return joined.reshape((1,) * x.ndim) if keepdims else joined
    moved = np.moveaxis(x, axis, -1)
    rows = moved.reshape(-1, moved.shape[-1]) if moved.size else np.empty((0, 0), object)
    n = int(np.prod(moved.shape[:-1], dtype=np.int64))
    flat = [sep.join(rows[i].tolist()) if moved.size else b"" for i in range(n)]
    out = as_strings(flat, moved.shape[:-1])
    return np.expand_dims(out, axis) if keepdims else out


def _reduce_join_kwargs(draw_: Any, x: np.ndarray) -> dict[str, Any]:
    axis = draw_(st.none() | st.integers(-x.ndim, x.ndim - 1)) if x.ndim else None
    return {"axis": axis, "keepdims": draw_(st.booleans()),
            "separator": draw_(st.sampled_from(("", ",", "::")))}  # fmt: skip


def _join(a: np.ndarray, b: np.ndarray, separator: str = "") -> np.ndarray:
    sep = separator.encode()
    return as_strings([x + sep + y for x, y in zip(a.reshape(-1), b.reshape(-1), strict=True)],
                      a.shape)  # fmt: skip


def _join_fn(a: Any, b: Any, separator: str = "") -> Any:
    import tensorflow as tf

    return tf.strings.join([a, b], separator=separator)


_join_fn.__name__ = "join"

# Patterns read alike by RE2 and Python's re, none matching the empty string (where
# RE2's global replace and Python's re.sub differ on empty matches after a match).
PATTERNS = ("[a-c]+", "a.b", "[0-9]+", "(ab|AB)+", "[^ ]+", "z|Z|09")
REWRITES = (("a", "x"), ("[ \t]+", "_"), ("(a)(b)", r"\2\1"), ("[0-9]", "#"), ("é", "e"))


def _regex_full_match(b: bytes, pattern: str) -> bool:
    return re.fullmatch(pattern.encode(), b) is not None  # "." stops at "\n" in both


def _regex_replace(b: bytes, pattern: str, rewrite: str, replace_global: bool = True) -> bytes:
    return re.sub(pattern.encode(), rewrite.encode(), b, count=0 if replace_global else 1)


def _rewrite_kwargs(draw_: Any, x: np.ndarray) -> dict[str, Any]:
    pattern, rewrite = draw_(st.sampled_from(REWRITES))
    return {"pattern": pattern, "rewrite": rewrite, "replace_global": draw_(st.booleans())}


def _split(b: bytes, sep: str | None = None, maxsplit: int = -1) -> list[bytes]:
    # sep None: runs of ASCII whitespace, no empty pieces (Python's bytes.split() too).
    return b.split(None if sep is None else sep.encode(), maxsplit)


def _split_kwargs(draw_: Any, x: np.ndarray) -> dict[str, Any]:
    # maxsplit 0 is left out (documented only "if maxsplit > 0, limit of the split"), and
    # so is a limit with sep None: TF 2.21 then gives "a" -> ["a", ""], where the documented
    # str.split behaviour gives ["a"] (reported as a deviation; no claim of its own yet).
    sep = draw_(st.sampled_from((None, " ", "a", "-_")))
    return {"sep": sep, "maxsplit": -1 if sep is None else draw_(st.sampled_from((-1, 1, 2)))}


def _ngrams(x: np.ndarray, ngram_width: int, separator: str = " ",
            pad_values: tuple[str, str] | None = None) -> np.ndarray:  # fmt: skip
    items = x.tolist()
    if pad_values is not None:
        left, right = (p.encode() for p in pad_values)
        items = [left] * (ngram_width - 1) + items + [right] * (ngram_width - 1)
    sep = separator.encode()
    grams = [sep.join(items[i : i + ngram_width]) for i in range(len(items) - ngram_width + 1)]
    return as_strings(grams, (len(grams),))


def _ngrams_kwargs(draw_: Any, x: np.ndarray) -> dict[str, Any]:
    # Padding an empty rank-1 input gives no ngrams where the same empty row of a ragged
    # input gives the padded ones (['<s> </s>'] for width 2; TF 2.21, seen by hand): not
    # documented either way, so empty inputs are drawn unpadded.
    pads = (None,) if x.size == 0 else (None, ("<s>", "</s>"))
    return {"ngram_width": draw_(st.integers(1, 3)),
            "separator": draw_(st.sampled_from((" ", "", "|"))),
            "pad_values": draw_(st.sampled_from(pads))}  # fmt: skip


def _transcode(b: bytes, output_encoding: str = "UTF-16-BE") -> bytes:
    return b.decode("utf-8").encode(output_encoding.lower())


def _transcode_fn(x: Any, output_encoding: str = "UTF-16-BE") -> Any:
    import tensorflow as tf

    return tf.strings.unicode_transcode(x, "UTF-8", output_encoding)


_transcode_fn.__name__ = "unicode_transcode"


def _decode_fn(x: Any) -> Any:
    import tensorflow as tf

    return tf.strings.unicode_decode(x, "UTF-8").to_tensor(default_value=-1)


def _decode_offsets_fn(x: Any) -> Any:
    # Two ragged results of equal row lengths, stacked dense: [code points, byte offsets].
    import tensorflow as tf

    chars, offsets = tf.strings.unicode_decode_with_offsets(x, "UTF-8")
    return tf.stack([chars.to_tensor(-1), tf.cast(offsets.to_tensor(-1), tf.int32)])


def _offsets(b: bytes) -> list[int]:
    starts, at = [], 0
    for c in b.decode():
        starts.append(at)
        at += len(c.encode())
    return starts


def _decode_offsets(x: np.ndarray) -> np.ndarray:
    chars = padded([[ord(c) for c in b.decode()] for b in x], -1, np.int32)
    offsets = padded([_offsets(b) for b in x], -1, np.int32)
    return np.stack([chars, offsets])


def _split_chars_fn(x: Any) -> Any:
    import tensorflow as tf

    return tf.strings.unicode_split(x, "UTF-8").to_tensor(default_value=PAD)


def _encode_fn(codepoints: Any) -> Any:
    import tensorflow as tf

    return tf.strings.unicode_encode(codepoints, "UTF-8")


def _encode(codepoints: np.ndarray) -> np.ndarray:
    flat = codepoints.reshape(-1, codepoints.shape[-1]) if codepoints.size else []
    texts = ["".join(chr(int(c)) for c in row).encode() for row in flat]
    texts += [b""] * (int(np.prod(codepoints.shape[:-1], dtype=np.int64)) - len(texts))
    return as_strings(texts, codepoints.shape[:-1])


_CODEPOINTS = np.array([ord(c) for c in UNICODE], dtype=np.int32)


def _codepoints_sampler() -> Built:
    """Rank 1-2 arrays of valid code points (int32, the documented dtype)."""

    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        shape = draw_(small_shapes(1, 2))
        n = int(np.prod(shape, dtype=np.int64))
        picks = draw_(st.lists(st.sampled_from(_CODEPOINTS.tolist()), min_size=n, max_size=n))
        return Sample((np.asarray(picks, dtype=np.int32).reshape(shape),))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        if dtype != "int32":
            return Sample((random_array(dtype, (length, 2), rng, 100),))
        return Sample((rng.choice(_CODEPOINTS, size=(length, 2)).astype(np.int32),))

    return Built(draw, build)


# ICU UScriptCode values (documented by ICU; tf.strings.unicode_script returns them, -1
# for an invalid code point): Common 0, Cyrillic 8, Greek 14, Han 17, Hiragana 20, Latin 25.
_SCRIPT_OF = {**{c: 0 for c in " .-_\t\n09😀"}, **{c: 25 for c in "aAbBcCzZéß"},
              "Ω": 14, "Ж": 8, "中": 17, "ひ": 20}  # fmt: skip
_SCRIPT_POINTS = np.array([*(ord(c) for c in _SCRIPT_OF), -5, 0x110000], dtype=np.int32)


def _script(c: np.ndarray) -> np.ndarray:
    table = {ord(k): v for k, v in _SCRIPT_OF.items()}
    return np.vectorize(lambda p: table.get(int(p), -1), otypes=[np.int32])(c)


def _script_sampler() -> Built:
    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        shape = draw_(small_shapes(0, 2))
        n = int(np.prod(shape, dtype=np.int64))
        picks = draw_(st.lists(st.sampled_from(_SCRIPT_POINTS.tolist()), min_size=n, max_size=n))
        return Sample((np.asarray(picks, dtype=np.int32).reshape(shape),))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        if dtype != "int32":
            return Sample((random_array(dtype, (length,), rng, 100),))
        return Sample((rng.choice(_SCRIPT_POINTS, size=length).astype(np.int32),))

    return Built(draw, build)


# -- to_number and as_string ---------------------------------------------------------------
def _number_sampler() -> Built:
    """Decimal strings of floats and integers (what to_number documents to parse)."""
    number = st.one_of(
        st.integers(-(10**6), 10**6).map(str),
        st.floats(-1e6, 1e6, width=64).map(repr),
        st.floats(-1e30, 1e30).map(lambda v: f"{v:.6e}"),
    )

    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        shape = draw_(small_shapes(0, 2))
        n = int(np.prod(shape, dtype=np.int64))
        texts = draw_(st.lists(number, min_size=n, max_size=n))
        return Sample((as_strings([t.encode() for t in texts], shape),))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        values = rng.uniform(-1e3, 1e3, size=length)
        sample = Sample((as_strings([repr(float(v)).encode() for v in values], (length,)),))
        return numeric_in_place(sample, dtype, rng)

    return Built(draw, build)


def _to_number_fn(x: Any) -> Any:
    import tensorflow as tf

    return tf.strings.to_number(x, out_type=tf.float64)


_to_number_fn.__name__ = "to_number"


def _as_string(x: np.ndarray, precision: int = -1, scientific: bool = False,
               shortest: bool = False) -> np.ndarray:  # fmt: skip
    """C printf formats, as documented: %f (or %e, %g) with the precision, %d, true/false."""
    spec = "%" + (f".{precision}" if precision > -1 else "")
    spec += "g" if shortest else "e" if scientific else "f"

    def one(v: Any) -> bytes:
        if x.dtype.kind == "b":
            return b"true" if v else b"false"
        if x.dtype.kind in "iu":
            return str(int(v)).encode()
        if x.dtype.kind == "c":
            return f"({spec % v.real},{spec % v.imag})".encode()
        return (spec % float(v)).encode()

    return as_strings([one(v) for v in x.reshape(-1)], x.shape)


def _as_string_sampler() -> Built:
    def draw(draw_: Any, dtype: str, small: bool) -> Sample:
        from .. import strategies as S

        shape = draw_(small_shapes(0, 2))
        x = draw_(S.arrays(dtype, shape, bound=1e4 if dtype not in ("float16", "bfloat16")
                           else 100.0))  # fmt: skip
        kwargs: dict[str, Any] = {}
        if x.dtype.kind in "fcV":
            kwargs = {"precision": draw_(st.sampled_from((-1, 0, 3))),
                      "scientific": draw_(st.booleans())}  # fmt: skip
            kwargs["shortest"] = draw_(st.booleans()) and not kwargs["scientific"]
        return Sample((x,), tuple(kwargs.items()))

    def build(dtype: str, length: int, rng: np.random.Generator) -> Sample:
        if dtype == STRING:
            return Sample((rng_texts(rng, (length,)),))
        return Sample((random_array(dtype, (length,), rng),))

    return Built(draw, build)


def _record(name: str, fn: Callable[..., Any], oracle: Callable[..., Any], sampler: Any,
            result: str = STRING, reference: str = "", **kw: Any) -> OpRecord:  # fmt: skip
    kw.setdefault("dtypes", (STRING,))
    kw.setdefault("dtypes_by_target", NO_XLA)
    return OpRecord(
        name=f"tf.strings.{name}", fn=fn, oracle=oracle, sampler=sampler,
        doc=f"{API}tf/strings/{name}", result=result, reference=reference, **kw,
    )  # fmt: skip


_UNITS = _one_of("unit", ("BYTE", "UTF8_CHAR"))
RANK1_UNICODE = texts_sampler(alphabet=UNICODE, min_rank=1, max_rank=1)

RECORDS: tuple[OpRecord, ...] = (
    _record("length", _strings("length"), _each(_length, np.int32),
            texts_sampler(alphabet=UNICODE, kwargs=_UNITS, ref_kwargs={"unit": "UTF8_CHAR"}),
            result="int32",
            reference="(bytes, or UTF-8 characters)"),
    _record("lower", _strings("lower"), _each(bytes.lower), texts_sampler(alphabet=UNICODE),
            reference="of bytes.lower (ASCII letters only, without an encoding)"),
    _record("upper", _strings("upper"), _each(bytes.upper), texts_sampler(alphabet=UNICODE),
            reference="of bytes.upper (ASCII letters only, without an encoding)"),
    _record("strip", _strings("strip"), _each(bytes.strip), texts_sampler(),
            reference="of bytes.strip (ASCII whitespace)"),
    _record("join", _join_fn, _join, texts_sampler(arity=2, kwargs=_one_of(
        "separator", ("", " ", "--")))),
    _record("reduce_join", _strings("reduce_join"), _reduce_join,
            texts_sampler(kwargs=_reduce_join_kwargs, max_rank=3)),
    _record("substr", _strings("substr"), _each(_substr),
            texts_sampler(alphabet=UNICODE, kwargs=_substr_kwargs,
                          ref_kwargs={"pos": 0, "len": 3}),
            reference="of Python slicing (bytes, or UTF-8 characters)"),
    _record("regex_full_match", _strings("regex_full_match"), _each(_regex_full_match, bool),
            texts_sampler(kwargs=_one_of("pattern", PATTERNS), ref_kwargs={"pattern": "a.b"}),
            result="bool", reference="of re.fullmatch (patterns RE2 reads alike)"),
    _record("regex_replace", _strings("regex_replace"), _each(_regex_replace),
            texts_sampler(alphabet=UNICODE, kwargs=_rewrite_kwargs,
                          ref_kwargs={"pattern": "a", "rewrite": "x"}),
            reference="of re.sub (patterns RE2 reads alike)"),
    # A RaggedTensor of pieces: dense, padded.
    _record("split", _ragged_dense("split"), _rows(_split),
            texts_sampler(min_rank=1, max_rank=1, kwargs=_split_kwargs),
            reference="of bytes.split (padded)"),
    _record("bytes_split", _ragged_dense("bytes_split"),
            _rows(lambda b: [bytes([c]) for c in b]),
            texts_sampler(alphabet=UNICODE, min_rank=1, max_rank=1)),
    _record("to_number", _to_number_fn, _each(float, np.float64), _number_sampler(),
            result="float64", reference="of float() (out_type float64)"),
    _record("as_string", _strings("as_string"), _as_string, _as_string_sampler(),
            dtypes=(*NUMERIC, "bool"), dtypes_by_target={"CPU-xla": ()},
            result={d: STRING for d in (*NUMERIC, "bool")},
            reference="(C printf's %f, %e, %g and %d; true/false)"),
    _record("ngrams", _strings("ngrams"), _ngrams,
            texts_sampler(min_rank=1, max_rank=1, kwargs=_ngrams_kwargs,
                          ref_kwargs={"ngram_width": 2})),
    _record("unicode_decode", _decode_fn, _rows(lambda b: [ord(c) for c in b.decode()], -1,
                                                np.int32),
            RANK1_UNICODE, result="int32", reference="(code points, padded with -1)"),
    _record("unicode_decode_with_offsets", _decode_offsets_fn, _decode_offsets,
            RANK1_UNICODE, result="int32",
            reference="(code points and byte offsets, padded with -1, stacked)"),
    _record("unicode_split", _split_chars_fn, _rows(lambda b: [c.encode() for c in b.decode()]),
            RANK1_UNICODE, reference="(characters, padded)"),
    _record("unicode_encode", _encode_fn, _encode, _codepoints_sampler(), dtypes=("int32",),
            result={"int32": STRING}, reference="of str.encode of the code points"),
    _record("unicode_transcode", _transcode_fn, _each(_transcode),
            texts_sampler(alphabet=UNICODE, kwargs=_one_of(
                "output_encoding", ("UTF-8", "UTF-16-BE", "UTF-32-BE"))),
            reference="of bytes.decode/str.encode"),
    _record("unicode_script", _strings("unicode_script"), _script, _script_sampler(),
            dtypes=("int32",), result="int32", reference="(ICU UScriptCode values)"),
)  # fmt: skip
