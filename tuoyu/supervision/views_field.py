"""Supervision pages of inspectors and institution operators (and what township officials
and supervisors read of them): inspections, their recording and attachments,
rectification orders, and incident reports.

Thin views: read through :mod:`tuoyu.supervision.selectors`, validate with a form from
:mod:`tuoyu.supervision.forms_field`, call one service, redirect with a message. Who may
do what:

* anonymous visitors are sent to the login page; parents (the public role) get 403;
* an inspection, order or attachment outside ``*_visible_to`` is a 404: inspectors see
  the inspections assigned to them, operators and township officials the published ones of
  their institution or township, supervisors (lead and bureau admin) everything;
* an inspection the user sees but may not change is a 403: only its assigned inspectors
  record it (while it is 待检查) and attach files to it; only the institution's operator
  (or the bureau admin on its behalf, as the services allow) answers an order and attaches
  evidence; only the inspection's inspectors or a supervisor verify;
* incidents: operators report and read their own, township officials read their
  township's, supervisors all (closing them is the lead's page); inspectors get 403.

Attachments are private files: they are streamed by :func:`attachment_download` to users
who see their inspection or order, never served by URL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tuoyu.accounts.models import User
from tuoyu.common.views import add_service_error, error_text, request_user, role_required
from tuoyu.supervision import selectors, services
from tuoyu.supervision.forms_field import (
    AttachmentForm,
    IncidentForm,
    InspectionFilterForm,
    InspectionRecordForm,
    OrderSubmitForm,
    OrderVerifyForm,
)
from tuoyu.supervision.models import (
    Attachment,
    Conclusion,
    Inspection,
    InspectionStatus,
    OrderStatus,
    RectificationOrder,
)
from tuoyu.supervision.services import is_supervisor

View = Callable[..., HttpResponseBase]

PAGE_SIZE = 50
ANSWERABLE = {OrderStatus.OPEN, OrderStatus.REOPENED}


def _sees_incidents(user: User) -> bool:
    return is_supervisor(user) or user.is_institution_operator or user.is_township_official


field_access = role_required(selectors.sees_supervision, gettext_lazy("您的账户无权查看安全监管页面。"))
incident_access = role_required(
    _sees_incidents, gettext_lazy("事故报告仅供托育机构、镇（街道）和监管负责人查看。")
)
operator_only = role_required(
    lambda user: user.is_institution_operator and user.institution_id is not None,
    gettext_lazy("事故须由托育机构负责人报告本机构的事故。"),
)


def _page(request: HttpRequest, rows: Any) -> Page[Any]:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _is_assigned(user: User, inspection: Inspection) -> bool:
    return user.is_inspector and inspection.inspectors.filter(pk=user.pk).exists()


def _acts_for(user: User, institution_id: int) -> bool:
    """Who answers for an institution (the services' rule): its operator, or the bureau admin."""
    return user.is_bureau_admin or (user.is_institution_operator and user.institution_id == institution_id)


def _may_verify(user: User, order: RectificationOrder) -> bool:
    return is_supervisor(user) or _is_assigned(user, order.finding.inspection)


def _inspection(request: HttpRequest, pk: int) -> Inspection:
    inspection = selectors.inspections_visible_to(request.user).filter(pk=pk).first()
    if inspection is None:
        raise Http404(_("没有该检查，或您无权查看。"))
    return inspection


def _order(request: HttpRequest, pk: int) -> RectificationOrder:
    order = selectors.orders_visible_to(request.user).filter(pk=pk).first()
    if order is None:
        raise Http404(_("没有该整改通知，或您无权查看。"))
    return order


def _inspection_url(inspection: Inspection, section: str = "") -> str:
    url = reverse("supervision:inspection", kwargs={"pk": inspection.pk})
    return f"{url}#{section}" if section else url


def _order_url(order: RectificationOrder) -> str:
    return reverse("supervision:order", kwargs={"pk": order.pk})


# Inspections -------------------------------------------------------------------------------


@field_access
def inspection_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    today = timezone.localdate()
    inspections = selectors.inspections_visible_to(user).prefetch_related("inspectors")
    filter_form = None
    status = ""
    rows: Any
    if is_supervisor(user):
        filter_form = InspectionFilterForm(request.GET or None)
        status = filter_form.status_value()
        if status:
            inspections = inspections.filter(status=status)
        rows = inspections.order_by("-due_on", "-id")
    elif user.is_inspector:
        # Open tasks first, the nearest due date on top; then the done ones, latest first.
        rows = sorted(
            inspections,
            key=lambda i: (
                (0, i.due_on.toordinal(), i.pk)
                if i.status == InspectionStatus.ASSIGNED
                else (1, -i.due_on.toordinal(), -i.pk)
            ),
        )
    else:
        rows = inspections.order_by("-inspected_on", "-id")
    page = _page(request, rows)
    context = {
        "page": page,
        "rows": [
            {"inspection": i, "overdue": i.status == InspectionStatus.ASSIGNED and i.due_on < today}
            for i in page
        ],
        "filter_form": filter_form,
        "status": status,
        "query": urlencode({"status": status}) if status else "",
        "is_supervisor": is_supervisor(user),
        "today": today,
    }
    return render(request, "supervision/field/inspection_list.html", context)


def _inspection_page(
    request: HttpRequest, inspection: Inspection, upload_form: AttachmentForm
) -> HttpResponse:
    user = request_user(request)
    assigned = _is_assigned(user, inspection)
    findings = list(inspection.findings.select_related("item"))
    orders = {
        order.finding_id: order
        for order in RectificationOrder.objects.filter(finding__inspection=inspection).select_related(
            "finding__item"
        )
    }
    today = timezone.localdate()
    context = {
        "inspection": inspection,
        "inspectors": list(inspection.inspectors.order_by("username")),
        "findings": [{"finding": finding, "order": orders.get(finding.pk)} for finding in findings],
        "orders": [
            {"order": order, "overdue": order.is_overdue(today)}
            for order in sorted(orders.values(), key=lambda o: (o.deadline, o.pk))
        ],
        "attachments": list(inspection.attachments.select_related("order__finding__item")),
        "assigned": assigned,
        "can_record": assigned and inspection.status == InspectionStatus.ASSIGNED,
        "can_upload": assigned,
        "can_review": is_supervisor(user) and inspection.status == InspectionStatus.SUBMITTED,
        "upload_form": upload_form,
        "inspection_overdue": inspection.status == InspectionStatus.ASSIGNED and inspection.due_on < today,
    }
    return render(request, "supervision/field/inspection_detail.html", context)


@field_access
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _inspection_page(request, _inspection(request, pk), AttachmentForm())


@field_access
@require_http_methods(["GET", "POST"])
def inspection_record(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    inspection = _inspection(request, pk)
    if not _is_assigned(user, inspection):
        raise PermissionDenied(_("只有该次检查的检查人员可以填写检查记录。"))
    if inspection.status != InspectionStatus.ASSIGNED:
        messages.info(request, _("该检查已提交审核，不能再修改。"))
        return redirect(_inspection_url(inspection))
    form = InspectionRecordForm(request.POST if request.method == "POST" else None, inspection=inspection)
    if request.method == "POST" and form.is_valid():
        submit = form.submit()
        results = form.results()
        try:
            services.inspection_record(
                actor=user,
                inspection=inspection,
                inspected_on=form.cleaned_data["inspected_on"],
                results=results,
                summary=form.cleaned_data["summary"],
                submit=submit,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if submit:
                messages.success(
                    request,
                    _("已提交审核，检查结论为“%(conclusion)s”；监管负责人审核后将予公示。")
                    % {"conclusion": Conclusion(inspection.conclusion).label},
                )
                return redirect(_inspection_url(inspection))
            messages.success(
                request,
                _("已保存草稿：已填写 %(done)d / %(total)d 项。")
                % {"done": len(results), "total": len(form.items)},
            )
            return redirect("supervision:inspection_record", pk=inspection.pk)
    context = {"inspection": inspection, "form": form, "rows": form.rows()}
    return render(request, "supervision/field/inspection_record.html", context)


# Attachments -------------------------------------------------------------------------------


@field_access
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """An assigned inspector's photo of the inspection, or (with ``order``) the operator's
    evidence for one of its rectification orders."""
    user = request_user(request)
    inspection = _inspection(request, pk)
    order: RectificationOrder | None = None
    order_pk = request.POST.get("order", "")
    if order_pk:
        order = (
            selectors.orders_visible_to(user)
            .filter(pk=int(order_pk) if order_pk.isdigit() else -1, finding__inspection=inspection)
            .first()
        )
        if order is None:
            raise Http404(_("没有该整改通知，或您无权查看。"))
        if not _acts_for(user, order.institution_id):
            raise PermissionDenied(_("只有该机构的负责人可以上传整改材料。"))
    elif not _is_assigned(user, inspection):
        raise PermissionDenied(_("只有该次检查的检查人员可以上传检查附件。"))
    back = _order_url(order) if order is not None else _inspection_url(inspection, "attachments")
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    try:
        attachment = services.attachment_add(
            actor=user, inspection=inspection, upload=form.cleaned_data["file"], order=order
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("已上传附件“%(name)s”。") % {"name": attachment.name})
    return redirect(back)


@field_access
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """The private file, as a download, to users who see its inspection or its order."""
    user = request_user(request)
    attachment = Attachment.objects.filter(pk=pk).first()
    visible = attachment is not None and (
        selectors.inspections_visible_to(user).filter(pk=attachment.inspection_id).exists()
        or (
            attachment.order_id is not None
            and selectors.orders_visible_to(user).filter(pk=attachment.order_id).exists()
        )
    )
    if attachment is None or not visible:
        raise Http404(_("没有该附件，或您无权查看。"))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("附件文件已不存在。")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Rectification orders ----------------------------------------------------------------------


@field_access
def order_list(request: HttpRequest) -> HttpResponse:
    """Operators (and township officials) see what is still to be done first, nearest
    deadline on top; inspectors and supervisors what awaits their verification first."""
    user = request_user(request)
    today = timezone.localdate()
    verifier = user.is_inspector or is_supervisor(user)
    first, second = (
        ([OrderStatus.SUBMITTED], list(ANSWERABLE))
        if verifier
        else (list(ANSWERABLE), [OrderStatus.SUBMITTED])
    )
    orders = (
        selectors.orders_visible_to(user)
        .select_related("finding__inspection__institution")
        .annotate(
            rank=Case(
                When(status__in=first, then=Value(0)),
                When(status__in=second, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "deadline", "id")
    )
    page = _page(request, orders)
    context = {
        "page": page,
        "rows": [{"order": order, "overdue": order.is_overdue(today)} for order in page],
        "verifier": verifier,
        "today": today,
    }
    return render(request, "supervision/field/order_list.html", context)


def _order_page(
    request: HttpRequest,
    order: RectificationOrder,
    *,
    submit_form: OrderSubmitForm | None = None,
    verify_form: OrderVerifyForm | None = None,
) -> HttpResponse:
    user = request_user(request)
    today = timezone.localdate()
    can_submit = order.status in ANSWERABLE and _acts_for(user, order.institution_id)
    can_verify = order.status == OrderStatus.SUBMITTED and _may_verify(user, order)
    context = {
        "order": order,
        "finding": order.finding,
        "inspection": order.finding.inspection,
        "attachments": list(order.attachments.all()),
        "overdue": order.is_overdue(today),
        "can_submit": can_submit,
        "can_verify": can_verify,
        "can_attach": order.status != OrderStatus.VERIFIED and _acts_for(user, order.institution_id),
        "submit_form": submit_form or (OrderSubmitForm() if can_submit else None),
        "verify_form": verify_form or (OrderVerifyForm() if can_verify else None),
        "upload_form": AttachmentForm(),
    }
    return render(request, "supervision/field/order_detail.html", context)


@field_access
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_page(request, _order(request, pk))


@field_access
@require_POST
def order_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    order = _order(request, pk)
    if not _acts_for(user, order.institution_id):
        raise PermissionDenied(_("只有该机构的负责人可以提交整改情况。"))
    if order.status not in ANSWERABLE:
        messages.error(request, _("该整改通知当前不需要提交。"))
        return redirect(_order_url(order))
    form = OrderSubmitForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            # The evidence and its file stand or fall together.
            with transaction.atomic():
                services.order_submit(actor=user, order=order, evidence=form.cleaned_data["evidence"])
                if upload is not None:
                    services.attachment_add(
                        actor=user, inspection=order.finding.inspection, upload=upload, order=order
                    )
        except ValidationError as error:
            order.refresh_from_db()
            add_service_error(form, error)
        else:
            messages.success(request, _("已提交整改情况，等待检查人员核验。"))
            return redirect(_order_url(order))
    return _order_page(request, order, submit_form=form)


@field_access
@require_POST
def order_verify(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    order = _order(request, pk)
    if not _may_verify(user, order):
        raise PermissionDenied(_("只有该次检查的检查人员或监管负责人可以核验整改。"))
    if order.status != OrderStatus.SUBMITTED:
        messages.error(request, _("只有已提交的整改可以核验。"))
        return redirect(_order_url(order))
    form = OrderVerifyForm(request.POST)
    if form.is_valid():
        accepted = form.accepted()
        try:
            services.order_verify(
                actor=user,
                order=order,
                accepted=accepted,
                note=form.cleaned_data["note"],
                new_deadline=form.cleaned_data["new_deadline"],
            )
        except ValidationError as error:
            order.refresh_from_db()
            add_service_error(form, error)
        else:
            if accepted:
                messages.success(request, _("已核验通过，整改完成。"))
            else:
                messages.warning(
                    request,
                    _("已退回重改，整改期限为 %(deadline)s。") % {"deadline": order.deadline.isoformat()},
                )
            return redirect(_order_url(order))
    return _order_page(request, order, verify_form=form)


# Incidents ---------------------------------------------------------------------------------


@incident_access
def incident_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    page = _page(request, selectors.incidents_visible_to(user))
    context = {
        "page": page,
        "incidents": list(page),
        "can_report": user.is_institution_operator and user.institution_id is not None,
        "can_close": is_supervisor(user),
    }
    return render(request, "supervision/field/incident_list.html", context)


def _report_hours() -> dict[str, int]:
    return {key: int(value) for key, value in settings.TUOYU_SUPERVISION["incident_report_hours"].items()}


@operator_only
@require_http_methods(["GET", "POST"])
def incident_report(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    institution = user.institution
    assert institution is not None
    form = IncidentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_report(actor=user, institution=institution, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if incident.late:
                messages.warning(
                    request,
                    _(
                        "事故报告已提交。该事故应在发生后 %(hours)d 小时内报告，本次属于迟报，"
                        "已记入本机构的信用记录。"
                    )
                    % {"hours": _report_hours()[incident.severity]},
                )
            else:
                messages.success(request, _("事故报告已按时提交，监管部门将跟进处理。"))
            return redirect("supervision:incidents")
    hours = _report_hours()
    context = {
        "form": form,
        "institution": institution,
        "serious_hours": hours.get("serious"),
        "minor_hours": hours.get("minor"),
    }
    return render(request, "supervision/field/incident_form.html", context)
