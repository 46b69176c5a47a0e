"""``manage.py supervision_draw_export --plan ID [--output FILE]``: write the published draw.

The same JSON as the public page's download (``/supervision/draws/ID.json``), which
``python tools/verify_draw.py FILE --commitment C`` checks. Before the draw it holds the
commitment only (a note says so on standard error). A draft plan is not published.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoyu.supervision import selectors
from tuoyu.supervision.models import PlanStatus
from tuoyu.supervision.views_public import draw_published


class Command(BaseCommand):
    help = "Write the published draw of a sampling plan (抽查公示) as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", type=int, required=True, metavar="ID", help="sampling plan id")
        parser.add_argument(
            "--output", default=None, metavar="FILE", help="write to FILE (default: standard output)"
        )

    def handle(self, *args: Any, plan: int, output: str | None, **options: Any) -> None:
        found = selectors.plans_public().filter(pk=plan).first()
        data = None if found is None else draw_published(found)
        if found is None or data is None:
            raise CommandError(f"没有编号为 {plan} 的已公布抽查计划 / no published plan {plan}")
        if found.status != PlanStatus.DRAWN:
            self.stderr.write(
                f"计划 #{found.pk} 尚未抽取，只有承诺值 / plan #{found.pk} is not drawn yet: commitment only"
            )
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(
                f"无法写入 {output}: {error.strerror or error} / cannot write {output}"
            ) from None
        self.stdout.write(f"wrote {output}")
