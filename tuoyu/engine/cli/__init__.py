"""The engine's command line: one module of this package per command family.

Every module here defines ``add_parsers(subparsers)``, which adds its commands to the
``argparse`` sub-parser collection and sets ``handler`` on each: a function that takes
the parsed arguments, writes the result to standard output and returns the exit status.
Input problems raise :class:`~tuoyu.engine.tabular.TableError` (or ``ValueError``); they
are printed on standard error as one line and the command exits with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from tuoyu.engine.tabular import TableError

EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tuoyu.engine",
        description="tuoyu engine: accessibility, siting, expansion plans and matching on CSV/JSON files.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="command")
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{module.name}").add_parsers(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        status: int = arguments.handler(arguments)
    except TableError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return status
