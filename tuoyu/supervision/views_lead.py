"""The supervision lead's pages (the bureau admin may do everything the lead does).

Thin views: read through :mod:`tuoyu.supervision.selectors`, validate with a form from
:mod:`tuoyu.supervision.forms_lead`, call one service, redirect with a message. Who may
do what:

* anonymous visitors are sent to the login page; parents (the public role) get 403;
* the lead keeps the checklists, plans and draws, assigns complaint checks and
  follow-ups, reviews and publishes inspections, handles complaints and incidents, and
  keeps the credit archives and the 从业禁止 list;
* township officials read the credit of their township's institutions and export its
  published inspections; operators read their own institution's credit archive;
* inspectors declare their conflicts of interest;
* an object outside the user's scope is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tuoyu.accounts.models import User
from tuoyu.common.views import add_service_error, error_text, request_user, role_required
from tuoyu.registry.models import Institution, Township
from tuoyu.supervision import exports, selectors, services
from tuoyu.supervision.forms_lead import (
    ChecklistCreateForm,
    ChecklistItemForm,
    ComplaintHandleForm,
    ExportFilterForm,
    IncidentCloseForm,
    InspectionCreateForm,
    PlanForm,
    ReviewForm,
)
from tuoyu.supervision.models import (
    CaseStatus,
    Checklist,
    Complaint,
    IncidentReport,
    Inspection,
    InspectionStatus,
    PlanStatus,
    SamplingPlan,
)

supervisor_only = role_required(services.is_supervisor, gettext_lazy("仅监管负责人或市卫健局管理员可访问。"))
supervision_access = role_required(selectors.sees_supervision, gettext_lazy("您的账户无权查看安全监管页面。"))
export_access = role_required(
    lambda user: services.is_supervisor(user) or user.is_township_official,
    gettext_lazy("仅监管负责人、市卫健局和镇（街道）工作人员可导出检查结果。"),
)
credit_access = role_required(
    lambda user: services.is_supervisor(user) or user.is_township_official or user.is_institution_operator,
    gettext_lazy("您的账户无权查看机构信用档案。"),
)
conflict_access = role_required(
    lambda user: services.is_supervisor(user) or user.is_inspector,
    gettext_lazy("仅检查人员和监管负责人可查看回避申报。"),
)


# Start page ---------------------------------------------------------------------------------


@supervision_access
def home(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if user.is_inspector:
        return redirect("supervision:inspections")
    context: dict[str, Any] = {"is_supervisor": services.is_supervisor(user)}
    if context["is_supervisor"]:
        context["workload"] = selectors.lead_workload()
        context["to_review"] = list(
            Inspection.objects.filter(status=InspectionStatus.SUBMITTED)
            .select_related("institution", "plan")
            .order_by("submitted_at", "pk")[:20]
        )
        context["open_incidents"] = list(
            IncidentReport.objects.exclude(status=CaseStatus.CLOSED)
            .select_related("institution")
            .order_by("-occurred_at")[:20]
        )
    elif user.is_institution_operator:
        context["institution"] = Institution.objects.filter(pk=user.institution_id or -1).first()
    else:
        context["township"] = user.township
    if context["is_supervisor"] or user.is_township_official:
        context["export_form"] = ExportFilterForm(townships=_export_townships(user))
    return render(request, "supervision/lead/home.html", context)


def _export_townships(user: User) -> QuerySet[Township]:
    townships = Township.objects.order_by("code")
    if not services.is_supervisor(user):
        townships = townships.filter(pk=user.township_id or -1)
    return townships


# Checklists ---------------------------------------------------------------------------------


@supervisor_only
def checklist_list(request: HttpRequest) -> HttpResponse:
    checklists = list(Checklist.objects.annotate(item_count=Count("items")))
    return render(request, "supervision/lead/checklist_list.html", {"checklists": checklists})


@supervisor_only
@require_http_methods(["GET", "POST"])
def checklist_create(request: HttpRequest) -> HttpResponse:
    form = ChecklistCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            checklist = services.checklist_create(
                actor=request_user(request), name=form.cleaned_data["name"], items=form.cleaned_data["items"]
            )
        except ValidationError as error:
            _add_checklist_error(form, error)
        else:
            messages.success(
                request,
                _("已创建检查表“%(name)s”，共 %(count)d 项。")
                % {"name": checklist.name, "count": checklist.items.count()},
            )
            return redirect("supervision:checklist", pk=checklist.pk)
    return render(request, "supervision/lead/checklist_form.html", {"form": form})


def _add_checklist_error(form: ChecklistCreateForm, error: ValidationError) -> None:
    """The service names item rows (``items.3.code``); the page names the text's lines."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    lines = getattr(form, "lines", [])
    for key, errors in error.error_dict.items():
        if key.startswith("items."):
            row = int(key.split(".")[1])
            line = lines[row - 1] if 0 < row <= len(lines) else row
            for message in ValidationError(errors).messages:
                form.add_error("items", _("第 %(line)d 行：%(message)s") % {"line": line, "message": message})
        else:
            form.add_error(key if key in form.fields else None, errors)


@supervisor_only
@require_http_methods(["GET", "POST"])
def checklist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    checklist = get_object_or_404(Checklist, pk=pk)
    user = request_user(request)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    item_form = ChecklistItemForm(request.POST if action == "add_item" else None)
    if action in {"activate", "retire"}:
        services.checklist_set_active(actor=user, checklist=checklist, active=action == "activate")
        message = _("已启用检查表。") if checklist.active else _("已停用检查表；已有检查仍保留其检查项。")
        messages.success(request, message)
        return redirect("supervision:checklist", pk=checklist.pk)
    if action == "add_item" and item_form.is_valid():
        try:
            item = services.checklist_item_add(actor=user, checklist=checklist, **item_form.cleaned_data)
        except ValidationError as error:
            add_service_error(item_form, error)
        else:
            messages.success(request, _("已添加检查项 %(code)s。") % {"code": item.code})
            return redirect("supervision:checklist", pk=checklist.pk)
    elif request.method == "POST" and action != "add_item":
        messages.error(request, _("未知操作。"))
        return redirect("supervision:checklist", pk=checklist.pk)
    context = {"checklist": checklist, "items": list(checklist.items.all()), "item_form": item_form}
    return render(request, "supervision/lead/checklist_detail.html", context)


# Plans and the draw -------------------------------------------------------------------------


@supervisor_only
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = list(SamplingPlan.objects.select_related("checklist").prefetch_related("townships"))
    return render(request, "supervision/lead/plan_list.html", {"plans": plans})


@supervisor_only
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=request_user(request), **form.values())
        except ValidationError as error:
            _add_plan_error(form, error)
        else:
            messages.success(
                request,
                _("已创建抽查计划“%(name)s”（草稿），种子承诺值已生成；公布承诺值后方可抽取。")
                % {"name": plan.name},
            )
            return redirect("supervision:plan", pk=plan.pk)
    return render(request, "supervision/lead/plan_form.html", {"form": form})


def _add_plan_error(form: PlanForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        field = f"ratio_{key.split('.')[1].lower()}" if key.startswith("ratios.") else key
        form.add_error(field if field in form.fields else None, errors)


def _plan(pk: int) -> SamplingPlan:
    return get_object_or_404(SamplingPlan.objects.select_related("checklist", "created_by"), pk=pk)


@supervisor_only
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(pk)
    tasks = list(
        plan.inspections.select_related("institution__township")
        .prefetch_related("inspectors")
        .order_by("institution__township__code", "institution__name")
    )
    published = plan.published or {}
    unstaffed_codes = list(published.get("unstaffed", []))
    unstaffed = list(
        Institution.objects.filter(credit_code__in=unstaffed_codes)
        .select_related("township")
        .order_by("township__code", "name")
    )
    context = {
        "plan": plan,
        "townships": list(plan.townships.order_by("code")),
        "pool": list(plan.inspectors.select_related("township").order_by("township__code", "username")),
        "ratios": sorted(plan.ratios.items()),
        "tasks": tasks,
        "unstaffed": unstaffed,
        "drawn": plan.status == PlanStatus.DRAWN,
        "can_publish": plan.status == PlanStatus.DRAFT,
        "can_draw": plan.status == PlanStatus.PUBLISHED,
    }
    return render(request, "supervision/lead/plan_detail.html", context)


@supervisor_only
@require_POST
def plan_publish(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(pk)
    try:
        services.plan_publish(actor=request_user(request), plan=plan)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("已公布种子承诺值 %(commitment)s；抽取前请勿修改名单。") % {"commitment": plan.commitment},
        )
    return redirect("supervision:plan", pk=plan.pk)


@supervisor_only
@require_POST
def plan_draw(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(pk)
    try:
        services.plan_draw(actor=request_user(request), plan=plan)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        unstaffed = len((plan.published or {}).get("unstaffed", []))
        messages.success(
            request,
            _("已公开种子并完成抽取：%(tasks)d 家机构被抽中并已派员，%(unstaffed)d 家无法派员。")
            % {"tasks": plan.inspections.count(), "unstaffed": unstaffed},
        )
    return redirect("supervision:plan", pk=plan.pk)


# Inspections --------------------------------------------------------------------------------


@supervisor_only
@require_http_methods(["GET", "POST"])
def inspection_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    institution = request.GET.get("institution", "")
    if institution.isdigit():
        initial["institution"] = int(institution)
    form = InspectionCreateForm(request.POST or None, initial=initial, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_create(actor=request_user(request), **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("已安排%(kind)s：%(institution)s，检查期限 %(due)s。")
                % {
                    "kind": inspection.get_kind_display(),
                    "institution": inspection.institution.name,
                    "due": inspection.due_on.isoformat(),
                },
            )
            return redirect("supervision:inspection", pk=inspection.pk)
    return render(request, "supervision/lead/inspection_form.html", {"form": form})


@supervisor_only
@require_http_methods(["GET", "POST"])
def inspection_review(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(
        Inspection.objects.select_related("institution__township", "plan", "checklist"), pk=pk
    )
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request_user(request)
        try:
            if form.cleaned_data["action"] == "publish":
                services.inspection_publish(actor=user, inspection=inspection)
                message = _("已审核公示；%(orders)d 项不符合已下达整改通知。") % {
                    "orders": inspection.findings.filter(order__isnull=False).count()
                }
            else:
                services.inspection_return(actor=user, inspection=inspection, note=form.cleaned_data["note"])
                message = _("已退回检查人员重新检查。")
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, message)
            return redirect("supervision:inspection_review", pk=inspection.pk)
    findings = list(inspection.findings.select_related("item").order_by("item__order", "item__code"))
    orders = {
        finding.pk: finding.order  # type: ignore[attr-defined]
        for finding in inspection.findings.filter(order__isnull=False).select_related("order")
    }
    conclusion = ""
    if findings:
        conclusion = services.conclusion_of(
            {finding.item_id: finding.result for finding in findings},
            {finding.item_id: finding.item.severity for finding in findings},
        )
    context = {
        "inspection": inspection,
        "findings": [(finding, orders.get(finding.pk)) for finding in findings],
        "conclusion_label": dict(Inspection._meta.get_field("conclusion").choices or []).get(conclusion, ""),
        "publish_by": inspection.publish_by(),
        "overdue": (inspection.publish_by() or timezone.localdate()) < timezone.localdate(),
        "inspectors": list(inspection.inspectors.order_by("username")),
        "can_review": inspection.status == InspectionStatus.SUBMITTED,
        "form": form,
    }
    return render(request, "supervision/lead/inspection_review.html", context)


@export_access
def inspections_export(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = ExportFilterForm(request.GET or None, townships=_export_townships(user))
    if request.GET and not form.is_valid():
        return render(request, "supervision/lead/export_form.html", {"form": form}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    township = data.get("township")
    township_id = township.pk if township is not None else None
    if not services.is_supervisor(user):
        township_id = user.township_id or -1
    inspections = exports.published_inspections(
        selectors.inspections_visible_to(user),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        township_id=township_id,
    )
    scope_township = township.name if township is not None else None
    if not services.is_supervisor(user):
        scope_township = user.township.name if user.township else "—"
    scope = " · ".join(
        part
        for part in (
            scope_township or _("全市"),
            _("检查日期自 %(date)s") % {"date": data["date_from"].isoformat()}
            if data.get("date_from")
            else "",
            _("检查日期至 %(date)s") % {"date": data["date_to"].isoformat()} if data.get("date_to") else "",
        )
        if part
    )
    return exports.inspections_xlsx(inspections, scope=scope)


# Complaints and incidents ---------------------------------------------------------------------


@supervisor_only
def complaint_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    complaints = selectors.complaints_visible_to(request.user)
    if status in CaseStatus.values:
        complaints = complaints.filter(status=status)
    context = {"complaints": list(complaints), "status": status, "statuses": CaseStatus.choices}
    return render(request, "supervision/lead/complaint_list.html", context)


@supervisor_only
@require_http_methods(["GET", "POST"])
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint: Complaint | None = selectors.complaints_visible_to(request.user).filter(pk=pk).first()
    if complaint is None:
        raise Http404(_("没有该投诉。"))
    closed = complaint.status == CaseStatus.CLOSED
    initial = {"status": complaint.status, "response": complaint.response}
    form = ComplaintHandleForm(request.POST or None, initial=initial)
    if request.method == "POST" and not closed and form.is_valid():
        try:
            services.complaint_handle(actor=request_user(request), complaint=complaint, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("投诉已办结。") if complaint.status == CaseStatus.CLOSED else _("已更新投诉办理状态。"),
            )
            return redirect("supervision:complaint", pk=complaint.pk)
    elif request.method == "POST" and closed:
        messages.error(request, _("该投诉已办结。"))
        return redirect("supervision:complaint", pk=complaint.pk)
    context = {"complaint": complaint, "form": form, "closed": closed}
    return render(request, "supervision/lead/complaint_detail.html", context)


@supervisor_only
@require_http_methods(["GET", "POST"])
def incident_close(request: HttpRequest, pk: int) -> HttpResponse:
    incident: IncidentReport | None = selectors.incidents_visible_to(request.user).filter(pk=pk).first()
    if incident is None:
        raise Http404(_("没有该事故报告。"))
    closed = incident.status == CaseStatus.CLOSED
    form = IncidentCloseForm(request.POST or None)
    if request.method == "POST" and not closed and form.is_valid():
        try:
            services.incident_close(actor=request_user(request), incident=incident, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("事故报告已办结。"))
            return redirect("supervision:incident_close", pk=incident.pk)
    elif request.method == "POST" and closed:
        messages.error(request, _("该事故报告已办结。"))
        return redirect("supervision:incident_close", pk=incident.pk)
    context = {"incident": incident, "form": form, "closed": closed}
    return render(request, "supervision/lead/incident_close.html", context)


# Credit -----------------------------------------------------------------------------------------
