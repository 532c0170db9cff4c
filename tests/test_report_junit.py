"""JUnit XML: tf2conf's claim, area, device and mode as short ``<property>`` elements."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.test_report_support import run_planted


def test_junit_properties_are_short_and_named(pytester: pytest.Pytester) -> None:
    xml = pytester.path / "junit.xml"
    run = run_planted(pytester, f"--junitxml={xml}")
    assert run.report["results"]  # the JSON report still gets the payload
    cases = {case.get("name"): case for case in ET.parse(xml).getroot().iter("testcase")}
    props = {
        name: [(p.get("name"), p.get("value")) for p in case.iter("property")]
        for name, case in cases.items()
    }
    assert props["test_planted[CPU:0-eager]"] == [
        ("tf2conf_claim", "demo.planted-fault"),
        ("tf2conf_area", "demo"),
        ("tf2conf_target", "CPU:0-eager"),
        ("tf2conf_device", "CPU:0"),
        ("tf2conf_mode", "eager"),
    ]
    for values in props.values():
        for name, value in values:
            if name.startswith("tf2conf"):
                assert len(value) < 200 and "{" not in value, (name, value)
