"""The safety-supervision API: published draws and complaints for everyone; plans, draws,
inspections, rectification, incidents and credit for the supervision staff.

Reads go through :mod:`tuoyu.supervision.selectors`, writes through
:mod:`tuoyu.supervision.services`, like the pages, so the API shares their validation,
scoping and audit log.

* Public (``auth=None``): the plans that are not drafts and their published draws (a draft
  is 404 for everyone here); anyone, signed in or not, may file a complaint (201). The
  complaint's contact number is never echoed back.
* Supervisors (the supervision lead and the bureau admin): plans, the commitment and the
  draw, the complaints (contact masked), publishing reviewed inspections.
* Inspectors record the inspections assigned to them; operators answer their
  institution's rectification orders and report incidents; inspectors (of the
  inspection) and supervisors verify rectifications.
* Every staff read is scoped by :mod:`tuoyu.supervision.selectors`: an object outside the
  caller's scope is 404; a visible object the caller may not change is 403 (from the
  service). Parents (the ``public`` role) get 403 on every staff endpoint, anonymous
  callers 401.

A service's field errors are renamed to the body's fields: ``checklist_id``,
``inspector_ids``, ``township_ids``, ``results.i`` (the i-th result of the body, from 0),
``institution_id``.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Router, Status

from tuoyu.accounts.models import User
from tuoyu.common.api import aware, fields_renamed
from tuoyu.registry.api import _actor
from tuoyu.registry.models import Form, Institution, Township
from tuoyu.registry.schemas import ErrorOut, ValidationErrorOut
from tuoyu.supervision import credit, selectors, services
from tuoyu.supervision.forms_public import complainable_institutions
from tuoyu.supervision.models import (
    Category,
    Checklist,
    Complaint,
    Conclusion,
    FindingResult,
    IncidentReport,
    IncidentSeverity,
    Inspection,
    InspectionKind,
    InspectionStatus,
    OrderStatus,
    PlanStatus,
    RectificationOrder,
    SamplingPlan,
    Severity,
)
from tuoyu.supervision.schemas import (
    ComplaintIn,
    ComplaintOut,
    ComplaintReceiptOut,
    CreditEventOut,
    CreditGradeOut,
    CreditOut,
    DrawOut,
    DrawSummaryOut,
    FindingOut,
    FindingsIn,
    IncidentIn,
    IncidentOut,
    InspectionDetailOut,
    InspectionOut,
    OrderOut,
    OrderSubmitIn,
    OrderVerifyIn,
    PlanIn,
    PlanOut,
)
from tuoyu.supervision.views_public import draw_published

router = Router(tags=["supervision"])

PlanId = Annotated[int, Path(description="抽查计划编号 / plan id")]
InspectionId = Annotated[int, Path(description="检查编号 / inspection id")]
OrderId = Annotated[int, Path(description="整改通知编号 / rectification order id")]
InstitutionId = Annotated[int, Path(description="机构编号 / institution id")]

PUBLIC_ERRORS: dict[int, type] = {404: ErrorOut, 422: ValidationErrorOut}
STAFF_ERRORS: dict[int, type] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


# Who may call -----------------------------------------------------------------------------


def _staff(request: HttpRequest) -> User:
    """Anyone with supervision work; parents and the public use the portal."""
    user = _actor(request)
    if not selectors.sees_supervision(user):
        raise PermissionDenied(_("您的账户没有安全监管权限。"))
    return user


def _supervisor(request: HttpRequest) -> User:
    user = _actor(request)
    if not services.is_supervisor(user):
        raise PermissionDenied(_("仅监管负责人或市卫健局管理员可执行此操作。"))
    return user


def _plan(plan_id: int) -> SamplingPlan:
    plan = SamplingPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise Http404(_("没有该抽查计划。"))
    return plan


def _visible_inspection(user: User, inspection_id: int) -> Inspection:
    inspection = selectors.inspections_visible_to(user).filter(pk=inspection_id).first()
    if inspection is None:
        raise Http404(_("没有该检查。"))
    return inspection


def _visible_order(user: User, order_id: int) -> RectificationOrder:
    order = selectors.orders_visible_to(user).filter(pk=order_id).first()
    if order is None:
        raise Http404(_("没有该整改通知。"))
    return order


# Output -----------------------------------------------------------------------------------


def _plan_out(plan: SamplingPlan) -> PlanOut:
    published = plan.published or {}
    tasks = published.get("tasks")
    unstaffed = published.get("unstaffed")
    return PlanOut(
        id=plan.pk,
        name=plan.name,
        status=PlanStatus(plan.status),
        status_label=str(plan.get_status_display()),  # type: ignore[attr-defined]
        township_ids=sorted(plan.townships.values_list("pk", flat=True)),
        forms=[Form(code) for code in plan.forms],
        ratios={grade: float(value) for grade, value in sorted(plan.ratios.items())},
        inspectors_per_task=plan.inspectors_per_task,
        due_on=plan.due_on,
        publish_within_days=plan.publish_within_days,
        commitment=plan.commitment,
        published_at=plan.published_at,
        seed=plan.seed,
        roster_hash=plan.roster_hash,
        algorithm=plan.algorithm,
        drawn_at=plan.drawn_at,
        tasks=len(tasks) if isinstance(tasks, list) else 0,
        unstaffed=len(unstaffed) if isinstance(unstaffed, list) else 0,
    )


def _draw_summary_out(plan: SamplingPlan) -> DrawSummaryOut:
    return DrawSummaryOut(
        id=plan.pk,
        name=plan.name,
        status=PlanStatus(plan.status),
        status_label=str(plan.get_status_display()),  # type: ignore[attr-defined]
        commitment=plan.commitment,
        published_at=plan.published_at,
        drawn_at=plan.drawn_at,
    )


def _receipt_fields(complaint: Complaint) -> dict[str, Any]:
    return {
        "id": complaint.pk,
        "institution_id": complaint.institution_id,
        "institution_name": complaint.institution.name,
        "category": Category(complaint.category),
        "category_label": str(complaint.get_category_display()),  # type: ignore[attr-defined]
        "status": complaint.status,
        "submitted_at": complaint.submitted_at,
    }


def _complaint_out(complaint: Complaint) -> ComplaintOut:
    return ComplaintOut(
        **_receipt_fields(complaint),
        description=complaint.description,
        contact_masked=complaint.contact_masked,
        substantiated=complaint.substantiated,
        response=complaint.response,
        closed_at=complaint.closed_at,
    )


def _inspection_fields(inspection: Inspection) -> dict[str, Any]:
    return {
        "id": inspection.pk,
        "institution_id": inspection.institution_id,
        "institution_name": inspection.institution.name,
        "kind": InspectionKind(inspection.kind),
        "kind_label": str(inspection.get_kind_display()),  # type: ignore[attr-defined]
        "plan_id": inspection.plan_id,
        "checklist_id": inspection.checklist_id,
        "due_on": inspection.due_on,
        "status": InspectionStatus(inspection.status),
        "status_label": str(inspection.get_status_display()),  # type: ignore[attr-defined]
        "inspected_on": inspection.inspected_on,
        "conclusion": Conclusion(inspection.conclusion) if inspection.conclusion else None,
        "conclusion_label": str(inspection.get_conclusion_display()) if inspection.conclusion else "",  # type: ignore[attr-defined]
        "published_at": inspection.published_at,
    }


def _inspection_out(inspection: Inspection) -> InspectionOut:
    return InspectionOut(**_inspection_fields(inspection))


def _inspection_detail_out(inspection: Inspection) -> InspectionDetailOut:
    findings = {finding.item_id: finding for finding in inspection.findings.all()}
    return InspectionDetailOut(
        **_inspection_fields(inspection),
        summary=inspection.summary,
        inspector_ids=sorted(inspection.inspectors.values_list("pk", flat=True)),
        findings=[
            FindingOut(
                item_id=item.pk,
                code=item.code,
                category=Category(item.category),
                text=item.text,
                severity=Severity(item.severity),
                result=FindingResult(findings[item.pk].result) if item.pk in findings else None,
                note=findings[item.pk].note if item.pk in findings else "",
            )
            for item in inspection.checklist.items.all()
        ],
    )


def _order_out(order: RectificationOrder) -> OrderOut:
    item = order.finding.item
    return OrderOut(
        id=order.pk,
        institution_id=order.institution_id,
        institution_name=order.institution.name,
        inspection_id=order.finding.inspection_id,
        item_code=item.code,
        item_text=item.text,
        severity=Severity(item.severity),
        deadline=order.deadline,
        status=OrderStatus(order.status),
        status_label=str(order.get_status_display()),  # type: ignore[attr-defined]
        evidence=order.evidence,
        submitted_at=order.submitted_at,
        verified_at=order.verified_at,
        review_note=order.review_note,
    )


def _incident_out(incident: IncidentReport) -> IncidentOut:
    return IncidentOut(
        id=incident.pk,
        institution_id=incident.institution_id,
        institution_name=incident.institution.name,
        occurred_at=incident.occurred_at,
        reported_at=incident.reported_at,
        severity=IncidentSeverity(incident.severity),
        severity_label=str(incident.get_severity_display()),  # type: ignore[attr-defined]
        description=incident.description,
        children_affected=incident.children_affected,
        late=incident.late,
        status=incident.status,  # type: ignore[arg-type]
    )


# Public -----------------------------------------------------------------------------------


@router.get(
    "/supervision/draws",
    operation_id="supervision_list_draws",
    auth=None,
    response={200: list[DrawSummaryOut]},
    summary="双随机抽查公示（公开）/ published inspection draws (public)",
)
def draw_list_api(request: HttpRequest) -> list[DrawSummaryOut]:
    """Every plan that is not a draft, latest first, with its commitment."""
    return [_draw_summary_out(plan) for plan in selectors.plans_public()]


@router.get(
    "/supervision/draws/{plan_id}",
    operation_id="supervision_get_draw",
    auth=None,
    response={200: DrawOut, **PUBLIC_ERRORS},
    exclude_none=True,
    summary="抽查公示数据（公开）/ a published draw (public)",
)
def draw_get_api(request: HttpRequest, plan_id: PlanId) -> dict[str, object]:
    """Before the draw only the commitment; after it the file that
    ``python tools/verify_draw.py draw.json --commitment C`` checks. 404 for a draft."""
    plan = selectors.plans_public().filter(pk=plan_id).first()
    data = None if plan is None else draw_published(plan)
    if data is None:
        raise Http404(_("没有该抽查计划。"))
    return data


@router.post(
    "/supervision/complaints",
    operation_id="supervision_submit_complaint",
    auth=None,
    response={201: ComplaintReceiptOut, **PUBLIC_ERRORS},
    summary="投诉托育机构（公开）/ complain about an institution (public)",
)
def complaint_submit_api(request: HttpRequest, payload: ComplaintIn) -> Status[ComplaintReceiptOut]:
    """Anyone, signed in or not, about a filed, operating institution. The contact number
    is kept encrypted for the reply and never returned."""
    institution = complainable_institutions(timezone.localdate()).filter(pk=payload.institution_id).first()
    if institution is None:
        raise ValidationError({"institution_id": _("没有该机构。")})
    user = request.user
    with fields_renamed(lambda field: "institution_id" if field == "institution" else field):
        complaint = services.complaint_submit(
            actor=user if isinstance(user, User) and user.is_authenticated else None,
            institution=institution,
            category=str(payload.category.value),
            description=payload.description,
            contact=payload.contact,
        )
    return Status(201, ComplaintReceiptOut(**_receipt_fields(complaint)))


# Supervisors ------------------------------------------------------------------------------


@router.get(
    "/supervision/plans",
    operation_id="supervision_list_plans",
    response={200: list[PlanOut], **STAFF_ERRORS},
    summary="抽查计划 / sampling plans",
)
def plan_list_api(request: HttpRequest) -> list[PlanOut]:
    """Every plan, drafts included, latest first."""
    user = _supervisor(request)
    return [_plan_out(plan) for plan in selectors.plans_visible_to(user).prefetch_related("townships")]


_PLAN_FIELDS = {"checklist": "checklist_id", "inspectors": "inspector_ids", "townships": "township_ids"}


@router.post(
    "/supervision/plans",
    operation_id="supervision_create_plan",
    response={201: PlanOut, **STAFF_ERRORS},
    summary="新建抽查计划 / create a sampling plan",
)
def plan_create_api(request: HttpRequest, payload: PlanIn) -> Status[PlanOut]:
    """A draft with its secret seed and the commitment to it."""
    user = _supervisor(request)
    checklist = Checklist.objects.filter(pk=payload.checklist_id).first()
    if checklist is None:
        raise ValidationError({"checklist_id": _("没有该检查表。")})
    users = {account.pk: account for account in User.objects.filter(pk__in=payload.inspector_ids)}
    townships = {township.pk: township for township in Township.objects.filter(pk__in=payload.township_ids)}
    missing = {
        f"inspector_ids.{index}": _("没有编号为 %(id)d 的用户。") % {"id": pk}
        for index, pk in enumerate(payload.inspector_ids)
        if pk not in users
    } | {
        f"township_ids.{index}": _("没有编号为 %(id)d 的镇（街道）。") % {"id": pk}
        for index, pk in enumerate(payload.township_ids)
        if pk not in townships
    }
    if missing:
        raise ValidationError(missing)
    with fields_renamed(lambda field: _PLAN_FIELDS.get(field, field)):
        plan = services.plan_create(
            actor=user,
            name=payload.name,
            checklist=checklist,
            due_on=payload.due_on,
            inspectors=[users[pk] for pk in dict.fromkeys(payload.inspector_ids)],
            townships=[townships[pk] for pk in dict.fromkeys(payload.township_ids)],
            forms=[str(form.value) for form in payload.forms],
            ratios=payload.ratios,
            inspectors_per_task=payload.inspectors_per_task,
            publish_within_days=payload.publish_within_days,
        )
    return Status(201, _plan_out(plan))


@router.post(
    "/supervision/plans/{plan_id}/publish",
    operation_id="supervision_publish_plan",
    response={200: PlanOut, **STAFF_ERRORS},
    summary="公布承诺值 / publish a plan's commitment",
)
def plan_publish_api(request: HttpRequest, plan_id: PlanId) -> PlanOut:
    """From now on the plan and its commitment are public, and the seed is fixed."""
    user = _supervisor(request)
    return _plan_out(services.plan_publish(actor=user, plan=_plan(plan_id)))


@router.post(
    "/supervision/plans/{plan_id}/draw",
    operation_id="supervision_draw_plan",
    response={200: PlanOut, **STAFF_ERRORS},
    summary="抽取 / draw a published plan",
)
def plan_draw_api(request: HttpRequest, plan_id: PlanId) -> PlanOut:
    """Reveals the seed, draws, publishes the data and creates the inspections."""
    user = _supervisor(request)
    return _plan_out(services.plan_draw(actor=user, plan=_plan(plan_id)))


@router.get(
    "/supervision/complaints",
    operation_id="supervision_list_complaints",
    response={200: list[ComplaintOut], **STAFF_ERRORS},
    summary="投诉 / complaints",
)
def complaint_list_api(request: HttpRequest) -> list[ComplaintOut]:
    """Latest first; the contact number only masked."""
    user = _supervisor(request)
    return [_complaint_out(complaint) for complaint in selectors.complaints_visible_to(user)]


@router.post(
    "/supervision/inspections/{inspection_id}/publish",
    operation_id="supervision_publish_inspection",
    response={200: InspectionDetailOut, **STAFF_ERRORS},
    summary="审核并公示检查结果 / approve and publish an inspection",
)
def inspection_publish_api(request: HttpRequest, inspection_id: InspectionId) -> InspectionDetailOut:
    """A submitted inspection becomes public; its violations become rectification orders
    and its result credit events."""
    user = _supervisor(request)
    inspection = Inspection.objects.filter(pk=inspection_id).first()
    if inspection is None:
        raise Http404(_("没有该检查。"))
    return _inspection_detail_out(services.inspection_publish(actor=user, inspection=inspection))


# Inspections -------------------------------------------------------------------------------


@router.get(
    "/supervision/inspections",
    operation_id="supervision_list_inspections",
    response={200: list[InspectionOut], **STAFF_ERRORS},
    summary="检查 / inspections",
)
def inspection_list_api(request: HttpRequest) -> list[InspectionOut]:
    """Supervisors: all; an inspector: those assigned to them; an operator: their
    institution's published ones; a township official: the published ones of the township."""
    user = _staff(request)
    return [_inspection_out(inspection) for inspection in selectors.inspections_visible_to(user)]


@router.get(
    "/supervision/inspections/{inspection_id}",
    operation_id="supervision_get_inspection",
    response={200: InspectionDetailOut, **STAFF_ERRORS},
    summary="检查详情 / an inspection with its findings",
)
def inspection_get_api(request: HttpRequest, inspection_id: InspectionId) -> InspectionDetailOut:
    """404 outside the caller's scope."""
    return _inspection_detail_out(_visible_inspection(_staff(request), inspection_id))


@router.put(
    "/supervision/inspections/{inspection_id}/findings",
    operation_id="supervision_record_findings",
    response={200: InspectionDetailOut, **STAFF_ERRORS},
    summary="录入检查结果 / record an inspection's findings",
)
def inspection_record_api(
    request: HttpRequest, inspection_id: InspectionId, payload: FindingsIn
) -> InspectionDetailOut:
    """An assigned inspector records results (others 403); ``submit`` sends it for review,
    which needs every item and a note on every violation."""
    user = _staff(request)
    inspection = _visible_inspection(user, inspection_id)
    positions: dict[int, int] = {}
    duplicates: dict[str, str] = {}
    for index, row in enumerate(payload.results):
        if row.item_id in positions:
            duplicates[f"results.{index}"] = _("检查项重复。")
        positions.setdefault(row.item_id, index)
    if duplicates:
        raise ValidationError(duplicates)

    def rename(field: str) -> str:
        if field.startswith("item_") and field[5:].isdigit():
            index = positions.get(int(field[5:]))
            return "results" if index is None else f"results.{index}"
        return field

    with fields_renamed(rename):
        inspection = services.inspection_record(
            actor=user,
            inspection=inspection,
            inspected_on=payload.inspected_on,
            results={row.item_id: (str(row.result.value), row.note) for row in payload.results},
            summary=payload.summary,
            submit=payload.submit,
        )
    return _inspection_detail_out(inspection)


# Rectification and incidents ------------------------------------------------------------------


@router.get(
    "/supervision/orders",
    operation_id="supervision_list_orders",
    response={200: list[OrderOut], **STAFF_ERRORS},
    summary="整改通知 / rectification orders",
)
def order_list_api(request: HttpRequest) -> list[OrderOut]:
    """An operator: their institution's; an inspector: of their inspections; a township
    official: of the township; supervisors: all."""
    user = _staff(request)
    return [_order_out(order) for order in selectors.orders_visible_to(user)]


@router.post(
    "/supervision/orders/{order_id}/submit",
    operation_id="supervision_submit_order",
    response={200: OrderOut, **STAFF_ERRORS},
    summary="提交整改情况 / report a rectification",
)
def order_submit_api(request: HttpRequest, order_id: OrderId, payload: OrderSubmitIn) -> OrderOut:
    """The institution's operator (or the bureau admin); others who see the order 403."""
    user = _staff(request)
    order = _visible_order(user, order_id)
    return _order_out(services.order_submit(actor=user, order=order, evidence=payload.evidence))


@router.post(
    "/supervision/orders/{order_id}/verify",
    operation_id="supervision_verify_order",
    response={200: OrderOut, **STAFF_ERRORS},
    summary="核验整改 / verify a rectification",
)
def order_verify_api(request: HttpRequest, order_id: OrderId, payload: OrderVerifyIn) -> OrderOut:
    """An inspector of the inspection or a supervisor accepts it or sends it back (with a
    note, and optionally a new deadline)."""
    user = _staff(request)
    order = _visible_order(user, order_id)
    return _order_out(
        services.order_verify(
            actor=user,
            order=order,
            accepted=payload.accepted,
            note=payload.note,
            new_deadline=payload.new_deadline,
        )
    )


@router.post(
    "/supervision/incidents",
    operation_id="supervision_report_incident",
    response={201: IncidentOut, **STAFF_ERRORS},
    summary="报告安全事故 / report an incident",
)
def incident_report_api(request: HttpRequest, payload: IncidentIn) -> Status[IncidentOut]:
    """An institution's operator reports for their institution (``institution_id`` may be
    omitted); the bureau admin names the institution. A late report is a credit event."""
    user = _actor(request)
    if not (user.is_bureau_admin or user.is_institution_operator):
        raise PermissionDenied(_("仅托育机构负责人可报告事故。"))
    institution_id = payload.institution_id or (user.institution_id if user.is_institution_operator else None)
    institution = None if institution_id is None else Institution.objects.filter(pk=institution_id).first()
    if institution is None:
        raise ValidationError(
            {"institution_id": _("请选择机构。") if institution_id is None else _("没有该机构。")}
        )
    with fields_renamed(lambda field: "institution_id" if field == "institution" else field):
        incident = services.incident_report(
            actor=user,
            institution=institution,
            occurred_at=aware(payload.occurred_at),
            severity=str(payload.severity.value),
            description=payload.description,
            children_affected=payload.children_affected,
        )
    return Status(201, _incident_out(incident))


# Credit ----------------------------------------------------------------------------------------


@router.get(
    "/supervision/credit/{institution_id}",
    operation_id="supervision_get_credit",
    response={200: CreditOut, **STAFF_ERRORS},
    summary="机构信用档案 / an institution's credit archive",
)
def credit_get_api(request: HttpRequest, institution_id: InstitutionId) -> CreditOut:
    """The grade, every grade change with its reason, and the events; 404 outside the
    caller's scope (supervisors: all; operator: own; township official: the township)."""
    user = _staff(request)
    institution = selectors.credit_institutions_visible_to(user).filter(pk=institution_id).first()
    if institution is None:
        raise Http404(_("没有该机构。"))
    return CreditOut(
        institution_id=institution.pk,
        institution_name=institution.name,
        grade=selectors.institution_grade(institution),
        history=[
            CreditGradeOut(
                grade=row.grade, previous=row.previous, score=row.score, as_of=row.as_of, reason=row.reason
            )
            for row in selectors.credit_history(institution)
        ],
        events=[
            CreditEventOut(
                kind=event.kind,
                kind_label=credit.kind_label(event.kind),
                occurred_on=event.occurred_on,
                count=event.count,
                reason=event.reason,
            )
            for event in selectors.credit_events(institution)
        ],
    )
