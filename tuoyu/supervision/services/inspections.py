"""Inspections: assignment under the avoidance rules, recording, review and publication
(一公开), and their private attachments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.models import Role, User
from tuoyu.common.audit import audited_change
from tuoyu.registry.models import Institution
from tuoyu.supervision import credit
from tuoyu.supervision.models import (
    Attachment,
    Checklist,
    Conclusion,
    CreditEvent,
    Finding,
    FindingResult,
    Inspection,
    InspectionKind,
    InspectionStatus,
    InspectorConflict,
    RectificationOrder,
    Severity,
)
from tuoyu.supervision.services.common import _config, _require_operator_of, _require_supervisor


def _check_avoidance(institution: Institution, inspectors: Sequence[User]) -> None:
    for inspector in inspectors:
        if inspector.role != Role.INSPECTOR or not inspector.is_active:
            raise ValidationError(
                {"inspectors": _("%(name)s 不是在岗检查人员。") % {"name": inspector.username}}
            )
        if inspector.township_id is not None and inspector.township_id == institution.township_id:
            raise ValidationError(
                {
                    "inspectors": _("%(name)s 与该机构同属一个镇（街道），应当回避。")
                    % {"name": inspector.username}
                }
            )
        if InspectorConflict.objects.filter(inspector=inspector, institution=institution).exists():
            raise ValidationError(
                {"inspectors": _("%(name)s 已申报与该机构回避。") % {"name": inspector.username}}
            )


def inspection_create(
    *,
    actor: User,
    institution: Institution,
    kind: str,
    checklist: Checklist,
    due_on: dt.date,
    inspectors: Sequence[User],
) -> Inspection:
    """A complaint check or a follow-up, assigned by the lead under the same avoidance
    rules as the draw."""
    _require_supervisor(actor)
    if kind not in {InspectionKind.COMPLAINT, InspectionKind.FOLLOW_UP}:
        raise ValidationError({"kind": _("随机抽查只能通过抽查计划产生。")})
    if len(inspectors) < 2:
        raise ValidationError({"inspectors": _("每次检查至少安排 2 名检查人员。")})
    _check_avoidance(institution, inspectors)
    with audited_change(actor):
        inspection = Inspection.objects.create(
            institution=institution, kind=kind, checklist=checklist, due_on=due_on
        )
        inspection.inspectors.set(inspectors)
    return inspection


def _require_assigned(actor: User | None, inspection: Inspection) -> User:
    if actor is None or not inspection.inspectors.filter(pk=actor.pk).exists():
        raise PermissionDenied(_("您不是该次检查的检查人员。"))
    return actor


def conclusion_of(findings: Mapping[int, str], severities: Mapping[int, str]) -> str:
    """The documented rule: no violation is a pass; a critical violation fails the
    inspection; other violations call for rectification."""
    violations = [item for item, result in findings.items() if result == FindingResult.VIOLATION]
    if not violations:
        return Conclusion.PASS
    if any(severities[item] == Severity.CRITICAL for item in violations):
        return Conclusion.FAIL
    return Conclusion.RECTIFY


def inspection_record(
    *,
    actor: User,
    inspection: Inspection,
    inspected_on: dt.date,
    results: Mapping[int, tuple[str, str]],
    summary: str = "",
    submit: bool = False,
) -> Inspection:
    """An assigned inspector records the result of every item (``results``: item id ->
    (result, note)); ``submit`` sends it to the lead for review, which needs every item
    answered and a note on every violation."""
    _require_assigned(actor, inspection)
    if inspection.status != InspectionStatus.ASSIGNED:
        raise ValidationError(_("该检查已提交，不能再修改。"))
    items = {item.pk: item for item in inspection.checklist.items.all()}
    errors: dict[str, str] = {}
    if inspected_on > timezone.localdate():
        errors["inspected_on"] = _("检查日期不能晚于今天。")
    for item_id, (result, note) in results.items():
        if item_id not in items:
            errors[f"item_{item_id}"] = _("检查项不属于本检查表。")
        elif result not in FindingResult.values:
            errors[f"item_{item_id}"] = _("%(code)s 的结果无效。") % {"code": items[item_id].code}
        elif result == FindingResult.VIOLATION and not note.strip() and submit:
            errors[f"item_{item_id}"] = _("%(code)s 不符合时请写明问题。") % {"code": items[item_id].code}
    if submit:
        for item_id, item in items.items():
            if item_id not in results:
                errors[f"item_{item_id}"] = _("%(code)s 尚未填写结果。") % {"code": item.code}
    if errors:
        raise ValidationError(errors)
    with audited_change(actor):
        for item_id, (result, note) in results.items():
            Finding.objects.update_or_create(
                inspection=inspection, item_id=item_id, defaults={"result": result, "note": note.strip()}
            )
        inspection.inspected_on = inspected_on
        inspection.summary = summary.strip()
        fields = ["inspected_on", "summary"]
        if submit:
            inspection.conclusion = conclusion_of(
                {item_id: result for item_id, (result, _note) in results.items()},
                {item_id: item.severity for item_id, item in items.items()},
            )
            inspection.status = InspectionStatus.SUBMITTED
            inspection.submitted_at = timezone.now()
            fields += ["conclusion", "status", "submitted_at"]
        inspection.save(update_fields=fields)
    return inspection


def inspection_return(*, actor: User, inspection: Inspection, note: str) -> Inspection:
    """The lead sends a submitted inspection back to its inspectors."""
    _require_supervisor(actor)
    if inspection.status != InspectionStatus.SUBMITTED:
        raise ValidationError(_("只有待审核的检查可以退回。"))
    if not note.strip():
        raise ValidationError({"note": _("请说明退回原因。")})
    with audited_change(actor):
        inspection.status = InspectionStatus.ASSIGNED
        inspection.summary = (inspection.summary + "\n" + _("退回意见：") + note.strip()).strip()
        inspection.save(update_fields=["status", "summary"])
    return inspection


def inspection_publish(*, actor: User, inspection: Inspection, today: dt.date | None = None) -> Inspection:
    """The lead approves a submitted inspection: it becomes public (一公开), every
    violation becomes a rectification order with a deadline by severity, and the result
    and its findings become credit events."""
    _require_supervisor(actor)
    return _publish(actor=actor, inspection=inspection, today=today)


def _publish(*, actor: User | None, inspection: Inspection, today: dt.date | None) -> Inspection:
    if inspection.status != InspectionStatus.SUBMITTED or inspection.inspected_on is None:
        raise ValidationError(_("只有待审核的检查可以公示。"))
    days = _config()["rectification_days"]
    day = inspection.inspected_on
    with audited_change(actor):
        violations = list(inspection.findings.filter(result=FindingResult.VIOLATION).select_related("item"))
        for finding in violations:
            RectificationOrder.objects.create(
                finding=finding,
                institution=inspection.institution,
                deadline=day + dt.timedelta(days=int(days[finding.item.severity])),
            )
        source = f"inspection:{inspection.pk}"
        reason = _("%(kind)s：%(conclusion)s") % {
            "kind": inspection.get_kind_display(),
            "conclusion": inspection.get_conclusion_display(),
        }
        CreditEvent.objects.create(
            institution=inspection.institution,
            kind=f"inspection_{inspection.conclusion}",
            occurred_on=day,
            reason=reason,
            source=source,
            recorded_by=actor,
        )
        for severity in Severity.values:
            count = sum(1 for finding in violations if finding.item.severity == severity)
            if count:
                CreditEvent.objects.create(
                    institution=inspection.institution,
                    kind=f"finding_{severity}",
                    occurred_on=day,
                    count=count,
                    reason=_("检查发现%(severity)s问题 %(count)d 项")
                    % {
                        "severity": Severity(severity).label,
                        "count": count,
                    },
                    source=source,
                    recorded_by=actor,
                )
        inspection.status = InspectionStatus.PUBLISHED
        inspection.published_at = timezone.now()
        inspection.reviewed_by = actor
        inspection.save(update_fields=["status", "published_at", "reviewed_by"])
        credit.credit_recompute(institution_ids=[inspection.institution_id], as_of=today)
    return inspection


def inspections_publish_due(*, today: dt.date | None = None) -> int:
    """一公开 has a deadline: a submitted inspection still unreviewed when its publish-by
    day has passed is published as recorded (no reviewer), so that no result stays
    hidden longer than the plan allows; returns how many. Meant for a daily job."""
    today = today or timezone.localdate()
    due = [
        inspection
        for inspection in Inspection.objects.filter(status=InspectionStatus.SUBMITTED).select_related("plan")
        if (inspection.publish_by() or today) < today
    ]
    for inspection in due:
        _publish(actor=None, inspection=inspection, today=today)
    return len(due)


def attachment_add(
    *, actor: User, inspection: Inspection, upload: UploadedFile, order: RectificationOrder | None = None
) -> Attachment:
    """A private file: an assigned inspector's evidence, or the operator's for an order."""
    if order is None:
        _require_assigned(actor, inspection)
    else:
        _require_operator_of(actor, order.institution)
        if order.finding.inspection_id != inspection.pk:
            raise ValidationError({"order": _("整改通知不属于该检查。")})
    config = _config()
    content_type = upload.content_type or ""
    if content_type not in config["attachment_types"]:
        raise ValidationError({"file": _("只接受 JPEG、PNG 图片或 PDF 文件。")})
    if (upload.size or 0) > config["attachment_max_bytes"]:
        raise ValidationError(
            {"file": _("文件不能超过 %(mb)d MB。") % {"mb": config["attachment_max_bytes"] // (1024 * 1024)}}
        )
    with audited_change(actor):
        return Attachment.objects.create(
            inspection=inspection,
            order=order,
            file=upload,
            name=(upload.name or "file")[:200],
            content_type=content_type,
            size=upload.size or 0,
            uploaded_by=actor,
        )
