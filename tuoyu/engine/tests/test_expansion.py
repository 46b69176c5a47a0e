"""Hand-computed expansion plans, degenerate inputs, the budget form, validation and the
JSON scenario format.

Every plan is small enough to check by hand; the arithmetic is in the comments. Unless a
test says otherwise the targets are the 2025 ones: 280 slots per 1,000 children under 3,
a kindergarten share of 0.65 and a 普惠 share of 0.90.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from tuoyu.engine import codes
from tuoyu.engine.expansion import (
    ACTION_KINDS,
    Candidates,
    Coverage,
    NewSites,
    PlanInputError,
    PlanProblem,
    PlanResult,
    PlanTargets,
    plan_apply,
    plan_expansion,
    plan_result_as_dict,
    problem_as_dict,
    problem_from_dict,
)
from tuoyu.engine.indicators import CertificationRules, RegistrySnapshot, Targets, compute_indicators
from tuoyu.engine.tests import Cls, Desig, FeeRow, Inst, Town, build_snapshot

AS_OF = dt.date(2025, 12, 31)


# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cand:
    """A candidate action written as a record (codes as strings)."""

    id: int
    kind: str
    inst: int = -1
    type: str | None = "older"
    slots: float = 20.0
    max_units: int = 1
    cost: float = 100.0
    site: int = -1


@dataclass(frozen=True)
class Site:
    id: int
    town: int
    fixed_cost: float = 0.0
    puhui: bool = True
    fee: float = 1000.0
    form: str = "community"
    max_units: int = -1  # classes in all; negative: no limit


def candidates(rows: Sequence[Cand]) -> Candidates:
    designate = [r.kind == "designate" for r in rows]
    return Candidates(
        ids=np.array([r.id for r in rows], dtype=np.int64),
        kind=np.array([ACTION_KINDS.index(r.kind) for r in rows], dtype=np.int8),
        institution_ids=np.array([r.inst for r in rows], dtype=np.int64),
        site_ids=np.array([r.site for r in rows], dtype=np.int64),
        class_type=np.array(
            [
                -1 if d or r.type is None else codes.CLASS_TYPES.index(r.type)
                for r, d in zip(rows, designate, strict=True)
            ],
            dtype=np.int8,
        ),
        slots_per_unit=np.array(
            [0.0 if d else r.slots for r, d in zip(rows, designate, strict=True)], dtype=np.float64
        ),
        max_units=np.array([r.max_units for r in rows], dtype=np.int64),
        unit_cost=np.array([r.cost for r in rows], dtype=np.float64),
    )


def sites(rows: Sequence[Site]) -> NewSites:
    return NewSites(
        ids=np.array([s.id for s in rows], dtype=np.int64),
        township_ids=np.array([s.town for s in rows], dtype=np.int64),
        fixed_cost=np.array([s.fixed_cost for s in rows], dtype=np.float64),
        puhui=np.array([s.puhui for s in rows], dtype=np.bool_),
        monthly_fee=np.array([s.fee for s in rows], dtype=np.float64),
        latitude=np.full(len(rows), 28.85),
        longitude=np.full(len(rows), 121.14),
        form=np.array([codes.FORMS.index(s.form) for s in rows], dtype=np.int8),
        max_units=np.array([s.max_units for s in rows], dtype=np.int64),
    )


def make_problem(
    snapshot: RegistrySnapshot,
    cands: Sequence[Cand] = (),
    new_sites: Sequence[Site] = (),
    *,
    targets: PlanTargets | None = None,
    **settings: Any,
) -> PlanProblem:
    return PlanProblem(
        snapshot=snapshot,
        as_of=AS_OF,
        targets=targets or PlanTargets(),
        candidates=candidates(cands),
        sites=sites(new_sites),
        **settings,
    )


def older_classes(first_id: int, inst: int, slots: float) -> list[Cls]:
    """Classes of 20 older children (the last one smaller) adding up to ``slots``."""
    full, rest = divmod(int(slots), 20)
    sizes = [20] * full + ([rest] if rest else [])
    return [Cls(first_id + k, inst, "older", size) for k, size in enumerate(sizes)]


def chosen(result: PlanResult) -> dict[int | None, int]:
    """Units per candidate id (``None`` for site openings)."""
    return {a.candidate_id: a.units for a in result.actions}


def figure(result: PlanResult, code: str, town: int | None = 1, *, after: bool = True) -> tuple[float, float]:
    report = result.after if after else result.before
    f = report.city[code] if town is None else report.townships[town][code]
    return f.numerator, f.denominator


# A township of 1,000 children under 3 needs 280 slots.
ONE_TOWN = [Town(1, under_3=1000, under_2=600, population=40_000)]


# --------------------------------------------------------------------------------------
# Hand-computed plans
# --------------------------------------------------------------------------------------


def test_a_township_20_slots_short_gets_the_cheaper_of_two_classes() -> None:
    # 260 slots for 1,000 children: 20 short of 280. Both candidates add 20 slots.
    snapshot = build_snapshot(
        ONE_TOWN, [Inst(10, 1, "kindergarten", public=True)], older_classes(100, 10, 260)
    )
    problem = make_problem(
        snapshot,
        [Cand(1, "expand", 10, cost=150_000), Cand(2, "kindergarten_class", 10, cost=90_000)],
    )
    result = plan_expansion(problem)
    assert result.status == "optimal"
    assert result.proven_optimal
    assert result.mip_gap == 0.0
    assert result.total_cost == 90_000
    assert result.units.tolist() == [0, 1]
    assert figure(result, "slots_per_1000") == (280.0, 1000.0)
    assert result.shortfalls == ()
    (action,) = result.actions
    assert (action.kind, action.candidate_id, action.institution_id, action.class_type) == (
        "kindergarten_class",
        2,
        10,
        "older",
    )
    assert (action.units, action.slots, action.cost, action.township_id) == (1, 20.0, 90_000.0, 1)
    # Without it the township and the city would lack the same 20 slots.
    assert [(r.code, r.township_id, r.slots_missing_without) for r in action.reasons] == [
        ("slots_per_1000", 1, 20.0),
        ("slots_per_1000", None, 20.0),
    ]


def test_the_kindergarten_share_forces_a_kindergarten_class_over_a_cheaper_expansion() -> None:
    # 170 kindergarten + 90 standalone slots = 260: share 170/260 = 0.654, 20 slots short.
    # Expanding the standalone (50k) gives 170/280 = 0.607 < 0.65; a 托班 class in the
    # kindergarten (90k) gives 190/280 = 0.679.
    snapshot = build_snapshot(
        ONE_TOWN,
        [Inst(10, 1, "kindergarten", public=True), Inst(11, 1, "standalone", public=True)],
        older_classes(100, 10, 170) + older_classes(200, 11, 90),
    )
    problem = make_problem(
        snapshot,
        [Cand(1, "expand", 11, cost=50_000), Cand(2, "kindergarten_class", 10, cost=90_000)],
    )
    result = plan_expansion(problem)
    assert result.status == "optimal"
    assert chosen(result) == {2: 1}
    assert result.total_cost == 90_000
    assert figure(result, "kindergarten_share") == (190.0, 280.0)


def designation_town(designation_cost: float) -> PlanProblem:
    # 500 children need 140 slots: 100 public + 40 private (not 普惠) = 140, but the 普惠
    # share is 100/140 = 0.714. Designating the private kindergarten makes it 140/140.
    # Public slots alone need 100 + x >= 0.9 (140 + x), x >= 260: 13 classes of 20.
    snapshot = build_snapshot(
        [Town(1, under_3=500)],
        [Inst(10, 1, "kindergarten", public=True), Inst(11, 1, "kindergarten")],
        older_classes(100, 10, 100) + older_classes(200, 11, 40),
    )
    return make_problem(
        snapshot,
        [
            Cand(1, "expand", 10, max_units=20, cost=50_000),
            Cand(2, "designate", 11, type=None, cost=designation_cost),
        ],
    )


def test_a_designation_cheaper_than_13_public_classes_is_chosen() -> None:
    result = plan_expansion(designation_town(600_000))
    assert result.status == "optimal"
    assert chosen(result) == {2: 1}
    assert result.total_cost == 600_000
    assert figure(result, "puhui_share") == (140.0, 140.0)
    (action,) = result.actions
    assert (action.kind, action.slots, action.class_type) == ("designate", 40.0, None)
    # Without it: 0.9 * 140 - 100 = 26 slots of deficit, 26 / (1 - 0.9) = 260 public slots missing.
    reason = action.reasons[0]
    assert (reason.code, reason.township_id) == ("puhui_share", 1)
    assert reason.slots_missing_without == pytest.approx(260.0)


def test_13_public_classes_cheaper_than_the_designation_are_chosen() -> None:
    result = plan_expansion(designation_town(700_000))
    assert result.status == "optimal"
    assert chosen(result) == {1: 13}
    assert result.total_cost == 650_000
    # 360 public slots of 400.
    assert figure(result, "puhui_share") == (360.0, 400.0)


def test_slots_added_at_an_institution_the_plan_designates_count_as_puhui() -> None:
    # 200 public + 60 private (not 普惠) = 260: 20 short, 普惠 200/260. Designating the
    # private kindergarten (50k) and adding a class there (10k) gives 280/280 for 60k;
    # a public class instead costs 40k (90k in all).
    snapshot = build_snapshot(
        ONE_TOWN,
        [Inst(10, 1, "kindergarten", public=True), Inst(11, 1, "kindergarten")],
        older_classes(100, 10, 200) + older_classes(200, 11, 60),
    )
    problem = make_problem(
        snapshot,
        [
            Cand(1, "expand", 10, cost=40_000),
            Cand(2, "expand", 11, cost=10_000),
            Cand(3, "designate", 11, type=None, cost=50_000),
        ],
    )
    result = plan_expansion(problem)
    assert result.status == "optimal"
    assert chosen(result) == {2: 1, 3: 1}
    assert result.total_cost == 60_000
    assert figure(result, "puhui_share") == (280.0, 280.0)
    by_id = {a.candidate_id: a for a in result.actions}
    assert by_id[3].slots == 80.0  # 60 existing + 20 planned
    # Without the designation: 0.9 * 280 - 200 = 52, / 0.1 = 520 public slots missing.
    assert [(r.code, r.township_id) for r in by_id[3].reasons] == [("puhui_share", 1), ("puhui_share", None)]
    assert by_id[3].reasons[0].slots_missing_without == pytest.approx(520.0)
    assert [(r.code, r.slots_missing_without) for r in by_id[2].reasons if r.township_id] == [
        ("slots_per_1000", 20.0)
    ]


@pytest.mark.parametrize(("fixed_cost", "opened"), [(100_000, True), (180_000, False)])
def test_a_site_is_opened_when_its_fixed_cost_and_class_beat_an_expansion(
    fixed_cost: float, opened: bool
) -> None:
    # 20 slots short. A class at a new site costs the opening plus 30k; an expansion 200k.
    snapshot = build_snapshot(
        ONE_TOWN,
        [Inst(10, 1, "kindergarten", public=True)],
        older_classes(100, 10, 260),
        fees=[FeeRow(10, "older", 1000)],
    )
    problem = make_problem(
        snapshot,
        [Cand(1, "expand", 10, cost=200_000), Cand(2, "site_class", site=5, max_units=2, cost=30_000)],
        [Site(5, 1, fixed_cost=fixed_cost, fee=1600)],
    )
    result = plan_expansion(problem)
    assert result.status == "optimal"
    if opened:
        assert result.total_cost == 130_000
        assert result.sites_opened.tolist() == [True]
        assert [(a.kind, a.site_id, a.units, a.cost) for a in result.actions] == [
            ("open_site", 5, 1, 100_000.0),
            ("site_class", 5, 1, 30_000.0),
        ]
        assert result.actions[0].reasons[0].code == "slots_per_1000"
        # The site's fee enters the fee ratio: (260 * 1000 + 20 * 1600) / 280 per month.
        assert figure(result, "fee_ratio")[0] == pytest.approx((260 * 1000 + 20 * 1600) / 280)
        assert figure(result, "kindergarten_share") == (260.0, 280.0)
    else:
        assert result.total_cost == 200_000
        assert result.sites_opened.tolist() == [False]
        assert chosen(result) == {1: 1}


def test_a_young_infant_minimum_makes_a_toddler_class_win_over_a_cheaper_older_class() -> None:
    # 280 slots, all older: the young share is 0. With a minimum of 0.05 the plan needs
    # y >= 0.05 (280 + y), y >= 14.7: one toddler class of 15.
    snapshot = build_snapshot(
        ONE_TOWN, [Inst(10, 1, "kindergarten", public=True)], older_classes(100, 10, 280)
    )
    problem = make_problem(
        snapshot,
        [
            Cand(1, "kindergarten_class", 10, cost=10),
            Cand(2, "kindergarten_class", 10, "toddler", 15, cost=30),
        ],
        targets=PlanTargets(young_infant_share_min=0.05),
    )
    result = plan_expansion(problem)
    assert result.status == "optimal"
    assert chosen(result) == {2: 1}
    assert figure(result, "young_infant_share") == (15.0, 295.0)


def test_townships_are_planned_independently() -> None:
    snapshot = build_snapshot(
        [Town(1, under_3=1000), Town(2, under_3=500), Town(3, under_3=100)],
        [Inst(10, 1, "kindergarten", public=True), Inst(20, 2, "kindergarten", public=True)],
        older_classes(100, 10, 260) + older_classes(200, 20, 140),
    )
    problem = make_problem(
        snapshot,
        [
            Cand(1, "kindergarten_class", 10, cost=20),
            Cand(2, "kindergarten_class", 20, cost=5),  # township 2 already has its 140 slots
        ],
    )
    result = plan_expansion(problem)
    # Township 3 has 100 children, no institution and no candidate: 28 slots missing.
    assert result.status == "shortfall"
    assert chosen(result) == {1: 1}
    assert [(s.code, s.township_id, s.missing_slots) for s in result.shortfalls] == [
        ("slots_per_1000", 3, pytest.approx(28.0)),
        ("slots_per_1000", None, pytest.approx(28.0)),  # city: 0.28 * 1600 - (280 + 140)
    ]


# --------------------------------------------------------------------------------------
# Shortfall, nothing needed, degenerate inputs
# --------------------------------------------------------------------------------------


def test_an_infeasible_township_gets_the_plan_with_the_fewest_missing_slots() -> None:
    # 200 slots: 80 short. Two 托班 classes (40 slots) and one expansion (20) are all
    # there is: 20 slots stay missing, for 10 + 10 + 30 = 50. The designation changes
    # nothing (普惠 is already 200/200) and is left out although it would cost no slots.
    snapshot = build_snapshot(
        ONE_TOWN,
        [Inst(10, 1, "kindergarten", public=True), Inst(11, 1, "kindergarten")],
        older_classes(100, 10, 200),
    )
    problem = make_problem(
        snapshot,
        [
            Cand(1, "kindergarten_class", 10, max_units=2, cost=10),
            Cand(2, "expand", 10, cost=30),
            Cand(3, "designate", 11, type=None, cost=5),
        ],
    )
    result = plan_expansion(problem)
    assert result.status == "shortfall"
    assert result.proven_optimal
    assert chosen(result) == {1: 2, 2: 1}
    assert result.total_cost == 50
    assert result.objective == pytest.approx(20.0)
    assert [(s.code, s.township_id, s.required, s.achieved) for s in result.shortfalls] == [
        ("slots_per_1000", 1, 280.0, 260.0),
        ("slots_per_1000", None, 280.0, 260.0),
    ]
    assert result.shortfalls[0].missing_slots == pytest.approx(20.0)


def test_a_kindergarten_share_shortfall_is_counted_in_kindergarten_slots() -> None:
    # 100 standalone slots for 300 children (84 needed) and no kindergarten at all: the
    # kindergarten share (0) cannot rise. Missing: (0.65 * 100 - 0) / 0.35 = 185.7 slots.
    snapshot = build_snapshot(
        [Town(1, under_3=300)], [Inst(10, 1, "standalone", public=True)], older_classes(100, 10, 100)
    )
    result = plan_expansion(make_problem(snapshot, [Cand(1, "expand", 10, cost=10)]))
    assert result.status == "shortfall"
    assert result.actions == ()
    (town, city) = result.shortfalls
    assert (town.code, town.township_id, town.achieved) == ("kindergarten_share", 1, 0.0)
    assert town.missing_slots == pytest.approx(0.65 * 100 / 0.35)
    assert city.township_id is None


def test_a_township_without_a_kindergarten_still_gets_its_places_before_its_share() -> None:
    # 200 children need 56 places and the township has none; three 20-slot classes can
    # open in a standalone institution. Minimising the sum of shortfalls alone would
    # open nothing (each place widens the kindergarten share's gap by 0.65 / 0.35 = 1.86
    # slots while closing one place); places come first: 3 classes, 60 places, 56 met,
    # and the kindergarten share (0 of 60) is reported: 0.65 * 60 / 0.35 = 111.4 slots.
    snapshot = build_snapshot([Town(1, under_3=200)], [Inst(10, 1, "standalone", public=True)], [])
    result = plan_expansion(make_problem(snapshot, [Cand(1, "expand", 10, max_units=3, cost=10)]))
    assert result.status == "shortfall"
    assert chosen(result) == {1: 3}
    codes_missing = [(s.code, s.township_id) for s in result.shortfalls]
    assert ("slots_per_1000", 1) not in codes_missing
    (town, _city) = result.shortfalls
    assert (town.code, town.township_id) == ("kindergarten_share", 1)
    assert town.missing_slots == pytest.approx(0.65 * 60 / 0.35)


def test_targets_already_met_give_an_empty_plan_marked_nothing_needed() -> None:
    snapshot = build_snapshot(
        ONE_TOWN, [Inst(10, 1, "kindergarten", public=True)], older_classes(100, 10, 300)
    )
    result = plan_expansion(make_problem(snapshot, [Cand(1, "kindergarten_class", 10, cost=1)]))
    assert result.status == "nothing_needed"
    assert result.actions == ()
    assert result.units.tolist() == [0]
    assert result.total_cost == 0.0
    assert result.shortfalls == ()
    assert figure(result, "slots_per_1000") == figure(result, "slots_per_1000", after=False)


def test_no_candidates_and_a_missing_target_give_a_shortfall_not_an_error() -> None:
    snapshot = build_snapshot(
        ONE_TOWN, [Inst(10, 1, "kindergarten", public=True)], older_classes(100, 10, 200)
    )
    result = plan_expansion(make_problem(snapshot))
    assert result.status == "shortfall"
    assert result.actions == ()
    assert result.shortfalls[0].missing_slots == pytest.approx(80.0)


def test_a_township_without_children_or_institutions_needs_nothing() -> None:
    result = plan_expansion(make_problem(build_snapshot([Town(1)])))
    assert result.status == "nothing_needed"
    assert result.after.townships[1]["slots_per_1000"].value is None


def test_an_empty_registry_needs_nothing() -> None:
    result = plan_expansion(make_problem(build_snapshot([])))
    assert result.status == "nothing_needed"
    assert result.actions == ()


def test_a_township_without_institutions_is_served_by_a_new_site() -> None:
    # 100 children need 28 slots: two toddler classes of 15 at a new site.
    snapshot = build_snapshot([Town(1, under_3=100)])
    problem = make_problem(
        snapshot,
        [Cand(1, "site_class", site=3, type="toddler", slots=15, max_units=4, cost=1000)],
        [Site(3, 1, fixed_cost=5000, puhui=True)],
        targets=PlanTargets(kindergarten_share_min=0.0),
    )
    result = plan_expansion(problem)
    assert result.status == "optimal"
    assert result.total_cost == 7000
    assert figure(result, "slots_per_1000") == (30.0, 100.0)
    assert figure(result, "puhui_share") == (30.0, 30.0)


def test_a_kindergarten_that_opens_its_first_classes_counts_for_the_kindergarten_share() -> None:
    # 100 children need 28 slots, 65% of them in kindergartens. A community site (fixed
    # 100) cannot carry the share; a kindergarten not yet in the registry (fixed 200) can:
    # two 20-child 托班 there, 40 slots all 托幼一体, cost 200 + 2 * 10 = 220. One class at
    # each (20 + 20) would leave the share at 50%.
    snapshot = build_snapshot([Town(1, under_3=100)])
    problem = make_problem(
        snapshot,
        [
            Cand(1, "site_class", site=3, slots=20, max_units=2, cost=10),
            Cand(2, "site_class", site=4, slots=20, max_units=2, cost=10),
        ],
        [Site(3, 1, fixed_cost=100), Site(4, 1, fixed_cost=200, form="kindergarten")],
    )
    result = plan_expansion(problem)
    assert result.status == "optimal"
    assert chosen(result) == {None: 1, 2: 2}
    assert result.total_cost == 220
    assert figure(result, "kindergarten_share") == (40.0, 40.0)
    planned = plan_apply(problem, result.units, result.sites_opened)
    assert codes.FORMS[int(planned.institutions.form[-1])] == "kindergarten"


def test_a_site_holds_no_more_classes_than_its_rooms() -> None:
    # 200 children need 56 slots; the only site has two rooms in all, for toddler or older
    # classes (2 x 20 = 40 slots at most): 16 slots stay missing.
    snapshot = build_snapshot([Town(1, under_3=200)])
    problem = make_problem(
        snapshot,
        [
            Cand(1, "site_class", site=3, type="older", slots=20, max_units=2, cost=10),
            Cand(2, "site_class", site=3, type="toddler", slots=15, max_units=2, cost=10),
        ],
        [Site(3, 1, fixed_cost=100, max_units=2)],
        targets=PlanTargets(kindergarten_share_min=0.0),
    )
    result = plan_expansion(problem)
    assert result.status == "shortfall"
    assert int(result.units.sum()) == 2
    assert chosen(result) == {None: 1, 1: 2}
    assert result.shortfalls[0].missing_slots == pytest.approx(56 - 40)


def test_a_township_with_children_only_in_the_forecast_is_planned_for() -> None:
    # Zero slots and 50 children: 14 slots needed, a 15-child toddler class.
    snapshot = build_snapshot([Town(1, under_3=50)], [Inst(10, 1, "kindergarten", public=True)])
    result = plan_expansion(
        make_problem(
            snapshot, [Cand(1, "kindergarten_class", 10, type="toddler", slots=15, max_units=3, cost=7)]
        )
    )
    assert result.status == "optimal"
    assert chosen(result) == {1: 1}


# --------------------------------------------------------------------------------------
# Budget form
# --------------------------------------------------------------------------------------


def coverage_problem(budget: float) -> PlanProblem:
    # Zone 1 (100 children) is reached by candidate 1 (50) or 2 (30); zone 2 (60) by 3 (40).
    snapshot = build_snapshot(
        ONE_TOWN, [Inst(10, 1, "kindergarten", public=True)], older_classes(100, 10, 200)
    )
    coverage = Coverage(
        zone_ids=np.array([1, 2]),
        weights=np.array([100.0, 60.0]),
        zone_rows=np.array([0, 0, 1]),
        candidate_rows=np.array([0, 1, 2]),
    )
    return make_problem(
        snapshot,
        [
            Cand(1, "kindergarten_class", 10, cost=50),
            Cand(2, "expand", 10, cost=30),
            Cand(3, "expand", 10, type="toddler", slots=15, cost=40),
        ],
        budget=budget,
        coverage=coverage,
    )


@pytest.mark.parametrize(
    ("budget", "expected", "reached", "cost"),
    [(80, {2: 1, 3: 1}, 160.0, 70.0), (50, {2: 1}, 100.0, 30.0), (20, {}, 0.0, 0.0)],
)
def test_the_budget_form_reaches_the_most_children_at_the_least_cost(
    budget: float, expected: dict[int, int], reached: float, cost: float
) -> None:
    result = plan_expansion(coverage_problem(budget))
    assert result.status == "budget"
    assert chosen(result) == expected
    assert result.children_reached == reached
    assert result.objective == reached
    assert result.total_cost == cost
    for action in result.actions:
        assert "coverage" in [r.code for r in action.reasons]
    # Targets are reported, not enforced: 200 + at most 35 slots stay short of 280.
    assert result.shortfalls[0].code == "slots_per_1000"


def test_without_coverage_data_the_budget_form_adds_the_most_slots() -> None:
    # Budget 100: 20 + 15 slots (60 + 40) beats 15 + 10 (40 + 40).
    snapshot = build_snapshot(
        ONE_TOWN, [Inst(10, 1, "kindergarten", public=True)], older_classes(100, 10, 400)
    )
    problem = make_problem(
        snapshot,
        [
            Cand(1, "kindergarten_class", 10, slots=20, cost=60),
            Cand(2, "kindergarten_class", 10, "toddler", slots=15, cost=40),
            Cand(3, "kindergarten_class", 10, "infant", slots=10, cost=40),
        ],
        budget=100,
    )
    result = plan_expansion(problem)
    assert result.status == "budget"
    assert chosen(result) == {1: 1, 2: 1}
    assert result.objective == 35.0
    assert result.children_reached is None
    # Every target was met before: no action is needed for one, so each is a cost mix.
    assert {r.code for a in result.actions for r in a.reasons} == {"cost_mix"}


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------

VALIDATION_TOWN = build_snapshot(
    [Town(1, under_3=1000)],
    [
        Inst(10, 1, "kindergarten", public=True),
        Inst(11, 1, "standalone"),
        Inst(12, 1, "standalone", filed="2026-03-01"),
        Inst(13, 1, "standalone", closed="2025-06-01"),
        Inst(14, 1, "community"),
        Inst(15, 1, "standalone", filed=None),
    ],
    older_classes(100, 10, 100),
    designations=[Desig(14, valid_from="2025-01-01")],
)


@pytest.mark.parametrize(
    ("candidate", "message"),
    [
        (Cand(7, "kindergarten_class", 11), r"candidate 7 \(candidates\[0\]\.institution_id\): .*standalone"),
        (Cand(7, "designate", 10, type=None), r"candidate 7 .*institution 10 is public"),
        (Cand(7, "designate", 14, type=None), r"candidate 7 .*institution 14 is already designated"),
        (Cand(7, "expand", 12), r"candidate 7 .*institution 12 is not filed and operating on 2025-12-31"),
        (Cand(7, "expand", 13), r"candidate 7 .*institution 13 is not filed and operating"),
        (Cand(7, "expand", 15), r"candidate 7 .*institution 15 is not filed and operating"),
        (
            Cand(7, "expand", 10, slots=25),
            r"candidate 7 .*slots_per_unit\): 25 exceeds the cap of 20 for older",
        ),
        (Cand(7, "expand", 10, "infant", slots=12), r"12 exceeds the cap of 10 for infant"),
        (Cand(7, "expand", 10, slots=0), r"slots_per_unit\): must be positive"),
        (Cand(7, "expand", 99), r"candidate 7 .*unknown institution 99"),
        (Cand(7, "site_class", site=42), r"candidate 7 .*site_id\): unknown site 42"),
        (Cand(7, "expand", 10, cost=-1), r"candidate 7 .*unit_cost\): must not be negative"),
        (Cand(7, "expand", 10, max_units=-1), r"max_units\): must not be negative"),
        (Cand(7, "expand", 10, type=None), r"class_type\): unknown class type -1"),
    ],
)
def test_an_invalid_candidate_raises_naming_it(candidate: Cand, message: str) -> None:
    with pytest.raises(PlanInputError, match=message):
        plan_expansion(make_problem(VALIDATION_TOWN, [candidate], [Site(3, 1)]))


def test_two_designations_of_one_institution_raise() -> None:
    cands = [Cand(1, "designate", 11, type=None), Cand(2, "designate", 11, type=None)]
    with pytest.raises(ValueError, match=r"candidate 2 .*more than one designate candidate"):
        plan_expansion(make_problem(VALIDATION_TOWN, cands))


def test_a_duplicate_candidate_id_raises() -> None:
    cands = [Cand(1, "expand", 10), Cand(1, "expand", 10)]
    with pytest.raises(ValueError, match=r"candidate 1 \(candidates\[1\]\.id\): duplicate candidate id 1"):
        plan_expansion(make_problem(VALIDATION_TOWN, cands))


@pytest.mark.parametrize(
    ("site", "message"),
    [
        (Site(3, 9), r"site 3 \(sites\[0\]\.township_id\): unknown township 9"),
        (Site(3, 1, fixed_cost=-5), r"site 3 \(sites\[0\]\.fixed_cost\): must not be negative"),
        (Site(3, 1, fee=float("nan")), r"site 3 \(sites\[0\]\.monthly_fee\)"),
    ],
)
def test_an_invalid_site_raises_naming_it(site: Site, message: str) -> None:
    with pytest.raises(PlanInputError, match=message):
        plan_expansion(make_problem(VALIDATION_TOWN, [], [site]))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"targets": PlanTargets(puhui_share_min=1.2)}, r"targets\.puhui_share_min"),
        ({"targets": PlanTargets(slots_per_1000_min=-1)}, r"targets\.slots_per_1000_min"),
        ({"targets": PlanTargets(class_caps={"older": 20})}, r"targets\.class_caps\.infant"),
        ({"budget": -1.0}, r"problem \(budget\)"),
        ({"time_limit_seconds": 0.0}, r"time_limit_seconds"),
        ({"mip_rel_gap": -0.1}, r"mip_rel_gap"),
    ],
)
def test_invalid_settings_raise_naming_them(change: dict[str, Any], message: str) -> None:
    problem = dataclasses.replace(make_problem(VALIDATION_TOWN), **change)
    with pytest.raises(PlanInputError, match=message):
        plan_expansion(problem)


def test_coverage_pairs_out_of_range_raise() -> None:
    coverage = Coverage(np.array([1]), np.array([5.0]), np.array([0]), np.array([3]))
    problem = make_problem(VALIDATION_TOWN, [Cand(1, "expand", 10)], budget=10.0, coverage=coverage)
    with pytest.raises(PlanInputError, match=r"coverage pair 0"):
        plan_expansion(problem)


# --------------------------------------------------------------------------------------
# The planned registry
# --------------------------------------------------------------------------------------


def test_the_planned_registry_has_new_ids_above_the_old_ones_all_starting_on_the_day() -> None:
    snapshot = build_snapshot(
        ONE_TOWN,
        [Inst(10, 1, "kindergarten", public=True), Inst(11, 1, "standalone")],
        older_classes(100, 10, 40),
    )
    problem = make_problem(
        snapshot,
        [
            Cand(1, "expand", 10, "toddler", 15, max_units=3),
            Cand(2, "site_class", site=7, type="infant", slots=10, max_units=2),
            Cand(3, "designate", 11, type=None),
        ],
        [Site(7, 1, puhui=True, fee=1500), Site(8, 1)],
    )
    planned = plan_apply(problem, np.array([2, 1, 1]), np.array([True, False]))
    inst = planned.institutions
    assert inst.ids.tolist() == [10, 11, 12]
    assert codes.FORMS[int(inst.form[2])] == "community"
    assert bool(inst.public[2]) is True
    assert [str(d) for d in (inst.filed_on[2], inst.opened_on[2])] == ["2025-12-31", "2025-12-31"]
    cls = planned.classes
    assert cls.ids.tolist() == [100, 101, 102, 103, 104]
    assert cls.institution_ids.tolist()[2:] == [10, 10, 12]
    assert cls.approved_slots.tolist()[2:] == [15.0, 15.0, 10.0]
    assert {str(d) for d in cls.opened_on[2:]} == {"2025-12-31"}
    assert np.isnat(cls.closed_on[2:]).all()
    assert planned.designations.institution_ids.tolist() == [11]
    assert str(planned.designations.valid_from[0]) == "2025-12-31"
    assert np.isnat(planned.designations.valid_to[0])
    fees = planned.fees
    assert fees.institution_ids.tolist() == [12, 12, 12, 12]
    assert fees.full_day.tolist() == [1500.0] * 4


def test_the_planned_registry_rejects_classes_at_a_site_that_is_not_opened() -> None:
    problem = make_problem(build_snapshot(ONE_TOWN), [Cand(1, "site_class", site=7)], [Site(7, 1)])
    with pytest.raises(ValueError, match="candidate 1: site 7 is not opened"):
        plan_apply(problem, np.array([1]), np.array([False]))


def test_the_after_figures_are_those_of_the_planned_registry() -> None:
    problem = designation_town(600_000)
    result = plan_expansion(problem)
    again = compute_indicators(
        plan_apply(problem, result.units, result.sites_opened),
        as_of=AS_OF,
        targets=Targets(),
        certification=CertificationRules(),
    )
    assert {c: (f.numerator, f.denominator) for c, f in again.city.items()} == {
        c: (f.numerator, f.denominator) for c, f in result.after.city.items()
    }


# --------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------


def test_the_result_as_a_dict_is_json_with_figures_by_area_and_code() -> None:
    result = plan_expansion(designation_town(600_000))
    data = plan_result_as_dict(result)
    assert json.loads(json.dumps(data)) == data
    assert data["status"] == "optimal"
    assert data["total_cost"] == 600_000.0
    assert data["actions"][0]["kind"] == "designate"
    assert data["actions"][0]["reasons"][0]["code"] == "puhui_share"
    assert data["before"]["city"]["puhui_share"]["numerator"] == 100.0
    assert data["after"]["townships"]["1"]["puhui_share"]["value"] == 1.0
    assert set(plan_result_as_dict(result, townships_only=True)["after"]) == {"townships"}


def scenario() -> dict[str, Any]:
    return {
        "as_of": "2025-12-31",
        "income": 62000,
        "townships": [{"id": 1, "children_under_3": 1000, "children_under_2": 600, "population": 40000}],
        "institutions": [
            {"id": 10, "township_id": 1, "form": "kindergarten", "public": True, "filed_on": "2023-01-01"},
            {
                "id": 11,
                "township_id": 1,
                "form": "standalone",
                "filed_on": "2023-01-01",
                "designations": [{"valid_from": "2023-01-01", "valid_to": "2024-12-31"}],
            },
        ],
        "classes": [
            {"id": 100, "institution_id": 10, "class_type": "older", "approved_slots": 200},
            {"id": 101, "institution_id": 11, "class_type": "toddler", "approved_slots": 60},
        ],
        "fees": [{"institution_id": 10, "class_type": "older", "full_day": 1200}],
        "sites": [
            {
                "id": 5,
                "township_id": 1,
                "fixed_cost": 300000,
                "puhui": True,
                "monthly_fee": 1100,
                "latitude": 28.86,
                "longitude": 121.14,
            }
        ],
        "candidates": [
            {
                "id": 1,
                "kind": "kindergarten_class",
                "institution_id": 10,
                "class_type": "older",
                "slots_per_unit": 20,
                "max_units": 2,
                "unit_cost": 90000,
            },
            {
                "id": 2,
                "kind": "site_class",
                "site_id": 5,
                "class_type": "toddler",
                "slots_per_unit": 15,
                "max_units": 3,
                "unit_cost": 120000,
            },
            {"id": 3, "kind": "designate", "institution_id": 11, "unit_cost": 150000},
            {
                "id": 4,
                "kind": "expand",
                "institution_id": 11,
                "class_type": "older",
                "slots_per_unit": 20,
                "unit_cost": 80000,
            },
        ],
        "coverage": {"zones": [{"id": 7, "weight": 120, "candidate_ids": [1, 2]}, {"id": 8, "weight": 30}]},
    }


def test_a_scenario_reads_into_a_problem_and_writes_back_the_same() -> None:
    problem = problem_from_dict(scenario())
    assert problem.as_of == AS_OF
    assert problem.candidates.kind.tolist() == [0, 2, 3, 1]
    assert problem.candidates.site_ids.tolist() == [-1, 5, -1, -1]
    assert problem.candidates.class_type.tolist() == [2, 1, -1, 2]
    assert problem.snapshot.designations.institution_ids.tolist() == [11]
    assert problem.coverage is not None
    assert problem.coverage.candidate_rows.tolist() == [0, 1]
    written = problem_as_dict(problem)
    assert json.loads(json.dumps(written)) == written
    assert problem_as_dict(problem_from_dict(written)) == written
    assert written["candidates"][2] == {
        "id": 3,
        "kind": "designate",
        "institution_id": 11,
        "max_units": 1,
        "unit_cost": 150000.0,
    }


def test_a_problem_written_as_a_scenario_plans_the_same() -> None:
    problem = designation_town(600_000)
    again = problem_from_dict(json.loads(json.dumps(problem_as_dict(problem))))
    assert plan_expansion(again).units.tolist() == plan_expansion(problem).units.tolist()


def change(path: Sequence[str | int], value: Any) -> dict[str, Any]:
    """The scenario with the value at ``path`` replaced (``...`` deletes it)."""
    data = scenario()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            change(["candidates", 3, "slots_per_unit"], 25),
            "scenario.json: candidates[3].slots_per_unit: 25 exceeds the cap of 20 for older",
        ),
        (change(["candidates", 0, "institution_id"], 11), "scenario.json: candidates[0].institution_id: "),
        (
            change(["candidates", 1, "kind"], "build"),
            "scenario.json: candidates[1].kind: unknown kind 'build'",
        ),
        (
            change(["candidates", 2, "class_type"], "older"),
            "scenario.json: candidates[2].class_type: unknown key",
        ),
        (change(["candidates", 0, "unit_cost"], ...), "scenario.json: candidates[0].unit_cost: required"),
        (
            change(["candidates", 0, "unit_cost"], "9"),
            "scenario.json: candidates[0].unit_cost: expected a number",
        ),
        (change(["institutions", 0, "form"], "school"), "scenario.json: institutions[0].form: unknown code"),
        (
            change(["institutions", 0, "filed_on"], "2023-13-01"),
            "institutions[0].filed_on: expected an ISO date",
        ),
        (change(["institutions", 0, "filed_on"], ...), "scenario.json: institutions[0].filed_on: required"),
        (change(["institutions", 1, "township_id"], 4), "institutions[1].township_id: unknown township 4"),
        (change(["classes", 1, "institution_id"], 99), "classes[1].institution_id: unknown institution 99"),
        (change(["classes", 1, "id"], 100), "scenario.json: classes[1].id: duplicate class id 100"),
        (change(["sites", 0, "township_id"], 9), "scenario.json: sites[0].township_id: unknown township 9"),
        (change(["targets"], {"puhui_share_min": 2}), "scenario.json: targets.puhui_share_min: "),
        (
            change(["targets"], {"class_caps": {"older": "x"}}),
            "targets.class_caps.older: expected an integer",
        ),
        (
            change(["coverage", "zones", 0, "candidate_ids", 1], 99),
            "coverage.zones[0].candidate_ids[1]: unknown",
        ),
        (change(["coverage", "zones", 1, "weight"], -1), "coverage.zones[1].weight: -1 is below the minimum"),
        (change(["budget"], -5), "scenario.json: budget: "),
        (change(["as_of"], ...), "scenario.json: as_of: required"),
        (change(["townships"], {"id": 1}), "scenario.json: townships: expected a JSON array"),
        (change(["extra"], 1), "scenario.json: extra: unknown key"),
    ],
)
def test_a_bad_scenario_raises_naming_the_source_and_the_json_path(
    data: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError) as raised:
        problem_from_dict(data, source="scenario.json")
    assert str(raised.value).startswith("scenario.json: ")
    assert message in str(raised.value)


def test_a_scenario_that_is_not_an_object_raises() -> None:
    with pytest.raises(ValueError, match=r"scenario\.json: scenario: expected a JSON object"):
        problem_from_dict([], source="scenario.json")  # type: ignore[arg-type]
