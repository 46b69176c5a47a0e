"""``manage.py supervision_credit_recompute [--as-of YYYY-MM-DD]``: regrade every institution.

Grades age: an event leaves the rules' window as time passes, so a grade can change with
no new event. Meant for cron (daily, or after the rules change in ``TUOYU_CREDIT_RULES``):
grades every institution as of the day and records the grades that changed, each with its
reason. Prints how many grades changed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from tuoyu.supervision import credit
from tuoyu.supervision.management.commands.supervision_escalate_overdue import date_argument


class Command(BaseCommand):
    help = "Recompute every institution's credit grade (信用评定) and print how many changed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            dest="as_of",
            default=None,
            metavar="YYYY-MM-DD",
            help="grade as of this day (default: today)",
        )

    def handle(self, *args: Any, as_of: str | None, **options: Any) -> None:
        day = None if as_of is None else date_argument(as_of)
        with transaction.atomic():
            changed = credit.credit_recompute(as_of=day)
        self.stdout.write(f"{changed} grade(s) changed")
