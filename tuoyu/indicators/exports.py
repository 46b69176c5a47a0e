"""The township table of the dashboard as .xlsx or .csv."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import translation

from tuoyu.common.excel import Cell, Column, table_response
from tuoyu.common.templatetags.tuoyu_tags import FIGURES, PERCENT
from tuoyu.engine import codes
from tuoyu.engine.indicators import Figure, IndicatorReport
from tuoyu.registry.models import Township

# English names of the figures for the second header row (the first is the Chinese label).
ENGLISH = {
    "fee_ratio": "Puhui fee / monthly disposable income",
    "slots_per_1000": "Slots per 1,000 children under 3",
    "kindergarten_share": "Kindergarten-integrated share of slots",
    "puhui_share": "Puhui share of slots",
    "certified_share": "Staff certification rate",
    "catalog_published": "Service catalog published",
    "young_infant_share": "Young-infant (under 24 months) share of slots",
    "young_infant_slots_per_1000": "Young-infant slots per 1,000 children under 2",
    "slots_per_1000_population": "Slots per 1,000 population (national measure)",
}


def _value(figure: Figure | None) -> float | None:
    if figure is None or figure.value is None:
        return None
    if FIGURES[figure.code].kind == PERCENT:
        return round(figure.value * 100, 2)
    return round(figure.value, 2)


def _met(figure: Figure | None) -> str:
    if figure is None or figure.met is None:
        return ""
    return "达标 / met" if figure.met else "未达标 / not met"


def columns() -> list[Column]:
    result = [Column("镇（街道）", "Township", 16), Column("区划代码", "Division code", 15)]
    for code in codes.INDICATOR_CODES:
        unit = "（%）" if FIGURES[code].kind == PERCENT else ""
        en_unit = " (%)" if FIGURES[code].kind == PERCENT else ""
        result.append(Column(f"{FIGURES[code].label}{unit}", ENGLISH[code] + en_unit, 18))
        result.append(Column(f"{FIGURES[code].short}是否达标", f"{ENGLISH[code]}: met", 12))
    for code in codes.MONITORED_CODES:
        unit = "（%）" if FIGURES[code].kind == PERCENT else ""
        en_unit = " (%)" if FIGURES[code].kind == PERCENT else ""
        result.append(Column(f"{FIGURES[code].label}{unit}", ENGLISH[code] + en_unit, 18))
    result.append(Column("不符合国家标准的机构数", "Institutions breaking national standards", 14))
    return result


def _row(name: str, code: str, figures: dict[str, Figure], violations: int) -> list[Cell]:
    row: list[Cell] = [name, code]
    for figure_code in codes.INDICATOR_CODES:
        figure = figures.get(figure_code)
        row += [_value(figure), _met(figure)]
    for figure_code in codes.MONITORED_CODES:
        row.append(_value(figures.get(figure_code)))
    row.append(violations)
    return row


def township_table(
    fmt: str,
    *,
    report: IndicatorReport,
    townships: list[Township],
    violations: dict[int, int],
    synthetic: bool,
) -> HttpResponse:
    """One row per township, then the city; Chinese labels are the source strings."""
    rows = [
        _row(
            township.name,
            township.code,
            report.townships.get(township.pk, {}),
            violations.get(township.pk, 0),
        )
        for township in townships
    ]
    rows.append(_row("全市", "331082", report.city, sum(violations.values())))
    with translation.override("zh-hans"):  # the Chinese header row, whatever the request's language
        header = columns()
    return table_response(
        fmt,
        basename=f"tuoyu-townships-{report.as_of.isoformat()}",
        title=f"临海市普惠托育 2025 年目标完成情况（分镇街） / Targets by township, as of {report.as_of}",
        columns=header,
        rows=rows,
        synthetic=synthetic,
        notes=[f"统计日期 / as of: {report.as_of.isoformat()}"],
    )
