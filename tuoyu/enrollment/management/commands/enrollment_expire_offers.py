"""``manage.py enrollment_expire_offers [--as USERNAME]``: lapse offers past their deadline.

Meant for cron (every few minutes): every offer not answered by its deadline lapses and
frees its seat for the next round. The audit log attributes the change to ``--as`` when
given, to the system otherwise. Prints how many offers lapsed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoyu.accounts.models import User
from tuoyu.enrollment import services


class Command(BaseCommand):
    help = "Lapse enrollment offers not answered by their deadline (逾期未答复) and print how many."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as",
            dest="username",
            default=None,
            metavar="USERNAME",
            help="the user the audit log names (default: the system)",
        )

    def handle(self, *args: Any, username: str | None, **options: Any) -> None:
        user = None
        if username is not None:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"没有用户 {username!r} / no user {username!r}")
        lapsed = services.offers_expire(actor=user)
        self.stdout.write(f"{lapsed} offer(s) lapsed")
