import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tuoyu.accounts.models import User
from tuoyu.common.revision_cache import revision_caches_clear
from tuoyu.conftest import AS_OF, SmallRegistry
from tuoyu.engine.indicators import figure_as_dict
from tuoyu.indicators.selectors import (
    indicator_report,
    indicator_reports,
)
from tuoyu.registry import services
from tuoyu.registry.models import Dataset
from tuoyu.registry.selectors import registry_revision


@pytest.mark.django_db
def test_a_second_report_for_the_same_revision_is_not_computed_again(registry: SmallRegistry) -> None:
    first = indicator_report(as_of=AS_OF)
    with CaptureQueriesContext(connection) as captured:
        second = indicator_report(as_of=AS_OF)
    assert second is first
    assert len(captured.captured_queries) == 2  # the revision look-ups only


@pytest.mark.django_db
def test_a_change_through_a_service_is_seen_by_the_next_report(
    registry: SmallRegistry, operator_user: User
) -> None:
    before = indicator_report(as_of=AS_OF).city["slots_per_1000"].numerator
    services.care_class_create(
        actor=operator_user,
        institution=registry.nursery_a,
        name="托小二班",
        class_type="toddler",
        approved_slots=10,
        enrolled=0,
        caregivers=2,
    )
    assert indicator_report(as_of=AS_OF).city["slots_per_1000"].numerator == before + 10


@pytest.mark.django_db
def test_loading_a_dataset_changes_the_revision(registry: SmallRegistry) -> None:
    revision = registry_revision()
    Dataset.objects.create(name="another load", synthetic=True)
    assert registry_revision() != revision


@pytest.mark.django_db
def test_reports_for_different_dates_are_kept_apart(registry: SmallRegistry) -> None:
    early = indicator_report(as_of=dt.date(2023, 6, 30)).city["puhui_share"]
    late = indicator_report(as_of=AS_OF).city["puhui_share"]
    assert early.numerator != late.numerator  # the nursery's designation starts in 2024


@pytest.mark.django_db
def test_dates_computed_together_equal_dates_computed_one_by_one(registry: SmallRegistry) -> None:
    # History inside the span: a class that closes, a job that ends, a fee that changes.
    registry.family_class.closed_on = dt.date(2024, 7, 1)
    registry.family_class.save()
    registry.caregiver_employment.end = dt.date(2024, 3, 31)
    registry.caregiver_employment.save()
    registry.nursery_fee.effective_to = dt.date(2024, 12, 31)
    registry.nursery_fee.save()
    dates = [dt.date(2023, 12, 31), dt.date(2024, 6, 30), dt.date(2024, 12, 31), AS_OF]
    together = indicator_reports(dates=dates)
    for day, report in zip(dates, together, strict=True):
        revision_caches_clear()
        alone = indicator_report(as_of=day)
        for code, figure in alone.city.items():
            assert figure_as_dict(report.city[code]) == figure_as_dict(figure), (day, code)
        for township_id, figures in alone.townships.items():
            for code, figure in figures.items():
                assert figure_as_dict(report.townships[township_id][code]) == figure_as_dict(figure)


@pytest.mark.django_db
def test_a_revoked_filing_still_counts_in_the_figures_of_the_days_it_covered(
    registry: SmallRegistry, admin_user: User
) -> None:
    services.institution_update(
        actor=admin_user,
        institution=registry.nursery_a,
        filing_status="revoked",
        filing_revoked_on=dt.date(2025, 3, 1),
    )
    # The nursery's 15 托小班 slots: counted through 2025-02-28, not from 2025-03-01.
    assert indicator_report(as_of=dt.date(2025, 2, 28)).city["slots_per_1000"].numerator == 40
    assert indicator_report(as_of=dt.date(2025, 3, 1)).city["slots_per_1000"].numerator == 25
