"""Synthetic planning data for the Linhai demo: demand zones, candidate sites, spare rooms.

All of it is invented (示例数据 / synthetic) and deterministic from a seed. Each township
gets villages/communities ("示例社区 №3") placed around its centre inside its approximate
boundary, sharing out the township's latest children counts exactly; two or three places
where a community-embedded site could open; and some of its operating institutions get
room for one or two more classes (kindergartens for 托班, others for 乳儿班/托小班).
A default scenario for the year after the data's "today" is created for the demo admin.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from auditlog.context import disable_auditlog
from django.db import transaction
from django.db.models import Sum

from tuoyu.accounts.models import User
from tuoyu.engine import codes
from tuoyu.planning.models import (
    CandidateSite,
    DemandZone,
    ExpansionKind,
    ExpansionOption,
    PlanRun,
    Scenario,
    SiteForm,
)
from tuoyu.registry.models import AgeBand, ChildPopulation, Form, Institution, Township
from tuoyu.registry.selectors import counted_on

PLANNING_SEED = 20251
DEMO_SCENARIO_NAME = "2027 年目标情景（示例）"
PEOPLE_PER_ZONE = 12_000
"""One village/community zone for about this many residents (at least three per township)."""
SLOTS_PER_CLASS = {"infant": 10, "toddler": 15, "older": 20}


def planning_demo_has_data() -> bool:
    return DemandZone.objects.exists() or CandidateSite.objects.exists()


def _inside(ring: list[list[float]], lon: float, lat: float) -> bool:
    """Ray casting: whether (lon, lat) is inside the polygon ring."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _ring(boundary: Any) -> list[list[float]] | None:
    if not isinstance(boundary, dict):
        return None
    geometry = boundary.get("geometry", boundary)
    if geometry.get("type") == "Polygon":
        return [list(map(float, point[:2])) for point in geometry["coordinates"][0]]
    if geometry.get("type") == "MultiPolygon":
        return [list(map(float, point[:2])) for point in geometry["coordinates"][0][0]]
    return None


def _point(rng: np.random.Generator, town: Township, spread: float) -> tuple[float, float]:
    lat0, lon0 = float(town.latitude or 0.0), float(town.longitude or 0.0)
    ring = _ring(town.boundary)
    for _attempt in range(50):
        lon = lon0 + rng.normal(0.0, spread)
        lat = lat0 + rng.normal(0.0, spread * 0.8)
        if ring is None or _inside(ring, lon, lat):
            return round(lat, 5), round(lon, 5)
    return round(lat0, 5), round(lon0, 5)


def _share_out(total: int, weights: np.ndarray) -> list[int]:
    """Integers proportional to ``weights`` that add up to ``total`` (largest remainder)."""
    exact = total * weights / weights.sum()
    floors = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - floors), kind="stable")
    floors[order[: total - int(floors.sum())]] += 1
    return [int(value) for value in floors]


def _latest_children(town: Township) -> tuple[int, int, int]:
    latest = town.child_populations.order_by("-year").values_list("year", flat=True).first()
    if latest is None:
        return 0, 0, 0
    rows = ChildPopulation.objects.filter(township=town, year=latest)
    under_3 = rows.aggregate(total=Sum("children"))["total"] or 0
    under_2 = (
        rows.filter(age_band__in=[band for band in AgeBand.values if band != AgeBand.M24_36]).aggregate(
            total=Sum("children")
        )["total"]
        or 0
    )
    return latest, int(under_3), int(under_2)


def _population(town: Township) -> int:
    return int(town.years.order_by("-year").values_list("population", flat=True).first() or 0)


def _operating(day: dt.date) -> Any:
    return Institution.objects.filter(counted_on(day)).order_by("township__code", "credit_code")


def planning_demo_build(*, seed: int = PLANNING_SEED, as_of: dt.date, admin: User | None) -> dict[str, int]:
    """Write the synthetic zones, sites, spare rooms and the default scenario; returns counts."""
    rng = np.random.default_rng(seed)
    zones: list[DemandZone] = []
    sites: list[CandidateSite] = []
    options: list[ExpansionOption] = []
    towns = list(Township.objects.order_by("code"))
    for t_index, town in enumerate(towns):
        year, under_3, under_2 = _latest_children(town)
        people = _population(town)
        count = max(3, round(people / PEOPLE_PER_ZONE))
        weights = rng.gamma(2.0, 1.0, size=count)
        spread = 0.012 if town.kind == "subdistrict" else 0.03
        kids_3 = _share_out(under_3, weights)
        kids_2 = _share_out(under_2, weights)
        for z in range(count):
            lat, lon = _point(rng, town, spread)
            zones.append(
                DemandZone(
                    code=f"{town.code}Z{z + 1:02d}",
                    name=f"示例社区 №{t_index + 1:02d}-{z + 1:02d}",
                    township=town,
                    latitude=lat,
                    longitude=lon,
                    year=year or as_of.year,
                    children_under_3=kids_3[z],
                    children_under_2=min(kids_2[z], kids_3[z]),
                )
            )
        for s in range(int(rng.integers(2, 4))):
            lat, lon = _point(rng, town, spread)
            sites.append(
                CandidateSite(
                    code=f"{town.code}S{s + 1:02d}",
                    name=f"示例社区托育候选点 №{t_index + 1:02d}-{s + 1:02d}",
                    township=town,
                    form=SiteForm.COMMUNITY,
                    latitude=lat,
                    longitude=lon,
                    max_classes=int(rng.integers(2, 5)),
                    cost_factor=round(float(rng.uniform(0.8, 1.4)), 2),
                    note="示例数据 / synthetic",
                )
            )
        # Kindergartens that take no child under 3 yet, so are not in the registry.
        for k in range(1 if town.kind == "subdistrict" else 2 + people // 100_000):
            lat, lon = _point(rng, town, spread)
            sites.append(
                CandidateSite(
                    code=f"{town.code}K{k + 1:02d}",
                    name=f"示例幼儿园（未开托班）№{t_index + 1:02d}-{k + 1:02d}",
                    township=town,
                    form=SiteForm.KINDERGARTEN,
                    latitude=lat,
                    longitude=lon,
                    max_classes=int(rng.integers(2, 5)),
                    cost_factor=round(float(rng.uniform(0.8, 1.3)), 2),
                    note="示例数据：有空余活动室 / synthetic spare rooms",
                )
            )
    for institution in _operating(as_of):
        if institution.form == Form.FAMILY:
            continue
        if institution.form == Form.KINDERGARTEN:
            if rng.random() < 0.6:
                options.append(
                    ExpansionOption(
                        institution=institution,
                        kind=ExpansionKind.KINDERGARTEN_CLASS,
                        class_type="older",
                        max_classes=int(rng.integers(1, 3)),
                        slots_per_class=SLOTS_PER_CLASS["older"],
                        cost_factor=round(float(rng.uniform(0.8, 1.3)), 2),
                        note="示例数据：空余活动室 / synthetic spare rooms",
                    )
                )
        elif rng.random() < 0.5:
            class_type = str(rng.choice(codes.YOUNG_INFANT_CLASS_TYPES))
            options.append(
                ExpansionOption(
                    institution=institution,
                    kind=ExpansionKind.EXPAND,
                    class_type=class_type,
                    max_classes=int(rng.integers(1, 3)),
                    slots_per_class=SLOTS_PER_CLASS[class_type],
                    cost_factor=round(float(rng.uniform(0.8, 1.3)), 2),
                    note="示例数据：可扩班 / synthetic room to grow",
                )
            )
    with transaction.atomic(), disable_auditlog():
        DemandZone.objects.bulk_create(zones)
        CandidateSite.objects.bulk_create(sites)
        ExpansionOption.objects.bulk_create(options)
        scenario = Scenario.objects.create(
            name=DEMO_SCENARIO_NAME,
            description="示例数据：按 2025 年目标值，为 2027 年末各镇（街道）测算最低成本的扩容方案。"
            " / Synthetic demo: the cheapest plan meeting the 2025 target values in every township "
            "at the end of 2027.",
            plan_year=as_of.year + 1,
            young_infant_share_min="0.200",
            created_by=admin,
        )
    return {"zones": len(zones), "sites": len(sites), "options": len(options), "scenario": scenario.pk}


def planning_demo_clear() -> None:
    with transaction.atomic(), disable_auditlog():
        PlanRun.objects.all().delete()
        Scenario.objects.all().delete()
        ExpansionOption.objects.all().delete()
        CandidateSite.objects.all().delete()
        DemandZone.objects.all().delete()
