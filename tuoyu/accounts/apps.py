from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tuoyu.accounts"
    verbose_name = _("账户与角色")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from tuoyu.accounts.models import PhoneCode, User

        auditlog.register(User, exclude_fields=["password", "last_login"])
        # The code's HMAC stays out of the log, like the password.
        auditlog.register(PhoneCode, exclude_fields=["code_hash"])
