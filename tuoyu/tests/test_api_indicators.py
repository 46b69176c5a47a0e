"""GET /api/v1/indicators: the public figures of the small registry, checked by hand.

The small registry (``tuoyu/conftest.py``) on 2025-12-31:

* township A (331082001000): children under 3 = 5 bands × 100 = 500, under 2 = 400,
  population 5,000. Classes: 幼儿园 №1 托大班 20 slots (公办, kindergarten, fee 1,200) and
  托育园 №2 托小班 15 slots (民办, 普惠 since 2024-01-01, fee 1,800). Staff: one caregiver
  with a 保育师 certificate.
* township B (331082100000): children under 3 = 5 × 50 = 250, under 2 = 200, population
  2,500. 家庭托育点 №3 混龄班 5 slots (民办, not 普惠, fee 3,000). Staff: one caregiver
  without a certificate.
* 2024 per-capita disposable income 60,000 → monthly 5,000. A catalog with one item was
  published 2025-06-30. Target set 2025 = the defaults.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tuoyu.common.revision_cache import revision_caches_clear
from tuoyu.conftest import SmallRegistry, credit_code, make_staff, resident_id
from tuoyu.registry.models import CareClass, Certificate, Employment, Fee, Institution, PuhuiDesignation

URL = "/api/v1/indicators"
SIX = {
    "fee_ratio",
    "slots_per_1000",
    "kindergarten_share",
    "puhui_share",
    "certified_share",
    "catalog_published",
}
MONITORED = {"young_infant_share", "young_infant_slots_per_1000", "slots_per_1000_population"}
FIGURE_KEYS = {"numerator", "denominator", "value", "target", "met"}

# Average 普惠 fee in A and in the city (B has no 普惠 class): slot-weighted over
# 幼儿园 №1 (20 slots × 1,200) and 托育园 №2 (15 slots × 1,800) = 51,000 / 35.
PUHUI_FEE = (20 * 1200 + 15 * 1800) / 35  # 1,457.14

EXPECTED: dict[str, dict[str, tuple[float, float, float | None, float | None, bool | None]]] = {
    # area -> code -> (numerator, denominator, value, target, met)
    "city": {
        "fee_ratio": (PUHUI_FEE, 5000, PUHUI_FEE / 5000, 0.30, True),  # 0.2914 ≤ 0.30
        "slots_per_1000": (40, 750, 40 / 750 * 1000, 280, False),  # 53.3
        "kindergarten_share": (20, 40, 0.5, 0.65, False),
        "puhui_share": (35, 40, 0.875, 0.90, False),  # 20 公办 + 15 普惠 民办
        "certified_share": (1, 2, 0.5, 0.90, False),
        "catalog_published": (1, 1, 1, 1, True),
        "young_infant_share": (15, 40, 0.375, None, None),  # 托小班 only
        "young_infant_slots_per_1000": (15, 600, 25, None, None),
        "slots_per_1000_population": (40, 7500, 40 / 7500 * 1000, 4.5, True),  # 5.33
    },
    "331082001000": {
        "fee_ratio": (PUHUI_FEE, 5000, PUHUI_FEE / 5000, 0.30, True),
        "slots_per_1000": (35, 500, 70, 280, False),  # (20 + 15) / 500 × 1000
        "kindergarten_share": (20, 35, 20 / 35, 0.65, False),  # 0.571
        "puhui_share": (35, 35, 1, 0.90, True),
        "certified_share": (1, 1, 1, 0.90, True),
        "catalog_published": (1, 1, 1, 1, True),
        "young_infant_share": (15, 35, 15 / 35, None, None),
        "young_infant_slots_per_1000": (15, 400, 37.5, None, None),
        "slots_per_1000_population": (35, 5000, 7, 4.5, True),
    },
    "331082100000": {
        "fee_ratio": (0, 5000, None, 0.30, None),  # no 普惠 class: no average fee
        "slots_per_1000": (5, 250, 20, 280, False),  # 5 / 250 × 1000
        "kindergarten_share": (0, 5, 0, 0.65, False),
        "puhui_share": (0, 5, 0, 0.90, False),
        "certified_share": (0, 1, 0, 0.90, False),
        "catalog_published": (1, 1, 1, 1, True),
        "young_infant_share": (0, 5, 0, None, None),
        "young_infant_slots_per_1000": (0, 200, 0, None, None),
        "slots_per_1000_population": (5, 2500, 2, 4.5, False),  # 2 < 4.5
    },
}


def _get(client: Client, query: str = "?as_of=2025-12-31") -> dict[str, Any]:
    response = client.get(URL + query)
    assert response.status_code == 200, response.content
    return response.json()


def _areas(payload: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Area -> code -> figure, for the city and each township, targets and monitored together."""
    areas = {"city": {**payload["city"], **payload["city_monitored"]}}
    for township in payload["townships"]:
        areas[township["code"]] = {**township["indicators"], **township["monitored"]}
    return areas


@pytest.mark.django_db
def test_figures_of_the_small_registry(registry: SmallRegistry) -> None:
    payload = _get(Client())
    assert payload["as_of"] == "2025-12-31"
    areas = _areas(payload)
    assert set(areas) == set(EXPECTED)
    for area, by_code in EXPECTED.items():
        for code, (numerator, denominator, value, target, met) in by_code.items():
            figure = areas[area][code]
            where = f"{area} {code}"
            assert figure["numerator"] == pytest.approx(numerator), where
            assert figure["denominator"] == pytest.approx(denominator), where
            assert figure["value"] == (None if value is None else pytest.approx(value)), where
            assert figure["target"] == (None if target is None else pytest.approx(target)), where
            assert figure["met"] is met, where


@pytest.mark.django_db
def test_shape_is_exactly_the_six_codes(registry: SmallRegistry) -> None:
    payload = _get(Client())
    assert set(payload) == {"as_of", "city", "city_monitored", "townships"}
    assert set(payload["city"]) == SIX
    assert set(payload["city_monitored"]) == MONITORED
    assert [t["code"] for t in payload["townships"]] == ["331082001000", "331082100000"]
    assert [t["name"] for t in payload["townships"]] == ["示例街道甲", "示例镇乙"]
    for township in payload["townships"]:
        assert set(township) == {"code", "name", "indicators", "monitored"}
        assert set(township["indicators"]) == SIX
        assert set(township["monitored"]) == MONITORED
        for figure in [*township["indicators"].values(), *township["monitored"].values()]:
            assert set(figure) == FIGURE_KEYS
    for figure in payload["city"].values():
        assert set(figure) == FIGURE_KEYS


@pytest.mark.django_db
def test_the_date_changes_the_figures(registry: SmallRegistry) -> None:
    """On 2023-06-01 托育园 №2 is not yet 普惠 (designated from 2024-01-01) and there is no
    2022 income figure, so no fee ratio; the catalog is not yet published."""
    payload = _get(Client(), "?as_of=2023-06-01")
    assert payload["as_of"] == "2023-06-01"
    town_a = payload["townships"][0]["indicators"]
    assert town_a["puhui_share"]["numerator"] == 20
    assert town_a["puhui_share"]["value"] == pytest.approx(20 / 35)
    assert payload["city"]["fee_ratio"]["value"] is None
    assert payload["city"]["catalog_published"]["met"] is False
    # Population: the latest figures up to 2023 — there are none, so no per-1000 value.
    assert payload["city"]["slots_per_1000"]["value"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["2025-13-01", "abc", "2025-02-30", "2025-1-1x", ""])
def test_bad_date_is_422_naming_as_of(registry: SmallRegistry, bad: str) -> None:
    """An empty value is not a date either: leave the parameter out for today."""
    response = Client().get(f"{URL}?as_of={bad}")
    assert response.status_code == 422
    body = response.json()
    assert [error["field"] for error in body["detail"]] == ["as_of"]
    assert body["detail"][0]["message"]


@pytest.mark.django_db
def test_default_date_is_today_in_shanghai(registry: SmallRegistry) -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    before = dt.datetime.now(shanghai).date()
    payload = _get(Client(), "")
    after = dt.datetime.now(shanghai).date()
    assert dt.date.fromisoformat(payload["as_of"]) in {before, after}
    assert set(payload["city"]) == SIX


@pytest.mark.django_db
def test_default_date_follows_the_clock(registry: SmallRegistry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tuoyu.indicators.api.today", lambda: dt.date(2023, 6, 1))
    assert _get(Client(), "")["as_of"] == "2023-06-01"


@pytest.mark.django_db
def test_public_for_every_role(role_clients: dict[str, Client]) -> None:
    expected = _get(role_clients["anonymous"])
    for client in role_clients.values():
        assert _get(client) == expected


@pytest.mark.django_db
def test_no_personal_data_in_the_payload(registry: SmallRegistry) -> None:
    text = Client().get(URL + "?as_of=2025-12-31").content.decode()
    decoded = json.dumps(json.loads(text), ensure_ascii=False)
    for secret in (
        "王某",
        "李某",
        resident_id(1),
        resident_id(2),
        registry.caregiver.id_number_index,
        registry.kindergarten_a.name,
        registry.kindergarten_a.credit_code,
        "BY001",
    ):
        assert secret not in decoded
        assert secret not in text


def _add_institutions(registry: SmallRegistry, count: int) -> None:
    """Institutions with a class, a fee, a designation and a certified employee each."""
    for serial in range(100, 100 + count):
        institution = Institution.objects.create(
            credit_code=credit_code(serial),
            name=f"新增机构 {serial}",
            ownership="private",
            form="community",
            township=registry.township_b,
            filing_status="filed",
            filed_on=dt.date(2024, 1, 1),
            opened_on=dt.date(2024, 1, 1),
        )
        PuhuiDesignation.objects.create(institution=institution, valid_from=dt.date(2024, 1, 1))
        CareClass.objects.create(
            institution=institution, name="乳儿班", class_type="infant", approved_slots=10, enrolled=5
        )
        Fee.objects.create(
            institution=institution,
            class_type="infant",
            full_day_monthly=1500,
            effective_from=dt.date(2024, 1, 1),
        )
        staff = make_staff(name=f"员工 {serial}", serial=serial)
        Employment.objects.create(
            staff=staff, institution=institution, role="caregiver", start=dt.date(2024, 1, 1)
        )
        Certificate.objects.create(staff=staff, cert_type="yuyingyuan", issued_on=dt.date(2023, 1, 1))


@pytest.mark.django_db
def test_query_count_does_not_grow_with_institutions(registry: SmallRegistry) -> None:
    client = Client()
    client.get(URL + "?as_of=2025-12-31")  # warm up anything cached per process
    revision_caches_clear()  # measure computing the figures, not reading them back
    with CaptureQueriesContext(connection) as small:
        _get(client)
    _add_institutions(registry, 10)
    with CaptureQueriesContext(connection) as larger:
        payload = _get(client)
    assert payload["city"]["slots_per_1000"]["numerator"] == 40 + 10 * 10
    assert len(larger.captured_queries) == len(small.captured_queries)
