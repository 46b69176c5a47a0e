"""Logging in and out, the lockout after repeated failures, the language switch, and parents'
sign-up and password reset by SMS code."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tuoyu.accounts.models import PhoneCode, Role, User
from tuoyu.common import sms
from tuoyu.conftest import PASSWORD, ROLES, SmallRegistry

ALL_REDIRECT = dict.fromkeys(ROLES, 302)


# (url name, kwargs from the small registry, method, expected status per role)
MATRIX: list[tuple[str, Callable[[SmallRegistry], dict[str, Any]], str, dict[str, int]]] = [
    # Logged-in users are sent on to the dashboard; visitors see the form.
    ("accounts:login", lambda r: {}, "get", {**ALL_REDIRECT, "anonymous": 200}),
    ("accounts:logout", lambda r: {}, "post", ALL_REDIRECT),
    # Parents sign up and reset their password here; logged-in users go to the home page.
    ("accounts:register", lambda r: {}, "get", {**ALL_REDIRECT, "anonymous": 200}),
    ("accounts:register", lambda r: {}, "post", {**ALL_REDIRECT, "anonymous": 200}),
    ("accounts:password_reset", lambda r: {}, "get", {**ALL_REDIRECT, "anonymous": 200}),
    ("accounts:password_reset", lambda r: {}, "post", {**ALL_REDIRECT, "anonymous": 200}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("url_name", "kwargs_factory", "method", "expected"),
    MATRIX,
    ids=[f"{name}-{method}" for name, _k, method, _e in MATRIX],
)
def test_each_role_gets_the_expected_status(
    role: str,
    url_name: str,
    kwargs_factory: Callable[[SmallRegistry], dict[str, Any]],
    method: str,
    expected: dict[str, int],
    registry: SmallRegistry,
    role_clients: dict[str, Client],
) -> None:
    response = getattr(role_clients[role], method)(reverse(url_name, kwargs=kwargs_factory(registry)))
    assert response.status_code == expected[role]


@pytest.mark.django_db
def test_the_login_page_shows_the_form(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    assert 'name="username"' in response.content.decode()
    assert 'name="password"' in response.content.decode()


@pytest.mark.django_db
def test_the_right_password_logs_in_and_goes_to_the_dashboard(client: Client, township_user: User) -> None:
    response = client.post(reverse("accounts:login"), {"username": "township", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("indicators:dashboard")
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_a_parent_logs_in_to_their_enrollment_page(client: Client, public_user: User) -> None:
    response = client.post(reverse("accounts:login"), {"username": "public", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("enrollment:home")


@pytest.mark.django_db
def test_a_wrong_password_shows_an_error_and_does_not_log_in(client: Client, public_user: User) -> None:
    response = client.post(reverse("accounts:login"), {"username": "public", "password": "wrong"})
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_repeated_failures_lock_the_account_with_a_clear_message(client: Client, public_user: User) -> None:
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "public", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "public", "password": PASSWORD})
    assert response.status_code == 429
    content = response.content.decode()
    assert "账户已暂时锁定" in content
    assert 'id="lockout"' in content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logging_out_needs_a_post(role_clients: dict[str, Client]) -> None:
    assert role_clients["admin"].get(reverse("accounts:logout")).status_code == 405


@pytest.mark.django_db
def test_logging_out_ends_the_session(role_clients: dict[str, Client]) -> None:
    client = role_clients["admin"]
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_anonymous_visitor_of_the_registry_is_sent_to_the_login_page(client: Client) -> None:
    url = reverse("registry:institution_list")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.django_db
def test_the_navigation_shows_what_each_role_may_open(role_clients: dict[str, Client]) -> None:
    pages = {role: role_clients[role].get(reverse("indicators:dashboard")).content.decode() for role in ROLES}
    list_url = f'href="{reverse("registry:institution_list")}"'
    assert list_url in pages["admin"] and list_url in pages["township"] and list_url in pages["operator"]
    assert all(list_url not in pages[role] for role in ("lead", "inspector", "public", "anonymous"))
    admin_url = f'href="{reverse("admin:index")}"'
    assert admin_url in pages["admin"]
    assert all(
        admin_url not in pages[role]
        for role in ("township", "operator", "lead", "inspector", "public", "anonymous")
    )
    assert all(reverse("accounts:logout") in pages[role] for role in ("lead", "inspector", "public"))
    assert reverse("accounts:login") in pages["anonymous"]


@pytest.mark.django_db
def test_switching_to_english_renders_english_labels(role_clients: dict[str, Client]) -> None:
    client = role_clients["admin"]
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("indicators:dashboard")}
    )
    assert response.status_code == 302
    content = client.get(reverse("indicators:dashboard")).content.decode()
    assert '<html lang="en">' in content
    assert "Dashboard" in content
    assert "Slots per 1,000 children under 3" in content
    assert "每千名 3 岁以下婴幼儿托位数" not in content


@pytest.mark.django_db
def test_chinese_is_the_default_language(role_clients: dict[str, Client]) -> None:
    content = role_clients["admin"].get(reverse("indicators:dashboard")).content.decode()
    assert '<html lang="zh-CN">' in content
    assert "每千名 3 岁以下婴幼儿托位数" in content


# Parents' sign-up and password reset ------------------------------------------------------

PHONE = "13800138000"
NEW_PASSWORD = "another-long-passphrase"


def _sent_code() -> str:
    match = re.search(r"验证码 (\d{6})", sms.outbox[-1].message)
    assert match
    return match.group(1)


def _confirm(code: str, password: str = NEW_PASSWORD, **extra: str) -> dict[str, str]:
    return {"phone": PHONE, "code": code, "password": password, "password_confirm": password, **extra}


@pytest.mark.django_db
def test_the_login_page_points_parents_to_sign_up_and_password_reset(client: Client) -> None:
    content = client.get(reverse("accounts:login")).content.decode()
    assert "家长请用手机号注册并登录" in content
    assert f'href="{reverse("accounts:register")}"' in content
    assert f'href="{reverse("accounts:password_reset")}"' in content


@pytest.mark.django_db
def test_the_sign_up_page_first_asks_for_the_phone_only(client: Client) -> None:
    content = client.get(reverse("accounts:register")).content.decode()
    assert 'name="phone"' in content
    assert 'name="action" value="send"' in content
    assert "获取验证码" in content
    assert 'name="code"' not in content and 'name="password"' not in content


@pytest.mark.django_db
def test_signing_up_sends_a_code_then_creates_the_parent_and_logs_them_in(client: Client) -> None:
    url = reverse("accounts:register")
    response = client.post(url, {"action": "send", "phone": "138 0013 8000"})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="code"' in content and 'name="password_confirm"' in content
    assert "138****8000" in content
    assert [message.phone for message in sms.outbox] == [PHONE]
    response = client.post(url, _confirm(_sent_code(), action="register"))
    assert response.status_code == 302
    assert response["Location"] == reverse("enrollment:home")
    user = User.objects.get(username=PHONE)
    assert user.role == Role.PUBLIC
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_after_signing_up_a_safe_next_address_is_followed(client: Client) -> None:
    url = reverse("accounts:register")
    client.post(url, {"action": "send", "phone": PHONE})
    response = client.post(url, _confirm(_sent_code(), action="register", next=reverse("portal:index")))
    assert response["Location"] == reverse("portal:index")


@pytest.mark.django_db
def test_after_signing_up_a_next_address_on_another_site_is_ignored(client: Client) -> None:
    url = reverse("accounts:register")
    client.post(url, {"action": "send", "phone": PHONE})
    response = client.post(url, _confirm(_sent_code(), action="register", next="https://evil.example/"))
    assert response["Location"] == reverse("enrollment:home")


@pytest.mark.django_db
def test_a_malformed_phone_is_shown_on_the_phone_field(client: Client) -> None:
    response = client.post(reverse("accounts:register"), {"action": "send", "phone": "12345"})
    content = response.content.decode()
    assert 'id="id_phone_errors"' in content and "手机号码应为 11 位" in content
    assert sms.outbox == []


@pytest.mark.django_db
def test_a_registered_phone_is_told_to_log_in(client: Client) -> None:
    User.objects.create_user(username=PHONE, password=PASSWORD, role=Role.PUBLIC)
    response = client.post(reverse("accounts:register"), {"action": "send", "phone": PHONE})
    content = response.content.decode()
    assert 'id="id_phone_errors"' in content and "已注册" in content
    assert 'name="code"' not in content


@pytest.mark.django_db
def test_asking_again_too_soon_keeps_the_code_step_and_says_why(client: Client) -> None:
    url = reverse("accounts:register")
    client.post(url, {"action": "send", "phone": PHONE})
    code = _sent_code()
    response = client.post(url, {"action": "send", "phone": PHONE, "step": "code"})
    content = response.content.decode()
    assert 'id="resend-errors"' in content and "秒后再试" in content
    assert 'name="code"' in content
    assert len(sms.outbox) == 1
    assert client.post(url, _confirm(code, action="register")).status_code == 302


@pytest.mark.django_db
def test_a_wrong_code_is_shown_on_the_code_field_and_nobody_is_logged_in(client: Client) -> None:
    url = reverse("accounts:register")
    client.post(url, {"action": "send", "phone": PHONE})
    code = _sent_code()
    response = client.post(url, _confirm(f"{(int(code) + 1) % 1_000_000:06d}", action="register"))
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_code_errors"' in content and "还可尝试 4 次" in content
    assert PhoneCode.objects.get().attempts == 1
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_weak_password_is_shown_on_the_password_field(client: Client) -> None:
    url = reverse("accounts:register")
    client.post(url, {"action": "send", "phone": PHONE})
    response = client.post(url, _confirm(_sent_code(), password="short", action="register"))
    content = response.content.decode()
    assert 'id="id_password_errors"' in content
    assert not User.objects.filter(username=PHONE).exists()


@pytest.mark.django_db
def test_two_different_passwords_are_refused(client: Client) -> None:
    url = reverse("accounts:register")
    client.post(url, {"action": "send", "phone": PHONE})
    data = {**_confirm(_sent_code(), action="register"), "password_confirm": "something-else-entirely"}
    content = client.post(url, data).content.decode()
    assert 'id="id_password_confirm_errors"' in content and "不一致" in content
    assert not User.objects.filter(username=PHONE).exists()


@pytest.mark.django_db
def test_resetting_a_password_by_phone_logs_the_parent_in(client: Client) -> None:
    user = User.objects.create_user(username=PHONE, password=PASSWORD, role=Role.PUBLIC)
    url = reverse("accounts:password_reset")
    response = client.post(url, {"action": "send", "phone": PHONE})
    assert 'name="action" value="reset"' in response.content.decode()
    response = client.post(url, _confirm(_sent_code(), action="reset"))
    assert response.status_code == 302 and response["Location"] == reverse("enrollment:home")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_the_reset_page_answers_the_same_for_a_phone_without_an_account(client: Client) -> None:
    known = "13900139000"
    User.objects.create_user(username=known, password=PASSWORD, role=Role.PUBLIC)
    pages = {}
    for phone in (PHONE, known):
        content = client.post(reverse("accounts:password_reset"), {"action": "send", "phone": phone})
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.content.decode())
        pages[phone] = text.replace(phone[:3] + "****" + phone[-4:], "PHONE").replace(phone, "PHONE")
    assert pages[PHONE] == pages[known]
    assert 'name="code"' in pages[PHONE]
    assert [message.phone for message in sms.outbox] == [known]


@pytest.mark.django_db
def test_the_demo_says_where_the_codes_are(client: Client, settings: Any) -> None:
    note = "演示环境：验证码输出在服务器控制台"
    assert note not in client.get(reverse("accounts:register")).content.decode()  # the test backend
    settings.TUOYU_SMS_BACKEND = sms.CONSOLE_BACKEND
    settings.TUOYU_ENV = "demo"
    assert note in client.get(reverse("accounts:register")).content.decode()
    assert note in client.get(reverse("accounts:password_reset")).content.decode()
    settings.TUOYU_ENV = "production"
    assert note not in client.get(reverse("accounts:register")).content.decode()
