"""Harvest the documented examples (``>>>``) of a library's public API.

A walk over the public modules of TensorFlow (``tf`` and its public submodules, outside
``tf.compat`` and ``tf.keras``) or of Keras (``keras.ops``, ``keras.layers``) finds every
public function and class and every public method and property of those classes. Each
docstring that holds ``>>>`` examples becomes one ``Symbol``: the symbol's canonical public
name, the module whose globals its examples see (TensorFlow's own doctest runner runs them
with their module's globals, so ``RaggedTensor`` in ``tf.RaggedTensor``'s examples is
found), its API page and its docstring. A docstring shared by several names (aliases such
as ``tf.add`` / ``tf.math.add``, methods inherited by subclasses) is one symbol.

The walk is cached per library version (a JSON file under ``$TF2CONF_CACHE_DIR``, else
``$XDG_CACHE_HOME/tf2conf`` or ``~/.cache/tf2conf``), so collection with a warm cache only
reads the file. The key holds the version, the install path and this module's source.
"""

from __future__ import annotations

import contextlib
import doctest
import functools
import hashlib
import importlib
import inspect
import json
import os
import re
import tempfile
import types
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

TF_API = "https://www.tensorflow.org/api_docs/python/"
KERAS_API = "https://keras.io/api/"
# Members whose docstrings hold examples although their names start with an underscore.
PUBLIC_DUNDERS = ("__init__", "__call__", "__getitem__")


@dataclass(frozen=True)
class Symbol:
    name: str  # canonical public name: "tf.math.add", "tf.TensorShape.merge_with"
    module: str  # the module whose globals the examples see
    url: str  # the symbol's API page
    docstring: str

    @property
    def examples(self) -> list[doctest.Example]:
        return parse(self.docstring, self.name)

    def module_globals(self) -> dict[str, Any]:
        """The globals of the module the examples live in (empty if it is gone: the
        examples then get the public names their executor adds)."""
        with contextlib.suppress(ImportError):
            return dict(vars(importlib.import_module(self.module)))
        return {}


@functools.cache
def _parser() -> doctest.DocTestParser:
    return doctest.DocTestParser()


@functools.lru_cache(maxsize=4096)
def _parse(docstring: str, name: str) -> tuple[doctest.Example, ...]:
    return tuple(_parser().get_examples(docstring, name))


def parse(docstring: str, name: str) -> list[doctest.Example]:
    """The docstring's examples (parsed once per process; callers must not mutate them)."""
    return list(_parse(docstring, name))


# -- the walk --------------------------------------------------------------------------------
@dataclass
class _Candidate:
    name: str
    module: str
    url: str
    own: bool  # defined where it is named (not inherited, not an alias)


@dataclass(frozen=True)
class Library:
    """How to walk one library's public API."""

    roots: tuple[tuple[str, Any], ...]  # (public name, module object)
    skip: frozenset[str]  # public module names not walked
    is_api_module: Callable[[types.ModuleType], bool]
    is_own: Callable[[Any], bool]  # an object of this library (not a re-export)
    canonical: Callable[[Any], str | None]  # the preferred public name of an object, if known
    url: Callable[[str, str | None], str]  # (object name, member or None) -> page


def walk(library: Library) -> list[Symbol]:
    """Every documented public symbol of ``library``, one per docstring, sorted by name."""
    by_doc: dict[str, list[_Candidate]] = {}
    seen_modules: set[int] = set()

    def add(doc: Any, candidate: _Candidate) -> None:
        if isinstance(doc, str) and ">>>" in doc:
            by_doc.setdefault(doc, []).append(candidate)

    def visit(obj: Any, name: str) -> None:
        preferred = library.canonical(obj)
        own = preferred is None or preferred == name
        add(obj.__doc__, _Candidate(name, _module_of(obj), library.url(name, None), own))
        if inspect.isclass(obj):
            for member, value, defined_here in _members(obj):
                if not library.is_own(value):  # an int constant, a method of object or abc
                    continue
                module = _module_of(value, obj)
                page = library.url(name, member)
                owned = own and defined_here
                candidate = _Candidate(f"{name}.{member}", module, page, owned)
                add(getattr(value, "__doc__", None), candidate)

    def walk_module(module: types.ModuleType, path: str) -> None:
        if id(module) in seen_modules:
            return
        seen_modules.add(id(module))
        for attr in sorted(dir(module)):
            full = f"{path}.{attr}"
            if attr.startswith("_") or full in library.skip:
                continue
            try:
                obj = getattr(module, attr)
            except Exception:  # a lazily loaded name that fails to import is not API
                continue
            if isinstance(obj, types.ModuleType):
                if library.is_api_module(obj):
                    walk_module(obj, full)
            elif (inspect.isclass(obj) or callable(obj)) and library.is_own(obj):
                visit(obj, full)

    for name, module in library.roots:
        walk_module(module, name)
    symbols = [_choose(doc, candidates) for doc, candidates in by_doc.items()]
    return sorted(symbols, key=lambda s: s.name)


def _members(cls: type) -> Iterable[tuple[str, Any, bool]]:
    """Public members of a class, inherited ones included: (name, function, defined here)."""
    seen: set[str] = set()
    for base in cls.__mro__:
        if base is object:
            continue
        for name, value in vars(base).items():
            if name in seen or (name.startswith("_") and name not in PUBLIC_DUNDERS):
                continue
            seen.add(name)
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            elif isinstance(value, property):
                value = value.fget
            if inspect.isroutine(value) or inspect.isclass(value):  # not constants
                yield name, value, base is cls


def _module_of(obj: Any, owner: Any = None) -> str:
    module = getattr(obj, "__module__", None) or getattr(owner, "__module__", None)
    return module if isinstance(module, str) else ""


def _choose(doc: str, candidates: list[_Candidate]) -> Symbol:
    """One name for a docstring: where it is defined (canonical name), then the shortest."""
    best = min(candidates, key=lambda c: (not c.own, c.name.count("."), len(c.name), c.name))
    return Symbol(best.name, best.module, best.url, doc)


# -- TensorFlow ------------------------------------------------------------------------------
def tensorflow_library() -> Library:
    import tensorflow as tf

    api_dir = os.path.join(os.path.dirname(tf.__file__), "_api", "v2") + os.sep

    def is_api_module(module: types.ModuleType) -> bool:
        return (getattr(module, "__file__", None) or "").startswith(api_dir)

    def is_own(obj: Any) -> bool:
        return _module_of(obj).startswith("tensorflow")

    def canonical(obj: Any) -> str | None:
        # tf_export records the public names on the undecorated function; the first one is
        # the canonical name (the page the API docs show: tf.math.add for tf.add).
        try:
            names = getattr(inspect.unwrap(obj), "_tf_api_names", None)
        except ValueError:  # a cycle of __wrapped__
            names = None
        return f"tf.{names[0]}" if names else None

    def url(name: str, member: str | None) -> str:
        page = TF_API + name.replace(".", "/")
        return f"{page}#{member}" if member else page

    return Library(
        roots=(("tf", tf),),
        skip=frozenset({"tf.compat", "tf.keras"}),
        is_api_module=is_api_module,
        is_own=is_own,
        canonical=canonical,
        url=url,
    )


# -- Keras -----------------------------------------------------------------------------------
# keras.src.layers.<package> -> the keras.io section of its layers.
_KERAS_LAYER_SECTIONS = {
    "activations": "activation_layers",
    "attention": "attention_layers",
    "convolutional": "convolution_layers",
    "core": "core_layers",
    "merging": "merging_layers",
    "normalization": "normalization_layers",
    "pooling": "pooling_layers",
    "preprocessing": "preprocessing_layers",
    "regularization": "regularization_layers",
    "reshaping": "reshaping_layers",
    "rnn": "recurrent_layers",
}


def keras_library() -> Library:
    import keras

    api_dir = os.path.join(os.path.dirname(keras.__file__), "")

    def is_api_module(module: types.ModuleType) -> bool:
        name = module.__name__
        file = getattr(module, "__file__", None) or ""
        return name.startswith("keras.") and ".src" not in name and file.startswith(api_dir)

    def is_own(obj: Any) -> bool:
        return _module_of(obj).startswith("keras.")

    def url(name: str, member: str | None) -> str:
        return keras_url(name, _keras_module(name), member)

    def _keras_module(name: str) -> str:
        obj: Any = keras
        for part in name.split(".")[1:]:
            obj = getattr(obj, part, None)
        return _module_of(obj)

    return Library(
        roots=(("keras.ops", keras.ops), ("keras.layers", keras.layers)),
        skip=frozenset(),
        is_api_module=is_api_module,
        is_own=is_own,
        canonical=lambda obj: None,
        url=url,
    )


def keras_url(name: str, module: str, member: str | None = None) -> str:
    """keras.io has one page per layer and one per ops family; derived from the module.

    ``keras.src.ops.numpy`` -> api/ops/numpy/#add-function;
    ``keras.src.layers.core.dense`` -> api/layers/core_layers/dense/.
    """
    parts = module.split(".")
    if parts[:3] == ["keras", "src", "ops"] and len(parts) > 3:
        return f"{KERAS_API}ops/{parts[3]}/#{name.rsplit('.', 1)[-1]}-function"
    if parts[:3] == ["keras", "src", "layers"] and len(parts) > 4:
        section = _KERAS_LAYER_SECTIONS.get(parts[3], parts[3])
        page = f"{KERAS_API}layers/{section}/{parts[-1]}/"
        return f"{page}#{member}-method" if member else page
    return f"{KERAS_API}layers/"


# -- the cache -------------------------------------------------------------------------------
def cache_dir() -> Path:
    explicit = os.environ.get("TF2CONF_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tf2conf"


def _fingerprint(*parts: str) -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for part in parts:
        digest.update(part.encode())
    return digest.hexdigest()[:16]


def cached(library: str, version: str, install_path: str, build: Callable[[], list[Symbol]]):
    """``build()``'s symbols, read from the cache when this version was walked before."""
    key = _fingerprint(library, version, install_path)
    safe_version = re.sub(r"[^0-9A-Za-z.+-]", "_", version)
    path = cache_dir() / f"docexamples-{library}-{safe_version}-{key}.json"
    try:
        return [Symbol(**entry) for entry in json.loads(path.read_text())["symbols"]]
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no cache yet, or an unreadable one: walk again
    symbols = build()
    document = {"library": library, "version": version, "symbols": [asdict(s) for s in symbols]}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name, then renamed: xdist workers may race on it.
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as handle:
            json.dump(document, handle)
        os.replace(handle.name, path)
    except OSError:
        pass  # a read-only home: the walk is cheap enough to repeat
    return symbols


def tensorflow_symbols() -> list[Symbol]:
    import tensorflow as tf

    return cached(
        "tensorflow",
        tf.__version__,
        os.path.dirname(tf.__file__),
        lambda: walk(tensorflow_library()),
    )


def keras_symbols() -> list[Symbol]:
    import keras

    return cached(
        f"keras-{keras.backend.backend()}",
        keras.__version__,
        os.path.dirname(keras.__file__),
        lambda: walk(keras_library()),
    )
