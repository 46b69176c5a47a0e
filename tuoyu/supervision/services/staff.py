"""Staff: personal credit events and the 从业禁止 list, keyed by the ID number's blind index."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.models import User
from tuoyu.common import crypto
from tuoyu.common.audit import audited_change
from tuoyu.common.identifiers import IdentifierError, resident_id_normalize
from tuoyu.registry.models import Institution, Staff
from tuoyu.supervision.models import (
    BarredPerson,
    StaffCreditEvent,
)
from tuoyu.supervision.services.common import _require_supervisor


def _index_of(id_number: str) -> tuple[str, str]:
    try:
        normalized = resident_id_normalize(id_number)
    except IdentifierError as error:
        raise ValidationError({"id_number": str(error)}) from None
    return normalized, crypto.blind_index(normalized, purpose=Staff.ID_PURPOSE)


def barred_add(
    *,
    actor: User,
    name: str,
    id_number: str,
    reason: str,
    decision: str,
    barred_from: dt.date,
    barred_until: dt.date | None = None,
) -> BarredPerson:
    """Put a person on the 从业禁止 list (a decision by a competent authority)."""
    _require_supervisor(actor)
    normalized, index = _index_of(id_number)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("请填写姓名。")
    if not reason.strip():
        errors["reason"] = _("请填写原因。")
    if not decision.strip():
        errors["decision"] = _("请填写决定文书。")
    if barred_until is not None and barred_until < barred_from:
        errors["barred_until"] = _("截止日期不能早于起始日期。")
    if BarredPerson.objects.filter(id_number_index=index).exists():
        errors["id_number"] = _("此人已在从业禁止名单中。")
    if errors:
        raise ValidationError(errors)
    with audited_change(actor):
        return BarredPerson.objects.create(
            id_number_ciphertext=crypto.encrypt(normalized, purpose=BarredPerson.ID_PURPOSE),
            id_number_index=index,
            name=name.strip(),
            reason=reason.strip(),
            decision=decision.strip(),
            barred_from=barred_from,
            barred_until=barred_until,
            recorded_by=actor,
        )


def barred_refusal(id_number_index: str) -> str | None:
    """The registry's hiring check: a clear refusal that names nothing but the rule."""
    today = timezone.localdate()
    for person in BarredPerson.objects.filter(id_number_index=id_number_index):
        if person.is_in_force(today):
            return _("该人员在托育从业禁止名单内，不能录用。如有异议，请联系市卫生健康局。")
    return None


def staff_credit_record(
    *,
    actor: User,
    staff: Staff,
    kind: str,
    occurred_on: dt.date,
    reason: str,
    institution: Institution | None,
) -> StaffCreditEvent:
    _require_supervisor(actor)
    if kind not in {"commendation", "violation"}:
        raise ValidationError({"kind": _("类型应为表彰或违规。")})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写事由。")})
    with audited_change(actor):
        return StaffCreditEvent.objects.create(
            staff=staff,
            institution=institution,
            kind=kind,
            occurred_on=occurred_on,
            reason=reason.strip(),
            recorded_by=actor,
        )


def staff_find(*, actor: User, id_number: str) -> Staff | None:
    """Traceability: the one staff record of a person, found by ID number through the
    blind index, with their employment history across institutions."""
    _require_supervisor(actor)
    _normalized, index = _index_of(id_number)
    return Staff.objects.filter(id_number_index=index).first()
