"""``manage.py supervision_publish_due [--today YYYY-MM-DD]``: publish the inspection
results whose 一公开 deadline has passed without a review (for a daily job)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoyu.supervision import services


class Command(BaseCommand):
    help = "Publish submitted inspections still unreviewed past their publish-by day."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="the day to judge by (YYYY-MM-DD; default today)")

    def handle(self, *args: Any, today: str | None = None, **options: Any) -> None:
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today: not a date (YYYY-MM-DD): {today!r}") from None
        count = services.inspections_publish_due(today=day)
        self.stdout.write(f"{count} inspection(s) published at their deadline")
