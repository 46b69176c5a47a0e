"""The portal's pages: open to everyone, filters validated by field, no personal data.

``MATRIX`` is read by ``tuoyu/tests/test_url_coverage.py``: every visitor, signed in or not,
may browse; an institution that is not filed is not found.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tuoyu.conftest import ROLES, SmallRegistry, credit_code, resident_id
from tuoyu.registry.models import CareClass, Institution

ALL_OK = dict.fromkeys(ROLES, 200)
ALL_NOT_FOUND = dict.fromkeys(ROLES, 404)


def _unfiled(registry: SmallRegistry) -> dict[str, Any]:
    institution = Institution.objects.create(
        credit_code=credit_code(90),
        name="未备案托育点",
        ownership="private",
        form="family",
        township=registry.township_a,
    )
    return {"pk": institution.pk}


MATRIX: list[tuple[str, Callable[[SmallRegistry], dict[str, Any]], str, dict[str, int]]] = [
    ("portal:index", lambda r: {}, "get", ALL_OK),
    ("portal:institution", lambda r: {"pk": r.nursery_a.pk}, "get", ALL_OK),
    ("portal:institution", lambda r: {"pk": r.family_b.pk}, "get", ALL_OK),
    ("portal:institution", _unfiled, "get", ALL_NOT_FOUND),
    ("portal:institution", lambda r: {"pk": 999999}, "get", ALL_NOT_FOUND),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("url_name", "kwargs_factory", "method", "expected"),
    MATRIX,
    ids=[f"{name}-{method}-{index}" for index, (name, _k, method, _e) in enumerate(MATRIX)],
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


def _index(client: Client, **query: Any) -> str:
    response = client.get(reverse("portal:index"), query)
    assert response.status_code == 200
    return response.content.decode()


def _cards(content: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-institution="(\d+)"', content)]


@pytest.mark.django_db
def test_the_index_lists_every_filed_institution(client: Client, registry: SmallRegistry) -> None:
    content = _index(client)
    assert _cards(content) == [registry.kindergarten_a.pk, registry.nursery_a.pk, registry.family_b.pk]
    assert 'id="portal-map"' in content
    assert 'id="portal-map-data"' in content


@pytest.mark.django_db
def test_a_birth_date_keeps_the_fitting_class_types(client: Client, registry: SmallRegistry) -> None:
    start = dt.date(timezone.localdate().year + 1, 3, 1)
    birth = dt.date(start.year - 3, 9, 1)  # 30 months old at the start month
    content = _index(client, birth_date=birth.isoformat(), start_month=start.strftime("%Y-%m"))
    assert "30 个月" in content
    assert "托大班、混龄班" in content
    assert _cards(content) == [registry.kindergarten_a.pk, registry.family_b.pk]


@pytest.mark.django_db
def test_a_baby_too_young_for_any_class_is_told_so(client: Client, registry: SmallRegistry) -> None:
    content = _index(client, birth_date=timezone.localdate().isoformat())
    assert 'id="no-class-fits"' in content
    assert _cards(content) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"birth_date": "2099-01-01"}, "birth_date"),
        ({"birth_date": "not-a-date"}, "birth_date"),
        ({"start_month": "2020-01"}, "start_month"),
        ({"start_month": "March"}, "start_month"),
        ({"fee_min": "3000", "fee_max": "1000"}, "fee_max"),
        ({"fee_min": "-1"}, "fee_min"),
        ({"form": "castle"}, "form"),
        ({"lat": "28.9"}, "lat"),
        ({"max_distance_km": "5"}, "max_distance_km"),
        ({"township": "999999999999"}, "township"),
    ],
)
@pytest.mark.django_db
def test_a_bad_filter_names_its_field(
    client: Client, registry: SmallRegistry, query: dict[str, str], field: str
) -> None:
    content = _index(client, **query)
    assert 'id="form-errors"' in content
    assert f'id="id_{field}_errors"' in content
    assert _cards(content) == []


@pytest.mark.django_db
def test_a_township_point_sorts_by_distance(client: Client, registry: SmallRegistry) -> None:
    content = _index(client, township=registry.township_b.code)
    assert _cards(content)[0] == registry.family_b.pk
    assert "约 0.0 公里" in content
    content = _index(client, township=registry.township_b.code, max_distance_km="5")
    assert _cards(content) == [registry.family_b.pk]


@pytest.mark.django_db
def test_geolocation_point_filters(client: Client, registry: SmallRegistry) -> None:
    content = _index(client, lat="28.86", lon="121.12", max_distance_km="2")
    assert _cards(content) == [registry.kindergarten_a.pk, registry.nursery_a.pk]


@pytest.mark.django_db
def test_puhui_vacancies_form_and_fee_filters(client: Client, registry: SmallRegistry) -> None:
    assert _cards(_index(client, puhui="on")) == [registry.kindergarten_a.pk, registry.nursery_a.pk]
    assert _cards(_index(client, vacancies="on")) == [registry.kindergarten_a.pk, registry.nursery_a.pk]
    assert _cards(_index(client, form="family")) == [registry.family_b.pk]
    assert _cards(_index(client, fee_min="2000")) == [registry.family_b.pk]


@pytest.mark.django_db
def test_twenty_a_page_and_queries_independent_of_size(client: Client, registry: SmallRegistry) -> None:
    with CaptureQueriesContext(connection) as small:
        _index(client)
    for serial in range(10, 35):
        institution = Institution.objects.create(
            credit_code=credit_code(serial),
            name=f"新增托育园 {serial:02d}",
            ownership="private",
            form="standalone",
            township=registry.township_b,
            filing_status="filed",
            filed_on=dt.date(2024, 1, 1),
        )
        CareClass.objects.create(
            institution=institution, name="托小班", class_type="toddler", approved_slots=10
        )
    with CaptureQueriesContext(connection) as large:
        first = _index(client)
    assert len(_cards(first)) == 20
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(_cards(_index(client, page="2"))) == 8


@pytest.mark.django_db
def test_the_disclosure_page(client: Client, registry: SmallRegistry) -> None:
    response = client.get(reverse("portal:institution", kwargs={"pk": registry.nursery_a.pk}))
    content = response.content.decode()
    assert registry.nursery_a.name in content
    assert "示例街道甲" in content
    assert "自 2024-01-01 起认定" in content
    assert 'id="fee-table"' in content and "1800" in content and "1000" in content
    assert 'id="slot-table"' in content
    assert 'id="credit-grade">B<' in content and 'id="complain-link"' in content


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_personal_data_on_the_portal(
    role: str, registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    client = role_clients[role]
    pages = [
        _index(client),
        *(
            client.get(reverse("portal:institution", kwargs={"pk": pk})).content.decode()
            for pk in (registry.kindergarten_a.pk, registry.nursery_a.pk, registry.family_b.pk)
        ),
    ]
    for content in pages:
        for secret in ("王某 001", "李某 002", "BY001", resident_id(1), resident_id(2)):
            assert secret not in content
