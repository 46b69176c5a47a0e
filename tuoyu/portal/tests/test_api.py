"""The portal API: public, the same filters as the page, 422 naming the field.

``API_MATRIX`` is read by ``tuoyu/tests/test_api_permissions.py``, whose check fails when
an endpoint of the OpenAPI schema has no row in any matrix. ``{nursery}`` is the small
registry's 托育园 №2; ``{unfiled}`` an institution that has not been filed.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tuoyu.conftest import ROLES, SmallRegistry, credit_code
from tuoyu.registry.models import Institution

Statuses = dict[str, int]
ALL_200: Statuses = dict.fromkeys(ROLES, 200)
ALL_404: Statuses = dict.fromkeys(ROLES, 404)

API_MATRIX: list[tuple[str, str, Statuses]] = [
    ("get", "/api/v1/portal/institutions", ALL_200),
    ("get", "/api/v1/portal/institutions?puhui=true&vacancies=true", ALL_200),
    ("get", "/api/v1/portal/institutions/{nursery}", ALL_200),
    ("get", "/api/v1/portal/institutions/{unfiled}", ALL_404),
    ("get", "/api/v1/portal/institutions/999999", ALL_404),
]


def _url(template: str, registry: SmallRegistry) -> str:
    unfiled = ""
    if "{unfiled}" in template:
        unfiled = str(
            Institution.objects.create(
                credit_code=credit_code(91),
                name="未备案托育点",
                ownership="private",
                form="family",
                township=registry.township_b,
            ).pk
        )
    return template.format(nursery=registry.nursery_a.pk, unfiled=unfiled)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "template", "expected"), API_MATRIX, ids=[f"{m} {t}" for m, t, _e in API_MATRIX]
)
def test_each_role_gets_the_expected_status(
    role: str,
    method: str,
    template: str,
    expected: Statuses,
    registry: SmallRegistry,
    role_clients: dict[str, Client],
) -> None:
    response = getattr(role_clients[role], method)(_url(template, registry))
    assert response.status_code == expected[role], response.content[:500]
    if expected[role] >= 400:
        assert "detail" in response.json()


@pytest.mark.django_db
def test_list_filters_and_shape(client: Client, registry: SmallRegistry) -> None:
    page = client.get("/api/v1/portal/institutions").json()
    assert page["count"] == 3 and page["pages"] == 1 and page["page"] == 1
    assert page["fitting_class_types"] is None
    names = [item["name"] for item in page["items"]]
    assert names == ["示例幼儿园 №1", "示例托育园 №2", "示例家庭托育点 №3"]
    nursery = page["items"][1]
    assert nursery["puhui"] is True and nursery["puhui_from"] == "2024-01-01"
    assert nursery["fees"] == [
        {"class_type": "toddler", "label": "托小班", "full_day_monthly": 1800, "half_day_monthly": 1000}
    ]
    assert nursery["classes"][0]["vacancies"] == 3
    near_b = client.get(
        "/api/v1/portal/institutions",
        {"township": registry.township_b.code, "max_distance_km": "5", "form": "family"},
    ).json()
    assert [item["id"] for item in near_b["items"]] == [registry.family_b.pk]
    assert near_b["items"][0]["distance_km"] == 0.0


@pytest.mark.django_db
def test_birth_date_gives_the_age_and_class_types(client: Client, registry: SmallRegistry) -> None:
    page = client.get(
        "/api/v1/portal/institutions", {"birth_date": "2099-01-01", "start_month": "2099-07"}
    ).json()
    # The birth date lies in the future: named, not searched.
    assert page["detail"][0]["field"] == "birth_date"
    year = timezone.localdate().year + 1
    page = client.get(
        "/api/v1/portal/institutions", {"birth_date": f"{year - 2}-01-15", "start_month": f"{year}-07"}
    ).json()
    assert page["age_months"] == 29
    assert page["fitting_class_types"] == ["older", "mixed"]
    assert [item["id"] for item in page["items"]] == [registry.kindergarten_a.pk, registry.family_b.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"birth_date": "2025-13-01"}, "birth_date"),
        ({"start_month": "July"}, "start_month"),
        ({"start_month": "2020-01"}, "start_month"),
        ({"fee_min": "-5"}, "fee_min"),
        ({"fee_min": "3000", "fee_max": "100"}, "fee_max"),
        ({"form": "castle"}, "form"),
        ({"lat": "95"}, "lat"),
        ({"lon": "121"}, "lat"),
        ({"max_distance_km": "5"}, "max_distance_km"),
        ({"township": "000"}, "township"),
        ({"page": "0"}, "page"),
    ],
)
@pytest.mark.django_db
def test_a_bad_parameter_is_a_422_naming_it(
    client: Client, registry: SmallRegistry, query: dict[str, str], field: str
) -> None:
    response = client.get("/api/v1/portal/institutions", query)
    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["detail"]]


@pytest.mark.django_db
def test_detail_has_no_personal_data(client: Client, registry: SmallRegistry) -> None:
    response = client.get(f"/api/v1/portal/institutions/{registry.nursery_a.pk}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "王某" not in body and "BY001" not in body
    assert response.json()["township_name"] == "示例街道甲"
