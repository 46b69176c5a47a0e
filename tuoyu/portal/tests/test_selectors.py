"""The parents' search: age to class types, each filter, distance and the disclosure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tuoyu.conftest import AS_OF, SmallRegistry, credit_code
from tuoyu.portal.selectors import (
    ParentFilters,
    age_in_months,
    class_types_for_age,
    haversine_km,
    institution_cards,
    institution_disclosure,
    institutions_for_parents,
)
from tuoyu.registry.models import CareClass, Fee, Institution


def _names(filters: ParentFilters, as_of: dt.date = AS_OF) -> list[str]:
    return [match.name for match in institutions_for_parents(filters=filters, as_of=as_of)]


@pytest.mark.parametrize(
    ("birth_date", "on", "months"),
    [
        (dt.date(2024, 3, 15), dt.date(2025, 3, 15), 12),  # the birthday itself completes the month
        (dt.date(2024, 3, 15), dt.date(2025, 3, 14), 11),
        (dt.date(2024, 1, 31), dt.date(2024, 3, 1), 1),  # 31 Jan to 1 Mar: one month and a day
        (dt.date(2023, 9, 1), dt.date(2026, 9, 1), 36),
        (dt.date(2026, 1, 10), dt.date(2026, 1, 1), -1),  # not yet born at the start month
    ],
)
def test_age_in_months_counts_completed_months(birth_date: dt.date, on: dt.date, months: int) -> None:
    assert age_in_months(birth_date=birth_date, on=on) == months


@pytest.mark.parametrize(
    ("months", "class_types"),
    [
        (5, ()),
        (6, ("infant",)),
        (11, ("infant",)),
        (12, ("toddler",)),
        (17, ("toddler",)),
        (18, ("toddler", "mixed")),
        (24, ("older", "mixed")),
        (35, ("older", "mixed")),
        (36, ()),
    ],
)
def test_class_types_by_age(months: int, class_types: tuple[str, ...]) -> None:
    assert class_types_for_age(months) == class_types


def test_haversine_one_degree_of_latitude_is_about_111_km() -> None:
    assert haversine_km(lat1=28.0, lon1=121.0, lat2=29.0, lon2=121.0) == pytest.approx(111.2, abs=0.1)


def test_without_filters_every_filed_operating_institution(registry: SmallRegistry) -> None:
    assert _names(ParentFilters()) == ["示例幼儿园 №1", "示例托育园 №2", "示例家庭托育点 №3"]


def test_unfiled_not_yet_open_and_closed_institutions_are_left_out(registry: SmallRegistry) -> None:
    Institution.objects.filter(pk=registry.kindergarten_a.pk).update(filing_status="pending")
    Institution.objects.filter(pk=registry.nursery_a.pk).update(closed_on=AS_OF)
    Institution.objects.filter(pk=registry.family_b.pk).update(opened_on=AS_OF + dt.timedelta(days=1))
    assert _names(ParentFilters()) == []
    assert _names(ParentFilters(), as_of=AS_OF - dt.timedelta(days=1)) == ["示例托育园 №2"]


def test_revoked_filing_counts_until_the_revocation(registry: SmallRegistry) -> None:
    Institution.objects.filter(pk=registry.family_b.pk).update(
        filing_status="revoked", filing_revoked_on=AS_OF
    )
    assert "示例家庭托育点 №3" not in _names(ParentFilters())
    assert "示例家庭托育点 №3" in _names(ParentFilters(), as_of=AS_OF - dt.timedelta(days=1))


def test_class_types_keep_institutions_with_an_open_class_of_a_fitting_type(registry: SmallRegistry) -> None:
    assert _names(ParentFilters(class_types=("older", "mixed"))) == ["示例幼儿园 №1", "示例家庭托育点 №3"]
    assert _names(ParentFilters(class_types=("toddler",))) == ["示例托育园 №2"]
    assert _names(ParentFilters(class_types=())) == []
    CareClass.objects.filter(pk=registry.nursery_class.pk).update(closed_on=AS_OF)
    assert _names(ParentFilters(class_types=("toddler",))) == []


def test_form_filter(registry: SmallRegistry) -> None:
    assert _names(ParentFilters(form="family")) == ["示例家庭托育点 №3"]


def test_puhui_only_keeps_public_and_designated(registry: SmallRegistry) -> None:
    assert _names(ParentFilters(puhui_only=True)) == ["示例幼儿园 №1", "示例托育园 №2"]


def test_fee_range_reads_the_full_day_fee_in_force_of_a_fitting_type(registry: SmallRegistry) -> None:
    assert _names(ParentFilters(fee_min=1500)) == ["示例托育园 №2", "示例家庭托育点 №3"]
    assert _names(ParentFilters(fee_max=1500)) == ["示例幼儿园 №1"]
    assert _names(ParentFilters(fee_min=1000, fee_max=2000)) == ["示例幼儿园 №1", "示例托育园 №2"]
    # The nursery's 托小班 costs 1,800: too dear for a parent of a 托小班-age child with 1,500.
    assert _names(ParentFilters(class_types=("toddler",), fee_max=1500)) == []
    # A fee that has ended is not in force.
    Fee.objects.filter(institution=registry.kindergarten_a).update(effective_to=AS_OF - dt.timedelta(days=1))
    assert _names(ParentFilters(fee_max=1500)) == []


def test_vacancies_only_needs_a_free_slot_in_a_fitting_class(registry: SmallRegistry) -> None:
    # The family point's 混龄班 is full (5 of 5); the kindergarten's 托大班 has 2 free.
    assert _names(ParentFilters(class_types=("older", "mixed"), vacancies_only=True)) == ["示例幼儿园 №1"]
    assert _names(ParentFilters(class_types=("mixed",), vacancies_only=True)) == []
    assert _names(ParentFilters(vacancies_only=True)) == ["示例幼儿园 №1", "示例托育园 №2"]


def test_a_point_sorts_by_distance_and_limits_it(registry: SmallRegistry) -> None:
    b = registry.township_b
    matches = institutions_for_parents(
        filters=ParentFilters(latitude=b.latitude, longitude=b.longitude), as_of=AS_OF
    )
    assert matches[0].name == "示例家庭托育点 №3"
    assert matches[0].distance_km == pytest.approx(0.0)
    a_to_b = haversine_km(lat1=28.86, lon1=121.12, lat2=28.99, lon2=120.92)
    assert matches[1].distance_km == pytest.approx(a_to_b)
    assert 20 < a_to_b < 30
    near = ParentFilters(latitude=b.latitude, longitude=b.longitude, max_distance_km=5)
    assert _names(near) == ["示例家庭托育点 №3"]


def test_own_coordinates_come_before_the_township_centre(registry: SmallRegistry) -> None:
    Institution.objects.filter(pk=registry.kindergarten_a.pk).update(latitude=28.99, longitude=120.921)
    b = registry.township_b
    matches = institutions_for_parents(
        filters=ParentFilters(latitude=b.latitude, longitude=b.longitude, max_distance_km=1), as_of=AS_OF
    )
    assert [match.name for match in matches] == ["示例家庭托育点 №3", "示例幼儿园 №1"]


def test_disclosure_of_a_designated_institution(registry: SmallRegistry) -> None:
    card = institution_disclosure(institution_id=registry.nursery_a.pk, as_of=AS_OF)
    assert card is not None
    assert card.puhui is True
    assert card.designation is not None and card.designation.valid_from == dt.date(2024, 1, 1)
    assert [(fee.class_type, fee.full_day_monthly, fee.half_day_monthly) for fee in card.fees] == [
        ("toddler", 1800, 1000)
    ]
    assert [(line.class_type, line.approved_slots, line.vacancies) for line in card.classes] == [
        ("toddler", 15, 3)
    ]
    assert card.vacancies == 3


def test_disclosure_takes_the_newest_fee_in_force(registry: SmallRegistry) -> None:
    Fee.objects.create(
        institution=registry.nursery_a,
        class_type="toddler",
        full_day_monthly=1900,
        effective_from=dt.date(2025, 9, 1),
    )
    card = institution_disclosure(institution_id=registry.nursery_a.pk, as_of=AS_OF)
    assert card is not None
    assert [fee.full_day_monthly for fee in card.fees] == [1900]


def test_public_institution_is_puhui_without_designation(registry: SmallRegistry) -> None:
    card = institution_disclosure(institution_id=registry.kindergarten_a.pk, as_of=AS_OF)
    assert card is not None and card.puhui and card.designation is None
    private = institution_disclosure(institution_id=registry.family_b.pk, as_of=AS_OF)
    assert private is not None and not private.puhui


def test_no_disclosure_of_an_unfiled_institution(registry: SmallRegistry) -> None:
    Institution.objects.filter(pk=registry.family_b.pk).update(filing_status="not_filed", filed_on=None)
    assert institution_disclosure(institution_id=registry.family_b.pk, as_of=AS_OF) is None


def _queries(filters: ParentFilters) -> int:
    with CaptureQueriesContext(connection) as context:
        matches = institutions_for_parents(filters=filters, as_of=AS_OF)
        institution_cards(matches=matches[:20], as_of=AS_OF)
    return len(context.captured_queries)


def test_query_count_does_not_grow_with_institutions(registry: SmallRegistry) -> None:
    filters = ParentFilters(class_types=("older",), vacancies_only=True, fee_max=5000, puhui_only=True)
    before = _queries(filters)
    for serial in range(10, 25):
        institution = Institution.objects.create(
            credit_code=credit_code(serial),
            name=f"新增幼儿园 {serial}",
            ownership="public",
            form="kindergarten",
            township=registry.township_a,
            filing_status="filed",
            filed_on=dt.date(2024, 1, 1),
        )
        CareClass.objects.create(
            institution=institution, name="托大班", class_type="older", approved_slots=20
        )
        Fee.objects.create(
            institution=institution,
            class_type="older",
            full_day_monthly=1000,
            effective_from=dt.date(2024, 1, 1),
        )
    assert len(institutions_for_parents(filters=filters, as_of=AS_OF)) == 16
    assert _queries(filters) == before
