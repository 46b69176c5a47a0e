"""``manage.py supervision_escalate_overdue [--as USERNAME] [--today YYYY-MM-DD]``.

Meant for cron (daily): every rectification order past its deadline and not rectified
becomes a credit event of its institution, once, and the grades are recomputed. The audit
log attributes the change to ``--as`` when given, to the system otherwise. ``--today``
runs it as of another day (a missed run, or a test). Prints how many orders escalated.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoyu.accounts.models import User
from tuoyu.supervision import services


def date_argument(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期应为 YYYY-MM-DD：{text!r} / not a date: {text!r}") from None


class Command(BaseCommand):
    help = "Record overdue rectification orders (逾期未整改) as credit events and print how many."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as",
            dest="username",
            default=None,
            metavar="USERNAME",
            help="the user the audit log names (default: the system)",
        )
        parser.add_argument(
            "--today", default=None, metavar="YYYY-MM-DD", help="as of this day (default: today)"
        )

    def handle(self, *args: Any, username: str | None, today: str | None, **options: Any) -> None:
        user = None
        if username is not None:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"没有用户 {username!r} / no user {username!r}")
        day = None if today is None else date_argument(today)
        escalated = services.orders_escalate_overdue(actor=user, today=day)
        self.stdout.write(f"{escalated} overdue order(s) escalated")
