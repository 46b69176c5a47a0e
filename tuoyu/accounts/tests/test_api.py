"""The parents' account API: public, the services' rules, 422 naming the field.

``API_MATRIX`` has the shape of the other apps' matrices, for
``tuoyu/tests/test_api_permissions.py``. The endpoints take no session (``auth=None``), so
every role gets the same answer; the matrix test sends each a valid body (:func:`_body`).
"""

from __future__ import annotations

import re
from itertools import count
from typing import Any

import pytest
from django.test import Client

from tuoyu.accounts.models import Role, User
from tuoyu.common import sms
from tuoyu.conftest import PASSWORD, ROLES, SmallRegistry

Statuses = dict[str, int]

API_MATRIX: list[tuple[str, str, Statuses]] = [
    ("post", "/api/v1/accounts/phone-codes", dict.fromkeys(ROLES, 202)),
    ("post", "/api/v1/accounts/register", dict.fromkeys(ROLES, 201)),
    ("post", "/api/v1/accounts/password-reset", dict.fromkeys(ROLES, 200)),
]

NEW_PASSWORD = "another-long-passphrase"
_phones = count(13700000000)


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, body, content_type="application/json")


def _code_sent(client: Client, phone: str, purpose: str) -> str:
    response = _post(client, "/api/v1/accounts/phone-codes", {"phone": phone, "purpose": purpose})
    assert response.status_code == 202, response.content
    match = re.search(r"验证码 (\d{6})", sms.outbox[-1].message)
    assert match
    return match.group(1)


def _body(path: str) -> dict[str, Any]:
    """A valid body for ``path``, with what it needs in place (a code sent, an account)."""
    phone = str(next(_phones))
    client = Client()
    if path.endswith("/phone-codes"):
        return {"phone": phone, "purpose": "register"}
    if path.endswith("/register"):
        return {"phone": phone, "code": _code_sent(client, phone, "register"), "password": NEW_PASSWORD}
    User.objects.create_user(username=phone, password=PASSWORD, role=Role.PUBLIC)
    return {"phone": phone, "code": _code_sent(client, phone, "reset_password"), "password": NEW_PASSWORD}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "expected"), API_MATRIX, ids=[f"{m} {p}" for m, p, _e in API_MATRIX]
)
def test_each_role_gets_the_expected_status(
    role: str,
    method: str,
    path: str,
    expected: Statuses,
    registry: SmallRegistry,
    role_clients: dict[str, Client],
) -> None:
    response = getattr(role_clients[role], method)(path, _body(path), content_type="application/json")
    assert response.status_code == expected[role], response.content[:500]


@pytest.mark.django_db
def test_the_endpoints_need_no_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    response = _post(client, "/api/v1/accounts/phone-codes", {"phone": "13800138000", "purpose": "register"})
    assert response.status_code == 202


@pytest.mark.django_db
def test_a_parent_signs_up_through_the_api_and_can_then_log_in(client: Client) -> None:
    code = _code_sent(client, "+86 138 0013 8000", "register")
    response = _post(
        client, "/api/v1/accounts/register", {"phone": "13800138000", "code": code, "password": NEW_PASSWORD}
    )
    assert response.status_code == 201
    user = User.objects.get(username="13800138000")
    assert response.json() == {"id": user.pk, "username": "13800138000"}
    assert user.role == Role.PUBLIC
    assert "_auth_user_id" not in client.session  # the API logs nobody in
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_a_parent_resets_the_password_through_the_api(client: Client) -> None:
    user = User.objects.create_user(username="13800138000", password=PASSWORD, role=Role.PUBLIC)
    code = _code_sent(client, "13800138000", "reset_password")
    response = _post(
        client,
        "/api/v1/accounts/password-reset",
        {"phone": "13800138000", "code": code, "password": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "detail" in response.json()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_a_reset_code_for_a_phone_without_an_account_answers_the_same(client: Client) -> None:
    User.objects.create_user(username="13900139000", password=PASSWORD, role=Role.PUBLIC)
    answers = [
        _post(client, "/api/v1/accounts/phone-codes", {"phone": phone, "purpose": "reset_password"})
        for phone in ("13800138000", "13900139000")
    ]
    assert [answer.status_code for answer in answers] == [202, 202]
    assert answers[0].json() == answers[1].json()
    assert [message.phone for message in sms.outbox] == ["13900139000"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/accounts/phone-codes", {"phone": "12345", "purpose": "register"}, "phone"),
        ("/api/v1/accounts/phone-codes", {"phone": "13800138000", "purpose": "login"}, "purpose"),
        ("/api/v1/accounts/phone-codes", {"purpose": "register"}, "phone"),
        (
            "/api/v1/accounts/register",
            {"phone": "13800138000", "code": "123456", "password": NEW_PASSWORD},
            "code",
        ),
        (
            "/api/v1/accounts/register",
            {"phone": "13800138000", "code": "12", "password": NEW_PASSWORD},
            "code",
        ),
        (
            "/api/v1/accounts/register",
            {"phone": "13800138000", "code": "123456", "password": "short"},
            "password",
        ),
        (
            "/api/v1/accounts/password-reset",
            {"phone": "1380013800", "code": "123456", "password": "x"},
            "phone",
        ),
    ],
)
def test_a_refused_request_is_a_422_naming_the_field(
    client: Client, path: str, body: dict[str, Any], field: str
) -> None:
    response = _post(client, path, body)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert [error["field"] for error in detail] == [field] * len(detail)
    assert all(error["message"] for error in detail)


@pytest.mark.django_db
def test_a_wrong_code_through_the_api_names_the_code_field_in_chinese(client: Client) -> None:
    code = _code_sent(client, "13800138000", "register")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = _post(
        client, "/api/v1/accounts/register", {"phone": "13800138000", "code": wrong, "password": NEW_PASSWORD}
    )
    assert response.status_code == 422
    assert response.json() == {"detail": [{"field": "code", "message": "验证码错误，还可尝试 4 次。"}]}


@pytest.mark.django_db
def test_a_second_code_within_a_minute_is_a_422_on_the_phone(client: Client) -> None:
    _code_sent(client, "13800138000", "register")
    response = _post(client, "/api/v1/accounts/phone-codes", {"phone": "13800138000", "purpose": "register"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "phone"
