from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "tuoyu.planning"
    verbose_name = _("供需规划")

    def ready(self) -> None:
        from tuoyu.planning import audit

        audit.register()
