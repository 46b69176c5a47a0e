"""The registry in the bureau's back office.

Institutions, classes, fees and 普惠 designations are saved through the same services
as the registry pages (the services' validation runs when the form is cleaned, so errors
show on the form). Reference data without a service (townships, population, income) is
edited directly and recorded by the audit log. Staff, employments and certificates are
browse-only here: people are hired and certified on the institution's page. The staff
pages never show the encrypted ID number or its blind index, only the masked number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tuoyu.accounts.admin import BureauAdminMixin, ReadOnlyAdminMixin
from tuoyu.accounts.models import User
from tuoyu.registry import selectors, services
from tuoyu.registry.models import (
    CareClass,
    Certificate,
    ChildPopulation,
    Dataset,
    Employment,
    Fee,
    IncomeStat,
    Institution,
    PuhuiDesignation,
    Staff,
    Township,
    TownshipYear,
)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class ServiceValidatedForm(forms.ModelForm):
    """Runs a service's validation on the cleaned instance, so its errors show on the form."""

    validate: Callable[[Any], None] | None = None

    def _post_clean(self) -> None:  # type: ignore[misc]  # Django's hook after the instance is built
        super()._post_clean()  # type: ignore[misc]
        if self.errors or self.validate is None:
            return
        try:
            type(self).validate(self.instance)  # type: ignore[misc]
        except ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]


def service_form(model: type[Model], validate: Callable[[Any], None]) -> type[forms.ModelForm]:
    meta = type("Meta", (), {"model": model, "fields": "__all__"})
    return type(
        f"{model.__name__}AdminForm",
        (ServiceValidatedForm,),
        {"Meta": meta, "validate": staticmethod(validate)},
    )


# Reference data ---------------------------------------------------------------------------


@admin.register(Township)
class TownshipAdmin(BureauAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "kind", "latitude", "longitude", "boundary_approximate")
    list_filter = ("kind", "boundary_approximate")
    search_fields = ("code", "name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Township]:
        return selectors.townships_visible_to(request.user)


@admin.register(ChildPopulation)
class ChildPopulationAdmin(BureauAdminMixin, admin.ModelAdmin):
    list_display = ("township", "year", "age_band", "children")
    list_filter = ("year", "age_band", "township")
    list_select_related = ("township",)


@admin.register(TownshipYear)
class TownshipYearAdmin(BureauAdminMixin, admin.ModelAdmin):
    list_display = ("township", "year", "births", "population")
    list_filter = ("year", "township")
    list_select_related = ("township",)


@admin.register(IncomeStat)
class IncomeStatAdmin(BureauAdminMixin, admin.ModelAdmin):
    list_display = ("year", "scope", "amount")
    list_filter = ("scope",)


@admin.register(Dataset)
class DatasetAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "synthetic", "seed", "loaded_at")


# Institutions -----------------------------------------------------------------------------


class ClassInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CareClass
    fields = ("name", "class_type", "approved_slots", "enrolled", "caregivers", "opened_on", "closed_on")
    extra = 0
    show_change_link = True


class FeeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Fee
    fields = ("class_type", "full_day_monthly", "half_day_monthly", "effective_from", "effective_to")
    extra = 0
    show_change_link = True


class DesignationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PuhuiDesignation
    fields = ("valid_from", "valid_to", "document")
    extra = 0


@admin.register(Institution)
class InstitutionAdmin(BureauAdminMixin, admin.ModelAdmin):
    form = service_form(Institution, services.institution_validate)
    list_display = ("name", "credit_code", "township", "form", "ownership", "filing_status", "filed_on")
    list_filter = ("township", "form", "ownership", "filing_status", "is_demonstration", "is_service_centre")
    list_select_related = ("township",)
    search_fields = ("name", "credit_code")
    inlines = [DesignationInline, ClassInline, FeeInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Institution]:
        return selectors.institutions_visible_to(request.user).select_related("township")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # institutions close (停办日期); their history stays

    def save_model(self, request: HttpRequest, obj: Institution, form: forms.ModelForm, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            services.institution_update(actor=_actor(request), institution=obj, **fields)
            return
        all_fields = {name: form.cleaned_data[name] for name in form.cleaned_data}
        created = services.institution_create(actor=_actor(request), **all_fields)
        obj.pk = created.pk
        obj._state.adding = False
        obj._state.db = created._state.db


@admin.register(PuhuiDesignation)
class PuhuiDesignationAdmin(BureauAdminMixin, admin.ModelAdmin):
    list_display = ("institution", "valid_from", "valid_to", "document")
    list_select_related = ("institution",)
    search_fields = ("institution__name", "document")
    autocomplete_fields = ("institution",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PuhuiDesignation]:
        return selectors.designations_visible_to(request.user).select_related("institution")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: PuhuiDesignation, form: forms.ModelForm, change: bool
    ) -> None:
        try:
            created = services.designation_add(
                actor=_actor(request),
                institution=obj.institution,
                valid_from=obj.valid_from,
                valid_to=obj.valid_to,
                document=obj.document,
            )
        except ValidationError as error:  # overlapping periods: shown as a message, nothing saved
            self.message_user(request, " ".join(error.messages), level="error")
            return
        obj.pk = created.pk
        obj._state.adding = False


class _ServiceSavedAdmin(BureauAdminMixin, admin.ModelAdmin):
    """Create, change and delete through the registry services."""

    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., None]
    instance_argument: str

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in form.cleaned_data if name != "institution"}
        if change:
            type(self).update(actor=_actor(request), **{self.instance_argument: obj}, **data)
            return
        created = type(self).create(
            actor=_actor(request), institution=form.cleaned_data["institution"], **data
        )
        obj.pk = created.pk
        obj._state.adding = False
        obj._state.db = created._state.db

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        type(self).delete(actor=_actor(request), **{self.instance_argument: obj})

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(CareClass)
class CareClassAdmin(_ServiceSavedAdmin):
    form = service_form(CareClass, services.care_class_validate)
    create = staticmethod(services.care_class_create)
    update = staticmethod(services.care_class_update)
    delete = staticmethod(services.care_class_delete)
    instance_argument = "care_class"
    list_display = ("name", "institution", "class_type", "approved_slots", "enrolled", "caregivers")
    list_filter = ("class_type", "institution__township")
    list_select_related = ("institution",)
    search_fields = ("name", "institution__name")
    autocomplete_fields = ("institution",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CareClass]:
        return selectors.classes_visible_to(request.user).select_related("institution")


@admin.register(Fee)
class FeeAdmin(_ServiceSavedAdmin):
    form = service_form(Fee, services.fee_validate)
    create = staticmethod(services.fee_create)
    update = staticmethod(services.fee_update)
    delete = staticmethod(services.fee_delete)
    instance_argument = "fee"
    list_display = (
        "institution",
        "class_type",
        "full_day_monthly",
        "half_day_monthly",
        "effective_from",
        "effective_to",
    )
    list_filter = ("class_type", "institution__township")
    list_select_related = ("institution",)
    search_fields = ("institution__name",)
    autocomplete_fields = ("institution",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Fee]:
        return selectors.fees_visible_to(request.user).select_related("institution")


# People: browse only, masked ID numbers ----------------------------------------------------


class EmploymentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Employment
    fields = ("institution", "role", "start", "end")
    extra = 0


class CertificateInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Certificate
    fields = ("cert_type", "number", "issued_on", "expires_on")
    extra = 0


@admin.register(Staff)
class StaffAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Never the ciphertext or the blind index: only the masked number is shown. There is
    no search by ID number here, since the search box would echo the full number back."""

    fields = ("name", "masked_id_number", "phone")
    readonly_fields = ("name", "masked_id_number", "phone")
    list_display = ("name", "masked_id_number", "phone")
    search_fields = ("name",)
    search_help_text = _("按姓名搜索。")
    inlines = [EmploymentInline, CertificateInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Staff]:
        return selectors.staff_visible_to(request.user)

    @admin.display(description=_("身份证号码（脱敏）"))
    def masked_id_number(self, staff: Staff) -> str:
        return staff.id_number_masked


@admin.register(Employment)
class EmploymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("staff", "institution", "role", "start", "end")
    list_filter = ("role", "institution__township")
    list_select_related = ("staff", "institution")
    search_fields = ("staff__name", "institution__name")
    fields = ("staff", "institution", "role", "start", "end")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Employment]:
        return selectors.employments_visible_to(request.user).select_related("staff", "institution")


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("staff", "cert_type", "number", "issued_on", "expires_on")
    list_filter = ("cert_type",)
    list_select_related = ("staff",)
    search_fields = ("staff__name", "number")
    fields = ("staff", "cert_type", "number", "issued_on", "expires_on")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Certificate]:
        return selectors.certificates_visible_to(request.user).select_related("staff")
