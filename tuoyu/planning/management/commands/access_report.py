"""Print the access to 普惠 slots and the childcare deserts of every demand zone, as CSV or JSON."""

from __future__ import annotations

import csv
import datetime as dt
import json
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tuoyu.planning.access import (
    GROUPS,
    METHODS,
    access_analysis,
    access_parameters,
)
from tuoyu.planning.access_tables import summary_record, zone_records

OPTIONS = {
    "as_of": "--as-of",
    "method": "--method",
    "catchment_m": "--catchment",
    "steps": "--steps",
    "circuity": "--circuity",
    "min_children": "--min-children",
    "max_children_per_slot": "--max-children-per-slot",
    "travel_scenario": "--travel-scenario",
}
"""Parameter names of :func:`tuoyu.planning.access.access_parameters` -> command-line options."""


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of: {value!r} is not a date in the form YYYY-MM-DD") from None


def refused(error: ValidationError, options: dict[str, str]) -> CommandError:
    """One line per problem, each naming the option at fault."""
    lines = [
        f"{options.get(name, name)}: {message}"
        for name, messages in error.message_dict.items()
        for message in messages
    ]
    return CommandError("\n".join(lines))


class Command(BaseCommand):
    help = "Access to puhui slots (2SFCA / E2SFCA) and childcare deserts (托育荒漠) by demand zone."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--as-of", default=None, help="YYYY-MM-DD; default today (Asia/Shanghai)")
        parser.add_argument("--method", choices=METHODS, default="e2sfca")
        parser.add_argument(
            "--catchment", type=float, default=None, help="catchment in metres (default 3000)"
        )
        parser.add_argument(
            "--steps", default=None, help="E2SFCA steps upper:weight,...; default scaled to the catchment"
        )
        parser.add_argument("--circuity", type=float, default=None, help="road / straight-line ratio (1.3)")
        parser.add_argument(
            "--min-children", type=float, default=None, help="least children of a desert (50)"
        )
        parser.add_argument(
            "--max-children-per-slot", type=float, default=None, help="most children per slot (3)"
        )
        parser.add_argument(
            "--travel-scenario",
            type=int,
            default=None,
            metavar="ID",
            help="measure distance by this scenario's imported travel-cost matrix (default: straight line)",
        )
        parser.add_argument("--format", choices=("csv", "json"), default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            parameters = access_parameters(
                as_of=_date(options["as_of"]) if options["as_of"] else None,
                method=options["method"],
                catchment_m=options["catchment"],
                steps=options["steps"],
                circuity=options["circuity"],
                min_children=options["min_children"],
                max_children_per_slot=options["max_children_per_slot"],
                travel_scenario=options["travel_scenario"],
            )
        except ValidationError as error:
            raise refused(error, OPTIONS) from None
        result = access_analysis(parameters=parameters)
        records = zone_records(result)
        if options["format"] == "json":
            payload = {"summary": summary_record(result), "zones": records}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        writer = csv.writer(self.stdout)
        group_columns = ("children", "slots_in_reach", "access", "children_per_slot", "desert")
        writer.writerow(
            [
                "code",
                "name",
                "township_code",
                "township",
                "latitude",
                "longitude",
                "children_under_3",
                *(f"{group}_{column}" for group in GROUPS for column in group_columns),
            ]
        )
        for record in records:
            writer.writerow(
                [
                    record["code"],
                    record["name"],
                    record["township_code"],
                    record["township"],
                    record["latitude"],
                    record["longitude"],
                    record["children_under_3"],
                    *("" if record[g][c] is None else record[g][c] for g in GROUPS for c in group_columns),
                ]
            )
