"""``access`` and ``deserts``: spatial accessibility of childcare slots from CSV files.

Both commands read the same three files:

* ``--demand``: ``id,value``, one row per demand zone (``value``: children, >= 0);
* ``--supply``: ``id,value``, one row per childcare centre (``value``: slots, >= 0);
* ``--cost``: ``origin,dest,cost``, one row per reachable zone-centre pair (``origin`` a
  demand id, ``dest`` a supply id, ``cost`` >= 0 in metres or minutes). Pairs not listed
  are out of reach; a pair may be listed once.

``access`` prints ``id,access`` (slots per child, 2SFCA or E2SFCA) for every demand zone
in the order of the demand file, with full float precision; a zone with nothing in reach
gets 0, and a zone without children that alone reaches a centre gets ``inf`` (see
:mod:`tuoyu.engine.accessibility`). ``deserts`` adds the slots in reach and whether the zone
is a childcare desert.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from tuoyu.engine.accessibility import (
    CostPairs,
    DesertRule,
    FloatArray,
    Steps,
    enhanced_two_step_fca,
    find_deserts,
    parse_steps,
    supply_in_reach,
    two_step_fca,
)
from tuoyu.engine.tabular import Column, index_of, pairs_unique, read_table, unique_ids

METHODS = ("2sfca", "e2sfca")


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    access = subparsers.add_parser(
        "access",
        help="slots per child within reach of each demand zone (2SFCA / E2SFCA)",
        description="Print id,access for every demand zone: slots per child within reach, "
        "sharing each centre's slots among all the zones that reach it.",
    )
    _add_inputs(access)
    access.set_defaults(handler=run_access)

    deserts = subparsers.add_parser(
        "deserts",
        help="childcare deserts: zones with many children and too few slots in reach",
        description="Print id,children,supply_in_reach,access,desert for every demand zone. A desert "
        "has at least --min-children children and either no slot in reach or fewer slots per "
        "child (access) than 1 / --max-children-per-slot.",
    )
    _add_inputs(deserts)
    rule = DesertRule()
    deserts.add_argument(
        "--min-children",
        type=float,
        default=rule.min_children,
        help=f"smallest number of children for a desert (default {rule.min_children:g})",
    )
    deserts.add_argument(
        "--max-children-per-slot",
        type=float,
        default=rule.max_children_per_slot,
        help="most children per slot in reach before a zone is short "
        f"(default {rule.max_children_per_slot:g})",
    )
    deserts.set_defaults(handler=run_deserts)


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--demand", required=True, metavar="D.csv", help="demand zones: id,value (children)")
    parser.add_argument(
        "--supply", required=True, metavar="S.csv", help="childcare centres: id,value (slots)"
    )
    parser.add_argument("--cost", required=True, metavar="C.csv", help="reachable pairs: origin,dest,cost")
    parser.add_argument("--method", required=True, choices=METHODS, help="plain 2SFCA or enhanced E2SFCA")
    parser.add_argument(
        "--max-cost",
        required=True,
        type=_max_cost,
        metavar="X",
        help="catchment: pairs with cost <= X are in reach (same unit as the cost file)",
    )
    parser.add_argument(
        "--steps",
        metavar="UPPER:WEIGHT,...",
        help="e2sfca distance-decay steps, e.g. 1000:1,2000:0.68,3000:0.22 (a cost <= 1000 weighs 1, "
        "<= 2000 weighs 0.68, ...); costs above --max-cost are left out as well. Default: one step "
        "of weight 1 at --max-cost",
    )


def _max_cost(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number not below 0")
    return value


@dataclass(frozen=True)
class _Inputs:
    demand_ids: list[str]
    demand: FloatArray
    supply: FloatArray
    pairs: CostPairs


@dataclass(frozen=True)
class _Result:
    inputs: _Inputs
    access: FloatArray
    reach: float  # pairs with cost <= reach are in the catchment


def _compute(args: argparse.Namespace) -> _Result:
    """Check the options, read the three files and compute the access of every zone."""
    steps: Steps | None = None
    if args.steps is not None:
        if args.method != "e2sfca":
            raise ValueError("--steps applies to --method e2sfca only")
        steps = parse_steps(args.steps)
    max_cost: float = args.max_cost
    inputs = _read_inputs(args.demand, args.supply, args.cost)
    if steps is None:
        # Plain 2SFCA, or E2SFCA with its default single step of weight 1 at --max-cost.
        access = two_step_fca(inputs.demand, inputs.supply, inputs.pairs, max_cost=max_cost)
        return _Result(inputs, access, max_cost)
    access = enhanced_two_step_fca(inputs.demand, inputs.supply, inputs.pairs, steps=steps, max_cost=max_cost)
    return _Result(inputs, access, min(max_cost, steps.max_cost))


def _read_inputs(demand_file: str, supply_file: str, cost_file: str) -> _Inputs:
    amounts = [Column("id", kind="id"), Column("value", minimum=0)]
    demand = read_table(demand_file, amounts)
    demand_index = unique_ids(demand, "id")
    supply = read_table(supply_file, amounts)
    supply_index = unique_ids(supply, "id")
    costs = read_table(
        cost_file, [Column("origin", kind="id"), Column("dest", kind="id"), Column("cost", minimum=0)]
    )
    origin = index_of(costs, "origin", demand_index, what="demand id", known_file=demand.file)
    dest = index_of(costs, "dest", supply_index, what="supply id", known_file=supply.file)
    pairs_unique(costs, origin, dest, supply.rows)
    return _Inputs(
        demand_ids=demand.ids["id"],
        demand=demand.numbers["value"],
        supply=supply.numbers["value"],
        pairs=CostPairs(origin, dest, costs.numbers["cost"]),
    )


def _write_rows(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)


def run_access(args: argparse.Namespace) -> int:
    result = _compute(args)
    values = result.access.tolist()
    rows = [[zone, repr(value)] for zone, value in zip(result.inputs.demand_ids, values, strict=True)]
    _write_rows(["id", "access"], rows)
    return 0


def run_deserts(args: argparse.Namespace) -> int:
    rule = DesertRule(min_children=args.min_children, max_children_per_slot=args.max_children_per_slot)
    result = _compute(args)
    inputs = result.inputs
    reach = supply_in_reach(inputs.supply, inputs.pairs, inputs.demand.size, max_cost=result.reach)
    desert = find_deserts(inputs.demand, reach, result.access, rule=rule)
    rows = [
        [zone, repr(children), repr(slots), repr(access), "1" if is_desert else "0"]
        for zone, children, slots, access, is_desert in zip(
            inputs.demand_ids,
            inputs.demand.tolist(),
            reach.tolist(),
            result.access.tolist(),
            desert.tolist(),
            strict=True,
        )
    ]
    _write_rows(["id", "children", "supply_in_reach", "access", "desert"], rows)
    return 0
