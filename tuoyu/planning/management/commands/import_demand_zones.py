"""Import demand zones (需求片区) from a CSV file, all or nothing, as a bureau admin."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from tuoyu.accounts.models import User
from tuoyu.planning import services


class Command(BaseCommand):
    help = (
        "Create or update demand zones from CSV with the columns "
        + ",".join(services.ZONE_COLUMNS)
        + "; any bad row refuses the whole file and names its row and column."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="CSV file, UTF-8 (a byte-order mark is allowed)")
        parser.add_argument(
            "--as", dest="username", required=True, help="username of the bureau admin importing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        actor = User.objects.filter(username=options["username"]).first()
        if actor is None:
            raise CommandError(f"--as: no user named {options['username']!r}")
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text") from None
        try:
            count = services.demand_zones_import(actor=actor, text=text, file=path.name)
        except PermissionDenied as error:
            raise CommandError(f"--as: {error}") from None
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from None
        self.stdout.write(f"imported {count} demand zones from {path.name}")
