"""Pages of the records behind a figure, and the aggregates every visitor may read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tuoyu.accounts.models import User
from tuoyu.common.revision_cache import revision_caches_clear
from tuoyu.conftest import AS_OF, SmallRegistry
from tuoyu.indicators.selectors import (
    figure_record_page,
    indicator_report,
    report_townships,
    township_population,
)
from tuoyu.registry.models import CareClass, ChildPopulation, Fee


@pytest.mark.django_db
def test_a_page_holds_the_counted_records_the_user_may_see(
    registry: SmallRegistry, admin_user: User, township_user: User
) -> None:
    figure = indicator_report(as_of=AS_OF).city["puhui_share"]
    everything = figure_record_page(user=admin_user, figure=figure, as_of=AS_OF)
    assert {record.pk for record in everything.records} == {
        registry.kindergarten_class.pk,
        registry.nursery_class.pk,
    }
    assert (everything.total, everything.visible, everything.pages) == (2, 2, 1)
    considered = figure_record_page(user=township_user, figure=figure, as_of=AS_OF, which="considered")
    assert {record.pk for record in considered.records} == {
        registry.kindergarten_class.pk,
        registry.nursery_class.pk,
    }
    assert (considered.total, considered.visible) == (3, 2)


@pytest.mark.django_db
def test_visitors_without_registry_access_get_no_records(registry: SmallRegistry, public_user: User) -> None:
    figure = indicator_report(as_of=AS_OF).city["certified_share"]
    for user in (public_user, AnonymousUser()):
        page = figure_record_page(user=user, figure=figure, as_of=AS_OF, which="considered")
        assert (page.records, page.total, page.visible) == ([], 2, 0)


@pytest.mark.django_db
def test_pages_hold_fifty_records_and_the_page_number_is_clamped(
    registry: SmallRegistry, admin_user: User
) -> None:
    CareClass.objects.bulk_create(
        CareClass(institution=registry.nursery_a, name=f"班 {n}", class_type="older", approved_slots=1)
        for n in range(100)
    )
    figure = indicator_report(as_of=AS_OF).city["slots_per_1000"]
    pages = [figure_record_page(user=admin_user, figure=figure, as_of=AS_OF, page=n) for n in (1, 2, 3)]
    assert [len(page.records) for page in pages] == [50, 50, 3]
    assert len({record.pk for page in pages for record in page.records}) == 103
    assert (pages[2].start_index, pages[2].end_index) == (101, 103)
    assert figure_record_page(user=admin_user, figure=figure, as_of=AS_OF, page=99).page == 3
    assert figure_record_page(user=admin_user, figure=figure, as_of=AS_OF, page=-4).page == 1


@pytest.mark.django_db
def test_a_page_costs_the_same_queries_whatever_the_number_of_records(
    registry: SmallRegistry, admin_user: User
) -> None:
    figure = indicator_report(as_of=AS_OF).city["slots_per_1000"]
    with CaptureQueriesContext(connection) as small:
        figure_record_page(user=admin_user, figure=figure, as_of=AS_OF)
    CareClass.objects.bulk_create(
        CareClass(institution=registry.nursery_a, name=f"班 {n}", class_type="older", approved_slots=1)
        for n in range(1200)
    )
    revision_caches_clear()  # bulk_create leaves no audit entry, so no new revision
    figure = indicator_report(as_of=AS_OF).city["slots_per_1000"]
    with CaptureQueriesContext(connection) as large:
        page = figure_record_page(user=admin_user, figure=figure, as_of=AS_OF, page=7)
    assert len(page.records) == 50
    assert len(large.captured_queries) == len(small.captured_queries)
    assert all(query["sql"].count("%s") + query["sql"].count("?") <= 60 for query in large.captured_queries)


@pytest.mark.django_db
def test_institution_records_carry_their_slot_weighted_fee(registry: SmallRegistry, admin_user: User) -> None:
    CareClass.objects.create(
        institution=registry.nursery_a, name="托大一班", class_type="older", approved_slots=5
    )
    Fee.objects.create(
        institution=registry.nursery_a,
        class_type="older",
        full_day_monthly=1400,
        effective_from=dt.date(2025, 1, 1),
    )
    figure = indicator_report(as_of=AS_OF).city["fee_ratio"]
    page = figure_record_page(user=admin_user, figure=figure, as_of=AS_OF)
    nursery = next(record for record in page.records if record.pk == registry.nursery_a.pk)
    assert nursery.fee_in_force == pytest.approx((1800 * 15 + 1400 * 5) / 20)
    assert sorted(nursery.fee_rows) == [("older", 1400.0, 5.0), ("toddler", 1800.0, 15.0)]


@pytest.mark.django_db
def test_the_catalog_figure_pages_the_published_items(registry: SmallRegistry) -> None:
    figure = indicator_report(as_of=AS_OF).city["catalog_published"]
    page = figure_record_page(user=AnonymousUser(), figure=figure, as_of=AS_OF)
    assert [item.service for item in page.records] == ["普惠托育"]
    before = indicator_report(as_of=dt.date(2025, 1, 1)).city["catalog_published"]
    assert figure_record_page(user=AnonymousUser(), figure=before, as_of=dt.date(2025, 1, 1)).records == []


@pytest.mark.django_db
def test_every_township_is_a_row_of_the_report(registry: SmallRegistry) -> None:
    assert report_townships() == [registry.township_a, registry.township_b]


@pytest.mark.django_db
def test_the_population_is_the_latest_year_up_to_the_date(registry: SmallRegistry) -> None:
    ChildPopulation.objects.create(township=registry.township_a, year=2027, age_band="m0_6", children=1)
    year, rows = township_population(township=registry.township_a, year=2026)
    assert year == 2025
    assert rows == [("m0_6", 100), ("m6_12", 100), ("m12_18", 100), ("m18_24", 100), ("m24_36", 100)]
    assert township_population(township=registry.township_a, year=2020) == (None, [])


@pytest.mark.django_db
def test_a_page_of_considered_records_says_which_are_counted(
    registry: SmallRegistry, admin_user: User
) -> None:
    figure = indicator_report(as_of=AS_OF).city["certified_share"]
    page = figure_record_page(user=admin_user, figure=figure, as_of=AS_OF, which="considered")
    assert len(page.records) == 2
    assert page.counted_on_page == {registry.caregiver_employment.pk}
