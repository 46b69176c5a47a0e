"""The access result as rows: the zone table of the page, its exports and the API records.

:mod:`tuoyu.planning.access` computes; this module only shapes what it computed, one row
per demand point and group, sorted and paged on the server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tuoyu.planning.access import GROUPS, AccessResult


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


@dataclass(frozen=True)
class ZoneRow:
    """One demand point's figures for one group, as the table, exports and API show them."""

    index: int
    code: str
    name: str
    township_code: str
    township_name: str
    latitude: float
    longitude: float
    children: float
    slots_in_reach: float
    access: float | None  # None: no children here and uncontested slots (unbounded)
    children_per_slot: float | None  # None: no slot within reach
    desert: bool


def zone_rows(result: AccessResult, *, group: str) -> list[ZoneRow]:
    """Every demand point's row for ``group``, in township then zone order."""
    figures = result.groups[group]
    rows = []
    for i, point in enumerate(result.points):
        access = float(figures.access[i])
        rows.append(
            ZoneRow(
                index=i,
                code=point.code,
                name=point.name,
                township_code=point.township_code,
                township_name=point.township_name,
                latitude=point.latitude,
                longitude=point.longitude,
                children=float(figures.children[i]),
                slots_in_reach=float(figures.slots_in_reach[i]),
                access=_finite(access),
                children_per_slot=(1.0 / access if 0 < access < math.inf else None),
                desert=bool(figures.deserts[i]),
            )
        )
    return rows


ZONE_SORTS: tuple[str, ...] = ("township", "zone", "children", "slots", "access", "per_slot", "desert")
ZONE_PAGE_SIZE = 50


@dataclass(frozen=True)
class ZoneTable:
    """One page of the zone table, sorted on the server so a province's zones still render fast."""

    rows: list[ZoneRow]
    sort: str
    descending: bool
    number: int
    pages: int
    total: int

    @property
    def previous(self) -> int:
        return self.number - 1

    @property
    def next(self) -> int:
        return self.number + 1


def _sort_value(row: ZoneRow, sort: str) -> float | str | None:
    if sort == "township":
        return f"{row.township_code}\t{row.code}"
    if sort == "zone":
        return row.code
    if sort == "children":
        return row.children
    if sort == "slots":
        return row.slots_in_reach
    if sort == "access":
        return math.inf if row.access is None else row.access
    if sort == "per_slot":
        return row.children_per_slot
    return 1.0 if row.desert else 0.0


def zone_table(
    result: AccessResult,
    *,
    group: str,
    sort: str,
    descending: bool,
    page: int,
    page_size: int = ZONE_PAGE_SIZE,
) -> ZoneTable:
    """The rows of ``group`` sorted by ``sort``; values that are undefined sort last either way."""
    key = sort if sort in ZONE_SORTS else "township"
    rows = zone_rows(result, group=group)
    defined = [(v, r) for r in rows for v in (_sort_value(r, key),) if v is not None]
    undefined = [r for r in rows if _sort_value(r, key) is None]
    defined.sort(key=lambda item: (item[0], item[1].township_code, item[1].code), reverse=descending)
    ordered = [row for _value, row in defined] + undefined
    pages = max(1, -(-len(ordered) // page_size))
    number = min(max(page, 1), pages)
    start = (number - 1) * page_size
    return ZoneTable(ordered[start : start + page_size], key, descending, number, pages, len(ordered))


def _group_dict(row: ZoneRow) -> dict[str, Any]:
    return {
        "children": round(row.children, 3),
        "slots_in_reach": row.slots_in_reach,
        "access": row.access,
        "children_per_slot": row.children_per_slot,
        "desert": row.desert,
    }


def zone_records(result: AccessResult) -> list[dict[str, Any]]:
    """Every demand point with both groups' figures, as plain JSON-ready values."""
    by_group = {group: zone_rows(result, group=group) for group in GROUPS}
    records = []
    for i, point in enumerate(result.points):
        records.append(
            {
                "code": point.code,
                "name": point.name,
                "township_code": point.township_code,
                "township": point.township_name,
                "latitude": point.latitude,
                "longitude": point.longitude,
                "children_under_3": round(float(result.children_under_3[i]), 3),
                **{group: _group_dict(by_group[group][i]) for group in GROUPS},
            }
        )
    return records


def summary_record(result: AccessResult) -> dict[str, Any]:
    """The summary of both groups and what the analysis stood on, as plain values."""
    return {
        "parameters": result.parameters.as_dict(),
        "township_fallback": result.township_fallback,
        "children_year": result.children_year,
        "children_forecast": result.children_forecast,
        "institutions": len(result.supply),
        "unplaced_institutions": result.unplaced_institutions,
        "unplaced_slots": result.unplaced_slots,
        "groups": {
            group: {
                "zones": s.zones,
                "children": round(s.children, 3),
                "slots": s.slots,
                "deserts": s.deserts,
                "children_in_deserts": round(s.children_in_deserts, 3),
                "share_in_deserts": s.share_in_deserts,
                "zones_without_slots": s.zones_without_slots,
            }
            for group, s in result.summaries.items()
        },
    }
