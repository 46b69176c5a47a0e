"""The one way every service writes: a transaction, with the audit log attributing each
row it changes to the actor (``None`` for scheduled jobs)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from auditlog.context import set_actor
from django.db import transaction

if TYPE_CHECKING:
    from tuoyu.accounts.models import User


@contextmanager
def audited_change(actor: User | None) -> Iterator[None]:
    with transaction.atomic(), set_actor(actor):
        yield
