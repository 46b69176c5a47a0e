"""Children registered by their guardians, with consent, and the 困境 verification."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.models import User
from tuoyu.common import crypto
from tuoyu.common.audit import audited_change
from tuoyu.common.identifiers import IdentifierError, resident_id_normalize
from tuoyu.enrollment.models import (
    CONSENT_VERSION,
    Child,
)
from tuoyu.enrollment.services.common import _require_parent
from tuoyu.portal.selectors import age_in_months
from tuoyu.registry.models import Institution, Township


def child_register(
    *,
    actor: User,
    name: str,
    birth_date: dt.date,
    id_number: str,
    township: Township,
    consent: bool,
    sibling_institution: Institution | None = None,
    parent_employer: Institution | None = None,
    hardship_claimed: bool = False,
    today: dt.date | None = None,
) -> Child:
    """A guardian registers a child under 3, with consent to process the child's data.

    The ID number is checked (format, check digit, and the birth date it contains) and
    stored encrypted; its blind index keeps one child from being registered twice.
    """
    guardian = _require_parent(actor)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if not consent:
        errors["consent"] = _("须同意《婴幼儿信息处理告知书》后才能登记。")
    if not name.strip():
        errors["name"] = _("请填写婴幼儿姓名。")
    normalized = ""
    try:
        normalized = resident_id_normalize(id_number)
    except IdentifierError as error:
        errors["id_number"] = str(error)
    if birth_date > today:
        errors["birth_date"] = _("出生日期不能晚于今天。")
    elif age_in_months(birth_date=birth_date, on=today) >= 36:
        errors["birth_date"] = _("孩子已满 3 周岁，不属于本平台的托育服务范围。")
    if normalized and "birth_date" not in errors and normalized[6:14] != birth_date.strftime("%Y%m%d"):
        errors["birth_date"] = _("出生日期与身份证号中的出生日期不一致。")
    if errors:
        raise ValidationError(errors)
    index = crypto.blind_index(normalized, purpose=Child.ID_PURPOSE)
    if Child.objects.filter(id_number_index=index).exists():
        raise ValidationError({"id_number": _("该婴幼儿已由监护人登记，请勿重复登记。")})
    child = Child(
        guardian=guardian,
        name=name.strip(),
        birth_date=birth_date,
        id_number_ciphertext=crypto.encrypt(normalized, purpose=Child.ID_PURPOSE),
        id_number_index=index,
        township=township,
        sibling_institution=sibling_institution,
        parent_employer=parent_employer,
        hardship_claimed=hardship_claimed,
        consent_version=CONSENT_VERSION,
        consent_at=timezone.now(),
    )
    with audited_change(actor):
        child.full_clean()
        try:
            with transaction.atomic():
                child.save()
        except IntegrityError:
            raise ValidationError({"id_number": _("该婴幼儿已由监护人登记，请勿重复登记。")}) from None
    return child


def child_hardship_review(*, actor: User, child: Child, verified: bool) -> Child:
    """The bureau, or the official of the child's township, confirms a 困境 claim."""
    allowed = actor.is_bureau_admin or (actor.is_township_official and actor.township_id == child.township_id)
    if not allowed:
        raise PermissionDenied(_("您无权认定该婴幼儿的困境情况。"))
    if verified and not child.hardship_claimed:
        raise ValidationError({"hardship_verified": _("监护人未申报困境婴幼儿，无需认定。")})
    with audited_change(actor):
        child.hardship_verified = verified
        child.save(update_fields=["hardship_verified"])
    return child
