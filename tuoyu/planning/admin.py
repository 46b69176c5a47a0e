"""Planning data in the bureau's back office.

Demand zones and candidate sites are reference data, edited here and recorded by the audit
log (zones can also be imported as CSV on the planning pages). Expansion options are
checked by the planning service's rules when the form is cleaned. Scenarios and plan runs
are browse-only: they are made and run on the planning pages.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from tuoyu.accounts.admin import BureauAdminMixin, ReadOnlyAdminMixin
from tuoyu.planning import services
from tuoyu.planning.models import CandidateSite, DemandZone, ExpansionOption, PlanRun, Scenario
from tuoyu.registry.admin import service_form


@admin.register(DemandZone)
class DemandZoneAdmin(BureauAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "township", "year", "children_under_3", "children_under_2")
    list_filter = ("township", "year")
    search_fields = ("code", "name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[DemandZone]:
        return super().get_queryset(request).select_related("township")


@admin.register(CandidateSite)
class CandidateSiteAdmin(BureauAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "form", "township", "max_classes", "cost_factor")
    list_filter = ("form", "township")
    search_fields = ("code", "name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CandidateSite]:
        return super().get_queryset(request).select_related("township")


@admin.register(ExpansionOption)
class ExpansionOptionAdmin(BureauAdminMixin, admin.ModelAdmin):
    form = service_form(ExpansionOption, services.expansion_option_validate)
    list_display = ("institution", "kind", "class_type", "max_classes", "slots_per_class", "cost_factor")
    list_filter = ("kind", "class_type", "institution__township")
    search_fields = ("institution__name", "institution__credit_code")
    raw_id_fields = ("institution",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExpansionOption]:
        return super().get_queryset(request).select_related("institution", "institution__township")


@admin.register(Scenario)
class ScenarioAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "plan_year", "budget", "created_by", "updated_at")
    exclude = ("travel_costs",)


@admin.register(PlanRun)
class PlanRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "scenario", "status", "plan_status", "total_cost", "solve_seconds", "requested_at")
    list_filter = ("status", "plan_status")
    exclude = ("result", "parameters")
