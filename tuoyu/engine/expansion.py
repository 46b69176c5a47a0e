"""The expansion planner: the cheapest set of actions that meets every target in every
township.

Candidate actions are 托班 classes in kindergartens with spare rooms, classes added to
existing institutions, classes at new community-embedded sites (each site opened once at
a fixed cost) and 普惠 designations of 民办 institutions. :func:`plan_expansion` solves a
mixed-integer programme with HiGHS (:mod:`tuoyu.engine.expansion_milp`) over the slots,
kindergarten share, 普惠 share and, when set, young-infant share rows of every township,
counted on the as-of day exactly as :func:`~tuoyu.engine.indicators.compute_indicators`
counts them. Its forms:

* cost form (no budget): the cheapest plan meeting every target. When no plan does, a
  minimum-shortfall plan: first the least total missing slots, then the cheapest plan
  with that shortfall (status ``"shortfall"``). Only townships missing a target are
  planned, each on its own (the form separates by township);
* budget form: the most children reached in the demand zones of ``coverage`` (without
  coverage data, the most slots added) for at most ``budget``, then the cheapest plan
  reaching as many; targets are reported, not enforced.

The figures after the plan are ``compute_indicators`` on :func:`plan_apply`, the
registry with the plan in it. Every planned action carries the targets that would fail
without it (:class:`Reason`). The JSON scenario format is in
:mod:`tuoyu.engine.expansion_scenario`. Pure Python + numpy/scipy, no Django.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np

from tuoyu.engine import codes
from tuoyu.engine.expansion_milp import (
    Outcome,
    TargetRows,
    evaluate_rows,
    solve_budget_form,
    solve_cost_form,
    target_rows,
)
from tuoyu.engine.expansion_model import (
    ACTION_KINDS,
    DESIGNATE,
    OPEN_SITE,
    PLAN_CODES,
    SITE_CLASS,
    Candidates,
    Coverage,
    NewSites,
    PlanInputError,
    PlannedAction,
    PlanProblem,
    PlanResult,
    PlanTargets,
    PreparedProblem,
    Reason,
    Shortfall,
    find_rows,
    national_class_caps,
)
from tuoyu.engine.expansion_prepare import prepare
from tuoyu.engine.expansion_scenario import problem_as_dict, problem_from_dict
from tuoyu.engine.indicators import (
    ALL_CODES,
    MET_TOLERANCE,
    BoolArray,
    Classes,
    Designations,
    Fees,
    IndicatorReport,
    Institutions,
    IntArray,
    RegistrySnapshot,
    compute_indicators,
    figure_as_dict,
)

__all__ = [
    "ACTION_KINDS",
    "OPEN_SITE",
    "PLAN_CODES",
    "Candidates",
    "Coverage",
    "NewSites",
    "PlanInputError",
    "PlanProblem",
    "PlanResult",
    "PlanTargets",
    "PlannedAction",
    "Reason",
    "Shortfall",
    "national_class_caps",
    "plan_apply",
    "plan_expansion",
    "plan_result_as_dict",
    "problem_as_dict",
    "problem_from_dict",
]

REASON_TOLERANCE = 1e-7
"""Slots: a target is said to fail without an action when it would lack more than this."""


def plan_expansion(problem: PlanProblem) -> PlanResult:
    """The plan for ``problem`` (see the module docstring for the forms and statuses).

    Raises :class:`PlanInputError` (a ``ValueError``) for an invalid problem, naming the
    candidate, site or setting at fault. An infeasible problem is never an error: it gives
    a minimum-shortfall plan.
    """
    started = time.perf_counter()
    prep = prepare(problem)
    rows = target_rows(prep)
    n, n_sites = prep.kind.size, prep.site_cost.size
    outcome: Outcome
    if problem.budget is not None:
        outcome = solve_budget_form(prep)
    else:
        missing = [s.township_id for s in _shortfalls(prep, prep.before) if s.township_id is not None]
        needed = np.isin(prep.town_ids, np.array(missing, dtype=np.int64))
        if needed.any():
            outcome = solve_cost_form(prep, rows, needed)
        else:
            nothing = np.zeros(n, dtype=np.int64)
            closed = np.zeros(n_sites, dtype=np.bool_)
            message = "every target is already met"
            outcome = Outcome("nothing_needed", message, None, nothing, closed, 0.0, 0, None, True)
    units, opened = outcome.units, outcome.opened
    planned = plan_apply(problem, units, opened)
    after = compute_indicators(
        planned, as_of=prep.as_of, targets=prep.indicator_targets, certification=problem.certification
    )
    model = outcome.model
    return PlanResult(
        status=outcome.status,
        solver_message=outcome.message,
        mip_gap=outcome.gap,
        total_cost=float(prep.cost @ units + prep.site_cost @ opened),
        objective=float(outcome.objective),
        units=units,
        sites_opened=opened,
        actions=_actions(prep, rows, units, opened),
        shortfalls=_shortfalls(prep, after),
        before=prep.before,
        after=after,
        children_reached=_children_reached(problem, units) if problem.budget is not None else None,
        solve_seconds=time.perf_counter() - started,
        variables=0 if model is None else int(model.c.size),
        integer_variables=0 if model is None else int(np.count_nonzero(model.integrality)),
        constraints=0 if model is None else int(model.matrix.shape[0]),
        nonzeros=0 if model is None else int(model.matrix.nnz),
        solver_calls=outcome.calls,
        proven_optimal=outcome.proven,
    )


def plan_apply(problem: PlanProblem, units: IntArray, sites_opened: BoolArray) -> RegistrySnapshot:
    """The registry with the plan in it, all of it starting on ``problem.as_of``.

    Each unit becomes a class (ids above every existing class id); each opened site an
    institution of form ``"community"``, filed and opened on the day, public when the site
    opens 普惠 (ids above every existing institution id, in site order), with a fee row
    at the site's monthly fee for every class type; each chosen designation a designation
    from the day on, open-ended. Designated institutions keep their fees.
    """
    snap = problem.snapshot
    cand = problem.candidates
    sites = problem.sites
    units = np.asarray(units, dtype=np.int64)
    opened = np.asarray(sites_opened, dtype=np.bool_)
    kind = np.asarray(cand.kind, dtype=np.int64)
    if units.shape != kind.shape or opened.shape != np.asarray(sites.ids).shape:
        raise ValueError("units must align with the candidates and sites_opened with the sites")
    limit = np.where(kind == DESIGNATE, np.minimum(cand.max_units, 1), cand.max_units)
    bad = np.flatnonzero((units < 0) | (units > limit))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"candidate {int(cand.ids[i])}: {units[i]} units is outside 0..{int(limit[i])}")
    site_row = find_rows(np.asarray(sites.ids, dtype=np.int64), np.asarray(cand.site_ids, dtype=np.int64))
    builds = (kind != DESIGNATE) & (units > 0)
    at_site = builds & (kind == SITE_CLASS)
    closed_site = at_site & ((site_row < 0) | ~np.append(opened, False)[site_row])
    if closed_site.any():
        i = int(np.flatnonzero(closed_site)[0])
        raise ValueError(f"candidate {int(cand.ids[i])}: site {int(cand.site_ids[i])} is not opened")

    day = np.datetime64(problem.as_of, "D")
    nat = np.datetime64("NaT", "D")
    inst = snap.institutions
    inst_ids = np.asarray(inst.ids, dtype=np.int64)
    first_inst = int(max(inst_ids.max(initial=0), 0)) + 1
    open_rows = np.flatnonzero(opened)
    new_inst = first_inst + np.arange(open_rows.size, dtype=np.int64)
    inst_of_site = np.full(opened.size + 1, -1, dtype=np.int64)
    inst_of_site[open_rows] = new_inst
    k = open_rows.size

    def grow(old: Any, new: Any) -> Any:
        old = np.asarray(old)
        return np.concatenate([old, np.asarray(new, dtype=old.dtype)])

    institutions = Institutions(
        ids=grow(inst_ids, new_inst),
        township_ids=grow(inst.township_ids, np.asarray(sites.township_ids)[open_rows]),
        form=grow(inst.form, sites.form_codes()[open_rows]),
        public=grow(inst.public, np.asarray(sites.puhui, dtype=np.bool_)[open_rows]),
        filed_on=grow(inst.filed_on, np.full(k, day)),
        opened_on=grow(inst.opened_on, np.full(k, day)),
        closed_on=grow(inst.closed_on, np.full(k, nat)),
        filing_ended_on=None if inst.filing_ended_on is None else grow(inst.filing_ended_on, np.full(k, nat)),
    )

    rows = np.repeat(np.flatnonzero(builds), units[builds])
    cls = snap.classes
    first_class = int(max(np.asarray(cls.ids, dtype=np.int64).max(initial=0), 0)) + 1
    class_inst = np.where(kind == SITE_CLASS, inst_of_site[site_row], cand.institution_ids)[rows]
    m = rows.size
    classes = Classes(
        ids=grow(cls.ids, first_class + np.arange(m, dtype=np.int64)),
        institution_ids=grow(cls.institution_ids, class_inst),
        class_type=grow(cls.class_type, np.asarray(cand.class_type)[rows]),
        approved_slots=grow(cls.approved_slots, np.asarray(cand.slots_per_unit)[rows]),
        opened_on=grow(cls.opened_on, np.full(m, day)),
        closed_on=grow(cls.closed_on, np.full(m, nat)),
    )

    chosen = np.flatnonzero((kind == DESIGNATE) & (units > 0))
    des = snap.designations
    designations = Designations(
        institution_ids=grow(des.institution_ids, np.asarray(cand.institution_ids)[chosen]),
        valid_from=grow(des.valid_from, np.full(chosen.size, day)),
        valid_to=grow(des.valid_to, np.full(chosen.size, nat)),
    )

    n_types = len(codes.CLASS_TYPES)
    fees = snap.fees
    fee_count = k * n_types
    new_fees = Fees(
        institution_ids=grow(fees.institution_ids, np.repeat(new_inst, n_types)),
        class_type=grow(fees.class_type, np.tile(np.arange(n_types), k)),
        full_day=grow(fees.full_day, np.repeat(np.asarray(sites.monthly_fee)[open_rows], n_types)),
        effective_from=grow(fees.effective_from, np.full(fee_count, day)),
        effective_to=grow(fees.effective_to, np.full(fee_count, nat)),
    )
    return dataclasses.replace(
        snap, institutions=institutions, classes=classes, designations=designations, fees=new_fees
    )


def _shortfalls(prep: PreparedProblem, report: IndicatorReport) -> tuple[Shortfall, ...]:
    """The enforced targets ``report`` misses, township by township, then citywide.

    A target counts as missed as the indicator engine counts it (value below the target
    beyond :data:`~tuoyu.engine.indicators.MET_TOLERANCE`); an undefined value (no children,
    no slots) is not a miss. ``missing_slots`` is the exact deficit: slots to add for
    ``slots_per_1000``; slots of the counted kind to add for a share.
    """
    result = []
    areas: list[tuple[int | None, dict[str, Any]]] = [
        (int(t), report.townships[int(t)]) for t in prep.town_ids
    ]
    areas.append((None, report.city))
    for town_id, figures in areas:
        for j, code in enumerate(prep.codes):
            figure = figures[code]
            threshold = float(prep.thresholds[j])
            if figure.value is None or figure.value >= threshold - MET_TOLERANCE:
                continue
            if code == "slots_per_1000":
                missing = threshold * figure.denominator / 1000.0 - figure.numerator
            else:
                missing = (threshold * figure.denominator - figure.numerator) / prep.missing_scale(code)
            result.append(Shortfall(code, town_id, threshold, float(figure.value), float(missing)))
    return tuple(result)


def _children_reached(problem: PlanProblem, units: IntArray) -> float | None:
    coverage = problem.coverage
    if coverage is None:
        return None
    zone_rows = np.asarray(coverage.zone_rows, dtype=np.int64)
    active = units[np.asarray(coverage.candidate_rows, dtype=np.int64)] > 0
    reached = np.bincount(zone_rows[active], minlength=len(coverage.zone_ids)) > 0
    return float(np.asarray(coverage.weights, dtype=np.float64)[reached].sum())


def _reasons(
    prep: PreparedProblem, rows: TargetRows, units: IntArray, opened: BoolArray
) -> dict[int, list[Reason]]:
    """Reasons per action column (candidates, then sites), from dropping each action."""
    n = prep.kind.size
    activity, effect = evaluate_rows(prep, rows, units)
    chosen = np.concatenate([units > 0, opened])
    coo = effect.tocoo()
    keep = chosen[coo.col] & (coo.data > 0)
    row, col, value = coo.row[keep], coo.col[keep], coo.data[keep]
    scale = rows.scale[row]
    code = rows.code[row]
    lost_here = (np.maximum(value - activity[row], 0) - np.maximum(-activity[row], 0)) / scale
    n_towns = prep.town_ids.size
    city = np.array([activity[j * n_towns : (j + 1) * n_towns].sum() for j in range(len(prep.codes))])
    lost_city = (np.maximum(value - city[code], 0) - np.maximum(-city[code], 0)) / scale
    found: dict[int, list[tuple[int, int, Reason]]] = {}
    town_ids = prep.town_ids.tolist()
    for r, c, j, here, whole in zip(
        row.tolist(), col.tolist(), code.tolist(), lost_here.tolist(), lost_city.tolist(), strict=True
    ):
        name = prep.codes[j]
        if here > REASON_TOLERANCE:
            found.setdefault(c, []).append((j, 0, Reason(name, town_ids[rows.town[r]], here)))
        if whole > REASON_TOLERANCE:
            found.setdefault(c, []).append((j, 1, Reason(name, None, whole)))
    if prep.problem.budget is not None and prep.problem.coverage is not None:
        for c, town in _sole_coverers(prep, units, opened):
            found.setdefault(c, []).append(
                (len(PLAN_CODES), 0, Reason("coverage", int(prep.town_ids[town]), 0.0))
            )
    reasons = {c: [reason for *_, reason in sorted(items, key=lambda x: x[:2])] for c, items in found.items()}
    for c in np.flatnonzero(chosen).tolist():
        reasons.setdefault(c, [Reason("cost_mix", int(prep.town_ids[_town_of_column(prep, c, n)]), 0.0)])
    return reasons


def _town_of_column(prep: PreparedProblem, column: int, n: int) -> int:
    return int(prep.town[column] if column < n else prep.site_town[column - n])


def _sole_coverers(prep: PreparedProblem, units: IntArray, opened: BoolArray) -> list[tuple[int, int]]:
    """(action column, township row) for actions without which a reached zone would not be."""
    coverage = prep.problem.coverage
    assert coverage is not None
    n = prep.kind.size
    zone_rows = np.asarray(coverage.zone_rows, dtype=np.int64)
    cand_rows = np.asarray(coverage.candidate_rows, dtype=np.int64)
    active = units[cand_rows] > 0
    zone_rows, cand_rows = zone_rows[active], cand_rows[active]
    n_zones = len(coverage.zone_ids)
    per_zone = np.bincount(zone_rows, minlength=n_zones)
    found = {int(a) for a in cand_rows[per_zone[zone_rows] == 1]}
    # A site is the sole way to reach a zone when all the zone's active coverers are its classes.
    site = np.where(prep.kind[cand_rows] == SITE_CLASS, prep.site[cand_rows], -1)
    for z in np.unique(zone_rows[site >= 0]).tolist():
        sites_here = np.unique(site[zone_rows == z])
        if sites_here.size == 1 and sites_here[0] >= 0:
            found.add(n + int(sites_here[0]))
    return [(c, _town_of_column(prep, c, n)) for c in sorted(found)]


def _actions(
    prep: PreparedProblem, rows: TargetRows, units: IntArray, opened: BoolArray
) -> tuple[PlannedAction, ...]:
    """Planned actions, township by township; a site's opening comes before its classes."""
    problem = prep.problem
    cand, sites = problem.candidates, problem.sites
    n = prep.kind.size
    reasons = _reasons(prep, rows, units, opened)
    planned_puhui = np.bincount(
        prep.designator[prep.designator >= 0],
        weights=(prep.slots * units)[prep.designator >= 0],
        minlength=n,
    )
    entries: list[tuple[tuple[int, int, int, int], PlannedAction]] = []
    for s in np.flatnonzero(opened).tolist():
        action = PlannedAction(
            kind=OPEN_SITE,
            candidate_id=None,
            township_id=int(sites.township_ids[s]),
            institution_id=None,
            site_id=int(sites.ids[s]),
            class_type=None,
            units=1,
            slots=0.0,
            cost=float(prep.site_cost[s]),
            reasons=tuple(reasons[n + s]),
        )
        entries.append(((int(prep.site_town[s]), 0, s, -1), action))
    for a in np.flatnonzero(units > 0).tolist():
        kind = int(prep.kind[a])
        designate = kind == DESIGNATE
        site = int(prep.site[a])
        action = PlannedAction(
            kind=ACTION_KINDS[kind],
            candidate_id=int(cand.ids[a]),
            township_id=int(prep.town_ids[prep.town[a]]),
            institution_id=None if kind == SITE_CLASS else int(cand.institution_ids[a]),
            site_id=int(sites.ids[site]) if kind == SITE_CLASS else None,
            class_type=None if designate else codes.CLASS_TYPES[int(cand.class_type[a])],
            units=int(units[a]),
            slots=float(prep.existing[a] + planned_puhui[a] if designate else prep.slots[a] * units[a]),
            cost=float(prep.cost[a] * units[a]),
            reasons=tuple(reasons[a]),
        )
        key = (int(prep.town[a]), 0, site, a) if kind == SITE_CLASS else (int(prep.town[a]), 1, a, a)
        entries.append((key, action))
    entries.sort(key=lambda entry: entry[0])
    return tuple(action for _, action in entries)


# --------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------


def _figures(report: IndicatorReport, townships_only: bool) -> dict[str, Any]:
    towns = {
        str(town_id): {code: figure_as_dict(figures[code]) for code in ALL_CODES}
        for town_id, figures in report.townships.items()
    }
    if townships_only:
        return {"townships": towns}
    return {"city": {code: figure_as_dict(report.city[code]) for code in ALL_CODES}, "townships": towns}


def plan_result_as_dict(result: PlanResult, *, townships_only: bool = False) -> dict[str, Any]:
    """``result`` as plain JSON-ready values.

    Keys: ``status``, ``solver_message``, ``mip_gap``, ``total_cost``, ``objective``,
    ``children_reached``, ``solve_seconds``, ``as_of``, ``model`` (size of the last model
    solved), ``actions`` (with their reasons), ``shortfalls``, and ``before``/``after``:
    every figure by area (``"city"``, and ``"townships"`` keyed by township id as a
    string) and code. ``townships_only`` leaves the citywide figures out of
    ``before``/``after``.
    """
    return {
        "status": result.status,
        "solver_message": result.solver_message,
        "mip_gap": None if result.mip_gap is None else float(result.mip_gap),
        "total_cost": float(result.total_cost),
        "objective": float(result.objective),
        "children_reached": None if result.children_reached is None else float(result.children_reached),
        "solve_seconds": float(result.solve_seconds),
        "as_of": result.before.as_of.isoformat(),
        "model": {
            "variables": result.variables,
            "integer_variables": result.integer_variables,
            "constraints": result.constraints,
            "nonzeros": result.nonzeros,
            "solver_calls": result.solver_calls,
        },
        "proven_optimal": result.proven_optimal,
        "actions": [
            {**dataclasses.asdict(action), "reasons": [dataclasses.asdict(r) for r in action.reasons]}
            for action in result.actions
        ],
        "shortfalls": [dataclasses.asdict(shortfall) for shortfall in result.shortfalls],
        "before": _figures(result.before, townships_only),
        "after": _figures(result.after, townships_only),
    }
