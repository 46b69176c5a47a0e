"""``manage.py enrollment_lottery --round ID [--output FILE]``: write the published lottery.

The same JSON as the public page's download (``/enrollment/lottery/ID.json``), which
``python tools/verify_lottery.py FILE --commitment C`` checks. Before the draw it holds the
commitment only (a note says so on standard error). A draft round is not published.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoyu.enrollment import selectors


class Command(BaseCommand):
    help = "Write the published lottery of an enrollment round (抽签公示) as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", type=int, required=True, metavar="ID", help="round id")
        parser.add_argument(
            "--output", default=None, metavar="FILE", help="write to FILE (default: standard output)"
        )

    def handle(self, *args: Any, round: int, output: str | None, **options: Any) -> None:
        found = selectors.rounds_public().filter(pk=round).first()
        data = None if found is None else selectors.round_lottery_published(found)
        if found is None or data is None:
            raise CommandError(f"没有编号为 {round} 的已公布轮次 / no published round {round}")
        if not found.seed:
            self.stderr.write(
                f"轮次 #{found.pk} 尚未抽签，只有承诺值 / round #{found.pk} is not drawn yet: commitment only"
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
