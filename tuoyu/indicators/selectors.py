"""Reads of the indicators: the report for a date, its trend, and the records behind a figure.

The figures are aggregates with no personal data, so anyone may read them. The records
behind a figure are read through the registry's selectors, so each role sees only the
records it may see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from tuoyu.engine.indicators import Figure, IndicatorReport, Targets, compute_indicators
from tuoyu.indicators.loader import certification_rules, registry_snapshot
from tuoyu.indicators.models import TargetSet
from tuoyu.registry.models import CareClass, Employment, Institution, Township
from tuoyu.registry.selectors import (
    AnyUser,
    classes_visible_to,
    employments_visible_to,
    institutions_visible_to,
)


def targets_for(*, year: int) -> tuple[Targets, int | None]:
    """The target set of ``year``, else of the latest earlier year, else the 2025 defaults.

    Returns the targets and the year of the set used (None for the built-in defaults).
    """
    target_set = TargetSet.objects.filter(year__lte=year).order_by("-year").first()
    if target_set is None:
        target_set = TargetSet.objects.order_by("year").first()
    if target_set is None:
        return Targets(), None
    return target_set.as_engine_targets(), target_set.year


def indicator_report(*, as_of: dt.date) -> IndicatorReport:
    targets, _year = targets_for(year=as_of.year)
    rules = certification_rules()
    return compute_indicators(
        registry_snapshot(as_of=as_of, rules=rules), as_of=as_of, targets=targets, certification=rules
    )


def trend_dates(*, as_of: dt.date, years: int = 3) -> list[dt.date]:
    """Year-ends before ``as_of`` followed by ``as_of`` itself, oldest first."""
    year_ends = [dt.date(as_of.year - offset, 12, 31) for offset in range(years - 1, 0, -1)]
    return [day for day in year_ends if day < as_of] + [as_of]


def indicator_trend(*, as_of: dt.date, years: int = 3) -> list[IndicatorReport]:
    return [indicator_report(as_of=day) for day in trend_dates(as_of=as_of, years=years)]


@dataclass(frozen=True)
class FigureRecords:
    """The records behind one figure that the user may see."""

    figure: Figure
    kind: str
    counted: QuerySet[CareClass] | QuerySet[Institution] | QuerySet[Employment] | None
    considered: QuerySet[CareClass] | QuerySet[Institution] | QuerySet[Employment] | None


def figure_records(*, user: AnyUser, figure: Figure) -> FigureRecords:
    ids_counted = [int(value) for value in figure.counted_ids]
    ids_considered = [int(value) for value in figure.considered_ids]
    if figure.record_kind == "class":
        classes = classes_visible_to(user).select_related("institution", "institution__township")
        return FigureRecords(figure, "class", classes.filter(pk__in=ids_counted),
                             classes.filter(pk__in=ids_considered))
    if figure.record_kind == "institution":
        institutions = institutions_visible_to(user).select_related("township")
        return FigureRecords(figure, "institution", institutions.filter(pk__in=ids_counted),
                             institutions.filter(pk__in=ids_considered))
    if figure.record_kind == "employment":
        employments = employments_visible_to(user).select_related("staff", "institution")
        return FigureRecords(figure, "employment", employments.filter(pk__in=ids_counted),
                             employments.filter(pk__in=ids_considered))
    return FigureRecords(figure, figure.record_kind, None, None)


def township_or_none(township_code: str | None) -> Township | None:
    if not township_code:
        return None
    return Township.objects.filter(code=township_code).first()
