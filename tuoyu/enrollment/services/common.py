"""What every enrollment service shares: the transaction with its audit actor, who may
act, and application references."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tuoyu.accounts.models import Role, User
from tuoyu.enrollment.models import (
    Application,
    Child,
    Round,
)

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _require_bureau_admin(actor: User | None) -> None:
    if actor is None or not actor.is_bureau_admin:
        raise PermissionDenied(_("仅市卫健局管理员可执行此操作。"))


def _require_parent(actor: User | None) -> User:
    if actor is None or not actor.is_active or actor.role != Role.PUBLIC:
        raise PermissionDenied(_("请使用家长账户办理报名。"))
    return actor


def _require_guardian(actor: User | None, child: Child) -> User:
    parent = _require_parent(actor)
    if child.guardian_id != parent.pk:
        raise PermissionDenied(_("您不是该婴幼儿的登记监护人。"))
    return parent


def _first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _reference_new(round_: Round) -> str:
    while True:
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _i in range(6))
        reference = f"R{round_.pk}-{code}"
        if not Application.objects.filter(reference=reference).exists():
            return reference
