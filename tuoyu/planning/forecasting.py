"""The demand forecast page's figures: children to come and the slots they will need.

Children under 3 and under 2 by township and for the city, observed then forecast by
:mod:`tuoyu.engine.forecast` from the population history (:mod:`tuoyu.planning.loader`),
with the slots each forecast year needs to hold the year's slots-per-1,000 target
(:mod:`tuoyu.indicators.selectors`). Each forecast is kept per registry revision in this
process, so the page, the API and the command agree and a second look costs nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tuoyu.engine.forecast import Forecast, ForecastAssumptions, forecast_children
from tuoyu.indicators.selectors import indicator_report, targets_for
from tuoyu.planning import loader
from tuoyu.planning.analysis_common import FloatArray, forecast_cache, revision, today
from tuoyu.registry.models import Township

BIRTH_TREND_RANGE = (-0.5, 0.5)
HORIZON_RANGE = (1, 10)


@dataclass(frozen=True)
class ForecastParameters:
    birth_trend: float | None = None  # None: estimated per township from the history
    horizon: int = 3


def forecast_parameters(
    *, birth_trend: float | None = None, horizon: int | None = None
) -> ForecastParameters:
    """Checked parameters; ``ValidationError`` names the field at fault."""
    errors: dict[str, list[str]] = {}
    if birth_trend is not None and not (
        math.isfinite(birth_trend) and BIRTH_TREND_RANGE[0] <= birth_trend <= BIRTH_TREND_RANGE[1]
    ):
        errors["birth_trend"] = [
            _("年变化率须在 %(low)s 到 %(high)s 之间。")
            % {"low": BIRTH_TREND_RANGE[0], "high": BIRTH_TREND_RANGE[1]}
        ]
    years = 3 if horizon is None else horizon
    if not HORIZON_RANGE[0] <= years <= HORIZON_RANGE[1]:
        errors["horizon"] = [
            _("预测年数须在 %(low)s 到 %(high)s 之间。") % {"low": HORIZON_RANGE[0], "high": HORIZON_RANGE[1]}
        ]
    if errors:
        raise ValidationError(errors)
    return ForecastParameters(birth_trend=birth_trend, horizon=years)


@dataclass(frozen=True)
class SlotNeed:
    """Slots an area needs in a forecast year to hold the slots-per-1,000 target."""

    year: int
    target_per_1000: float
    children_under_3: float | None
    slots_target: float | None  # children × target ÷ 1,000
    slots_now: float
    gap: float | None  # slots_target − slots_now; ≤ 0: the current slots suffice


@dataclass(frozen=True)
class AreaForecast:
    """Observed then forecast children of the city or a township, year by year."""

    code: str
    name: str
    under_3: list[float | None]
    under_2: list[float | None]
    births: list[float | None]
    birth_trend: float | None  # None for the city (each township has its own)
    stay_rates: tuple[float, float, float] | None
    slots_now: float
    needs: list[SlotNeed]


@dataclass(frozen=True)
class ForecastReport:
    parameters: ForecastParameters
    years: list[int]
    first_forecast_year: int | None  # None: no population history to forecast from
    city: AreaForecast | None
    townships: list[AreaForecast]
    slots_as_of: dt.date
    targets: dict[int, tuple[float, int | None]]  # year -> (slots per 1,000 target, target-set year)

    @property
    def forecast_years(self) -> list[int]:
        if self.first_forecast_year is None:
            return []
        return [year for year in self.years if year >= self.first_forecast_year]

    @property
    def observed_years(self) -> list[int]:
        if self.first_forecast_year is None:
            return []
        return [year for year in self.years if year < self.first_forecast_year]


def children_forecast(*, parameters: ForecastParameters) -> Forecast | None:
    """The forecast for these assumptions, once per registry revision; None without history."""
    key = ("page", parameters, revision())
    cached = forecast_cache.get(key)
    if cached is not None:
        return cached
    try:
        forecast = forecast_children(
            loader.population_history(),
            assumptions=ForecastAssumptions(birth_trend=parameters.birth_trend, horizon=parameters.horizon),
        )
    except ValueError:
        return None
    forecast_cache.put(key, forecast)
    return forecast


def _values(array: FloatArray) -> list[float | None]:
    return [None if not math.isfinite(float(v)) else round(float(v), 3) for v in array]


def _needs(
    years: list[int],
    under_3: FloatArray,
    targets: dict[int, tuple[float, int | None]],
    forecast_years: list[int],
    slots_now: float,
) -> list[SlotNeed]:
    needs = []
    for year in forecast_years:
        children = float(under_3[years.index(year)])
        target = targets[year][0]
        known = math.isfinite(children)
        wanted = children * target / 1000 if known else None
        needs.append(
            SlotNeed(
                year=year,
                target_per_1000=target,
                children_under_3=children if known else None,
                slots_target=wanted,
                slots_now=slots_now,
                gap=None if wanted is None else wanted - slots_now,
            )
        )
    return needs


def forecast_report(*, parameters: ForecastParameters, slots_as_of: dt.date | None = None) -> ForecastReport:
    """Children under 3 and under 2 by township and for the city, observed then forecast,
    with the slots each forecast year needs to hold the year's slots-per-1,000 target.

    Current slots are the numerator of the ``slots_per_1000`` figure on ``slots_as_of``
    (default today): approved slots of filed, operating institutions.
    """
    day = slots_as_of or today()
    forecast = children_forecast(parameters=parameters)
    if forecast is None:
        return ForecastReport(parameters, [], None, None, [], day, {})
    years = [int(y) for y in forecast.years]
    first = int(forecast.first_forecast_year)
    forecast_years = [y for y in years if y >= first]
    targets: dict[int, tuple[float, int | None]] = {}
    for year in forecast_years:
        found, set_year = targets_for(year=year)
        targets[year] = (float(found.slots_per_1000_min), set_year)
    report = indicator_report(as_of=day)
    towns = {t.pk: t for t in Township.objects.all()}
    under_3, under_2 = forecast.under_3(), forecast.under_2()
    townships: list[AreaForecast] = []
    for i, pk in enumerate(int(v) for v in forecast.township_ids):
        town = towns.get(pk)
        if town is None:
            continue
        figure = report.townships.get(pk, {}).get("slots_per_1000")
        slots_now = float(figure.numerator) if figure is not None else 0.0
        townships.append(
            AreaForecast(
                code=town.code,
                name=town.name,
                under_3=_values(under_3[i]),
                under_2=_values(under_2[i]),
                births=_values(forecast.births[i]),
                birth_trend=float(forecast.birth_trend[i]),
                stay_rates=(
                    float(forecast.stay_rates[i, 0]),
                    float(forecast.stay_rates[i, 1]),
                    float(forecast.stay_rates[i, 2]),
                ),
                slots_now=slots_now,
                needs=_needs(years, under_3[i], targets, forecast_years, slots_now),
            )
        )
    townships.sort(key=lambda area: area.code)
    city = forecast.city()
    city_figure = report.city.get("slots_per_1000")
    city_slots = float(city_figure.numerator) if city_figure is not None else 0.0
    city_area = AreaForecast(
        code="city",
        name=_("全市"),
        under_3=_values(city.under_3()),
        under_2=_values(city.under_2()),
        births=_values(city.births),
        birth_trend=None,
        stay_rates=None,
        slots_now=city_slots,
        needs=_needs(years, city.under_3(), targets, forecast_years, city_slots),
    )
    return ForecastReport(parameters, years, first, city_area, townships, day, targets)


def _need_dict(need: SlotNeed) -> dict[str, Any]:
    return {
        "year": need.year,
        "target_per_1000": need.target_per_1000,
        "children_under_3": need.children_under_3,
        "slots_target": need.slots_target,
        "slots_now": need.slots_now,
        "gap": need.gap,
    }


def area_record(area: AreaForecast, years: list[int], first_forecast_year: int | None) -> dict[str, Any]:
    """An area's forecast as plain JSON-ready values (API and command)."""
    return {
        "code": area.code,
        "name": area.name,
        "birth_trend": area.birth_trend,
        "stay_rates": None if area.stay_rates is None else list(area.stay_rates),
        "slots_now": area.slots_now,
        "years": [
            {
                "year": year,
                "forecast": first_forecast_year is not None and year >= first_forecast_year,
                "children_under_3": area.under_3[j],
                "children_under_2": area.under_2[j],
                "births": area.births[j],
            }
            for j, year in enumerate(years)
        ],
        "needs": [_need_dict(need) for need in area.needs],
    }
