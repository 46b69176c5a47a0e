"""``manage.py import_township_boundaries FILE --as USERNAME``: surveyed township boundaries.

Reads a GeoJSON FeatureCollection (one feature per township, named by its division code
or its name) and replaces the townships' boundaries through the registry service, all or
nothing, on behalf of a bureau admin so the audit log names who imported. Messages are
printed in Chinese and English.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext, ngettext

from tuoyu.accounts.models import User
from tuoyu.registry import boundaries, services


def _both(render: Any) -> str:
    """``render()`` in Chinese, then in English: "中文 / English"."""
    with translation.override("zh-hans"):
        chinese = str(render())
    with translation.override("en"):
        english = str(render())
    return chinese if chinese == english else f"{chinese} / {english}"


class Command(BaseCommand):
    help = (
        "Import surveyed township boundaries from a GeoJSON FeatureCollection (导入镇街边界); "
        "all or nothing, every problem listed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="GeoJSON FeatureCollection, UTF-8, at most 20 MB")
        parser.add_argument(
            "--as",
            dest="username",
            required=True,
            metavar="USERNAME",
            help="the bureau admin the import is recorded under in the audit log",
        )
        parser.add_argument(
            "--match",
            choices=boundaries.MATCHES,
            default=boundaries.MATCH_CODE,
            help="match features to townships by 12-digit division code or by name (default %(default)s)",
        )
        parser.add_argument(
            "--property",
            dest="property_name",
            default="",
            metavar="NAME",
            help="the feature property holding the code or name (default: the same as --match)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["username"]).first()
        if actor is None:
            raise CommandError(f"没有用户 {options['username']} / no such user: {options['username']}")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 / no such file: {path}")
        size_problem = boundaries.too_large(path.stat().st_size)
        if size_problem is not None:
            raise CommandError(_both(lambda: size_problem))
        try:
            result = services.township_boundaries_import(
                actor=actor,
                data=path.read_bytes(),
                match=options["match"],
                property_name=options["property_name"],
            )
        except PermissionDenied:
            raise CommandError(_both(lambda: gettext("仅市卫健局管理员可执行此操作。"))) from None
        except boundaries.BoundaryImportError as error:
            lines = [_both(lambda problem=problem: problem) for problem in error.problems]
            heading = _both(lambda: _failed(len(lines)))
            raise CommandError("\n".join([heading, *lines])) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(_both(result.summary)))
        if result.warning():
            self.stdout.write(self.style.WARNING(_both(result.warning)))


def _failed(count: int) -> str:
    return ngettext("发现 %(n)d 个问题，未保存任何内容：", "发现 %(n)d 个问题，未保存任何内容：", count) % {
        "n": count
    }
