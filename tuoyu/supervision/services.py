"""Every change in safety supervision.

Each service checks that the actor may make the change, validates the whole change, then
saves it in one transaction with the audit log attributing it to the actor (check,
execute, audit). Invalid input raises ``ValidationError`` naming the field; a refused
actor ``PermissionDenied``. Pages, the API and the commands all call these.

Who does what: the supervision lead (and the bureau admin) keeps checklists, plans and
draws, reviews and publishes inspections, handles complaints and incidents, and keeps
the credit archives; an inspector records only the inspections assigned to them and
verifies their rectifications; an operator answers rectification orders and reports
incidents of their own institution; anyone may complain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from auditlog.context import set_actor
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.models import Role, User
from tuoyu.common import crypto
from tuoyu.common.identifiers import IdentifierError, phone_normalize, resident_id_normalize
from tuoyu.engine import draw as engine_draw
from tuoyu.engine import lottery
from tuoyu.registry.models import Form, Institution, Staff, Township
from tuoyu.registry.selectors import counted_on
from tuoyu.supervision import credit
from tuoyu.supervision.models import (
    Attachment,
    BarredPerson,
    CaseStatus,
    Category,
    Checklist,
    ChecklistItem,
    Complaint,
    Conclusion,
    CreditEvent,
    Finding,
    FindingResult,
    IncidentReport,
    IncidentSeverity,
    Inspection,
    InspectionKind,
    InspectionStatus,
    InspectorConflict,
    OrderStatus,
    PlanStatus,
    RectificationOrder,
    SamplingPlan,
    Severity,
    StaffCreditEvent,
)

MANUAL_CREDIT_KINDS = ("award", "demonstration")
CITY_LEVEL = "city"
"""The township of an inspector who belongs to no township (city level) in the draw."""


@contextmanager
def _change(actor: User | None) -> Iterator[None]:
    with transaction.atomic(), set_actor(actor):
        yield


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


# Checklists -------------------------------------------------------------------------


def checklist_create(*, actor: User, name: str, items: Sequence[Mapping[str, Any]]) -> Checklist:
    """A checklist with its items (code, category, text, severity), all or nothing; an
    error names the item row (``items.3.severity``)."""
    _require_supervisor(actor)
    if not name.strip():
        raise ValidationError({"name": _("请填写检查表名称。")})
    if not items:
        raise ValidationError({"items": _("检查表至少需要一个检查项。")})
    errors: dict[str, str] = {}
    codes: set[str] = set()
    for row, item in enumerate(items, 1):
        code = str(item.get("code", "")).strip()
        if not code:
            errors[f"items.{row}.code"] = _("第 %(row)d 项缺少编号。") % {"row": row}
        elif code in codes:
            errors[f"items.{row}.code"] = _("第 %(row)d 项的编号 %(code)s 重复。") % {
                "row": row,
                "code": code,
            }
        codes.add(code)
        if item.get("category") not in Category.values:
            errors[f"items.{row}.category"] = _("第 %(row)d 项的类别无效。") % {"row": row}
        if item.get("severity") not in Severity.values:
            errors[f"items.{row}.severity"] = _("第 %(row)d 项的严重程度应为 critical、major 或 minor。") % {
                "row": row
            }
        if not str(item.get("text", "")).strip():
            errors[f"items.{row}.text"] = _("第 %(row)d 项缺少检查内容。") % {"row": row}
    if errors:
        raise ValidationError(errors)
    with _change(actor):
        checklist = Checklist.objects.create(name=name.strip())
        for order, item in enumerate(items, 1):
            ChecklistItem.objects.create(
                checklist=checklist,
                code=str(item["code"]).strip(),
                category=item["category"],
                text=str(item["text"]).strip(),
                severity=item["severity"],
                order=order,
            )
    return checklist


def checklist_item_add(
    *, actor: User, checklist: Checklist, code: str, category: str, text: str, severity: str
) -> ChecklistItem:
    _require_supervisor(actor)
    item = ChecklistItem(
        checklist=checklist,
        code=code.strip(),
        category=category,
        text=text.strip(),
        severity=severity,
        order=checklist.items.count() + 1,
    )
    with _change(actor):
        item.full_clean()
        item.save()
    return item


def checklist_set_active(*, actor: User, checklist: Checklist, active: bool) -> Checklist:
    """Checklists are retired, never deleted: past inspections keep their items."""
    _require_supervisor(actor)
    with _change(actor):
        checklist.active = active
        checklist.save(update_fields=["active"])
    return checklist


# Conflicts of interest --------------------------------------------------------------


def conflict_declare(
    *, actor: User, inspector: User, institution: Institution, reason: str
) -> InspectorConflict:
    """An inspector declares a conflict (or the lead records one); from then on the draw
    and manual assignment never send them there."""
    if not (is_supervisor(actor) or (actor.is_inspector and actor.pk == inspector.pk)):
        raise PermissionDenied(_("只能申报本人的回避事项。"))
    if inspector.role != Role.INSPECTOR:
        raise ValidationError({"inspector": _("只有检查人员需要申报回避。")})
    if not reason.strip():
        raise ValidationError({"reason": _("请说明回避原因。")})
    with _change(actor):
        conflict, _created = InspectorConflict.objects.update_or_create(
            inspector=inspector, institution=institution, defaults={"reason": reason.strip()}
        )
    return conflict


def conflict_remove(*, actor: User, conflict: InspectorConflict) -> None:
    _require_supervisor(actor)
    with _change(actor):
        conflict.delete()


# Sampling plans and the draw -----------------------------------------------------------


def _validate_plan(plan: SamplingPlan, *, inspectors: Sequence[User]) -> None:
    errors: dict[str, str] = {}
    ratios = plan.ratios
    grades = engine_draw.DEFAULT_RATIOS.keys()
    if not isinstance(ratios, dict) or set(ratios) != set(grades):
        errors["ratios"] = _("请为 A、B、C、D 四个信用等级各设一个抽查比例。")
    else:
        for grade in sorted(grades):
            value = ratios[grade]
            if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
                errors[f"ratios.{grade}"] = _("%(grade)s 级的抽查比例应在 0 到 1 之间。") % {"grade": grade}
    if any(form not in Form.values for form in plan.forms):
        errors["forms"] = _("服务形式无效。")
    if not plan.checklist.active:
        errors["checklist"] = _("该检查表已停用。")
    not_inspectors = [
        user.username for user in inspectors if user.role != Role.INSPECTOR or not user.is_active
    ]
    if not_inspectors:
        errors["inspectors"] = _("以下账户不是在岗检查人员：%(names)s。") % {
            "names": "、".join(not_inspectors)
        }
    elif len(inspectors) < plan.inspectors_per_task:
        errors["inspectors"] = _("检查人员库至少需要 %(count)d 人。") % {"count": plan.inspectors_per_task}
    if errors:
        raise ValidationError(errors)
    plan.full_clean(exclude=["commitment", "seed_ciphertext", "created_by", "checklist"])


def plan_create(
    *,
    actor: User,
    name: str,
    checklist: Checklist,
    due_on: dt.date,
    inspectors: Sequence[User],
    townships: Sequence[Township] = (),
    forms: Sequence[str] = (),
    ratios: Mapping[str, float] | None = None,
    inspectors_per_task: int = 2,
    publish_within_days: int | None = None,
) -> SamplingPlan:
    """A draft plan with its secret seed and the commitment to it."""
    _require_supervisor(actor)
    seed = lottery.seed_new()
    plan = SamplingPlan(
        name=name.strip(),
        checklist=checklist,
        due_on=due_on,
        forms=list(forms),
        ratios=dict(ratios if ratios is not None else engine_draw.DEFAULT_RATIOS),
        inspectors_per_task=inspectors_per_task,
        publish_within_days=publish_within_days or _config()["publish_within_days"],
        commitment=lottery.commitment_of(seed),
        seed_ciphertext=b"",
        created_by=actor,
    )
    if not plan.name:
        raise ValidationError({"name": _("请填写计划名称。")})
    _validate_plan(plan, inspectors=inspectors)
    with _change(actor):
        plan.save()
        plan.seed_ciphertext = crypto.encrypt(seed, purpose=_seed_purpose(plan))
        plan.save(update_fields=["seed_ciphertext"])
        plan.townships.set(townships)
        plan.inspectors.set(inspectors)
    return plan


def _seed_purpose(plan: SamplingPlan) -> str:
    return f"supervision.plan.seed:{plan.pk}"


def plan_publish(*, actor: User, plan: SamplingPlan) -> SamplingPlan:
    """Publish the commitment: from now on the seed can no longer be chosen."""
    _require_supervisor(actor)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("只有草稿状态的计划可以公布承诺值。"))
    with _change(actor):
        plan.status = PlanStatus.PUBLISHED
        plan.published_at = timezone.now()
        plan.save(update_fields=["status", "published_at"])
    return plan


def plan_rosters(
    plan: SamplingPlan, *, on: dt.date
) -> tuple[
    list[engine_draw.Institution],
    list[engine_draw.Inspector],
    list[tuple[str, str]],
    dict[str, Institution],
    dict[str, User],
]:
    """The draw's rosters on a day: filed, operating institutions in scope with their
    grades; the pool's active inspectors; their declared conflicts within the scope."""
    institutions = Institution.objects.filter(counted_on(on)).select_related("township")
    township_ids = list(plan.townships.values_list("pk", flat=True))
    if township_ids:
        institutions = institutions.filter(township_id__in=township_ids)
    if plan.forms:
        institutions = institutions.filter(form__in=plan.forms)
    by_code = {institution.credit_code: institution for institution in institutions}
    grades = credit.grades_on([i.pk for i in by_code.values()])
    roster = [
        engine_draw.Institution(id=code, township=i.township.code, grade=grades[i.pk])
        for code, i in by_code.items()
    ]
    pool = plan.inspectors.filter(is_active=True, role=Role.INSPECTOR).select_related("township")
    by_id = {f"inspector-{user.pk}": user for user in pool}
    inspectors = [
        engine_draw.Inspector(id=key, township=user.township.code if user.township else CITY_LEVEL)
        for key, user in by_id.items()
    ]
    codes = {i.pk: code for code, i in by_code.items()}
    conflicts = [
        (f"inspector-{inspector_id}", codes[institution_id])
        for inspector_id, institution_id in InspectorConflict.objects.filter(
            inspector__in=pool, institution_id__in=list(codes)
        ).values_list("inspector_id", "institution_id")
    ]
    return roster, inspectors, conflicts, by_code, by_id


def plan_draw(*, actor: User, plan: SamplingPlan, today: dt.date | None = None) -> SamplingPlan:
    """Reveal the seed, draw, publish the data anyone needs to re-run it, and create the
    inspections, in one transaction."""
    _require_supervisor(actor)
    if plan.status != PlanStatus.PUBLISHED:
        raise ValidationError(_("请先公布承诺值，再进行抽取。"))
    today = today or timezone.localdate()
    roster, inspectors, conflicts, by_code, by_id = plan_rosters(plan, on=today)
    if not roster:
        raise ValidationError(_("抽查范围内没有已备案、正在运营的机构。"))
    parameters = engine_draw.DrawParameters(
        ratios={grade: float(value) for grade, value in plan.ratios.items()},
        inspectors_per_task=plan.inspectors_per_task,
    )
    seed = crypto.decrypt(plan.seed_ciphertext, purpose=_seed_purpose(plan))
    result = engine_draw.draw_run(
        seed=seed, institutions=roster, inspectors=inspectors, conflicts=conflicts, parameters=parameters
    )
    published = engine_draw.draw_publish(
        result, institutions=roster, inspectors=inspectors, conflicts=conflicts, parameters=parameters
    )
    with _change(actor):
        for task in result.tasks:
            inspection = Inspection.objects.create(
                institution=by_code[task.institution],
                kind=InspectionKind.RANDOM,
                plan=plan,
                checklist=plan.checklist,
                due_on=plan.due_on,
            )
            inspection.inspectors.set([by_id[key] for key in task.inspectors])
        plan.seed = seed
        plan.roster_hash = result.roster_hash
        plan.algorithm = result.algorithm
        plan.published = published
        plan.drawn_at = timezone.now()
        plan.status = PlanStatus.DRAWN
        plan.save(update_fields=["seed", "roster_hash", "algorithm", "published", "drawn_at", "status"])
    return plan


# Inspections ----------------------------------------------------------------------------


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
    with _change(actor):
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
    with _change(actor):
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
    with _change(actor):
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
    with _change(actor):
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
    with _change(actor):
        return Attachment.objects.create(
            inspection=inspection,
            order=order,
            file=upload,
            name=(upload.name or "file")[:200],
            content_type=content_type,
            size=upload.size or 0,
            uploaded_by=actor,
        )


# Rectification ---------------------------------------------------------------------------


def order_submit(*, actor: User, order: RectificationOrder, evidence: str) -> RectificationOrder:
    """The operator reports what was done."""
    _require_operator_of(actor, order.institution)
    if order.status not in {OrderStatus.OPEN, OrderStatus.REOPENED}:
        raise ValidationError(_("该整改通知当前不需要提交。"))
    if not evidence.strip():
        raise ValidationError({"evidence": _("请说明整改情况。")})
    with _change(actor):
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
    with _change(actor):
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
    with _change(actor):
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


# Complaints and incidents ------------------------------------------------------------------


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
    with _change(account):
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
    with _change(actor):
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
    with _change(actor):
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
    with _change(actor):
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
    with _change(actor):
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


# Staff: personal credit and the 从业禁止 list ------------------------------------------------


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
    with _change(actor):
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
    with _change(actor):
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
