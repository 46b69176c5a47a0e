"""Who gets what from every API endpoint.

``MATRIX`` lists each endpoint with the status every role gets. Path templates name objects
of the small registry (``tuoyu/conftest.py``): ``{nursery}`` is 托育园 №2 in township A,
whose operator is ``operator``; ``{family}`` is 家庭托育点 №3 in township B, outside the
township official's and the operator's scope; ``{nursery_class}`` and ``{family_class}``
are their classes. ``test_every_endpoint_is_in_the_matrix`` fails when an endpoint is added
to the OpenAPI schema without a row here.

The rules: the indicators are public; every other endpoint needs a session (anonymous → 401);
reads are scoped (roles without registry access — supervision lead, inspector, public — get
empty lists and 404); objects outside the caller's scope are 404; writes are for the
institution's operator and the bureau admin, and 403 for roles that may not write at all
(township official, supervision lead, inspector, public).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tuoyu.accounts.tests.test_api import API_MATRIX as ACCOUNTS_MATRIX
from tuoyu.conftest import ROLES, SmallRegistry
from tuoyu.enrollment.tests.test_api import API_MATRIX as ENROLLMENT_MATRIX
from tuoyu.planning.tests.test_api import API_MATRIX as PLANNING_MATRIX
from tuoyu.planning.tests.test_api_analysis import API_MATRIX as ANALYSIS_MATRIX
from tuoyu.portal.tests.test_api import API_MATRIX as PORTAL_MATRIX
from tuoyu.supervision.tests.test_api import API_MATRIX as SUPERVISION_MATRIX

Statuses = dict[str, int]

ALL_200: Statuses = dict.fromkeys(ROLES, 200)
SIGNED_IN_200: Statuses = {
    "admin": 200,
    "township": 200,
    "operator": 200,
    "lead": 200,
    "inspector": 200,
    "public": 200,
    "anonymous": 401,
}
IN_SCOPE: Statuses = {
    "admin": 200,
    "township": 200,
    "operator": 200,
    "lead": 404,
    "inspector": 404,
    "public": 404,
    "anonymous": 401,
}
OUT_OF_SCOPE: Statuses = {
    "admin": 200,
    "township": 404,
    "operator": 404,
    "lead": 404,
    "inspector": 404,
    "public": 404,
    "anonymous": 401,
}

MATRIX: list[tuple[str, str, Statuses]] = [
    # Public aggregates.
    ("get", "/api/v1/indicators", ALL_200),
    ("get", "/api/v1/indicators?as_of=2025-12-31", ALL_200),
    # Scoped reads.
    ("get", "/api/v1/townships", SIGNED_IN_200),
    ("get", "/api/v1/institutions", SIGNED_IN_200),
    ("get", "/api/v1/institutions/{nursery}", IN_SCOPE),
    ("get", "/api/v1/institutions/{family}", OUT_OF_SCOPE),
    ("get", "/api/v1/institutions/{nursery}/staff", IN_SCOPE),
    ("get", "/api/v1/institutions/{family}/staff", OUT_OF_SCOPE),
    # Writes.
    (
        "post",
        "/api/v1/institutions/{nursery}/classes",
        {
            "admin": 201,
            "township": 403,
            "operator": 201,
            "lead": 403,
            "inspector": 403,
            "public": 403,
            "anonymous": 401,
        },
    ),
    (
        "post",
        "/api/v1/institutions/{family}/classes",
        {
            "admin": 201,
            "township": 403,
            "operator": 404,
            "lead": 403,
            "inspector": 403,
            "public": 403,
            "anonymous": 401,
        },
    ),
    (
        "patch",
        "/api/v1/classes/{nursery_class}",
        {
            "admin": 200,
            "township": 403,
            "operator": 200,
            "lead": 403,
            "inspector": 403,
            "public": 403,
            "anonymous": 401,
        },
    ),
    (
        "patch",
        "/api/v1/classes/{family_class}",
        {
            "admin": 200,
            "township": 403,
            "operator": 404,
            "lead": 403,
            "inspector": 403,
            "public": 403,
            "anonymous": 401,
        },
    ),
    (
        "post",
        "/api/v1/institutions/{nursery}/fees",
        {
            "admin": 201,
            "township": 403,
            "operator": 201,
            "lead": 403,
            "inspector": 403,
            "public": 403,
            "anonymous": 401,
        },
    ),
    (
        "post",
        "/api/v1/institutions/{family}/fees",
        {
            "admin": 201,
            "township": 403,
            "operator": 404,
            "lead": 403,
            "inspector": 403,
            "public": 403,
            "anonymous": 401,
        },
    ),
    # The schema and its docs are public.
    ("get", "/api/openapi.json", ALL_200),
    ("get", "/api/docs", ALL_200),
]

BODIES: dict[str, dict[str, Any]] = {
    "/classes": {
        "name": "乳儿一班",
        "class_type": "infant",
        "approved_slots": 6,
        "enrolled": 3,
        "caregivers": 2,
    },
    "/classes/": {"enrolled": 1},
    "/fees": {"class_type": "infant", "full_day_monthly": 1600, "effective_from": "2025-09-01"},
}


def _body(method: str, template: str) -> dict[str, Any] | None:
    if method == "get":
        return None
    if method == "patch":
        return BODIES["/classes/"]
    return BODIES["/" + template.rsplit("/", 1)[-1]]


def _url(template: str, registry: SmallRegistry) -> str:
    return template.format(
        nursery=registry.nursery_a.pk,
        family=registry.family_b.pk,
        nursery_class=registry.nursery_class.pk,
        family_class=registry.family_class.pk,
    )


CASES = [
    pytest.param(method, template, role, statuses[role], id=f"{method} {template} {role}")
    for method, template, statuses in MATRIX
    for role in ROLES
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "template", "role", "expected"), CASES)
def test_matrix(
    role_clients: dict[str, Client],
    registry: SmallRegistry,
    method: str,
    template: str,
    role: str,
    expected: int,
) -> None:
    client = role_clients[role]
    url = _url(template, registry)
    body = _body(method, template)
    if body is None:
        response = getattr(client, method)(url)
    else:
        response = getattr(client, method)(url, body, content_type="application/json")
    assert response.status_code == expected, response.content[:500]
    if url.startswith("/api/v1/") and expected >= 400:
        assert "detail" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["lead", "inspector", "public"])
def test_roles_without_registry_access_get_empty_lists(role_clients: dict[str, Client], role: str) -> None:
    client = role_clients[role]
    assert client.get("/api/v1/townships").json() == []
    page = client.get("/api/v1/institutions").json()
    assert page["count"] == 0
    assert page["items"] == []


def _normalise(path: str) -> str:
    """``/api/v1/institutions/{institution_id}`` and ``.../{nursery}`` compare equal."""
    return re.sub(r"\{[^}]*\}", "{}", path.split("?", 1)[0])


def test_every_matrix_row_covers_every_role() -> None:
    for _method, _template, statuses in (
        *MATRIX,
        *PLANNING_MATRIX,
        *ANALYSIS_MATRIX,
        *PORTAL_MATRIX,
        *ENROLLMENT_MATRIX,
        *ACCOUNTS_MATRIX,
    ):
        assert set(statuses) == set(ROLES)


@pytest.mark.django_db
def test_every_endpoint_is_in_the_matrix(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    in_schema = {
        (method, _normalise(path))
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    # The planning endpoints are tested with the planning fixture in their own app.
    rows = [
        *MATRIX,
        *PLANNING_MATRIX,
        *ANALYSIS_MATRIX,
        *PORTAL_MATRIX,
        *ENROLLMENT_MATRIX,
        *ACCOUNTS_MATRIX,
        *SUPERVISION_MATRIX,
    ]
    in_matrix = {(method, _normalise(template)) for method, template, _statuses in rows}
    missing = in_schema - in_matrix
    assert not missing, f"endpoints without a permission test: {sorted(missing)}"
    assert len(in_schema) >= 8
