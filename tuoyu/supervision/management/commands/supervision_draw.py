"""``manage.py supervision_draw --plan ID --as USERNAME [--publish]``: draw a sampling plan.

Reveals the plan's committed seed, draws the institutions and their inspectors and creates
the inspections through the same service as the page and the API (recorded in the audit
log under the user's name), then prints how many tasks were drawn and how many selected
institutions are unstaffed. The commitment must have been published first; ``--publish``
publishes a draft's commitment and draws in one go (in one transaction, so a failed draw
leaves the plan a draft) — only sensible when the commitment need not be noted by
anyone beforehand, as in a rehearsal.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tuoyu.accounts.models import User
from tuoyu.supervision import services
from tuoyu.supervision.models import PlanStatus, SamplingPlan


class Command(BaseCommand):
    help = "Draw a published sampling plan (双随机抽取) and print the number of tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", type=int, required=True, metavar="ID", help="sampling plan id")
        parser.add_argument(
            "--as", dest="username", required=True, metavar="USERNAME", help="the supervisor running it"
        )
        parser.add_argument("--publish", action="store_true", help="publish a draft's commitment first")

    def handle(self, *args: Any, plan: int, username: str, publish: bool, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户 {username!r} / no user {username!r}")
        found = SamplingPlan.objects.filter(pk=plan).first()
        if found is None:
            raise CommandError(f"没有编号为 {plan} 的抽查计划 / no plan {plan}")
        if found.status == PlanStatus.DRAFT and not publish:
            raise CommandError(
                f"计划 #{found.pk} 尚未公布承诺值，请先公布或加 --publish / "
                f"plan #{found.pk} is a draft: publish its commitment first, or pass --publish"
            )
        if found.status == PlanStatus.DRAWN:
            raise CommandError(f"计划 #{found.pk} 已抽取 / plan #{found.pk} is already drawn")
        try:
            with transaction.atomic():
                if found.status == PlanStatus.DRAFT:
                    found = services.plan_publish(actor=user, plan=found)
                    self.stdout.write(f"plan #{found.pk} commitment published: {found.commitment}")
                found = services.plan_draw(actor=user, plan=found)
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        published = found.published or {}
        tasks = published.get("tasks")
        unstaffed = published.get("unstaffed")
        self.stdout.write(
            f"plan #{found.pk} {found.name}: {len(tasks) if isinstance(tasks, list) else 0} tasks, "
            f"{len(unstaffed) if isinstance(unstaffed, list) else 0} unstaffed"
        )
