"""``manage.py generate_province``: a synthetic province-size registry for benchmarks."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoyu.enrollment import demo as enrollment_demo
from tuoyu.planning import demo as planning_demo
from tuoyu.registry import demo
from tuoyu.supervision import demo as supervision_demo


class Command(BaseCommand):
    help = (
        "Generate a synthetic province-size registry (合成数据) for benchmarks; prints progress and timings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2025, help="random seed (default %(default)s)")
        parser.add_argument("--townships", type=int, default=1500)
        parser.add_argument("--institutions", type=int, default=12000)
        parser.add_argument("--classes", type=int, default=40000)
        parser.add_argument("--staff", type=int, default=100000)
        parser.add_argument(
            "--reset", action="store_true", help="delete all registry, indicator and demo-account data first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()

        def progress(message: str) -> None:
            self.stdout.write(f"[{time.perf_counter() - started:7.1f} s] {message}")
            self.stdout.flush()

        if options["reset"] and demo.registry_has_data():
            # Enrollment and planning rows point at the registry and the demo accounts.
            supervision_demo.supervision_demo_clear()
            enrollment_demo.enrollment_demo_clear()
            planning_demo.planning_demo_clear()
            deleted = demo.registry_clear()
            progress(f"已清空 / cleared: {sum(deleted.values())} rows")
        if demo.registry_has_data():
            raise CommandError("登记库已有数据 / the registry already holds data: use --reset to replace it")
        try:
            summary = demo.build_province(
                seed=options["seed"],
                townships=options["townships"],
                institutions=options["institutions"],
                classes=options["classes"],
                staff=options["staff"],
                progress=progress,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.WARNING(demo.SYNTHETIC_NOTE))
