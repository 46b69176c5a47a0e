"""The demand forecast computed by ``tuoyu.planning.forecasting`` on the small registry.

The small registry (``tuoyu/conftest.py``) has one year of population history: township
A with 500 children under 3 (400 under 2) and township B with 250 (200), and 40 approved
slots now (20 + 15 in A, 5 in B).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tuoyu.conftest import AS_OF, SmallRegistry
from tuoyu.planning import forecasting
from tuoyu.registry.models import ChildPopulation, TownshipYear


@pytest.mark.django_db
def test_the_forecast_report_carries_observed_then_forecast_years(registry: SmallRegistry) -> None:
    report = forecasting.forecast_report(parameters=forecasting.forecast_parameters(), slots_as_of=AS_OF)
    assert report.years == [2025, 2026, 2027, 2028]
    assert report.first_forecast_year == 2026
    assert report.observed_years == [2025] and report.forecast_years == [2026, 2027, 2028]
    assert report.city is not None
    # One year of history: f0 = 200 / 100 births, f1 = f2 = 1, flat births -> 600 in A, 300 in B.
    assert report.city.under_3 == [750.0, 900.0, 900.0, 900.0]
    assert report.city.under_2 == [600.0, 600.0, 600.0, 600.0]
    town_a = report.townships[0]
    assert town_a.code == registry.township_a.code
    assert town_a.stay_rates == pytest.approx((2.0, 1.0, 1.0))
    assert town_a.birth_trend == 0.0


@pytest.mark.django_db
def test_slots_needed_hold_the_target_per_1000_against_current_slots(registry: SmallRegistry) -> None:
    report = forecasting.forecast_report(parameters=forecasting.forecast_parameters(), slots_as_of=AS_OF)
    assert report.targets[2026] == (280.0, 2025)
    assert report.city is not None
    need = report.city.needs[0]
    # 900 × 280 / 1000 = 252 slots wanted, 40 now (20 + 15 + 5).
    assert (need.year, need.slots_target, need.slots_now) == (2026, pytest.approx(252.0), 40.0)
    assert need.gap == pytest.approx(212.0)
    town_a, town_b = report.townships
    assert town_a.needs[0].gap == pytest.approx(600 * 0.28 - 35)
    assert town_b.needs[0].gap == pytest.approx(300 * 0.28 - 5)


@pytest.mark.django_db
def test_an_assumed_birth_trend_and_horizon_are_used(registry: SmallRegistry) -> None:
    parameters = forecasting.forecast_parameters(birth_trend=-0.1, horizon=2)
    report = forecasting.forecast_report(parameters=parameters, slots_as_of=AS_OF)
    assert report.forecast_years == [2026, 2027]
    # 2026 births in A: 90 -> 180 aged 0, plus 200 aged 1 and 200 aged 2.
    assert report.townships[0].under_3[1] == pytest.approx(580.0)
    assert report.townships[0].birth_trend == pytest.approx(-0.1)


@pytest.mark.parametrize(
    ("values", "field"),
    [({"birth_trend": 0.9}, "birth_trend"), ({"horizon": 0}, "horizon"), ({"horizon": 11}, "horizon")],
)
def test_bad_forecast_assumptions_are_refused_naming_the_field(values: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        forecasting.forecast_parameters(**values)  # type: ignore[arg-type]
    assert set(caught.value.message_dict) == {field}


@pytest.mark.django_db
def test_without_history_the_forecast_report_is_empty(registry: SmallRegistry) -> None:
    ChildPopulation.objects.all().delete()
    TownshipYear.objects.all().delete()
    report = forecasting.forecast_report(parameters=forecasting.forecast_parameters(), slots_as_of=AS_OF)
    assert report.city is None and report.townships == [] and report.forecast_years == []
