"""Planning services: validation, permissions, all-or-nothing imports, plan runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tuoyu.accounts.models import User
from tuoyu.engine.indicators import compute_indicators
from tuoyu.planning import services
from tuoyu.planning.models import DemandZone, PlanRun, RunStatus, Scenario
from tuoyu.planning.tests.conftest import PlanningData, plan_of


def test_a_new_scenario_takes_the_2025_target_values_and_is_audited(
    planning: PlanningData, admin_user: User
) -> None:
    scenario = services.scenario_create(actor=admin_user, values={"name": "二〇二七", "plan_year": 2027})
    assert float(scenario.slots_per_1000_min) == 280
    assert float(scenario.puhui_share_min) == 0.9
    entry = LogEntry.objects.get_for_object(scenario).get()
    assert entry.actor == admin_user


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kindergarten_share_min": "1.2"}, "kindergarten_share_min"),
        ({"cost_site_opening": "-1"}, "cost_site_opening"),
        ({"circuity": "0.8"}, "circuity"),
        ({"birth_trend": "0.9"}, "birth_trend"),
        ({"plan_year": 1800}, "plan_year"),
        ({"distance_mode": "matrix"}, "distance_mode"),
        (
            {
                "use_kindergarten_classes": False,
                "use_expansions": False,
                "use_sites": False,
                "use_designations": False,
            },
            "use_sites",
        ),
        ({"owner": "x"}, "owner"),
    ],
)
def test_bad_scenario_values_are_refused_naming_the_field(
    planning: PlanningData, admin_user: User, values: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.scenario_create(actor=admin_user, values={"name": "x", "plan_year": 2027, **values})
    assert field in caught.value.message_dict
    assert not Scenario.objects.filter(name="x").exists()


@pytest.mark.parametrize("who", ["township_user", "operator_user", "public_user"])
def test_only_the_bureau_plans(planning: PlanningData, who: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.scenario_create(actor=user, values={"name": "x", "plan_year": 2027})
    with pytest.raises(PermissionDenied):
        services.plan_run_start(actor=user, scenario=planning.scenario)


def test_a_plan_run_keeps_the_parameters_it_used(planning: PlanningData, admin_user: User) -> None:
    run = services.plan_run_start(actor=admin_user, scenario=planning.scenario)
    services.scenario_update(actor=admin_user, scenario=planning.scenario, values={"cost_site_opening": 1})
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.parameters["cost_site_opening"] == 600000
    assert run.parameters["as_of"] == "2026-12-31"


def test_a_plan_meets_every_target_it_could_meet_and_reports_the_rest(
    planning: PlanningData, admin_user: User
) -> None:
    run = services.plan_run_start(actor=admin_user, scenario=planning.scenario)
    plan = plan_of(run)
    missing = {(s["code"], s["township_id"]) for s in plan["shortfalls"]}
    for town_id, figures in plan["after"]["townships"].items():
        for code in ("slots_per_1000", "kindergarten_share", "puhui_share"):
            if (code, int(town_id)) not in missing:
                assert figures[code]["met"] is not False, (town_id, code)
    assert run.plan_status == plan["status"]
    assert run.total_cost is not None
    assert float(run.total_cost) == pytest.approx(sum(a["cost"] for a in plan["actions"]), abs=1)


def test_the_stored_figures_after_the_plan_equal_the_indicator_engine_on_the_planned_registry(
    planning: PlanningData, admin_user: User
) -> None:
    from tuoyu.engine.expansion import plan_apply, plan_expansion
    from tuoyu.engine.indicators import Targets
    from tuoyu.planning import loader

    problem = loader.plan_inputs(planning.scenario).problem
    result = plan_expansion(problem)
    planned = plan_apply(problem, result.units, result.sites_opened)
    report = compute_indicators(
        planned, as_of=problem.as_of, targets=Targets(), certification=problem.certification
    )
    for code in ("slots_per_1000", "kindergarten_share", "puhui_share", "young_infant_share"):
        assert result.after.city[code].numerator == pytest.approx(report.city[code].numerator)
        assert result.after.city[code].denominator == pytest.approx(report.city[code].denominator)


def test_a_second_run_waits_for_the_first(planning: PlanningData, admin_user: User) -> None:
    PlanRun.objects.create(scenario=planning.scenario, requested_by=admin_user, status=RunStatus.RUNNING)
    with pytest.raises(ValidationError):
        services.plan_run_start(actor=admin_user, scenario=planning.scenario)


def test_a_run_lost_with_its_process_is_marked_failed_and_the_scenario_runs_again(
    planning: PlanningData, admin_user: User
) -> None:
    lost = PlanRun.objects.create(
        scenario=planning.scenario, requested_by=admin_user, status=RunStatus.RUNNING
    )
    started = timezone.now() - dt.timedelta(seconds=planning.scenario.time_limit_seconds + 301)
    PlanRun.objects.filter(pk=lost.pk).update(requested_at=started)
    run = services.plan_run_start(actor=admin_user, scenario=planning.scenario)
    lost.refresh_from_db()
    assert lost.status == RunStatus.FAILED and "中断" in lost.error
    assert run.status == RunStatus.DONE


def test_a_failing_plan_is_recorded_as_failed_with_its_error(
    planning: PlanningData, admin_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(problem: Any) -> Any:
        raise ValueError("candidates[1]: 示例错误")

    monkeypatch.setattr(services, "plan_expansion", broken)
    run = services.plan_run_start(actor=admin_user, scenario=planning.scenario)
    assert run.status == RunStatus.FAILED
    assert "示例错误" in run.error
    assert run.result is None


def test_a_scenario_with_a_running_plan_cannot_be_deleted(planning: PlanningData, admin_user: User) -> None:
    PlanRun.objects.create(scenario=planning.scenario, requested_by=admin_user, status=RunStatus.QUEUED)
    with pytest.raises(ValidationError):
        services.scenario_delete(actor=admin_user, scenario=planning.scenario)


def test_travel_costs_are_imported_as_a_matrix(planning: PlanningData, admin_user: User) -> None:
    credit = planning.kindergarten_option.institution.credit_code
    text = f"origin,dest,cost\nA-01,A-S1,800\nA-01,{credit},1200\nB-01,B-S1,300\n"
    pairs = services.scenario_travel_costs_import(actor=admin_user, scenario=planning.scenario, text=text)
    planning.scenario.refresh_from_db()
    assert pairs == 3
    assert planning.scenario.travel_costs == {
        "A-01": {"A-S1": 800.0, credit: 1200.0},
        "B-01": {"B-S1": 300.0},
    }


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("origin,cost\nA-01,5\n", "第 1 行：缺少列 dest"),
        ("origin,dest,cost\nZ-99,A-S1,5\n", "第 2 行，origin 列"),
        ("origin,dest,cost\nA-01,A-S1,5\nA-01,A-S1,6\n", "第 3 行，dest 列"),
        ("origin,dest,cost\nA-01,A-S1,-5\n", "第 2 行，cost 列"),
        ("origin,dest,cost\nA-01,A-S1,far\n", "第 2 行，cost 列"),
        ("origin,dest,cost\n", "没有数据行"),
    ],
)
def test_a_bad_travel_cost_file_names_row_and_column_and_changes_nothing(
    planning: PlanningData, admin_user: User, text: str, where: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.scenario_travel_costs_import(actor=admin_user, scenario=planning.scenario, text=text)
    assert where in " ".join(caught.value.messages)
    planning.scenario.refresh_from_db()
    assert planning.scenario.travel_costs is None


ZONES_HEADER = "code,name,township_code,latitude,longitude,year,children_under_3,children_under_2\n"


def test_demand_zones_are_created_and_updated_from_csv(planning: PlanningData, admin_user: User) -> None:
    town = planning.zone_a.township.code
    rows = [
        f"A-01,示例社区甲一,{town},28.86,121.12,2026,480,380",
        f"A-02,示例社区甲二,{town},28.87,121.13,2026,20,15",
    ]
    text = ZONES_HEADER + "\n".join(rows) + "\n"
    assert services.demand_zones_import(actor=admin_user, text=text) == 2
    planning.zone_a.refresh_from_db()
    assert planning.zone_a.children_under_3 == 480
    assert DemandZone.objects.filter(code="A-02", children_under_2=15).exists()


@pytest.mark.parametrize(
    ("row", "where"),
    [
        ("A-09,名,999999999999,28.8,121.1,2026,10,5", "township_code"),
        ("A-09,名,{town},95,121.1,2026,10,5", "latitude"),
        ("A-09,名,{town},28.8,121.1,2026,10,50", "children_under_2"),
        ("A-09,名,{town},28.8,121.1,2026,1.5,1", "children_under_3"),
        ("A-01,名,{town},28.8,121.1,2026,10,5", "code"),
    ],
)
def test_one_bad_zone_row_refuses_the_whole_file(
    planning: PlanningData, admin_user: User, row: str, where: str
) -> None:
    town = planning.zone_a.township.code
    text = (
        ZONES_HEADER + f"A-01,示例社区甲一,{town},28.86,121.12,2026,480,380\n" + row.format(town=town) + "\n"
    )
    with pytest.raises(ValidationError) as caught:
        services.demand_zones_import(actor=admin_user, text=text)
    assert f"第 3 行，{where} 列" in " ".join(caught.value.messages)
    planning.zone_a.refresh_from_db()
    assert planning.zone_a.children_under_3 == 500
    assert not DemandZone.objects.filter(code="A-09").exists()


def test_with_a_budget_the_plan_reaches_the_most_children_it_can_afford(
    planning: PlanningData, admin_user: User
) -> None:
    # 650,000 CNY opens one community site (600,000) with no class, or buys 托班 classes
    # at kindergarten №1 (150,000 each) next to zone A: the zone's 500 children are reached.
    kindergarten = planning.kindergarten_option.institution
    kindergarten.latitude, kindergarten.longitude = 28.8615, 121.1215
    kindergarten.save()
    services.scenario_update(actor=admin_user, scenario=planning.scenario, values={"budget": 650000})
    run = services.plan_run_start(actor=admin_user, scenario=planning.scenario)
    plan = plan_of(run)
    assert plan["status"] == "budget"
    assert plan["total_cost"] <= 650000
    assert plan["children_reached"] >= 500
    assert run.parameters["budget"] == 650000


def test_a_scenario_using_a_travel_matrix_measures_reach_by_it(
    planning: PlanningData, admin_user: User
) -> None:
    # By the matrix only zone B reaches the kindergarten: zone A (500 children) is out of
    # every candidate's catchment, so a budget plan reaches zone B's children alone.
    credit = planning.kindergarten_option.institution.credit_code
    services.scenario_travel_costs_import(
        actor=admin_user, scenario=planning.scenario, text=f"origin,dest,cost\nB-01,{credit},900\n"
    )
    services.scenario_update(
        actor=admin_user, scenario=planning.scenario, values={"budget": 650000, "distance_mode": "matrix"}
    )
    run = services.plan_run_start(actor=admin_user, scenario=planning.scenario)
    plan = plan_of(run)
    assert plan["status"] == "budget"
    assert plan["children_reached"] == pytest.approx(250, rel=0.2)
