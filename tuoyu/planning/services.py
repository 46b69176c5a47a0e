"""Every change to planning data: scenarios, travel costs, demand zones, plan runs.

Each service checks the actor, validates the whole change, then saves it in one
transaction with the audit log naming the actor. Invalid input raises
``ValidationError`` naming the field (or the CSV row and column); a refused actor raises
``PermissionDenied``. Views, the API, the admin and management commands all call these.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import threading
import time
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from auditlog.context import set_actor
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.accounts.models import User
from tuoyu.common.audit import audited_change
from tuoyu.engine.expansion import plan_expansion, plan_result_as_dict
from tuoyu.planning import loader
from tuoyu.planning.models import (
    CandidateSite,
    DemandZone,
    DistanceMode,
    ExpansionKind,
    ExpansionOption,
    PlanRun,
    RunStage,
    RunStatus,
    Scenario,
)
from tuoyu.registry.models import Form, Institution, Township

logger = logging.getLogger(__name__)

SCENARIO_FIELDS: tuple[str, ...] = (
    "name",
    "description",
    "plan_year",
    "slots_per_1000_min",
    "kindergarten_share_min",
    "puhui_share_min",
    "young_infant_share_min",
    "birth_trend",
    "use_kindergarten_classes",
    "use_expansions",
    "use_sites",
    "use_designations",
    "cost_kindergarten_class",
    "cost_expansion_class",
    "cost_site_opening",
    "cost_kindergarten_opening",
    "cost_site_class",
    "cost_designation_per_slot",
    "site_monthly_fee",
    "budget",
    "catchment_m",
    "distance_mode",
    "circuity",
    "mip_rel_gap",
    "time_limit_seconds",
)
"""The fields a person sets on a scenario (the travel-cost matrix is imported separately)."""

_SHARE_FIELDS = ("kindergarten_share_min", "puhui_share_min", "young_infant_share_min")
_COST_FIELDS = (
    "cost_kindergarten_class",
    "cost_expansion_class",
    "cost_site_opening",
    "cost_kindergarten_opening",
    "cost_site_class",
    "cost_designation_per_slot",
    "site_monthly_fee",
    "budget",
)


def _require_planner(actor: User | None) -> User:
    if actor is None or not actor.is_bureau_admin:
        raise PermissionDenied(_("仅市卫健局管理员可管理规划情景。"))
    return actor


def _check_scenario(scenario: Scenario) -> None:
    errors: dict[str, list[str]] = {}
    try:
        scenario.full_clean(exclude=["created_by"])
    except ValidationError as error:
        errors.update(error.message_dict)
    for name in _SHARE_FIELDS:
        value = getattr(scenario, name)
        if value is not None and not Decimal(0) <= Decimal(value) <= Decimal(1):
            errors.setdefault(name, []).append(_("占比须在 0 到 1 之间。"))
    for name in _COST_FIELDS:
        value = getattr(scenario, name)
        if value is not None and Decimal(value) < 0:
            errors.setdefault(name, []).append(_("金额不能为负数。"))
    if scenario.slots_per_1000_min is not None and Decimal(scenario.slots_per_1000_min) < 0:
        errors.setdefault("slots_per_1000_min", []).append(_("不能为负数。"))
    if scenario.birth_trend is not None and not Decimal("-0.5") <= Decimal(scenario.birth_trend) <= Decimal(
        "0.5"
    ):
        errors.setdefault("birth_trend", []).append(_("年变化率须在 -0.5 到 0.5 之间。"))
    if scenario.circuity is not None and Decimal(scenario.circuity) < 1:
        errors.setdefault("circuity", []).append(_("绕行系数不能小于 1。"))
    if scenario.catchment_m is not None and scenario.catchment_m <= 0:
        errors.setdefault("catchment_m", []).append(_("服务半径须大于 0。"))
    if scenario.mip_rel_gap is not None and not Decimal(0) <= Decimal(scenario.mip_rel_gap) < Decimal("0.5"):
        errors.setdefault("mip_rel_gap", []).append(_("最优性差距须不小于 0 且小于 0.5。"))
    if scenario.time_limit_seconds is not None and not 1 <= scenario.time_limit_seconds <= 3600:
        errors.setdefault("time_limit_seconds", []).append(_("求解时限须在 1 到 3600 秒之间。"))
    if scenario.distance_mode == DistanceMode.MATRIX and not scenario.travel_costs:
        errors.setdefault("distance_mode", []).append(_("请先导入出行成本矩阵，再选择按矩阵计算距离。"))
    if not any(
        (
            scenario.use_kindergarten_classes,
            scenario.use_expansions,
            scenario.use_sites,
            scenario.use_designations,
        )
    ):
        errors.setdefault("use_sites", []).append(_("至少允许一类措施。"))
    if errors:
        raise ValidationError(errors)


def _assign(scenario: Scenario, values: Mapping[str, Any]) -> None:
    unknown = sorted(set(values) - set(SCENARIO_FIELDS))
    if unknown:
        raise ValidationError({name: [_("不能设置该字段。")] for name in unknown})
    for name, value in values.items():
        setattr(scenario, name, value)


def scenario_create(*, actor: User | None, values: Mapping[str, Any]) -> Scenario:
    """A new scenario; fields not given keep their defaults (the 2025 target values)."""
    planner = _require_planner(actor)
    scenario = Scenario(created_by=planner)
    _assign(scenario, values)
    _check_scenario(scenario)
    with audited_change(planner):
        scenario.save()
    return scenario


def scenario_update(*, actor: User | None, scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """Change some fields of ``scenario``; earlier plan runs keep the parameters they used."""
    planner = _require_planner(actor)
    _assign(scenario, values)
    _check_scenario(scenario)
    with audited_change(planner):
        scenario.save()
    return scenario


def scenario_copy(*, actor: User | None, scenario: Scenario, name: str) -> Scenario:
    """A new scenario with the same settings and travel costs, to vary and compare."""
    planner = _require_planner(actor)
    values = {field: getattr(scenario, field) for field in SCENARIO_FIELDS}
    values["name"] = name
    copy = Scenario(created_by=planner, travel_costs=scenario.travel_costs)
    _assign(copy, values)
    _check_scenario(copy)
    with audited_change(planner):
        copy.save()
    return copy


def scenario_delete(*, actor: User | None, scenario: Scenario) -> None:
    planner = _require_planner(actor)
    if scenario.runs.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
        raise ValidationError(_("该情景正在计算，完成后才能删除。"))
    with audited_change(planner):
        scenario.delete()


def expansion_option_validate(option: ExpansionOption) -> None:
    """An option the planner can use: 托班 only in a kindergarten, classes within the
    national size cap of their type."""
    errors: dict[str, list[str]] = {}
    institution = option.institution if option.institution_id else None
    if (
        option.kind == ExpansionKind.KINDERGARTEN_CLASS
        and institution is not None
        and institution.form != Form.KINDERGARTEN
    ):
        errors["kind"] = [_("只有幼儿园可以开设托班；其他机构请选择“机构扩班”。")]
    cap = loader.class_rules().get(option.class_type, {}).get("max_children")
    if cap is not None and option.slots_per_class and option.slots_per_class > cap:
        errors["slots_per_class"] = [
            _("超过该班型的国家标准上限 %(cap)s 人。") % {"cap": cap},
        ]
    if errors:
        raise ValidationError(errors)


# --------------------------------------------------------------------------------------
# CSV imports (all or nothing)
# --------------------------------------------------------------------------------------


def _csv_rows(text: str, required: tuple[str, ...], file: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in required if name not in header]
    if missing:
        raise ValidationError(
            _("%(file)s 第 1 行：缺少列 %(columns)s。") % {"file": file, "columns": "、".join(missing)}
        )
    reader.fieldnames = header
    return [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]


def _row_error(file: str, row: int, column: str, message: str) -> ValidationError:
    return ValidationError(
        _("%(file)s 第 %(row)s 行，%(column)s 列：%(message)s")
        % {"file": file, "row": row, "column": column, "message": message}
    )


def _number(file: str, row: int, column: str, text: str, *, whole: bool = False) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _row_error(file, row, column, _("“%(value)s”不是数字。") % {"value": text}) from None
    if not value.is_finite() or value < 0:
        raise _row_error(file, row, column, _("须为非负数。"))
    if whole and value != value.to_integral_value():
        raise _row_error(file, row, column, _("须为整数。"))
    return value


def scenario_travel_costs_import(
    *, actor: User | None, scenario: Scenario, text: str, file: str = "travel_costs.csv"
) -> int:
    """Replace the scenario's travel-cost matrix with a CSV ``origin,dest,cost``.

    ``origin`` is a demand-zone code; ``dest`` an institution's credit code or a candidate
    site's code; ``cost`` metres or minutes, as the scenario's catchment is. Returns the
    number of pairs. Any bad row refuses the whole file.
    """
    planner = _require_planner(actor)
    rows = _csv_rows(text, ("origin", "dest", "cost"), file)
    zones = set(DemandZone.objects.values_list("code", flat=True))
    places = set(Institution.objects.values_list("credit_code", flat=True)) | set(
        CandidateSite.objects.values_list("code", flat=True)
    )
    matrix: dict[str, dict[str, float]] = {}
    for number, row in enumerate(rows, start=2):
        origin, dest = row.get("origin", ""), row.get("dest", "")
        if origin not in zones:
            raise _row_error(file, number, "origin", _("没有编码为“%(code)s”的需求片区。") % {"code": origin})
        if dest not in places:
            raise _row_error(file, number, "dest", _("没有编码为“%(code)s”的机构或候选点。") % {"code": dest})
        cost = _number(file, number, "cost", row.get("cost", ""))
        if dest in matrix.setdefault(origin, {}):
            raise _row_error(file, number, "dest", _("该片区到此地点的成本重复。"))
        matrix[origin][dest] = float(cost)
    if not matrix:
        raise ValidationError(_("%(file)s 没有数据行。") % {"file": file})
    with audited_change(planner):
        scenario.travel_costs = matrix
        scenario.save(update_fields=["travel_costs", "updated_at"])
    return len(rows)


ZONE_COLUMNS = (
    "code",
    "name",
    "township_code",
    "latitude",
    "longitude",
    "year",
    "children_under_3",
    "children_under_2",
)


def demand_zones_import(*, actor: User | None, text: str, file: str = "zones.csv") -> int:
    """Create or update demand zones from CSV (columns :data:`ZONE_COLUMNS`), all or nothing."""
    planner = _require_planner(actor)
    rows = _csv_rows(text, ZONE_COLUMNS, file)
    towns = {t.code: t for t in Township.objects.all()}
    existing = {z.code: z for z in DemandZone.objects.all()}
    seen: dict[str, int] = {}
    zones: list[DemandZone] = []
    for number, row in enumerate(rows, start=2):
        code = row["code"]
        if not code:
            raise _row_error(file, number, "code", _("不能为空。"))
        if code in seen:
            raise _row_error(file, number, "code", _("编码与第 %(row)s 行重复。") % {"row": seen[code]})
        seen[code] = number
        town = towns.get(row["township_code"])
        if town is None:
            raise _row_error(
                file,
                number,
                "township_code",
                _("没有区划代码为“%(code)s”的镇（街道）。") % {"code": row["township_code"]},
            )
        latitude = _signed(file, number, "latitude", row["latitude"], -90, 90)
        longitude = _signed(file, number, "longitude", row["longitude"], -180, 180)
        year = int(_number(file, number, "year", row["year"], whole=True))
        under_3 = int(_number(file, number, "children_under_3", row["children_under_3"], whole=True))
        under_2 = int(_number(file, number, "children_under_2", row["children_under_2"], whole=True))
        if under_2 > under_3:
            raise _row_error(file, number, "children_under_2", _("不能多于 3 岁以下婴幼儿数。"))
        zone = existing.get(code) or DemandZone(code=code)
        zone.name = row["name"] or code
        zone.township = town
        zone.latitude, zone.longitude = latitude, longitude
        zone.year, zone.children_under_3, zone.children_under_2 = year, under_3, under_2
        zones.append(zone)
    if not zones:
        raise ValidationError(_("%(file)s 没有数据行。") % {"file": file})
    with audited_change(planner):
        for zone in zones:
            zone.save()
    return len(zones)


def _signed(file: str, row: int, column: str, text: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _row_error(file, row, column, _("“%(value)s”不是数字。") % {"value": text}) from None
    if not low <= value <= high:
        raise _row_error(file, row, column, _("须在 %(low)s 到 %(high)s 之间。") % {"low": low, "high": high})
    return value


# --------------------------------------------------------------------------------------
# Plan runs
# --------------------------------------------------------------------------------------


def plan_run_start(*, actor: User | None, scenario: Scenario, inline: bool | None = None) -> PlanRun:
    """Queue a plan for ``scenario`` and start computing it.

    With ``TUOYU_PLAN_RUNS = "thread"`` (the default) the plan is computed in a background
    thread of this process and the run's ``stage`` shows progress; with ``"inline"``, or
    ``inline=True`` (management commands), it is computed before this returns.
    """
    planner = _require_planner(actor)
    _expire_stale_runs(scenario)
    if scenario.runs.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
        raise ValidationError(_("该情景已有方案正在计算，请稍候。"))
    with audited_change(planner):
        run = PlanRun.objects.create(
            scenario=scenario, requested_by=planner, parameters=loader.scenario_parameters(scenario)
        )
    if inline or (inline is None and settings.TUOYU_PLAN_RUNS == "inline"):
        plan_run_execute(run_id=run.pk)
        run.refresh_from_db()
    else:
        transaction.on_commit(lambda: _start_thread(run.pk))
    return run


STALE_AFTER_SECONDS = 300
"""A run unfinished this long past its solver's time limit was lost (its process ended)."""


def _expire_stale_runs(scenario: Scenario) -> None:
    """Mark as failed the runs of ``scenario`` whose process must have ended without them
    (a restarted web server), so the scenario can be run again."""
    limit = timezone.now() - dt.timedelta(seconds=scenario.time_limit_seconds + STALE_AFTER_SECONDS)
    stale = scenario.runs.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING], requested_at__lt=limit)
    for run in stale:
        run.status = RunStatus.FAILED
        run.error = _("计算中断（服务进程已结束），请重新计算。")
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])


def _start_thread(run_id: int) -> None:
    threading.Thread(
        target=_execute_in_thread, args=(run_id,), name=f"plan-run-{run_id}", daemon=True
    ).start()


def _execute_in_thread(run_id: int) -> None:
    close_old_connections()
    try:
        plan_run_execute(run_id=run_id)
    finally:
        connection.close()


def _set_stage(run: PlanRun, stage: str, **fields: Any) -> None:
    run.stage = stage
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=["stage", *fields])


def plan_run_execute(*, run_id: int) -> PlanRun:
    """Compute the plan of a queued run and save it; a failure is recorded, never raised."""
    run = PlanRun.objects.select_related("scenario", "requested_by").get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return run
    actor = run.requested_by
    with set_actor(actor):
        _set_stage(run, RunStage.LOADING, status=RunStatus.RUNNING)
        started = time.perf_counter()
        try:
            inputs = loader.plan_inputs(run.scenario, progress=lambda stage: _set_stage(run, stage))
            _set_stage(run, RunStage.SOLVING, parameters={**run.parameters, **inputs.parameters})
            result = plan_expansion(inputs.problem)
            _set_stage(run, RunStage.SAVING)
            payload = {"plan": plan_result_as_dict(result), "labels": inputs.labels}
            with transaction.atomic():
                run.result = payload
                run.status = RunStatus.DONE
                run.stage = RunStage.FINISHED
                run.plan_status = result.status
                run.total_cost = Decimal(round(result.total_cost))
                run.mip_gap = result.mip_gap
                run.solve_seconds = result.solve_seconds
                run.finished_at = timezone.now()
                run.save()
        except Exception as error:  # a failed run is shown to the planner, not lost in a thread
            logger.exception("plan run %s failed", run_id)
            run.status = RunStatus.FAILED
            run.error = f"{type(error).__name__}: {error}"
            run.finished_at = timezone.now()
            run.solve_seconds = time.perf_counter() - started
            run.save(update_fields=["status", "error", "finished_at", "solve_seconds"])
    return run
