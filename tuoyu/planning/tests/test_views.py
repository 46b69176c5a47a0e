"""Scenario and plan pages: who may do what, and what a planner sees."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from tuoyu.accounts.models import User
from tuoyu.conftest import ROLES
from tuoyu.planning import services
from tuoyu.planning.models import PlanRun, RunStage, RunStatus, Scenario
from tuoyu.planning.tests.conftest import PlanningData, plan_of

Expected = dict[str, int]
READ: Expected = {
    "admin": 200,
    "township": 200,
    "operator": 403,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}
PLAN: Expected = {
    "admin": 200,
    "township": 403,
    "operator": 403,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}
PLAN_POST: Expected = {
    "admin": 302,
    "township": 403,
    "operator": 403,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}
READ_MISSING: Expected = {
    "admin": 404,
    "township": 404,
    "operator": 403,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}


def _done_run(p: PlanningData) -> PlanRun:
    admin = User.objects.get(username="admin")
    return services.plan_run_start(actor=admin, scenario=p.scenario)


# (url name, kwargs from the planning data and a finished run, method, expected per role).
MATRIX: list[tuple[str, Callable[[PlanningData, PlanRun], dict[str, Any]], str, Expected]] = [
    ("planning:index", lambda p, r: {}, "get", READ),
    ("planning:scenario_create", lambda p, r: {}, "get", PLAN),
    ("planning:scenario_create", lambda p, r: {}, "post", {**PLAN, "admin": 200}),  # empty form: errors
    ("planning:scenario_detail", lambda p, r: {"pk": p.scenario.pk}, "get", READ),
    ("planning:scenario_detail", lambda p, r: {"pk": 99999}, "get", READ_MISSING),
    ("planning:scenario_edit", lambda p, r: {"pk": p.scenario.pk}, "get", PLAN),
    ("planning:scenario_copy", lambda p, r: {"pk": p.scenario.pk}, "post", PLAN_POST),
    ("planning:scenario_delete", lambda p, r: {"pk": p.scenario.pk}, "get", PLAN),
    ("planning:scenario_run", lambda p, r: {"pk": p.scenario.pk}, "post", PLAN_POST),
    ("planning:scenario_travel_costs", lambda p, r: {"pk": p.scenario.pk}, "post", PLAN_POST),
    ("planning:run_detail", lambda p, r: {"pk": r.pk}, "get", READ),
    ("planning:run_detail", lambda p, r: {"pk": 99999}, "get", READ_MISSING),
    ("planning:run_progress", lambda p, r: {"pk": r.pk}, "get", READ),
    ("planning:run_export", lambda p, r: {"pk": r.pk}, "get", READ),
    ("planning:compare", lambda p, r: {}, "get", READ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("url_name", "kwargs_factory", "method", "expected"),
    MATRIX,
    ids=[f"{name}-{method}-{index}" for index, (name, _k, method, _e) in enumerate(MATRIX)],
)
def test_each_role_gets_the_expected_status(
    role: str,
    url_name: str,
    kwargs_factory: Callable[[PlanningData, PlanRun], dict[str, Any]],
    method: str,
    expected: Expected,
    planning: PlanningData,
    role_clients: dict[str, Client],
) -> None:
    run = _done_run(planning)
    url = reverse(url_name, kwargs=kwargs_factory(planning, run))
    response = getattr(role_clients[role], method)(url)
    assert response.status_code == expected[role]


def _scenario_form(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "新情景",
        "plan_year": 2026,
        "slots_per_1000_min": "280",
        "kindergarten_share_min": "0.65",
        "puhui_share_min": "0.9",
        "use_kindergarten_classes": "on",
        "use_expansions": "on",
        "use_sites": "on",
        "use_designations": "on",
        "cost_kindergarten_class": "150000",
        "cost_expansion_class": "250000",
        "cost_site_opening": "600000",
        "cost_kindergarten_opening": "200000",
        "cost_site_class": "200000",
        "cost_designation_per_slot": "6000",
        "site_monthly_fee": "1500",
        "catchment_m": "3000",
        "distance_mode": "straight",
        "circuity": "1.3",
        "mip_rel_gap": "0",
        "time_limit_seconds": "60",
    }
    values.update(changes)
    return values


def test_the_planner_creates_a_scenario_from_the_form(
    planning: PlanningData, role_clients: dict[str, Client]
) -> None:
    response = role_clients["admin"].post(reverse("planning:scenario_create"), _scenario_form())
    created = Scenario.objects.get(name="新情景")
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:scenario_detail", args=[created.pk])


def test_a_share_above_one_is_refused_next_to_its_field_and_nothing_is_saved(
    planning: PlanningData, role_clients: dict[str, Client]
) -> None:
    response = role_clients["admin"].post(
        reverse("planning:scenario_create"), _scenario_form(puhui_share_min="1.5")
    )
    assert response.status_code == 200
    assert "puhui_share_min" in response.context["form"].errors
    assert not Scenario.objects.filter(name="新情景").exists()


def test_running_a_scenario_shows_the_plan_with_its_actions_and_reasons(
    planning: PlanningData, role_clients: dict[str, Client]
) -> None:
    response = role_clients["admin"].post(reverse("planning:scenario_run", args=[planning.scenario.pk]))
    run = PlanRun.objects.get(scenario=planning.scenario)
    assert response["Location"] == reverse("planning:run_detail", args=[run.pk])
    page = role_clients["admin"].get(response["Location"]).content.decode()
    assert run.status == RunStatus.DONE, run.error
    assert 'id="plan-actions"' in page
    assert "示例幼儿园 №1" in page or "示例候选点甲" in page
    assert "若不采取" in page  # every needed action says which target it holds up


def test_a_township_official_reads_the_plan_but_cannot_run_or_edit(
    planning: PlanningData, role_clients: dict[str, Client]
) -> None:
    page = role_clients["township"].get(reverse("planning:scenario_detail", args=[planning.scenario.pk]))
    assert 'id="run-scenario"' not in page.content.decode()
    assert reverse("planning:scenario_edit", args=[planning.scenario.pk]) not in page.content.decode()


def test_the_progress_fragment_names_the_current_stage_and_keeps_polling(
    planning: PlanningData, role_clients: dict[str, Client], admin_user: User
) -> None:
    run = PlanRun.objects.create(
        scenario=planning.scenario, requested_by=admin_user, status=RunStatus.RUNNING, stage=RunStage.SOLVING
    )
    response = role_clients["admin"].get(reverse("planning:run_progress", args=[run.pk]))
    content = response.content.decode()
    assert 'data-stage="solving"' in content
    assert "hx-trigger" in content
    assert "HX-Refresh" not in response


def test_the_progress_fragment_reloads_the_page_once_the_plan_is_done(
    planning: PlanningData, role_clients: dict[str, Client]
) -> None:
    run = _done_run(planning)
    response = role_clients["admin"].get(reverse("planning:run_progress", args=[run.pk]))
    assert response["HX-Refresh"] == "true"


def test_a_failed_run_shows_its_error(
    planning: PlanningData, role_clients: dict[str, Client], admin_user: User
) -> None:
    run = PlanRun.objects.create(
        scenario=planning.scenario,
        requested_by=admin_user,
        status=RunStatus.FAILED,
        error="ValueError: 示例错误",
    )
    page = role_clients["admin"].get(reverse("planning:run_detail", args=[run.pk])).content.decode()
    assert "示例错误" in page


def test_the_plan_exports_as_a_workbook_with_actions_townships_and_shortfalls(
    planning: PlanningData, role_clients: dict[str, Client]
) -> None:
    run = _done_run(planning)
    response = role_clients["township"].get(reverse("planning:run_export", args=[run.pk]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["actions", "townships", "shortfalls", "README"]
    townships = workbook["townships"]
    assert townships.max_row == 2 + 2  # two header rows, two townships
    assert len(list(workbook["actions"].iter_rows(min_row=3))) == len(plan_of(run)["actions"])


def test_comparing_two_plans_shows_both_costs(
    planning: PlanningData, role_clients: dict[str, Client]
) -> None:
    first = _done_run(planning)
    cheaper = services.scenario_copy(
        actor=User.objects.get(username="admin"), scenario=planning.scenario, name="只扩班"
    )
    services.scenario_update(
        actor=User.objects.get(username="admin"), scenario=cheaper, values={"use_sites": False}
    )
    second = services.plan_run_start(actor=User.objects.get(username="admin"), scenario=cheaper)
    page = role_clients["township"].get(reverse("planning:compare"), {"a": first.pk, "b": second.pk})
    content = page.content.decode()
    assert 'id="comparison"' in content
    assert f"{plan_of(first)['total_cost']:,.0f}" in content
    assert f"{plan_of(second)['total_cost']:,.0f}" in content


def test_comparing_with_a_run_that_does_not_exist_is_a_form_error(
    planning: PlanningData, role_clients: dict[str, Client]
) -> None:
    run = _done_run(planning)
    page = role_clients["admin"].get(reverse("planning:compare"), {"a": run.pk, "b": 99999})
    assert page.context["form"].non_field_errors()


def test_a_bad_travel_cost_row_is_named_and_nothing_is_imported(
    planning: PlanningData, role_clients: dict[str, Client]
) -> None:
    upload = io.BytesIO(b"origin,dest,cost\nA-01,A-S1,800\nA-01,NOPE,900\n")
    upload.name = "costs.csv"
    response = role_clients["admin"].post(
        reverse("planning:scenario_travel_costs", args=[planning.scenario.pk]), {"file": upload}, follow=True
    )
    content = response.content.decode()
    assert "costs.csv 第 3 行，dest 列" in content
    planning.scenario.refresh_from_db()
    assert planning.scenario.travel_costs is None


def test_deleting_a_scenario_removes_its_runs(
    planning: PlanningData, role_clients: dict[str, Client]
) -> None:
    _done_run(planning)
    response = role_clients["admin"].post(reverse("planning:scenario_delete", args=[planning.scenario.pk]))
    assert response.status_code == 302
    assert not PlanRun.objects.exists()


def test_the_scenario_page_counts_what_a_plan_can_choose_from(
    planning: PlanningData, role_clients: dict[str, Client]
) -> None:
    page = role_clients["admin"].get(reverse("planning:scenario_detail", args=[planning.scenario.pk]))
    counts = page.context["candidates"]
    found = (counts.kindergarten_rooms, counts.expansions, counts.community_sites, counts.zones)
    assert found == (1, 1, 2, 2)
