"""The ``tf2conf`` command: the claim catalogue and the report tools.

Every error is one line on stderr and exit code 2; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit code 2."""

    tf2conf_user_error = True


def _claims(args: argparse.Namespace) -> int:
    from .catalogue_cli import collect_catalogue, format_table

    claims = collect_catalogue(args.pytest_args)
    if args.format == "json":
        print(json.dumps({"claims": claims}, indent=1))
    else:
        print(format_table(claims))
    return 0


COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable]] = {}


def _add_claims(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument(
        "pytest_args", nargs="*", help="extra pytest arguments (e.g. a suite path or -k)"
    )


COMMANDS["claims"] = ("list the claim catalogue of the bundled suites", _add_claims, _claims)


# -- diff ------------------------------------------------------------------------------------
def _add_diff(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("baseline", help="the baseline report (tf2conf-report.json)")
    parser.add_argument("candidate", help="the candidate report")
    parser.add_argument("--format", choices=("text", "md", "json"), default="text")
    parser.add_argument("-o", "--output", help="write the diff to this file instead of stdout")
    parser.add_argument(
        "--fail-on-behaviour-change",
        action="store_true",
        help="exit 1 on documented behaviour changes too (switched claims, changed "
        "observations), not only on regressions",
    )


def _diff(args: argparse.Namespace) -> int:
    from .report import behaviour, diff, load

    result = diff.compare(load.load(args.baseline), load.load(args.candidate))
    _emit(diff.render(result, args.format), args.output)
    if result["regressions"]:
        return 1
    return 1 if args.fail_on_behaviour_change and behaviour.count(result["behaviour"]) else 0


COMMANDS["diff"] = (
    "compare two reports: regressions (exit 1), fixes, changes",
    _add_diff,
    _diff,
)


# -- merge -----------------------------------------------------------------------------------
def _add_merge(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("reports", nargs="+", help="reports to merge (shards, machines, versions)")
    parser.add_argument("-o", "--output", required=True, help="the merged JSON report to write")
    parser.add_argument(
        "--qualify",
        default="auto",
        help="environment keys that qualify targets when they differ between runs: 'auto' "
        "(tensorflow, keras_backend, host; not host for shards), 'none', or a comma list",
    )


def _merge(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .report import load, merge

    reports = [load.load(path) for path in args.reports]
    qualify: tuple[str, ...] | None = None
    if args.qualify != "auto":
        qualify = tuple(k.strip() for k in args.qualify.split(",") if k.strip() not in ("", "none"))
    merged = merge.merge(reports, list(args.reports), qualify)
    try:
        written = merge.write(merged, Path(args.output))
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    for path in written[:3]:
        print(f"tf2conf merge: wrote {path}")
    return 0


COMMANDS["merge"] = ("merge reports of several runs into one", _add_merge, _merge)


# -- expectations ----------------------------------------------------------------------------
def _add_expectations(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--from-report", metavar="REPORT", help="write entries expecting the report's failures"
    )
    group.add_argument("--check", metavar="FILE", help="validate an expectations file")
    parser.add_argument("-o", "--output", help="write to this file instead of stdout")


def _expectations(args: argparse.Namespace) -> int:
    from . import expectations
    from .report import load

    if args.check:
        entries = expectations.load(Path(args.check))
        print(f"tf2conf expectations: {args.check}: {len(entries)} valid entries")
        return 0
    report = load.load(args.from_report)
    entries = expectations.entries_from_report(report)
    env = report["environment"]
    header = "\n".join(
        (
            f"tf2conf expectations written from {_one_line(args.from_report)}",
            f"TensorFlow {_one_line(env.get('tensorflow'))}, Keras {_one_line(env.get('keras'))}:"
            f" {len(entries)} entries. Remove an entry once its test passes (strict xfail).",
        )
    )
    _emit(expectations.to_toml(entries, header), args.output)
    return 0


COMMANDS["expectations"] = (
    "write an expectations file for a report's failures (baseline, then burn down)",
    _add_expectations,
    _expectations,
)


# -- report --from-journal ---------------------------------------------------------------------
def _add_report(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from-journal",
        metavar="DIR",
        required=True,
        help="the report folder (or tf2conf-journal.jsonl) of a run that died",
    )
    parser.add_argument(
        "-o", "--output", metavar="DIR2", help="write the report here (default DIR)"
    )


def _report(args: argparse.Namespace) -> int:
    from .report import collect, journal, recover

    found = journal.read(journal.path_in(args.from_journal))
    report = recover.report(found)
    folder = Path(args.output) if args.output else found.path.parent
    try:
        written = collect.write(report, folder)
    except OSError as exc:
        raise CommandError(f"cannot write {folder}: {exc.strerror or exc}") from None
    if found.finished is None:
        print(f"tf2conf report: the run died {_one_line(recover.describe_running(found))}")
    for path in written[:3]:
        print(f"tf2conf report: wrote {path}")
    return 0


COMMANDS["report"] = (
    "write the report of a run that died (SIGSEGV, OOM killer...) from its journal",
    _add_report,
    _report,
)


# -- coverage ---------------------------------------------------------------------------------
def _add_coverage(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--scan",
        action="append",
        default=[],
        metavar="PATH",
        help="a Python file or folder: list its tf.* calls that no claim pins",
    )
    parser.add_argument(
        "--unpinned", action="store_true", help="list the functions without claims, per namespace"
    )
    parser.add_argument("-o", "--output", help="write to this file instead of stdout")


def _coverage(args: argparse.Namespace) -> int:
    from . import coverage

    roots = [Path(p) for p in args.scan]
    missing = [str(p) for p in roots if not p.exists()]
    if missing:
        raise CommandError(f"--scan: no such file or folder: {missing[0]}")
    import tensorflow as tf

    files = [f for root in roots for f in coverage.python_files(root)]
    result = coverage.measure(tf, files)
    if args.format == "json":
        _emit(json.dumps(result.as_dict(), indent=1) + "\n", args.output)
    else:
        _emit(coverage.render_text(result, args.unpinned), args.output)
    return 0


COMMANDS["coverage"] = (
    "public TF functions with property claims; with --scan, your code's unpinned tf.* calls",
    _add_coverage,
    _coverage,
)


# -- run ---------------------------------------------------------------------------------------
def _add_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs", default="auto", help="shards run in parallel, each in its own processes "
        "(default auto: one per core)",
    )  # fmt: skip
    parser.add_argument(
        "--max-rss", default="auto", help="megabytes of resident memory after which a shard's "
        "process stops between two tests and a fresh one resumes it (0: no ceiling; default "
        "auto: half the memory available at the start, split among the jobs, 1400-6000)",
    )  # fmt: skip
    parser.add_argument("--report", default="reports", help="folder of the merged report")
    parser.add_argument(
        "--hang-seconds", default="600", help="a process in which no test ended for this many "
        "seconds is killed and its shard resumed (a test stuck in C++ code; default 600)",
    )  # fmt: skip
    parser.add_argument(
        "pytest_args", nargs=argparse.REMAINDER,
        help="pytest arguments after --, e.g. -- --tf2conf-profile quick suites/ops",
    )  # fmt: skip


def _whole(option: str, value: str, low: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if number < low:
        raise CommandError(f"{option}: expected a whole number from {low}, got {value!r}")
    return number


def _run(args: argparse.Namespace) -> int:
    from . import runner

    jobs = runner.default_jobs() if args.jobs == "auto" else _whole("--jobs", args.jobs, 1)
    if args.max_rss == "auto":
        from .recycle import auto_ceiling

        max_rss: int | None = auto_ceiling(jobs)
    else:
        max_rss = _whole("--max-rss", args.max_rss, 0) or None
    if max_rss is not None and max_rss < 64:
        raise CommandError(f"--max-rss: expected 0 or at least 64 megabytes, got {max_rss}")
    pytest_args = [a for a in args.pytest_args if a != "--"]
    for taken in ("--tf2conf-report", "--tf2conf-shard", "--tf2conf-resume", "-n"):
        if any(a == taken or a.startswith(taken + "=") for a in pytest_args):
            raise CommandError(f"{taken} is set by tf2conf run itself; leave it out")
    hang = _whole("--hang-seconds", args.hang_seconds, 1)
    return runner.run(pytest_args, Path(args.report).resolve(), jobs, max_rss, hang_seconds=hang)


COMMANDS["run"] = (
    "a conformance run in parallel shards, each resumed in a fresh process at a memory "
    "ceiling or after a crash, merged into one report",
    _add_run,
    _run,
)


def _emit(text: str, output: str | None) -> None:
    if not output:
        sys.stdout.write(text)
        return
    try:
        Path(output).write_text(text)
    except OSError as exc:
        raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tf2conf", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, add_arguments, _) in COMMANDS.items():
        add_arguments(sub.add_parser(name, help=help_text))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command][2](args)
    except BrokenPipeError:
        # The reader stopped reading (`tf2conf claims | head`): not an error. Point stdout
        # at /dev/null so that the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        # CommandError, ReportError, ExpectationError: marked rather than listed, so the
        # check holds even when a module was imported twice (pytester restores sys.modules).
        if not getattr(exc, "tf2conf_user_error", False):
            raise
        print(f"tf2conf {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"tf2conf {args.command}: interrupted", file=sys.stderr)
        return 130


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return "".join(ch if ch.isprintable() else "?" for ch in text)[:500]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
