"""Claim declarations and their enforcement at collection."""

from __future__ import annotations

import pytest

from pytest_tf2conf import plugin
from pytest_tf2conf.claims import Catalogue, Claim, ClaimError, claim

DOC = "https://www.tensorflow.org/guide/tensor"


@pytest.mark.parametrize(
    ("claim_id", "statement", "doc", "problem"),
    [
        ("NoArea", "x", DOC, "area.slug"),
        ("tensor.Bad_Slug", "x", DOC, "area.slug"),
        ("tensor.ok", "", DOC, "one non-empty line"),
        ("tensor.ok", "two\nlines", DOC, "one non-empty line"),
        ("tensor.ok", "fine", "www.tensorflow.org", "https://"),
    ],
)
def test_malformed_claims_are_rejected(claim_id, statement, doc, problem):
    with pytest.raises(ClaimError, match=problem):
        claim(claim_id, statement, doc)


@pytest.mark.parametrize(
    "claim_id",
    ["docs.tf.math.reduce_sum", "docs.tf.TensorShape", "docs.keras.ops.add",
     "docs.tf.Tensor.__getitem__", "tensor.slug-words"],
)  # fmt: skip
def test_dotted_api_names_are_valid_slugs(claim_id):
    declared = Claim(claim_id, "A statement.", DOC)
    declared.validate()
    assert declared.area == claim_id.split(".")[0]


@pytest.mark.parametrize(
    "claim_id", ["Docs.tf.add", "docs.tf..add", "docs.tf.add-x", "docs.tf.1add"]
)
def test_malformed_dotted_names_are_rejected(claim_id):
    with pytest.raises(ClaimError, match=r"area\.slug"):
        claim(claim_id, "A statement.", DOC)


def test_catalogue_rejects_one_id_with_two_texts():
    catalogue = Catalogue()
    catalogue.add(Claim("tensor.a", "First text.", DOC), "test_one")
    catalogue.add(Claim("tensor.a", "First text.", DOC), "test_two")  # same text: fine
    with pytest.raises(ClaimError, match=r"tensor\.a is declared with two different texts"):
        catalogue.add(Claim("tensor.a", "Other text.", DOC), "test_three")
    assert [c.area for c in catalogue.sorted()] == ["tensor"]


def test_conflicting_claim_texts_fail_collection(pytester):
    pytester.makepyfile(
        test_demo=f"""
from pytest_tf2conf import claim

@claim("demo.x", "One text.", "{DOC}")
def test_a(): pass

@claim("demo.x", "Another text.", "{DOC}")
def test_b(): pass
"""
    )
    result = pytester.runpytest_inprocess("--tf2conf", "test_demo.py")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert any("demo.x is declared with two different texts" in e for e in result.errlines)


def test_suite_test_without_claim_fails_collection(pytester, monkeypatch):
    monkeypatch.setattr(plugin, "SUITES_DIR", pytester.path)
    pytester.makepyfile(test_demo="def test_unclaimed(): pass\n")
    result = pytester.runpytest_inprocess("--tf2conf", "test_demo.py")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert any("test_unclaimed declares no claim" in e for e in result.errlines)


def test_claims_command_prints_the_catalogue_as_json(pytester, capsys):
    import json

    from pytest_tf2conf import cli

    pytester.makepyfile(
        test_demo=f"""
from pytest_tf2conf import claim

@claim("demo.listed", "A listed claim.", "{DOC}")
def test_a(target): pass
"""
    )
    assert cli.main(["claims", "--format", "json", str(pytester.path / "test_demo.py")]) == 0
    listed = json.loads(capsys.readouterr().out)["claims"]
    assert listed == [
        {
            "area": "demo",
            "id": "demo.listed",
            "statement": "A listed claim.",
            "doc": DOC,
            "tests": 6,
        }
    ]
