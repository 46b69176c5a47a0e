"""Rectification orders: the operator's answer, the inspector's verification, and
escalation of overdue orders into credit events."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.models import User
from tuoyu.common.audit import audited_change
from tuoyu.supervision import credit
from tuoyu.supervision.models import (
    CreditEvent,
    OrderStatus,
    RectificationOrder,
)
from tuoyu.supervision.services.common import _require_operator_of, is_supervisor


def order_submit(*, actor: User, order: RectificationOrder, evidence: str) -> RectificationOrder:
    """The operator reports what was done."""
    _require_operator_of(actor, order.institution)
    if order.status not in {OrderStatus.OPEN, OrderStatus.REOPENED}:
        raise ValidationError(_("该整改通知当前不需要提交。"))
    if not evidence.strip():
        raise ValidationError({"evidence": _("请说明整改情况。")})
    with audited_change(actor):
        order.evidence = evidence.strip()
        order.status = OrderStatus.SUBMITTED
        order.submitted_at = timezone.now()
        order.save(update_fields=["evidence", "status", "submitted_at"])
    return order


def order_verify(
    *,
    actor: User,
    order: RectificationOrder,
    accepted: bool,
    note: str = "",
    new_deadline: dt.date | None = None,
) -> RectificationOrder:
    """An inspector of the inspection (or the lead) accepts the rectification or sends it
    back, optionally with a new deadline."""
    inspection = order.finding.inspection
    if not (is_supervisor(actor) or inspection.inspectors.filter(pk=actor.pk).exists()):
        raise PermissionDenied(_("您不是该次检查的检查人员。"))
    if order.status != OrderStatus.SUBMITTED:
        raise ValidationError(_("只有已提交的整改可以核验。"))
    if not accepted and not note.strip():
        raise ValidationError({"note": _("退回时请写明原因。")})
    if new_deadline is not None and new_deadline < timezone.localdate():
        raise ValidationError({"new_deadline": _("新的整改期限不能早于今天。")})
    with audited_change(actor):
        order.status = OrderStatus.VERIFIED if accepted else OrderStatus.REOPENED
        order.review_note = note.strip()
        order.verified_by = actor
        order.verified_at = timezone.now()
        fields = ["status", "review_note", "verified_by", "verified_at"]
        if not accepted and new_deadline is not None:
            order.deadline = new_deadline
            fields.append("deadline")
        order.save(update_fields=fields)
    return order


def orders_escalate_overdue(*, actor: User | None = None, today: dt.date | None = None) -> int:
    """Orders past their deadline and not rectified become a credit event, once each;
    returns how many were escalated."""
    today = today or timezone.localdate()
    with audited_change(actor):
        overdue = list(
            RectificationOrder.objects.select_for_update()
            .filter(
                status__in=[OrderStatus.OPEN, OrderStatus.REOPENED],
                deadline__lt=today,
                escalated_at__isnull=True,
            )
            .select_related("finding__item")
        )
        for order in overdue:
            CreditEvent.objects.create(
                institution_id=order.institution_id,
                kind="rectification_overdue",
                occurred_on=order.deadline + dt.timedelta(days=1),
                reason=_("整改逾期：%(item)s（期限 %(deadline)s）")
                % {
                    "item": order.finding.item.code,
                    "deadline": order.deadline.isoformat(),
                },
                source=f"order:{order.pk}",
                recorded_by=actor,
            )
            order.escalated_at = timezone.now()
            order.save(update_fields=["escalated_at"])
        if overdue:
            credit.credit_recompute(institution_ids={order.institution_id for order in overdue}, as_of=today)
    return len(overdue)
