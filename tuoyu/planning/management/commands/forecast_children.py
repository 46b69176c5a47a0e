"""Print the forecast of children under 3 and under 2 by township and for the city, as CSV or JSON."""

from __future__ import annotations

import csv
import json
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tuoyu.planning.forecasting import area_record, forecast_parameters, forecast_report
from tuoyu.planning.management.commands.access_report import refused

OPTIONS = {"birth_trend": "--birth-trend", "horizon": "--horizon"}


class Command(BaseCommand):
    help = "Forecast children under 3 (婴幼儿需求预测) by township and for the city."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--birth-trend",
            type=float,
            default=None,
            help="annual relative change of births, e.g. -0.05; default estimated per township",
        )
        parser.add_argument("--horizon", type=int, default=3, help="years forecast (1-10, default 3)")
        parser.add_argument("--format", choices=("csv", "json"), default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            parameters = forecast_parameters(birth_trend=options["birth_trend"], horizon=options["horizon"])
        except ValidationError as error:
            raise refused(error, OPTIONS) from None
        report = forecast_report(parameters=parameters)
        if report.city is None:
            raise CommandError("no births or children on record to forecast from")
        first = report.first_forecast_year
        areas = [report.city, *report.townships]
        records = [area_record(area, report.years, first) for area in areas]
        if options["format"] == "json":
            payload = {
                "birth_trend": parameters.birth_trend,
                "horizon": parameters.horizon,
                "first_forecast_year": first,
                "slots_as_of": report.slots_as_of.isoformat(),
                "areas": records,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        writer = csv.writer(self.stdout)
        writer.writerow(
            [
                "area",
                "name",
                "year",
                "forecast",
                "children_under_3",
                "children_under_2",
                "births",
                "slots_needed",
            ]
        )
        for record in records:
            gaps = {need["year"]: need["gap"] for need in record["needs"]}
            for row in record["years"]:
                gap = gaps.get(row["year"])
                writer.writerow(
                    [
                        record["code"],
                        record["name"],
                        row["year"],
                        int(row["forecast"]),
                        "" if row["children_under_3"] is None else row["children_under_3"],
                        "" if row["children_under_2"] is None else row["children_under_2"],
                        "" if row["births"] is None else row["births"],
                        "" if gap is None else round(gap, 3),
                    ]
                )
