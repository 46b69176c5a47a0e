"""What every supervision service shares: the transaction with its audit actor, and who
may act."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tuoyu.accounts.models import User
from tuoyu.registry.models import Institution

MANUAL_CREDIT_KINDS = ("award", "demonstration")
CITY_LEVEL = "city"
"""The township of an inspector who belongs to no township (city level) in the draw."""


def is_supervisor(user: object) -> bool:
    return isinstance(user, User) and (user.is_bureau_admin or user.is_supervision_lead)


def _require_supervisor(actor: User | None) -> User:
    if actor is None or not is_supervisor(actor):
        raise PermissionDenied(_("仅监管负责人或市卫健局管理员可执行此操作。"))
    return actor


def _require_operator_of(actor: User | None, institution: Institution) -> User:
    if actor is None or not (
        actor.is_bureau_admin or (actor.is_institution_operator and actor.institution_id == institution.pk)
    ):
        raise PermissionDenied(_("您无权代表该机构办理。"))
    return actor


def _config() -> dict[str, Any]:
    return dict(settings.TUOYU_SUPERVISION)
