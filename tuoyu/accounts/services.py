"""Parents' accounts: sign-up and password reset with a mobile number and an SMS code.

A parent (role 公众) proves that they hold a mobile number with a 6-digit code sent to it,
then sets a password; the number, normalised, is their user name. Invalid input raises
``ValidationError`` keyed by the field at fault (``phone``, ``code``, ``password``); the
pages, the API and any command call these functions.

The codes (settings ``TUOYU_PHONE_CODE_*``): drawn with ``secrets``; stored only as a keyed
HMAC (``tuoyu.common.crypto.blind_index``), bound to the phone and purpose; valid 10
minutes; dead after 5 wrong attempts or once used; only the newest code of a phone and
purpose counts; no new code within 60 s of the last one for the same phone and purpose,
and at most 10 codes per phone in any 24 hours.

Asking for a reset code never reveals whether a number has an account: for a number
without one (or with a staff or deactivated account), the request is recorded like any
other, so the same limits answer, but no message is sent.
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
import secrets

from auditlog.context import set_actor
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.models import PhoneCode, PhoneCodePurpose, Role, User
from tuoyu.common import crypto
from tuoyu.common.identifiers import IdentifierError, phone_normalize
from tuoyu.common.sms import sms_send

CODE_DIGITS = 6


def _ttl() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "TUOYU_PHONE_CODE_TTL_SECONDS", 600))


def code_valid_minutes() -> int:
    return int(_ttl().total_seconds() // 60)


def _max_attempts() -> int:
    return int(getattr(settings, "TUOYU_PHONE_CODE_MAX_ATTEMPTS", 5))


def _resend_after() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "TUOYU_PHONE_CODE_RESEND_SECONDS", 60))


def _daily_limit() -> int:
    return int(getattr(settings, "TUOYU_PHONE_CODE_DAILY_LIMIT", 10))


def _phone(value: str) -> str:
    try:
        return phone_normalize(value or "")
    except IdentifierError as error:
        raise ValidationError({"phone": str(error)}) from None


def _purpose(value: str) -> PhoneCodePurpose:
    try:
        return PhoneCodePurpose(value)
    except ValueError:
        raise ValidationError({"purpose": _("验证码用途无效。")}) from None


def code_hash(*, phone: str, purpose: str, code: str) -> str:
    """The keyed HMAC stored for a code: useless without the index key, and bound to the
    phone and purpose so that a code sent for one never matches another."""
    return crypto.blind_index(f"{phone}:{code}", purpose=f"phone_code:{purpose}")


def _parent_with_phone(phone: str) -> User | None:
    """The active parent account whose user name is ``phone``. Staff accounts are never
    reset by SMS, whatever their user name."""
    return User.objects.filter(username=phone, role=Role.PUBLIC, is_active=True).first()


def _message(purpose: PhoneCodePurpose, code: str, minutes: int) -> str:
    action = _("注册账户") if purpose == PhoneCodePurpose.REGISTER else _("找回密码")
    return _(
        "【临海市普惠托育】您正在%(action)s，验证码 %(code)s，%(minutes)s 分钟内有效。请勿将验证码告诉他人。"
    ) % {"action": action, "code": code, "minutes": minutes}


def phone_code_send(*, phone: str, purpose: str) -> None:
    """Send a new code to ``phone`` for ``purpose`` ("register" or "reset_password").

    Sign-up refuses a number that already has an account (a parent may be told that).
    Reset sends nothing to a number without a parent account but answers the same.
    """
    phone = _phone(phone)
    kind = _purpose(purpose)
    if kind == PhoneCodePurpose.REGISTER and User.objects.filter(username=phone).exists():
        raise ValidationError({"phone": _("该手机号码已注册，请直接登录；忘记密码可通过手机号找回。")})
    now = timezone.now()
    latest = PhoneCode.objects.filter(phone=phone, purpose=kind).order_by("-created_at").first()
    if latest is not None and now - latest.created_at < _resend_after():
        wait = _resend_after() - (now - latest.created_at)
        seconds = max(1, math.ceil(wait.total_seconds()))
        message = _("获取验证码过于频繁，请 %(seconds)s 秒后再试。") % {"seconds": seconds}
        raise ValidationError({"phone": message})
    sent_today = PhoneCode.objects.filter(phone=phone, created_at__gt=now - dt.timedelta(days=1)).count()
    if sent_today >= _daily_limit():
        raise ValidationError({"phone": _("该手机号码今日获取验证码的次数已达上限，请明天再试。")})
    deliver = kind == PhoneCodePurpose.REGISTER or _parent_with_phone(phone) is not None
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        PhoneCode.objects.create(
            phone=phone,
            purpose=kind,
            code_hash=code_hash(phone=phone, purpose=kind, code=code),
            created_at=now,
            expires_at=now + _ttl(),
        )
        if deliver:
            # Inside the transaction: when the gateway fails, no code is recorded.
            sms_send(phone=phone, message=_message(kind, code, code_valid_minutes()))


def _code_problem(record: PhoneCode | None, *, code: str, now: dt.datetime) -> str | None:
    """Why ``code`` does not prove the phone, or ``None`` when it does. A wrong guess is
    counted on ``record`` at once (the caller raises only after its transaction commits)."""
    if record is None or record.used_at is not None:
        return _("验证码无效，请先获取验证码。")
    if record.attempts >= _max_attempts():
        return _("验证码错误次数过多，已失效，请重新获取。")
    if now >= record.expires_at:
        return _("验证码已过期，请重新获取。")
    expected = code_hash(phone=record.phone, purpose=record.purpose, code=code)
    if hmac.compare_digest(expected, record.code_hash):
        return None
    record.attempts += 1
    record.save(update_fields=["attempts"])
    left = _max_attempts() - record.attempts
    if left <= 0:
        return _("验证码错误次数过多，已失效，请重新获取。")
    return _("验证码错误，还可尝试 %(left)s 次。") % {"left": left}


def _code_format(code: str) -> str:
    code = (code or "").strip()
    if len(code) != CODE_DIGITS or not code.isascii() or not code.isdigit():
        raise ValidationError({"code": _("验证码应为 %(digits)s 位数字。") % {"digits": CODE_DIGITS}})
    return code


def _password_check(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None


def _latest_code(phone: str, purpose: PhoneCodePurpose) -> PhoneCode | None:
    return (
        PhoneCode.objects.select_for_update()
        .filter(phone=phone, purpose=purpose)
        .order_by("-created_at", "-pk")
        .first()
    )


def parent_register(*, phone: str, code: str, password: str) -> User:
    """Create the parent account of ``phone`` (role 公众, user name the normalised number)
    with ``password``, once the code sent for sign-up proves the number."""
    phone = _phone(phone)
    code = _code_format(code)
    if User.objects.filter(username=phone).exists():
        raise ValidationError({"phone": _("该手机号码已注册，请直接登录；忘记密码可通过手机号找回。")})
    user = User(username=phone, role=Role.PUBLIC)
    _password_check(password, user)
    user.set_password(password)
    now = timezone.now()
    with transaction.atomic():
        record = _latest_code(phone, PhoneCodePurpose.REGISTER)
        problem = _code_problem(record, code=code, now=now)
        if record is not None and problem is None:
            # The new user is the actor: auditlog reads the instance when it writes each
            # entry, after the user has been saved.
            with set_actor(user):
                user.full_clean()
                user.save()
                record.used_at = now
                record.save(update_fields=["used_at"])
    # Raised after the block, so that a counted wrong attempt is committed.
    if problem is not None:
        raise ValidationError({"code": problem})
    return user


def password_reset_by_phone(*, phone: str, code: str, password: str) -> User:
    """Set a new password on the parent account of ``phone``, once the code sent for
    password reset proves the number.

    A number without a parent account goes through the same checks (the password too) and
    fails on the code, which was never sent, exactly as a wrong code does.
    """
    phone = _phone(phone)
    code = _code_format(code)
    user = _parent_with_phone(phone)
    _password_check(password, user or User(username=phone, role=Role.PUBLIC))
    now = timezone.now()
    with transaction.atomic():
        record = _latest_code(phone, PhoneCodePurpose.RESET_PASSWORD)
        problem = _code_problem(record, code=code, now=now)
        if problem is None and user is None:  # only by guessing a code that was never sent
            problem = _("验证码无效，请先获取验证码。")
        if record is not None and user is not None and problem is None:
            with set_actor(user):
                user.set_password(password)
                user.save(update_fields=["password"])
                record.used_at = now
                record.save(update_fields=["used_at"])
    if problem is not None or user is None:
        raise ValidationError({"code": problem or _("验证码无效，请先获取验证码。")})
    # A parent who forgot the password has often been locked out by trying; they have
    # just proved who they are.
    axes_reset(username=phone)
    return user
