"""Dashboard, township page and drill-down of the 2025 targets.

The figures are aggregates without personal data, so every visitor may read them; the
records behind a figure are read through the registry's selectors, so each role sees
only the records it may see. The number of queries of these pages does not grow with the
size of the registry (the loader reads each table once).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from tuoyu.accounts.models import User
from tuoyu.common.templatetags.tuoyu_tags import (
    FIGURES,
    FigureInfo,
    figure_chart_target,
    figure_chart_value,
    figure_url,
)
from tuoyu.engine import codes
from tuoyu.engine.indicators import ALL_CODES, Figure
from tuoyu.indicators import exports
from tuoyu.indicators.forms import AsOfForm
from tuoyu.indicators.selectors import (
    figure_record_page,
    indicator_report,
    indicator_trend,
    report_townships,
    township_or_none,
    township_population,
)
from tuoyu.registry import standards
from tuoyu.registry.models import AgeBand, Township
from tuoyu.registry.selectors import dataset_is_synthetic, institutions_visible_to

TABLE_CODES = codes.INDICATOR_CODES


@dataclass(frozen=True)
class Card:
    code: str
    info: FigureInfo
    figure: Figure
    url: str


@dataclass(frozen=True)
class TownshipRow:
    township: Township
    figures: dict[str, Figure]
    cells: list[tuple[str, Figure | None, str]]
    violations: int
    unmet: int
    violations_url: str


def _page_number(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


def _as_of(request: HttpRequest) -> tuple[AsOfForm, dt.date]:
    form = AsOfForm(request.GET or None)
    return form, form.as_of_date()


def _geometry(boundary: Any) -> dict[str, Any] | None:
    """The GeoJSON geometry in a township's boundary (a geometry, a Feature or a collection)."""
    if not isinstance(boundary, dict):
        return None
    kind = boundary.get("type")
    if kind in ("Polygon", "MultiPolygon"):
        return boundary
    if kind == "Feature":
        return _geometry(boundary.get("geometry"))
    if kind == "FeatureCollection" and boundary.get("features"):
        return _geometry(boundary["features"][0])
    return None


def township_geojson(townships: list[Township]) -> tuple[dict[str, Any] | None, bool]:
    """A FeatureCollection of the townships' boundaries (None when there are none), and
    whether any shape is approximate."""
    features = []
    approximate = False
    for township in townships:
        geometry = _geometry(township.boundary)
        if geometry is None:
            continue
        approximate = approximate or township.boundary_approximate
        features.append(
            {
                "type": "Feature",
                "properties": {"name": township.name, "code": township.code},
                "geometry": geometry,
            }
        )
    if not features:
        return None, False
    return {"type": "FeatureCollection", "features": features}, approximate


def _cards(
    figures: dict[str, Figure], wanted: tuple[str, ...], as_of: dt.date, township: str | None
) -> list[Card]:
    return [
        Card(code, FIGURES[code], figures[code], figure_url(code, township, as_of))
        for code in wanted
        if code in figures
    ]


TOWNSHIP_PAGE_SIZE = 100
TOWNSHIP_SORTS = ("name", *TABLE_CODES, "unmet", "violations")


@dataclass(frozen=True)
class TownshipTable:
    """One page of the township table, sorted on the server so a province still renders fast."""

    rows: list[TownshipRow]
    sort: str
    descending: bool
    number: int
    pages: int

    @property
    def previous(self) -> int:
        return self.number - 1

    @property
    def next(self) -> int:
        return self.number + 1


def _unmet(figures: dict[str, Figure]) -> int:
    return sum(1 for code in TABLE_CODES if code in figures and figures[code].met is False)


def _township_sort_key(
    township: Township, figures: dict[str, Figure], sort: str, violations: dict[int, int]
) -> tuple[Any, ...]:
    if sort == "unmet":
        return (0, _unmet(figures), township.code)
    if sort == "violations":
        return (0, violations.get(township.pk, 0), township.code)
    figure = figures.get(sort)
    if figure is None or figure.value is None:
        return (1, 0.0, township.code)  # undefined figures sort last either way
    return (0, figure.value, township.code)


def _township_table(
    *,
    townships: list[Township],
    figures_by_township: dict[int, dict[str, Figure]],
    as_of: dt.date,
    violations: dict[int, int],
    user: Any,
    sort: str,
    descending: bool,
    page: int,
) -> TownshipTable:
    if sort == "name":
        ordered = sorted(townships, key=lambda township: township.code, reverse=descending)
    else:
        keyed = [
            (_township_sort_key(place, figures_by_township.get(place.pk, {}), sort, violations), place)
            for place in townships
        ]
        defined = sorted(
            (item for item in keyed if item[0][0] == 0), key=lambda item: item[0], reverse=descending
        )
        undefined = [item for item in keyed if item[0][0] == 1]
        ordered = [township for _key, township in defined + undefined]
    pages = max(1, -(-len(ordered) // TOWNSHIP_PAGE_SIZE))
    number = min(max(page, 1), pages)
    start = (number - 1) * TOWNSHIP_PAGE_SIZE
    list_url = reverse("registry:institution_list")
    rows = []
    for township in ordered[start : start + TOWNSHIP_PAGE_SIZE]:
        figures = figures_by_township.get(township.pk, {})
        cells = [(code, figures.get(code), figure_url(code, township.code, as_of)) for code in TABLE_CODES]
        # The filtered institution list, for those who may see that township's institutions.
        linkable = isinstance(user, User) and (
            user.is_bureau_admin or (user.is_township_official and user.township_id == township.pk)
        )
        url = f"{list_url}?township={township.pk}&violations=on&as_of={as_of.isoformat()}" if linkable else ""
        count = violations.get(township.pk, 0)
        rows.append(TownshipRow(township, figures, cells, count, _unmet(figures), url))
    return TownshipTable(rows, sort, descending, number, pages)


def _chart_data(
    *,
    trend: list[Any],
    townships: list[Township],
    as_of: dt.date,
) -> dict[str, Any]:
    geojson, approximate = township_geojson(townships)
    city = trend[-1].city
    by_township = trend[-1].townships
    # One reverse() for all townships: a province has 1,500 of them.
    township_url = reverse("indicators:township", kwargs={"code": "CODE"}).replace("CODE", "{code}")
    return {
        "as_of": as_of.isoformat(),
        "trend": {
            "dates": [report.as_of.isoformat() for report in trend],
            "codes": {
                code: {
                    "values": [figure_chart_value(report.city.get(code)) for report in trend],
                    "target": figure_chart_target(city.get(code)),
                    "percent": FIGURES[code].kind == "percent",
                }
                for code in ALL_CODES
            },
        },
        "labels": {code: str(FIGURES[code].label) for code in ALL_CODES},
        "percent": {code: FIGURES[code].kind == "percent" for code in ALL_CODES},
        "targets": {code: figure_chart_target(city.get(code)) for code in ALL_CODES},
        "townships": [
            {
                "name": township.name,
                "code": township.code,
                "url": township_url.format(code=township.code) + f"?as_of={as_of}",
                "lat": township.latitude,
                "lon": township.longitude,
                "values": {code: figure_chart_value(figures.get(code)) for code in ALL_CODES},
                "met": {code: (figures[code].met if code in figures else None) for code in ALL_CODES},
            }
            for township in townships
            for figures in (by_township.get(township.pk, {}),)
        ],
        "geojson": geojson,
        "approximate": approximate,
        "text": {
            "target": _("目标"),
            "value": _("数值"),
            "approximate": _("边界为示意，非精确 / approximate shapes"),
            "no_data": _("无数据"),
            "longitude": _("经度"),
            "latitude": _("纬度"),
        },
    }


def dashboard(request: HttpRequest) -> HttpResponse:
    form, as_of = _as_of(request)
    trend = indicator_trend(as_of=as_of)
    report = trend[-1]
    townships = report_townships()
    by_township = standards.violation_counts_by_township(as_of=as_of)
    user = request.user
    sort = request.GET.get("sort", "name")
    table = _township_table(
        townships=townships,
        figures_by_township=report.townships,
        as_of=as_of,
        violations=by_township,
        user=user,
        sort=sort if sort in TOWNSHIP_SORTS else "name",
        descending=request.GET.get("order") == "desc",
        page=_page_number(request),
    )
    context = {
        "form": form,
        "as_of": as_of,
        "report": report,
        "cards": _cards(report.city, codes.INDICATOR_CODES, as_of, None),
        "monitored": _cards(report.city, codes.MONITORED_CODES, as_of, None),
        "rows": table.rows,
        "table": table,
        "table_codes": TABLE_CODES,
        "city_cells": [(code, report.city.get(code), figure_url(code, None, as_of)) for code in TABLE_CODES],
        "violating_institutions": sum(by_township.values()),
        "sees_registry": isinstance(user, User) and user.sees_registry,
        "chart_data": _chart_data(trend=trend, townships=townships, as_of=as_of),
    }
    return render(request, "indicators/dashboard.html", context)


def township(request: HttpRequest, code: str) -> HttpResponse:
    place = township_or_none(code)
    if place is None:
        raise Http404(_("没有该镇（街道）。"))
    form, as_of = _as_of(request)
    report = indicator_report(as_of=as_of)
    figures = report.townships.get(place.pk, {})
    user = request.user
    institutions = list(
        institutions_visible_to(user).filter(township=place).select_related("township").order_by("name")
    )
    violations = standards.violations_for(institutions_visible_to(user).filter(township=place), as_of=as_of)
    year, population = township_population(township=place, year=as_of.year)
    band_labels = dict(AgeBand.choices)
    context = {
        "form": form,
        "as_of": as_of,
        "township": place,
        "cards": _cards(figures, codes.INDICATOR_CODES, as_of, place.code),
        "monitored": _cards(figures, codes.MONITORED_CODES, as_of, place.code),
        "institutions": institutions,
        "violations": {pk: len(found) for pk, found in violations.items()},
        "sees_registry": isinstance(user, User) and user.sees_registry,
        "population_year": year,
        "population": [(band_labels.get(band, band), children) for band, children in population],
        "population_total": sum(children for _band, children in population),
    }
    return render(request, "indicators/township.html", context)


def scope_note(user: Any) -> str:
    """What part of the records the user may see, in words."""
    if not isinstance(user, User) or not user.sees_registry:
        return _("明细记录仅向市卫健局、镇（街道）和托育机构的工作人员开放；此处只显示汇总数字。")
    if user.is_bureau_admin:
        return ""
    if user.is_township_official:
        return _("您仅能查看本镇（街道）的明细。")
    return _("您仅能查看本机构的明细。")


def figure(request: HttpRequest, code: str) -> HttpResponse:
    if code not in ALL_CODES:
        raise Http404(_("没有该指标。"))
    form, as_of = _as_of(request)
    township_code = request.GET.get("township") or None
    place = township_or_none(township_code)
    if township_code and place is None:
        raise Http404(_("没有该镇（街道）。"))
    report = indicator_report(as_of=as_of)
    figures = report.city if place is None else report.townships.get(place.pk, {})
    if code not in figures:
        raise Http404(_("没有该指标。"))
    shown = figures[code]
    which = request.GET.get("records")
    which = which if which in ("counted", "considered") else "counted"
    user = request.user
    page = _page_number(request)
    records = figure_record_page(user=user, figure=shown, as_of=as_of, which=which, page=page)
    info = FIGURES[code]
    context = {
        "form": form,
        "as_of": as_of,
        "code": code,
        "info": info,
        "figure": shown,
        "township": place,
        "records": records,
        "which": which,
        "hidden": [("township", township_code), ("records", which)],
        "scope_note": scope_note(user),
        "sees_registry": isinstance(user, User) and user.sees_registry,
        "counted_url": figure_url(code, township_code, as_of, records="counted"),
        "considered_url": figure_url(code, township_code, as_of, records="considered"),
        "city_url": figure_url(code, None, as_of),
        "counted_total": len(shown.counted_ids),
        "considered_total": len(shown.considered_ids),
    }
    return render(request, "indicators/figure.html", context)


def township_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("xlsx", "csv"):
        raise Http404(_("不支持的导出格式。"))
    _form, as_of = _as_of(request)
    report = indicator_report(as_of=as_of)
    townships = report_townships()
    violations = standards.violation_counts_by_township(as_of=as_of)
    return exports.township_table(
        fmt, report=report, townships=townships, violations=violations, synthetic=dataset_is_synthetic()
    )
