"""The planning API: who gets what from each endpoint, and scenarios and runs end to end.

``API_MATRIX`` is read by ``tuoyu/tests/test_api_permissions.py``, whose check fails when
an endpoint of the OpenAPI schema has no row in any matrix. ``{scenario}`` and ``{run}``
name the planning fixture's scenario and a finished run of it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tuoyu.accounts.models import User
from tuoyu.conftest import ROLES
from tuoyu.engine.cli import main as engine_main
from tuoyu.planning import services
from tuoyu.planning.models import PlanRun, RunStatus, Scenario
from tuoyu.planning.tests.conftest import PlanningData, plan_of

Statuses = dict[str, int]
READ: Statuses = {
    "admin": 200,
    "township": 200,
    "operator": 403,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 401,
}
MISSING: Statuses = {
    "admin": 404,
    "township": 404,
    "operator": 403,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 401,
}


def _write(status: int) -> Statuses:
    return {
        "admin": status,
        "township": 403,
        "operator": 403,
        "lead": 403,
        "inspector": 403,
        "public": 403,
        "anonymous": 401,
    }


API_MATRIX: list[tuple[str, str, Statuses]] = [
    ("get", "/api/v1/planning/scenarios", READ),
    ("post", "/api/v1/planning/scenarios", _write(201)),
    ("get", "/api/v1/planning/scenarios/{scenario}", READ),
    ("get", "/api/v1/planning/scenarios/99999", MISSING),
    ("patch", "/api/v1/planning/scenarios/{scenario}", _write(200)),
    ("get", "/api/v1/planning/scenarios/{scenario}/engine-input", READ),
    ("post", "/api/v1/planning/scenarios/{scenario}/runs", _write(202)),
    ("get", "/api/v1/planning/runs", READ),
    ("get", "/api/v1/planning/runs/{run}", READ),
    ("get", "/api/v1/planning/runs/99999", MISSING),
]

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/v1/planning/scenarios"): {"name": "接口情景", "plan_year": 2026},
    ("patch", "/api/v1/planning/scenarios/{scenario}"): {"cost_site_opening": 500000},
    ("post", "/api/v1/planning/scenarios/{scenario}/runs"): {},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "template", "expected"), API_MATRIX, ids=[f"{m} {t}" for m, t, _e in API_MATRIX]
)
def test_each_role_gets_the_expected_status(
    role: str,
    method: str,
    template: str,
    expected: Statuses,
    planning: PlanningData,
    admin_user: User,
    role_clients: dict[str, Client],
) -> None:
    run = services.plan_run_start(actor=admin_user, scenario=planning.scenario)
    url = template.format(scenario=planning.scenario.pk, run=run.pk)
    body = BODIES.get((method, template))
    client = role_clients[role]
    if body is None:
        response = getattr(client, method)(url)
    else:
        response = getattr(client, method)(url, body, content_type="application/json")
    assert response.status_code == expected[role], response.content[:300]
    if expected[role] >= 400:
        assert "detail" in response.json()


def test_a_bad_share_is_a_422_naming_the_field(
    planning: PlanningData, role_clients: dict[str, Client]
) -> None:
    response = role_clients["admin"].post(
        "/api/v1/planning/scenarios",
        {"name": "坏情景", "plan_year": 2026, "puhui_share_min": 1.4},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["detail"]] == ["puhui_share_min"]
    assert not Scenario.objects.filter(name="坏情景").exists()


def test_patch_with_null_clears_the_budget(planning: PlanningData, role_clients: dict[str, Client]) -> None:
    url = f"/api/v1/planning/scenarios/{planning.scenario.pk}"
    role_clients["admin"].patch(url, {"budget": 1000000}, content_type="application/json")
    assert role_clients["admin"].get(url).json()["budget"] == 1000000
    role_clients["admin"].patch(url, {"budget": None}, content_type="application/json")
    assert role_clients["admin"].get(url).json()["budget"] is None


def test_a_run_started_through_the_api_is_read_back_with_its_plan(
    planning: PlanningData, role_clients: dict[str, Client]
) -> None:
    started = role_clients["admin"].post(f"/api/v1/planning/scenarios/{planning.scenario.pk}/runs")
    run_id = started.json()["id"]
    body = role_clients["township"].get(f"/api/v1/planning/runs/{run_id}").json()
    assert body["status"] == RunStatus.DONE
    assert body["plan_status"] == body["result"]["plan"]["status"]
    assert body["total_cost"] == pytest.approx(body["result"]["plan"]["total_cost"], abs=1)
    listed = role_clients["township"].get("/api/v1/planning/runs").json()
    assert [item["id"] for item in listed] == [run_id]
    assert listed[0]["result"] is None


def test_the_engine_input_solves_offline_to_the_same_plan(
    planning: PlanningData,
    admin_user: User,
    role_clients: dict[str, Client],
    tmp_path: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = services.plan_run_start(actor=admin_user, scenario=planning.scenario)
    problem = (
        role_clients["admin"].get(f"/api/v1/planning/scenarios/{planning.scenario.pk}/engine-input").json()
    )
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(problem, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert engine_main(["plan", "--scenario", str(path)]) == 0
    offline = json.loads(capsys.readouterr().out)
    assert offline["status"] == plan_of(run)["status"]
    assert offline["total_cost"] == pytest.approx(plan_of(run)["total_cost"])
    assert PlanRun.objects.count() == 1
