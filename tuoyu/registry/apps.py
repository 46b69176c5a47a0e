from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "tuoyu.registry"
    verbose_name = _("托育机构登记")

    def ready(self) -> None:
        from tuoyu.registry import audit

        audit.register_models()
