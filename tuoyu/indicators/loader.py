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

import numpy as np
from django.conf import settings
from django.db.models import Case, F, FloatField, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Cast

from tuoyu.common.sqlarrays import (
    MISSING_DAY,
    CodeIndex,
    EpochDays,
    as_codes,
    as_days,
    as_ints,
    fetch_numeric,
)
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


def certification_rules() -> CertificationRules:
    return CertificationRules(
        qualifying={role: frozenset(types) for role, types in settings.TUOYU_CERTIFICATION.items()}
    )


def load_townships(*, year: int) -> Townships:
    """Population of ``year``, or of the latest earlier year a township has figures for."""
    ids = np.sort(as_ints(fetch_numeric(Township.objects.all(), id="pk")[:, 0]))
    # Summed per township and year in the database: a few rows per township reach Python.
    children = fetch_numeric(
        ChildPopulation.objects.filter(year__lte=year).values("township_id", "year"),
        township="township_id",
        year="year",
        under_3=Sum("children"),
        under_2=Sum(
            Case(When(age_band__in=codes.UNDER_2_AGE_BANDS, then=F("children")), default=Value(0)),
            output_field=IntegerField(),
        ),
    )
    people = fetch_numeric(
        TownshipYear.objects.filter(year__lte=year),
        township="township_id",
        year="year",
        population="population",
    )
    under_3 = _latest_year_sum(ids, children[:, 0], children[:, 1], children[:, 2])
    under_2 = _latest_year_sum(ids, children[:, 0], children[:, 1], children[:, 3])
    population = _latest_year_sum(ids, people[:, 0], people[:, 1], people[:, 2])
    return Townships(ids=ids, children_under_3=under_3, children_under_2=under_2, population=population)


def _latest_year_sum(
    township_ids: np.ndarray, row_townships: np.ndarray, row_years: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """Per township, the sum of ``values`` over the rows of that township's latest year."""
    totals = np.zeros(len(township_ids))
    if not len(township_ids) or not len(row_townships):
        return totals
    position = np.clip(np.searchsorted(township_ids, row_townships), 0, len(township_ids) - 1)
    known = township_ids[position] == row_townships
    latest = np.full(len(township_ids), -1.0)
    np.maximum.at(latest, position[known], row_years[known])
    keep = known & (row_years == latest[position])
    np.add.at(totals, position[keep], values[keep])
    return totals


def load_institutions() -> Institutions:
    rows = fetch_numeric(
        Institution.objects.all(),
        id="pk",
        township="township_id",
        form=CodeIndex("form", codes.FORMS),
        public=Case(When(ownership="public", then=Value(1)), default=Value(0), output_field=IntegerField()),
        # A filing counts from its date until it is revoked; pending filings never count.
        filed_on=Case(
            When(filing_status=FilingStatus.FILED, then=EpochDays("filed_on")),
            # A revoked filing without its end date cannot be placed in time: not counted.
            When(
                filing_status=FilingStatus.REVOKED,
                filing_revoked_on__isnull=False,
                then=EpochDays("filed_on"),
            ),
            default=Value(MISSING_DAY),
            output_field=IntegerField(),
        ),
        filing_ended_on=Case(
            When(filing_status=FilingStatus.REVOKED, then=EpochDays("filing_revoked_on")),
            default=Value(MISSING_DAY),
            output_field=IntegerField(),
        ),
        opened_on=EpochDays("opened_on"),
        closed_on=EpochDays("closed_on"),
    )
    return Institutions(
        ids=as_ints(rows[:, 0]),
        township_ids=as_ints(rows[:, 1]),
        form=as_codes(rows[:, 2], codes.FORMS, "form"),
        public=rows[:, 3] == 1,
        filed_on=as_days(rows[:, 4]),
        opened_on=as_days(rows[:, 6]),
        closed_on=as_days(rows[:, 7]),
        filing_ended_on=as_days(rows[:, 5]),
    )


def load_designations(*, first: dt.date, last: dt.date) -> Designations:
    rows = fetch_numeric(
        PuhuiDesignation.objects.filter(valid_from__lte=last).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=first)
        ),
        institution="institution_id",
        valid_from=EpochDays("valid_from"),
        valid_to=EpochDays("valid_to"),
    )
    return Designations(
        institution_ids=as_ints(rows[:, 0]), valid_from=as_days(rows[:, 1]), valid_to=as_days(rows[:, 2])
    )


def load_classes(*, first: dt.date, last: dt.date) -> Classes:
    rows = fetch_numeric(
        CareClass.objects.filter(Q(opened_on__isnull=True) | Q(opened_on__lte=last)).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=first)
        ),
        id="pk",
        institution="institution_id",
        class_type=CodeIndex("class_type", codes.CLASS_TYPES),
        slots="approved_slots",
        opened_on=EpochDays("opened_on"),
        closed_on=EpochDays("closed_on"),
    )
    return Classes(
        ids=as_ints(rows[:, 0]),
        institution_ids=as_ints(rows[:, 1]),
        class_type=as_codes(rows[:, 2], codes.CLASS_TYPES, "class type"),
        approved_slots=rows[:, 3].copy(),
        opened_on=as_days(rows[:, 4]),
        closed_on=as_days(rows[:, 5]),
    )


def load_fees(*, first: dt.date, last: dt.date) -> Fees:
    rows = fetch_numeric(
        Fee.objects.filter(effective_from__lte=last).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=first)
        ),
        institution="institution_id",
        class_type=CodeIndex("class_type", codes.CLASS_TYPES),
        full_day=Cast("full_day_monthly", FloatField()),
        effective_from=EpochDays("effective_from"),
        effective_to=EpochDays("effective_to"),
    )
    return Fees(
        institution_ids=as_ints(rows[:, 0]),
        class_type=as_codes(rows[:, 1], codes.CLASS_TYPES, "class type"),
        full_day=rows[:, 2].copy(),
        effective_from=as_days(rows[:, 3]),
        effective_to=as_days(rows[:, 4]),
    )


def load_employments(*, first: dt.date, last: dt.date, roles: Iterable[str]) -> Employments:
    rows = fetch_numeric(
        Employment.objects.filter(start__lte=last, role__in=list(roles)).filter(
            Q(end__isnull=True) | Q(end__gte=first)
        ),
        id="pk",
        staff="staff_id",
        institution="institution_id",
        role=CodeIndex("role", codes.STAFF_ROLES),
        start=EpochDays("start"),
        end=EpochDays("end"),
    )
    return Employments(
        ids=as_ints(rows[:, 0]),
        staff_ids=as_ints(rows[:, 1]),
        institution_ids=as_ints(rows[:, 2]),
        role=as_codes(rows[:, 3], codes.STAFF_ROLES, "staff role"),
        start=as_days(rows[:, 4]),
        end=as_days(rows[:, 5]),
    )


def load_certificates(*, first: dt.date, last: dt.date, cert_types: Iterable[str]) -> Certificates:
    rows = fetch_numeric(
        Certificate.objects.filter(issued_on__lte=last, cert_type__in=list(cert_types)).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=first)
        ),
        staff="staff_id",
        cert_type=CodeIndex("cert_type", codes.CERTIFICATE_TYPES),
        issued_on=EpochDays("issued_on"),
        expires_on=EpochDays("expires_on"),
    )
    return Certificates(
        staff_ids=as_ints(rows[:, 0]),
        cert_type=as_codes(rows[:, 1], codes.CERTIFICATE_TYPES, "certificate type"),
        issued_on=as_days(rows[:, 2]),
        expires_on=as_days(rows[:, 3]),
    )


def load_income(*, year: int) -> float | None:
    amount = (
        IncomeStat.objects.filter(year=year, scope=IncomeScope.ALL).values_list("amount", flat=True).first()
    )
    return None if amount is None else float(amount)


def load_catalog_items(*, as_of: dt.date) -> int:
    return CatalogItem.objects.filter(catalog__published_on__lte=as_of).count()


def registry_snapshots(
    *, dates: Sequence[dt.date], rules: CertificationRules | None = None
) -> dict[dt.date, RegistrySnapshot]:
    """Everything the indicator engine needs for each of ``dates``.

    The dated tables are read once for the whole span of the dates (rows that hold on
    any day of it); the engine picks what holds on each date. Population, income and the
    catalog differ by date and are read per date. The number of queries depends on the
    number of dates only, never on the size of the registry.
    """
    rules = rules or certification_rules()
    qualifying_types = set().union(*rules.qualifying.values()) if rules.qualifying else set()
    first, last = min(dates), max(dates)
    institutions = load_institutions()
    designations = load_designations(first=first, last=last)
    classes = load_classes(first=first, last=last)
    fees = load_fees(first=first, last=last)
    employments = load_employments(first=first, last=last, roles=rules.qualifying.keys())
    certificates = load_certificates(first=first, last=last, cert_types=qualifying_types)
    return {
        day: RegistrySnapshot(
            townships=load_townships(year=day.year),
            institutions=institutions,
            designations=designations,
            classes=classes,
            fees=fees,
            employments=employments,
            certificates=certificates,
            annual_income_previous_year=load_income(year=day.year - 1),
            catalog_items_published=load_catalog_items(as_of=day),
        )
        for day in dates
    }


def registry_snapshot(*, as_of: dt.date, rules: CertificationRules | None = None) -> RegistrySnapshot:
    """Everything the indicator engine needs for ``as_of``, in a fixed number of queries."""
    return registry_snapshots(dates=[as_of], rules=rules)[as_of]
