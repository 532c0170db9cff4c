"""The harvest of documented examples: which symbols, which names, and the cache."""

from __future__ import annotations

import pytest

from pytest_tf2conf.claims import Claim
from pytest_tf2conf.docexamples import harvest, params, rules


@pytest.fixture(scope="module")
def tf_symbols() -> list[harvest.Symbol]:
    return harvest.walk(harvest.tensorflow_library())


@pytest.fixture(scope="module")
def keras_symbols() -> list[harvest.Symbol]:
    return harvest.walk(harvest.keras_library())


def _checked(symbols, tensor_repr=rules.TF_TENSOR) -> int:
    """Symbols with at least one example that no rule excludes."""
    return sum(
        not rules.plan(s.examples, tensor_repr=tensor_repr).all_excluded(len(s.examples))
        for s in symbols
    )


def test_tensorflow_public_api(tf_symbols) -> None:
    names = [s.name for s in tf_symbols]
    assert len(names) == len(set(names))
    assert all(n.startswith("tf.") for n in names)
    assert not [n for n in names if n.startswith(("tf.compat.", "tf.keras."))]
    # one symbol per docstring, named where TensorFlow exports it first (its API page)
    assert "tf.math.add" in names and "tf.add" not in names
    assert "tf.GradientTape.gradient" in names  # methods are symbols of their own
    assert _checked(tf_symbols) >= 500
    assert sum(len(s.examples) for s in tf_symbols) >= 3000


def test_keras_ops_and_layers(keras_symbols) -> None:
    names = [s.name for s in keras_symbols]
    assert all(n.startswith(("keras.ops.", "keras.layers.")) for n in names)
    assert "keras.ops.add" in names
    assert _checked(keras_symbols, rules.KERAS_TENSOR) >= 200
    add = next(s for s in keras_symbols if s.name == "keras.ops.add")
    assert add.url == "https://keras.io/api/ops/numpy/#add-function"


def test_every_symbol_makes_a_valid_claim(tf_symbols, keras_symbols) -> None:
    for symbol in tf_symbols + keras_symbols:
        Claim(params.claim_id(symbol), params.statement(symbol), symbol.url).validate()
    method = next(s for s in tf_symbols if s.name == "tf.GradientTape.gradient")
    assert method.url == "https://www.tensorflow.org/api_docs/python/tf/GradientTape#gradient"


def test_the_walk_is_cached_per_version(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TF2CONF_CACHE_DIR", str(tmp_path))
    calls = []
    symbol = harvest.Symbol("tf.demo", "math", "https://example.org", ">>> 1\n1\n")

    def build() -> list[harvest.Symbol]:
        calls.append(1)
        return [symbol]

    assert harvest.cached("tensorflow", "9.9.9", "/x", build) == [symbol]
    assert harvest.cached("tensorflow", "9.9.9", "/x", build) == [symbol]
    assert len(calls) == 1  # the second call read the file
    harvest.cached("tensorflow", "9.9.10", "/x", build)
    assert len(calls) == 2  # another version walks again
    (file,) = tmp_path.glob("docexamples-tensorflow-9.9.9-*.json")
    file.write_text("{not json")
    assert harvest.cached("tensorflow", "9.9.9", "/x", build) == [symbol]  # rebuilt
