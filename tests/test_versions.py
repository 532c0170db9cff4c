"""Claims' version ranges and links, the Keras flavour, and observations (no TensorFlow)."""

from __future__ import annotations

import sys
import types

import pytest

from pytest_tf2conf import keras_flavour, recording
from pytest_tf2conf.claims import Claim, ClaimError, claim
from pytest_tf2conf.versions import VersionRangeError, not_applicable, parse_range

KERAS2 = {"tf": "2.21.0", "keras": "2.21.0", "numpy": "1.26.4"}
KERAS3 = {"tf": "2.21.0", "keras": "3.15.1", "numpy": "2.1.3"}


@pytest.mark.parametrize(
    ("text", "versions", "applies"),
    [
        ("keras>=3", KERAS3, True),
        ("keras>=3", KERAS2, False),
        ("keras<3", KERAS2, True),
        ("tf>=2.16; keras<3", KERAS2, True),
        ("tf<2.16; keras<3", KERAS2, False),
        ("keras>=3,<3.6", KERAS3, False),
        ("numpy>=2", KERAS3, True),
        ("tf>=2.21", {"tf": "2.21.0-dev20250101"}, True),  # a nightly counts as its release
        ("tf>=2.21", {"tf": "2.21.0rc1"}, True),
        ("keras>=2", {"keras": None}, False),  # no Keras: a Keras claim cannot apply
    ],
)
def test_not_applicable(text, versions, applies) -> None:
    reason = not_applicable(text, versions)
    assert (reason is None) is applies, reason
    if reason:
        assert text.split(";")[0].split(">")[0].split("<")[0].strip() in reason


@pytest.mark.parametrize("text", ["", "jax>=1", "keras", "keras>>3", "keras>=3;;tf=>2"])
def test_bad_ranges_are_errors(text) -> None:
    with pytest.raises(VersionRangeError):
        parse_range(text)


def test_claim_declarations_validate_range_and_link() -> None:
    with pytest.raises(ClaimError, match="version"):
        claim("saving.x", "One line.", "https://keras.io/", applies="keras>>3")
    with pytest.raises(ClaimError, match="supersedes"):
        claim("saving.x", "One line.", "https://keras.io/", supersedes="saving.x")
    plain = Claim("saving.x", "One line.", "https://keras.io/")
    assert set(plain.as_dict()) == {"area", "id", "statement", "doc"}  # reports unchanged
    linked = Claim("saving.y", "One line.", "https://keras.io/", "keras>=3", "saving.x")
    assert linked.as_dict()["applies"] == "keras>=3"
    assert linked.as_dict()["supersedes"] == "saving.x"


def test_flavour_detection(monkeypatch) -> None:
    versions = {"keras": "3.15.1", "tf-keras": "2.21.0"}
    monkeypatch.setattr(keras_flavour, "_dist", versions.get)
    monkeypatch.delenv(keras_flavour.LEGACY_ENV, raising=False)
    assert keras_flavour.detect() == keras_flavour.Flavour("keras3", "3.15.1")
    monkeypatch.setenv(keras_flavour.LEGACY_ENV, "1")
    monkeypatch.setattr(keras_flavour.importlib.util, "find_spec", lambda name: object())
    flavour = keras_flavour.detect()
    assert flavour == keras_flavour.Flavour("tf_keras", "2.21.0") and flavour.is_keras2
    assert "TF_USE_LEGACY_KERAS=1" in flavour.describe()
    versions["keras"] = "2.15.0"  # TF 2.15: the keras package is tf.keras
    monkeypatch.delenv(keras_flavour.LEGACY_ENV)
    assert keras_flavour.detect() == keras_flavour.Flavour("keras2", "2.15.0")


def test_activate_binds_keras_to_tf_keras(monkeypatch) -> None:
    fake = types.ModuleType("tf_keras")
    monkeypatch.setitem(sys.modules, "tf_keras", fake)
    monkeypatch.setitem(sys.modules, "keras", sys.modules.get("keras"))
    monkeypatch.setattr(keras_flavour, "detect", lambda: keras_flavour.Flavour("tf_keras", "2.21"))
    keras_flavour.activate()
    assert sys.modules["keras"] is fake


def test_observations_are_plain_values() -> None:
    record = recording.TestRecord()
    with recording.recording(record):
        recording.observe("error", ValueError)
        recording.observe("files", {"b", "a"})
        recording.observe("keys", ("loss", 1, None))
        recording.observe("other", object.__new__(type("Odd", (), {"__str__": lambda s: "odd"})))
    assert record.as_dict()["observations"] == {
        "error": "ValueError",
        "files": ["a", "b"],
        "keys": ["loss", 1, None],
        "other": "odd",
    }
