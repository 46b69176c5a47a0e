"""Demand forecast of children under 3 by township and age band (cohort ageing).

Pure Python + numpy: no Django. The registry holds, per township and year, the births of
the year and the children under 3 living there at year end in the five bands of
:data:`tuoyu.engine.codes.AGE_BANDS`. This module projects those counts a few years ahead.

Notation. For township ``i`` and year ``y`` (figures at 31 December):

* ``B[y]`` births during ``y``;
* ``A0[y] = m0_6 + m6_12`` children aged 0 (born during ``y``);
* ``A1[y] = m12_18 + m18_24`` children aged 1 (born during ``y - 1``);
* ``A2[y] = m24_36`` children aged 2 (born during ``y - 2``).

Each age is the previous one a year later, so the model is

* ``A0[y] = B[y] · f0``
* ``A1[y + 1] = A0[y] · f1``
* ``A2[y + 1] = A1[y] · f2``

where the *stay rates* ``f0``, ``f1``, ``f2`` fold together survival and net migration
(a township where young families move in has rates above 1).

Stay rates. Estimated per township as a ratio of sums over every usable pair of figures:
``f0 = Σ A0[y] / Σ B[y]`` over the years where both are known, ``f1 = Σ A1[y + 1] / Σ A0[y]``
and ``f2 = Σ A2[y + 1] / Σ A1[y]`` over the consecutive years where both are known. An age
is known in a year only when all its bands are. The ratio of sums weighs each year by its
size and is not thrown by a small year (the mean of the yearly ratios would be). A township
with no usable pair, or whose denominators add up to zero, takes the city-wide rate: the
same ratio of sums over the usable pairs of every township; when the city has none either,
the rate is 1.0 (no migration, no deaths).

Half-year bands. An age is split into its two half-year bands by the township's share of
the first band in the last year both bands are known with a positive total; with no such
year, half and half. ``m24_36`` is a single band.

Births. Known births are kept. After a township's last known births ``B[L]``, births are
projected as ``B[L] · (1 + g)^(y - L)``, ``g`` being the birth trend. With
:attr:`ForecastAssumptions.birth_trend` ``None`` the trend is estimated per township: an
ordinary least-squares fit of ``log B`` on the year over the five years ending with the
township's last known births (years with unknown or zero births are left out of the fit),
``g = exp(slope) - 1``. A township with fewer than two usable years in that window takes
the city-wide trend: the common slope of a fit with one intercept per township over the
same windows (the pooled within-township slope ``Σ Sxy / Σ Sxx``), or 0 (births held level)
when no township has two usable years. Estimated trends are clipped to [-0.2, 0.2]. Gaps
in births between known years are not filled; births known after the last forecast year
enter the trend only.

Projection. The base year is the last year in which any township has a known child count;
the forecast covers the ``horizon`` years after it. Year by year from the first year of the
history, every band is its observed count when known, else the model value: ``A0`` from
the year's births, ``A1`` and ``A2`` from the previous year's ages, each split into bands.
Past gaps are therefore filled too (the :attr:`Forecast.observed_children` mask tells them
apart); a value the model cannot reach (no births, or the first year of the history for
ages 1 and 2) stays NaN, and NaN carries through every sum: an unknown count makes the
total unknown. Every factor is non-negative, so no forecast is negative.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tuoyu.engine import codes

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

N_BANDS = len(codes.AGE_BANDS)
TREND_WINDOW = 5
"""Number of years, ending with the last known births, the birth trend is fitted on."""
TREND_LIMIT = 0.2
"""Estimated birth trends are clipped to ``[-TREND_LIMIT, TREND_LIMIT]``."""

_UNDER_2 = np.array([codes.code_index(codes.AGE_BANDS, b) for b in codes.UNDER_2_AGE_BANDS])
_AGE0 = (codes.code_index(codes.AGE_BANDS, "m0_6"), codes.code_index(codes.AGE_BANDS, "m6_12"))
_AGE1 = (codes.code_index(codes.AGE_BANDS, "m12_18"), codes.code_index(codes.AGE_BANDS, "m18_24"))
_AGE2 = codes.code_index(codes.AGE_BANDS, "m24_36")


@dataclass(frozen=True)
class PopulationHistory:
    """Registered births and children under 3, per township and year.

    ``births[i, j]`` is the number of births in township ``township_ids[i]`` during
    ``years[j]``; ``children[i, j, b]`` the children living there at the end of that year
    in band ``codes.AGE_BANDS[b]``. NaN marks an unknown figure.
    """

    township_ids: IntArray  # (n,)
    years: IntArray  # (k,) ascending, consecutive
    births: FloatArray  # (n, k)
    children: FloatArray  # (n, k, 5)


@dataclass(frozen=True)
class ForecastAssumptions:
    """What the forecast assumes about the future.

    ``birth_trend`` is the annual relative change of births (-0.05: 5% fewer each year),
    the same for every township; ``None`` estimates it per township from the history (see
    the module docstring). ``horizon`` is the number of years forecast after the last year
    with a known child count.
    """

    birth_trend: float | None = None
    horizon: int = 3


@dataclass(frozen=True)
class CityForecast:
    """The forecast summed over townships; NaN wherever a township's figure is unknown."""

    years: IntArray  # (m,)
    first_forecast_year: int
    children: FloatArray  # (m, 5) by codes.AGE_BANDS
    births: FloatArray  # (m,)

    def under_3(self) -> FloatArray:
        """Children under 3 per year, shape ``(m,)``."""
        return np.asarray(self.children.sum(axis=1), dtype=np.float64)

    def under_2(self) -> FloatArray:
        """Children under 2 per year, shape ``(m,)``."""
        return np.asarray(self.children[:, _UNDER_2].sum(axis=1), dtype=np.float64)


@dataclass(frozen=True)
class Forecast:
    """Children under 3 by township, year and age band: observed, then forecast.

    ``years`` runs from the first year of the history to ``first_forecast_year +
    horizon - 1``. ``children`` and ``births`` hold the observed figure where known and the
    model value elsewhere; ``observed_children`` and ``observed_births`` are True where the
    figure comes from the history. ``birth_trend`` is the trend used per township,
    ``stay_rates[:, 0..2]`` the factors ``f0`` (births -> age 0), ``f1`` (age 0 -> age 1)
    and ``f2`` (age 1 -> age 2), ``band_shares[:, 0..1]`` the share of ``m0_6`` in age 0
    and of ``m12_18`` in age 1.
    """

    township_ids: IntArray  # (n,)
    years: IntArray  # (m,)
    first_forecast_year: int
    children: FloatArray  # (n, m, 5) by codes.AGE_BANDS
    births: FloatArray  # (n, m)
    birth_trend: FloatArray  # (n,)
    stay_rates: FloatArray  # (n, 3)
    band_shares: FloatArray  # (n, 2)
    observed_children: BoolArray  # (n, m, 5)
    observed_births: BoolArray  # (n, m)

    def under_3(self) -> FloatArray:
        """Children under 3 per township and year, shape ``(n, m)``."""
        return np.asarray(self.children.sum(axis=2), dtype=np.float64)

    def under_2(self) -> FloatArray:
        """Children under 2 per township and year, shape ``(n, m)``."""
        return np.asarray(self.children[:, :, _UNDER_2].sum(axis=2), dtype=np.float64)

    def city(self) -> CityForecast:
        """Children by band and births summed over townships."""
        return CityForecast(
            years=self.years.copy(),
            first_forecast_year=self.first_forecast_year,
            children=np.asarray(self.children.sum(axis=0), dtype=np.float64),
            births=np.asarray(self.births.sum(axis=0), dtype=np.float64),
        )

    def for_year(self, year: int) -> tuple[FloatArray, FloatArray]:
        """Children under 3 and under 2 per township in ``year``; ``ValueError`` outside ``years``."""
        matches = np.flatnonzero(self.years == year)
        if matches.size == 0:
            raise ValueError(f"year: {year} is outside {int(self.years[0])}..{int(self.years[-1])}")
        j = int(matches[0])
        return self.under_3()[:, j], self.under_2()[:, j]


def forecast_children(history: PopulationHistory, *, assumptions: ForecastAssumptions) -> Forecast:
    """Project children under 3 by township and age band ``assumptions.horizon`` years ahead.

    See the module docstring for the method. Raises ``ValueError`` naming the argument for
    arrays of the wrong shape, negative or infinite figures, years that are not ascending
    and consecutive, duplicate township ids, a history with no known child count, a
    horizon below 1 or a birth trend not above -1.
    """
    township_ids, years, births, children = _validated(history)
    horizon, trend_assumed = _validated_assumptions(assumptions)
    n = township_ids.size

    known_years = np.flatnonzero(np.isfinite(children).any(axis=(0, 2)))
    base = int(known_years[-1])  # index of the last year with a known child count
    m = base + 1 + horizon
    out_years = years[0] + np.arange(m, dtype=np.int64)

    # Estimates use the whole history; births are projected over the history padded to the
    # forecast years, then everything is cut to the output years (births known after the
    # last forecast year only enter the trend).
    stay = _stay_rates(births, children)
    shares = _band_shares(children)
    trend = _estimated_trends(years, births) if trend_assumed is None else np.full(n, trend_assumed)
    length = max(years.size, m)
    padded_births = np.full((n, length), np.nan)
    padded_births[:, : years.size] = births
    all_births = _projected_births(padded_births, trend)[:, :m]
    obs_births = padded_births[:, :m]
    kept = min(years.size, m)
    obs_children = np.full((n, m, N_BANDS), np.nan)
    obs_children[:, :kept] = children[:, :kept]

    result = np.full((n, m, N_BANDS), np.nan)
    age0_prev = np.full(n, np.nan)
    age1_prev = np.full(n, np.nan)
    for j in range(m):
        age0 = all_births[:, j] * stay[:, 0]
        age1 = age0_prev * stay[:, 1]
        age2 = age1_prev * stay[:, 2]
        model = np.stack(
            [
                age0 * shares[:, 0],
                age0 * (1.0 - shares[:, 0]),
                age1 * shares[:, 1],
                age1 * (1.0 - shares[:, 1]),
                age2,
            ],
            axis=1,
        )
        band = np.where(np.isnan(obs_children[:, j]), model, obs_children[:, j])
        result[:, j] = band
        age0_prev = band[:, _AGE0[0]] + band[:, _AGE0[1]]
        age1_prev = band[:, _AGE1[0]] + band[:, _AGE1[1]]

    return Forecast(
        township_ids=township_ids.copy(),
        years=out_years,
        first_forecast_year=int(years[base]) + 1,
        children=result,
        births=all_births,
        birth_trend=trend,
        stay_rates=stay,
        band_shares=shares,
        observed_children=~np.isnan(obs_children),
        observed_births=~np.isnan(obs_births),
    )


# --------------------------------------------------------------------------------------
# Estimation
# --------------------------------------------------------------------------------------


def _ages(children: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Children aged 0, 1 and 2, each ``(n, k)``; NaN where any of the age's bands is."""
    age0 = children[:, :, _AGE0[0]] + children[:, :, _AGE0[1]]
    age1 = children[:, :, _AGE1[0]] + children[:, :, _AGE1[1]]
    return age0, age1, children[:, :, _AGE2]


def _ratio_of_sums(numerators: FloatArray, denominators: FloatArray) -> FloatArray:
    """``Σ num / Σ den`` per row over the columns where both are known, with fallbacks.

    Rows with no usable column (or a zero sum of denominators) take the ratio over every
    row's usable columns; if that is undefined too, 1.0.
    """
    usable = np.isfinite(numerators) & np.isfinite(denominators)
    num = np.where(usable, numerators, 0.0).sum(axis=1)
    den = np.where(usable, denominators, 0.0).sum(axis=1)
    city_den = den.sum()
    city = num.sum() / city_den if city_den > 0 else 1.0
    ratio = np.full(num.shape, float(city))
    np.divide(num, den, out=ratio, where=den > 0)
    return ratio


def _stay_rates(births: FloatArray, children: FloatArray) -> FloatArray:
    """``(n, 3)``: births -> age 0, age 0 -> age 1, age 1 -> age 2 (see the module docstring)."""
    age0, age1, age2 = _ages(children)
    return np.stack(
        [
            _ratio_of_sums(age0, births),
            _ratio_of_sums(age1[:, 1:], age0[:, :-1]),
            _ratio_of_sums(age2[:, 1:], age1[:, :-1]),
        ],
        axis=1,
    )


def _last_share(first: FloatArray, second: FloatArray) -> FloatArray:
    """Share of ``first`` in ``first + second`` in the last column with a positive total; else 0.5."""
    total = first + second
    usable = np.isfinite(total) & (total > 0)
    k = first.shape[1]
    last = k - 1 - np.argmax(usable[:, ::-1], axis=1)
    rows = np.arange(first.shape[0])
    has = usable.any(axis=1)
    share = np.full(first.shape[0], 0.5)
    np.divide(first[rows, last], total[rows, last], out=share, where=has)
    return share


def _band_shares(children: FloatArray) -> FloatArray:
    """``(n, 2)``: share of ``m0_6`` in age 0 and of ``m12_18`` in age 1."""
    return np.stack(
        [
            _last_share(children[:, :, _AGE0[0]], children[:, :, _AGE0[1]]),
            _last_share(children[:, :, _AGE1[0]], children[:, :, _AGE1[1]]),
        ],
        axis=1,
    )


def _estimated_trends(years: IntArray, births: FloatArray) -> FloatArray:
    """Per-township birth trend from a log-linear fit (see the module docstring)."""
    n, k = births.shape
    known = np.isfinite(births)
    columns = np.arange(k)
    last = np.where(known.any(axis=1), k - 1 - np.argmax(known[:, ::-1], axis=1), -1)
    in_window = (columns >= last[:, None] - (TREND_WINDOW - 1)) & (columns <= last[:, None])
    usable = in_window & known & (np.where(known, births, 0.0) > 0)

    x = np.broadcast_to((years - years[0]).astype(np.float64), (n, k))
    y = np.log(np.where(usable, births, 1.0))
    count = usable.sum(axis=1)
    safe_count = np.maximum(count, 1)
    x_mean = np.where(usable, x, 0.0).sum(axis=1) / safe_count
    y_mean = np.where(usable, y, 0.0).sum(axis=1) / safe_count
    dx = np.where(usable, x - x_mean[:, None], 0.0)
    sxx = (dx * dx).sum(axis=1)
    sxy = (dx * np.where(usable, y - y_mean[:, None], 0.0)).sum(axis=1)

    pooled_sxx = sxx.sum()
    pooled = sxy.sum() / pooled_sxx if pooled_sxx > 0 else 0.0
    slope = np.full(n, float(pooled))
    np.divide(sxy, sxx, out=slope, where=count >= 2)
    return np.asarray(np.clip(np.expm1(slope), -TREND_LIMIT, TREND_LIMIT), dtype=np.float64)


def _projected_births(births: FloatArray, trend: FloatArray) -> FloatArray:
    """Known births kept; after each township's last known births, ``B[L] · (1 + g)^(y - L)``."""
    n, m = births.shape
    known = np.isfinite(births)
    columns = np.arange(m)
    has = known.any(axis=1)
    last = np.where(has, m - 1 - np.argmax(known[:, ::-1], axis=1), 0)
    last_births = np.where(has, births[np.arange(n), last], np.nan)
    ahead = columns[None, :] - last[:, None]
    growth = np.power((1.0 + trend)[:, None], np.maximum(ahead, 0))
    projected = last_births[:, None] * growth
    return np.where(known | (ahead <= 0), births, projected)


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


def _validated(history: PopulationHistory) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """The history's arrays as int64/float64, checked; ``ValueError`` naming the bad one."""
    township_ids = np.asarray(history.township_ids)
    if township_ids.ndim != 1 or not np.issubdtype(township_ids.dtype, np.integer):
        raise ValueError(f"history.township_ids: expected a 1-D integer array, got {township_ids.shape}")
    township_ids = township_ids.astype(np.int64)
    if np.unique(township_ids).size != township_ids.size:
        raise ValueError("history.township_ids: duplicate township ids")

    years = np.asarray(history.years)
    if years.ndim != 1 or years.size == 0 or not np.issubdtype(years.dtype, np.integer):
        raise ValueError(f"history.years: expected a non-empty 1-D integer array, got {years.shape}")
    years = years.astype(np.int64)
    if np.any(np.diff(years) != 1):
        raise ValueError(f"history.years: expected ascending consecutive years, got {years.tolist()}")

    n, k = township_ids.size, years.size
    births = np.asarray(history.births, dtype=np.float64)
    if births.shape != (n, k):
        raise ValueError(f"history.births: expected shape {(n, k)}, got {births.shape}")
    children = np.asarray(history.children, dtype=np.float64)
    if children.shape != (n, k, N_BANDS):
        raise ValueError(f"history.children: expected shape {(n, k, N_BANDS)}, got {children.shape}")
    for name, array in (("history.births", births), ("history.children", children)):
        if np.any(np.isinf(array)):
            raise ValueError(f"{name}: figures must be finite or NaN")
        if np.any(array < 0):
            raise ValueError(f"{name}: figures must not be negative")
    if not np.isfinite(children).any():
        raise ValueError("history.children: no known child count to forecast from")
    return township_ids, years, births, children


def _validated_assumptions(assumptions: ForecastAssumptions) -> tuple[int, float | None]:
    """``(horizon, birth_trend)``, checked; ``ValueError`` naming the bad one."""
    horizon = assumptions.horizon
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueError(f"assumptions.horizon: expected an integer of at least 1, got {horizon!r}")
    trend = assumptions.birth_trend
    if trend is not None and not (np.isfinite(trend) and trend > -1.0):
        raise ValueError(f"assumptions.birth_trend: expected a finite number above -1, got {trend!r}")
    return int(horizon), None if trend is None else float(trend)
