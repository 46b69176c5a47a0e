"""Access to 普惠 slots and childcare deserts, for the planning pages.

Reads through :mod:`tuoyu.planning.loader` and the registry, computes with the engine
(:mod:`tuoyu.engine.accessibility`) and keeps each answer per registry revision in this
process, so the page, its exports and the API agree and a second look costs nothing.
Aggregates only: children per zone, slots per institution. Zone counts are scaled to the
as-of year with the township forecast (:mod:`tuoyu.engine.forecast`).

Access is computed for two groups, because a slot only serves the ages its class takes:
小月龄 slots (乳儿班 + 托小班) for children under 24 months, and 托大班 + 混龄班 slots for
children of 24–36 months (children under 3 minus children under 2).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from tuoyu.common.revision_cache import RevisionCache
from tuoyu.engine import codes
from tuoyu.engine.accessibility import (
    DesertRule,
    Steps,
    enhanced_two_step_fca,
    find_deserts,
    parse_steps,
    supply_in_reach,
    two_step_fca,
)
from tuoyu.engine.forecast import Forecast
from tuoyu.planning import loader
from tuoyu.planning.analysis_common import FloatArray, forecast_cache, revision, today
from tuoyu.planning.models import DemandZone, Scenario
from tuoyu.registry.models import Institution, Township
from tuoyu.registry.selectors import classes_open_on, counted_on, puhui_on

BoolArray = npt.NDArray[np.bool_]

# --------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------

METHODS: tuple[str, ...] = ("e2sfca", "2sfca")
"""Enhanced 2SFCA (distance-decay steps) or plain 2SFCA (one step up to the catchment)."""

GROUPS: tuple[str, ...] = ("young", "older")
"""小月龄 (under 24 months) and 24–36 months."""

YOUNG_CLASS_TYPES: tuple[str, ...] = codes.YOUNG_INFANT_CLASS_TYPES
OLDER_CLASS_TYPES: tuple[str, ...] = tuple(t for t in codes.CLASS_TYPES if t not in YOUNG_CLASS_TYPES)

DEFAULT_CATCHMENT_M = 3000.0
DEFAULT_STEPS: tuple[tuple[float, float], ...] = ((1000.0, 1.0), (2000.0, 0.68), (3000.0, 0.22))
"""The usual 15-minute-walk decay for a 3 km catchment; scaled to other catchments."""
DEFAULT_CIRCUITY = 1.3
DEFAULT_MIN_CHILDREN = 50.0
DEFAULT_MAX_CHILDREN_PER_SLOT = 3.0

CATCHMENT_RANGE = (100.0, 50_000.0)
CIRCUITY_RANGE = (1.0, 3.0)
MIN_CHILDREN_RANGE = (0.0, 100_000.0)
CHILDREN_PER_SLOT_RANGE = (0.1, 1000.0)
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


def scaled_steps(catchment_m: float) -> tuple[tuple[float, float], ...]:
    """The default steps with their bounds stretched to end at ``catchment_m``."""
    factor = catchment_m / DEFAULT_CATCHMENT_M
    return tuple((round(upper * factor, 3), weight) for upper, weight in DEFAULT_STEPS)


def steps_text(steps: tuple[tuple[float, float], ...]) -> str:
    """``((1000, 1), (2000, 0.68))`` as ``"1000:1,2000:0.68"``, the form people type."""
    return ",".join(f"{upper:g}:{weight:g}" for upper, weight in steps)


@dataclass(frozen=True)
class AccessParameters:
    """Everything an access analysis depends on besides the registry; hashable, to key the cache."""

    as_of: dt.date
    method: str = "e2sfca"
    catchment_m: float = DEFAULT_CATCHMENT_M
    steps: tuple[tuple[float, float], ...] = DEFAULT_STEPS
    circuity: float = DEFAULT_CIRCUITY
    min_children: float = DEFAULT_MIN_CHILDREN
    max_children_per_slot: float = DEFAULT_MAX_CHILDREN_PER_SLOT
    steps_given: bool = False
    travel_scenario: int | None = None  # measure distance by this scenario's travel-cost matrix

    @property
    def steps_text(self) -> str:
        return steps_text(self.steps)

    def engine_steps(self) -> Steps:
        return Steps(np.array([s[0] for s in self.steps]), np.array([s[1] for s in self.steps]))

    def rule(self) -> DesertRule:
        return DesertRule(min_children=self.min_children, max_children_per_slot=self.max_children_per_slot)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "method": self.method,
            "catchment_m": self.catchment_m,
            "steps": self.steps_text if self.method == "e2sfca" else None,
            "circuity": self.circuity,
            "min_children": self.min_children,
            "max_children_per_slot": self.max_children_per_slot,
            "travel_scenario": self.travel_scenario,
        }


def _in_range(
    errors: dict[str, list[str]], name: str, value: float | None, low: float, high: float
) -> float | None:
    if value is None:
        return None
    if not (math.isfinite(value) and low <= value <= high):
        errors.setdefault(name, []).append(
            _("须在 %(low)s 到 %(high)s 之间。") % {"low": f"{low:g}", "high": f"{high:g}"}
        )
        return None
    return float(value)


def access_parameters(
    *,
    as_of: dt.date | None = None,
    method: str | None = None,
    catchment_m: float | None = None,
    steps: str | None = None,
    circuity: float | None = None,
    min_children: float | None = None,
    max_children_per_slot: float | None = None,
    travel_scenario: int | None = None,
) -> AccessParameters:
    """Checked parameters; ``None`` (or blank steps) takes the default.

    Raises ``ValidationError`` with one entry per field at fault, so forms, the API and
    the command name the field. Blank steps are the default steps scaled to the
    catchment; given steps are used as typed and may not reach past the catchment.
    """
    errors: dict[str, list[str]] = {}
    day = as_of or today()
    if not EARLIEST <= day <= LATEST:
        errors.setdefault("as_of", []).append(
            _("统计日期须在 %(start)s 至 %(end)s 之间。")
            % {"start": EARLIEST.isoformat(), "end": LATEST.isoformat()}
        )
    chosen = method or "e2sfca"
    if chosen not in METHODS:
        errors.setdefault("method", []).append(
            _("计算方法须为 %(choices)s 之一。") % {"choices": ", ".join(METHODS)}
        )
    catchment = _in_range(errors, "catchment_m", catchment_m, *CATCHMENT_RANGE)
    detour = _in_range(errors, "circuity", circuity, *CIRCUITY_RANGE)
    least = _in_range(errors, "min_children", min_children, *MIN_CHILDREN_RANGE)
    per_slot = _in_range(errors, "max_children_per_slot", max_children_per_slot, *CHILDREN_PER_SLOT_RANGE)
    reach = catchment if catchment is not None else DEFAULT_CATCHMENT_M
    parsed = scaled_steps(reach)
    given = bool(steps and steps.strip())
    if given and steps is not None:
        try:
            engine = parse_steps(steps)
        except ValueError as error:
            errors.setdefault("steps", []).append(
                _(
                    "分级应写作“上限米数:权重”，以逗号分隔、上限递增、权重在 0 到 1 之间，"
                    "如 %(example)s（%(problem)s）。"
                )
                % {"example": steps_text(DEFAULT_STEPS), "problem": error}
            )
        else:
            if engine.max_cost > reach:
                errors.setdefault("steps", []).append(
                    _("最后一级上限 %(upper)s 米超过了服务半径 %(reach)s 米。")
                    % {"upper": f"{engine.max_cost:g}", "reach": f"{reach:g}"}
                )
            parsed = tuple((float(u), float(w)) for u, w in zip(engine.upper, engine.weights, strict=True))
    if travel_scenario is not None and travel_scenario not in scenarios_with_matrix():
        errors.setdefault("travel_scenario", []).append(_("没有导入出行成本矩阵的该规划情景。"))
    if errors:
        raise ValidationError(errors)
    return AccessParameters(
        as_of=day,
        method=chosen,
        catchment_m=reach,
        steps=parsed,
        circuity=DEFAULT_CIRCUITY if detour is None else detour,
        min_children=DEFAULT_MIN_CHILDREN if least is None else least,
        max_children_per_slot=DEFAULT_MAX_CHILDREN_PER_SLOT if per_slot is None else per_slot,
        steps_given=given,
        travel_scenario=travel_scenario,
    )


def scenarios_with_matrix() -> dict[int, str]:
    """Scenarios holding an imported travel-cost matrix, by id, with their names."""
    return dict(
        Scenario.objects.filter(travel_costs__isnull=False).order_by("name").values_list("pk", "name")
    )


# --------------------------------------------------------------------------------------
# Access and deserts
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemandPoint:
    """Where children live: a demand zone, or a township's centre when there are no zones."""

    code: str
    name: str
    township_id: int
    township_code: str
    township_name: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class SupplyPoint:
    """An institution's 普惠 slots on the date, by group."""

    institution_id: int
    credit_code: str
    name: str
    township_id: int
    latitude: float
    longitude: float
    young_slots: float
    older_slots: float


@dataclass(frozen=True)
class GroupSummary:
    zones: int
    children: float
    slots: float
    deserts: int
    children_in_deserts: float
    zones_without_slots: int

    @property
    def share_in_deserts(self) -> float | None:
        return self.children_in_deserts / self.children if self.children > 0 else None

    @property
    def slots_per_child(self) -> float | None:
        return self.slots / self.children if self.children > 0 else None


@dataclass(frozen=True)
class GroupAccess:
    """One group's demand, supply and results, aligned with the result's points and supply."""

    group: str
    children: FloatArray  # per demand point
    slots: FloatArray  # per supply point
    slots_in_reach: FloatArray  # per demand point, no competition
    access: FloatArray  # per demand point, slots per child (inf: no children, uncontested slots)
    deserts: BoolArray  # per demand point

    def summary(self) -> GroupSummary:
        return GroupSummary(
            zones=int(self.children.size),
            children=float(self.children.sum()),
            slots=float(self.slots.sum()),
            deserts=int(self.deserts.sum()),
            children_in_deserts=float(self.children[self.deserts].sum()),
            zones_without_slots=int(((self.slots_in_reach == 0) & (self.children > 0)).sum()),
        )


@dataclass(frozen=True)
class AccessResult:
    """Access of every demand point to 普惠 slots on a date, for both groups."""

    parameters: AccessParameters
    points: list[DemandPoint]
    children_under_3: FloatArray
    supply: list[SupplyPoint]
    groups: dict[str, GroupAccess]
    township_fallback: bool
    children_year: int
    children_forecast: bool  # zone counts were scaled to the year with the forecast
    unplaced_institutions: int  # 普惠 institutions with slots but no coordinates
    unplaced_slots: float
    unplaced_townships: int  # townships without a centre (fallback only)
    summaries: dict[str, GroupSummary] = field(default_factory=dict)


_access_cache: RevisionCache[AccessResult] = RevisionCache(size=16)


def puhui_supply(*, day: dt.date) -> tuple[list[SupplyPoint], int, float]:
    """普惠 slots of each counted institution on ``day`` (one query), split by group.

    Returns the institutions with coordinates and slots, and the number and slots of
    those that cannot be placed on the map (no coordinates), which the page reports.
    """
    active = classes_open_on(day, prefix="classes__")
    rows = (
        Institution.objects.filter(counted_on(day))
        .filter(puhui_on(day))
        .annotate(
            young=Sum(
                "classes__approved_slots", filter=active & Q(classes__class_type__in=YOUNG_CLASS_TYPES)
            ),
            older=Sum(
                "classes__approved_slots", filter=active & Q(classes__class_type__in=OLDER_CLASS_TYPES)
            ),
        )
        .order_by("pk")
        .values_list("pk", "credit_code", "name", "township_id", "latitude", "longitude", "young", "older")
    )
    placed: list[SupplyPoint] = []
    unplaced, unplaced_slots = 0, 0.0
    for pk, credit, name, township_id, lat, lon, young, older in rows:
        slots = float(young or 0) + float(older or 0)
        if slots <= 0:
            continue
        if lat is None or lon is None:
            unplaced += 1
            unplaced_slots += slots
            continue
        placed.append(
            SupplyPoint(
                pk, credit, name, township_id, float(lat), float(lon), float(young or 0), float(older or 0)
            )
        )
    return placed, unplaced, unplaced_slots


def _forecast_for_zones(year: int) -> Forecast | None:
    """The forecast reaching ``year`` (trend estimated from history); None without history."""
    key = ("zones", year, revision())
    cached = forecast_cache.get(key)
    if cached is not None:
        return cached
    try:
        forecast = loader.children_forecast(birth_trend=None, until_year=year)
    except ValueError:
        return None
    forecast_cache.put(key, forecast)
    return forecast


def _readonly(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    array.flags.writeable = False
    return array


def access_analysis(*, parameters: AccessParameters) -> AccessResult:
    """Access, slots in reach and deserts of every demand point on ``parameters.as_of``.

    Demand is the demand zones' children scaled to the as-of year by the township
    forecast; without zones, each township's centre stands for its children (a coarse
    picture the page says it is). Supply is 普惠 slots (公办, or 民办 with a valid
    designation) of filed, operating institutions in classes open on the date.
    """
    key = (parameters, revision())
    cached = _access_cache.get(key)
    if cached is not None:
        return cached
    result = _compute_access(parameters)
    _access_cache.put(key, result)
    return result


def _compute_access(parameters: AccessParameters) -> AccessResult:
    year = parameters.as_of.year
    forecast = _forecast_for_zones(year)
    zones = list(DemandZone.objects.select_related("township").order_by("township__code", "code"))
    fallback = not zones
    unplaced_townships = 0
    if zones:
        points = [
            DemandPoint(
                z.code, z.name, z.township_id, z.township.code, z.township.name, z.latitude, z.longitude
            )
            for z in zones
        ]
        if forecast is not None:
            under_3, under_2 = loader.zone_children(zones, forecast, year)
        else:
            under_3 = np.array([z.children_under_3 for z in zones], dtype=np.float64)
            under_2 = np.array([z.children_under_2 for z in zones], dtype=np.float64)
    else:
        townships = list(Township.objects.order_by("code"))
        located = [t for t in townships if t.latitude is not None and t.longitude is not None]
        unplaced_townships = len(townships) - len(located)
        points = [
            DemandPoint(t.code, t.name, t.pk, t.code, t.name, float(t.latitude or 0), float(t.longitude or 0))
            for t in located
        ]
        # Stand-ins for zones, never saved: the loader measures distances from them.
        zones = [
            DemandZone(
                code=p.code,
                name=p.name,
                township_id=p.township_id,
                latitude=p.latitude,
                longitude=p.longitude,
            )
            for p in points
        ]
        under_3 = np.zeros(len(points))
        under_2 = np.zeros(len(points))
        if forecast is not None and points:
            town_3, town_2 = loader.children_in_year(forecast, year)
            row_of = {int(pk): i for i, pk in enumerate(forecast.township_ids)}
            for i, point in enumerate(points):
                row = row_of.get(point.township_id)
                if row is not None:
                    under_3[i] = np.nan_to_num(town_3[row])
                    under_2[i] = np.nan_to_num(town_2[row])
    under_3 = np.maximum(np.nan_to_num(np.asarray(under_3, dtype=np.float64)), 0.0)
    under_2 = np.minimum(np.maximum(np.nan_to_num(np.asarray(under_2, dtype=np.float64)), 0.0), under_3)

    supply, unplaced, unplaced_slots = puhui_supply(day=parameters.as_of)
    matrix = None
    if parameters.travel_scenario is not None:
        matrix = (
            Scenario.objects.filter(pk=parameters.travel_scenario)
            .values_list("travel_costs", flat=True)
            .first()
        )
    pairs = loader.travel_pairs(
        matrix=matrix,
        zones=zones,
        place_codes=[s.credit_code for s in supply],
        place_lat=np.array([s.latitude for s in supply], dtype=np.float64),
        place_lon=np.array([s.longitude for s in supply], dtype=np.float64),
        max_cost=parameters.catchment_m,
        circuity=parameters.circuity,
    )
    demands = {"young": under_2, "older": under_3 - under_2}
    slots = {
        "young": np.array([s.young_slots for s in supply], dtype=np.float64),
        "older": np.array([s.older_slots for s in supply], dtype=np.float64),
    }
    rule = parameters.rule()
    groups: dict[str, GroupAccess] = {}
    for group in GROUPS:
        demand, supplied = demands[group], slots[group]
        if parameters.method == "e2sfca":
            access = enhanced_two_step_fca(
                demand, supplied, pairs, steps=parameters.engine_steps(), max_cost=parameters.catchment_m
            )
        else:
            access = two_step_fca(demand, supplied, pairs, max_cost=parameters.catchment_m)
        reach = supply_in_reach(supplied, pairs, len(points), max_cost=parameters.catchment_m)
        deserts = find_deserts(demand, reach, access, rule=rule)
        groups[group] = GroupAccess(
            group=group,
            children=_readonly(demand),
            slots=_readonly(supplied),
            slots_in_reach=_readonly(reach),
            access=_readonly(access),
            deserts=_readonly(deserts),
        )
    return AccessResult(
        parameters=parameters,
        points=points,
        children_under_3=_readonly(under_3),
        supply=supply,
        groups=groups,
        township_fallback=fallback,
        children_year=year,
        children_forecast=forecast is not None,
        unplaced_institutions=unplaced,
        unplaced_slots=unplaced_slots,
        unplaced_townships=unplaced_townships,
        summaries={group: groups[group].summary() for group in GROUPS},
    )
