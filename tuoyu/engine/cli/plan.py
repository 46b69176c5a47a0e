"""``plan``: the cheapest expansion plan for a JSON scenario, printed as JSON.

    python -m tuoyu.engine plan --scenario scenario.json [--townships-only]
        [--time-limit SECONDS] [--gap RELATIVE_GAP] [--budget CNY]

The scenario format is described in :mod:`tuoyu.engine.expansion_scenario`; the output
is :func:`~tuoyu.engine.expansion.plan_result_as_dict`. A file that cannot be read, is
not JSON or is not a valid scenario gives one line on standard error naming the file
(and the JSON path) and exit status 2. The options override the scenario's settings.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import dataclasses
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tuoyu.engine.expansion import plan_expansion, plan_result_as_dict, problem_from_dict
from tuoyu.engine.tabular import TableError


def add_parsers(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="the cheapest expansion plan meeting every target in every township",
        description=(
            "Plan classes, new community sites and 普惠 designations for a JSON scenario "
            "and print the plan, its reasons and the figures before and after as JSON."
        ),
    )
    parser.add_argument("--scenario", required=True, type=Path, help="the scenario (JSON)")
    parser.add_argument(
        "--townships-only", action="store_true", help="leave the citywide figures out of before/after"
    )
    parser.add_argument("--time-limit", type=float, default=None, help="seconds for the solver")
    parser.add_argument("--gap", type=float, default=None, help="relative optimality gap (0 = prove optimal)")
    parser.add_argument("--budget", type=float, default=None, help="solve the budget form with this budget")
    parser.set_defaults(handler=run_plan)


def read_scenario(path: Path) -> Any:
    """The JSON value in ``path``; errors name the file (and the line and column)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise TableError(str(path), f"cannot read the file: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise TableError(str(path), "not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise TableError(
            str(path), f"not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None


def run_plan(args: argparse.Namespace) -> int:
    problem = problem_from_dict(read_scenario(args.scenario), source=str(args.scenario))
    overrides: dict[str, Any] = {}
    if args.time_limit is not None:
        overrides["time_limit_seconds"] = args.time_limit
    if args.gap is not None:
        overrides["mip_rel_gap"] = args.gap
    if args.budget is not None:
        overrides["budget"] = args.budget
    problem = dataclasses.replace(problem, **overrides)
    with solver_output_to_stderr():
        result = plan_expansion(problem)
    print(
        json.dumps(
            plan_result_as_dict(result, townships_only=args.townships_only), ensure_ascii=False, indent=2
        )
    )
    return 0


@contextlib.contextmanager
def solver_output_to_stderr() -> Iterator[None]:
    """Send whatever native code prints on file descriptor 1 to standard error meanwhile,
    so that standard output holds nothing but the JSON."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        _flush_native_stdout()
        os.dup2(saved, 1)
        os.close(saved)


def _flush_native_stdout() -> None:
    with contextlib.suppress(OSError, AttributeError, TypeError):
        ctypes.CDLL(None).fflush(None)
