"""Text messages through the configured backend, and the mobile numbers they go to."""

from __future__ import annotations

from typing import Any

import pytest

from tuoyu.common import sms
from tuoyu.common.identifiers import IdentifierError, phone_normalize


class RecordingGateway:
    """A stand-in for a real gateway, named by dotted path like any backend."""

    sent: list[tuple[str, str]] = []

    def send(self, *, phone: str, message: str) -> None:
        self.sent.append((phone, message))


# Backends ---------------------------------------------------------------------------------


def test_tests_use_the_in_memory_backend_with_an_empty_outbox(settings: Any) -> None:
    assert settings.TUOYU_SMS_BACKEND == sms.LOCMEM_BACKEND
    assert sms.outbox == []


def test_without_the_setting_the_console_backend_is_used(settings: Any) -> None:
    del settings.TUOYU_SMS_BACKEND
    assert sms.backend_name() == sms.CONSOLE_BACKEND
    assert sms.backend_is_console()


def test_the_in_memory_backend_keeps_each_message_in_the_outbox() -> None:
    sms.sms_send(phone="13800138000", message="验证码 123456")
    sms.sms_send(phone="13900139000", message="验证码 654321")
    assert [(m.phone, m.message) for m in sms.outbox] == [
        ("13800138000", "验证码 123456"),
        ("13900139000", "验证码 654321"),
    ]
    assert sms.outbox[0].sent_at.tzinfo is not None


def test_clearing_the_outbox_empties_it() -> None:
    sms.sms_send(phone="13800138000", message="x")
    sms.outbox_clear()
    assert sms.outbox == []


def test_the_console_backend_writes_one_line_to_standard_output(
    settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.TUOYU_SMS_BACKEND = sms.CONSOLE_BACKEND
    sms.sms_send(phone="13800138000", message="验证码 123456")
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert "13800138000" in out and "验证码 123456" in out
    assert sms.outbox == []
    assert sms.backend_is_console()


def test_any_class_with_a_send_method_can_be_the_backend(settings: Any) -> None:
    settings.TUOYU_SMS_BACKEND = f"{__name__}.RecordingGateway"
    RecordingGateway.sent.clear()
    sms.sms_send(phone="13800138000", message="你好")
    assert RecordingGateway.sent == [("13800138000", "你好")]
    assert not sms.backend_is_console()


def test_a_backend_that_does_not_exist_is_an_error(settings: Any) -> None:
    settings.TUOYU_SMS_BACKEND = "tuoyu.common.sms.NoSuchBackend"
    with pytest.raises(ImportError):
        sms.sms_send(phone="13800138000", message="x")


# Mobile numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "13800138000",
        " 138 0013 8000 ",
        "138-0013-8000",
        "+8613800138000",
        "+86 138 0013 8000",
        "8613800138000",
        "86-138-0013-8000",
    ],
)
def test_a_mobile_number_normalises_to_its_eleven_digits(value: str) -> None:
    assert phone_normalize(value) == "13800138000"


@pytest.mark.parametrize("value", ["19912345678", "13000000000"])
def test_every_mobile_prefix_from_13_to_19_is_accepted(value: str) -> None:
    assert phone_normalize(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "12800138000",  # 12x is not a mobile prefix
        "23800138000",
        "0571-85001234",  # a landline
        "１３８００１３８０００",  # full-width digits
        "138OO138000",  # letters O
        "+85213800138000",  # another country code
        "+86+8613800138000",
        "138.0013.8000",
    ],
)
def test_anything_else_is_refused_with_a_chinese_message(value: str) -> None:
    with pytest.raises(IdentifierError, match="手机号码"):
        phone_normalize(value)
