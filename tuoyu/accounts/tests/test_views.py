"""Logging in and out, the lockout after repeated failures, and the language switch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tuoyu.accounts.models import User
from tuoyu.conftest import PASSWORD, ROLES, SmallRegistry

ALL_REDIRECT = dict.fromkeys(ROLES, 302)


# (url name, kwargs from the small registry, method, expected status per role)
MATRIX: list[tuple[str, Callable[[SmallRegistry], dict[str, Any]], str, dict[str, int]]] = [
    # Logged-in users are sent on to the dashboard; visitors see the form.
    ("accounts:login", lambda r: {}, "get", {**ALL_REDIRECT, "anonymous": 200}),
    ("accounts:logout", lambda r: {}, "post", ALL_REDIRECT),
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
def test_the_right_password_logs_in_and_goes_to_the_dashboard(client: Client, public_user: User) -> None:
    response = client.post(reverse("accounts:login"), {"username": "public", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("indicators:dashboard")
    assert "_auth_user_id" in client.session


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
    assert list_url not in pages["public"] and list_url not in pages["anonymous"]
    admin_url = f'href="{reverse("admin:index")}"'
    assert admin_url in pages["admin"]
    assert all(admin_url not in pages[role] for role in ("township", "operator", "public", "anonymous"))
    assert reverse("accounts:logout") in pages["public"]
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
