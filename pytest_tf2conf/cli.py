"""The ``tf2conf`` command: the claim catalogue and the report tools.

Every error is one line on stderr and exit code 2; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit code 2."""


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
    except CommandError as exc:
        print(f"tf2conf {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"tf2conf {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
