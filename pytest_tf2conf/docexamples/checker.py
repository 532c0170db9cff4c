"""The output checker of documented examples: numbers with a tolerance, reprs reduced.

Built on the stdlib ``doctest.OutputChecker`` (the text comparison, ELLIPSIS and
NORMALIZE_WHITESPACE stay doctest's). Before comparing, both outputs are normalized:

- memory addresses (``at 0x7f...``) are ignored: they change on every run;
- a tensor's repr ``<tf.Tensor: shape=..., dtype=..., numpy=V>`` is reduced to ``V`` when
  the documented output shows one (as TensorFlow's own doctest runner does);
- NumPy 2 scalar reprs (``np.float32(1.5)``, ``np.True_``; NEP 51) are reduced to the
  NumPy 1 form the docs were written with (``1.5``, ``True``).

Then every floating-point number is taken out of both texts: the rest must match as text
(a documented number stands for any number there), the counts must be equal, and each
actual number must be within the dtype's tolerance (``tolerance.py``, the loosest dtype
named in the actual output; float64 for plain Python floats) plus half a unit in the last
digit the documentation prints (``0.841`` stands for 0.840..0.842: rounded or cut off).
Integers are text:
they must match exactly. NaN and infinities are text too.

Nothing here imports TensorFlow or Keras.
"""

from __future__ import annotations

import doctest
import math
import re
from dataclasses import dataclass

from .. import tolerance

# A float as NumPy and Python print it: "1.5", "1.", ".5", "1e-07", "-2.5e+03", "3j" (the
# imaginary part of a complex number). Not inside a word ("float32", "x1.5") or a longer
# number ("1.2.3" is left alone). The same shape as TensorFlow's doctest float extractor.
_FLOAT = re.compile(
    r"""
    (                                   # the number
      (?:[-+]|(?:^|(?<=[^\w.])))        # a sign, or not after a word character or a dot
      (?:
        [0-9]+\.[0-9]*(?:[eE][-+]?[0-9]+)?  # 1.5  1.  1.5e3
        | \.[0-9]+(?:[eE][-+]?[0-9]+)?      # .5  .5e3
        | [0-9]+[eE][-+]?[0-9]+             # 1e3
        | [0-9]+(?=j)                       # 3 of 3j
      )
    )
    j?
    (?=$|[^\w.])                        # not followed by a word character or a dot
    """,
    re.VERBOSE,
)
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]+\b")
_TENSOR_REPR = re.compile(r"<tf\.Tensor:.*?numpy=(.*?)>", re.DOTALL)
# NumPy 2 scalar reprs: np.float32(1.5) -> 1.5, np.True_ -> True, np.str_('a') -> 'a'.
_NUMPY_SCALAR = re.compile(
    r"\bnp\.(?:(?:float|int|uint|complex)[0-9]+|str_|bytes_|bool_|longdouble|clongdouble)"
    r"\((.*?)\)(?!\))"
)
_NUMPY_BOOL = re.compile(r"\bnp\.(True|False)_")
_DTYPE_NAME = re.compile(r"dtype=(?:tf\.|np\.|torch\.)?'?([a-z]+[0-9]*)'?")
_NUMPY_SCALAR_DTYPE = re.compile(r"\bnp\.([a-z]+[0-9]+)\(")

# The flags TensorFlow runs its docstrings with.
FLAGS = (
    doctest.ELLIPSIS
    | doctest.NORMALIZE_WHITESPACE
    | doctest.IGNORE_EXCEPTION_DETAIL
    | doctest.DONT_ACCEPT_BLANKLINE
)


@dataclass(frozen=True)
class NumberMismatch:
    """Why the numbers of an output differ (for the failure message)."""

    text: str


def normalize(text: str) -> str:
    """Addresses and NumPy 2 scalar reprs replaced (both outputs get this)."""
    text = _ADDRESS.sub("0x?", text)
    text = _NUMPY_BOOL.sub(r"\1", text)
    return _NUMPY_SCALAR.sub(r"\1", text)


def reduce_tensor_reprs(text: str) -> tuple[str, bool]:
    """``<tf.Tensor: ..., numpy=V>`` -> ``V``; whether anything was reduced."""
    reduced = _TENSOR_REPR.sub(r"\1", text)
    return reduced, reduced != text


def split_floats(text: str) -> tuple[list[str], list[str]]:
    """The text around the floats, and the floats as printed."""
    parts = _FLOAT.split(text)
    return parts[0::2], parts[1::2]


def printed_resolution(token: str) -> float:
    """One unit in the last digit printed: "0.841" -> 1e-3, "1.5e-07" -> 1e-8.

    A documented number may be rounded or cut off at its last digit. A number printed
    without decimals ("3.", "1e3") is taken as exact: NumPy prints "3." for a value that is
    3 to its full precision.
    """
    mantissa, _, exponent = token.lower().lstrip("+-").rstrip("j").partition("e")
    decimals = len(mantissa.partition(".")[2])
    if decimals == 0:
        return 0.0
    return 10.0 ** (int(exponent or 0) - decimals)


def tolerance_of(got: str) -> tolerance.Tolerance:
    """The loosest tolerance of the dtypes an output names (float64 when it names none)."""
    names = set(_DTYPE_NAME.findall(got)) | set(_NUMPY_SCALAR_DTYPE.findall(got))
    known = [tolerance.TOLERANCES[n] for n in names if n in tolerance.TOLERANCES]
    if not known:
        return tolerance.TOLERANCES["float64"]
    return max(known, key=lambda t: (t.rtol, t.atol))


def compare_numbers(want: list[str], got: list[str], tol: tolerance.Tolerance) -> str | None:
    """None when every actual number is close to the documented one, else why not."""
    if len(want) != len(got):
        return f"{len(got)} number(s) in the output, {len(want)} documented"
    for index, (w, g) in enumerate(zip(want, got, strict=True)):
        if w.endswith("j") != g.endswith("j"):
            return f"number {index + 1}: {g} where the docs show {w}"
        expected, actual = float(w.rstrip("j")), float(g.rstrip("j"))
        allowed = tol.atol + tol.rtol * abs(expected) + printed_resolution(w)
        if not math.isclose(actual, expected, rel_tol=0.0, abs_tol=allowed):
            return (
                f"number {index + 1}: {g} differs from the documented {w} by "
                f"{abs(actual - expected):.3g} (allowed {allowed:.3g}: rtol={tol.rtol:g}, "
                f"atol={tol.atol:g}, printed digits {printed_resolution(w):.3g})"
            )
    return None


class ExampleChecker(doctest.OutputChecker):
    """doctest's checker with numbers compared by tolerance (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self.last_problem: str | None = None

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        self.last_problem = None
        # An example whose documentation shows no output claims none (TensorFlow's rule):
        # `v.assign(1.)` returns a variable the docs do not print.
        if got and not want:
            return True
        if super().check_output(want, got, optionflags):
            return True
        want, got = normalize(want), normalize(got)
        want, reduced = reduce_tensor_reprs(want)
        if reduced:
            got, _ = reduce_tensor_reprs(got)
        want_parts, want_numbers = split_floats(want)
        # NumPy pads numbers in arrays with spaces; a documented number matches any number
        # (its value is compared below), so the text around it is compared without them.
        pattern = "...".join(part.strip(" ") for part in want_parts)
        pattern = re.sub(r"\.{4,}", "...", pattern)  # a number right after a period
        if not super().check_output(pattern, got, optionflags | doctest.ELLIPSIS):
            self.last_problem = "the text differs"
            return False
        if not want_numbers:
            return True  # nothing numeric documented: "array([...])" matches any values
        _, got_numbers = split_floats(got)
        self.last_problem = compare_numbers(want_numbers, got_numbers, tolerance_of(got))
        return self.last_problem is None

    def output_difference(self, example: doctest.Example, got: str, optionflags: int) -> str:
        text = super().output_difference(example, got, optionflags)
        if self.last_problem and self.last_problem != "the text differs":
            text += f"({self.last_problem})\n"
        return text


# -- the value view (Keras) ------------------------------------------------------------------
# Keras documents one output for every backend, written by hand in several forms (a NumPy
# repr, NumPy's str without commas, a list, TensorFlow's "shape=(3,)" annotation); what it
# specifies is the values, and the dtype where it names one. The value view compares those:
# numbers (with the tolerance above), other words and strings as text, and the nesting of
# sequences (a tuple, a list and an array's rows alike); separators and reprs are ignored.
_VALUE_TOKEN = re.compile(
    r"""
    (?P<str>b?'(?:[^'\\]|\\.)*'|b?"(?:[^"\\]|\\.)*")
    | (?P<num>[-+]?(?:inf|nan)\b|[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?j?)
    | (?P<open>[(\[{])
    | (?P<close>[)\]}])
    | (?P<word>[A-Za-z_][\w.]*)
    | (?P<other>[^\s,<>])  # "<", ">": leftovers of a tensor repr copied into the docs
    """,
    re.VERBOSE,
)
_WRAPPERS = frozenset({"array", "Array", "tensor", "tf.Tensor", "TensorShape"})
_SHAPE_NOTE = re.compile(r",?\s*shape=\([^)]*\)")
_DTYPE_NOTE = re.compile(
    r",?\s*dtype(?:=(?:tf\.|np\.|torch\.|jnp\.)?['\"]?([a-z]+[0-9]*)['\"]?"
    r"|\(\s*['\"]([a-z]+[0-9]*)['\"]\s*\))"
)
_COMMENT = re.compile(r"\s#[^\n]*|^\s*```\s*$", re.MULTILINE)


@dataclass
class ValueView:
    tokens: list[tuple[str, str]]  # (kind, text); brackets of any kind are "open"/"close"
    dtypes: set[str]  # dtypes named, or implied by an array repr's contents


def value_view(text: str) -> ValueView:
    text = _COMMENT.sub("", normalize(text))
    text, _ = reduce_tensor_reprs(text)
    text = _SHAPE_NOTE.sub("", text)
    named = _dtype_names(text)
    text = _DTYPE_NOTE.sub("", text)
    raw = [(m.lastgroup or "other", m.group()) for m in _VALUE_TOKEN.finditer(text)]
    tokens: list[tuple[str, str]] = []
    skip_close: list[bool] = []  # per open bracket: does it belong to an array( wrapper?
    wrapper_dtypes: set[str] = set()
    for index, (kind, token) in enumerate(raw):
        following = raw[index + 1][1] if index + 1 < len(raw) else ""
        if kind == "word" and token in _WRAPPERS and following == "(":
            continue
        if kind == "open":
            wrapper = index > 0 and raw[index - 1][1] in _WRAPPERS
            skip_close.append(wrapper)
            if wrapper:
                wrapper_dtypes.add(_implied_dtype(raw[index + 1 :]))
                continue
        if kind == "close" and skip_close and skip_close.pop():
            continue
        # a sequence is a sequence: a tuple, a list and an array's rows compare alike
        tokens.append((kind, {"open": "[", "close": "]"}.get(kind, token)))
    return ValueView(tokens, named or wrapper_dtypes - {""})


def _dtype_names(text: str) -> set[str]:
    return {a or b for a, b in _DTYPE_NOTE.findall(text)}


def _implied_dtype(rest: list[tuple[str, str]]) -> str:
    """NumPy's repr omits the default dtypes: bool, int64, float64, complex128."""
    depth, seen = 0, []
    for kind, token in rest:
        if kind == "open":
            depth += 1
        elif kind == "close":
            if depth == 0:
                break
            depth -= 1
        elif kind == "num" or token in ("True", "False"):
            seen.append(token)
    if any(t in ("True", "False") for t in seen):
        return "bool"
    if any(t.endswith("j") for t in seen):
        return "complex128"
    if any(re.search(r"[.eEna]", t) for t in seen):
        return "float64"
    return "int64" if seen else ""


def compare_values(want: str, got: str) -> str | None:
    """None when ``got`` shows the values (and any dtype) ``want`` documents, else why not."""
    expected, actual = value_view(want), value_view(got)
    named = _dtype_names(normalize(want))
    if named and named != actual.dtypes:
        shown = ", ".join(sorted(actual.dtypes)) or "none"
        return f"dtype {shown}, documented {', '.join(sorted(named))}"
    shape_w = [k if k in ("open", "close") else "value" for k, _ in expected.tokens]
    shape_g = [k if k in ("open", "close") else "value" for k, _ in actual.tokens]
    if shape_w != shape_g:
        return "the values differ in number or nesting"
    tol = tolerance_of(got)
    for index, ((kind_w, w), (kind_g, g)) in enumerate(
        zip(expected.tokens, actual.tokens, strict=True)
    ):
        if kind_w == kind_g == "num":
            problem = compare_numbers([w], [g], tol)
            if problem is not None:
                return problem.replace("number 1", f"value {index}")
        elif w != g:
            return f"{g} where the docs show {w}"
    return None


class ValueChecker(ExampleChecker):
    """The example checker, then the value view for what the text comparison rejects."""

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        if super().check_output(want, got, optionflags):
            return True
        if "..." in want or not want.strip():
            return False  # an ellipsis hides values: only the text comparison applies
        self.last_problem = compare_values(want, got)
        return self.last_problem is None
