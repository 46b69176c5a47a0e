"""Parents' sign-up and password reset by SMS code: the rules of ``tuoyu.accounts.services``."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from tuoyu.accounts import services
from tuoyu.accounts.models import PhoneCode, PhoneCodePurpose, Role, User
from tuoyu.common import sms
from tuoyu.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
NEW_PASSWORD = "another-long-passphrase"
REGISTER = PhoneCodePurpose.REGISTER
RESET = PhoneCodePurpose.RESET_PASSWORD


class Clock:
    """``timezone.now`` under the test's control, starting at a fixed aware instant."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = dt.datetime(2025, 9, 1, 9, 0, tzinfo=dt.UTC)
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def last_code() -> str:
    match = re.search(r"验证码 (\d{6})", sms.outbox[-1].message)
    assert match, sms.outbox[-1].message
    return match.group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def errors(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def parent(phone: str = PHONE, **fields: Any) -> User:
    return User.objects.create_user(username=phone, password=PASSWORD, role=Role.PUBLIC, **fields)


# Sending codes ----------------------------------------------------------------------------


def test_sending_a_code_texts_six_digits_to_the_phone() -> None:
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    assert len(sms.outbox) == 1
    assert sms.outbox[0].phone == PHONE
    assert re.fullmatch(r"\d{6}", last_code())
    assert "10 分钟" in sms.outbox[0].message


def test_only_a_keyed_hash_of_the_code_is_stored() -> None:
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    code = last_code()
    record = PhoneCode.objects.get()
    stored = [str(getattr(record, field.attname)) for field in PhoneCode._meta.concrete_fields]
    assert all(code not in value for value in stored if value != PHONE)
    assert record.code_hash == services.code_hash(phone=PHONE, purpose=REGISTER, code=code)
    assert len(record.code_hash) == 64
    assert record.expires_at - record.created_at == dt.timedelta(minutes=10)
    assert record.created_at.tzinfo is not None


def test_the_code_hash_stays_out_of_the_audit_log() -> None:
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    entry = LogEntry.objects.get_for_object(PhoneCode.objects.get()).get()
    assert "code_hash" not in entry.changes_dict
    assert "phone" in entry.changes_dict


def test_the_number_is_normalised_before_sending() -> None:
    services.phone_code_send(phone="+86 138-0013-8000", purpose=REGISTER)
    assert sms.outbox[0].phone == PHONE
    assert PhoneCode.objects.get().phone == PHONE


def test_a_malformed_number_is_refused_on_the_phone_field() -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.phone_code_send(phone="12345", purpose=REGISTER)
    assert "手机号码" in errors(excinfo)["phone"][0]
    assert sms.outbox == [] and not PhoneCode.objects.exists()


def test_an_unknown_purpose_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.phone_code_send(phone=PHONE, purpose="login")
    assert "purpose" in errors(excinfo)


def test_a_new_code_within_a_minute_is_refused(clock: Clock) -> None:
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    clock.advance(seconds=45)
    with pytest.raises(ValidationError) as excinfo:
        services.phone_code_send(phone=PHONE, purpose=REGISTER)
    assert "15 秒" in errors(excinfo)["phone"][0]
    clock.advance(seconds=15)
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    assert len(sms.outbox) == 2


def test_the_resend_interval_is_per_purpose(clock: Clock) -> None:
    parent()
    services.phone_code_send(phone=PHONE, purpose=RESET)
    User.objects.all().delete()
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    assert len(sms.outbox) == 2


def test_at_most_ten_codes_a_day_go_to_one_phone(clock: Clock) -> None:
    for _n in range(10):
        services.phone_code_send(phone=PHONE, purpose=REGISTER)
        clock.advance(seconds=61)
    with pytest.raises(ValidationError) as excinfo:
        services.phone_code_send(phone=PHONE, purpose=REGISTER)
    assert "上限" in errors(excinfo)["phone"][0]
    services.phone_code_send(phone="13900139000", purpose=REGISTER)  # another phone is not limited
    clock.advance(hours=24)
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    assert len(sms.outbox) == 12


def test_a_gateway_failure_records_no_code(settings: Any) -> None:
    settings.TUOYU_SMS_BACKEND = "tuoyu.common.sms.NoSuchBackend"
    with pytest.raises(ImportError):
        services.phone_code_send(phone=PHONE, purpose=REGISTER)
    assert not PhoneCode.objects.exists()


# Signing up -------------------------------------------------------------------------------


def test_registering_creates_a_public_user_named_by_the_phone() -> None:
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    user = services.parent_register(phone="+86 138 0013 8000", code=last_code(), password=NEW_PASSWORD)
    user.refresh_from_db()
    assert user.username == PHONE
    assert user.role == Role.PUBLIC
    assert user.check_password(NEW_PASSWORD)
    assert not user.is_staff and not user.is_superuser and user.is_active
    assert PhoneCode.objects.get().used_at is not None


def test_registering_is_audit_logged_with_the_new_user_as_actor() -> None:
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    user = services.parent_register(phone=PHONE, code=last_code(), password=NEW_PASSWORD)
    entry = LogEntry.objects.get_for_object(user).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == user
    assert "password" not in entry.changes_dict
    used = LogEntry.objects.get_for_object(PhoneCode.objects.get()).filter(action=LogEntry.Action.UPDATE)
    assert [(e.actor, list(e.changes_dict)) for e in used] == [(user, ["used_at"])]


def test_a_wrong_attempt_is_audit_logged_without_an_actor() -> None:
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    with pytest.raises(ValidationError):
        services.parent_register(phone=PHONE, code=wrong(last_code()), password=NEW_PASSWORD)
    entry = LogEntry.objects.get_for_object(PhoneCode.objects.get()).get(action=LogEntry.Action.UPDATE)
    assert entry.actor is None
    assert entry.changes_dict == {"attempts": ["0", "1"]}


def test_a_code_serves_once() -> None:
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    code = last_code()
    services.parent_register(phone=PHONE, code=code, password=NEW_PASSWORD)
    User.objects.all().delete()
    with pytest.raises(ValidationError) as excinfo:
        services.parent_register(phone=PHONE, code=code, password=NEW_PASSWORD)
    assert "code" in errors(excinfo)


def test_a_number_already_registered_gets_no_code() -> None:
    parent()
    with pytest.raises(ValidationError) as excinfo:
        services.phone_code_send(phone=PHONE, purpose=REGISTER)
    assert "已注册" in errors(excinfo)["phone"][0]
    assert sms.outbox == []


def test_a_number_registered_meanwhile_cannot_register_twice() -> None:
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    parent()
    with pytest.raises(ValidationError) as excinfo:
        services.parent_register(phone=PHONE, code=last_code(), password=NEW_PASSWORD)
    assert "已注册" in errors(excinfo)["phone"][0]
    assert User.objects.count() == 1


def test_a_weak_password_is_refused_on_the_password_field_and_keeps_the_code() -> None:
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    code = last_code()
    for weak in ("short", "password123"):
        with pytest.raises(ValidationError) as excinfo:
            services.parent_register(phone=PHONE, code=code, password=weak)
        assert set(errors(excinfo)) == {"password"}
    assert not User.objects.exists()
    record = PhoneCode.objects.get()
    assert record.attempts == 0 and record.used_at is None
    services.parent_register(phone=PHONE, code=code, password=NEW_PASSWORD)


def test_a_code_that_is_not_six_digits_is_refused_without_counting() -> None:
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    with pytest.raises(ValidationError) as excinfo:
        services.parent_register(phone=PHONE, code="12ab", password=NEW_PASSWORD)
    assert "6 位数字" in errors(excinfo)["code"][0]
    assert PhoneCode.objects.get().attempts == 0


def test_without_a_code_sent_registering_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.parent_register(phone=PHONE, code="123456", password=NEW_PASSWORD)
    assert "验证码" in errors(excinfo)["code"][0]
    assert not User.objects.exists()


def test_a_wrong_code_counts_an_attempt_and_five_kill_the_code() -> None:
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    code = last_code()
    for attempt in range(1, 6):
        with pytest.raises(ValidationError) as excinfo:
            services.parent_register(phone=PHONE, code=wrong(code), password=NEW_PASSWORD)
        assert PhoneCode.objects.get().attempts == attempt  # committed despite the error
        if attempt < 5:
            assert f"还可尝试 {5 - attempt} 次" in errors(excinfo)["code"][0]
    assert "次数过多" in errors(excinfo)["code"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.parent_register(phone=PHONE, code=code, password=NEW_PASSWORD)
    assert "次数过多" in errors(excinfo)["code"][0]
    assert not User.objects.exists()


def test_an_expired_code_is_refused(clock: Clock) -> None:
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    code = last_code()
    clock.advance(minutes=10)
    with pytest.raises(ValidationError) as excinfo:
        services.parent_register(phone=PHONE, code=code, password=NEW_PASSWORD)
    assert "已过期" in errors(excinfo)["code"][0]
    assert not User.objects.exists()


def test_a_code_just_before_expiry_still_works(clock: Clock) -> None:
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    clock.advance(minutes=9, seconds=59)
    services.parent_register(phone=PHONE, code=last_code(), password=NEW_PASSWORD)


def test_only_the_newest_code_counts(clock: Clock) -> None:
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    first = last_code()
    clock.advance(seconds=60)
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    second = last_code()
    if first != second:
        with pytest.raises(ValidationError):
            services.parent_register(phone=PHONE, code=first, password=NEW_PASSWORD)
    services.parent_register(phone=PHONE, code=second, password=NEW_PASSWORD)


# Resetting a password ---------------------------------------------------------------------


def test_resetting_changes_the_password() -> None:
    user = parent()
    services.phone_code_send(phone=PHONE, purpose=RESET)
    assert "找回密码" in sms.outbox[0].message
    services.password_reset_by_phone(phone=PHONE, code=last_code(), password=NEW_PASSWORD)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    assert PhoneCode.objects.get().used_at is not None


def test_resetting_is_audit_logged_with_the_parent_as_actor() -> None:
    user = parent()
    services.phone_code_send(phone=PHONE, purpose=RESET)
    services.password_reset_by_phone(phone=PHONE, code=last_code(), password=NEW_PASSWORD)
    # The password is kept out of the user's log, so the code's use records the reset.
    assert not LogEntry.objects.get_for_object(user).filter(action=LogEntry.Action.UPDATE).exists()
    entry = LogEntry.objects.get_for_object(PhoneCode.objects.get()).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == user
    assert list(entry.changes_dict) == ["used_at"]


def test_a_sign_up_code_does_not_reset_a_password() -> None:
    services.phone_code_send(phone=PHONE, purpose=REGISTER)
    code = last_code()
    parent()
    with pytest.raises(ValidationError) as excinfo:
        services.password_reset_by_phone(phone=PHONE, code=code, password=NEW_PASSWORD)
    assert "code" in errors(excinfo)


def test_a_weak_new_password_is_refused_on_the_password_field() -> None:
    parent()
    services.phone_code_send(phone=PHONE, purpose=RESET)
    with pytest.raises(ValidationError) as excinfo:
        services.password_reset_by_phone(phone=PHONE, code=last_code(), password="1234")
    assert set(errors(excinfo)) == {"password"}


def test_resetting_lifts_a_login_lockout() -> None:
    from axes.models import AccessAttempt

    parent()
    AccessAttempt.objects.create(username=PHONE, ip_address="10.0.0.1", failures_since_start=5)
    services.phone_code_send(phone=PHONE, purpose=RESET)
    services.password_reset_by_phone(phone=PHONE, code=last_code(), password=NEW_PASSWORD)
    assert not AccessAttempt.objects.filter(username=PHONE).exists()


def test_reset_for_an_unknown_phone_sends_nothing_and_reveals_nothing(clock: Clock) -> None:
    known = "13900139000"
    parent(known)
    outcomes: dict[str, list[str]] = {}
    for phone in (PHONE, known):
        outcome = []
        services.phone_code_send(phone=phone, purpose=RESET)  # no error either way
        clock.advance(seconds=10)
        with pytest.raises(ValidationError) as excinfo:
            services.phone_code_send(phone=phone, purpose=RESET)
        outcome.append(errors(excinfo)["phone"][0])
        with pytest.raises(ValidationError) as excinfo:
            services.password_reset_by_phone(phone=phone, code="000000", password="1234")
        outcome.append(str(errors(excinfo)))
        outcomes[phone] = outcome
        clock.advance(seconds=-10)
    assert outcomes[PHONE] == outcomes[known]
    assert [message.phone for message in sms.outbox] == [known]


def test_an_unknown_phone_fails_on_the_code_like_a_wrong_code() -> None:
    services.phone_code_send(phone=PHONE, purpose=RESET)
    with pytest.raises(ValidationError) as excinfo:
        services.password_reset_by_phone(phone=PHONE, code="123456", password=NEW_PASSWORD)
    assert "验证码错误" in errors(excinfo)["code"][0]
    assert not User.objects.exists()


@pytest.mark.parametrize("role", [Role.BUREAU_ADMIN, Role.INSTITUTION_OPERATOR])
def test_staff_accounts_are_never_reset_by_sms(role: str, registry: Any) -> None:
    User.objects.create_user(
        username=PHONE, password=PASSWORD, role=role, institution=registry.nursery_a, is_staff=True
    )
    services.phone_code_send(phone=PHONE, purpose=RESET)
    assert sms.outbox == []


def test_a_deactivated_parent_gets_no_reset_code() -> None:
    parent(is_active=False)
    services.phone_code_send(phone=PHONE, purpose=RESET)
    assert sms.outbox == []
