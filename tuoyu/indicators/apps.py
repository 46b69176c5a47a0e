from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "tuoyu.indicators"
    verbose_name = _("目标指标")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from tuoyu.indicators import models

        auditlog.register(models.TargetSet)
        auditlog.register(models.ServiceCatalog)
        auditlog.register(models.CatalogItem)
