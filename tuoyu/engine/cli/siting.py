"""``pmedian`` and ``mclp``: where to open ``p`` childcare centres, from CSV files.

    python -m tuoyu.engine pmedian --cost C.csv --weights D.csv -p P [--time-limit SECONDS]
    python -m tuoyu.engine mclp --cost C.csv --weights D.csv -p P --radius R [--time-limit SECONDS]

Both commands read two files:

* ``--weights``: ``id,value``, one row per demand zone (``value``: children, >= 0);
* ``--cost``: ``origin,dest,cost``, one row per allowed pair of demand zone and candidate
  site (``origin`` a demand id, ``dest`` a site id, ``cost`` >= 0). The candidate sites
  are the distinct ``dest`` ids, in order of first appearance. A pair not listed cannot
  be used: the site does not serve (``pmedian``) or cover (``mclp``) that zone. A pair may
  be listed once.

``pmedian`` opens the ``p`` sites that minimise the children-weighted cost of serving
every zone from its cheapest open site; every zone needs at least one pair. ``mclp``
opens the ``p`` sites that cover the most children, a zone being covered by a site when
their pair costs at most ``--radius``. Both print one JSON object::

    {"facilities": ["s3", "s7"], "objective": 1234.5, "status": "optimal", "gap": 0.0}

``facilities`` are the chosen site ids in order of first appearance in the cost file;
``objective`` is the total weighted cost (``pmedian``) or the children covered
(``mclp``); ``status`` is ``"optimal"`` (proven) or ``"time_limit"`` (best found, with the
relative ``gap`` still open). See :mod:`tuoyu.engine.siting`.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from tuoyu.engine.siting import FloatArray, IntArray, SitingResult, max_covering, p_median
from tuoyu.engine.tabular import Column, Table, TableError, index_of, pairs_unique, read_table, unique_ids


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    median = subparsers.add_parser(
        "pmedian",
        help="p-median: the p sites with the least children-weighted cost to serve every zone",
        description="Print as JSON the p candidate sites that minimise the total children-weighted "
        "cost of serving every demand zone from its cheapest chosen site, proven optimal by HiGHS.",
    )
    _add_inputs(median)
    median.set_defaults(handler=run_p_median)

    covering = subparsers.add_parser(
        "mclp",
        help="maximal covering: the p sites covering the most children within a radius",
        description="Print as JSON the p candidate sites that cover the most children, a zone being "
        "covered when a chosen site's pair with it costs at most --radius; proven optimal by HiGHS.",
    )
    _add_inputs(covering)
    covering.add_argument(
        "--radius",
        required=True,
        type=_non_negative,
        metavar="R",
        help="a site covers the zones whose pair with it costs at most R (same unit as the cost file)",
    )
    covering.set_defaults(handler=run_max_covering)


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cost", required=True, metavar="C.csv", help="allowed zone-site pairs: origin,dest,cost"
    )
    parser.add_argument("--weights", required=True, metavar="D.csv", help="demand zones: id,value (children)")
    parser.add_argument("-p", dest="p", required=True, type=int, metavar="P", help="number of sites to open")
    parser.add_argument(
        "--time-limit",
        type=_positive,
        metavar="SECONDS",
        help="stop after this long with the best sites found (status time_limit)",
    )


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if math.isnan(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a number not below 0")
    return value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a number above 0")
    return value


@dataclass(frozen=True)
class _Inputs:
    weights: Table
    site_ids: list[str]
    cost: sp.coo_array
    origin: IntArray


def _read_inputs(cost_file: str, weights_file: str, p: int) -> _Inputs:
    weights = read_table(weights_file, [Column("id", kind="id"), Column("value", minimum=0)])
    demand_index = unique_ids(weights, "id")
    costs = read_table(
        cost_file, [Column("origin", kind="id"), Column("dest", kind="id"), Column("cost", minimum=0)]
    )
    origin = index_of(costs, "origin", demand_index, what="demand id", known_file=weights.file)
    site_ids, dest = _sites(costs.ids["dest"])
    pairs_unique(costs, origin, dest, len(site_ids))
    if not 1 <= p <= len(site_ids):
        raise ValueError(
            f"-p must be between 1 and the number of candidate sites ({len(site_ids)}: the distinct "
            f"dest ids of {costs.file}), got {p}"
        )
    values: FloatArray = costs.numbers["cost"]
    cost = sp.coo_array((values, (origin, dest)), shape=(weights.rows, len(site_ids)))
    return _Inputs(weights, site_ids, cost, origin)


def _sites(dest_ids: list[str]) -> tuple[list[str], IntArray]:
    """The distinct site ids in order of first appearance, and each row's site index."""
    index: dict[str, int] = {}
    dest = np.fromiter((index.setdefault(site, len(index)) for site in dest_ids), np.int64, len(dest_ids))
    return list(index), dest


def _check_every_zone_served(inputs: _Inputs, cost_file: str) -> None:
    """A demand zone without any pair cannot be served: an error at its row of the weights file."""
    served = np.bincount(inputs.origin, minlength=inputs.weights.rows)
    missing = np.flatnonzero(served == 0)
    if missing.size:
        index = int(missing[0])
        raise TableError(
            inputs.weights.file,
            f"demand id {inputs.weights.ids['id'][index]!r} has no pair in {cost_file}, "
            "so no site can serve it",
            row=inputs.weights.row_number(index),
            column="id",
        )


def _print(result: SitingResult, site_ids: list[str]) -> int:
    output = {
        "facilities": [site_ids[site] for site in result.facilities.tolist()],
        "objective": result.objective,
        "status": result.status,
        "gap": result.mip_gap,
    }
    print(json.dumps(output, ensure_ascii=False))
    return 0


def run_p_median(args: argparse.Namespace) -> int:
    inputs = _read_inputs(args.cost, args.weights, args.p)
    _check_every_zone_served(inputs, args.cost)
    result = p_median(inputs.cost, inputs.weights.numbers["value"], p=args.p, time_limit=args.time_limit)
    return _print(result, inputs.site_ids)


def run_max_covering(args: argparse.Namespace) -> int:
    inputs = _read_inputs(args.cost, args.weights, args.p)
    result = max_covering(
        inputs.cost,
        inputs.weights.numbers["value"],
        p=args.p,
        radius=args.radius,
        time_limit=args.time_limit,
    )
    return _print(result, inputs.site_ids)
