"""Target sets and the service catalog: edited by the bureau in the back office.

There are no services for these models; every change is recorded by the audit log
(``auditlog`` follows them, see ``IndicatorsConfig.ready``) with the admin as the actor.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tuoyu.accounts.admin import BureauAdminMixin
from tuoyu.indicators.models import CatalogItem, ServiceCatalog, TargetSet


@admin.register(TargetSet)
class TargetSetAdmin(BureauAdminMixin, admin.ModelAdmin):
    list_display = (
        "year",
        "fee_ratio_max",
        "slots_per_1000_min",
        "kindergarten_share_min",
        "puhui_share_min",
        "certified_share_min",
        "catalog_required",
        "slots_per_1000_population_min",
    )
    ordering = ("-year",)


class CatalogItemInline(BureauAdminMixin, admin.StackedInline):
    model = CatalogItem
    extra = 1


@admin.register(ServiceCatalog)
class ServiceCatalogAdmin(BureauAdminMixin, admin.ModelAdmin):
    list_display = ("title", "published_on", "item_count")
    date_hierarchy = "published_on"
    inlines = [CatalogItemInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceCatalog]:
        return super().get_queryset(request).annotate(items_count=Count("items"))

    @admin.display(description=_("事项数"), ordering="items_count")
    def item_count(self, catalog: ServiceCatalog) -> int:
        return int(getattr(catalog, "items_count", 0))
