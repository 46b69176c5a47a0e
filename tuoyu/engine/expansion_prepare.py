"""Validation of an expansion problem, and the arrays its model is built from.

:func:`prepare` checks a :class:`~tuoyu.engine.expansion_model.PlanProblem` (every error
names the candidate, site or setting at fault and its place in the JSON scenario) and
computes, by the indicator engine's definitions on the as-of day, which institutions
count, which are 普惠, their counted slots, and per candidate action its township, the
slots one unit adds and the planning rows those slots count in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from tuoyu.engine import codes
from tuoyu.engine.expansion_model import (
    ACTION_KINDS,
    DESIGNATE,
    KINDERGARTEN_CLASS,
    SITE_CLASS,
    Coverage,
    PlanInputError,
    PlanProblem,
    PreparedProblem,
    enforced_codes,
    find_rows,
    indicator_targets_for,
    number,
)
from tuoyu.engine.indicators import BoolArray, IntArray, compute_indicators

_KINDERGARTEN = codes.code_index(codes.FORMS, "kindergarten")
_YOUNG = np.array([codes.code_index(codes.CLASS_TYPES, t) for t in codes.YOUNG_INFANT_CLASS_TYPES])


def _check_settings(problem: PlanProblem) -> None:
    t = problem.targets

    def bad(path: str, detail: str) -> PlanInputError:
        return PlanInputError("targets" if path.startswith("targets") else "problem", path, detail)

    if not (np.isfinite(t.slots_per_1000_min) and t.slots_per_1000_min >= 0):
        raise bad("targets.slots_per_1000_min", f"{t.slots_per_1000_min} must be a number >= 0")
    shares = {
        "kindergarten_share_min": t.kindergarten_share_min,
        "puhui_share_min": t.puhui_share_min,
        "young_infant_share_min": t.young_infant_share_min,
    }
    for name, share in shares.items():
        if share is not None and not (np.isfinite(share) and 0.0 <= share <= 1.0):
            raise bad(f"targets.{name}", f"{share} must be a share between 0 and 1")
    for class_type in codes.CLASS_TYPES:
        cap = t.class_caps.get(class_type)
        if cap is None or not cap > 0:
            raise bad(f"targets.class_caps.{class_type}", "a positive class size is required")
    unknown = sorted(set(t.class_caps) - set(codes.CLASS_TYPES))
    if unknown:
        raise bad(f"targets.class_caps.{unknown[0]}", "unknown class type")
    if problem.budget is not None and not (np.isfinite(problem.budget) and problem.budget >= 0):
        raise bad("budget", f"{problem.budget} must be a number >= 0")
    if not (np.isfinite(problem.time_limit_seconds) and problem.time_limit_seconds > 0):
        raise bad("time_limit_seconds", "must be positive")
    if not (np.isfinite(problem.mip_rel_gap) and problem.mip_rel_gap >= 0):
        raise bad("mip_rel_gap", "must not be negative")


def _equal_lengths(table: object, name: str) -> int:
    # Optional columns left as None apply to every row.
    lengths = {key: len(np.asarray(value)) for key, value in vars(table).items() if value is not None}
    if len(set(lengths.values())) > 1:
        raise PlanInputError(name, name, f"arrays of unequal length {lengths}")
    return next(iter(lengths.values()), 0)


class _Checks:
    """Raises on the first row of the first failing check, naming the record."""

    def __init__(self, table: str, label: str, ids: IntArray) -> None:
        self.table = table
        self.label = label
        self.ids = ids

    def check(self, bad: BoolArray, column: str, detail: Callable[[int], str]) -> None:
        rows = np.flatnonzero(bad)
        if rows.size:
            i = int(rows[0])
            raise PlanInputError(f"{self.label} {int(self.ids[i])}", f"{self.table}[{i}].{column}", detail(i))


def _duplicates(ids: IntArray) -> BoolArray:
    """Rows whose id appeared on an earlier row."""
    _, first = np.unique(ids, return_index=True)
    repeated = np.ones(ids.size, dtype=np.bool_)
    repeated[first] = False
    return repeated


def _days(values: object) -> np.ndarray:
    return np.asarray(values, dtype="datetime64[D]")


def _started(start: object, day: np.datetime64) -> BoolArray:
    start = _days(start)
    return np.isnat(start) | (start <= day)


def _not_closed(closed: object, day: np.datetime64) -> BoolArray:
    closed = _days(closed)
    return np.isnat(closed) | (day < closed)


def prepare(problem: PlanProblem) -> PreparedProblem:
    """Validate ``problem`` and compute the arrays of its model.

    Raises :class:`PlanInputError` (a ``ValueError``) naming the candidate, site or
    setting at fault, and ``ValueError`` from the indicator engine for a malformed snapshot.
    """
    _check_settings(problem)
    as_of = problem.as_of.date() if isinstance(problem.as_of, dt.datetime) else problem.as_of
    day = np.datetime64(as_of, "D")
    targets = indicator_targets_for(problem.targets)
    snap = problem.snapshot
    before = compute_indicators(snap, as_of=as_of, targets=targets, certification=problem.certification)
    plan_codes, thresholds = enforced_codes(problem.targets)

    town_ids = np.asarray(snap.townships.ids, dtype=np.int64)
    figures = [before.townships[t] for t in town_ids.tolist()]
    children = np.array([f["slots_per_1000"].denominator for f in figures], dtype=np.float64)
    slots_before = np.array([f["slots_per_1000"].numerator for f in figures], dtype=np.float64)
    baseline = np.array([[f[code].numerator for f in figures] for code in plan_codes], dtype=np.float64)
    baseline = baseline.reshape(len(plan_codes), town_ids.size)

    # Institutions on the day, by the indicator engine's definitions.
    inst = snap.institutions
    inst_ids = np.asarray(inst.ids, dtype=np.int64)
    inst_town = find_rows(town_ids, np.asarray(inst.township_ids, dtype=np.int64))
    filed = _days(inst.filed_on)
    counted = (
        (inst_town >= 0)
        & ~np.isnat(filed)
        & (filed <= day)
        & _started(inst.opened_on, day)
        & _not_closed(inst.closed_on, day)
    )
    if inst.filing_ended_on is not None:
        counted &= _not_closed(inst.filing_ended_on, day)
    public = np.asarray(inst.public, dtype=np.bool_)
    des = snap.designations
    des_inst = find_rows(inst_ids, np.asarray(des.institution_ids, dtype=np.int64))
    valid_to = _days(des.valid_to)
    des_valid = (des_inst >= 0) & _started(des.valid_from, day) & (np.isnat(valid_to) | (day <= valid_to))
    designated = np.zeros(inst_ids.size, dtype=np.bool_)
    designated[des_inst[des_valid]] = True
    puhui = public | designated
    cls = snap.classes
    cls_inst = find_rows(inst_ids, np.asarray(cls.institution_ids, dtype=np.int64))
    active = np.append(counted, False)[cls_inst] & _started(cls.opened_on, day)
    active &= _not_closed(cls.closed_on, day)
    inst_slots = np.bincount(
        cls_inst[active],
        weights=np.asarray(cls.approved_slots, dtype=np.float64)[active],
        minlength=inst_ids.size,
    )
    form = np.asarray(inst.form, dtype=np.int64)
    # One extra row at the end stands for "no institution" (row -1).
    inst_town_pad = np.append(inst_town, -1)
    counted_pad = np.append(counted, True)
    public_pad = np.append(public, False)
    designated_pad = np.append(designated, False)
    puhui_pad = np.append(puhui, False)
    slots_pad = np.append(inst_slots, 0.0)
    form_pad = np.append(form, _KINDERGARTEN)

    # Sites.
    sites = problem.sites
    n_sites = _equal_lengths(sites, "sites")
    site_ids = np.asarray(sites.ids, dtype=np.int64)
    site_town = find_rows(town_ids, np.asarray(sites.township_ids, dtype=np.int64))
    site_cost = np.asarray(sites.fixed_cost, dtype=np.float64)
    site_fee = np.asarray(sites.monthly_fee, dtype=np.float64)
    s_checks = _Checks("sites", "site", site_ids)
    s_checks.check(_duplicates(site_ids), "id", lambda i: f"duplicate site id {site_ids[i]}")
    s_checks.check(
        site_town < 0,
        "township_id",
        lambda i: f"unknown township {int(np.asarray(sites.township_ids)[i])}",
    )
    s_checks.check(
        ~(np.isfinite(site_cost) & (site_cost >= 0)), "fixed_cost", lambda i: "must not be negative"
    )
    s_checks.check(
        ~(np.isfinite(site_fee) & (site_fee >= 0)), "monthly_fee", lambda i: "must not be negative"
    )
    if sites.form is not None and np.asarray(sites.form).shape != site_ids.shape:
        raise PlanInputError("sites", "sites.form", "one form per site is required")
    site_form = sites.form_codes()
    s_checks.check(
        (site_form < 0) | (site_form >= len(codes.FORMS)),
        "form",
        lambda i: f"unknown form {int(site_form[i])}",
    )
    if sites.max_units is None:
        site_max_units = np.full(n_sites, np.inf)
    else:
        if np.asarray(sites.max_units).shape != site_ids.shape:
            raise PlanInputError("sites", "sites.max_units", "one class limit per site is required")
        limits = np.asarray(sites.max_units, dtype=np.float64)
        site_max_units = np.where(limits < 0, np.inf, limits)
    site_form_pad = np.append(site_form, -1)

    # Candidates.
    cand = problem.candidates
    n = _equal_lengths(cand, "candidates")
    ids = np.asarray(cand.ids, dtype=np.int64)
    kind = np.asarray(cand.kind, dtype=np.int64)
    class_type = np.asarray(cand.class_type, dtype=np.int64)
    slots = np.asarray(cand.slots_per_unit, dtype=np.float64)
    max_units = np.asarray(cand.max_units, dtype=np.int64)
    cost = np.asarray(cand.unit_cost, dtype=np.float64)
    cand_inst_ids = np.asarray(cand.institution_ids, dtype=np.int64)
    cand_site_ids = np.asarray(cand.site_ids, dtype=np.int64)
    c = _Checks("candidates", "candidate", ids)
    c.check(_duplicates(ids), "id", lambda i: f"duplicate candidate id {ids[i]}")
    c.check((kind < 0) | (kind >= len(ACTION_KINDS)), "kind", lambda i: f"unknown kind {kind[i]}")
    is_des = kind == DESIGNATE
    is_site = kind == SITE_CLASS
    builds = ~is_des
    c.check(
        builds & ((class_type < 0) | (class_type >= len(codes.CLASS_TYPES))),
        "class_type",
        lambda i: f"unknown class type {class_type[i]}",
    )
    type_row = np.where(builds, class_type, 0)
    caps = np.array([problem.targets.class_caps[t] for t in codes.CLASS_TYPES], dtype=np.float64)
    c.check(builds & ~(np.isfinite(slots) & (slots > 0)), "slots_per_unit", lambda i: "must be positive")
    c.check(
        builds & (slots > caps[type_row]),
        "slots_per_unit",
        lambda i: (
            f"{number(slots[i])} exceeds the cap of {number(caps[type_row[i]])} "
            f"for {codes.CLASS_TYPES[type_row[i]]}"
        ),
    )
    c.check(max_units < 0, "max_units", lambda i: "must not be negative")
    c.check(~(np.isfinite(cost) & (cost >= 0)), "unit_cost", lambda i: "must not be negative")
    site = np.where(is_site, find_rows(site_ids, cand_site_ids), -1)
    c.check(is_site & (site < 0), "site_id", lambda i: f"unknown site {cand_site_ids[i]}")
    inst_row = np.where(is_site, -1, find_rows(inst_ids, cand_inst_ids))
    c.check(~is_site & (inst_row < 0), "institution_id", lambda i: f"unknown institution {cand_inst_ids[i]}")
    safe_inst = np.where(inst_row >= 0, inst_row, inst_ids.size)
    c.check(
        ~is_site & (inst_town_pad[safe_inst] < 0),
        "institution_id",
        lambda i: f"institution {cand_inst_ids[i]} is in a township that is not in the snapshot",
    )
    c.check(
        ~is_site & ~counted_pad[safe_inst],
        "institution_id",
        lambda i: (
            f"institution {cand_inst_ids[i]} is not filed and operating on {as_of.isoformat()}, "
            "so its slots would not count"
        ),
    )
    c.check(
        (kind == KINDERGARTEN_CLASS) & (form_pad[safe_inst] != _KINDERGARTEN),
        "institution_id",
        lambda i: (
            f"institution {cand_inst_ids[i]} is of form {codes.FORMS[form[safe_inst[i]]]}; "
            "kindergarten_class needs a kindergarten"
        ),
    )
    c.check(
        is_des & public_pad[safe_inst],
        "institution_id",
        lambda i: f"institution {cand_inst_ids[i]} is public (公办) and already 普惠",
    )
    c.check(
        is_des & designated_pad[safe_inst],
        "institution_id",
        lambda i: f"institution {cand_inst_ids[i]} is already designated 普惠 on {as_of.isoformat()}",
    )
    c.check(
        is_des & _duplicates(np.where(is_des, inst_row, -1 - np.arange(n))),
        "institution_id",
        lambda i: f"institution {cand_inst_ids[i]} has more than one designate candidate",
    )
    if problem.coverage is not None:
        _check_coverage(problem.coverage, n)

    safe_site = np.where(site >= 0, site, n_sites)
    site_town_pad = np.append(site_town, -1)
    site_puhui_pad = np.append(np.asarray(sites.puhui, dtype=np.bool_), False)
    town = np.where(is_site, site_town_pad[safe_site], inst_town_pad[safe_inst])
    counts_puhui = np.where(is_site, site_puhui_pad[safe_site], puhui_pad[safe_inst])
    designator_of_inst = np.full(inst_ids.size + 1, -1, dtype=np.int64)
    designator_of_inst[inst_row[is_des]] = np.flatnonzero(is_des)
    designator = np.where(builds & ~is_site & ~counts_puhui, designator_of_inst[safe_inst], -1)
    return PreparedProblem(
        problem=problem,
        as_of=as_of,
        before=before,
        indicator_targets=targets,
        town_ids=town_ids,
        children=children,
        codes=plan_codes,
        thresholds=thresholds,
        baseline=baseline,
        slots_before=slots_before,
        kind=kind,
        town=town.astype(np.int64),
        inst=inst_row,
        site=site,
        slots=np.where(builds, slots, 0.0),
        max_units=np.where(is_des, np.minimum(max_units, 1), max_units),
        cost=cost,
        kindergarten=builds
        & np.where(is_site, site_form_pad[safe_site] == _KINDERGARTEN, form_pad[safe_inst] == _KINDERGARTEN),
        young=builds & np.isin(type_row, _YOUNG),
        counts_puhui=builds & counts_puhui,
        designator=designator,
        existing=np.where(is_des, slots_pad[safe_inst], 0.0),
        site_town=site_town,
        site_cost=site_cost,
        site_max_units=site_max_units,
    )


def _check_coverage(coverage: Coverage, n_candidates: int) -> None:
    zone_ids = np.asarray(coverage.zone_ids, dtype=np.int64)
    weights = np.asarray(coverage.weights, dtype=np.float64)
    if weights.shape != zone_ids.shape:
        raise PlanInputError("coverage", "coverage.weights", "one weight per zone is required")
    zones = _Checks("coverage.zones", "zone", zone_ids)
    zones.check(_duplicates(zone_ids), "id", lambda i: f"duplicate zone id {zone_ids[i]}")
    zones.check(~(np.isfinite(weights) & (weights >= 0)), "weight", lambda i: "must not be negative")
    zone_rows = np.asarray(coverage.zone_rows, dtype=np.int64)
    cand_rows = np.asarray(coverage.candidate_rows, dtype=np.int64)
    if zone_rows.shape != cand_rows.shape:
        raise PlanInputError(
            "coverage", "coverage.zone_rows", "zone_rows and candidate_rows differ in length"
        )
    bad = (zone_rows < 0) | (zone_rows >= zone_ids.size) | (cand_rows < 0) | (cand_rows >= n_candidates)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise PlanInputError(
            f"coverage pair {k}",
            f"coverage.zone_rows[{k}]",
            f"row ({zone_rows[k]}, {cand_rows[k]}) is out of range",
        )
