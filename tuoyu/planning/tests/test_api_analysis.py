"""``GET /api/v1/planning/access`` and ``GET /api/v1/planning/forecast``.

``API_MATRIX`` lists each request with the status every role gets, in the shape of
``tuoyu/tests/test_api_permissions.py``'s ``MATRIX``: the analyses are for the bureau and
township officials (200), other roles get 403, anonymous callers 401. A bad parameter is
a 422 naming it, for those who may call the endpoint.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tuoyu.conftest import AS_OF, ROLES, SmallRegistry
from tuoyu.planning.tests.test_access import two_zones

Statuses = dict[str, int]

PLANNERS: Statuses = {
    "admin": 200,
    "township": 200,
    "operator": 403,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 401,
}
PLANNERS_INVALID: Statuses = {
    "admin": 422,
    "township": 422,
    "operator": 403,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 401,
}

API_MATRIX: list[tuple[str, str, Statuses]] = [
    ("get", "/api/v1/planning/access", PLANNERS),
    ("get", "/api/v1/planning/access?as_of=2025-12-31&method=2sfca&catchment_m=2000", PLANNERS),
    ("get", "/api/v1/planning/access?catchment_m=0", PLANNERS_INVALID),
    ("get", "/api/v1/planning/forecast", PLANNERS),
    ("get", "/api/v1/planning/forecast?birth_trend=-0.05&horizon=5", PLANNERS),
    ("get", "/api/v1/planning/forecast?horizon=11", PLANNERS_INVALID),
]


CASES = [
    pytest.param(method, url, role, statuses[role], id=f"{method} {url} {role}")
    for method, url, statuses in API_MATRIX
    for role in ROLES
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url", "role", "expected"), CASES)
def test_api_matrix(
    role_clients: dict[str, Client], registry: SmallRegistry, method: str, url: str, role: str, expected: int
) -> None:
    response = getattr(role_clients[role], method)(url)
    assert response.status_code == expected, response.content[:500]
    if expected >= 400:
        assert "detail" in response.json()


def test_every_api_matrix_row_covers_every_role() -> None:
    for _method, _url, statuses in API_MATRIX:
        assert set(statuses) == set(ROLES)


# Access -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_access_returns_each_zone_and_the_summary(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    two_zones(registry)
    response = role_clients["township"].get(
        "/api/v1/planning/access", {"as_of": AS_OF.isoformat(), "method": "2sfca"}
    )
    assert response.status_code == 200
    payload = response.json()
    summary = payload["summary"]
    assert summary["parameters"] == {
        "as_of": "2025-12-31",
        "method": "2sfca",
        "catchment_m": 3000.0,
        "steps": None,
        "circuity": 1.3,
        "min_children": 50.0,
        "max_children_per_slot": 3.0,
    }
    assert summary["township_fallback"] is False
    assert summary["groups"]["young"]["deserts"] == 1
    assert summary["groups"]["young"]["children_in_deserts"] == 80
    assert summary["groups"]["older"]["slots"] == 20
    z1, z2 = payload["zones"]
    assert (z1["code"], z2["code"]) == ("Z1", "Z2")
    assert z1["young"]["access"] == pytest.approx(0.125)
    assert z1["young"]["children_per_slot"] == pytest.approx(8.0)
    assert z1["young"]["desert"] is True and z2["young"]["desert"] is False
    assert z1["older"]["access"] == pytest.approx(0.5)
    assert z1["children_under_3"] == 100


@pytest.mark.django_db
def test_access_falls_back_to_township_centres(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    payload = role_clients["admin"].get("/api/v1/planning/access", {"as_of": AS_OF.isoformat()}).json()
    assert payload["summary"]["township_fallback"] is True
    assert [zone["code"] for zone in payload["zones"]] == [registry.township_a.code, registry.township_b.code]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"steps": "1000:1,500:1"}, "steps"),
        ({"steps": "1000:1,4000:0.5"}, "steps"),
        ({"circuity": "0.5"}, "circuity"),
        ({"max_children_per_slot": "0"}, "max_children_per_slot"),
        ({"method": "3sfca"}, "method"),
        ({"as_of": "2025-02-30"}, "as_of"),
        ({"catchment_m": "far"}, "catchment_m"),
    ],
)
def test_bad_access_parameters_are_422_naming_the_field(
    registry: SmallRegistry, role_clients: dict[str, Client], query: dict[str, str], field: str
) -> None:
    response = role_clients["admin"].get("/api/v1/planning/access", query)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == [field]


# Forecast -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_forecast_returns_townships_and_city_by_year(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    payload = role_clients["township"].get("/api/v1/planning/forecast").json()
    assert payload["birth_trend"] is None and payload["horizon"] == 3
    assert payload["first_forecast_year"] == 2026
    city = payload["city"]
    assert [(y["year"], y["forecast"], y["children_under_3"]) for y in city["years"]] == [
        (2025, False, 750.0),
        (2026, True, 900.0),
        (2027, True, 900.0),
        (2028, True, 900.0),
    ]
    assert city["needs"][0]["gap"] == pytest.approx(212.0)
    assert city["stay_rates"] is None
    town_a = payload["townships"][0]
    assert town_a["code"] == registry.township_a.code
    assert town_a["stay_rates"] == pytest.approx([2.0, 1.0, 1.0])
    assert town_a["needs"][0]["slots_now"] == 35


@pytest.mark.django_db
def test_forecast_uses_an_assumed_trend(registry: SmallRegistry, role_clients: dict[str, Client]) -> None:
    payload = role_clients["admin"].get("/api/v1/planning/forecast", {"birth_trend": "-0.1"}).json()
    assert payload["birth_trend"] == -0.1
    assert payload["townships"][0]["years"][1]["children_under_3"] == pytest.approx(580.0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [({"birth_trend": "0.8"}, "birth_trend"), ({"horizon": "0"}, "horizon"), ({"horizon": "x"}, "horizon")],
)
def test_bad_forecast_parameters_are_422_naming_the_field(
    registry: SmallRegistry, role_clients: dict[str, Client], query: dict[str, str], field: str
) -> None:
    response = role_clients["admin"].get("/api/v1/planning/forecast", query)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == [field]


@pytest.mark.django_db
def test_the_openapi_schema_names_the_operations_and_their_typed_answers(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    for path, operation_id, answer in (
        ("/api/v1/planning/access", "get_planning_access", "AccessOut"),
        ("/api/v1/planning/forecast", "get_planning_forecast", "ForecastOut"),
    ):
        operation = schema["paths"][path]["get"]
        assert operation["operationId"] == operation_id
        assert operation["tags"] == ["planning"]
        assert " / " in operation["summary"]  # Chinese / English
        assert answer in str(operation["responses"]["200"])
        assert set(operation["responses"]) >= {"200", "401", "403", "422"}
