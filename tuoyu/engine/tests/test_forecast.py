"""The demand forecast of children under 3: hand-computed cases, the demo generator, and
properties on random histories (hypothesis)."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tuoyu.engine import codes
from tuoyu.engine.forecast import (
    Forecast,
    ForecastAssumptions,
    PopulationHistory,
    forecast_children,
)

NAN = math.nan
PROPERTY_SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
Bands = Sequence[float] | None  # the five bands of one year, None: unknown


def history(
    births: Sequence[Sequence[float]],
    children: Sequence[Sequence[Bands]],
    *,
    start: int = 2024,
    ids: Sequence[int] | None = None,
) -> PopulationHistory:
    """A history from one row of births and one row of band tuples per township."""
    k = len(births[0])
    rows = [[[NAN] * 5 if bands is None else list(bands) for bands in town] for town in children]
    return PopulationHistory(
        township_ids=np.array(ids if ids is not None else range(1, len(births) + 1), dtype=np.int64),
        years=np.arange(start, start + k, dtype=np.int64),
        births=np.array(births, dtype=np.float64),
        children=np.array(rows, dtype=np.float64).reshape(len(births), k, 5),
    )


def forecast(h: PopulationHistory, **assumptions: float | int | None) -> Forecast:
    return forecast_children(h, assumptions=ForecastAssumptions(**assumptions))  # type: ignore[arg-type]


# A township with births 100, 90, 81 (10% fewer each year) whose children follow
# f0 = 0.9, f1 = 0.8, f2 = 0.5, with 60% of age 0 in m0_6 and age 1 split half and half:
#   2024: age 0 = 90 (54 + 36), age 1 = 80 (40 + 40), age 2 = 50
#   2025: age 0 = 0.9 · 90 = 81 (48.6 + 32.4), age 1 = 0.8 · 90 = 72 (36 + 36), age 2 = 0.5 · 80 = 40
#   2026: age 0 = 0.9 · 81 = 72.9 (43.74 + 29.16), age 1 = 0.8 · 81 = 64.8, age 2 = 0.5 · 72 = 36
HAND = history(
    [[100, 90, 81]],
    [
        [
            (54, 36, 40, 40, 50),
            (48.6, 32.4, 36, 36, 40),
            (43.74, 29.16, 32.4, 32.4, 36),
        ]
    ],
)


def test_a_hand_computed_township_is_forecast_exactly() -> None:
    result = forecast(HAND, horizon=2)

    assert result.years.tolist() == [2024, 2025, 2026, 2027, 2028]
    assert result.first_forecast_year == 2027
    # f0 = (90 + 81 + 72.9) / (100 + 90 + 81) = 243.9 / 271 = 0.9
    # f1 = (72 + 64.8) / (90 + 81) = 136.8 / 171 = 0.8
    # f2 = (40 + 36) / (80 + 72) = 76 / 152 = 0.5
    np.testing.assert_allclose(result.stay_rates, [[0.9, 0.8, 0.5]], rtol=1e-12)
    # 43.74 / 72.9 = 0.6 and 32.4 / 64.8 = 0.5 in 2026, the last year
    np.testing.assert_allclose(result.band_shares, [[0.6, 0.5]], rtol=1e-12)
    # log-linear fit on 100, 90, 81: slope log 0.9, trend 0.9 - 1
    np.testing.assert_allclose(result.birth_trend, [-0.1], rtol=1e-12)
    # births 2027 = 81 · 0.9 = 72.9, 2028 = 81 · 0.9² = 65.61
    np.testing.assert_allclose(result.births[0], [100, 90, 81, 72.9, 65.61], rtol=1e-12)
    # 2027: age 0 = 0.9 · 72.9 = 65.61 (0.6 → 39.366, 0.4 → 26.244)
    #       age 1 = 0.8 · 72.9 (age 0 in 2026) = 58.32 (29.16 + 29.16), age 2 = 0.5 · 64.8 = 32.4
    # 2028: age 0 = 0.9 · 65.61 = 59.049 (35.4294 + 23.6196)
    #       age 1 = 0.8 · 65.61 = 52.488 (26.244 + 26.244), age 2 = 0.5 · 58.32 = 29.16
    np.testing.assert_allclose(
        result.children[0, 3:],
        [[39.366, 26.244, 29.16, 29.16, 32.4], [35.4294, 23.6196, 26.244, 26.244, 29.16]],
        rtol=1e-12,
    )
    # under 3: 65.61 + 58.32 + 32.4 = 156.33 and 59.049 + 52.488 + 29.16 = 140.697
    np.testing.assert_allclose(result.under_3()[0, 3:], [156.33, 140.697], rtol=1e-12)
    # under 2 leaves out m24_36: 156.33 - 32.4 = 123.93 and 140.697 - 29.16 = 111.537
    np.testing.assert_allclose(result.under_2()[0, 3:], [123.93, 111.537], rtol=1e-12)


def test_observed_figures_are_kept_and_flagged() -> None:
    result = forecast(HAND, horizon=2)

    np.testing.assert_array_equal(result.children[:, :3], HAND.children)
    assert result.observed_children[:, :3].all()
    assert not result.observed_children[:, 3:].any()
    assert result.observed_births.tolist() == [[True, True, True, False, False]]


def test_for_year_gives_under_3_and_under_2_per_township() -> None:
    under_3, under_2 = forecast(HAND, horizon=2).for_year(2027)

    np.testing.assert_allclose(under_3, [156.33], rtol=1e-12)
    np.testing.assert_allclose(under_2, [123.93], rtol=1e-12)


def test_for_year_outside_the_forecast_years_raises() -> None:
    with pytest.raises(ValueError, match="year"):
        forecast(HAND, horizon=2).for_year(2029)


def test_the_stay_rates_are_ratios_of_sums_not_means_of_ratios() -> None:
    # births 100 and 200, age 0 at 90 and 100: (90 + 100) / (100 + 200) = 0.6333…, where the
    # mean of the yearly ratios would be (0.9 + 0.5) / 2 = 0.7
    h = history([[100, 200]], [[(45, 45, 0, 0, 0), (50, 50, 0, 0, 0)]])

    assert forecast(h).stay_rates[0, 0] == pytest.approx(190 / 300, rel=1e-12)


def test_a_given_birth_trend_is_used_for_every_township() -> None:
    h = history([[100, 90, 81], [50, 60, 70]], [[None, None, (1, 1, 1, 1, 1)]] * 2)

    result = forecast(h, birth_trend=0.05, horizon=2)

    np.testing.assert_allclose(result.birth_trend, [0.05, 0.05])
    # 81 · 1.05 = 85.05, 81 · 1.05² = 89.3025; 70 · 1.05 = 73.5, 70 · 1.05² = 77.175
    np.testing.assert_allclose(result.births[:, 3:], [[85.05, 89.3025], [73.5, 77.175]], rtol=1e-12)


def test_the_birth_trend_of_an_exact_geometric_series_is_its_ratio_minus_one() -> None:
    births = [[1000 * 0.96**j for j in range(6)], [300 * 1.03**j for j in range(6)]]
    h = history(births, [[None] * 5 + [(1, 1, 1, 1, 1)]] * 2, start=2021)

    np.testing.assert_allclose(forecast(h).birth_trend, [-0.04, 0.03], rtol=1e-12)


def test_only_the_last_five_years_of_births_enter_the_trend() -> None:
    # 2021 is far off the series; 2022–2026 fall by 5% a year
    births = [[5000] + [400 * 0.95**j for j in range(5)]]
    h = history(births, [[None] * 5 + [(1, 1, 1, 1, 1)]], start=2021)

    np.testing.assert_allclose(forecast(h).birth_trend, [-0.05], rtol=1e-12)


def test_the_trend_window_ends_with_the_townships_last_known_births() -> None:
    # births known 2021–2025 (exact 10% rise), unknown in 2026: the window is 2021–2025
    births = [[100 * 1.1**j for j in range(5)] + [NAN]]
    h = history(births, [[None] * 5 + [(1, 1, 1, 1, 1)]], start=2021)

    result = forecast(h, horizon=1)

    np.testing.assert_allclose(result.birth_trend, [0.1], rtol=1e-12)
    # 2026 and 2027 projected from 2025: 146.41 · 1.1 = 161.051, · 1.1² = 177.1561
    np.testing.assert_allclose(result.births[0, 5:], [161.051, 177.1561], rtol=1e-12)
    assert result.observed_births[0].tolist() == [True] * 5 + [False, False]


def test_estimated_trends_are_clipped_to_twenty_percent() -> None:
    h = history([[100, 200, 400], [400, 200, 100]], [[None, None, (1, 1, 1, 1, 1)]] * 2)

    np.testing.assert_allclose(forecast(h).birth_trend, [0.2, -0.2])


def test_a_township_with_too_few_births_takes_the_pooled_city_trend() -> None:
    # Township 1: x = 0, 1, 2 and log 100, 90, 81: Sxx = 2, Sxy = 2 · log 0.9.
    # Township 2: x = 1, 2 and log 200, 220: Sxx = 0.5, Sxy = 0.5 · log 1.1.
    # Township 3 has one year of births: slope (2 log 0.9 + 0.5 log 1.1) / 2.5.
    h = history(
        [[100, 90, 81], [NAN, 200, 220], [NAN, NAN, 50]],
        [[None, None, (1, 1, 1, 1, 1)]] * 3,
    )
    pooled = math.exp((2 * math.log(0.9) + 0.5 * math.log(1.1)) / 2.5) - 1

    np.testing.assert_allclose(forecast(h).birth_trend, [-0.1, 0.1, pooled], rtol=1e-12)


def test_with_no_township_able_to_fit_a_trend_births_are_held_level() -> None:
    h = history([[NAN, 120], [80, NAN]], [[None, (1, 1, 1, 1, 1)]] * 2)

    result = forecast(h, horizon=1)

    np.testing.assert_array_equal(result.birth_trend, [0.0, 0.0])
    np.testing.assert_allclose(result.births, np.array([[NAN, 120, 120], [80, 80, 80]]))


def test_a_township_without_usable_pairs_takes_the_city_rate() -> None:
    # Township 1: f0 = (90 + 80) / (100 + 100) = 0.85. Township 2 has children only in
    # 2025 and births only in 2024: no usable pair, so it takes the city rate, the ratio of
    # sums over every usable pair: again 170 / 200 = 0.85.
    h = history(
        [[100, 100], [100, NAN]],
        [[(45, 45, 10, 10, 10), (40, 40, 10, 10, 10)], [None, (5, 5, 5, 5, 5)]],
    )

    result = forecast(h, horizon=1)

    assert result.stay_rates[:, 0].tolist() == pytest.approx([0.85, 0.85], rel=1e-12)
    # f1 = age 1 2025 / age 0 2024 = 20 / 90; f2 = 10 / 20 = 0.5, the same for township 2
    np.testing.assert_allclose(result.stay_rates[:, 1:], [[20 / 90, 0.5], [20 / 90, 0.5]], rtol=1e-12)


def test_with_nothing_to_estimate_from_the_rates_are_one_and_the_bands_even() -> None:
    # Births only in 2025, children only in 2026 with no age 0 or age 1 known.
    h = history([[100, NAN]], [[None, (NAN, NAN, NAN, NAN, 30)]], start=2025)

    result = forecast(h, horizon=1)

    np.testing.assert_array_equal(result.stay_rates, [[1.0, 1.0, 1.0]])
    np.testing.assert_array_equal(result.band_shares, [[0.5, 0.5]])
    # births held level at 100 (one year, no trend); 2025: age 0 = 100 → 50 + 50;
    # 2026: age 0 = 100 → 50 + 50, age 1 = 100 → 50 + 50, m24_36 observed 30;
    # 2027: age 0 = 100, age 1 = 100, age 2 = age 1 in 2026 = 100
    np.testing.assert_allclose(
        result.children[0],
        np.array([[50, 50, NAN, NAN, NAN], [50, 50, 50, 50, 30], [50, 50, 50, 50, 100]]),
    )
    assert result.observed_children[0, 1].tolist() == [False, False, False, False, True]


def test_gaps_are_skipped_when_estimating_and_filled_by_the_model() -> None:
    # 2025 is unknown, as is m6_12 in 2026. f0 uses 2024 and 2027 only:
    # (80 + 60) / (100 + 75) = 0.8. f1 has no usable pair (2024 → 2025 and 2025 → 2026 meet
    # the unknown year, 2026 → 2027 the unknown age 0 of 2026): 1.0. f2 has 2026 → 2027 only:
    # 80 / (40 + 40) = 1.0.
    h = history(
        [[100, 90, 80, 75]],
        [[(40, 40, 40, 40, 40), None, (36, NAN, 40, 40, 40), (30, 30, 40, 40, 80)]],
    )

    result = forecast(h, horizon=1)

    np.testing.assert_allclose(result.stay_rates, [[0.8, 1.0, 1.0]], rtol=1e-12)
    # 2025 filled: age 0 = 0.8 · 90 = 72, shared half and half as in 2027 (30 / 60);
    # age 1 = age 0 in 2024 = 80 → 40 + 40; age 2 = age 1 in 2024 = 80.
    np.testing.assert_allclose(result.children[0, 1], [36, 36, 40, 40, 80], rtol=1e-12)
    # 2026: m6_12 filled with 0.8 · 80 · 0.5 = 32, the other bands observed
    np.testing.assert_allclose(result.children[0, 2], [36, 32, 40, 40, 40], rtol=1e-12)
    assert not result.observed_children[0, 1].any()
    # 2028: age 1 = age 0 in 2027 = 60 → 30 + 30, age 2 = age 1 in 2027 = 80
    assert result.children[0, 4, 2:].tolist() == pytest.approx([30, 30, 80])
    assert np.isfinite(result.under_3()[0, 1:]).all()


def test_a_township_without_any_births_has_no_age_0_forecast() -> None:
    h = history([[NAN, NAN]], [[None, (10, 10, 10, 10, 10)]])

    result = forecast(h, horizon=1)

    assert np.isnan(result.births).all()
    assert np.isnan(result.children[0, 2, :2]).all()
    assert result.children[0, 2, 2:].tolist() == pytest.approx([10, 10, 20])


def test_history_years_after_the_horizon_are_left_out() -> None:
    h = history([[100, 90, 81, 70, 60]], [[(40, 40, 40, 40, 40), None, None, None, None]])

    result = forecast(h, birth_trend=0.0, horizon=2)

    assert result.years.tolist() == [2024, 2025, 2026]
    assert result.first_forecast_year == 2025
    np.testing.assert_array_equal(result.births[0], [100, 90, 81])


def test_the_city_is_the_sum_of_its_townships() -> None:
    h = history(
        [[100, 90, 81], [200, 210, 190]],
        [
            [(54, 36, 40, 40, 50), (48.6, 32.4, 36, 36, 40), (43.74, 29.16, 32.4, 32.4, 36)],
            [(90, 90, 100, 100, 190), (100, 95, 90, 90, 200), (95, 90, 100, 95, 180)],
        ],
    )
    result = forecast(h)
    city = result.city()

    assert city.years.tolist() == result.years.tolist()
    assert city.first_forecast_year == result.first_forecast_year
    np.testing.assert_allclose(city.children, result.children.sum(axis=0))
    np.testing.assert_allclose(city.births, result.births.sum(axis=0))
    np.testing.assert_allclose(city.under_3(), result.under_3().sum(axis=0))
    np.testing.assert_allclose(city.under_2(), result.under_2().sum(axis=0))


# --------------------------------------------------------------------------------------
# The demo generator (tuoyu.registry.demo.linhai_plan.build_population)
# --------------------------------------------------------------------------------------

DECLINE = 0.96  # births fall 4% a year in the demo
MIGRATIONS = (1.04, 1.00, 1.05, 0.96, 0.90)  # the demo's township profiles


def demo_city(
    rng: np.random.Generator | None, *, last_year: int = 2026
) -> tuple[PopulationHistory, list[float]]:
    """Births 2021–``last_year`` and children from 2023 the way the demo draws them.

    ``rng`` None: no noise and no rounding, births an exact geometric series.
    """
    years = np.arange(2021, last_year + 1)
    births = np.empty((len(MIGRATIONS), len(years)))
    children = np.full((len(MIGRATIONS), len(years), 5), NAN)
    for i, migration in enumerate(MIGRATIONS):
        people = 30_000 + 20_000 * i
        for j, year in enumerate(years):
            noise = 1.0 if rng is None else rng.normal(1.0, 0.03)
            births[i, j] = people * 0.00755 * DECLINE ** (year - 2021) * noise
        if rng is not None:
            births[i] = np.round(births[i])
        for j in range(2, len(years)):
            stay = migration * (1.0 if rng is None else rng.normal(1.0, 0.01))
            this, last, before = births[i, j], births[i, j - 1], births[i, j - 2]
            bands = [
                0.5 * this * stay,
                0.5 * this * stay * 0.995,
                0.5 * last * stay * 0.99,
                0.5 * last * stay * 0.985,
                before * stay * 0.98,
            ]
            children[i, j] = np.round(bands) if rng is not None else bands
    h = PopulationHistory(
        township_ids=np.arange(1, len(MIGRATIONS) + 1, dtype=np.int64),
        years=years.astype(np.int64),
        births=births,
        children=children,
    )
    return h, list(MIGRATIONS)


def test_the_demo_generator_recovers_its_own_stay_factor() -> None:
    h, migrations = demo_city(np.random.default_rng(20260101))

    result = forecast(h)

    # age 0 = 0.5 · births · stay · (1 + 0.995), so f0 = 0.9975 · stay
    np.testing.assert_allclose(result.stay_rates[:, 0] / 0.9975, migrations, rtol=0.02)
    # age 1 a year later = births · stay · 0.5 · (0.99 + 0.985): f1 = 0.9875 / 0.9975
    np.testing.assert_allclose(result.stay_rates[:, 1], 0.9875 / 0.9975, rtol=0.02)
    # age 2 a year later = births · stay · 0.98: f2 = 0.98 / 0.9875
    np.testing.assert_allclose(result.stay_rates[:, 2], 0.98 / 0.9875, rtol=0.02)
    # births carry 3% yearly noise, so a single township's trend is off by about 1%; the
    # mean over the five is close to the demo's 4% decline
    assert result.birth_trend.mean() == pytest.approx(DECLINE - 1, abs=0.01)


def test_a_noiseless_demo_city_is_forecast_exactly() -> None:
    h, _ = demo_city(None)
    truth, _ = demo_city(None, last_year=2029)

    result = forecast(h, horizon=3)

    assert result.years.tolist() == list(range(2021, 2030))
    np.testing.assert_allclose(result.children[:, 2:], truth.children[:, 2:], rtol=1e-9)
    np.testing.assert_allclose(result.births, truth.births, rtol=1e-9)


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


def replaced(**changes: object) -> PopulationHistory:
    return dataclasses.replace(HAND, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("bad", "name"),
    [
        (replaced(births=np.zeros((1, 2))), "history.births"),
        (replaced(children=np.zeros((1, 3, 4))), "history.children"),
        (replaced(births=np.array([[100.0, -1.0, 81.0]])), "history.births"),
        (replaced(children=np.full((1, 3, 5), -2.0)), "history.children"),
        (replaced(births=np.array([[100.0, np.inf, 81.0]])), "history.births"),
        (replaced(years=np.array([2024, 2026, 2027])), "history.years"),
        (replaced(years=np.array([2026, 2025, 2024])), "history.years"),
        (replaced(township_ids=np.array([[1]])), "history.township_ids"),
        (replaced(children=np.full((1, 3, 5), NAN)), "history.children"),
    ],
)
def test_a_malformed_history_raises_naming_the_argument(bad: PopulationHistory, name: str) -> None:
    with pytest.raises(ValueError, match=re.escape(name)):
        forecast(bad)


def test_duplicate_township_ids_raise() -> None:
    h = history([[1, 1], [1, 1]], [[(1, 1, 1, 1, 1)] * 2] * 2, ids=[7, 7])

    with pytest.raises(ValueError, match=re.escape("history.township_ids")):
        forecast(h)


@pytest.mark.parametrize(
    ("assumptions", "name"),
    [
        ({"horizon": 0}, "assumptions.horizon"),
        ({"birth_trend": -1.0}, "assumptions.birth_trend"),
        ({"birth_trend": NAN}, "assumptions.birth_trend"),
    ],
)
def test_bad_assumptions_raise_naming_the_argument(assumptions: dict[str, float], name: str) -> None:
    with pytest.raises(ValueError, match=re.escape(name)):
        forecast(HAND, **assumptions)


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------

# Unknown, zero, whole or fractional counts (no tiny values a scaling could flush to zero).
FIGURES = st.one_of(
    st.just(NAN),
    st.just(0.0),
    st.integers(0, 1000).map(float),
    st.floats(0.001, 1000),
    st.floats(0.001, 1000),
)


@st.composite
def histories(draw: st.DrawFn) -> PopulationHistory:
    n = draw(st.integers(1, 4))
    k = draw(st.integers(1, 7))
    births = draw(hnp.arrays(np.float64, (n, k), elements=FIGURES))
    children = draw(hnp.arrays(np.float64, (n, k, 5), elements=FIGURES))
    if not np.isfinite(children).any():
        children[draw(st.integers(0, n - 1)), -1, :] = draw(st.floats(0, 1000))
    return PopulationHistory(
        township_ids=np.arange(10, 10 + n, dtype=np.int64),
        years=np.arange(2020, 2020 + k, dtype=np.int64),
        births=births,
        children=children,
    )


TRENDS = st.one_of(st.none(), st.floats(-0.5, 0.5))
HORIZONS = st.integers(1, 5)


@PROPERTY_SETTINGS
@given(histories(), TRENDS, HORIZONS)
def test_forecasts_are_never_negative(h: PopulationHistory, trend: float | None, horizon: int) -> None:
    result = forecast(h, birth_trend=trend, horizon=horizon)

    assert not (result.children < 0).any()
    assert not (result.births < 0).any()
    assert (result.stay_rates >= 0).all()
    assert ((result.band_shares >= 0) & (result.band_shares <= 1)).all()
    assert ((result.birth_trend >= -0.5) & (result.birth_trend <= 0.5)).all()


@PROPERTY_SETTINGS
@given(histories(), TRENDS, HORIZONS)
def test_observed_figures_pass_through_unchanged(
    h: PopulationHistory, trend: float | None, horizon: int
) -> None:
    result = forecast(h, birth_trend=trend, horizon=horizon)
    k = min(h.years.size, result.years.size)

    known = np.isfinite(h.children[:, :k])
    np.testing.assert_array_equal(result.children[:, :k][known], h.children[:, :k][known])
    np.testing.assert_array_equal(result.observed_children[:, :k], known)
    assert not result.observed_children[:, k:].any()
    assert result.years[-1] == result.first_forecast_year + horizon - 1


@PROPERTY_SETTINGS
@given(histories(), TRENDS, HORIZONS)
def test_the_city_adds_up_its_townships(h: PopulationHistory, trend: float | None, horizon: int) -> None:
    result = forecast(h, birth_trend=trend, horizon=horizon)
    city = result.city()

    np.testing.assert_allclose(city.children, result.children.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(city.under_3(), result.under_3().sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(city.births, result.births.sum(axis=0), rtol=1e-12)


@PROPERTY_SETTINGS
@given(histories(), TRENDS, HORIZONS, st.floats(0.01, 100))
def test_scaling_births_and_children_by_k_scales_the_forecast_by_k(
    h: PopulationHistory, trend: float | None, horizon: int, k: float
) -> None:
    scaled = dataclasses.replace(h, births=h.births * k, children=h.children * k)

    base = forecast(h, birth_trend=trend, horizon=horizon)
    result = forecast(scaled, birth_trend=trend, horizon=horizon)

    np.testing.assert_allclose(result.children, base.children * k, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(result.births, base.births * k, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(result.stay_rates, base.stay_rates, rtol=1e-9)
    np.testing.assert_allclose(result.birth_trend, base.birth_trend, rtol=1e-9, atol=1e-12)


@PROPERTY_SETTINGS
@given(histories(), st.floats(-0.5, 0.5), st.floats(-0.5, 0.5), HORIZONS)
def test_a_higher_birth_trend_never_lowers_the_under_3_forecast(
    h: PopulationHistory, trend_a: float, trend_b: float, horizon: int
) -> None:
    low, high = sorted((trend_a, trend_b))

    lower = forecast(h, birth_trend=low, horizon=horizon).under_3()
    higher = forecast(h, birth_trend=high, horizon=horizon).under_3()

    np.testing.assert_array_equal(np.isnan(lower), np.isnan(higher))
    known = ~np.isnan(lower)
    assert (higher[known] >= lower[known]).all()


@PROPERTY_SETTINGS
@given(histories(), TRENDS, HORIZONS, HORIZONS)
def test_a_longer_horizon_leaves_the_earlier_years_unchanged(
    h: PopulationHistory, trend: float | None, horizon_a: int, horizon_b: int
) -> None:
    short, long = sorted((horizon_a, horizon_b))
    h_short = forecast(h, birth_trend=trend, horizon=short)
    h_long = forecast(h, birth_trend=trend, horizon=long)
    m = h_short.years.size

    np.testing.assert_array_equal(h_long.years[:m], h_short.years)
    np.testing.assert_allclose(h_long.children[:, :m], h_short.children, rtol=1e-12)
    np.testing.assert_allclose(h_long.births[:, :m], h_short.births, rtol=1e-12)


def test_the_bands_follow_the_codes() -> None:
    assert codes.AGE_BANDS == ("m0_6", "m6_12", "m12_18", "m18_24", "m24_36")
    assert forecast(HAND).children.shape[2] == len(codes.AGE_BANDS)
