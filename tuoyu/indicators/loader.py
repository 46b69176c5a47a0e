"""Registry rows -> the engine's arrays, with one query per table.

The number of queries does not grow with the number of institutions: each table is read
once with ``values_list`` and turned into numpy arrays. Rows that cannot matter on the
as-of date (history that ended before it, records that start after it) are left out in
SQL only to read less; the engine applies the same date rules itself, so the definitions
stay in ``tuoyu.engine.indicators``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Q, Sum

from tuoyu.engine import codes
from tuoyu.engine.indicators import (
    Certificates,
    CertificationRules,
    Classes,
    Designations,
    Employments,
    Fees,
    Institutions,
    RegistrySnapshot,
    Townships,
)
from tuoyu.indicators.models import CatalogItem
from tuoyu.registry.models import (
    CareClass,
    Certificate,
    ChildPopulation,
    Employment,
    Fee,
    FilingStatus,
    IncomeScope,
    IncomeStat,
    Institution,
    PuhuiDesignation,
    Township,
    TownshipYear,
)

NOT_A_TIME = np.datetime64("NaT", "D")


def _dates(values: Iterable[dt.date | None]) -> np.ndarray:
    return np.array([NOT_A_TIME if value is None else np.datetime64(value, "D") for value in values],
                    dtype="datetime64[D]")


def _codes(values: Iterable[str], table: tuple[str, ...]) -> np.ndarray:
    lookup = {code: index for index, code in enumerate(table)}
    return np.array([lookup[value] for value in values], dtype=np.int8)


def _columns(rows: Sequence[tuple[Any, ...]], width: int) -> list[list[Any]]:
    if not rows:
        return [[] for _ in range(width)]
    return [list(column) for column in zip(*rows, strict=True)]


def certification_rules() -> CertificationRules:
    return CertificationRules(
        qualifying={role: frozenset(types) for role, types in settings.TUOYU_CERTIFICATION.items()}
    )


def load_townships(*, year: int) -> Townships:
    """Population of ``year``, or of the latest earlier year a township has figures for."""
    ids = np.array(list(Township.objects.order_by("pk").values_list("pk", flat=True)), dtype=np.int64)
    under_3 = np.zeros(len(ids))
    under_2 = np.zeros(len(ids))
    population = np.zeros(len(ids))
    child_rows = (
        ChildPopulation.objects.filter(year__lte=year)
        .values_list("township_id", "year", "age_band")
        .annotate(total=Sum("children"))
        .order_by("township_id", "year")
    )
    latest_child_year: dict[int, int] = {}
    for township_id, row_year, _band, _total in child_rows:
        latest_child_year[township_id] = max(row_year, latest_child_year.get(township_id, 0))
    for township_id, row_year, band, total in child_rows:
        if latest_child_year[township_id] != row_year:
            continue
        position = np.searchsorted(ids, township_id)
        under_3[position] += total
        if band in codes.UNDER_2_AGE_BANDS:
            under_2[position] += total
    latest_population: dict[int, tuple[int, int]] = {}
    for township_id, row_year, people in TownshipYear.objects.filter(year__lte=year).values_list(
        "township_id", "year", "population"
    ):
        if row_year >= latest_population.get(township_id, (0, 0))[0]:
            latest_population[township_id] = (row_year, people)
    for township_id, (_year, people) in latest_population.items():
        population[np.searchsorted(ids, township_id)] = people
    return Townships(ids=ids, children_under_3=under_3, children_under_2=under_2, population=population)


def load_institutions() -> Institutions:
    rows = list(
        Institution.objects.values_list(
            "pk", "township_id", "form", "ownership", "filing_status", "filed_on", "opened_on", "closed_on"
        )
    )
    ids, townships, forms, ownerships, statuses, filed_on, opened_on, closed_on = _columns(rows, 8)
    # Only a current 已备案 status with a date counts as filed; pending or revoked filings do not.
    filed_dates = [day if status == FilingStatus.FILED else None for status, day in zip(statuses, filed_on,
                                                                                        strict=True)]
    return Institutions(
        ids=np.array(ids, dtype=np.int64),
        township_ids=np.array(townships, dtype=np.int64),
        form=_codes(forms, codes.FORMS),
        public=np.array([ownership == "public" for ownership in ownerships], dtype=bool),
        filed_on=_dates(filed_dates),
        opened_on=_dates(opened_on),
        closed_on=_dates(closed_on),
    )


def load_designations(*, as_of: dt.date) -> Designations:
    rows = list(
        PuhuiDesignation.objects.filter(valid_from__lte=as_of)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=as_of))
        .values_list("institution_id", "valid_from", "valid_to")
    )
    institution_ids, valid_from, valid_to = _columns(rows, 3)
    return Designations(
        institution_ids=np.array(institution_ids, dtype=np.int64),
        valid_from=_dates(valid_from),
        valid_to=_dates(valid_to),
    )


def load_classes(*, as_of: dt.date) -> Classes:
    rows = list(
        CareClass.objects.filter(Q(opened_on__isnull=True) | Q(opened_on__lte=as_of))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))
        .values_list("pk", "institution_id", "class_type", "approved_slots", "opened_on", "closed_on")
    )
    ids, institution_ids, class_types, slots, opened_on, closed_on = _columns(rows, 6)
    return Classes(
        ids=np.array(ids, dtype=np.int64),
        institution_ids=np.array(institution_ids, dtype=np.int64),
        class_type=_codes(class_types, codes.CLASS_TYPES),
        approved_slots=np.array(slots, dtype=np.float64),
        opened_on=_dates(opened_on),
        closed_on=_dates(closed_on),
    )


def load_fees(*, as_of: dt.date) -> Fees:
    rows = list(
        Fee.objects.filter(effective_from__lte=as_of)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=as_of))
        .values_list("institution_id", "class_type", "full_day_monthly", "effective_from", "effective_to")
    )
    institution_ids, class_types, amounts, effective_from, effective_to = _columns(rows, 5)
    return Fees(
        institution_ids=np.array(institution_ids, dtype=np.int64),
        class_type=_codes(class_types, codes.CLASS_TYPES),
        full_day=np.array([float(amount) for amount in amounts], dtype=np.float64),
        effective_from=_dates(effective_from),
        effective_to=_dates(effective_to),
    )


def load_employments(*, as_of: dt.date, roles: Iterable[str]) -> Employments:
    rows = list(
        Employment.objects.filter(start__lte=as_of, role__in=list(roles))
        .filter(Q(end__isnull=True) | Q(end__gte=as_of))
        .values_list("pk", "staff_id", "institution_id", "role", "start", "end")
    )
    ids, staff_ids, institution_ids, staff_roles, start, end = _columns(rows, 6)
    return Employments(
        ids=np.array(ids, dtype=np.int64),
        staff_ids=np.array(staff_ids, dtype=np.int64),
        institution_ids=np.array(institution_ids, dtype=np.int64),
        role=_codes(staff_roles, codes.STAFF_ROLES),
        start=_dates(start),
        end=_dates(end),
    )


def load_certificates(*, as_of: dt.date, cert_types: Iterable[str]) -> Certificates:
    rows = list(
        Certificate.objects.filter(issued_on__lte=as_of, cert_type__in=list(cert_types))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=as_of))
        .values_list("staff_id", "cert_type", "issued_on", "expires_on")
    )
    staff_ids, cert_types_found, issued_on, expires_on = _columns(rows, 4)
    return Certificates(
        staff_ids=np.array(staff_ids, dtype=np.int64),
        cert_type=_codes(cert_types_found, codes.CERTIFICATE_TYPES),
        issued_on=_dates(issued_on),
        expires_on=_dates(expires_on),
    )


def load_income(*, year: int) -> float | None:
    amount = (
        IncomeStat.objects.filter(year=year, scope=IncomeScope.ALL).values_list("amount", flat=True).first()
    )
    return None if amount is None else float(amount)


def load_catalog_items(*, as_of: dt.date) -> int:
    return CatalogItem.objects.filter(catalog__published_on__lte=as_of).count()


def registry_snapshot(*, as_of: dt.date, rules: CertificationRules | None = None) -> RegistrySnapshot:
    """Everything the indicator engine needs for ``as_of``, in a fixed number of queries."""
    rules = rules or certification_rules()
    qualifying_types = set().union(*rules.qualifying.values()) if rules.qualifying else set()
    return RegistrySnapshot(
        townships=load_townships(year=as_of.year),
        institutions=load_institutions(),
        designations=load_designations(as_of=as_of),
        classes=load_classes(as_of=as_of),
        fees=load_fees(as_of=as_of),
        employments=load_employments(as_of=as_of, roles=rules.qualifying.keys()),
        certificates=load_certificates(as_of=as_of, cert_types=qualifying_types),
        annual_income_previous_year=load_income(year=as_of.year - 1),
        catalog_items_published=load_catalog_items(as_of=as_of),
    )
