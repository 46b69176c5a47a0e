import datetime as dt

import numpy as np
import pytest

from tuoyu.common.sqlarrays import CodeIndex, EpochDays, as_codes, as_days, fetch_numeric
from tuoyu.conftest import SmallRegistry
from tuoyu.engine import codes
from tuoyu.registry.models import CareClass, Fee, Institution


@pytest.mark.django_db
def test_dates_arrive_as_numpy_days_and_empty_dates_as_not_a_time(registry: SmallRegistry) -> None:
    registry.nursery_a.closed_on = dt.date(2026, 3, 1)
    registry.nursery_a.save()
    rows = fetch_numeric(
        Institution.objects.filter(pk__in=[registry.nursery_a.pk, registry.family_b.pk]).order_by("pk"),
        id="pk",
        opened_on=EpochDays("opened_on"),
        closed_on=EpochDays("closed_on"),
    )
    by_id = {int(row[0]): row for row in rows}
    opened = as_days(np.array([by_id[registry.nursery_a.pk][1]]))
    closed = as_days(np.array([by_id[registry.nursery_a.pk][2], by_id[registry.family_b.pk][2]]))
    assert opened[0] == np.datetime64("2023-01-01")
    assert closed[0] == np.datetime64("2026-03-01")
    assert np.isnat(closed[1])


@pytest.mark.django_db
def test_text_codes_arrive_as_their_position_and_unknown_codes_are_refused(registry: SmallRegistry) -> None:
    the_class = CareClass.objects.filter(pk=registry.nursery_class.pk)
    rows = fetch_numeric(the_class, kind=CodeIndex("class_type", codes.CLASS_TYPES))
    toddler = codes.CLASS_TYPES.index("toddler")
    assert as_codes(rows[:, 0], codes.CLASS_TYPES, "class type").tolist() == [toddler]
    the_class.update(class_type="unknown")
    rows = fetch_numeric(the_class, kind=CodeIndex("class_type", codes.CLASS_TYPES))
    with pytest.raises(ValueError, match="unknown class type code"):
        as_codes(rows[:, 0], codes.CLASS_TYPES, "class type")


@pytest.mark.django_db
def test_an_empty_queryset_gives_an_empty_array_without_a_query(
    registry: SmallRegistry, django_assert_num_queries: object
) -> None:
    with django_assert_num_queries(0):  # type: ignore[operator]
        rows = fetch_numeric(Institution.objects.none(), id="pk", opened_on=EpochDays("opened_on"))
    assert rows.shape == (0, 2)


@pytest.mark.django_db
def test_a_null_column_is_refused_rather_than_misaligned(registry: SmallRegistry) -> None:
    with pytest.raises(ValueError, match="column 1 of the query has NULL values"):
        # Only the nursery's fee has a half-day price.
        fetch_numeric(Fee.objects.all(), id="pk", half_day="half_day_monthly")


@pytest.mark.django_db
def test_rows_keep_their_columns_together(registry: SmallRegistry) -> None:
    rows = fetch_numeric(CareClass.objects.all(), id="pk", slots="approved_slots", enrolled="enrolled")
    expected = {(c.pk, c.approved_slots, c.enrolled) for c in CareClass.objects.all()}
    assert {(int(a), int(b), int(c)) for a, b, c in rows} == expected
