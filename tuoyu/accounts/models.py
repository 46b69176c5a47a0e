"""Users and the role that scopes what each one sees."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", _("市卫健局管理员")
    TOWNSHIP_OFFICIAL = "township_official", _("镇（街道）工作人员")
    INSTITUTION_OPERATOR = "institution_operator", _("托育机构负责人")
    SUPERVISION_LEAD = "supervision_lead", _("监管负责人")
    INSPECTOR = "inspector", _("检查人员")
    PUBLIC = "public", _("公众")


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices, default=Role.PUBLIC)
    township = models.ForeignKey(
        "registry.Township",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officials",
        verbose_name=_("所属镇（街道）"),
    )
    institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operators",
        verbose_name=_("所属机构"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def clean(self) -> None:
        super().clean()
        if self.role == Role.TOWNSHIP_OFFICIAL and self.township_id is None:
            raise ValidationError({"township": _("镇（街道）工作人员必须指定所属镇（街道）。")})
        if self.role == Role.INSTITUTION_OPERATOR and self.institution_id is None:
            raise ValidationError({"institution": _("托育机构负责人必须指定所属机构。")})

    @property
    def is_bureau_admin(self) -> bool:
        return self.is_active and (self.role == Role.BUREAU_ADMIN or self.is_superuser)

    @property
    def is_township_official(self) -> bool:
        return self.is_active and self.role == Role.TOWNSHIP_OFFICIAL

    @property
    def is_institution_operator(self) -> bool:
        return self.is_active and self.role == Role.INSTITUTION_OPERATOR

    @property
    def is_supervision_lead(self) -> bool:
        """Plans random inspections, reviews and publishes results, keeps the credit archives."""
        return self.is_active and self.role == Role.SUPERVISION_LEAD

    @property
    def is_inspector(self) -> bool:
        """Sees and records only the inspections assigned to them."""
        return self.is_active and self.role == Role.INSPECTOR

    @property
    def sees_registry(self) -> bool:
        return self.is_bureau_admin or self.is_township_official or self.is_institution_operator


class PhoneCodePurpose(models.TextChoices):
    REGISTER = "register", _("注册")
    RESET_PASSWORD = "reset_password", _("找回密码")


class PhoneCode(models.Model):
    """A verification code sent by SMS to prove that a parent holds a mobile number.

    Only a keyed HMAC of the code is stored (``code_hash``, see
    ``tuoyu.accounts.services``), never the code. The newest code of a phone and purpose is
    the only one that counts; it dies when used, when it expires or after too many wrong
    attempts. The rules are in ``tuoyu.accounts.services``.
    """

    phone = models.CharField(_("手机号码"), max_length=11)
    purpose = models.CharField(_("用途"), max_length=20, choices=PhoneCodePurpose.choices)
    code_hash = models.CharField(_("验证码摘要"), max_length=64)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [models.Index(fields=["phone", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.phone} · {self.get_purpose_display()} · {self.created_at:%Y-%m-%d %H:%M}"
