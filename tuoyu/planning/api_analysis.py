"""The planning analyses over JSON: access & childcare deserts by zone, and the demand forecast.

Session authentication (set on the NinjaAPI in ``tuoyu.api``): anonymous callers get 401.
The bureau and township officials may read them (:func:`tuoyu.planning.selectors.sees_planning`);
other roles get 403. Parameters are checked by :mod:`tuoyu.planning.access` and
:mod:`tuoyu.planning.forecasting`, the same rules as the page's form, and a bad one is a
422 naming the parameter.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from tuoyu.planning.access import access_analysis, access_parameters
from tuoyu.planning.access_tables import summary_record, zone_records
from tuoyu.planning.forecasting import area_record, forecast_parameters, forecast_report
from tuoyu.planning.selectors import sees_planning
from tuoyu.registry.schemas import ErrorOut, ValidationErrorOut

router = Router(tags=["planning"])

ERRORS: dict[int, type] = {401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut}


# Schemas ------------------------------------------------------------------------------


class AccessQuery(Schema):
    """Parameters of an access analysis; each may be left out for its default."""

    as_of: dt.date | None = Field(
        None,
        description="统计日期 YYYY-MM-DD，默认为今天（北京时间）/ as-of date, default today in Asia/Shanghai",
    )
    method: Literal["e2sfca", "2sfca"] = Field(
        "e2sfca",
        description="E2SFCA（分级距离衰减）或 2SFCA / enhanced (distance-decay steps) or plain 2SFCA",
    )
    catchment_m: float | None = Field(
        None, description="服务半径（米），默认 3000 / catchment in metres, default 3000 (100–50000)"
    )
    steps: str | None = Field(
        None,
        description="距离衰减分级“上限:权重”，逗号分隔；留空为 1000:1,2000:0.68,3000:0.22 按服务半径缩放 / "
        "decay steps upper:weight, blank: the default scaled to the catchment",
    )
    circuity: float | None = Field(None, description="绕行系数，默认 1.3 / circuity, default 1.3 (1–3)")
    min_children: float | None = Field(
        None, description="托育荒漠最少婴幼儿数，默认 50 / least children of a desert, default 50"
    )
    max_children_per_slot: float | None = Field(
        None, description="每托位婴幼儿数上限，默认 3 / most children per slot before a desert, default 3"
    )
    travel_scenario: int | None = Field(
        None,
        description="按该规划情景导入的出行成本矩阵计算距离；默认直线距离 × 绕行系数 / "
        "measure distance by this scenario's imported travel-cost matrix; default straight line × circuity",
    )


class AccessParametersOut(Schema):
    as_of: dt.date = Field(description="统计日期 / as-of date")
    method: str = Field(description="计算方法 / method")
    catchment_m: float = Field(description="服务半径（米）/ catchment (m)")
    steps: str | None = Field(description="距离衰减分级（仅 E2SFCA）/ decay steps (E2SFCA only)")
    circuity: float = Field(description="绕行系数 / circuity")
    min_children: float = Field(description="托育荒漠最少婴幼儿数 / least children of a desert")
    max_children_per_slot: float = Field(description="每托位婴幼儿数上限 / most children per slot")


class GroupSummaryOut(Schema):
    zones: int = Field(description="需求片区数 / demand zones")
    children: float = Field(description="婴幼儿数 / children")
    slots: float = Field(description="有坐标的普惠托位 / puhui slots placed on the map")
    deserts: int = Field(description="托育荒漠片区数 / desert zones")
    children_in_deserts: float = Field(description="居住在托育荒漠的婴幼儿 / children living in deserts")
    share_in_deserts: float | None = Field(description="荒漠内婴幼儿占比 / share of children in deserts")
    zones_without_slots: int = Field(
        description="半径内无托位且有婴幼儿的片区 / zones with children and no slot in reach"
    )


class GroupsSummaryOut(Schema):
    young: GroupSummaryOut = Field(description="小月龄：乳儿班、托小班托位与 2 岁以下婴幼儿 / under 2")
    older: GroupSummaryOut = Field(description="托大班、混龄班托位与 24–36 个月婴幼儿 / 24–36 months")


class AccessSummaryOut(Schema):
    parameters: AccessParametersOut
    township_fallback: bool = Field(
        description="尚无需求片区，以镇（街道）中心点代替 / no demand zones: township centres stand in"
    )
    children_year: int = Field(description="婴幼儿数所属年份 / year the children are estimated for")
    children_forecast: bool = Field(
        description="片区婴幼儿数已按预测调整到该年 / zone counts scaled to that year by the forecast"
    )
    institutions: int = Field(description="计入的普惠机构数 / puhui institutions placed")
    unplaced_institutions: int = Field(
        description="缺少坐标未计入的普惠机构 / puhui institutions without coordinates"
    )
    unplaced_slots: float = Field(description="其托位数 / their slots")
    groups: GroupsSummaryOut


class ZoneGroupOut(Schema):
    children: float = Field(description="婴幼儿数 / children")
    slots_in_reach: float = Field(description="服务半径内托位（不计竞争）/ slots within the catchment")
    access: float | None = Field(
        description="可达性：每名婴幼儿可达托位；无婴幼儿且托位无人竞争时为空 / "
        "slots per child, null when unbounded"
    )
    children_per_slot: float | None = Field(
        description="每托位婴幼儿数；半径内无托位时为空 / children per slot, null when no slot is in reach"
    )
    desert: bool = Field(description="是否托育荒漠 / childcare desert")


class ZoneAccessOut(Schema):
    code: str = Field(
        description="片区编码（以镇街代替时为区划代码）/ zone code (township code in the fallback)"
    )
    name: str = Field(description="名称 / name")
    township_code: str = Field(description="镇（街道）区划代码 / township code")
    township: str = Field(description="镇（街道）/ township")
    latitude: float
    longitude: float
    children_under_3: float = Field(description="3 岁以下婴幼儿数 / children under 3")
    young: ZoneGroupOut = Field(description="小月龄（2 岁以下）/ under 2")
    older: ZoneGroupOut = Field(description="24–36 个月 / 24–36 months")


class AccessOut(Schema):
    summary: AccessSummaryOut
    zones: list[ZoneAccessOut] = Field(
        description="各片区，按镇（街道）和片区编码排序 / by township and zone code"
    )


class ForecastQuery(Schema):
    birth_trend: float | None = Field(
        None,
        description="出生人口年变化率，如 -0.05；留空按历史估计 / "
        "annual change of births, blank: estimated (−0.5–0.5)",
    )
    horizon: int | None = Field(None, description="预测年数，默认 3 / years forecast, default 3 (1–10)")


class ForecastYearOut(Schema):
    year: int
    forecast: bool = Field(description="是否为预测年份 / a forecast year")
    children_under_3: float | None = Field(
        description="3 岁以下婴幼儿数（年末）/ children under 3 at year end"
    )
    children_under_2: float | None = Field(description="2 岁以下婴幼儿数 / children under 2")
    births: float | None = Field(description="出生人口 / births")


class SlotNeedOut(Schema):
    year: int
    target_per_1000: float = Field(description="每千名 3 岁以下婴幼儿托位目标 / slots per 1,000 target")
    children_under_3: float | None
    slots_target: float | None = Field(description="达到目标所需托位 / slots the target needs")
    slots_now: float = Field(description="现有托位 / current slots")
    gap: float | None = Field(description="需新增托位，≤ 0 表示已足够 / slots to add, ≤ 0: enough")


class AreaForecastOut(Schema):
    code: str = Field(description="区划代码，全市为 city / township code, or city")
    name: str
    birth_trend: float | None = Field(description="采用的出生人口年变化率 / birth trend used")
    stay_rates: list[float] | None = Field(description="留存系数 f0、f1、f2 / stay factors f0, f1, f2")
    slots_now: float = Field(description="现有托位 / current slots")
    years: list[ForecastYearOut]
    needs: list[SlotNeedOut] = Field(description="各预测年份需新增托位 / slots needed per forecast year")


class ForecastOut(Schema):
    birth_trend: float | None = Field(
        description="假定的年变化率；空为按历史估计 / assumed trend, null: estimated"
    )
    horizon: int
    first_forecast_year: int | None = Field(
        description="第一个预测年份；无人口数据时为空 / null without data"
    )
    slots_as_of: dt.date = Field(description="现有托位的统计日期 / date of the current slots")
    city: AreaForecastOut | None
    townships: list[AreaForecastOut]


# Endpoints ----------------------------------------------------------------------------


def _require_planning(request: HttpRequest) -> None:
    if not sees_planning(request.user):
        raise PermissionDenied(_("仅市卫健局和镇（街道）工作人员可查看规划分析。"))


@router.get(
    "/planning/access",
    operation_id="get_planning_access",
    response={200: AccessOut, **ERRORS},
    summary="普惠托位可达性与托育荒漠 / access to puhui slots and childcare deserts",
)
def access(request: HttpRequest, query: Query[AccessQuery]) -> dict[str, Any]:
    """Access (2SFCA / E2SFCA), slots in reach and deserts of every demand zone, for 小月龄
    slots and children under 2, and for the other slots and children of 24–36 months."""
    _require_planning(request)
    parameters = access_parameters(
        as_of=query.as_of,
        method=query.method,
        catchment_m=query.catchment_m,
        steps=query.steps,
        circuity=query.circuity,
        min_children=query.min_children,
        max_children_per_slot=query.max_children_per_slot,
        travel_scenario=query.travel_scenario,
    )
    result = access_analysis(parameters=parameters)
    return {"summary": summary_record(result), "zones": zone_records(result)}


@router.get(
    "/planning/forecast",
    operation_id="get_planning_forecast",
    response={200: ForecastOut, **ERRORS},
    summary="3 岁以下婴幼儿需求预测 / forecast of children under 3",
)
def forecast(request: HttpRequest, query: Query[ForecastQuery]) -> dict[str, Any]:
    """Observed then forecast children under 3 and under 2 by township and for the city, the
    assumptions used, and the slots each forecast year needs to hold the slots-per-1,000 target."""
    _require_planning(request)
    parameters = forecast_parameters(birth_trend=query.birth_trend, horizon=query.horizon)
    report = forecast_report(parameters=parameters)
    first = report.first_forecast_year
    return {
        "birth_trend": parameters.birth_trend,
        "horizon": parameters.horizon,
        "first_forecast_year": first,
        "slots_as_of": report.slots_as_of,
        "city": None if report.city is None else area_record(report.city, report.years, first),
        "townships": [area_record(area, report.years, first) for area in report.townships],
    }
