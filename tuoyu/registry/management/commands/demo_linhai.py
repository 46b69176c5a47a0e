"""``manage.py demo_linhai [--seed N] [--reset]``: build the synthetic Linhai demo dataset."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuoyu.accounts.models import User
from tuoyu.enrollment import demo as enrollment_demo
from tuoyu.indicators.selectors import indicator_report
from tuoyu.planning import demo as planning_demo
from tuoyu.planning import services as planning_services
from tuoyu.planning.models import Scenario
from tuoyu.registry import demo
from tuoyu.supervision import demo as supervision_demo


class Command(BaseCommand):
    help = (
        "Build the synthetic Linhai demo dataset (示例数据) and the demo accounts. With existing data and "
        "no --reset, only the demo accounts are ensured."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=demo.LINHAI_SEED, help="random seed (default %(default)s)"
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete all registry, indicator and demo-account data first"
        )

    def handle(self, *args: Any, seed: int, reset: bool, **options: Any) -> None:
        if reset and demo.registry_has_data():
            supervision_demo.supervision_demo_clear()
            enrollment_demo.enrollment_demo_clear()
            planning_demo.planning_demo_clear()
            deleted = demo.registry_clear()
            self.stdout.write(f"已清空 / cleared: {sum(deleted.values())} rows")
            if deleted.get("detached accounts"):
                self.stdout.write(
                    self.style.WARNING(
                        f"{deleted['detached accounts']} 个非演示账号已与镇街或机构解除关联 / "
                        "non-demo accounts were detached from their township or institution"
                    )
                )
        if demo.registry_has_data():
            self.stdout.write(
                self.style.WARNING(
                    "登记库已有数据，未重建；仅确保演示账号存在（重建请加 --reset） / "
                    "the registry already holds data: not rebuilt, demo accounts ensured only "
                    "(use --reset to rebuild)"
                )
            )
        else:
            summary = demo.build_linhai(seed=seed)
            for line in summary.lines():
                self.stdout.write(line)
            self._figures()
        self._accounts(demo.create_demo_accounts())
        if not planning_demo.planning_demo_has_data():
            self._planning()
        if not enrollment_demo.enrollment_demo_has_data():
            self._enrollment()
        if not supervision_demo.supervision_demo_has_data():
            counts = supervision_demo.supervision_demo_build()
            self.stdout.write(
                f"安全监管示例 / supervision demo: {counts['published']} inspections published, "
                f"{counts['current_tasks']} tasks drawn for this year, {counts['open_orders']} open orders"
            )
        self.stdout.write(self.style.WARNING(demo.SYNTHETIC_NOTE))

    def _planning(self) -> None:
        """Demand zones, candidate sites, spare rooms and the default scenario with its plan."""
        admin = User.objects.filter(username="admin").first()
        counts = planning_demo.planning_demo_build(as_of=demo.DATA_AS_OF, admin=admin)
        self.stdout.write(
            f"规划示例数据 / planning demo: {counts['zones']} zones, {counts['sites']} candidate sites, "
            f"{counts['options']} expansion options"
        )
        scenario = Scenario.objects.get(pk=counts["scenario"])
        run = planning_services.plan_run_start(actor=admin, scenario=scenario, inline=True)
        if run.status == "done":
            cost, seconds = run.total_cost or 0, run.solve_seconds or 0.0
            self.stdout.write(f"{scenario.name}: {run.plan_status}, {cost:,.0f} 元 / CNY, {seconds:.2f} s")
        else:
            self.stdout.write(self.style.ERROR(f"{scenario.name}: {run.error}"))

    def _enrollment(self) -> None:
        """Two rounds of central enrollment with synthetic applicants."""
        admin = User.objects.get(username="admin")
        parent = User.objects.filter(username="public").first()
        counts = enrollment_demo.enrollment_demo_build(admin=admin, parent=parent)
        self.stdout.write(
            f"统一报名示例 / enrollment demo: {counts['applications']} applications, "
            f"{counts['placed']} placed in the first round; "
            f"{counts['carried_over']} carried over to the open second round"
        )

    def _figures(self) -> None:
        for day in demo.CHECK_DATES:
            report = indicator_report(as_of=day)
            parts = []
            for code, figure in report.city.items():
                if figure.target is None or figure.value is None:
                    continue
                mark = "✓" if figure.met else "✗"
                parts.append(f"{code}={figure.value:.4g}{mark}")
            self.stdout.write(f"{day.isoformat()}: " + "  ".join(parts))

    def _accounts(self, accounts: list[demo.DemoAccount]) -> None:
        self.stdout.write("演示账号 / demo accounts:")
        rows = [("username", "password", "role", "scope")] + [
            (a.username, a.password, a.role, a.scope) for a in accounts
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            self.stdout.write(
                "  "
                + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
                + "  "
                + row[3]
            )
