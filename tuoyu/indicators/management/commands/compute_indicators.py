"""Print the targets for the city and every township on a date, as JSON or CSV."""

from __future__ import annotations

import csv
import datetime as dt
import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tuoyu.engine.codes import INDICATOR_CODES, MONITORED_CODES
from tuoyu.engine.indicators import figure_as_dict
from tuoyu.indicators.selectors import indicator_report
from tuoyu.registry.models import Township


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of: {value!r} is not a date in the form YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Compute the targets (目标指标) for the city and every township on a date."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--as-of", default=None, help="YYYY-MM-DD; default today (Asia/Shanghai)")
        parser.add_argument("--format", choices=("json", "csv"), default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = _date(options["as_of"]) if options["as_of"] else timezone.localdate()
        report = indicator_report(as_of=as_of)
        names = dict(Township.objects.values_list("pk", "code"))
        codes = INDICATOR_CODES + MONITORED_CODES
        areas = [("city", report.city)] + [(names[pk], figures) for pk, figures in report.townships.items()]
        if options["format"] == "json":
            payload = {
                "as_of": as_of.isoformat(),
                "areas": {
                    area: {code: figure_as_dict(figures[code]) for code in codes} for area, figures in areas
                },
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        writer = csv.writer(self.stdout)
        writer.writerow(["area", "code", "numerator", "denominator", "value", "target", "met"])
        for area, figures in areas:
            for code in codes:
                row = figure_as_dict(figures[code])
                writer.writerow(
                    [
                        area,
                        code,
                        row["numerator"],
                        row["denominator"],
                        row["value"],
                        row["target"],
                        row["met"],
                    ]
                )
