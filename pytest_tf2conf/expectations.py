"""Known deviations: a TOML file of expectations applied to the collected tests.

Each ``[[expectation]]`` entry selects tests and says what to do with them::

    [[expectation]]
    claim = "eager.floordiv-*"          # fnmatch over the test's claim ids
    test = "eager/test_arith.py::test_floordiv"   # fnmatch over the test id, with or
                                                  # without its [params] (a bundled
                                                  # test's also with suites/ before it)
    device_type = "CPU"                 # or device = "CPU:1"
    mode = "xla"
    backend = "jax"                     # Keras backend of the target
    tensorflow = ">=2.20,<2.22"         # version range of the TensorFlow under test
    action = "xfail"                    # or "skip"
    reason = "b/12345: XLA rounds differently"
    strict = true                       # a passing xfail fails the run (the deviation is fixed)

Every condition given must hold. ``expectations_from_report`` writes the entries that
make the current failures expected, so a backend author can baseline and burn down.
Nothing here imports TensorFlow.
"""

from __future__ import annotations

import fnmatch
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ACTIONS = ("xfail", "skip")
# A bundled test's id is its path in the suites folder ("ops/test_values.py::test_x"); run
# from a checkout, pytest prints it under suites/ (pytest_tf2conf/suites/ before the move).
BUNDLED_PREFIXES = ("suites/", "pytest_tf2conf/suites/")
CONDITIONS = ("claim", "test", "device", "device_type", "mode", "backend", "tensorflow", "keras")
# Conditions on the run's versions: TensorFlow's, and the Keras the suites run on (tf_keras
# 2.x counts as Keras 2), e.g. keras = "<3" for a deviation of Keras 2 only.
VERSION_CONDITIONS = ("tensorflow", "keras")
KEYS = (*CONDITIONS, "action", "reason", "strict")
MAX_FILE_BYTES = 4 * 1024 * 1024
# Outcomes that an expectation can turn into xfailed (a skip never hides a crash).
EXPECTABLE = ("failed", "error", "crashed")


class ExpectationError(Exception):
    """A bad expectations file; the message is one line."""

    tf2conf_user_error = True  # cli.main prints it as one line, exit code 2


# -- versions ---------------------------------------------------------------------------
_SPEC = re.compile(r"^\s*(==|!=|>=|<=|>|<|~=)?\s*([0-9][0-9A-Za-z.*+-]*)\s*$")


def _version_tuple(text: str) -> tuple[int, ...]:
    """Release numbers of a version ("2.21.0rc1" -> (2, 21, 0)); pre-release tags ignored."""
    parts = []
    for piece in text.split("+")[0].split("."):
        digits = re.match(r"\d+", piece)
        if digits is None:
            break
        parts.append(int(digits.group()))
        if digits.group() != piece:
            break
    return tuple(parts)


def _cmp(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    width = max(len(a), len(b))
    a, b = a + (0,) * (width - len(a)), b + (0,) * (width - len(b))
    return (a > b) - (a < b)


@dataclass(frozen=True)
class VersionRange:
    """A comma-separated list of comparisons, e.g. ``>=2.20,<2.22`` or ``==2.21.*``."""

    text: str
    specs: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, text: str) -> VersionRange:
        specs = []
        for part in text.split(","):
            match = _SPEC.match(part)
            if match is None or (match.group(2).count("*") and not match.group(2).endswith("*")):
                raise ExpectationError(f"bad version range {text!r} (try '>=2.20,<2.22')")
            specs.append((match.group(1) or "==", match.group(2)))
        return cls(text, tuple(specs))

    def contains(self, version: str | None) -> bool:
        if not version:
            return False
        have = _version_tuple(version)
        for op, wanted in self.specs:
            if wanted.endswith("*"):
                prefix = _version_tuple(wanted.rstrip(".*"))
                same = have[: len(prefix)] == prefix
                if (op == "==" and not same) or (op == "!=" and same):
                    return False
                continue
            c = _cmp(have, _version_tuple(wanted))
            ok = {
                "==": c == 0,
                "!=": c != 0,
                ">=": c >= 0,
                "<=": c <= 0,
                ">": c > 0,
                "<": c < 0,
                "~=": c >= 0
                and have[: max(1, len(_version_tuple(wanted)) - 1)]
                == _version_tuple(wanted)[: max(1, len(_version_tuple(wanted)) - 1)],
            }[op]
            if not ok:
                return False
        return True


# -- entries ----------------------------------------------------------------------------
@dataclass
class Expectation:
    index: int  # position in the file, from 1
    action: str
    reason: str
    strict: bool = True
    claim: str | None = None
    test: str | None = None
    device: str | None = None
    device_type: str | None = None
    mode: str | None = None
    backend: str | None = None
    tensorflow: VersionRange | None = None
    keras: VersionRange | None = None
    matched: int = field(default=0, compare=False)

    def describe(self) -> str:
        conds = [f"{key}={value}" for key, value in self.as_dict().items() if key in CONDITIONS]
        return f"expectation #{self.index} ({self.action}: {', '.join(conds) or 'everything'})"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "action": self.action, "reason": self.reason}
        for key in CONDITIONS:
            value = getattr(self, key)
            if value is not None:
                out[key] = value.text if key in VERSION_CONDITIONS else value
        if self.action == "xfail":
            out["strict"] = self.strict
        return out

    def matches(
        self, facts: dict[str, Any], tf_version: str | None, keras_version: str | None = None
    ) -> bool:
        if self.claim is not None and not any(
            fnmatch.fnmatchcase(c, self.claim) for c in facts.get("claims", [])
        ):
            return False
        if self.test is not None:
            full = str(facts.get("test", ""))
            names = [full.split("[", 1)[0], full]
            if facts.get("bundled"):  # also the node id a checkout run prints, old or new
                names += [prefix + name for prefix in BUNDLED_PREFIXES for name in names]
            # fnmatch over the id without parameters, or over the full id (e.g. a dtype in
            # it: "*test_mean*complex*"; note that fnmatch reads "[...]" as a character set)
            if self.test not in names and not any(
                fnmatch.fnmatchcase(name, self.test) for name in names
            ):
                return False
        device = facts.get("device")
        if self.device is not None and device != self.device:
            return False
        if self.device_type is not None and (
            not device or str(device).split(":", 1)[0].upper() != self.device_type.upper()
        ):
            return False
        if self.mode is not None and facts.get("mode") != self.mode:
            return False
        if self.backend is not None and facts.get("backend") != self.backend:
            return False
        if self.keras is not None and not self.keras.contains(keras_version):
            return False
        return self.tensorflow is None or self.tensorflow.contains(tf_version)


def _text(entry: dict[str, Any], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > 1000:
        raise ExpectationError(f"{where}: {key} must be a non-empty string")
    return value


def _shown(value: Any, limit: int = 60) -> str:
    """A value from the file, quoted and cut short for a one-line message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse(text: str, source: str = "expectations") -> list[Expectation]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExpectationError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ExpectationError(f"{source}: not valid TOML: nested too deeply") from None
    return from_data(data, source)


def from_data(data: dict[str, Any], source: str = "expectations") -> list[Expectation]:
    """Validate parsed TOML: every key, type and value is checked, never assumed."""
    unknown_tables = sorted(set(data) - {"expectation"})
    if unknown_tables:
        raise ExpectationError(
            f"{source}: unknown key {_shown(unknown_tables[0])} (entries are [[expectation]] "
            "tables)"
        )
    entries = data.get("expectation", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ExpectationError(f"{source}: 'expectation' must be an array of tables")
    out = []
    for index, entry in enumerate(entries, start=1):
        where = f"{source}: expectation #{index}"
        unknown = sorted(set(entry) - set(KEYS))
        if unknown:
            raise ExpectationError(
                f"{where}: unknown key {_shown(unknown[0])} (valid: {', '.join(KEYS)})"
            )
        action = entry.get("action", "xfail")
        if action not in ACTIONS:
            raise ExpectationError(
                f"{where}: action must be one of {', '.join(ACTIONS)}, got {_shown(action)}"
            )
        strict = entry.get("strict", True)
        if not isinstance(strict, bool):
            raise ExpectationError(f"{where}: strict must be true or false")
        conditions = {key: _text(entry, key, where) for key in CONDITIONS}
        if not any(conditions[k] for k in ("claim", "test")):
            raise ExpectationError(f"{where}: give a claim or a test pattern")
        ranges = {
            key: _version_range(text, f"{where}: {key}") if text else None
            for key, text in ((k, conditions.pop(k)) for k in VERSION_CONDITIONS)
        }
        out.append(
            Expectation(
                index=index,
                action=action,
                reason=_text(entry, "reason", where) or "known deviation (tf2conf expectations)",
                strict=strict,
                **ranges,
                **conditions,
            )
        )
    return out


def _version_range(text: str, where: str) -> VersionRange:
    try:
        return VersionRange.parse(text)
    except ExpectationError as exc:
        raise ExpectationError(f"{where}: {exc}") from None


def load(path: Path) -> list[Expectation]:
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)  # bounded: the file may be huge or endless
    except OSError as exc:
        raise ExpectationError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ExpectationError(f"{path}: larger than {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ExpectationError(f"{path}: not UTF-8 text") from None
    if not text.strip():
        # Likely a failed write or the wrong file; a baseline without entries still has
        # the comment header that `tf2conf expectations --from-report` writes.
        raise ExpectationError(f"{path}: empty file (no [[expectation]] entries, no comment)")
    return parse(text, str(path))


def first_match(
    expectations: list[Expectation],
    facts: dict[str, Any],
    tf_version: str | None,
    keras_version: str | None = None,
) -> Expectation | None:
    """The first entry matching a test (file order decides); every match is counted."""
    found = None
    for entry in expectations:
        if entry.matches(facts, tf_version, keras_version):
            entry.matched += 1
            found = found or entry
    return found


class Matcher:
    """``first_match`` for a whole collection: an entry whose claim is a literal id is only
    tried on the tests that carry that claim (a dict lookup), instead of an fnmatch per
    entry per test (with ~10^5 tests and ~10^2 entries, seconds per process)."""

    def __init__(self, expectations: list[Expectation]) -> None:
        self._by_claim: dict[str, list[tuple[int, Expectation]]] = {}
        self._others: list[tuple[int, Expectation]] = []
        for position, entry in enumerate(expectations):
            if entry.claim is not None and not any(ch in entry.claim for ch in "*?["):
                self._by_claim.setdefault(entry.claim, []).append((position, entry))
            else:
                self._others.append((position, entry))

    def first_match(
        self, facts: dict[str, Any], tf_version: str | None, keras_version: str | None = None
    ) -> Expectation | None:
        candidates = dict(self._others)
        for claim_id in facts.get("claims", []):
            candidates.update(self._by_claim.get(claim_id, ()))
        ordered = [candidates[p] for p in sorted(candidates)]
        return first_match(ordered, facts, tf_version, keras_version)


def marker_for(entry: Expectation, strict: bool | None = None) -> Any:
    """The pytest marker of ``entry``; ``strict`` overrides the entry's own strictness."""
    import pytest

    if entry.action == "skip":
        return pytest.mark.skip(reason=f"expected: {entry.reason}")
    strict = entry.strict if strict is None else strict
    return pytest.mark.xfail(reason=entry.reason, strict=strict, run=True)


# -- writing entries from a report ------------------------------------------------------
def _toml_string(value: str) -> str:
    escaped = "".join(
        ch if ch.isprintable() and ch not in '"\\' else f"\\u{ord(ch):04x}" for ch in value
    )
    return f'"{escaped}"'


def _tf_range(version: Any) -> str | None:
    numbers = _version_tuple(str(version)) if version else ()
    if len(numbers) < 2:
        return None
    return f"=={numbers[0]}.{numbers[1]}.*"


def entries_from_report(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per failing test x target: claim, test, device (or device type), mode."""
    env = report.get("environment", {})
    runs = env.get("runs") if isinstance(env.get("runs"), list) else None
    devices_by_type: dict[str, set[str]] = defaultdict(set)
    failing: dict[tuple[Any, ...], dict[str, Any]] = {}
    for result in report.get("results", []):
        device = result.get("device")
        if device:
            devices_by_type[str(device).split(":", 1)[0]].add(str(device))
        if result.get("outcome") not in EXPECTABLE:
            continue
        run_env = env
        if runs is not None and isinstance(result.get("run"), int) and result["run"] < len(runs):
            run_env = runs[result["run"]]
        test = str(result.get("test", "")).split("[", 1)[0]
        key = (result["claim"], test, result.get("mode"), result.get("backend"))
        tf_range = _tf_range(run_env.get("tensorflow"))
        slot = failing.setdefault(
            (*key, tf_range),
            {"devices": set(), "message": result.get("message") or result["outcome"]},
        )
        if device:
            slot["devices"].add(str(device))
    entries = []
    for (claim_id, test, mode, backend, tf_range), slot in sorted(
        failing.items(), key=lambda kv: tuple(str(k) for k in kv[0])
    ):
        entry: dict[str, Any] = {"claim": claim_id, "test": test}
        devices = slot["devices"]
        types = {d.split(":", 1)[0] for d in devices}
        if len(types) == 1 and devices == devices_by_type[next(iter(types))]:
            entry["device_type"] = next(iter(types))
            device_list = [None]
        else:
            device_list = sorted(devices) or [None]
        if mode:
            entry["mode"] = mode
        if backend:
            entry["backend"] = backend
        if tf_range:
            entry["tensorflow"] = tf_range
        reason = " ".join(str(slot["message"]).split())[:200]
        for device in device_list:
            one = dict(entry)
            if device:
                one["device"] = device
            entries.append({**one, "action": "xfail", "reason": reason, "strict": True})
    return entries


def to_toml(entries: list[dict[str, Any]], header: str = "") -> str:
    lines = [f"# {line}" for line in header.splitlines()]
    order = (*CONDITIONS, "action", "reason", "strict")
    for entry in entries:
        lines += ["", "[[expectation]]"]
        for key in order:
            if key not in entry:
                continue
            value = entry[key]
            rendered = ("true" if value else "false") if isinstance(value, bool) else None
            lines.append(f"{key} = {rendered or _toml_string(str(value))}")
    return "\n".join(lines).lstrip("\n") + "\n"
