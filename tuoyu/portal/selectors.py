"""What a parent may read: filed, operating institutions and their public disclosure,
including the credit grade and the published inspection results (信息公示).

The portal is public and needs no login, so these reads do not depend on who is asking;
they never touch staff records. An institution that is not filed or has closed is not
shown at all: a parent should only find places they may actually apply to.

The number of queries does not depend on the number of institutions: the search reads
one row of coordinates per match, and the cards of a page are read with prefetches.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet

from tuoyu.registry.models import (
    CareClass,
    ClassType,
    Fee,
    Institution,
    Ownership,
    PuhuiDesignation,
)
from tuoyu.registry.selectors import classes_open_on, counted_on, puhui_on
from tuoyu.supervision.selectors import PublicInspection, institution_grade, public_inspections

PAGE_SIZE = 20
EARTH_RADIUS_KM = 6371.0088

# Age in months at the start month for each class type: from the first number (inclusive)
# to the second (exclusive). A child turning 12 months moves from 乳儿班 to 托小班.
CLASS_TYPE_AGES: dict[str, tuple[int, int]] = {
    ClassType.INFANT: (6, 12),
    ClassType.TODDLER: (12, 24),
    ClassType.OLDER: (24, 36),
    ClassType.MIXED: (18, 36),
}


def age_in_months(*, birth_date: dt.date, on: dt.date) -> int:
    """Completed months of age on ``on``: a child born on 15 March is 1 month old on 15 April
    and still 0 months on 14 April (negative before birth)."""
    months = (on.year - birth_date.year) * 12 + (on.month - birth_date.month)
    if on.day < birth_date.day:
        months -= 1
    return months


def class_types_for_age(months: int) -> tuple[str, ...]:
    """The class types a child of ``months`` months may join (empty under 6 or from 36)."""
    return tuple(kind for kind, (low, high) in CLASS_TYPE_AGES.items() if low <= months < high)


def haversine_km(*, lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance; straight-line, not road distance, which is all a list needs."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class ParentFilters:
    """A parent's search. ``class_types`` None means any class type (no birth date given)."""

    class_types: tuple[str, ...] | None = None
    form: str | None = None
    puhui_only: bool = False
    fee_min: int | None = None
    fee_max: int | None = None
    vacancies_only: bool = False
    latitude: float | None = None
    longitude: float | None = None
    max_distance_km: float | None = None

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class Match:
    """One institution found: where it is (for the map) and how far from the parent."""

    pk: int
    name: str
    latitude: float | None
    longitude: float | None
    distance_km: float | None


@dataclass(frozen=True)
class FeeLine:
    class_type: str
    label: str
    full_day_monthly: int
    half_day_monthly: int | None


@dataclass(frozen=True)
class ClassLine:
    class_type: str
    label: str
    classes: int
    approved_slots: int
    enrolled: int

    @property
    def vacancies(self) -> int:
        return max(0, self.approved_slots - self.enrolled)


@dataclass(frozen=True)
class InstitutionCard:
    """What the portal publishes about an institution (信息公示); no personal data."""

    institution: Institution
    puhui: bool
    designation: PuhuiDesignation | None
    fees: list[FeeLine]
    classes: list[ClassLine]
    distance_km: float | None = None
    fitting: tuple[str, ...] = field(default_factory=tuple)

    @property
    def approved_slots(self) -> int:
        return sum(line.approved_slots for line in self.classes)

    @property
    def vacancies(self) -> int:
        return sum(line.vacancies for line in self.classes)


def _fees_in_force(day: dt.date) -> QuerySet[Fee]:
    return Fee.objects.filter(effective_from__lte=day).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=day)
    )


def public_institutions(*, as_of: dt.date) -> QuerySet[Institution]:
    """Institutions a parent may find on ``as_of``: filed and operating."""
    return Institution.objects.filter(counted_on(as_of))


def _searched(*, filters: ParentFilters, as_of: dt.date) -> QuerySet[Institution]:
    institutions = public_institutions(as_of=as_of)
    classes = CareClass.objects.filter(classes_open_on(as_of)).filter(institution=OuterRef("pk"))
    fees = _fees_in_force(as_of).filter(institution=OuterRef("pk"))
    if filters.class_types is not None:
        classes = classes.filter(class_type__in=filters.class_types)
        fees = fees.filter(class_type__in=filters.class_types)
        institutions = institutions.filter(Exists(classes))
    if filters.vacancies_only:
        institutions = institutions.filter(Exists(classes.filter(approved_slots__gt=F("enrolled"))))
    if filters.fee_min is not None or filters.fee_max is not None:
        if filters.fee_min is not None:
            fees = fees.filter(full_day_monthly__gte=filters.fee_min)
        if filters.fee_max is not None:
            fees = fees.filter(full_day_monthly__lte=filters.fee_max)
        institutions = institutions.filter(Exists(fees))
    if filters.form:
        institutions = institutions.filter(form=filters.form)
    if filters.puhui_only:
        institutions = institutions.filter(puhui_on(as_of))
    return institutions


def institutions_for_parents(*, filters: ParentFilters, as_of: dt.date) -> list[Match]:
    """Every institution matching a parent's search, nearest first when a point is given,
    otherwise by township and name. One query; the distances are computed here for the
    filtered rows (a county has a few hundred institutions). An institution without its
    own coordinates is placed at its township's centre; with neither it has no distance
    and is left out when a maximum distance is asked for."""
    rows = (
        _searched(filters=filters, as_of=as_of)
        .order_by("township__code", "name", "pk")
        .values_list("pk", "name", "latitude", "longitude", "township__latitude", "township__longitude")
    )
    matches: list[Match] = []
    for pk, name, lat, lon, township_lat, township_lon in rows:
        if lat is None or lon is None:
            lat, lon = township_lat, township_lon
        distance = None
        if filters.has_point and lat is not None and lon is not None:
            assert filters.latitude is not None and filters.longitude is not None
            distance = haversine_km(lat1=filters.latitude, lon1=filters.longitude, lat2=lat, lon2=lon)
        limit = filters.max_distance_km if filters.has_point else None
        if limit is not None and (distance is None or distance > limit):
            continue
        matches.append(Match(pk, name, lat, lon, distance))
    if filters.has_point:
        matches.sort(key=lambda match: (match.distance_km is None, match.distance_km or 0.0))
    return matches


def _cards_queryset(*, as_of: dt.date) -> QuerySet[Institution]:
    return (
        public_institutions(as_of=as_of)
        .select_related("township")
        .prefetch_related(
            Prefetch(
                "classes",
                queryset=CareClass.objects.filter(classes_open_on(as_of)).order_by("class_type", "name"),
                to_attr="open",
            ),
            Prefetch(
                "fees", queryset=_fees_in_force(as_of).order_by("effective_from", "pk"), to_attr="fees_now"
            ),
            Prefetch(
                "designations",
                queryset=PuhuiDesignation.objects.filter(valid_from__lte=as_of)
                .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=as_of))
                .order_by("-valid_from"),
                to_attr="designations_now",
            ),
        )
    )


def _card(
    institution: Institution, *, distance_km: float | None, fitting: tuple[str, ...]
) -> InstitutionCard:
    labels = dict(ClassType.choices)
    order = list(labels)
    latest: dict[str, Fee] = {}
    for fee in institution.fees_now:  # type: ignore[attr-defined]
        latest[fee.class_type] = fee  # ordered by start: the newest in force wins
    fees = [
        FeeLine(
            kind,
            str(labels[kind]),
            int(fee.full_day_monthly),
            None if fee.half_day_monthly is None else int(fee.half_day_monthly),
        )
        for kind, fee in sorted(latest.items(), key=lambda item: order.index(item[0]))
    ]
    by_type: dict[str, list[CareClass]] = defaultdict(list)
    for care_class in institution.open:  # type: ignore[attr-defined]
        by_type[care_class.class_type].append(care_class)
    classes = [
        ClassLine(
            kind,
            str(labels[kind]),
            len(rows),
            sum(row.approved_slots for row in rows),
            sum(row.enrolled for row in rows),
        )
        for kind, rows in sorted(by_type.items(), key=lambda item: order.index(item[0]))
    ]
    designations: list[PuhuiDesignation] = institution.designations_now  # type: ignore[attr-defined]
    designation = designations[0] if designations else None
    puhui = institution.ownership == Ownership.PUBLIC or designation is not None
    return InstitutionCard(institution, puhui, designation, fees, classes, distance_km, fitting)


def institution_cards(
    *, matches: list[Match], as_of: dt.date, fitting: tuple[str, ...] = ()
) -> list[InstitutionCard]:
    """The public cards of one page of matches, in the matches' order; four queries."""
    by_pk = {
        institution.pk: institution
        for institution in _cards_queryset(as_of=as_of).filter(pk__in=[match.pk for match in matches])
    }
    return [
        _card(by_pk[match.pk], distance_km=match.distance_km, fitting=fitting)
        for match in matches
        if match.pk in by_pk
    ]


def institution_disclosure(*, institution_id: int, as_of: dt.date) -> InstitutionCard | None:
    """The disclosure of one institution, or None when a parent may not find it (not filed,
    not yet open or closed on ``as_of``)."""
    institution = _cards_queryset(as_of=as_of).filter(pk=institution_id).first()
    if institution is None:
        return None
    return _card(institution, distance_km=None, fitting=())


@dataclass(frozen=True)
class SupervisionDisclosure:
    """信用等级与检查结果: the current credit grade and the published inspections of the last
    five years (date, kind, conclusion, violations by severity). No names, no notes."""

    grade: str
    inspections: list[PublicInspection]


def supervision_disclosure(*, institution: Institution, as_of: dt.date) -> SupervisionDisclosure:
    return SupervisionDisclosure(
        grade=institution_grade(institution),
        inspections=public_inspections(institution=institution, today=as_of),
    )
