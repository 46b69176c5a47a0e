"""``manage.py plan_scenario_export --scenario ID [--output FILE]``: the plan problem as JSON.

Writes the scenario, on the registry as it stands now, in the format of
``python -m tuoyu.engine plan --scenario FILE``, so an analyst can solve, vary or compare
it away from the platform. Aggregates only: no personal data is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoyu.engine.expansion import problem_as_dict
from tuoyu.planning import loader
from tuoyu.planning.models import Scenario


class Command(BaseCommand):
    help = "Write a scenario's plan problem as engine JSON (导出规划情景)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scenario", type=int, required=True, metavar="ID", help="scenario id")
        parser.add_argument("--output", metavar="FILE", help="file to write (default: standard output)")

    def handle(self, *args: Any, scenario: int, output: str | None, **options: Any) -> None:
        found = Scenario.objects.filter(pk=scenario).first()
        if found is None:
            raise CommandError(f"没有编号为 {scenario} 的情景 / no scenario {scenario}")
        text = json.dumps(problem_as_dict(loader.plan_inputs(found).problem), ensure_ascii=False, indent=1)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"written {output}")
        else:
            self.stdout.write(text)
