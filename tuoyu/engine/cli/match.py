"""``match``: central enrollment of children into childcare places from CSV files.

Three files:

* ``--children``: ``child,rank,place``, one row per choice (rank 1 = first choice). A
  child's ranks must be exactly 1..k, each once: a gap such as 1, 3 is an error rather
  than silently closed, since it usually means a lost row. A child may list a place once.
* ``--places``: ``place,capacity``, one row per place (capacity a whole number >= 0).
* ``--priorities``: ``place,child,priority``, the priority of a child at a place (a whole
  number, 1 = highest). Priorities at a place must be strict, and every child needs a row
  for every place it applies to; rows for places a child did not apply to are allowed.

The command runs child-proposing deferred acceptance (:mod:`tuoyu.engine.matching`) and
prints ``child,place`` for every child in the order children first appear in the
children file, with an empty place for a child left without one.
"""

from __future__ import annotations

import argparse
import csv
import sys

import numpy as np

from tuoyu.engine.matching import UNPLACED, IntArray, deferred_acceptance
from tuoyu.engine.tabular import Column, Table, TableError, index_of, read_table, unique_ids


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    match = subparsers.add_parser(
        "match",
        help="central enrollment: child-proposing deferred acceptance",
        description="Print child,place for every child: the stable assignment that is best for "
        "every child (child-proposing deferred acceptance), empty when unplaced.",
    )
    match.add_argument(
        "--children", required=True, metavar="C.csv", help="choices: child,rank,place (rank 1 first)"
    )
    match.add_argument("--places", required=True, metavar="P.csv", help="places: place,capacity")
    match.add_argument(
        "--priorities",
        required=True,
        metavar="R.csv",
        help="priorities: place,child,priority (strict at each place, 1 = highest)",
    )
    match.set_defaults(handler=run_match)


def _children_index(choices: Table) -> dict[str, int]:
    """Children numbered in order of first appearance in the children file."""
    index: dict[str, int] = {}
    for child in choices.ids["child"]:
        index.setdefault(child, len(index))
    return index


def _preferences(choices: Table, child: IntArray, place: IntArray, n_children: int) -> IntArray:
    """The ``(children, k)`` preference array, after checking each child's ranks and places."""
    ranks = [int(r) for r in choices.numbers["rank"].tolist()]
    rows_of: list[dict[int, int]] = [{} for _ in range(n_children)]
    places_of: list[dict[int, int]] = [{} for _ in range(n_children)]
    for row, (c, r, p) in enumerate(zip(child.tolist(), ranks, place.tolist(), strict=True)):
        name = choices.ids["child"][row]
        if r in rows_of[c]:
            first = choices.row_number(rows_of[c][r])
            raise TableError(
                choices.file,
                f"child {name!r} has rank {r} twice (first at row {first})",
                row=choices.row_number(row),
                column="rank",
            )
        if p in places_of[c]:
            first = choices.row_number(places_of[c][p])
            raise TableError(
                choices.file,
                f"child {name!r} lists place {choices.ids['place'][row]!r} twice (first at row {first})",
                row=choices.row_number(row),
                column="place",
            )
        rows_of[c][r] = row
        places_of[c][p] = row
    k = max((len(ranked) for ranked in rows_of), default=0)
    preferences = np.full((n_children, k), UNPLACED, dtype=np.int64)
    for c, ranked in enumerate(rows_of):
        for r, row in ranked.items():
            if r > len(ranked):
                name = choices.ids["child"][row]
                raise TableError(
                    choices.file,
                    f"child {name!r} has rank {r} but only {len(ranked)} choices; "
                    f"ranks must be 1..{len(ranked)} without gaps",
                    row=choices.row_number(row),
                    column="rank",
                )
            preferences[c, r - 1] = place[row]
    return preferences


def _priority(
    table: Table, choices: Table, child: IntArray, place: IntArray, preferences: IntArray, names: list[str]
) -> IntArray:
    """The ``(children, k)`` priority array matching ``preferences``.

    ``child`` and ``place`` index the rows of ``table`` (the priorities file). A second
    row for the same pair, a tie at a place and a choice without a priority are errors.
    """
    values = [int(v) for v in table.numbers["priority"].tolist()]
    row_of_pair: dict[tuple[int, int], int] = {}
    row_of_priority: dict[tuple[int, int], int] = {}
    for row, (c, p, v) in enumerate(zip(child.tolist(), place.tolist(), values, strict=True)):
        if (p, c) in row_of_pair:
            first = table.row_number(row_of_pair[(p, c)])
            raise TableError(
                table.file,
                f"child {names[c]!r} has a second priority at place {table.ids['place'][row]!r} "
                f"(first at row {first})",
                row=table.row_number(row),
                column="child",
            )
        if (p, v) in row_of_priority:
            other = row_of_priority[(p, v)]
            raise TableError(
                table.file,
                f"priority tie at place {table.ids['place'][row]!r}: children "
                f"{table.ids['child'][other]!r} (row {table.row_number(other)}) and {names[c]!r} "
                f"both have priority {v}; priorities at a place must be strict",
                row=table.row_number(row),
                column="priority",
            )
        row_of_pair[(p, c)] = row
        row_of_priority[(p, v)] = row
    priority = np.zeros(preferences.shape, dtype=np.int64)
    for c, ranked in enumerate(preferences.tolist()):
        for choice, p in enumerate(ranked):
            if p == UNPLACED:
                break
            found = row_of_pair.get((p, c))
            if found is None:
                row = _choice_row(choices, names[c], choice + 1)
                raise TableError(
                    choices.file,
                    f"child {names[c]!r} applies to place {choices.ids['place'][row]!r} but "
                    f"{table.file} gives no priority for this child there",
                    row=choices.row_number(row),
                    column="place",
                )
            priority[c, choice] = values[found]
    return priority


def _choice_row(choices: Table, name: str, rank: int) -> int:
    """The data row of ``name``'s choice of rank ``rank`` (for an error message)."""
    for row, (child, value) in enumerate(
        zip(choices.ids["child"], choices.numbers["rank"].tolist(), strict=True)
    ):
        if child == name and int(value) == rank:
            return row
    raise AssertionError(f"no row for child {name!r}, rank {rank}")


def run_match(args: argparse.Namespace) -> int:
    choices = read_table(
        args.children,
        [Column("child", kind="id"), Column("rank", kind="int", minimum=1), Column("place", kind="id")],
    )
    places = read_table(args.places, [Column("place", kind="id"), Column("capacity", kind="int", minimum=0)])
    place_index = unique_ids(places, "place")
    priorities = read_table(
        args.priorities,
        [Column("place", kind="id"), Column("child", kind="id"), Column("priority", kind="int")],
    )
    children_index = _children_index(choices)
    names = list(children_index)
    choice_child = np.array([children_index[c] for c in choices.ids["child"]], dtype=np.int64)
    choice_place = index_of(choices, "place", place_index, what="place id", known_file=places.file)
    preferences = _preferences(choices, choice_child, choice_place, len(names))
    priority_place = index_of(priorities, "place", place_index, what="place id", known_file=places.file)
    priority_child = index_of(priorities, "child", children_index, what="child id", known_file=choices.file)
    priority = _priority(priorities, choices, priority_child, priority_place, preferences, names)
    capacity = places.numbers["capacity"].astype(np.int64)
    result = deferred_acceptance(preferences, priority, capacity)
    place_names = places.ids["place"]
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["child", "place"])
    writer.writerows(
        [name, place_names[p] if p != UNPLACED else ""]
        for name, p in zip(names, result.place_of.tolist(), strict=True)
    )
    return 0
