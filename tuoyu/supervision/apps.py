from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "tuoyu.supervision"
    verbose_name = _("安全监管")

    def ready(self) -> None:
        from tuoyu.registry import services as registry_services
        from tuoyu.supervision import audit, services

        audit.register()
        # The registry refuses to hire a barred person; the list itself lives here.
        registry_services.staff_hire_checks.append(services.barred_refusal)
