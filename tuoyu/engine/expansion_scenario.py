"""The JSON scenario format of the expansion planner: :func:`problem_from_dict` and its
inverse :func:`problem_as_dict`.

A scenario is one JSON object. Codes are written as strings (``"kindergarten"``,
``"older"``, ``"expand"``), dates as ISO strings or ``null`` (``null`` means open-ended,
and for ``filed_on`` never filed), ids as integers::

    {
      "as_of": "2025-12-31",
      "income": 62000,
      "catalog_items_published": 1,
      "targets": {"slots_per_1000_min": 280, "kindergarten_share_min": 0.65,
                  "puhui_share_min": 0.9, "young_infant_share_min": null,
                  "class_caps": {"infant": 10, "toddler": 15, "older": 20, "mixed": 18}},
      "budget": null,
      "time_limit_seconds": 60,
      "mip_rel_gap": 0,
      "townships": [{"id": 1, "children_under_3": 1000, "children_under_2": 640, "population": 40000}],
      "institutions": [{"id": 10, "township_id": 1, "form": "kindergarten", "public": true,
                        "filed_on": "2023-01-01", "opened_on": null, "closed_on": null,
                        "filing_ended_on": null,
                        "designations": [{"valid_from": "2024-01-01", "valid_to": null}]}],
      "classes": [{"id": 100, "institution_id": 10, "class_type": "older", "approved_slots": 20,
                   "opened_on": null, "closed_on": null}],
      "fees": [{"institution_id": 10, "class_type": "older", "full_day": 1200,
                "effective_from": null, "effective_to": null}],
      "sites": [{"id": 1, "township_id": 1, "fixed_cost": 800000, "puhui": true, "monthly_fee": 1100,
                 "latitude": 28.86, "longitude": 121.14, "form": "community", "max_units": 4}],
      "candidates": [
        {"id": 1, "kind": "kindergarten_class", "institution_id": 10, "class_type": "older",
         "slots_per_unit": 20, "max_units": 2, "unit_cost": 90000},
        {"id": 2, "kind": "site_class", "site_id": 1, "class_type": "toddler",
         "slots_per_unit": 15, "max_units": 3, "unit_cost": 120000},
        {"id": 3, "kind": "designate", "institution_id": 11, "max_units": 1, "unit_cost": 150000}],
      "coverage": {"zones": [{"id": 7, "weight": 120, "candidate_ids": [1, 2]}]}
    }

Only ``as_of`` is required at the top level: the tables default to empty, ``targets``
to the 2025 values (any of its keys may be left out), ``income`` (the previous year's
per-capita disposable income, CNY per year, for the fee ratio), ``coverage`` and
``budget`` to ``null``, ``catalog_items_published`` to 0, ``time_limit_seconds`` to 60
and ``mip_rel_gap`` to 0. Within a record, keys shown with ``null`` above and
``children_under_2``, ``population``, ``public``, ``designations`` and ``max_units`` (1)
may be left out; ``filed_on`` may not. A candidate has the keys of its kind only:
``site_id`` for ``site_class`` instead of ``institution_id``, and no ``class_type`` or
``slots_per_unit`` for ``designate`` (whose ``unit_cost`` is the whole subsidy). A zone
lists the ids of the candidates that reach it. Unknown keys are errors. Staff and
certificates are not part of a scenario (the plan does not depend on them). Errors are
``ValueError`` naming the source and the JSON path:
``"scenario.json: candidates[3].slots_per_unit: 25 exceeds the cap of 20 for older"``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any, NoReturn

import numpy as np

from tuoyu.engine import codes
from tuoyu.engine.expansion_model import (
    ACTION_KINDS,
    DESIGNATE,
    SITE_CLASS,
    Candidates,
    Coverage,
    NewSites,
    PlanInputError,
    PlanProblem,
    PlanTargets,
    find_rows,
)
from tuoyu.engine.expansion_prepare import prepare
from tuoyu.engine.indicators import (
    Certificates,
    Classes,
    Designations,
    Employments,
    Fees,
    Institutions,
    RegistrySnapshot,
    Townships,
    date_array,
)

_REQUIRED: Any = object()
_TOP_KEYS = (
    "as_of",
    "income",
    "catalog_items_published",
    "targets",
    "budget",
    "coverage",
    "time_limit_seconds",
    "mip_rel_gap",
    "townships",
    "institutions",
    "classes",
    "fees",
    "sites",
    "candidates",
)
_TARGET_KEYS = (
    "slots_per_1000_min",
    "kindergarten_share_min",
    "puhui_share_min",
    "young_infant_share_min",
    "class_caps",
)
_CANDIDATE_KEYS = {
    "kindergarten_class": (
        "id",
        "kind",
        "institution_id",
        "class_type",
        "slots_per_unit",
        "max_units",
        "unit_cost",
    ),
    "expand": ("id", "kind", "institution_id", "class_type", "slots_per_unit", "max_units", "unit_cost"),
    "site_class": ("id", "kind", "site_id", "class_type", "slots_per_unit", "max_units", "unit_cost"),
    "designate": ("id", "kind", "institution_id", "max_units", "unit_cost"),
}


class _Reader:
    """Typed access to JSON values; every error names the source and the JSON path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, message: str) -> NoReturn:
        raise ValueError(f"{self.source}: {path}: {message}")

    @staticmethod
    def join(path: str, key: str) -> str:
        return f"{path}.{key}" if path else key

    def record(self, value: object, path: str, allowed: Collection[str]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(path or "scenario", "expected a JSON object")
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            self.fail(self.join(path, str(unknown[0])), "unknown key")
        return value

    def records(self, data: Mapping[str, Any], key: str, path: str = "") -> list[Any]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(self.join(path, key), "expected a JSON array")
        return value

    def _get(self, data: Mapping[str, Any], key: str, path: str, default: Any) -> Any:
        if key not in data:
            if default is _REQUIRED:
                self.fail(self.join(path, key), "required")
            return default
        return data[key]

    def integer(self, data: Mapping[str, Any], key: str, path: str, default: Any = _REQUIRED) -> int:
        value = self._get(data, key, path, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            self.fail(self.join(path, key), f"expected an integer, got {value!r}")
        return int(value)

    def real(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        default: Any = _REQUIRED,
        *,
        minimum: float | None = None,
        nullable: bool = False,
    ) -> Any:
        value = self._get(data, key, path, default)
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.fail(self.join(path, key), f"expected a number, got {value!r}")
        if minimum is not None and value < minimum:
            self.fail(self.join(path, key), f"{value} is below the minimum of {minimum:g}")
        return float(value)

    def flag(self, data: Mapping[str, Any], key: str, path: str, default: Any = _REQUIRED) -> bool:
        value = self._get(data, key, path, default)
        if not isinstance(value, bool):
            self.fail(self.join(path, key), f"expected true or false, got {value!r}")
        return value

    def day(self, data: Mapping[str, Any], key: str, path: str, default: Any = None) -> dt.date | None:
        value = self._get(data, key, path, default)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(self.join(path, key), f"expected an ISO date (YYYY-MM-DD) or null, got {value!r}")

    def code(self, data: Mapping[str, Any], key: str, path: str, table: tuple[str, ...]) -> int:
        value = self._get(data, key, path, _REQUIRED)
        if value not in table:
            self.fail(self.join(path, key), f"unknown code {value!r}; expected one of {', '.join(table)}")
        return table.index(value)

    def unique(self, ids: Sequence[int], table: str, what: str) -> None:
        seen: set[int] = set()
        for i, value in enumerate(ids):
            if value in seen:
                self.fail(f"{table}[{i}].id", f"duplicate {what} id {value}")
            seen.add(value)

    def known(self, keys: Sequence[int], ids: Collection[int], table: str, column: str, what: str) -> None:
        for i, value in enumerate(keys):
            if value not in ids:
                self.fail(f"{table}[{i}].{column}", f"unknown {what} {value}")


def _ints(values: Sequence[int]) -> np.ndarray:
    return np.array(list(values), dtype=np.int64).reshape(-1)


def _floats(values: Sequence[float]) -> np.ndarray:
    return np.array(list(values), dtype=np.float64).reshape(-1)


def _small(values: Sequence[int]) -> np.ndarray:
    return np.array(list(values), dtype=np.int8).reshape(-1)


def _bools(values: Sequence[bool]) -> np.ndarray:
    return np.array(list(values), dtype=np.bool_).reshape(-1)


def _snapshot(data: Mapping[str, Any], r: _Reader) -> RegistrySnapshot:
    towns = [
        r.record(t, f"townships[{i}]", ("id", "children_under_3", "children_under_2", "population"))
        for i, t in enumerate(r.records(data, "townships"))
    ]
    town_ids = [r.integer(t, "id", f"townships[{i}]") for i, t in enumerate(towns)]
    r.unique(town_ids, "townships", "township")

    inst_keys = (
        *("id", "township_id", "form", "public", "filed_on", "opened_on", "closed_on"),
        *("filing_ended_on", "designations"),
    )
    insts = [
        r.record(x, f"institutions[{i}]", inst_keys) for i, x in enumerate(r.records(data, "institutions"))
    ]
    paths = [f"institutions[{i}]" for i in range(len(insts))]
    inst_ids = [r.integer(x, "id", p) for x, p in zip(insts, paths, strict=True)]
    r.unique(inst_ids, "institutions", "institution")
    inst_towns = [r.integer(x, "township_id", p) for x, p in zip(insts, paths, strict=True)]
    r.known(inst_towns, set(town_ids), "institutions", "township_id", "township")
    des_inst, des_from, des_to = [], [], []
    for x, p, inst_id in zip(insts, paths, inst_ids, strict=True):
        for k, d in enumerate(r.records(x, "designations", p)):
            dp = f"{p}.designations[{k}]"
            d = r.record(d, dp, ("valid_from", "valid_to"))
            des_inst.append(inst_id)
            des_from.append(r.day(d, "valid_from", dp))
            des_to.append(r.day(d, "valid_to", dp))

    classes = [
        r.record(
            c,
            f"classes[{i}]",
            ("id", "institution_id", "class_type", "approved_slots", "opened_on", "closed_on"),
        )
        for i, c in enumerate(r.records(data, "classes"))
    ]
    class_ids = [r.integer(c, "id", f"classes[{i}]") for i, c in enumerate(classes)]
    r.unique(class_ids, "classes", "class")
    class_inst = [r.integer(c, "institution_id", f"classes[{i}]") for i, c in enumerate(classes)]
    r.known(class_inst, set(inst_ids), "classes", "institution_id", "institution")

    fees = [
        r.record(
            f, f"fees[{i}]", ("institution_id", "class_type", "full_day", "effective_from", "effective_to")
        )
        for i, f in enumerate(r.records(data, "fees"))
    ]
    fee_inst = [r.integer(f, "institution_id", f"fees[{i}]") for i, f in enumerate(fees)]
    r.known(fee_inst, set(inst_ids), "fees", "institution_id", "institution")

    days = np.zeros(0, dtype="datetime64[D]")
    return RegistrySnapshot(
        townships=Townships(
            ids=_ints(town_ids),
            children_under_3=_floats(
                [r.real(t, "children_under_3", f"townships[{i}]", minimum=0) for i, t in enumerate(towns)]
            ),
            children_under_2=_floats(
                [
                    r.real(t, "children_under_2", f"townships[{i}]", 0.0, minimum=0)
                    for i, t in enumerate(towns)
                ]
            ),
            population=_floats(
                [r.real(t, "population", f"townships[{i}]", 0.0, minimum=0) for i, t in enumerate(towns)]
            ),
        ),
        institutions=Institutions(
            ids=_ints(inst_ids),
            township_ids=_ints(inst_towns),
            form=_small([r.code(x, "form", p, codes.FORMS) for x, p in zip(insts, paths, strict=True)]),
            public=_bools([r.flag(x, "public", p, False) for x, p in zip(insts, paths, strict=True)]),
            filed_on=date_array(
                r.day(x, "filed_on", p, _REQUIRED) for x, p in zip(insts, paths, strict=True)
            ),
            opened_on=date_array(r.day(x, "opened_on", p) for x, p in zip(insts, paths, strict=True)),
            closed_on=date_array(r.day(x, "closed_on", p) for x, p in zip(insts, paths, strict=True)),
            filing_ended_on=date_array(
                r.day(x, "filing_ended_on", p) for x, p in zip(insts, paths, strict=True)
            ),
        ),
        designations=Designations(_ints(des_inst), date_array(des_from), date_array(des_to)),
        classes=Classes(
            ids=_ints(class_ids),
            institution_ids=_ints(class_inst),
            class_type=_small(
                [r.code(c, "class_type", f"classes[{i}]", codes.CLASS_TYPES) for i, c in enumerate(classes)]
            ),
            approved_slots=_floats(
                [r.real(c, "approved_slots", f"classes[{i}]", minimum=0) for i, c in enumerate(classes)]
            ),
            opened_on=date_array(r.day(c, "opened_on", f"classes[{i}]") for i, c in enumerate(classes)),
            closed_on=date_array(r.day(c, "closed_on", f"classes[{i}]") for i, c in enumerate(classes)),
        ),
        fees=Fees(
            institution_ids=_ints(fee_inst),
            class_type=_small(
                [r.code(f, "class_type", f"fees[{i}]", codes.CLASS_TYPES) for i, f in enumerate(fees)]
            ),
            full_day=_floats([r.real(f, "full_day", f"fees[{i}]", minimum=0) for i, f in enumerate(fees)]),
            effective_from=date_array(r.day(f, "effective_from", f"fees[{i}]") for i, f in enumerate(fees)),
            effective_to=date_array(r.day(f, "effective_to", f"fees[{i}]") for i, f in enumerate(fees)),
        ),
        employments=Employments(_ints([]), _ints([]), _ints([]), _small([]), days, days),
        certificates=Certificates(_ints([]), _small([]), days, days),
        annual_income_previous_year=r.real(data, "income", "", None, minimum=0, nullable=True),
        catalog_items_published=r.integer(data, "catalog_items_published", "", 0),
    )


def _sites(data: Mapping[str, Any], r: _Reader) -> NewSites:
    keys = (
        "id",
        "township_id",
        "fixed_cost",
        "puhui",
        "monthly_fee",
        "latitude",
        "longitude",
        "form",
        "max_units",
    )
    sites = [r.record(s, f"sites[{i}]", keys) for i, s in enumerate(r.records(data, "sites"))]
    paths = [f"sites[{i}]" for i in range(len(sites))]
    pairs = list(zip(sites, paths, strict=True))
    # A site's form defaults to community-embedded; a missing or null class limit means none.
    forms = [r.code({"form": "community", **s}, "form", p, codes.FORMS) for s, p in pairs]
    limits = [None if s.get("max_units") is None else r.integer(s, "max_units", p) for s, p in pairs]
    for i, limit in enumerate(limits):
        if limit is not None and limit < 0:
            r.fail(f"sites[{i}].max_units", "must not be negative")
    return NewSites(
        form=np.array(forms, dtype=np.int8),
        max_units=None if all(v is None for v in limits) else _ints([-1 if v is None else v for v in limits]),
        ids=_ints([r.integer(s, "id", p) for s, p in pairs]),
        township_ids=_ints([r.integer(s, "township_id", p) for s, p in pairs]),
        fixed_cost=_floats([r.real(s, "fixed_cost", p) for s, p in pairs]),
        puhui=_bools([r.flag(s, "puhui", p) for s, p in pairs]),
        monthly_fee=_floats([r.real(s, "monthly_fee", p) for s, p in pairs]),
        latitude=_floats([r.real(s, "latitude", p) for s, p in pairs]),
        longitude=_floats([r.real(s, "longitude", p) for s, p in pairs]),
    )


def _candidates(data: Mapping[str, Any], r: _Reader) -> Candidates:
    columns: dict[str, list[Any]] = {
        k: [] for k in ("ids", "kind", "inst", "site", "type", "slots", "max_units", "cost")
    }
    for i, raw in enumerate(r.records(data, "candidates")):
        p = f"candidates[{i}]"
        kind_name = r.record(raw, p, _CANDIDATE_KEYS["kindergarten_class"] + ("site_id",)).get("kind")
        if kind_name not in ACTION_KINDS:
            r.fail(f"{p}.kind", f"unknown kind {kind_name!r}; expected one of {', '.join(ACTION_KINDS)}")
        kind = ACTION_KINDS.index(kind_name)
        c = r.record(raw, p, _CANDIDATE_KEYS[kind_name])
        columns["ids"].append(r.integer(c, "id", p))
        columns["kind"].append(kind)
        columns["inst"].append(-1 if kind == SITE_CLASS else r.integer(c, "institution_id", p))
        columns["site"].append(r.integer(c, "site_id", p) if kind == SITE_CLASS else -1)
        columns["type"].append(-1 if kind == DESIGNATE else r.code(c, "class_type", p, codes.CLASS_TYPES))
        columns["slots"].append(0.0 if kind == DESIGNATE else r.real(c, "slots_per_unit", p))
        columns["max_units"].append(r.integer(c, "max_units", p, 1))
        columns["cost"].append(r.real(c, "unit_cost", p))
    return Candidates(
        ids=_ints(columns["ids"]),
        kind=_small(columns["kind"]),
        institution_ids=_ints(columns["inst"]),
        site_ids=_ints(columns["site"]),
        class_type=_small(columns["type"]),
        slots_per_unit=_floats(columns["slots"]),
        max_units=_ints(columns["max_units"]),
        unit_cost=_floats(columns["cost"]),
    )


def _targets(data: Mapping[str, Any], r: _Reader) -> PlanTargets:
    raw = data.get("targets")
    if raw is None:
        return PlanTargets()
    t = r.record(raw, "targets", _TARGET_KEYS)
    defaults = PlanTargets()
    caps = dict(defaults.class_caps)
    if t.get("class_caps") is not None:
        given = r.record(t["class_caps"], "targets.class_caps", codes.CLASS_TYPES)
        caps.update({k: r.integer(given, k, "targets.class_caps") for k in given})
    return PlanTargets(
        slots_per_1000_min=r.real(t, "slots_per_1000_min", "targets", defaults.slots_per_1000_min),
        kindergarten_share_min=r.real(
            t, "kindergarten_share_min", "targets", defaults.kindergarten_share_min
        ),
        puhui_share_min=r.real(t, "puhui_share_min", "targets", defaults.puhui_share_min),
        young_infant_share_min=r.real(t, "young_infant_share_min", "targets", None, nullable=True),
        class_caps=caps,
    )


def _coverage(data: Mapping[str, Any], r: _Reader, candidate_ids: np.ndarray) -> Coverage | None:
    raw = data.get("coverage")
    if raw is None:
        return None
    cov = r.record(raw, "coverage", ("zones",))
    zones = [
        r.record(z, f"coverage.zones[{j}]", ("id", "weight", "candidate_ids"))
        for j, z in enumerate(r.records(cov, "zones", "coverage"))
    ]
    zone_ids = [r.integer(z, "id", f"coverage.zones[{j}]") for j, z in enumerate(zones)]
    r.unique(zone_ids, "coverage.zones", "zone")
    weights = [r.real(z, "weight", f"coverage.zones[{j}]", minimum=0) for j, z in enumerate(zones)]
    zone_rows: list[int] = []
    cand_keys: list[int] = []
    key_paths: list[str] = []
    for j, z in enumerate(zones):
        p = f"coverage.zones[{j}].candidate_ids"
        for k, key in enumerate(r.records(z, "candidate_ids", f"coverage.zones[{j}]")):
            if isinstance(key, bool) or not isinstance(key, int):
                r.fail(f"{p}[{k}]", f"expected a candidate id, got {key!r}")
            zone_rows.append(j)
            cand_keys.append(key)
            key_paths.append(f"{p}[{k}]")
    cand_rows = find_rows(candidate_ids, _ints(cand_keys))
    for k in np.flatnonzero(cand_rows < 0).tolist()[:1]:
        r.fail(key_paths[k], f"unknown candidate {cand_keys[k]}")
    return Coverage(_ints(zone_ids), _floats(weights), _ints(zone_rows), cand_rows.astype(np.int64))


def problem_from_dict(data: Mapping[str, Any], *, source: str = "scenario") -> PlanProblem:
    """A :class:`PlanProblem` from the JSON scenario format (see the module docstring).

    Raises ``ValueError`` naming ``source`` and the JSON path of the first problem found,
    including every check of the planner (caps, kinds at the wrong institution, ...).
    """
    r = _Reader(source)
    data = r.record(data, "", _TOP_KEYS)
    as_of = r.day(data, "as_of", "", _REQUIRED)
    assert as_of is not None
    snapshot = _snapshot(data, r)
    candidates = _candidates(data, r)
    problem = PlanProblem(
        snapshot=snapshot,
        as_of=as_of,
        targets=_targets(data, r),
        candidates=candidates,
        sites=_sites(data, r),
        budget=r.real(data, "budget", "", None, nullable=True),
        coverage=_coverage(data, r, candidates.ids),
        time_limit_seconds=r.real(data, "time_limit_seconds", "", 60.0),
        mip_rel_gap=r.real(data, "mip_rel_gap", "", 0.0),
    )
    try:
        prepare(problem)
    except PlanInputError as error:
        raise ValueError(f"{source}: {error.path}: {error.detail}") from None
    return problem


# --------------------------------------------------------------------------------------
# The inverse
# --------------------------------------------------------------------------------------


def _iso(values: object) -> list[str | None]:
    days = np.asarray(values, dtype="datetime64[D]")
    return [None if np.isnat(d) else str(d) for d in days]


def problem_as_dict(problem: PlanProblem) -> dict[str, Any]:
    """The JSON scenario of ``problem``; :func:`problem_from_dict` reads it back.

    Rows that the engine ignores are left out: designations, classes and fees of unknown
    institutions. Staff and certificates are not written.
    """
    snap = problem.snapshot
    tw = snap.townships
    inst = snap.institutions
    inst_ids = np.asarray(inst.ids, dtype=np.int64).tolist()
    des = snap.designations
    des_rows = find_rows(
        np.asarray(inst.ids, dtype=np.int64), np.asarray(des.institution_ids, dtype=np.int64)
    )
    des_from, des_to = _iso(des.valid_from), _iso(des.valid_to)
    nested: list[list[dict[str, Any]]] = [[] for _ in inst_ids]
    for k, row in enumerate(des_rows.tolist()):
        if row >= 0:
            nested[row].append({"valid_from": des_from[k], "valid_to": des_to[k]})
    n_inst = len(inst_ids)
    ended = _iso(inst.filing_ended_on) if inst.filing_ended_on is not None else [None] * n_inst
    filed, opened, closed = _iso(inst.filed_on), _iso(inst.opened_on), _iso(inst.closed_on)
    known = set(inst_ids)
    cls = snap.classes
    cls_open, cls_close = _iso(cls.opened_on), _iso(cls.closed_on)
    fees = snap.fees
    fee_from, fee_to = _iso(fees.effective_from), _iso(fees.effective_to)
    targets = problem.targets
    cand = problem.candidates
    sites = problem.sites
    coverage = problem.coverage
    income = snap.annual_income_previous_year
    data: dict[str, Any] = {
        "as_of": problem.as_of.isoformat(),
        "income": None if income is None else float(income),
        "catalog_items_published": int(snap.catalog_items_published),
        "targets": {
            "slots_per_1000_min": float(targets.slots_per_1000_min),
            "kindergarten_share_min": float(targets.kindergarten_share_min),
            "puhui_share_min": float(targets.puhui_share_min),
            "young_infant_share_min": (
                None if targets.young_infant_share_min is None else float(targets.young_infant_share_min)
            ),
            "class_caps": {t: int(targets.class_caps[t]) for t in codes.CLASS_TYPES},
        },
        "budget": None if problem.budget is None else float(problem.budget),
        "time_limit_seconds": float(problem.time_limit_seconds),
        "mip_rel_gap": float(problem.mip_rel_gap),
        "townships": [
            {"id": i, "children_under_3": a, "children_under_2": b, "population": c}
            for i, a, b, c in zip(
                np.asarray(tw.ids).tolist(),
                np.asarray(tw.children_under_3, dtype=np.float64).tolist(),
                np.asarray(tw.children_under_2, dtype=np.float64).tolist(),
                np.asarray(tw.population, dtype=np.float64).tolist(),
                strict=True,
            )
        ],
        "institutions": [
            {
                "id": inst_ids[k],
                "township_id": int(inst.township_ids[k]),
                "form": codes.FORMS[int(inst.form[k])],
                "public": bool(inst.public[k]),
                "filed_on": filed[k],
                "opened_on": opened[k],
                "closed_on": closed[k],
                "filing_ended_on": ended[k],
                "designations": nested[k],
            }
            for k in range(n_inst)
        ],
        "classes": [
            {
                "id": int(cls.ids[k]),
                "institution_id": int(cls.institution_ids[k]),
                "class_type": codes.CLASS_TYPES[int(cls.class_type[k])],
                "approved_slots": float(cls.approved_slots[k]),
                "opened_on": cls_open[k],
                "closed_on": cls_close[k],
            }
            for k in range(len(cls.ids))
            if int(cls.institution_ids[k]) in known
        ],
        "fees": [
            {
                "institution_id": int(fees.institution_ids[k]),
                "class_type": codes.CLASS_TYPES[int(fees.class_type[k])],
                "full_day": float(fees.full_day[k]),
                "effective_from": fee_from[k],
                "effective_to": fee_to[k],
            }
            for k in range(len(fees.institution_ids))
            if int(fees.institution_ids[k]) in known
        ],
        "sites": [
            {
                "id": int(sites.ids[k]),
                "township_id": int(sites.township_ids[k]),
                "fixed_cost": float(sites.fixed_cost[k]),
                "puhui": bool(sites.puhui[k]),
                "monthly_fee": float(sites.monthly_fee[k]),
                "latitude": float(sites.latitude[k]),
                "longitude": float(sites.longitude[k]),
                "form": codes.FORMS[int(sites.form_codes()[k])],
                "max_units": None
                if sites.max_units is None or sites.max_units[k] < 0
                else int(sites.max_units[k]),
            }
            for k in range(len(sites.ids))
        ],
        "candidates": [_candidate_dict(cand, k) for k in range(len(cand.ids))],
        "coverage": None,
    }
    if coverage is not None:
        zone_rows = np.asarray(coverage.zone_rows, dtype=np.int64)
        cand_rows = np.asarray(coverage.candidate_rows, dtype=np.int64)
        order = np.argsort(zone_rows, kind="stable")
        reached: list[list[int]] = [[] for _ in range(len(coverage.zone_ids))]
        for z, a in zip(zone_rows[order].tolist(), cand_rows[order].tolist(), strict=True):
            reached[z].append(int(cand.ids[a]))
        data["coverage"] = {
            "zones": [
                {
                    "id": int(coverage.zone_ids[j]),
                    "weight": float(coverage.weights[j]),
                    "candidate_ids": reached[j],
                }
                for j in range(len(coverage.zone_ids))
            ]
        }
    return data


def _candidate_dict(cand: Candidates, k: int) -> dict[str, Any]:
    kind = ACTION_KINDS[int(cand.kind[k])]
    values: dict[str, Any] = {
        "id": int(cand.ids[k]),
        "kind": kind,
        "institution_id": int(cand.institution_ids[k]),
        "site_id": int(cand.site_ids[k]),
        "class_type": codes.CLASS_TYPES[int(cand.class_type[k])] if kind != "designate" else None,
        "slots_per_unit": float(cand.slots_per_unit[k]),
        "max_units": int(cand.max_units[k]),
        "unit_cost": float(cand.unit_cost[k]),
    }
    return {key: values[key] for key in _CANDIDATE_KEYS[kind]}
