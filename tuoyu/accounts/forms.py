"""Forms of the parents' sign-up and password-reset pages.

They check the input's shape; ``tuoyu.accounts.services`` checks the rules, and a
``ValidationError`` it raises is attached to the field it names
(:func:`tuoyu.common.views.add_service_error`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuoyu.common.identifiers import IdentifierError, phone_normalize


class PhoneForm(forms.Form):
    """Step 1: the mobile number a code is sent to."""

    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": _("11 位手机号码")}
        ),
    )

    def clean_phone(self) -> str:
        try:
            return phone_normalize(self.cleaned_data["phone"])
        except IdentifierError as error:
            raise forms.ValidationError(str(error)) from None


class PhoneCodeForm(PhoneForm):
    """Step 2: the code received, and the password to set. The number is shown read-only;
    "更换手机号码" goes back to step 1."""

    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "placeholder": _("6 位数字"),
            }
        ),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        help_text=_("至少 8 个字符，不能是常见的简单密码。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs["readonly"] = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password, confirm = cleaned.get("password"), cleaned.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", _("两次输入的密码不一致。"))
        return cleaned
