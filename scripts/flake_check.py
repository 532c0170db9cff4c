"""Flake check: random seeds against the derandomized ci run, claim by claim.

Usage::

    python scripts/flake_check.py [--seeds 5] [--thorough 1] [--baseline ci-report.json]
                                  [--out reports/flake-check] [-- extra pytest arguments]

Runs the bundled suites (2 virtual CPUs, every mode, ``-n auto``) once with the ci profile
(unless ``--baseline`` gives its report), then with the quick profile under ``--seeds``
random seeds and the thorough profile under ``--thorough`` seeds, and lists every
(claim, target) whose outcome differs from the ci run's, with the seed that shows it
(replay with ``--hypothesis-seed``). A flaky property is a bug at its cause (oracle,
tolerance, strategy), never something to retry; exit status 1 when any outcome differs.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pytest_tf2conf.report.schema import claim_outcomes


def run(profile: str, seed: int | None, out: Path, extra: list[str]) -> tuple[float, dict]:
    """One conformance run into ``out``; returns (wall seconds, report)."""
    out.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "pytest", "--tf2conf", "--tf2conf-virtual-cpus", "2",
        "--tf2conf-profile", profile, "--tf2conf-report", str(out), "-q",
        "-p", "no:cacheprovider", "-n", "auto", *extra,
    ]  # fmt: skip
    if seed is not None:
        cmd += ["--hypothesis-seed", str(seed)]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tf2conf-flake-") as scratch:
        proc = subprocess.run(cmd, cwd=scratch, capture_output=True, text=True)
    wall = time.perf_counter() - started
    report_path = out / "tf2conf-report.json"
    if not report_path.exists():
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"flake-check: no report in {out} (pytest exit {proc.returncode})")
    return wall, json.loads(report_path.read_text())


def differences(baseline: dict[str, Any], other: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(claim, target, baseline outcome, other outcome) where they differ; a (claim, target)
    missing on one side counts as 'absent'."""
    base, seen = claim_outcomes(baseline["results"]), claim_outcomes(other["results"])
    return [
        (claim, target, base.get((claim, target), "absent"), seen.get((claim, target), "absent"))
        for claim, target in sorted(set(base) | set(seen))
        if base.get((claim, target)) != seen.get((claim, target))
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="random seeds at the quick profile")
    parser.add_argument("--thorough", type=int, default=1, help="random seeds at thorough")
    parser.add_argument("--baseline", type=Path, help="an existing ci report to compare with")
    parser.add_argument("--out", type=Path, default=Path("reports/flake-check"))
    parser.add_argument("extra", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args(argv)
    if args.baseline:
        baseline = json.loads(args.baseline.read_text())
    else:
        wall, baseline = run("ci", None, args.out / "ci", args.extra)
        print(f"ci: {wall:.0f}s, {len(claim_outcomes(baseline['results']))} claim x target")
    draw = random.SystemRandom()
    plan = [("quick", draw.getrandbits(32)) for _ in range(args.seeds)]
    plan += [("thorough", draw.getrandbits(32)) for _ in range(args.thorough)]
    found = 0
    for profile, seed in plan:
        wall, report = run(profile, seed, args.out / f"{profile}-{seed}", args.extra)
        diff = differences(baseline, report)
        found += len(diff)
        print(f"{profile} seed {seed}: {wall:.0f}s, {len(diff)} outcome(s) differ from ci")
        for claim, target, before, after in diff:
            print(f"  {claim} on {target}: ci {before}, {profile} {after}")
    print(f"flake-check: {found} unexpected outcome(s) over {len(plan)} random runs")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
