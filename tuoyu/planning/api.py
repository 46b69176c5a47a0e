"""The planning API: scenarios, plan runs and their plans.

Reads go through ``tuoyu.planning.selectors`` and writes through
``tuoyu.planning.services``, like the pages. The bureau admin plans; township officials
read; other signed-in roles get 403, anonymous callers 401. A run is started with
``POST /planning/scenarios/{id}/runs`` (202: computed in the background; poll
``GET /planning/runs/{id}`` until ``status`` is ``done`` or ``failed``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status

from tuoyu.accounts.models import User
from tuoyu.engine.expansion import problem_as_dict
from tuoyu.planning import loader, services
from tuoyu.planning.models import DistanceMode, PlanRun, Scenario
from tuoyu.planning.selectors import (
    plan_runs_visible_to,
    plans_editable_by,
    scenarios_visible_to,
    sees_planning,
)
from tuoyu.registry.api import WRITE_ERRORS, _actor
from tuoyu.registry.schemas import ErrorOut

router = Router(tags=["planning"])

ScenarioId = Annotated[int, Path(description="情景编号 / scenario id")]
READ_ERRORS: dict[int, type] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ScenarioPatch(Schema):
    """Fields of a scenario; the ones left out keep their value (or default, on create)."""

    name: str | None = Field(None, max_length=100, description="情景名称 / name")
    description: str | None = Field(None, description="说明 / description")
    plan_year: int | None = Field(None, description="规划年份 / plan year (figures at its end)")
    slots_per_1000_min: Decimal | None = Field(None, description="每千名 3 岁以下婴幼儿托位数下限")
    kindergarten_share_min: Decimal | None = Field(None, description="托幼一体托位占比下限 (0–1)")
    puhui_share_min: Decimal | None = Field(None, description="普惠托位占比下限 (0–1)")
    young_infant_share_min: Decimal | None = Field(None, description="小月龄托位占比下限 (0–1)；null 不要求")
    birth_trend: Decimal | None = Field(None, description="出生人口年变化率；null 按历史估计")
    use_kindergarten_classes: bool | None = None
    use_expansions: bool | None = None
    use_sites: bool | None = None
    use_designations: bool | None = None
    cost_kindergarten_class: Decimal | None = Field(None, description="幼儿园托班每班成本（元）")
    cost_expansion_class: Decimal | None = Field(None, description="扩班每班成本（元）")
    cost_site_opening: Decimal | None = Field(None, description="新建托育点固定成本（元）")
    cost_kindergarten_opening: Decimal | None = Field(None, description="幼儿园首次开设托班固定成本（元）")
    cost_site_class: Decimal | None = Field(None, description="新建托育点每班成本（元）")
    cost_designation_per_slot: Decimal | None = Field(None, description="普惠认定每托位补助（元）")
    site_monthly_fee: Decimal | None = Field(None, description="新建托育点全日托月收费（元）")
    budget: Decimal | None = Field(None, description="预算上限（元）；null 求最低成本方案")
    catchment_m: int | None = Field(None, description="服务半径（米）")
    distance_mode: DistanceMode | None = None
    circuity: Decimal | None = Field(None, description="绕行系数")
    mip_rel_gap: Decimal | None = Field(None, description="允许最优性差距；0 求证最优")
    time_limit_seconds: int | None = Field(None, description="求解时限（秒）")


class ScenarioIn(ScenarioPatch):
    name: str = Field(max_length=100, description="情景名称 / name")  # type: ignore[assignment]
    plan_year: int = Field(description="规划年份 / plan year")  # type: ignore[assignment]


class ScenarioOut(Schema):
    id: int
    name: str
    description: str
    plan_year: int
    slots_per_1000_min: float
    kindergarten_share_min: float
    puhui_share_min: float
    young_infant_share_min: float | None
    birth_trend: float | None
    use_kindergarten_classes: bool
    use_expansions: bool
    use_sites: bool
    use_designations: bool
    cost_kindergarten_class: float
    cost_expansion_class: float
    cost_site_opening: float
    cost_kindergarten_opening: float
    cost_site_class: float
    cost_designation_per_slot: float
    site_monthly_fee: float
    budget: float | None
    catchment_m: int
    distance_mode: str
    circuity: float
    mip_rel_gap: float
    time_limit_seconds: int
    travel_cost_pairs: int = Field(description="已导入的出行成本条数 / imported travel-cost pairs")
    updated_at: dt.datetime


class RunOut(Schema):
    id: int
    scenario_id: int
    status: str = Field(description="queued | running | done | failed")
    stage: str = Field(description="进度 / progress stage")
    plan_status: str = Field(
        description="optimal | within_gap | time_limit | shortfall | budget | nothing_needed (once done)"
    )
    total_cost: float | None
    mip_gap: float | None
    solve_seconds: float | None
    error: str
    requested_at: dt.datetime
    finished_at: dt.datetime | None
    result: dict[str, Any] | None = Field(
        None,
        description="方案：措施、原因、缺口、方案前后的指标 / the plan (only in GET /planning/runs/{id})",
    )


def _scenario_out(scenario: Scenario) -> dict[str, Any]:
    values: dict[str, Any] = {"id": scenario.pk, "updated_at": scenario.updated_at}
    for name in ScenarioOut.model_fields:
        if name in values or name == "travel_cost_pairs":
            continue
        value = getattr(scenario, name)
        values[name] = float(value) if isinstance(value, Decimal) else value
    values["travel_cost_pairs"] = sum(len(row) for row in (scenario.travel_costs or {}).values())
    return values


def _run_out(run: PlanRun, *, with_result: bool) -> dict[str, Any]:
    return {
        "id": run.pk,
        "scenario_id": run.scenario_id,
        "status": run.status,
        "stage": run.stage,
        "plan_status": run.plan_status,
        "total_cost": None if run.total_cost is None else float(run.total_cost),
        "mip_gap": run.mip_gap,
        "solve_seconds": run.solve_seconds,
        "error": run.error,
        "requested_at": run.requested_at,
        "finished_at": run.finished_at,
        "result": run.result if with_result else None,
    }


def _reader(request: HttpRequest) -> User:
    user = _actor(request)
    if not sees_planning(user):
        raise PermissionDenied(_("您的账户无权查看供需规划。"))
    return user


def _planner(request: HttpRequest) -> User:
    user = _actor(request)
    if not plans_editable_by(user):
        raise PermissionDenied(_("仅市卫健局管理员可管理规划情景。"))
    return user


def _scenario(user: User, scenario_id: int) -> Scenario:
    scenario = scenarios_visible_to(user).filter(pk=scenario_id).first()
    if scenario is None:
        raise Http404(_("没有该规划情景。"))
    return scenario


@router.get(
    "/planning/scenarios",
    operation_id="list_scenarios",
    response={200: list[ScenarioOut], **READ_ERRORS},
    summary="规划情景列表 / scenarios",
)
def scenario_list_api(request: HttpRequest) -> list[dict[str, Any]]:
    user = _reader(request)
    return [_scenario_out(scenario) for scenario in scenarios_visible_to(user)]


@router.post(
    "/planning/scenarios",
    operation_id="create_scenario",
    response={201: ScenarioOut, **WRITE_ERRORS},
    summary="新建规划情景 / create a scenario",
)
def scenario_create_api(request: HttpRequest, payload: ScenarioIn) -> Status[dict[str, Any]]:
    """Targets default to the 2025 values; costs to the platform's estimates."""
    user = _planner(request)
    scenario = services.scenario_create(actor=user, values=payload.model_dump(exclude_none=True))
    return Status(201, _scenario_out(scenario))


@router.get(
    "/planning/scenarios/{scenario_id}",
    operation_id="get_scenario",
    response={200: ScenarioOut, **READ_ERRORS},
    summary="规划情景 / a scenario",
)
def scenario_get_api(request: HttpRequest, scenario_id: ScenarioId) -> dict[str, Any]:
    return _scenario_out(_scenario(_reader(request), scenario_id))


@router.patch(
    "/planning/scenarios/{scenario_id}",
    operation_id="update_scenario",
    response={200: ScenarioOut, **WRITE_ERRORS},
    summary="修改规划情景 / change a scenario",
)
def scenario_update_api(
    request: HttpRequest, scenario_id: ScenarioId, payload: ScenarioPatch
) -> dict[str, Any]:
    """Change the fields given (send null to clear an optional one such as the budget)."""
    user = _planner(request)
    scenario = _scenario(user, scenario_id)
    values = payload.model_dump(exclude_unset=True)
    scenario = services.scenario_update(actor=user, scenario=scenario, values=values)
    return _scenario_out(scenario)


@router.get(
    "/planning/scenarios/{scenario_id}/engine-input",
    operation_id="get_scenario_engine_input",
    response={200: dict[str, Any], **READ_ERRORS},
    summary="情景的引擎输入（JSON）/ the scenario as engine input",
)
def scenario_engine_input_api(request: HttpRequest, scenario_id: ScenarioId) -> JsonResponse:
    """The plan problem on today's registry, in the format of
    ``python -m tuoyu.engine plan --scenario FILE``: an analyst can re-run it offline."""
    scenario = _scenario(_reader(request), scenario_id)
    inputs = loader.plan_inputs(scenario)
    return JsonResponse(problem_as_dict(inputs.problem), json_dumps_params={"ensure_ascii": False})


@router.post(
    "/planning/scenarios/{scenario_id}/runs",
    operation_id="start_plan_run",
    response={202: RunOut, **WRITE_ERRORS},
    summary="计算规划方案 / start a plan run",
)
def plan_run_start_api(request: HttpRequest, scenario_id: ScenarioId) -> Status[dict[str, Any]]:
    user = _planner(request)
    run = services.plan_run_start(actor=user, scenario=_scenario(user, scenario_id))
    return Status(202, _run_out(run, with_result=False))


@router.get(
    "/planning/runs",
    operation_id="list_plan_runs",
    response={200: list[RunOut], **READ_ERRORS},
    summary="规划方案列表 / plan runs",
)
def plan_run_list_api(request: HttpRequest) -> list[dict[str, Any]]:
    user = _reader(request)
    return [_run_out(run, with_result=False) for run in plan_runs_visible_to(user)[:200]]


@router.get(
    "/planning/runs/{run_id}",
    operation_id="get_plan_run",
    response={200: RunOut, **READ_ERRORS},
    summary="规划方案 / a plan run with its plan",
)
def plan_run_get_api(
    request: HttpRequest, run_id: Annotated[int, Path(description="方案编号 / run id")]
) -> dict[str, Any]:
    run = plan_runs_visible_to(_reader(request)).filter(pk=run_id).first()
    if run is None:
        raise Http404(_("没有该规划方案。"))
    return _run_out(run, with_result=True)
