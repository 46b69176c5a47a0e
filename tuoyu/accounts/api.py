"""The parents' account API: SMS codes, sign-up and password reset.

Public (``auth=None``, so no session and no CSRF token): the caller is not logged in yet.
These endpoints do not log anyone in either; a parent logs in through the site. The rules
(code lifetime, attempts, resend interval, daily limit) are those of
``tuoyu.accounts.services``, and a refused request is a 422 naming the field
(``phone``, ``purpose``, ``code`` or ``password``). Asking for a password-reset code
answers the same whether or not the number has an account.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from tuoyu.accounts import services
from tuoyu.accounts.models import PhoneCodePurpose
from tuoyu.registry.schemas import ValidationErrorOut

router = Router(tags=["accounts"])


class PhoneCodeIn(Schema):
    phone: str = Field(description="手机号码，11 位，可带 +86 / mainland mobile number", max_length=20)
    purpose: PhoneCodePurpose = Field(
        description="用途：register 注册，reset_password 找回密码 / what the code is for"
    )


class RegisterIn(Schema):
    phone: str = Field(description="手机号码 / mobile number", max_length=20)
    code: str = Field(description="短信验证码，6 位数字 / the 6-digit SMS code", max_length=20)
    password: str = Field(description="密码 / password", max_length=128)


class PasswordResetIn(RegisterIn):
    password: str = Field(description="新密码 / new password", max_length=128)


class AccountOut(Schema):
    id: int
    username: str = Field(description="用户名，即手机号码 / user name: the mobile number")


class MessageOut(Schema):
    detail: str = Field(description="说明 / what happened")


@router.post(
    "/accounts/phone-codes",
    operation_id="send_phone_code",
    auth=None,
    response={202: MessageOut, 422: ValidationErrorOut},
    summary="发送短信验证码（公开）/ send an SMS code (public)",
)
def send_phone_code(request: HttpRequest, payload: PhoneCodeIn) -> Status[MessageOut]:
    """Send a 6-digit code to the number. For ``reset_password`` the answer is the same
    whether or not the number has an account, and nothing is sent when it has none."""
    services.phone_code_send(phone=payload.phone, purpose=payload.purpose)
    if payload.purpose == PhoneCodePurpose.REGISTER:
        detail = _("验证码已发送。")
    else:
        detail = _("如果该手机号码已注册家长账户，验证码短信已发送。")
    return Status(202, MessageOut(detail=detail))


@router.post(
    "/accounts/register",
    operation_id="register_parent",
    auth=None,
    response={201: AccountOut, 422: ValidationErrorOut},
    summary="家长注册（公开）/ a parent signs up (public)",
)
def register(request: HttpRequest, payload: RegisterIn) -> Status[AccountOut]:
    """Create a parent account (role 公众) whose user name is the normalised number."""
    user = services.parent_register(phone=payload.phone, code=payload.code, password=payload.password)
    return Status(201, AccountOut(id=user.pk, username=user.username))


@router.post(
    "/accounts/password-reset",
    operation_id="reset_password_by_phone",
    auth=None,
    response={200: MessageOut, 422: ValidationErrorOut},
    summary="用手机号码找回密码（公开）/ reset a parent's password by SMS code (public)",
)
def password_reset(request: HttpRequest, payload: PasswordResetIn) -> MessageOut:
    """Set a new password on the parent account of the number."""
    services.password_reset_by_phone(phone=payload.phone, code=payload.code, password=payload.password)
    return MessageOut(detail=_("密码已重置，请用新密码登录。"))
