"""Registry and planning rows -> the engine's inputs for forecasts, access and plans.

One function per use, each reading every table it needs once: the number of queries
does not grow with the number of townships, institutions or zones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Q, Sum

from tuoyu.engine import codes
from tuoyu.engine.accessibility import CostPairs, straight_line_pairs
from tuoyu.engine.expansion import (
    ACTION_KINDS,
    Candidates,
    Coverage,
    NewSites,
    PlanProblem,
    PlanTargets,
)
from tuoyu.engine.forecast import Forecast, ForecastAssumptions, PopulationHistory, forecast_children
from tuoyu.engine.indicators import Townships
from tuoyu.indicators.loader import certification_rules, load_income, registry_snapshot
from tuoyu.planning.models import (
    CandidateSite,
    DemandZone,
    DistanceMode,
    ExpansionKind,
    ExpansionOption,
    Scenario,
    SiteForm,
)
from tuoyu.registry.models import (
    ChildPopulation,
    IncomeScope,
    IncomeStat,
    Institution,
    Ownership,
    PuhuiDesignation,
    Township,
    TownshipYear,
)
from tuoyu.registry.selectors import classes_open_on, counted_on

SITE_CLASS_TYPES: dict[str, tuple[str, ...]] = {
    "community": ("infant", "toddler", "older"),
    "kindergarten": ("older",),
}
"""Class types a new site may open: a community site any age; a kindergarten 托班 (2–3)."""


def plan_day(year: int) -> dt.date:
    """Plans are for the end of their year, when the year's population figures hold."""
    return dt.date(year, 12, 31)


# --------------------------------------------------------------------------------------
# Forecast
# --------------------------------------------------------------------------------------


def population_history() -> PopulationHistory:
    """Births and children by age band of every township, over every year on record."""
    township_ids = np.array(Township.objects.order_by("pk").values_list("pk", flat=True), dtype=np.int64)
    births_rows = list(TownshipYear.objects.values_list("township_id", "year", "births"))
    children_rows = list(ChildPopulation.objects.values_list("township_id", "year", "age_band", "children"))
    years_seen = {row[1] for row in births_rows} | {row[1] for row in children_rows}
    if not years_seen or not township_ids.size:
        years = np.zeros(0, dtype=np.int64)
    else:
        years = np.arange(min(years_seen), max(years_seen) + 1, dtype=np.int64)
    births = np.full((township_ids.size, years.size), np.nan)
    children = np.full((township_ids.size, years.size, len(codes.AGE_BANDS)), np.nan)
    if years.size:
        row_of = {int(pk): i for i, pk in enumerate(township_ids)}
        first = int(years[0])
        for town, year, count in births_rows:
            births[row_of[town], year - first] = count
        band_of = {band: i for i, band in enumerate(codes.AGE_BANDS)}
        for town, year, band, count in children_rows:
            children[row_of[town], year - first, band_of[band]] = count
    return PopulationHistory(township_ids=township_ids, years=years, births=births, children=children)


def children_forecast(*, birth_trend: float | None, until_year: int | None = None) -> Forecast:
    """Children under 3 by township, observed years then at least three forecast years."""
    history = population_history()
    last = int(history.years[-1]) if history.years.size else dt.date.today().year
    horizon = max(3, (until_year or last) - last)
    return forecast_children(
        history, assumptions=ForecastAssumptions(birth_trend=birth_trend, horizon=horizon)
    )


def children_in_year(forecast: Forecast, year: int) -> tuple[np.ndarray, np.ndarray]:
    """Children under 3 and under 2 per township (forecast order) in ``year``.

    Before the first year on record the first year is used; the forecast reaches past
    any plan year it was asked for.
    """
    known = int(np.clip(year, forecast.years[0], forecast.years[-1]))
    return forecast.for_year(known)


# --------------------------------------------------------------------------------------
# Plans
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanInputs:
    """A plan problem with the names and places needed to show its answer."""

    problem: PlanProblem
    labels: dict[str, Any]
    parameters: dict[str, Any]


def _float(value: Decimal | float | int | None) -> float | None:
    return None if value is None else float(value)


def _income(year: int) -> tuple[float | None, int | None]:
    """Income of ``year``, else of the latest earlier year on record."""
    direct = load_income(year=year)
    if direct is not None:
        return direct, year
    row = (
        IncomeStat.objects.filter(scope=IncomeScope.ALL, year__lt=year)
        .order_by("-year")
        .values_list("year", "amount")
        .first()
    )
    return (None, None) if row is None else (float(row[1]), int(row[0]))


def _designated_on(day: dt.date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class _CandidateRows:
    """Candidate actions gathered row by row, then handed to the engine as arrays."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {
            name: []
            for name in (
                "kind",
                "institution_ids",
                "site_ids",
                "class_type",
                "slots_per_unit",
                "max_units",
                "unit_cost",
            )
        }
        self.labels: list[dict[str, Any]] = []

    def add(
        self,
        *,
        kind: str,
        institution_id: int = -1,
        site_id: int = -1,
        class_type: str | None,
        slots: float,
        units: int,
        cost: float,
        label: dict[str, Any],
    ) -> None:
        values = {
            "kind": codes.code_index(ACTION_KINDS, kind),
            "institution_ids": institution_id,
            "site_ids": site_id,
            "class_type": -1 if class_type is None else codes.code_index(codes.CLASS_TYPES, class_type),
            "slots_per_unit": slots,
            "max_units": units,
            "unit_cost": cost,
        }
        for name, value in values.items():
            self.columns[name].append(value)
        self.labels.append({"id": len(self.labels) + 1, "kind": kind, **label})

    def candidates(self) -> Candidates:
        c = self.columns
        return Candidates(
            ids=np.arange(1, len(self.labels) + 1, dtype=np.int64),
            kind=np.array(c["kind"], dtype=np.int8),
            institution_ids=np.array(c["institution_ids"], dtype=np.int64),
            site_ids=np.array(c["site_ids"], dtype=np.int64),
            class_type=np.array(c["class_type"], dtype=np.int8),
            slots_per_unit=np.array(c["slots_per_unit"], dtype=np.float64),
            max_units=np.array(c["max_units"], dtype=np.int64),
            unit_cost=np.array(c["unit_cost"], dtype=np.float64),
        )


def _institution_label(institution: Institution) -> dict[str, Any]:
    return {
        "institution_id": institution.pk,
        "institution": institution.name,
        "township_id": institution.township_id,
        "latitude": institution.latitude,
        "longitude": institution.longitude,
    }


def _gather_candidates(
    scenario: Scenario, day: dt.date
) -> tuple[_CandidateRows, list[CandidateSite], dict[str, int]]:
    rows = _CandidateRows()
    skipped = {"not_counted": 0}
    counted = counted_on(day)
    if scenario.use_kindergarten_classes or scenario.use_expansions:
        kinds = [
            kind
            for kind, wanted in (
                (ExpansionKind.KINDERGARTEN_CLASS, scenario.use_kindergarten_classes),
                (ExpansionKind.EXPAND, scenario.use_expansions),
            )
            if wanted
        ]
        counted_ids = set(Institution.objects.filter(counted).values_list("pk", flat=True))
        for option in ExpansionOption.objects.filter(kind__in=kinds).select_related("institution"):
            if option.institution_id not in counted_ids:
                skipped["not_counted"] += 1
                continue
            unit = (
                scenario.cost_kindergarten_class
                if option.kind == ExpansionKind.KINDERGARTEN_CLASS
                else scenario.cost_expansion_class
            )
            rows.add(
                kind=option.kind,
                institution_id=option.institution_id,
                class_type=option.class_type,
                slots=option.slots_per_class,
                units=option.max_classes,
                cost=float(unit * option.cost_factor),
                label={**_institution_label(option.institution), "option_id": option.pk},
            )
    sites: list[CandidateSite] = []
    if scenario.use_sites:
        sites = list(CandidateSite.objects.order_by("pk"))
        for site in sites:
            kindergarten = site.form == SiteForm.KINDERGARTEN
            unit = scenario.cost_kindergarten_class if kindergarten else scenario.cost_site_class
            for class_type in SITE_CLASS_TYPES[site.form]:
                rows.add(
                    kind="site_class",
                    site_id=site.pk,
                    class_type=class_type,
                    slots=_site_class_slots(class_type),
                    units=site.max_classes,
                    cost=float(unit * site.cost_factor),
                    label={
                        "site_id": site.pk,
                        "site": site.name,
                        "township_id": site.township_id,
                        "latitude": site.latitude,
                        "longitude": site.longitude,
                    },
                )
    if scenario.use_designations:
        designated = PuhuiDesignation.objects.filter(_designated_on(day)).values("institution_id")
        eligible = (
            Institution.objects.filter(counted, ownership=Ownership.PRIVATE)
            .exclude(pk__in=designated)
            .annotate(
                slots=Sum("classes__approved_slots", filter=classes_open_on(day, prefix="classes__")),
            )
            .filter(slots__gt=0)
            .order_by("pk")
        )
        for institution in eligible:
            slots = float(institution.slots or 0)
            rows.add(
                kind="designate",
                institution_id=institution.pk,
                class_type=None,
                slots=0.0,
                units=1,
                cost=float(scenario.cost_designation_per_slot) * slots,
                label={**_institution_label(institution), "slots": slots},
            )
    return rows, sites, skipped


def _site_class_slots(class_type: str) -> float:
    """New sites open classes at the national cap of their type."""
    return float(class_rules()[class_type]["max_children"])


def _new_sites(scenario: Scenario, sites: list[CandidateSite]) -> NewSites:
    def opening(site: CandidateSite) -> float:
        fixed = (
            scenario.cost_kindergarten_opening
            if site.form == SiteForm.KINDERGARTEN
            else scenario.cost_site_opening
        )
        return float(fixed * site.cost_factor)

    return NewSites(
        ids=np.array([s.pk for s in sites], dtype=np.int64),
        township_ids=np.array([s.township_id for s in sites], dtype=np.int64),
        fixed_cost=np.array([opening(s) for s in sites], dtype=np.float64),
        puhui=np.ones(len(sites), dtype=np.bool_),
        monthly_fee=np.full(len(sites), float(scenario.site_monthly_fee)),
        latitude=np.array([s.latitude for s in sites], dtype=np.float64),
        longitude=np.array([s.longitude for s in sites], dtype=np.float64),
        form=np.array([codes.code_index(codes.FORMS, s.form) for s in sites], dtype=np.int8),
        max_units=np.array([s.max_classes for s in sites], dtype=np.int64),
    )


def zone_children(zones: list[DemandZone], forecast: Forecast, year: int) -> tuple[np.ndarray, np.ndarray]:
    """Children under 3 and under 2 of each zone in ``year``: the zone's counts scaled by
    its township's forecast change since the zone's own year."""
    row_of = {int(pk): i for i, pk in enumerate(forecast.township_ids)}
    under_3 = np.array([z.children_under_3 for z in zones], dtype=np.float64)
    under_2 = np.array([z.children_under_2 for z in zones], dtype=np.float64)
    if not zones:
        return under_3, under_2
    target_3, target_2 = children_in_year(forecast, year)
    scale_3 = np.ones(len(zones))
    scale_2 = np.ones(len(zones))
    for base_year in {z.year for z in zones}:
        then_3, then_2 = children_in_year(forecast, base_year)
        ratio_3 = np.divide(target_3, then_3, out=np.ones_like(target_3), where=then_3 > 0)
        ratio_2 = np.divide(target_2, then_2, out=np.ones_like(target_2), where=then_2 > 0)
        for i, zone in enumerate(zones):
            if zone.year == base_year and zone.township_id in row_of:
                scale_3[i] = ratio_3[row_of[zone.township_id]]
                scale_2[i] = ratio_2[row_of[zone.township_id]]
    return under_3 * scale_3, under_2 * scale_2


def scenario_matrix(scenario: Scenario) -> dict[str, dict[str, float]] | None:
    """The scenario's travel-cost matrix when the scenario measures distance by it."""
    if scenario.distance_mode == DistanceMode.MATRIX and scenario.travel_costs:
        matrix: dict[str, dict[str, float]] = scenario.travel_costs
        return matrix
    return None


def travel_pairs(
    *,
    matrix: Mapping[str, Mapping[str, float]] | None,
    zones: Sequence[Any],
    place_codes: list[str],
    place_lat: np.ndarray,
    place_lon: np.ndarray,
    max_cost: float,
    circuity: float,
) -> CostPairs:
    """Zone -> place costs within ``max_cost``: from an imported matrix (zone code -> place
    code -> cost; pairs not in it are out of reach), else straight line × circuity.

    ``zones`` are anything with ``code``, ``latitude`` and ``longitude``."""
    if matrix:
        place_row = {code: i for i, code in enumerate(place_codes)}
        origin: list[int] = []
        dest: list[int] = []
        cost: list[float] = []
        for z, zone in enumerate(zones):
            for code, value in (matrix.get(zone.code) or {}).items():
                if code in place_row and float(value) <= max_cost:
                    origin.append(z)
                    dest.append(place_row[code])
                    cost.append(float(value))
        return CostPairs(
            origin=np.array(origin, dtype=np.int64),
            dest=np.array(dest, dtype=np.int64),
            cost=np.array(cost, dtype=np.float64),
        )
    return straight_line_pairs(
        np.array([z.latitude for z in zones], dtype=np.float64),
        np.array([z.longitude for z in zones], dtype=np.float64),
        place_lat,
        place_lon,
        max_cost=max_cost,
        circuity=circuity,
    )


def _coverage(
    scenario: Scenario, rows: _CandidateRows, sites: list[CandidateSite], forecast: Forecast
) -> Coverage:
    zones = list(DemandZone.objects.order_by("pk"))
    under_3, _under_2 = zone_children(zones, forecast, scenario.plan_year)
    site_code = {s.pk: s.code for s in sites}
    credit = dict(Institution.objects.values_list("pk", "credit_code"))
    codes_, lat, lon = [], [], []
    for label in rows.labels:
        codes_.append(
            site_code.get(label.get("site_id", -1)) or credit.get(label.get("institution_id", -1), "")
        )
        lat.append(np.nan if label.get("latitude") is None else label["latitude"])
        lon.append(np.nan if label.get("longitude") is None else label["longitude"])
    located = ~(np.isnan(np.array(lat)) | np.isnan(np.array(lon)))
    place_lat = np.where(located, np.array(lat), 0.0)
    place_lon = np.where(located, np.array(lon), 0.0)
    pairs = travel_pairs(
        matrix=scenario_matrix(scenario),
        zones=zones,
        place_codes=codes_,
        place_lat=place_lat,
        place_lon=place_lon,
        max_cost=float(scenario.catchment_m),
        circuity=float(scenario.circuity),
    )
    # Without coordinates a place has no straight-line distance; a travel matrix needs none.
    by_matrix = scenario_matrix(scenario) is not None
    keep = np.ones(pairs.dest.size, dtype=np.bool_) if by_matrix else located[pairs.dest]
    return Coverage(
        zone_ids=np.array([z.pk for z in zones], dtype=np.int64),
        weights=under_3,
        zone_rows=pairs.origin[keep],
        candidate_rows=pairs.dest[keep],
    )


def scenario_parameters(scenario: Scenario) -> dict[str, Any]:
    """Everything a run used, as plain JSON, so the run can be read after the scenario changes."""
    fields = [f.name for f in Scenario._meta.concrete_fields if f.name not in {"travel_costs", "created_by"}]
    values: dict[str, Any] = {}
    for name in fields:
        value = getattr(scenario, name)
        if isinstance(value, Decimal):
            value = float(value)
        elif isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        values[name] = value
    values["travel_cost_zones"] = len(scenario.travel_costs or {})
    return values


def plan_inputs(scenario: Scenario, *, progress: Any = None) -> PlanInputs:
    """The plan problem of ``scenario`` on the registry as it stands now.

    ``progress(stage)`` is called as each stage starts (``"loading"``, ``"forecast"``,
    ``"candidates"``).
    """
    report = progress or (lambda stage: None)
    day = plan_day(scenario.plan_year)
    report("loading")
    rules = certification_rules()
    snapshot = registry_snapshot(as_of=day, rules=rules)
    income, income_year = _income(scenario.plan_year - 1)
    report("forecast")
    forecast = children_forecast(birth_trend=_float(scenario.birth_trend), until_year=scenario.plan_year)
    under_3, under_2 = children_in_year(forecast, scenario.plan_year)
    row_of = {int(pk): i for i, pk in enumerate(forecast.township_ids)}
    order = np.array([row_of[int(pk)] for pk in snapshot.townships.ids], dtype=np.int64)
    townships = Townships(
        ids=snapshot.townships.ids,
        children_under_3=under_3[order] if order.size else under_3,
        children_under_2=under_2[order] if order.size else under_2,
        population=snapshot.townships.population,
    )
    snapshot = dataclasses.replace(snapshot, townships=townships, annual_income_previous_year=income)
    report("candidates")
    rows, sites, skipped = _gather_candidates(scenario, day)
    candidates = rows.candidates()
    coverage = _coverage(scenario, rows, sites, forecast) if scenario.budget is not None else None
    young = _float(scenario.young_infant_share_min)
    problem = PlanProblem(
        snapshot=snapshot,
        as_of=day,
        targets=PlanTargets(
            slots_per_1000_min=float(scenario.slots_per_1000_min),
            kindergarten_share_min=float(scenario.kindergarten_share_min),
            puhui_share_min=float(scenario.puhui_share_min),
            young_infant_share_min=young,
            class_caps={
                name: int(rule["max_children"])
                for name, rule in class_rules().items()
                if name in codes.CLASS_TYPES
            },
        ),
        candidates=candidates,
        sites=_new_sites(scenario, sites),
        budget=_float(scenario.budget),
        coverage=coverage,
        time_limit_seconds=float(scenario.time_limit_seconds),
        mip_rel_gap=float(scenario.mip_rel_gap),
        certification=rules,
    )
    towns = {
        t.pk: {"code": t.code, "name": t.name, "latitude": t.latitude, "longitude": t.longitude}
        for t in Township.objects.all()
    }
    labels = {
        "townships": {str(pk): value for pk, value in towns.items()},
        "candidates": {str(label["id"]): label for label in rows.labels},
        "sites": {
            str(s.pk): {
                "code": s.code,
                "name": s.name,
                "form": s.form,
                "township_id": s.township_id,
                "latitude": s.latitude,
                "longitude": s.longitude,
            }
            for s in sites
        },
        "forecast": {
            "years": [int(y) for y in forecast.years],
            "first_forecast_year": int(forecast.first_forecast_year),
        },
    }
    parameters = {
        **scenario_parameters(scenario),
        "as_of": day.isoformat(),
        "income_year": income_year,
        "candidates": int(candidates.ids.size),
        "sites": len(sites),
        "skipped_not_counted": skipped["not_counted"],
        "children_under_3": float(np.sum(townships.children_under_3)),
    }
    return PlanInputs(problem=problem, labels=labels, parameters=parameters)


def class_rules() -> dict[str, dict[str, Any]]:
    """The national class rules of ``settings.TUOYU_STANDARDS`` (caps, caregiver ratios)."""
    standards: dict[str, Any] = settings.TUOYU_STANDARDS
    rules: dict[str, dict[str, Any]] = standards["class_rules"]
    return rules
