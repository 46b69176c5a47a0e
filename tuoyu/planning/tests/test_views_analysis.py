"""The access & desert page, its exports, the forecast page and the demand-zone import."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tuoyu.conftest import AS_OF, ROLES, SmallRegistry
from tuoyu.planning.models import DemandZone
from tuoyu.planning.tests.test_access import two_zones
from tuoyu.registry.models import Dataset

PLANNERS: dict[str, int] = {
    "admin": 200,
    "township": 200,
    "operator": 403,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}
BUREAU_ONLY: dict[str, int] = {
    "admin": 200,
    "township": 403,
    "operator": 403,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}
PLANNERS_NOT_FOUND: dict[str, int] = {**PLANNERS, "admin": 404, "township": 404}

# (url name, kwargs from the small registry, method, expected status per role). The analyses
# are for the bureau and township officials; importing demand zones is the bureau's.
MATRIX: list[tuple[str, Callable[[SmallRegistry], dict[str, Any]], str, dict[str, int]]] = [
    ("planning:access", lambda r: {}, "get", PLANNERS),
    ("planning:access_export", lambda r: {"fmt": "xlsx"}, "get", PLANNERS),
    ("planning:access_export", lambda r: {"fmt": "csv"}, "get", PLANNERS),
    ("planning:access_export", lambda r: {"fmt": "pdf"}, "get", PLANNERS_NOT_FOUND),
    ("planning:forecast", lambda r: {}, "get", PLANNERS),
    ("planning:zone_import", lambda r: {}, "get", BUREAU_ONLY),
    ("planning:zone_import", lambda r: {}, "post", BUREAU_ONLY),  # no file: the form again, with its error
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
    if expected[role] == 302:
        assert reverse("accounts:login") in response["Location"]


def test_every_matrix_row_covers_every_role() -> None:
    for _name, _kwargs, _method, statuses in MATRIX:
        assert set(statuses) == set(ROLES)


def _get(client: Client, url_name: str, **query: Any) -> str:
    kwargs = query.pop("kwargs", {})
    response = client.get(reverse(url_name, kwargs=kwargs), query)
    assert response.status_code == 200
    return response.content.decode()


def _row(content: str, attribute: str) -> str:
    start = content.index(attribute)
    return content[start : content.index("</tr>", start)]


# Access page ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_access_page_shows_the_summary_map_data_and_zone_table(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    two_zones(registry)
    response = role_clients["township"].get(
        reverse("planning:access"), {"as_of": AS_OF.isoformat(), "method": "2sfca"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    summary = content[content.index('id="summary-young"') : content.index('id="summary-older"')]
    assert 'data-figure="deserts">1<' in summary
    assert 'data-figure="children">120<' in summary
    assert 'data-figure="children_in_deserts">80' in summary
    z1 = _row(content, 'data-zone="Z1"')
    assert "table-danger" in z1 and "托育荒漠" in z1
    assert 'data-col="access">0.125<' in z1
    assert 'data-col="per_slot">8.0<' in z1
    assert 'id="access-map"' in content and 'id="access-data"' in content
    assert "approximate map" in content
    assert "township-fallback" not in content
    chart = response.context["chart_data"]
    assert [z["code"] for z in chart["zones"]] == ["Z1", "Z2"]
    assert chart["zones"][0]["young"]["desert"] is True
    assert len(chart["institutions"]) == 2


@pytest.mark.django_db
def test_the_table_switches_group_and_sorts(registry: SmallRegistry, role_clients: dict[str, Client]) -> None:
    two_zones(registry)
    response = role_clients["admin"].get(
        reverse("planning:access"),
        {"as_of": AS_OF.isoformat(), "group": "older", "sort": "access", "order": "desc"},
    )
    content = response.content.decode()
    assert content.index('data-zone="Z1"') < content.index('data-zone="Z2"')
    assert 'aria-sort="descending"' in content
    assert response.context["table"].rows[0].access == pytest.approx(20 / 24.4)


@pytest.mark.django_db
def test_without_zones_the_page_says_township_centres_stand_in(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    content = _get(role_clients["admin"], "planning:access", as_of=AS_OF.isoformat())
    assert 'id="township-fallback"' in content
    assert "镇（街道）中心点" in content
    assert reverse("planning:zone_import") in content  # the bureau may import zones from here
    township_content = _get(role_clients["township"], "planning:access", as_of=AS_OF.isoformat())
    assert 'id="township-fallback"' in township_content


@pytest.mark.django_db
def test_bad_parameters_are_named_and_the_page_still_renders_with_defaults(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    two_zones(registry)
    response = role_clients["admin"].get(
        reverse("planning:access"), {"as_of": AS_OF.isoformat(), "steps": "1000:1,900:2", "circuity": "0.5"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"steps", "circuity"}
    assert 'id="id_steps_errors"' in response.content.decode()
    parameters = response.context["parameters"]
    assert parameters.steps_text == "1000:1,2000:0.68,3000:0.22" and parameters.circuity == 1.3


@pytest.mark.django_db
def test_the_page_says_when_the_data_is_synthetic(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    assert 'id="synthetic-note"' not in _get(role_clients["admin"], "planning:access")
    Dataset.objects.create(name="示例", synthetic=True)
    assert 'id="synthetic-note"' in _get(role_clients["admin"], "planning:access")
    assert 'id="synthetic-note"' in _get(role_clients["admin"], "planning:forecast")


@pytest.mark.django_db
def test_the_csv_export_has_a_bom_bilingual_headers_and_both_groups(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    two_zones(registry)
    response = role_clients["township"].get(
        reverse("planning:access_export", kwargs={"fmt": "csv"}),
        {"as_of": AS_OF.isoformat(), "method": "2sfca"},
    )
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="tuoyu-access-2025-12-31.csv"' in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "镇（街道） / Township"
    assert len(rows) == 3
    assert rows[1][2] == "Z1"
    assert rows[1][7:12] == ["80.0", "15.0", "0.125", "8.0", "是 / yes"]
    assert rows[2][11] == "否 / no"


@pytest.mark.django_db
def test_the_xlsx_export_holds_the_zones_and_the_parameters(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    two_zones(registry)
    Dataset.objects.create(name="示例", synthetic=True)
    response = role_clients["admin"].get(
        reverse("planning:access_export", kwargs={"fmt": "xlsx"}), {"as_of": AS_OF.isoformat()}
    )
    assert "synthetic-tuoyu-access-2025-12-31.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    data = workbook["data"]
    assert data.cell(row=1, column=3).value == "片区编码"
    assert data.cell(row=2, column=3).value == "Zone code"
    assert data.cell(row=3, column=3).value == "Z1"
    readme = "\n".join(str(row[0].value) for row in workbook["README"].iter_rows())
    assert "E2SFCA" in readme and "1000:1,2000:0.68,3000:0.22" in readme
    assert "合成" in readme


# Forecast page ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_forecast_page_shows_the_chart_needs_and_assumptions(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    response = role_clients["township"].get(reverse("planning:forecast"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="forecast-chart"' in content and 'id="forecast-data"' in content
    chart = response.context["chart_data"]
    assert chart["first_forecast_year"] == 2026
    assert chart["areas"][0]["code"] == "city"
    assert chart["areas"][0]["under_3"] == [750.0, 900.0, 900.0, 900.0]
    assert [area["code"] for area in chart["areas"][1:]] == [
        registry.township_a.code,
        registry.township_b.code,
    ]
    # Slots needed in 2026: city 900 × 0.28 − 40 = 212; township A 600 × 0.28 − 35 = 133.
    city = _row(content, 'data-area="city"')
    assert 'data-year="2026">212<' in city
    town_a = _row(content, f'data-area="{registry.township_a.code}"')
    assert 'data-year="2026">133<' in town_a
    assert "2026 年（目标 280）" in content
    assumptions = _row(content, f'data-township="{registry.township_a.code}"')
    assert 'data-col="birth_trend">0.0%<' in assumptions
    assert 'data-col="f0">2.000<' in assumptions


@pytest.mark.django_db
def test_the_forecast_page_uses_the_assumed_trend_and_names_bad_input(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    response = role_clients["admin"].get(
        reverse("planning:forecast"), {"birth_trend": "-0.1", "horizon": "2"}
    )
    content = response.content.decode()
    assert 'data-col="birth_trend">-10.0%<' in content
    assert response.context["report"].forecast_years == [2026, 2027]
    response = role_clients["admin"].get(reverse("planning:forecast"), {"birth_trend": "2", "horizon": "x"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"birth_trend", "horizon"}
    assert response.context["report"].forecast_years == [2026, 2027, 2028]


# Zone import ------------------------------------------------------------------------------

CSV_HEADER = "code,name,township_code,latitude,longitude,year,children_under_3,children_under_2\n"


def _upload(client: Client, text: str) -> Any:
    file = SimpleUploadedFile("zones.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("planning:zone_import"), {"file": file})


@pytest.mark.django_db
def test_the_import_page_documents_the_columns_and_counts_zones(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    two_zones(registry)
    content = _get(role_clients["admin"], "planning:zone_import")
    for column in ("code", "township_code", "children_under_2"):
        assert f"<code>{column}</code>" in content
    assert 'id="zone-total">2<' in content
    assert _row(content, f'data-township="{registry.township_a.code}"').rstrip().endswith(">2</td>")


@pytest.mark.django_db
def test_a_good_csv_is_imported(registry: SmallRegistry, role_clients: dict[str, Client]) -> None:
    text = CSV_HEADER + f"N1,新村,{registry.township_b.code},28.99,120.92,2025,70,40\n"
    response = _upload(role_clients["admin"], text)
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:zone_import")
    zone = DemandZone.objects.get(code="N1")
    assert (zone.township, zone.children_under_3) == (registry.township_b, 70)


@pytest.mark.django_db
def test_a_bad_csv_saves_nothing_and_names_row_and_column(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    text = (
        CSV_HEADER
        + f"N1,新村,{registry.township_b.code},28.99,120.92,2025,70,40\n"
        + f"N2,旧村,{registry.township_b.code},28.99,120.92,2025,30,50\n"
    )
    response = _upload(role_clients["admin"], text)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="import-problems"' in content
    assert "第 3 行" in content and "children_under_2" in content
    assert not DemandZone.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused(registry: SmallRegistry, role_clients: dict[str, Client]) -> None:
    file = SimpleUploadedFile(
        "zones.csv", (CSV_HEADER + "N1,新村").encode("gb18030"), content_type="text/csv"
    )
    response = role_clients["admin"].post(reverse("planning:zone_import"), {"file": file})
    assert response.status_code == 200
    assert "UTF-8" in response.content.decode()
    assert not DemandZone.objects.exists()
