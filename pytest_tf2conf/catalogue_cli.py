"""``tf2conf claims``: the catalogue, read by collecting the suites with pytest."""

from __future__ import annotations

import contextlib
import io
from typing import Any

import pytest

from .claims import claims_of


class _CatalogueCollector:
    def __init__(self) -> None:
        self.claims: dict[str, dict[str, str]] = {}
        self.tests: dict[str, int] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            for declared in claims_of(item):
                self.claims.setdefault(declared.id, declared.as_dict())
                self.tests[declared.id] = self.tests.get(declared.id, 0) + 1


def collect_catalogue(extra_args: list[str]) -> list[dict[str, Any]]:
    from .cli import CommandError

    catcher = _CatalogueCollector()
    args = ["--tf2conf", "--collect-only", "-q", "-p", "no:cacheprovider", *extra_args]
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        code = pytest.main(args, plugins=[catcher])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        last = [line for line in output.getvalue().splitlines() if line.strip()]
        raise CommandError(f"collecting the suites failed: {last[-1] if last else code}")
    return [
        {**entry, "tests": catcher.tests[claim_id]}
        for claim_id, entry in sorted(catcher.claims.items())
    ]


def format_table(claims: list[dict[str, Any]]) -> str:
    if not claims:
        return "no claims"
    width = max(len(c["id"]) for c in claims)
    lines = [f"{'claim':<{width}}  tests  statement", f"{'-' * width}  -----  ---------"]
    for entry in claims:
        lines.append(f"{entry['id']:<{width}}  {entry['tests']:>5}  {entry['statement']}")
        lines.append(f"{'':<{width}}         {entry['doc']}")
    areas: dict[str, int] = {}
    for entry in claims:
        areas[entry["area"]] = areas.get(entry["area"], 0) + 1
    lines.append("")
    lines.append(
        f"{len(claims)} claims: " + ", ".join(f"{a} {n}" for a, n in sorted(areas.items()))
    )
    return "\n".join(lines)
