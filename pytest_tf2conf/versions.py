"""Version ranges of claims: which TensorFlow, Keras and NumPy versions a claim applies to.

A range is ``component specifiers`` clauses joined by ``;``, each clause a PEP 440
specifier set: ``"keras>=3"``, ``"keras<3"``, ``"tf>=2.16; keras>=3,<3.6"``,
``"numpy>=2"``. ``keras`` is the version of the Keras the suites run on (keras_flavour:
``tf_keras`` 2.x counts as Keras 2). Outside its range a claim's tests are skipped with a
"not applicable" reason, never an error. Pre-releases and dev builds (``2.22.0-dev``,
``2.21.0rc1``) compare as the release they lead to, so a nightly counts as its version.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

COMPONENTS = ("tf", "keras", "numpy")
_CLAUSE = re.compile(r"^\s*([a-z]+)\s*([<>=!~].*)$")


class VersionRangeError(ValueError):
    """A malformed version range in a claim declaration."""


def parse_range(text: str) -> dict[str, SpecifierSet]:
    out: dict[str, SpecifierSet] = {}
    for clause in filter(None, (c.strip() for c in text.split(";"))):
        match = _CLAUSE.match(clause)
        if not match or match.group(1) not in COMPONENTS:
            raise VersionRangeError(
                f"bad version range clause {clause!r} (want e.g. 'keras>=3', components "
                f"{', '.join(COMPONENTS)})"
            )
        try:
            out[match.group(1)] = SpecifierSet(match.group(2).replace(" ", ""))
        except InvalidSpecifier as exc:
            raise VersionRangeError(f"bad version specifier in {clause!r}: {exc}") from None
    if not out:
        raise VersionRangeError(f"empty version range {text!r}")
    return out


def _release(version: str) -> Version | None:
    match = re.match(r"\d+(\.\d+)*", version.strip())
    if not match:
        return None
    try:
        return Version(match.group(0))
    except InvalidVersion:
        return None


def not_applicable(text: str, versions: Mapping[str, str | None]) -> str | None:
    """Why a claim with range ``text`` does not apply to ``versions``; None if it applies.

    A component whose version is unknown (not installed) does not apply either: a Keras
    claim cannot hold where Keras is absent.
    """
    if not text:
        return None
    for component, spec in parse_range(text).items():
        raw = versions.get(component)
        version = _release(raw) if raw else None
        if version is None or not spec.contains(version, prereleases=True):
            return f"documented for {component}{spec}, this run has {component} {raw or 'none'}"
    return None


_ROOTS = {"tf": "tensorflow", "keras": "keras"}


@functools.cache  # asked by every test of a record: ~10^4 items a run
def missing_function(qualified: str) -> str | None:
    """Why the public function ``qualified`` (``tf.math.bessel_i0``, ``keras.ops.hanning``)
    does not apply to the installed versions: it is not there (added in a later release);
    None if it is. A record of a newer function is "not applicable" on an older release,
    never an error."""
    import importlib

    root, *path = qualified.split(".")
    module_name = _ROOTS.get(root, root)
    try:
        obj: object = importlib.import_module(module_name)
    except ImportError:
        return None  # the run says so elsewhere (the whole suite is not applicable)
    version = getattr(obj, "__version__", "?")
    for part in path:
        try:
            obj = getattr(obj, part)
        except AttributeError:
            return f"{qualified} is not in {module_name} {version}"
    return None
