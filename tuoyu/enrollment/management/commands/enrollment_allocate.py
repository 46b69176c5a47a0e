"""``manage.py enrollment_allocate --round ID --as USERNAME [--close]``: draw and allocate.

Reveals the round's committed seed, draws the lottery and allocates the places through the
same service as the page and the API (recorded in the audit log under the user's name),
then prints the figures. The round must be closed; ``--close`` closes a round that is
still open first, in the same transaction (so a failed allocation leaves it open).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tuoyu.accounts.models import User
from tuoyu.enrollment import allocation, services
from tuoyu.enrollment.models import Round, RoundStatus


class Command(BaseCommand):
    help = "Draw the lottery and allocate a closed enrollment round (抽签并分配) and print the figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", type=int, required=True, metavar="ID", help="round id")
        parser.add_argument(
            "--as", dest="username", required=True, metavar="USERNAME", help="the bureau admin running it"
        )
        parser.add_argument("--close", action="store_true", help="close the round first if it is still open")

    def handle(self, *args: Any, round: int, username: str, close: bool, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户 {username!r} / no user {username!r}")
        found = Round.objects.filter(pk=round).first()
        if found is None:
            raise CommandError(f"没有编号为 {round} 的报名轮次 / no round {round}")
        if found.status == RoundStatus.OPEN and not close:
            raise CommandError(
                f"轮次 #{found.pk} 仍在报名中，请先截止报名或加 --close / "
                f"round #{found.pk} is still open: close it first, or pass --close"
            )
        if found.status not in {RoundStatus.OPEN, RoundStatus.CLOSED}:
            raise CommandError(
                f"轮次 #{found.pk} 的状态为“{found.get_status_display()}”，只有已截止的轮次可以分配 / "
                f"round #{found.pk} is {found.status}: only a closed round can be allocated"
            )
        try:
            with transaction.atomic():
                if found.status == RoundStatus.OPEN:
                    found = services.round_close(actor=user, round_=found)
                    self.stdout.write(f"round #{found.pk} closed")
                summary = allocation.round_allocate(actor=user, round_=found)
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"round #{found.pk} {found.name}: {summary.applications} applications, "
            f"{summary.placed} placed, {summary.unplaced} not placed, {summary.seats} seats"
        )
