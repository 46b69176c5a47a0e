"""Presentation of indicator figures: labels, definitions and formatting.

Plain functions (used by views and exports) that are also registered as template
filters and tags, so a figure reads the same on a card, in a table cell, in an export
and on its drill-down page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tuoyu.engine.indicators import Figure

register = template.Library()

PERCENT = "percent"
PER_1000 = "per_1000"
BOOLEAN = "boolean"


@dataclass(frozen=True)
class FigureInfo:
    """How one indicator code is named, defined and shown."""

    code: str
    label: Promise
    short: Promise
    definition: Promise
    kind: str
    numerator: Promise
    denominator: Promise
    monitored: bool = False


FIGURES: dict[str, FigureInfo] = {
    info.code: info
    for info in (
        FigureInfo(
            "fee_ratio",
            _("普惠托育收费占人均可支配收入比"),
            _("收费占比"),
            _(
                "普惠托育机构全日托月收费的托位加权平均值 ÷ 上年度全体城乡居民人均可支配收入的月均值。"
                "每个机构的收费为其各班型当日执行的全日托收费按核定托位加权的平均值。目标：不高于 30%。"
            ),
            PERCENT,
            _("平均月收费（元）"),
            _("月人均可支配收入（元）"),
        ),
        FigureInfo(
            "slots_per_1000",
            _("每千名 3 岁以下婴幼儿托位数"),
            _("千名婴幼儿托位"),
            _(
                "已备案且正在运营的机构（含幼儿园托班和家庭托育点）的核定托位数 ÷ "
                "常住 3 岁以下婴幼儿数 × 1000。"
                "这不是国家口径的每千人口托位数（见监测指标）。目标：不低于 280。"
            ),
            PER_1000,
            _("核定托位数"),
            _("3 岁以下婴幼儿数"),
        ),
        FigureInfo(
            "kindergarten_share",
            _("托幼一体托位占比"),
            _("托幼一体占比"),
            _("幼儿园托班的托位数 ÷ 全部托位数。目标：不低于 65%。"),
            PERCENT,
            _("幼儿园托班托位数"),
            _("全部托位数"),
        ),
        FigureInfo(
            "puhui_share",
            _("普惠托位占比"),
            _("普惠占比"),
            _("公办机构和普惠认定在有效期内的普惠性民办机构的托位数 ÷ 全部托位数。目标：不低于 90%。"),
            PERCENT,
            _("普惠托位数"),
            _("全部托位数"),
        ),
        FigureInfo(
            "certified_share",
            _("从业人员持证率"),
            _("持证率"),
            _(
                "当日在岗的保育人员、幼儿园教师和卫生保健人员中，持有与岗位相符的有效证书的人次 ÷ 在岗人次。"
                "目标：不低于 90%。"
            ),
            PERCENT,
            _("持证在岗人次"),
            _("在岗人次"),
        ),
        FigureInfo(
            "catalog_published",
            _("基本公共服务目录清单"),
            _("目录清单"),
            _(
                "当日已发布、且至少包含一个服务事项的普惠托育基本公共服务目录清单。全市统一，各镇（街道）相同。"
            ),
            BOOLEAN,
            _("已发布目录"),
            _("要求"),
        ),
        FigureInfo(
            "young_infant_share",
            _("小月龄托位占比"),
            _("小月龄占比"),
            _("乳儿班和托小班（24 月龄以下）的托位数 ÷ 全部托位数。监测指标，无年度目标。"),
            PERCENT,
            _("小月龄托位数"),
            _("全部托位数"),
            monitored=True,
        ),
        FigureInfo(
            "young_infant_slots_per_1000",
            _("每千名 2 岁以下婴幼儿小月龄托位数"),
            _("千名 2 岁以下托位"),
            _("乳儿班和托小班的托位数 ÷ 常住 2 岁以下婴幼儿数 × 1000。监测指标，无年度目标。"),
            PER_1000,
            _("小月龄托位数"),
            _("2 岁以下婴幼儿数"),
            monitored=True,
        ),
        FigureInfo(
            "slots_per_1000_population",
            _("每千人口托位数（国家口径）"),
            _("千人口托位"),
            _("全部核定托位数 ÷ 常住人口 × 1000。国家口径，参考目标 4.5。"),
            PER_1000,
            _("核定托位数"),
            _("常住人口"),
            monitored=True,
        ),
    )
}


def figure_info(code: str) -> FigureInfo:
    return FIGURES[code]


def _number(value: float, decimals: int = 1) -> str:
    return f"{value:,.{decimals}f}"


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


@register.filter
def figure_label(code: str) -> str:
    info = FIGURES.get(code)
    return str(info.label) if info else code


@register.filter
def figure_short(code: str) -> str:
    info = FIGURES.get(code)
    return str(info.short) if info else code


@register.filter
def figure_value(figure: Figure | None) -> str:
    """The value as people read it: 8.3%, 233.3, 是 / 否; an em dash when undefined."""
    if figure is None or figure.value is None:
        return "—"
    kind = FIGURES[figure.code].kind
    if kind == PERCENT:
        return _percent(figure.value)
    if kind == BOOLEAN:
        return gettext("已发布") if figure.value >= 1 else gettext("未发布")
    return _number(figure.value)


@register.filter
def figure_target(figure: Figure | None) -> str:
    """The target with its direction: ≤ 30%, ≥ 280; an em dash when there is none."""
    if figure is None or figure.target is None:
        return "—"
    kind = FIGURES[figure.code].kind
    if kind == BOOLEAN:
        return gettext("须发布")
    sign = "≤" if figure.comparison == "max" else "≥"
    shown = _percent(figure.target) if kind == PERCENT else _number(figure.target)
    return f"{sign} {shown}"


@register.filter
def figure_sort_value(figure: Figure | None) -> str:
    """A number for client-side sorting; empty when undefined (sorted last)."""
    if figure is None or figure.value is None:
        return ""
    return repr(float(figure.value))


def figure_chart_value(figure: Figure | None) -> float | None:
    """The value on a chart's axis: percentages as 0–100, one decimal."""
    if figure is None or figure.value is None:
        return None
    kind = FIGURES[figure.code].kind
    if kind == PERCENT:
        return round(figure.value * 100, 1)
    return round(figure.value, 1)


def figure_chart_target(figure: Figure | None) -> float | None:
    if figure is None or figure.target is None:
        return None
    if FIGURES[figure.code].kind == PERCENT:
        return round(figure.target * 100, 1)
    return round(figure.target, 1)


def figure_status(figure: Figure | None) -> str:
    """达标 / 未达标 / 无目标 / 无数据, in the active language."""
    if figure is None or figure.value is None:
        return gettext("无数据")
    if figure.met is None:
        return gettext("无目标")
    return gettext("达标") if figure.met else gettext("未达标")


@register.simple_tag
def met_badge(figure: Figure | None) -> SafeString:
    """A badge with an icon and a word, so the state never depends on colour alone."""
    if figure is None or figure.value is None:
        return format_html(
            '<span class="badge badge-nodata"><span aria-hidden="true">–</span> {}</span>', gettext("无数据")
        )
    if figure.met is None:
        return format_html(
            '<span class="badge badge-monitor"><span aria-hidden="true">·</span> {}</span>', gettext("监测")
        )
    if figure.met:
        return format_html(
            '<span class="badge badge-met"><span aria-hidden="true">✓</span> {}</span>', gettext("达标")
        )
    return format_html(
        '<span class="badge badge-unmet"><span aria-hidden="true">✗</span> {}</span>', gettext("未达标")
    )


@register.filter
def fee_limit(figure: Figure | None) -> float | None:
    """The monthly fee limit of a fee-ratio figure (target × monthly income), CNY."""
    if figure is None or figure.target is None or not figure.denominator:
        return None
    return figure.target * figure.denominator


@register.filter
def cny(amount: float | int | None) -> str:
    if amount is None:
        return "—"
    return gettext("%(amount)s 元") % {"amount": _number(float(amount), 0)}


@register.filter
def number(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    return _number(float(value), int(decimals))


@register.filter
def exact(value: float | int | None) -> str:
    """A count without decimals, any other number with two: 725, 1,538.67."""
    if value is None:
        return "—"
    number = float(value)
    return _number(number, 0 if number.is_integer() else 2)


@register.filter
def latest_certificates(certificates: Any) -> list[tuple[Any, int]]:
    """The most recent certificate of each type, with how many older ones of that type there
    are (health certificates are renewed every year)."""
    by_type: dict[str, list[Any]] = {}
    for certificate in certificates:
        by_type.setdefault(certificate.cert_type, []).append(certificate)
    latest = []
    for group in by_type.values():
        group.sort(key=lambda certificate: (certificate.issued_on, certificate.pk))
        latest.append((group[-1], len(group) - 1))
    return sorted(latest, key=lambda pair: pair[0].cert_type)


@register.simple_tag
def figure_url(
    code: str, township_code: str | None = None, as_of: dt.date | None = None, **extra: Any
) -> str:
    """The drill-down page of one figure, for the city or a township, on a date."""
    query: dict[str, Any] = {}
    if township_code:
        query["township"] = township_code
    if as_of is not None:
        query["as_of"] = as_of.isoformat()
    query.update({key: value for key, value in extra.items() if value not in (None, "")})
    url = reverse("indicators:figure", kwargs={"code": code})
    return f"{url}?{urlencode(query)}" if query else url


@register.filter
def get_item(mapping: dict[Any, Any] | None, key: Any) -> Any:
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def valid_on(record: Any, day: dt.date) -> bool:
    """``record.is_valid_on(day)`` (certificates) or ``record.covers(day)`` (designations)."""
    if hasattr(record, "is_valid_on"):
        return bool(record.is_valid_on(day))
    return bool(record.covers(day))


@register.filter
def minutes(delta: dt.timedelta | None) -> int | None:
    if delta is None:
        return None
    return int(delta.total_seconds() // 60)


@register.filter
def bootstrap(field: Any) -> SafeString:
    """A form field's widget with Bootstrap classes, marked invalid when it has errors."""
    widget = field.field.widget
    input_type = getattr(widget, "input_type", "")
    if input_type == "checkbox":
        css = "form-check-input"
    elif input_type == "select" or widget.__class__.__name__.endswith("Select"):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    attrs = {"class": css}
    if field.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}_errors"
    elif field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_help"
    rendered: SafeString = field.as_widget(attrs=attrs)
    return rendered


@register.filter
def class_type_label(value: str) -> str:
    from tuoyu.registry.models import ClassType

    return str(dict(ClassType.choices).get(value, value))
