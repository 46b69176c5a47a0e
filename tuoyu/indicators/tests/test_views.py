"""The dashboard, the township page and the drill-down of each figure."""

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

from tuoyu.common.revision_cache import revision_caches_clear
from tuoyu.conftest import AS_OF, ROLES, SmallRegistry, credit_code, make_staff, resident_id
from tuoyu.registry.models import CareClass, Certificate, Employment, Fee, Institution

ALL_OK = dict.fromkeys(ROLES, 200)
ALL_NOT_FOUND = dict.fromkeys(ROLES, 404)


# (url name, kwargs from the small registry, method, expected status per role). The figures
# are aggregates without personal data, so every visitor may read them; the records behind
# them are scoped (see the content tests below).
MATRIX: list[tuple[str, Callable[[SmallRegistry], dict[str, Any]], str, dict[str, int]]] = [
    ("indicators:dashboard", lambda r: {}, "get", ALL_OK),
    ("indicators:figure", lambda r: {"code": "slots_per_1000"}, "get", ALL_OK),
    ("indicators:figure", lambda r: {"code": "certified_share"}, "get", ALL_OK),
    ("indicators:figure", lambda r: {"code": "no_such_figure"}, "get", ALL_NOT_FOUND),
    ("indicators:township", lambda r: {"code": r.township_a.code}, "get", ALL_OK),
    ("indicators:township", lambda r: {"code": "999999999999"}, "get", ALL_NOT_FOUND),
    ("indicators:township_export", lambda r: {"fmt": "xlsx"}, "get", ALL_OK),
    ("indicators:township_export", lambda r: {"fmt": "csv"}, "get", ALL_OK),
    ("indicators:township_export", lambda r: {"fmt": "pdf"}, "get", ALL_NOT_FOUND),
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


def _get(client: Client, url_name: str, **query: Any) -> str:
    kwargs = query.pop("kwargs", {})
    query.setdefault("as_of", AS_OF.isoformat())
    response = client.get(reverse(url_name, kwargs=kwargs), query)
    assert response.status_code == 200
    return response.content.decode()


def _records(content: str) -> set[str]:
    return set(re.findall(r'data-record="([a-z]+-\d+)"', content))


def _township_row(content: str, code: str) -> str:
    start = content.index(f'data-township="{code}"')
    return content[start : content.index("</tr>", start)]


# Dashboard --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_cards_show_the_computed_values_of_the_small_registry(role_clients: dict[str, Client]) -> None:
    content = _get(role_clients["public"], "indicators:dashboard")
    # 40 slots for 750 children under 3; 20 kindergarten and 35 普惠 slots of 40; one of two
    # caregivers certified; 普惠 fee (1200×20 + 1800×15) / 35 = 1,457 of a 5,000 monthly income.
    for shown in ("53.3", "50.0%", "87.5%", "29.1%", "已发布", "1,457", "5,000", "1,500"):
        assert shown in content, shown
    # Monitored: 15 小月龄 slots of 40; 15 per 600 under-2s; 40 per 7,500 people.
    for shown in ("37.5%", "25.0", "5.3"):
        assert shown in content, shown


@pytest.mark.django_db
def test_the_cards_say_met_or_not_met_in_words(role_clients: dict[str, Client]) -> None:
    response = role_clients["public"].get(reverse("indicators:dashboard"), {"as_of": AS_OF.isoformat()})
    cards = {card.code: card.figure.met for card in response.context["cards"]}
    assert cards == {
        "fee_ratio": True,
        "slots_per_1000": False,
        "kindergarten_share": False,
        "puhui_share": False,
        "certified_share": False,
        "catalog_published": True,
    }
    content = response.content.decode()
    assert "badge-unmet" in content and "未达标" in content
    assert "badge-met" in content and "达标" in content


@pytest.mark.django_db
def test_each_card_links_to_its_drill_down(role_clients: dict[str, Client]) -> None:
    content = _get(role_clients["public"], "indicators:dashboard")
    for code in (
        "fee_ratio",
        "slots_per_1000",
        "kindergarten_share",
        "puhui_share",
        "certified_share",
        "catalog_published",
        "young_infant_share",
        "slots_per_1000_population",
    ):
        assert f'href="{reverse("indicators:figure", kwargs={"code": code})}?as_of={AS_OF}"' in content


@pytest.mark.django_db
def test_an_unmet_township_cell_is_marked_with_an_icon_and_words(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    content = _get(role_clients["public"], "indicators:dashboard")
    row_b = _township_row(content, registry.township_b.code)
    # Township B: no 普惠 slots (0% of 5) and no certified caregiver.
    for code in ("puhui_share", "certified_share", "slots_per_1000"):
        assert re.search(rf'class="num cell-unmet" data-code="{code}"', row_b), code
    assert "✗" in row_b and "未达标" in row_b
    row_a = _township_row(content, registry.township_a.code)
    assert re.search(r'class="num cell-met" data-code="puhui_share"', row_a)


@pytest.mark.django_db
def test_each_township_cell_links_to_the_township_drill_down(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    content = _get(role_clients["public"], "indicators:dashboard")
    row_a = _township_row(content, registry.township_a.code)
    url = reverse("indicators:figure", kwargs={"code": "puhui_share"})
    assert f'href="{url}?township={registry.township_a.code}&amp;as_of={AS_OF}"' in row_a
    assert reverse("indicators:township", kwargs={"code": registry.township_a.code}) in row_a


@pytest.mark.django_db
def test_the_chart_data_is_embedded_with_the_trend_and_every_township(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    response = role_clients["public"].get(reverse("indicators:dashboard"), {"as_of": AS_OF.isoformat()})
    data = response.context["chart_data"]
    assert data["trend"]["dates"] == ["2023-12-31", "2024-12-31", "2025-12-31"]
    assert data["trend"]["codes"]["slots_per_1000"]["values"][-1] == 53.3
    assert [t["name"] for t in data["townships"]] == [registry.township_a.name, registry.township_b.name]
    assert data["geojson"] is None  # no boundaries: the map falls back to a scatter of positions
    content = response.content.decode()
    assert 'id="chart-data" type="application/json"' in content
    assert "vendor/echarts-5.6.0/dist/echarts.min.js" in content


@pytest.mark.django_db
def test_the_map_uses_the_boundaries_and_says_when_they_are_approximate(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[121, 28], [121.1, 28], [121.1, 28.1], [121, 28.1], [121, 28]]],
    }
    registry.township_a.boundary = square
    registry.township_a.boundary_approximate = True
    registry.township_a.save()
    response = role_clients["public"].get(reverse("indicators:dashboard"), {"as_of": AS_OF.isoformat()})
    geojson = response.context["chart_data"]["geojson"]
    assert geojson["type"] == "FeatureCollection"
    assert geojson["features"][0]["properties"]["name"] == registry.township_a.name
    assert "边界为示意，非精确" in response.content.decode()


@pytest.mark.django_db
def test_an_invalid_date_is_a_form_error_not_a_server_error(role_clients: dict[str, Client]) -> None:
    response = role_clients["public"].get(reverse("indicators:dashboard"), {"as_of": "2025-13-45"})
    assert response.status_code == 200
    assert response.context["form"].errors["as_of"]
    assert "invalid-feedback" in response.content.decode()


@pytest.mark.django_db
def test_a_date_far_out_of_range_is_a_form_error(role_clients: dict[str, Client]) -> None:
    response = role_clients["public"].get(reverse("indicators:dashboard"), {"as_of": "1900-01-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["as_of"]


@pytest.mark.django_db
def test_without_a_date_the_dashboard_shows_today(role_clients: dict[str, Client]) -> None:
    from tuoyu.indicators.forms import today

    response = role_clients["public"].get(reverse("indicators:dashboard"))
    assert response.context["as_of"] == today()


@pytest.mark.django_db
def test_the_violations_card_links_registry_users_to_the_filtered_list(
    role_clients: dict[str, Client],
) -> None:
    list_url = reverse("registry:institution_list")
    assert f"{list_url}?violations=on" in _get(role_clients["admin"], "indicators:dashboard")
    assert f"{list_url}?violations=on" not in _get(role_clients["public"], "indicators:dashboard")
    assert "不符合国家标准的机构数" in _get(role_clients["public"], "indicators:dashboard")


@pytest.mark.django_db
def test_the_dashboard_query_count_does_not_grow_with_the_registry(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    client = role_clients["admin"]
    url = reverse("indicators:dashboard")
    query = {"as_of": AS_OF.isoformat()}
    client.get(url, query)  # warm caches (content types, session)
    revision_caches_clear()  # measure computing the figures, not reading them back
    with CaptureQueriesContext(connection) as before:
        assert client.get(url, query).status_code == 200
    for serial in range(10):
        institution = Institution.objects.create(
            credit_code=credit_code(100 + serial),
            name=f"示例托育园 №{100 + serial}",
            ownership="private",
            form="standalone",
            township=registry.township_a if serial % 2 else registry.township_b,
            filing_status="filed",
            filed_on=dt.date(2024, 1, 1),
            opened_on=dt.date(2024, 1, 1),
        )
        CareClass.objects.create(
            institution=institution,
            name="托小一班",
            class_type="toddler",
            approved_slots=15,
            enrolled=16 if serial == 0 else 10,
            caregivers=2,
        )
        CareClass.objects.create(
            institution=institution,
            name="乳儿班",
            class_type="infant",
            approved_slots=9,
            enrolled=9,
            caregivers=1,
        )
        Fee.objects.create(
            institution=institution,
            class_type="toddler",
            full_day_monthly=2000,
            effective_from=dt.date(2024, 1, 1),
        )
        staff = make_staff(name=f"赵某 {serial}", serial=100 + serial)
        Employment.objects.create(
            staff=staff, institution=institution, role="caregiver", start=dt.date(2024, 1, 1)
        )
        Certificate.objects.create(staff=staff, cert_type="yuyingyuan", issued_on=dt.date(2020, 1, 1))
    with CaptureQueriesContext(connection) as after:
        response = client.get(url, query)
    assert response.status_code == 200
    assert len(after.captured_queries) == len(before.captured_queries)
    assert response.context["violating_institutions"] >= 10  # the infant classes break 1:3


# Drill-down -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_drill_down_lists_exactly_the_counted_records(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    content = _get(role_clients["admin"], "indicators:figure", kwargs={"code": "puhui_share"})
    assert _records(content) == {
        f"class-{registry.kindergarten_class.pk}",
        f"class-{registry.nursery_class.pk}",
    }
    assert registry.family_class.institution.name not in content
    considered = _get(
        role_clients["admin"], "indicators:figure", kwargs={"code": "puhui_share"}, records="considered"
    )
    assert _records(considered) == {
        f"class-{care_class.pk}"
        for care_class in (registry.kindergarten_class, registry.nursery_class, registry.family_class)
    }


@pytest.mark.django_db
def test_the_drill_down_shows_the_numbers_and_the_definition(role_clients: dict[str, Client]) -> None:
    content = _get(role_clients["public"], "indicators:figure", kwargs={"code": "slots_per_1000"})
    assert "53.3" in content
    assert ">40<" in content and ">750<" in content
    assert "≥ 280.0" in content
    assert "常住 3 岁以下婴幼儿数 × 1000" in content


@pytest.mark.django_db
def test_the_fee_drill_down_lists_institutions_with_their_fee(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    content = _get(role_clients["admin"], "indicators:figure", kwargs={"code": "fee_ratio"})
    assert _records(content) == {
        f"institution-{registry.kindergarten_a.pk}",
        f"institution-{registry.nursery_a.pk}",
    }
    assert "1,800" in content and "1,200" in content


@pytest.mark.django_db
def test_the_catalog_drill_down_lists_the_published_items(role_clients: dict[str, Client]) -> None:
    content = _get(role_clients["anonymous"], "indicators:figure", kwargs={"code": "catalog_published"})
    assert "普惠托育" in content and "市卫健局" in content
    assert len(_records(content)) == 1


@pytest.mark.django_db
def test_a_township_drill_down_counts_that_township_only(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    content = _get(
        role_clients["admin"],
        "indicators:figure",
        kwargs={"code": "slots_per_1000"},
        township=registry.township_b.code,
    )
    assert _records(content) == {f"class-{registry.family_class.pk}"}
    assert "20.0" in content


@pytest.mark.django_db
def test_a_township_officials_drill_down_hides_other_townships(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    content = _get(role_clients["township"], "indicators:figure", kwargs={"code": "slots_per_1000"})
    assert _records(content) == {
        f"class-{registry.kindergarten_class.pk}",
        f"class-{registry.nursery_class.pk}",
    }
    assert registry.family_b.name not in content
    assert "您仅能查看本镇（街道）的明细" in content
    assert "共 3 条记录，您可查看其中 2 条" in content


@pytest.mark.django_db
def test_an_operators_drill_down_shows_their_institution_only(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    content = _get(role_clients["operator"], "indicators:figure", kwargs={"code": "slots_per_1000"})
    assert _records(content) == {f"class-{registry.nursery_class.pk}"}
    assert "您仅能查看本机构的明细" in content


@pytest.mark.django_db
def test_the_public_sees_the_numbers_but_no_records(role_clients: dict[str, Client]) -> None:
    for role in ("lead", "inspector", "public", "anonymous"):
        content = _get(role_clients[role], "indicators:figure", kwargs={"code": "certified_share"})
        assert _records(content) == set()
        assert "50.0%" in content
        assert "王某" not in content


@pytest.mark.django_db
def test_the_staff_drill_down_shows_the_masked_id_number_and_certificates(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    content = _get(
        role_clients["admin"], "indicators:figure", kwargs={"code": "certified_share"}, records="considered"
    )
    assert _records(content) == {f"employment-{employment.pk}" for employment in Employment.objects.all()}
    assert registry.caregiver.id_number_masked in content
    assert resident_id(1) not in content
    assert "保育师" in content


@pytest.mark.django_db
def test_the_drill_down_pages_by_fifty_records(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    CareClass.objects.bulk_create(
        CareClass(institution=registry.nursery_a, name=f"班 {n}", class_type="older", approved_slots=1)
        for n in range(60)
    )
    first = _get(role_clients["admin"], "indicators:figure", kwargs={"code": "slots_per_1000"})
    second = _get(role_clients["admin"], "indicators:figure", kwargs={"code": "slots_per_1000"}, page="2")
    assert len(_records(first)) == 50
    assert len(_records(second)) == 13
    assert not _records(first) & _records(second)
    assert "第 2 / 2 页" in second


@pytest.mark.django_db
def test_an_unknown_township_in_the_drill_down_is_not_found(role_clients: dict[str, Client]) -> None:
    url = reverse("indicators:figure", kwargs={"code": "slots_per_1000"})
    assert role_clients["admin"].get(url, {"township": "nope"}).status_code == 404


# Township page ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_township_page_shows_its_figures_population_and_institutions(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    content = _get(role_clients["admin"], "indicators:township", kwargs={"code": registry.township_a.code})
    assert "70.0" in content  # 35 slots per 500 children
    assert "0–6 个月" in content and "500" in content
    assert registry.kindergarten_a.name in content and registry.nursery_a.name in content
    assert registry.family_b.name not in content


@pytest.mark.django_db
def test_the_township_page_lists_only_the_institutions_the_user_may_see(
    role_clients: dict[str, Client], registry: SmallRegistry
) -> None:
    operator = _get(
        role_clients["operator"], "indicators:township", kwargs={"code": registry.township_a.code}
    )
    assert registry.nursery_a.name in operator and registry.kindergarten_a.name not in operator
    for role in ("lead", "inspector", "public"):
        page = _get(role_clients[role], "indicators:township", kwargs={"code": registry.township_a.code})
        assert registry.nursery_a.name not in page, role
        assert "机构明细仅向" in page, role


@pytest.mark.django_db
def test_no_page_shows_a_full_id_number(role_clients: dict[str, Client], registry: SmallRegistry) -> None:
    full = resident_id(1)
    for role in ROLES:
        client = role_clients[role]
        for url_name, kwargs, query in (
            ("indicators:dashboard", {}, {}),
            ("indicators:figure", {"code": "certified_share"}, {"records": "considered"}),
            ("indicators:figure", {"code": "certified_share"}, {}),
            ("indicators:township", {"code": registry.township_a.code}, {}),
        ):
            content = client.get(reverse(url_name, kwargs=kwargs), {"as_of": AS_OF.isoformat(), **query})
            assert full not in content.content.decode()
