"""The credit archives, the 从业禁止 list, staff look-up and conflicts of interest: the
supervision lead's records (operators and township officials read the credit of their
own institutions)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tuoyu.accounts.models import User
from tuoyu.common.identifiers import name_mask
from tuoyu.common.views import add_service_error, request_user
from tuoyu.registry.models import Employment, Institution, Staff, Township
from tuoyu.supervision import credit, selectors, services
from tuoyu.supervision.forms_lead import (
    BarredForm,
    ConflictForm,
    CreditEventForm,
    CreditFilterForm,
    StaffCreditForm,
    StaffLookupForm,
)
from tuoyu.supervision.models import (
    BarredPerson,
    CreditGrade,
    InspectorConflict,
    StaffCreditEvent,
)
from tuoyu.supervision.views_lead import conflict_access, credit_access, supervisor_only


@credit_access
def credit_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if user.is_institution_operator and not services.is_supervisor(user):
        if user.institution_id is None:
            raise Http404(_("您的账户未关联托育机构。"))
        return redirect("supervision:credit_institution", institution_pk=user.institution_id)
    townships = Township.objects.order_by("code")
    if not services.is_supervisor(user):
        townships = townships.filter(pk=user.township_id or -1)
    form = CreditFilterForm(request.GET or None, townships=townships)
    institutions = selectors.credit_institutions_visible_to(user).filter(filing_status="filed")
    grade_filter = ""
    if form.is_bound and form.is_valid():
        township = form.cleaned_data.get("township")
        if township is not None:
            institutions = institutions.filter(township=township)
        grade_filter = form.cleaned_data.get("grade") or ""
    institutions = institutions.order_by("township__code", "name", "pk")
    ids = [institution.pk for institution in institutions]
    grades = credit.grades_on(ids)
    changed = dict(
        CreditGrade.objects.filter(institution_id__in=ids)
        .values("institution_id")
        .annotate(last=Max("as_of"))
        .values_list("institution_id", "last")
    )
    rows = [
        {
            "institution": institution,
            "grade": grades[institution.pk],
            "changed_on": changed.get(institution.pk),
        }
        for institution in institutions
        if not grade_filter or grades[institution.pk] == grade_filter
    ]
    context = {
        "form": form,
        "rows": rows,
        "is_supervisor": services.is_supervisor(user),
        "township": user.township if user.is_township_official else None,
    }
    return render(request, "supervision/lead/credit_list.html", context)


def _credit_institution(request: HttpRequest, institution_pk: int) -> Institution:
    institution = selectors.credit_institutions_visible_to(request.user).filter(pk=institution_pk).first()
    if institution is None:
        raise Http404(_("没有该机构，或不在您的查看范围内。"))
    return institution


@credit_access
def credit_detail(request: HttpRequest, institution_pk: int) -> HttpResponse:
    institution = _credit_institution(request, institution_pk)
    user = request_user(request)
    events = [
        {"event": event, "label": credit.kind_label(event.kind)}
        for event in selectors.credit_events(institution)
    ]
    context = {
        "institution": institution,
        "grade": selectors.institution_grade(institution),
        "history": list(selectors.credit_history(institution)),
        "events": events,
        "is_supervisor": services.is_supervisor(user),
        "event_form": CreditEventForm(initial={"occurred_on": timezone.localdate()})
        if services.is_supervisor(user)
        else None,
    }
    return render(request, "supervision/lead/credit_detail.html", context)


@supervisor_only
@require_http_methods(["GET", "POST"])
def credit_event_create(request: HttpRequest, institution_pk: int) -> HttpResponse:
    institution = _credit_institution(request, institution_pk)
    form = CreditEventForm(request.POST or None, initial={"occurred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            event = services.credit_event_record(
                actor=request_user(request), institution=institution, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("已记录%(kind)s；当前信用等级 %(grade)s。")
                % {"kind": credit.kind_label(event.kind), "grade": selectors.institution_grade(institution)},
            )
            return redirect("supervision:credit_institution", institution_pk=institution.pk)
    context = {"institution": institution, "form": form}
    return render(request, "supervision/lead/credit_event_form.html", context)


# Staff: the 从业禁止 list and traceability ------------------------------------------------------


@supervisor_only
@require_http_methods(["GET", "POST"])
def barred_list(request: HttpRequest) -> HttpResponse:
    form = BarredForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.barred_add(actor=request_user(request), **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("已将 %(name)s（%(id)s）列入从业禁止名单。")
                % {"name": name_mask(person.name), "id": person.id_number_masked},
            )
            return redirect("supervision:barred")
    today = timezone.localdate()
    rows = [
        {
            "person": person,
            "name": name_mask(person.name),
            "id_number": person.id_number_masked,
            "in_force": person.is_in_force(today),
        }
        for person in BarredPerson.objects.all()
    ]
    return render(request, "supervision/lead/barred_list.html", {"form": form, "rows": rows})


@supervisor_only
@require_http_methods(["GET", "POST"])
def staff_lookup(request: HttpRequest) -> HttpResponse:
    """Look a person up by ID number (posted, never in the URL); the page then names the
    record by its id (``?staff=``) and shows only the masked ID number."""
    user = request_user(request)
    action = request.POST.get("action", "lookup") if request.method == "POST" else ""
    lookup_form = StaffLookupForm(request.POST if action == "lookup" else None)
    staff: Staff | None = None
    staff_pk = request.POST.get("staff", "") if action == "record" else request.GET.get("staff", "")
    if staff_pk:
        if not staff_pk.isdigit():
            raise Http404(_("没有该人员。"))
        staff = get_object_or_404(Staff, pk=int(staff_pk))
    if action == "lookup" and lookup_form.is_valid():
        try:
            found = services.staff_find(actor=user, id_number=lookup_form.cleaned_data["id_number"])
        except ValidationError as error:
            add_service_error(lookup_form, error)
        else:
            if found is not None:
                return redirect(f"{reverse('supervision:staff_lookup')}?staff={found.pk}")
            lookup_form.add_error("id_number", _("平台上没有该身份证号的从业人员记录。"))
    credit_form: StaffCreditForm | None = None
    if staff is not None:
        institutions = Institution.objects.filter(employments__staff=staff).distinct().order_by("name")
        credit_form = StaffCreditForm(
            request.POST if action == "record" else None,
            institutions=institutions,
            initial={"occurred_on": timezone.localdate()},
        )
        if action == "record" and credit_form.is_valid():
            try:
                services.staff_credit_record(actor=user, staff=staff, **credit_form.cleaned_data)
            except ValidationError as error:
                add_service_error(credit_form, error)
            else:
                messages.success(request, _("已记录从业人员信用事件。"))
                return redirect(f"{reverse('supervision:staff_lookup')}?staff={staff.pk}")
    context: dict[str, Any] = {"lookup_form": lookup_form, "staff": staff, "credit_form": credit_form}
    if staff is not None:
        context.update(
            {
                "id_number": staff.id_number_masked,
                "employments": list(
                    Employment.objects.filter(staff=staff)
                    .select_related("institution__township")
                    .order_by("-start", "-pk")
                ),
                "certificates": list(staff.certificates.order_by("cert_type", "issued_on")),
                "credit_events": list(
                    StaffCreditEvent.objects.filter(staff=staff).select_related("institution", "recorded_by")
                ),
                "barred": services.barred_refusal(staff.id_number_index) is not None,
                "today": timezone.localdate(),
            }
        )
    return render(request, "supervision/lead/staff_lookup.html", context)


# Conflicts of interest ----------------------------------------------------------------------------


@conflict_access
@require_http_methods(["GET", "POST"])
def conflict_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    lead = services.is_supervisor(user)
    action = request.POST.get("action", "declare") if request.method == "POST" else ""
    conflicts = InspectorConflict.objects.select_related("inspector__township", "institution__township")
    if not lead:
        conflicts = conflicts.filter(inspector=user)
    if action == "remove":
        conflict_pk = request.POST.get("conflict", "")
        conflict = conflicts.filter(pk=int(conflict_pk)).first() if conflict_pk.isdigit() else None
        if conflict is None:
            raise Http404(_("没有该回避申报。"))
        services.conflict_remove(actor=user, conflict=conflict)
        messages.success(request, _("已删除回避申报。"))
        return redirect("supervision:conflicts")
    form = ConflictForm(request.POST if action == "declare" else None, for_lead=lead)
    if action == "declare" and form.is_valid():
        inspector: User = form.cleaned_data["inspector"] if lead else user
        try:
            services.conflict_declare(
                actor=user,
                inspector=inspector,
                institution=form.cleaned_data["institution"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已登记回避：抽取和派员时不会再安排到该机构。"))
            return redirect("supervision:conflicts")
    context = {
        "conflicts": list(conflicts.order_by("inspector__username", "institution__name")),
        "form": form,
        "is_supervisor": lead,
    }
    return render(request, "supervision/lead/conflict_list.html", context)
