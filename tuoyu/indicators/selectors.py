"""Reads of the indicators: the report for a date, its trend, and the records behind a figure.

The figures are aggregates with no personal data, so anyone may read them. The records
behind a figure are read through the registry's selectors, so each role sees only the
records it may see.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db.models import Q, QuerySet

from tuoyu.common.revision_cache import RevisionCache
from tuoyu.engine.indicators import Figure, IndicatorReport, Targets, compute_indicators
from tuoyu.indicators.loader import certification_rules, registry_snapshots
from tuoyu.indicators.models import CatalogItem, TargetSet
from tuoyu.registry.models import (
    AgeBand,
    CareClass,
    ChildPopulation,
    Employment,
    Fee,
    Institution,
    Township,
)
from tuoyu.registry.selectors import (
    AnyUser,
    classes_visible_to,
    employments_visible_to,
    institutions_visible_to,
    registry_revision,
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


_reports: RevisionCache[IndicatorReport] = RevisionCache(size=16)


def indicator_reports(*, dates: Sequence[dt.date]) -> list[IndicatorReport]:
    """The figures on each of ``dates``, computed once per registry revision in this process.

    Dates not yet known for the current revision are computed together from one read of
    the registry. A report for a revision that has since changed is never returned: the
    revision is part of the key, and it is read afresh on every call.
    """
    rules = certification_rules()
    revision = (
        registry_revision(),
        tuple(sorted((role, tuple(sorted(types))) for role, types in rules.qualifying.items())),
    )
    found: dict[dt.date, IndicatorReport] = {}
    for day in dates:
        cached = _reports.get((day, revision))
        if cached is not None:
            found[day] = cached
    missing = sorted({day for day in dates if day not in found})
    if missing:
        snapshots = registry_snapshots(dates=missing, rules=rules)
        for day in missing:
            targets, _year = targets_for(year=day.year)
            found[day] = compute_indicators(snapshots[day], as_of=day, targets=targets, certification=rules)
        for day in missing:
            _reports.put((day, revision), found[day])
    return [found[day] for day in dates]


def indicator_report(*, as_of: dt.date) -> IndicatorReport:
    """The figures on ``as_of`` (see ``indicator_reports``)."""
    return indicator_reports(dates=[as_of])[0]


def trend_dates(*, as_of: dt.date, years: int = 3) -> list[dt.date]:
    """Year-ends before ``as_of`` followed by ``as_of`` itself, oldest first."""
    year_ends = [dt.date(as_of.year - offset, 12, 31) for offset in range(years - 1, 0, -1)]
    return [day for day in year_ends if day < as_of] + [as_of]


def indicator_trend(*, as_of: dt.date, years: int = 3) -> list[IndicatorReport]:
    return indicator_reports(dates=trend_dates(as_of=as_of, years=years))


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
        return FigureRecords(
            figure, "class", classes.filter(pk__in=ids_counted), classes.filter(pk__in=ids_considered)
        )
    if figure.record_kind == "institution":
        institutions = institutions_visible_to(user).select_related("township")
        return FigureRecords(
            figure,
            "institution",
            institutions.filter(pk__in=ids_counted),
            institutions.filter(pk__in=ids_considered),
        )
    if figure.record_kind == "employment":
        employments = employments_visible_to(user).select_related("staff", "institution")
        return FigureRecords(
            figure,
            "employment",
            employments.filter(pk__in=ids_counted),
            employments.filter(pk__in=ids_considered),
        )
    return FigureRecords(figure, figure.record_kind, None, None)


def township_or_none(township_code: str | None) -> Township | None:
    if not township_code:
        return None
    return Township.objects.filter(code=township_code).first()


# Pages of the records behind a figure ---------------------------------------------------

RECORDS_PAGE_SIZE = 50


@dataclass(frozen=True)
class RecordPage:
    """One page of the records behind a figure that the user may see.

    ``total`` counts every record behind the figure (all scopes), ``visible`` those the
    user may see; ``records`` holds the page's model instances in id order. Institution
    records carry ``fee_in_force`` (slot-weighted full-day fee, CNY a month, or None) and
    ``fee_rows`` (class type, fee, slots) for the as-of date. ``counted_on_page`` holds the
    ids of the page's records that are also counted in the numerator.
    """

    figure: Figure
    kind: str
    which: str
    records: list[Any]
    total: int
    visible: int
    page: int
    pages: int
    page_size: int
    counted_on_page: frozenset[int] = frozenset()

    @property
    def start_index(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.visible else 0

    @property
    def end_index(self) -> int:
        return min(self.page * self.page_size, self.visible)


def _visible_ids(kind: str, user: AnyUser) -> npt.NDArray[np.int64]:
    visible = {
        "class": classes_visible_to,
        "institution": institutions_visible_to,
        "employment": employments_visible_to,
    }[kind](user)
    return np.fromiter(visible.values_list("pk", flat=True), dtype=np.int64)


def _attach_fees(institutions: list[Institution], as_of: dt.date) -> None:
    """Set ``fee_in_force`` and ``fee_rows`` on each institution (two queries in all)."""
    ids = [institution.pk for institution in institutions]
    slots: dict[tuple[int, str], float] = defaultdict(float)
    active_classes = (
        CareClass.objects.filter(institution_id__in=ids)
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=as_of))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))
        .values_list("institution_id", "class_type", "approved_slots")
    )
    for institution_id, class_type, approved in active_classes:
        slots[(institution_id, class_type)] += approved
    in_force: dict[tuple[int, str], Fee] = {}
    fees = (
        Fee.objects.filter(institution_id__in=ids, effective_from__lte=as_of)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=as_of))
        .order_by("effective_from")
    )
    for fee in fees:
        in_force[(fee.institution_id, fee.class_type)] = fee  # the latest start wins
    for institution in institutions:
        rows = [
            (class_type, float(fee.full_day_monthly), slots.get((institution_id, class_type), 0.0))
            for (institution_id, class_type), fee in sorted(in_force.items())
            if institution_id == institution.pk
        ]
        weight = sum(row_slots for _type, _fee, row_slots in rows)
        institution.fee_rows = rows  # type: ignore[attr-defined]
        institution.fee_in_force = (  # type: ignore[attr-defined]
            sum(amount * row_slots for _type, amount, row_slots in rows) / weight if weight else None
        )


def figure_record_page(
    *,
    user: AnyUser,
    figure: Figure,
    as_of: dt.date,
    which: str = "counted",
    page: int = 1,
    page_size: int = RECORDS_PAGE_SIZE,
) -> RecordPage:
    """A page of the counted (numerator) or considered (denominator) records of a figure.

    The figure's id arrays are intersected with the ids the user may see (one query of
    ids, no IN list), and only the page's ids are queried, so the SQL never carries more
    than ``page_size`` parameters for the records, whatever the size of the registry.
    """
    if figure.record_kind == "catalog":
        items = CatalogItem.objects.filter(catalog__published_on__lte=as_of).select_related("catalog")
        total = items.count()
        pages = max(1, -(-total // page_size))
        page = min(max(page, 1), pages)
        start = (page - 1) * page_size
        catalog_items = list(items.order_by("catalog__published_on", "id")[start : start + page_size])
        return RecordPage(figure, "catalog", which, catalog_items, total, total, page, pages, page_size)

    ids = np.asarray(figure.counted_ids if which == "counted" else figure.considered_ids, dtype=np.int64)
    if figure.record_kind not in ("class", "institution", "employment"):
        return RecordPage(figure, figure.record_kind, which, [], int(ids.size), 0, 1, 1, page_size)
    mine = np.intersect1d(ids, _visible_ids(figure.record_kind, user))
    pages = max(1, -(-int(mine.size) // page_size))
    page = min(max(page, 1), pages)
    page_ids = [int(value) for value in mine[(page - 1) * page_size : page * page_size]]
    records: list[Any]
    if figure.record_kind == "class":
        records = list(
            CareClass.objects.filter(pk__in=page_ids)
            .select_related("institution", "institution__township")
            .order_by("pk")
        )
    elif figure.record_kind == "institution":
        records = list(Institution.objects.filter(pk__in=page_ids).select_related("township").order_by("pk"))
        _attach_fees(records, as_of)
    else:
        records = list(
            Employment.objects.filter(pk__in=page_ids)
            .select_related("staff", "institution", "institution__township")
            .prefetch_related("staff__certificates")
            .order_by("pk")
        )
    counted = np.intersect1d(
        np.asarray(page_ids, dtype=np.int64), np.asarray(figure.counted_ids, dtype=np.int64)
    )
    return RecordPage(
        figure,
        figure.record_kind,
        which,
        records,
        int(ids.size),
        int(mine.size),
        page,
        pages,
        page_size,
        frozenset(int(value) for value in counted),
    )


# Aggregates anyone may read -------------------------------------------------------------


def report_townships() -> list[Township]:
    """Every township, in code order: the rows of the indicator tables and charts."""
    return list(Township.objects.order_by("code"))


def township_population(*, township: Township, year: int) -> tuple[int | None, list[tuple[str, int]]]:
    """Children by age band in the latest year up to ``year``: (year, [(band, children)])."""
    latest = (
        ChildPopulation.objects.filter(township=township, year__lte=year)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    if latest is None:
        return None, []
    rows = ChildPopulation.objects.filter(township=township, year=latest).values_list("age_band", "children")
    order = {band: index for index, band in enumerate(AgeBand.values)}
    return latest, sorted(rows, key=lambda row: order.get(row[0], len(order)))
