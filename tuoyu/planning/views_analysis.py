"""The access & childcare-desert page, its exports, the demand forecast and the zone import.

Thin views: parameters through a form, figures from :mod:`tuoyu.planning.access` and
:mod:`tuoyu.planning.forecasting`, the import through
:func:`tuoyu.planning.services.demand_zones_import`. Who may do what:

* anonymous visitors are sent to the login page;
* the bureau and township officials see the analyses and their exports
  (:func:`tuoyu.planning.selectors.sees_planning`); everyone else gets 403;
* only the bureau imports demand zones.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from tuoyu.accounts.models import User
from tuoyu.common.excel import FORMATS, Cell, Column, table_response
from tuoyu.indicators.views import township_geojson
from tuoyu.planning import services
from tuoyu.planning.access import GROUPS, AccessResult, access_analysis
from tuoyu.planning.access_tables import zone_records, zone_rows, zone_table
from tuoyu.planning.forecasting import ForecastReport, forecast_report
from tuoyu.planning.forms_analysis import AccessForm, ForecastForm, ZoneImportForm
from tuoyu.planning.selectors import sees_planning
from tuoyu.registry.models import Township
from tuoyu.registry.selectors import dataset_is_synthetic
from tuoyu.registry.views import bureau_admin_access

GROUP_LABELS = {
    "young": gettext_lazy("小月龄（2 岁以下）"),
    "older": gettext_lazy("2–3 岁"),
}
GROUP_SLOT_LABELS = {
    "young": gettext_lazy("乳儿班、托小班托位"),
    "older": gettext_lazy("托大班、混龄班托位"),
}

ZONE_COLUMN_HELP: dict[str, tuple[Any, str]] = {
    "code": (gettext_lazy("片区编码，全市唯一；已有该编码的片区将被更新"), "331082001001"),
    "name": (gettext_lazy("村（社区）名称；留空时用编码"), "示例社区"),
    "township_code": (gettext_lazy("所属镇（街道）的 12 位区划代码"), "331082001000"),
    "latitude": (gettext_lazy("纬度（十进制度，-90 到 90）"), "28.8583"),
    "longitude": (gettext_lazy("经度（十进制度，-180 到 180）"), "121.1446"),
    "year": (gettext_lazy("婴幼儿数的统计年份"), "2025"),
    "children_under_3": (gettext_lazy("3 岁以下婴幼儿数（非负整数）"), "120"),
    "children_under_2": (gettext_lazy("其中 2 岁以下婴幼儿数（不多于上一列）"), "80"),
}
"""What each column of :data:`tuoyu.planning.services.ZONE_COLUMNS` holds, shown on the import page."""


def planning_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; then only the bureau and township officials (403 for the others)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sees_planning(request.user):
            raise PermissionDenied(_("仅市卫健局和镇（街道）工作人员可查看规划分析。"))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _page_number(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


def _group(request: HttpRequest) -> str:
    group = request.GET.get("group", "young")
    return group if group in GROUPS else "young"


def _rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, digits)


# Access & deserts -------------------------------------------------------------------------


def _access_chart_data(result: AccessResult, *, group: str) -> dict[str, Any]:
    geojson, approximate = township_geojson(list(Township.objects.order_by("code")))
    rows = {g: zone_rows(result, group=g) for g in GROUPS}
    return {
        "group": group,
        "geojson": geojson,
        "approximate": approximate,
        "threshold": 1.0 / result.parameters.max_children_per_slot,
        "groups": {g: str(GROUP_LABELS[g]) for g in GROUPS},
        "zones": [
            {
                "name": point.name,
                "code": point.code,
                "township": point.township_name,
                "lon": point.longitude,
                "lat": point.latitude,
                **{
                    g: {
                        "children": round(rows[g][i].children, 1),
                        "reach": rows[g][i].slots_in_reach,
                        "access": _rounded(rows[g][i].access),
                        "desert": rows[g][i].desert,
                    }
                    for g in GROUPS
                },
            }
            for i, point in enumerate(result.points)
        ],
        "institutions": [
            {
                "name": s.name,
                "lon": s.longitude,
                "lat": s.latitude,
                "young": s.young_slots,
                "older": s.older_slots,
            }
            for s in result.supply
        ],
        "text": {
            "access": _("可达性（托位/人）"),
            "children": _("婴幼儿数"),
            "reach": _("服务半径内托位"),
            "desert": _("托育荒漠"),
            "zones": _("需求片区"),
            "institutions": _("普惠机构"),
            "slots": _("托位"),
            "unbounded": _("无需求"),
            "longitude": _("经度"),
            "latitude": _("纬度"),
        },
    }


TABLE_COLUMNS: tuple[tuple[str, Any, bool], ...] = (
    ("township", gettext_lazy("镇（街道）"), False),
    ("zone", gettext_lazy("片区"), False),
    ("children", gettext_lazy("婴幼儿数"), True),
    ("slots", gettext_lazy("服务半径内托位"), True),
    ("access", gettext_lazy("可达性（托位/人）"), True),
    ("per_slot", gettext_lazy("每托位婴幼儿数"), True),
    ("desert", gettext_lazy("托育荒漠"), False),
)


@planning_access
@require_GET
def access(request: HttpRequest) -> HttpResponse:
    form = AccessForm(request.GET)
    parameters = form.parameters()
    result = access_analysis(parameters=parameters)
    group = _group(request)
    table = zone_table(
        result,
        group=group,
        sort=request.GET.get("sort", "township"),
        descending=request.GET.get("order") == "desc",
        page=_page_number(request),
    )
    user = request.user
    context = {
        "form": form,
        "parameters": parameters,
        "result": result,
        "group": group,
        "group_label": GROUP_LABELS[group],
        "groups": [(g, GROUP_LABELS[g], GROUP_SLOT_LABELS[g], result.summaries[g]) for g in GROUPS],
        "table": table,
        "columns": TABLE_COLUMNS,
        "synthetic": dataset_is_synthetic(),
        "may_import": isinstance(user, User) and user.is_bureau_admin,
        "chart_data": _access_chart_data(result, group=group),
    }
    return render(request, "planning/access.html", context)


def _export_columns() -> list[Column]:
    columns = [
        Column("镇（街道）", "Township", 14),
        Column("区划代码", "Township code", 15),
        Column("片区编码", "Zone code", 15),
        Column("片区名称", "Zone", 16),
        Column("纬度", "Latitude", 10),
        Column("经度", "Longitude", 10),
        Column("3 岁以下婴幼儿数", "Children under 3", 12),
    ]
    for zh, en, children_zh, children_en in (
        ("小月龄", "Under 2", "2 岁以下婴幼儿数", "children under 2"),
        ("2–3 岁", "Age 2–3", "24–36 个月婴幼儿数", "children 24–36 months"),
    ):
        columns += [
            Column(f"{zh}：{children_zh}", f"{en}: {children_en}", 14),
            Column(f"{zh}：服务半径内普惠托位", f"{en}: puhui slots in reach", 14),
            Column(f"{zh}：可达性（托位/人）", f"{en}: access (slots per child)", 14),
            Column(f"{zh}：每托位婴幼儿数", f"{en}: children per slot", 14),
            Column(f"{zh}：托育荒漠", f"{en}: childcare desert", 12),
        ]
    return columns


def _export_rows(result: AccessResult) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for record in zone_records(result):
        row: list[Cell] = [
            record["township"],
            record["township_code"],
            record["code"],
            record["name"],
            record["latitude"],
            record["longitude"],
            round(record["children_under_3"], 1),
        ]
        for group in GROUPS:
            figures = record[group]
            row += [
                round(figures["children"], 1),
                figures["slots_in_reach"],
                _rounded(figures["access"]),
                _rounded(figures["children_per_slot"], 2),
                figures["desert"],
            ]
        rows.append(row)
    return rows


def _export_notes(result: AccessResult) -> list[str]:
    p = result.parameters
    method = "E2SFCA" if p.method == "e2sfca" else "2SFCA"
    notes = [
        f"统计日期 / as of: {p.as_of.isoformat()}",
        f"方法 / method: {method}; 服务半径 / catchment: {p.catchment_m:g} m; "
        f"绕行系数 / circuity: {p.circuity:g}",
        f"托育荒漠 / desert: ≥ {p.min_children:g} 名婴幼儿且每托位超过 "
        f"{p.max_children_per_slot:g} 名或半径内无托位 / at least {p.min_children:g} children "
        f"and more than {p.max_children_per_slot:g} per slot or none in reach",
        "托位：已备案、在办普惠机构（公办及有效认定的普惠性民办）在办班级的核定托位"
        " / slots: approved slots of filed, operating puhui institutions",
    ]
    if p.method == "e2sfca":
        notes.insert(2, f"距离衰减分级 / steps: {p.steps_text}")
    if result.township_fallback:
        notes.append(
            "尚无需求片区：以镇（街道）中心点代表全镇婴幼儿 / no demand zones: township centres used"
        )
    return notes


@planning_access
@require_GET
def access_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404(_("不支持的导出格式。"))
    parameters = AccessForm(request.GET).parameters()
    result = access_analysis(parameters=parameters)
    with translation.override("zh-hans"):  # the Chinese header row, whatever the request's language
        columns = _export_columns()
    return table_response(
        fmt,
        basename=f"tuoyu-access-{parameters.as_of.isoformat()}",
        title=f"普惠托位可达性与托育荒漠（分片区） / Access to puhui slots by zone, as of {parameters.as_of}",
        columns=columns,
        rows=_export_rows(result),
        synthetic=dataset_is_synthetic(),
        notes=_export_notes(result),
    )


# Forecast ---------------------------------------------------------------------------------


def _forecast_chart_data(report: ForecastReport) -> dict[str, Any]:
    areas = ([report.city] if report.city is not None else []) + report.townships
    return {
        "years": report.years,
        "first_forecast_year": report.first_forecast_year,
        "areas": [
            {"code": area.code, "name": area.name, "under_3": area.under_3, "under_2": area.under_2}
            for area in areas
        ],
        "text": {
            "under_3": _("3 岁以下婴幼儿"),
            "under_2": _("2 岁以下婴幼儿"),
            "observed": _("实际"),
            "forecast": _("预测"),
            "children": _("婴幼儿数"),
        },
    }


@planning_access
@require_GET
def forecast(request: HttpRequest) -> HttpResponse:
    form = ForecastForm(request.GET)
    report = forecast_report(parameters=form.parameters())
    areas = ([report.city] if report.city is not None else []) + report.townships
    last_observed = len(report.observed_years) - 1
    assumptions = [
        (
            area,
            None if area.birth_trend is None else area.birth_trend * 100,
            area.under_3[last_observed] if last_observed >= 0 else None,
            area.under_3[-1] if area.under_3 else None,
        )
        for area in report.townships
    ]
    context = {
        "form": form,
        "report": report,
        "areas": areas,
        "year_targets": [(year, report.targets[year][0]) for year in report.forecast_years],
        "assumptions": assumptions,
        "synthetic": dataset_is_synthetic(),
        "chart_data": _forecast_chart_data(report),
    }
    return render(request, "planning/forecast.html", context)


# Demand-zone import -------------------------------------------------------------------------


@bureau_admin_access
@require_http_methods(["GET", "POST"])
def zone_import(request: HttpRequest) -> HttpResponse:
    """Upload demand zones as CSV; all or nothing, the first problem named by row and column."""
    form = ZoneImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        try:
            count = services.demand_zones_import(
                actor=request.user, text=form.text(), file=form.cleaned_data["file"].name
            )
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(
                request,
                ngettext("已导入 %(count)s 个需求片区。", "已导入 %(count)s 个需求片区。", count)
                % {"count": count},
            )
            return redirect("planning:zone_import")
    townships = list(Township.objects.annotate(zones=Count("demand_zones")).order_by("code"))
    columns = [(name, *ZONE_COLUMN_HELP.get(name, ("", ""))) for name in services.ZONE_COLUMNS]
    context = {
        "form": form,
        "problems": problems,
        "columns": columns,
        "header": ",".join(name for name, _help, _example in columns),
        "example": ",".join(example for _name, _help, example in columns),
        "townships": townships,
        "total": sum(t.zones for t in townships),  # type: ignore[attr-defined]
    }
    return render(request, "planning/zone_import.html", context)
