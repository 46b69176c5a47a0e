"""Registry pages: the institution list and detail, and the operators' forms.

Thin views: read through :mod:`tuoyu.registry.selectors`, validate with a form, call one
service from :mod:`tuoyu.registry.services`, redirect with a message. Who may do what:

* anonymous visitors are sent to the login page;
* users without registry access (the public role) get 403;
* an institution the user may not see is a 404;
* an institution the user sees but may not edit (a township official) is a 403 for the forms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tuoyu.accounts.models import User
from tuoyu.common.views import add_service_error
from tuoyu.indicators.forms import today
from tuoyu.registry import exports, selectors, services, standards
from tuoyu.registry.forms import (
    BoundaryImportForm,
    CareClassForm,
    CertificateForm,
    EmploymentEndForm,
    FeeForm,
    InstitutionFilterForm,
    StaffHireForm,
    StaffUpdateForm,
)
from tuoyu.registry.models import CareClass, Certificate, Employment, Fee, Institution
from tuoyu.registry.selectors import (
    certificates_visible_to,
    classes_visible_to,
    dataset_is_synthetic,
    employments_visible_to,
    fees_visible_to,
    institution_editable_by,
    institutions_visible_to,
    puhui_on,
    townships_visible_to,
)

PAGE_SIZE = 50


def registry_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; then only users with registry access (403 for the others)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or not user.sees_registry:
            raise PermissionDenied(_("您的账户无权查看托育机构登记信息。"))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _visible_institution(request: HttpRequest, pk: int) -> Institution:
    institution = institutions_visible_to(request.user).select_related("township").filter(pk=pk).first()
    if institution is None:
        raise Http404(_("没有该机构，或您无权查看。"))
    return institution


def _editable_institution(request: HttpRequest, pk: int) -> Institution:
    institution = _visible_institution(request, pk)
    if not institution_editable_by(request.user, institution):
        raise PermissionDenied(_("您对该机构只有查看权限。"))
    return institution


def _detail_url(institution: Institution, section: str = "") -> str:
    url = reverse("registry:institution_detail", kwargs={"pk": institution.pk})
    return f"{url}#{section}" if section else url


def _one(queryset: QuerySet[Any], pk: int) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404(_("没有该记录。"))
    return found


# Lists ------------------------------------------------------------------------------------


def _filtered(
    request: HttpRequest,
) -> tuple[InstitutionFilterForm, QuerySet[Institution], dict[int, list[Any]], dt.date]:
    form = InstitutionFilterForm(request.GET or None, townships=townships_visible_to(request.user))
    as_of = form.as_of_date()
    filters = form.filters()
    institutions = selectors.institution_list(user=request.user, filters=filters, as_of=as_of)
    violations = standards.violations_for(institutions, as_of=as_of)
    if filters.with_violations:
        institutions = institutions.filter(pk__in=list(violations))
    active = (Q(classes__opened_on__isnull=True) | Q(classes__opened_on__lte=as_of)) & (
        Q(classes__closed_on__isnull=True) | Q(classes__closed_on__gt=as_of)
    )
    institutions = institutions.annotate(
        slots=Sum("classes__approved_slots", filter=active),
        children=Sum("classes__enrolled", filter=active),
        is_puhui=ExpressionWrapper(puhui_on(as_of), output_field=BooleanField()),
    )
    return form, institutions, violations, as_of


@registry_access
def institution_list(request: HttpRequest) -> HttpResponse:
    form, institutions, violations, as_of = _filtered(request)
    page = Paginator(institutions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "as_of": as_of,
        "violations": {pk: len(found) for pk, found in violations.items()},
        "total": page.paginator.count,
    }
    return render(request, "registry/institution_list.html", context)


@registry_access
def institution_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("xlsx", "csv"):
        raise Http404(_("不支持的导出格式。"))
    _form, institutions, violations, as_of = _filtered(request)
    return exports.institution_table(
        fmt, institutions=institutions, violations=violations, as_of=as_of, synthetic=dataset_is_synthetic()
    )


def _active(care_class: CareClass, day: dt.date) -> bool:
    return (care_class.opened_on is None or care_class.opened_on <= day) and (
        care_class.closed_on is None or day < care_class.closed_on
    )


def _in_force(fee: Fee, day: dt.date) -> bool:
    return fee.effective_from <= day and (fee.effective_to is None or day <= fee.effective_to)


@registry_access
def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    institution = selectors.institution_detail(user=request.user, institution_id=pk)
    if institution is None:
        raise Http404(_("没有该机构，或您无权查看。"))
    day = today()
    classes = list(institution.classes.all())
    classes_by_id = {care_class.pk: care_class for care_class in classes}
    this_one = institutions_visible_to(request.user).filter(pk=institution.pk)
    found = standards.violations_for(this_one, as_of=day)
    fees = list(institution.fees.all())
    staff = selectors.institution_staff(institution=institution)
    designations = list(institution.designations.all())
    context = {
        "institution": institution,
        "today": day,
        "editable": institution_editable_by(request.user, institution),
        "is_puhui": institution.ownership == "public" or any(d.covers(day) for d in designations),
        "designations": designations,
        "classes": classes,
        "active_classes": [care_class for care_class in classes if _active(care_class, day)],
        "fee_groups": [
            {"title": _("现行收费"), "id": "fees-in-force", "fees": [f for f in fees if _in_force(f, day)]},
            {
                "title": _("历史及待执行收费"),
                "id": "fee-history",
                "fees": [f for f in fees if not _in_force(f, day)],
            },
        ],
        "staff_groups": [
            {
                "title": _("在岗人员"),
                "id": "staff-current",
                "current": True,
                "rows": [
                    row for row in staff if row["employment"].end is None or row["employment"].end >= day
                ],
            },
            {
                "title": _("已离职人员"),
                "id": "staff-former",
                "current": False,
                "rows": [
                    row for row in staff if row["employment"].end is not None and row["employment"].end < day
                ],
            },
        ],
        "violations": [
            standards.explain(violation, classes_by_id.get(violation.class_id or 0))
            for violation in found.get(institution.pk, [])
        ],
    }
    return render(request, "registry/institution_detail.html", context)


# Forms ------------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    *,
    institution: Institution,
    form: forms.Form,
    save: Callable[[dict[str, Any]], object],
    title: str,
    success: str,
    section: str,
    intro: str = "",
) -> HttpResponse:
    """Show ``form``; on a valid POST call ``save`` (a service) and go back to the institution.

    A service's ``ValidationError`` is shown on the fields it names and nothing is saved.
    """
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, success)
            return redirect(_detail_url(institution, section))
    context = {
        "institution": institution,
        "form": form,
        "title": title,
        "intro": intro,
        "cancel_url": _detail_url(institution, section),
    }
    return render(request, "registry/form.html", context, status=200)


def _confirm_page(
    request: HttpRequest,
    *,
    institution: Institution,
    delete: Callable[[], None],
    title: str,
    question: str,
    success: str,
    section: str,
) -> HttpResponse:
    if request.method == "POST":
        try:
            delete()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, success)
        return redirect(_detail_url(institution, section))
    context = {
        "institution": institution,
        "title": title,
        "question": question,
        "cancel_url": _detail_url(institution, section),
    }
    return render(request, "registry/confirm_delete.html", context)


@registry_access
@require_http_methods(["GET", "POST"])
def class_create(request: HttpRequest, pk: int) -> HttpResponse:
    institution = _editable_institution(request, pk)
    form = CareClassForm(request.POST or None)
    return _form_page(
        request,
        institution=institution,
        form=form,
        save=lambda data: services.care_class_create(actor=_user(request), institution=institution, **data),
        title=_("新增班级"),
        success=_("已新增班级。"),
        section="classes",
    )


@registry_access
@require_http_methods(["GET", "POST"])
def class_update(request: HttpRequest, pk: int, class_pk: int) -> HttpResponse:
    institution = _editable_institution(request, pk)
    care_class: CareClass = _one(classes_visible_to(request.user).filter(institution=institution), class_pk)
    form = CareClassForm(request.POST or None, initial=CareClassForm.initial_for(care_class))
    return _form_page(
        request,
        institution=institution,
        form=form,
        save=lambda data: services.care_class_update(actor=_user(request), care_class=care_class, **data),
        title=_("修改班级「%(name)s」") % {"name": care_class.name},
        success=_("已保存班级信息。"),
        section="classes",
    )


@registry_access
@require_http_methods(["GET", "POST"])
def class_delete(request: HttpRequest, pk: int, class_pk: int) -> HttpResponse:
    institution = _editable_institution(request, pk)
    care_class: CareClass = _one(classes_visible_to(request.user).filter(institution=institution), class_pk)
    return _confirm_page(
        request,
        institution=institution,
        delete=lambda: services.care_class_delete(actor=_user(request), care_class=care_class),
        title=_("删除班级"),
        question=_("确定删除班级「%(name)s」吗？如班级已撤班，建议填写撤班日期而不是删除。")
        % {"name": care_class.name},
        success=_("已删除班级。"),
        section="classes",
    )


@registry_access
@require_http_methods(["GET", "POST"])
def fee_create(request: HttpRequest, pk: int) -> HttpResponse:
    institution = _editable_institution(request, pk)
    form = FeeForm(request.POST or None)
    return _form_page(
        request,
        institution=institution,
        form=form,
        save=lambda data: services.fee_create(actor=_user(request), institution=institution, **data),
        title=_("新增收费标准"),
        success=_("已新增收费标准。"),
        section="fees",
    )


@registry_access
@require_http_methods(["GET", "POST"])
def fee_update(request: HttpRequest, pk: int, fee_pk: int) -> HttpResponse:
    institution = _editable_institution(request, pk)
    fee: Fee = _one(fees_visible_to(request.user).filter(institution=institution), fee_pk)
    form = FeeForm(request.POST or None, initial=FeeForm.initial_for(fee))
    return _form_page(
        request,
        institution=institution,
        form=form,
        save=lambda data: services.fee_update(actor=_user(request), fee=fee, **data),
        title=_("修改收费标准"),
        success=_("已保存收费标准。"),
        section="fees",
    )


@registry_access
@require_http_methods(["GET", "POST"])
def fee_delete(request: HttpRequest, pk: int, fee_pk: int) -> HttpResponse:
    institution = _editable_institution(request, pk)
    fee: Fee = _one(fees_visible_to(request.user).filter(institution=institution), fee_pk)
    return _confirm_page(
        request,
        institution=institution,
        delete=lambda: services.fee_delete(actor=_user(request), fee=fee),
        title=_("删除收费标准"),
        question=_("确定删除 %(start)s 起执行的%(type)s收费标准吗？")
        % {"start": fee.effective_from.isoformat(), "type": fee.get_class_type_display()},
        success=_("已删除收费标准。"),
        section="fees",
    )


def _employment(request: HttpRequest, institution: Institution, employment_pk: int) -> Employment:
    employments = employments_visible_to(request.user).filter(institution=institution).select_related("staff")
    employment: Employment = _one(employments, employment_pk)
    return employment


@registry_access
@require_http_methods(["GET", "POST"])
def staff_hire(request: HttpRequest, pk: int) -> HttpResponse:
    institution = _editable_institution(request, pk)
    form = StaffHireForm(request.POST or None)
    return _form_page(
        request,
        institution=institution,
        form=form,
        save=lambda data: services.staff_hire(actor=_user(request), institution=institution, **data),
        title=_("登记从业人员"),
        intro=_(
            "身份证号码加密保存，仅用于核验与查重；页面只显示脱敏号码。曾在其他机构任职的人员会沿用同一档案。"
        ),
        success=_("已登记从业人员。"),
        section="staff",
    )


@registry_access
@require_http_methods(["GET", "POST"])
def staff_update(request: HttpRequest, pk: int, employment_pk: int) -> HttpResponse:
    institution = _editable_institution(request, pk)
    employment = _employment(request, institution, employment_pk)
    form = StaffUpdateForm(request.POST or None, initial=StaffUpdateForm.initial_for(employment))
    return _form_page(
        request,
        institution=institution,
        form=form,
        save=lambda data: services.staff_update(actor=_user(request), employment=employment, **data),
        title=_("修改从业人员「%(name)s」") % {"name": employment.staff.name},
        success=_("已保存从业人员信息。"),
        section="staff",
    )


@registry_access
@require_http_methods(["GET", "POST"])
def employment_end(request: HttpRequest, pk: int, employment_pk: int) -> HttpResponse:
    institution = _editable_institution(request, pk)
    employment = _employment(request, institution, employment_pk)
    form = EmploymentEndForm(request.POST or None)
    return _form_page(
        request,
        institution=institution,
        form=form,
        save=lambda data: services.employment_end(
            actor=_user(request), employment=employment, end=data["end"]
        ),
        title=_("「%(name)s」离职") % {"name": employment.staff.name},
        intro=_("离职日期为最后一个在岗日；任职记录和证书保留在档案中。"),
        success=_("已登记离职。"),
        section="staff",
    )


@registry_access
@require_http_methods(["GET", "POST"])
def certificate_add(request: HttpRequest, pk: int, employment_pk: int) -> HttpResponse:
    institution = _editable_institution(request, pk)
    employment = _employment(request, institution, employment_pk)
    form = CertificateForm(request.POST or None)
    return _form_page(
        request,
        institution=institution,
        form=form,
        save=lambda data: services.certificate_add(actor=_user(request), employment=employment, **data),
        title=_("为「%(name)s」添加证书") % {"name": employment.staff.name},
        success=_("已添加证书。"),
        section="staff",
    )


@registry_access
@require_http_methods(["GET", "POST"])
def certificate_delete(
    request: HttpRequest, pk: int, employment_pk: int, certificate_pk: int
) -> HttpResponse:
    institution = _editable_institution(request, pk)
    employment = _employment(request, institution, employment_pk)
    certificate: Certificate = _one(
        certificates_visible_to(request.user).filter(staff_id=employment.staff_id), certificate_pk
    )
    return _confirm_page(
        request,
        institution=institution,
        delete=lambda: services.certificate_delete(
            actor=_user(request), employment=employment, certificate=certificate
        ),
        title=_("删除证书"),
        question=_("确定删除「%(name)s」的%(type)s证书吗？")
        % {"name": employment.staff.name, "type": certificate.get_cert_type_display()},
        success=_("已删除证书。"),
        section="staff",
    )


# Township boundaries ----------------------------------------------------------------------


def bureau_admin_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; then only bureau admins (403 for everyone else)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or not user.is_bureau_admin:
            raise PermissionDenied(_("仅市卫健局管理员可执行此操作。"))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


@bureau_admin_access
@require_http_methods(["GET", "POST"])
def boundary_import(request: HttpRequest) -> HttpResponse:
    """Upload surveyed township boundaries (GeoJSON); all or nothing, every problem listed."""
    form = BoundaryImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.township_boundaries_import(
                actor=_user(request),
                data=form.cleaned_data["file"].read(),
                match=form.cleaned_data["match"],
                property_name=form.cleaned_data["property_name"],
            )
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, result.summary())
            if result.warning():
                messages.warning(request, result.warning())
            return redirect("indicators:dashboard")
    context = {
        "form": form,
        "problems": problems,
        "townships": townships_visible_to(request.user).count(),
        "approximate": townships_visible_to(request.user).filter(boundary_approximate=True).count(),
    }
    return render(request, "registry/boundary_import.html", context)
