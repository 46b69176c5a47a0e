"""Complaints from the public, incident reports from institutions, and the credit events
recorded by hand (awards, demonstration status)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.models import User
from tuoyu.common import crypto
from tuoyu.common.audit import audited_change
from tuoyu.common.identifiers import IdentifierError, phone_normalize
from tuoyu.registry.models import Institution
from tuoyu.supervision import credit
from tuoyu.supervision.models import (
    CaseStatus,
    Category,
    Complaint,
    CreditEvent,
    IncidentReport,
    IncidentSeverity,
)
from tuoyu.supervision.services.common import (
    MANUAL_CREDIT_KINDS,
    _config,
    _require_operator_of,
    _require_supervisor,
)


def complaint_submit(
    *, actor: User | None, institution: Institution, category: str, description: str, contact: str
) -> Complaint:
    """Anyone may complain; the contact number is kept encrypted for the reply only."""
    errors: dict[str, str] = {}
    if category not in Category.values:
        errors["category"] = _("请选择投诉类别。")
    if len(description.strip()) < 10:
        errors["description"] = _("请具体描述投诉事项（至少 10 个字）。")
    phone = ""
    try:
        phone = phone_normalize(contact)
    except IdentifierError as error:
        errors["contact"] = str(error)
    if errors:
        raise ValidationError(errors)
    account = actor if isinstance(actor, User) and actor.is_authenticated else None
    with audited_change(account):
        return Complaint.objects.create(
            institution=institution,
            category=category,
            description=description.strip(),
            contact_ciphertext=crypto.encrypt(phone, purpose=Complaint.PHONE_PURPOSE),
            submitted_by=account,
        )


def complaint_handle(
    *, actor: User, complaint: Complaint, status: str, response: str = "", substantiated: bool | None = None
) -> Complaint:
    """Move a complaint on; closing it needs the finding (substantiated or not) and the
    reply. A substantiated complaint is a credit event."""
    _require_supervisor(actor)
    if complaint.status == CaseStatus.CLOSED:
        raise ValidationError(_("该投诉已办结。"))
    if status not in CaseStatus.values:
        raise ValidationError({"status": _("状态无效。")})
    if status == CaseStatus.CLOSED:
        errors: dict[str, str] = {}
        if substantiated is None:
            errors["substantiated"] = _("办结时请认定投诉是否属实。")
        if not response.strip():
            errors["response"] = _("办结时请填写处理结果。")
        if errors:
            raise ValidationError(errors)
    with audited_change(actor):
        complaint.status = status
        complaint.response = response.strip()
        complaint.handled_by = actor
        if status == CaseStatus.CLOSED:
            complaint.substantiated = substantiated
            complaint.closed_at = timezone.now()
            if substantiated:
                CreditEvent.objects.create(
                    institution=complaint.institution,
                    kind="complaint_substantiated",
                    occurred_on=timezone.localdate(),
                    reason=_("投诉属实：%(category)s") % {"category": complaint.get_category_display()},
                    source=f"complaint:{complaint.pk}",
                    recorded_by=actor,
                )
        complaint.save()
        if status == CaseStatus.CLOSED and substantiated:
            credit.credit_recompute(institution_ids=[complaint.institution_id])
    return complaint


def incident_report(
    *,
    actor: User,
    institution: Institution,
    occurred_at: dt.datetime,
    severity: str,
    description: str,
    children_affected: int = 0,
    now: dt.datetime | None = None,
) -> IncidentReport:
    """An institution reports an incident itself; a report later than the configured
    hours for its severity is late, and a late report is a credit event."""
    _require_operator_of(actor, institution)
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if severity not in IncidentSeverity.values:
        errors["severity"] = _("请选择严重程度。")
    if occurred_at > now:
        errors["occurred_at"] = _("发生时间不能晚于现在。")
    if not description.strip():
        errors["description"] = _("请描述事故经过。")
    if errors:
        raise ValidationError(errors)
    limit = dt.timedelta(hours=int(_config()["incident_report_hours"][severity]))
    late = now - occurred_at > limit
    with audited_change(actor):
        incident = IncidentReport.objects.create(
            institution=institution,
            occurred_at=occurred_at,
            reported_at=now,
            severity=severity,
            description=description.strip(),
            children_affected=children_affected,
            reported_by=actor,
            late=late,
        )
        if late:
            CreditEvent.objects.create(
                institution=institution,
                kind="incident_late_report",
                occurred_on=timezone.localtime(now).date(),
                reason=_("事故迟报：发生于 %(at)s，超过 %(hours)d 小时后报告")
                % {
                    "at": timezone.localtime(occurred_at).strftime("%Y-%m-%d %H:%M"),
                    "hours": int(limit.total_seconds() // 3600),
                },
                source=f"incident:{incident.pk}",
                recorded_by=actor,
            )
            credit.credit_recompute(institution_ids=[institution.pk])
    return incident


def incident_close(
    *, actor: User, incident: IncidentReport, outcome: str, serious_confirmed: bool
) -> IncidentReport:
    """The lead closes an incident; a confirmed serious incident is a credit event."""
    _require_supervisor(actor)
    if incident.status == CaseStatus.CLOSED:
        raise ValidationError(_("该事故报告已办结。"))
    if not outcome.strip():
        raise ValidationError({"outcome": _("请填写处理结果。")})
    with audited_change(actor):
        incident.status = CaseStatus.CLOSED
        incident.outcome = outcome.strip()
        incident.handled_by = actor
        incident.closed_at = timezone.now()
        incident.save()
        if serious_confirmed:
            CreditEvent.objects.create(
                institution=incident.institution,
                kind="incident_serious",
                occurred_on=timezone.localtime(incident.occurred_at).date(),
                reason=_("经认定的重大安全事故"),
                source=f"incident:{incident.pk}",
                recorded_by=actor,
            )
            credit.credit_recompute(institution_ids=[incident.institution_id])
    return incident


def credit_event_record(
    *, actor: User, institution: Institution, kind: str, occurred_on: dt.date, reason: str
) -> CreditEvent:
    """Awards and demonstration status, recorded by the lead."""
    _require_supervisor(actor)
    if kind not in MANUAL_CREDIT_KINDS:
        raise ValidationError({"kind": _("只能手工记录表彰或示范机构。")})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写事由（如文件文号）。")})
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("日期不能晚于今天。")})
    with audited_change(actor):
        event = CreditEvent.objects.create(
            institution=institution,
            kind=kind,
            occurred_on=occurred_on,
            reason=reason.strip(),
            source="manual",
            recorded_by=actor,
        )
        credit.credit_recompute(institution_ids=[institution.pk])
    return event
