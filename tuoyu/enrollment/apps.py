from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "tuoyu.enrollment"
    verbose_name = _("统一报名")

    def ready(self) -> None:
        from tuoyu.enrollment import audit

        audit.register()
