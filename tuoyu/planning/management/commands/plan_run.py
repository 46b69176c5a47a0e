"""``manage.py plan_run --scenario ID --as USERNAME [--format summary|json]``: compute a plan.

Runs the scenario's plan now, in this process, through the same service as the page and
the API (so it is recorded as a plan run under the user's name in the audit log), then
prints a summary or the whole plan as JSON. Exits non-zero when the run fails.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoyu.accounts.models import User
from tuoyu.planning import services
from tuoyu.planning.models import RunStatus, Scenario


class Command(BaseCommand):
    help = "Compute the expansion plan of a scenario (计算规划方案) and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scenario", type=int, required=True, metavar="ID", help="scenario id")
        parser.add_argument(
            "--as", dest="username", required=True, metavar="USERNAME", help="the bureau admin running it"
        )
        parser.add_argument("--format", choices=("summary", "json"), default="summary")

    def handle(self, *args: Any, scenario: int, username: str, format: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户 {username!r} / no user {username!r}")
        found = Scenario.objects.filter(pk=scenario).first()
        if found is None:
            raise CommandError(f"没有编号为 {scenario} 的情景 / no scenario {scenario}")
        try:
            run = services.plan_run_start(actor=user, scenario=found, inline=True)
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if run.status != RunStatus.DONE:
            raise CommandError(f"方案 #{run.pk} 计算失败 / plan run #{run.pk} failed: {run.error}")
        if format == "json":
            self.stdout.write(json.dumps(run.result, ensure_ascii=False, indent=1))
            return
        plan = (run.result or {}).get("plan", {})
        self.stdout.write(
            f"plan run #{run.pk}: {plan.get('status')}  total cost {plan.get('total_cost', 0):,.0f} CNY  "
            f"gap {plan.get('mip_gap')}  {plan.get('solve_seconds', 0):.2f} s  "
            f"{len(plan.get('actions', []))} actions"
        )
        for shortfall in plan.get("shortfalls", []):
            self.stdout.write(
                f"  shortfall {shortfall['code']} township {shortfall['township_id']}: "
                f"{shortfall['missing_slots']:.0f} slots missing"
            )
