"""Properties of the expansion planner on random small problems (hypothesis).

* the after-figures are ``compute_indicators`` on the planned registry, and they move
  from the before-figures by exactly what the planned actions add (a reference written
  straight from the definitions, one action at a time);
* a plan that is not a shortfall meets every enforced target in every township;
* raising a target never lowers the optimal cost;
* adding a candidate never raises the optimal cost (nor the least shortfall).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tuoyu.engine import codes
from tuoyu.engine.expansion import PlanProblem, PlanResult, PlanTargets, plan_apply, plan_expansion
from tuoyu.engine.indicators import ALL_CODES, MET_TOLERANCE, CertificationRules, Targets, compute_indicators
from tuoyu.engine.tests import Cls, Desig, FeeRow, Inst, Town, build_snapshot
from tuoyu.engine.tests.test_expansion import AS_OF, Cand, Site, candidates, sites

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CAPS = {"infant": 10, "toddler": 15, "older": 20, "mixed": 18}
FEASIBLE = ("optimal", "nothing_needed")


@dataclass(frozen=True)
class Case:
    """A random problem kept as records, so the reference can read them back."""

    towns: list[Town]
    institutions: list[Inst]
    classes: list[Cls]
    designations: list[Desig]
    cands: list[Cand]
    new_sites: list[Site]
    targets: PlanTargets

    def problem(self, cands: list[Cand] | None = None, targets: PlanTargets | None = None) -> PlanProblem:
        fees = [FeeRow(i.id, t, 1000.0 + 100 * k) for k, i in enumerate(self.institutions) for t in CAPS]
        snapshot = build_snapshot(self.towns, self.institutions, self.classes, self.designations, fees)
        return PlanProblem(
            snapshot=snapshot,
            as_of=AS_OF,
            targets=targets or self.targets,
            candidates=candidates(self.cands if cands is None else cands),
            sites=sites(self.new_sites),
        )

    def counted(self, inst: Inst) -> bool:
        return inst.filed is not None and str(inst.filed) <= AS_OF.isoformat() and inst.closed is None

    def puhui(self, inst: Inst) -> bool:
        return inst.public or any(d.inst == inst.id and d.valid_to is None for d in self.designations)


@st.composite
def cases(draw: st.DrawFn, extra_candidate: bool = False) -> Case:
    n_towns = draw(st.integers(1, 2))
    towns = [Town(t, under_3=draw(st.sampled_from([0, 50, 100, 200]))) for t in range(1, n_towns + 1)]
    town_ids = [t.id for t in towns]
    institutions = [
        Inst(
            10 + k,
            draw(st.sampled_from(town_ids)),
            form=draw(st.sampled_from([*codes.FORMS, "kindergarten", "kindergarten"])),
            public=draw(st.booleans()),
            filed=draw(st.sampled_from(["2024-01-01"] * 6 + ["2026-06-01", None])),
            closed=draw(st.sampled_from([None] * 6 + ["2025-06-01"])),
        )
        for k in range(draw(st.integers(0, 5)))
    ]
    designations = [
        Desig(i.id, "2024-01-01", draw(st.sampled_from([None, "2025-06-30"])))
        for i in institutions
        if not i.public and draw(st.booleans())
    ]
    class_types = st.sampled_from(codes.CLASS_TYPES)
    classes: list[Cls] = []
    for i in institutions:
        for _ in range(draw(st.integers(0, 3))):
            class_type = draw(class_types)
            classes.append(Cls(100 + len(classes), i.id, class_type, draw(st.integers(0, CAPS[class_type]))))
    new_sites = [
        Site(
            50 + k,
            draw(st.sampled_from(town_ids)),
            fixed_cost=draw(st.integers(0, 200)),
            puhui=draw(st.booleans()),
            fee=draw(st.integers(500, 2000)),
        )
        for k in range(draw(st.integers(0, 2)))
    ]
    case = Case(towns, institutions, classes, designations, [], new_sites, PlanTargets())
    open_ones = [i for i in institutions if case.counted(i)]
    kindergartens = [i for i in open_ones if i.form == "kindergarten"]
    designable = [i for i in open_ones if not case.puhui(i)]
    cands: list[Cand] = []
    designated: set[int] = set()
    # Most townships get a public kindergarten with room for 托班 classes, so that
    # plans meeting every target are common.
    for town in town_ids:
        if draw(st.integers(0, 3)):
            inst = Inst(30 + town, town, "kindergarten", public=True)
            institutions.append(inst)
            class_type = draw(st.sampled_from(["toddler", "older"]))
            cands.append(
                Cand(
                    90 + town,
                    "kindergarten_class",
                    inst.id,
                    class_type,
                    CAPS[class_type],
                    5,
                    draw(st.integers(1, 100)),
                )
            )
    for k in range(draw(st.integers(0, 10)) + (1 if extra_candidate else 0)):
        kinds = ["expand"] * bool(open_ones) + ["kindergarten_class"] * bool(kindergartens)
        kinds += ["site_class"] * bool(new_sites) + ["designate"] * bool(
            set(i.id for i in designable) - designated
        )
        if not kinds:
            break
        kind = draw(st.sampled_from(kinds))
        class_type = draw(class_types)
        common = {
            "slots": draw(st.integers(1, CAPS[class_type])),
            "max_units": draw(st.integers(0, 5)),
            "cost": draw(st.integers(1, 100)),
        }
        if kind == "site_class":
            site = draw(st.sampled_from(new_sites))
            cands.append(Cand(k + 1, kind, type=class_type, site=site.id, **common))
        elif kind == "designate":
            inst = draw(st.sampled_from([i for i in designable if i.id not in designated]))
            designated.add(inst.id)
            cands.append(Cand(k + 1, kind, inst.id, type=None, cost=common["cost"]))
        else:
            inst = draw(st.sampled_from(kindergartens if kind == "kindergarten_class" else open_ones))
            cands.append(Cand(k + 1, kind, inst.id, class_type, **common))
    targets = PlanTargets(
        slots_per_1000_min=draw(st.sampled_from([0.0, 100.0, 280.0])),
        kindergarten_share_min=draw(st.sampled_from([0.0, 0.3, 0.65])),
        puhui_share_min=draw(st.sampled_from([0.0, 0.5, 0.9])),
        young_infant_share_min=draw(st.sampled_from([None, None, 0.2])),
    )
    return dataclasses.replace(case, cands=cands, targets=targets)


def solve(case: Case, cands: list[Cand] | None = None, targets: PlanTargets | None = None) -> PlanResult:
    return plan_expansion(case.problem(cands, targets))


def added_by_plan(case: Case, result: PlanResult) -> dict[int, dict[str, float]]:
    """Slots the plan adds per township and numerator, one action at a time."""
    institutions = {i.id: i for i in case.institutions}
    site_town = {s.id: s.town for s in case.new_sites}
    site_puhui = {s.id: s.puhui for s in case.new_sites}
    units = dict(zip([c.id for c in case.cands], result.units.tolist(), strict=True))
    designated = {c.inst for c in case.cands if c.kind == "designate" and units[c.id] > 0}
    added: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for c in case.cands:
        n = units[c.id]
        if n == 0:
            continue
        if c.kind == "designate":
            inst = institutions[c.inst]
            existing = sum(k.slots for k in case.classes if k.inst == inst.id)
            added[inst.town]["puhui_share"] += existing
            continue
        slots = c.slots * n
        if c.kind == "site_class":
            town, kindergarten, puhui = site_town[c.site], False, site_puhui[c.site]
        else:
            inst = institutions[c.inst]
            town, kindergarten = inst.town, inst.form == "kindergarten"
            puhui = case.puhui(inst) or inst.id in designated
        added[town]["slots_per_1000"] += slots
        added[town]["kindergarten_share"] += slots if kindergarten else 0.0
        added[town]["puhui_share"] += slots if puhui else 0.0
        added[town]["young_infant_share"] += slots if c.type in codes.YOUNG_INFANT_CLASS_TYPES else 0.0
    return added


@given(cases())
@PROPERTY_SETTINGS
def test_the_after_figures_are_the_indicators_of_the_planned_registry(case: Case) -> None:
    problem = case.problem()
    result = plan_expansion(problem)
    again = compute_indicators(
        plan_apply(problem, result.units, result.sites_opened),
        as_of=AS_OF,
        targets=Targets(
            slots_per_1000_min=case.targets.slots_per_1000_min,
            kindergarten_share_min=case.targets.kindergarten_share_min,
            puhui_share_min=case.targets.puhui_share_min,
        ),
        certification=CertificationRules(),
    )
    areas = [(result.after.city, again.city)]
    areas += [(result.after.townships[t], again.townships[t]) for t in again.townships]
    for reported, recomputed in areas:
        for code in ALL_CODES:
            assert (reported[code].numerator, reported[code].denominator, reported[code].met) == (
                recomputed[code].numerator,
                recomputed[code].denominator,
                recomputed[code].met,
            )


@given(cases())
@PROPERTY_SETTINGS
def test_the_plan_adds_exactly_what_its_actions_add(case: Case) -> None:
    result = solve(case)
    added = added_by_plan(case, result)
    for town in case.towns:
        for code in ("slots_per_1000", "kindergarten_share", "puhui_share", "young_infant_share"):
            change = (
                result.after.townships[town.id][code].numerator
                - result.before.townships[town.id][code].numerator
            )
            assert abs(change - added[town.id][code]) < 1e-9


@given(cases())
@PROPERTY_SETTINGS
def test_a_plan_that_is_not_a_shortfall_meets_every_target_in_every_township(case: Case) -> None:
    result = solve(case)
    thresholds = {
        "slots_per_1000": case.targets.slots_per_1000_min,
        "kindergarten_share": case.targets.kindergarten_share_min,
        "puhui_share": case.targets.puhui_share_min,
        "young_infant_share": case.targets.young_infant_share_min,
    }

    def misses(value: float | None, threshold: float | None) -> bool:
        return threshold is not None and value is not None and value < threshold - MET_TOLERANCE

    missed = [
        (town, code)
        for town, figures in result.after.townships.items()
        for code, threshold in thresholds.items()
        if misses(figures[code].value, threshold)
    ]
    if result.status in FEASIBLE:
        assert missed == []
        assert result.shortfalls == ()
    else:
        assert result.status == "shortfall"
        assert missed
        assert {(s.township_id, s.code) for s in result.shortfalls if s.township_id is not None} == set(
            missed
        )
    assert all(0 <= u <= c.max_units for u, c in zip(result.units.tolist(), case.cands, strict=True))


@given(
    cases(), st.sampled_from(["slots", "kindergarten", "puhui", "young"]), st.sampled_from([0.05, 0.2, 0.5])
)
@PROPERTY_SETTINGS
def test_raising_a_target_never_lowers_the_optimal_cost(case: Case, which: str, step: float) -> None:
    t = case.targets
    if which == "slots":
        raised = dataclasses.replace(t, slots_per_1000_min=t.slots_per_1000_min + 1000 * step)
    elif which == "kindergarten":
        raised = dataclasses.replace(t, kindergarten_share_min=min(t.kindergarten_share_min + step, 1.0))
    elif which == "puhui":
        raised = dataclasses.replace(t, puhui_share_min=min(t.puhui_share_min + step, 1.0))
    else:
        young = t.young_infant_share_min
        raised = dataclasses.replace(
            t, young_infant_share_min=step if young is None else min(young + step, 1.0)
        )
    low, high = solve(case), solve(case, targets=raised)
    if low.status not in FEASIBLE:
        assert high.status == "shortfall"
    elif high.status in FEASIBLE:
        assert high.total_cost >= low.total_cost - 1e-6


# A township short of places whose only candidate is a non-普惠 slot: taking it closes one
# place and opens a 普惠-share gap of 9 slots; places come first, so it is taken.
ONE_NON_PUHUI_SLOT = Case(
    towns=[Town(1, under_3=50), Town(2, under_3=0)],
    institutions=[Inst(10, 1, "kindergarten", public=False)],
    classes=[],
    designations=[],
    cands=[Cand(1, "expand", 10, type="infant", slots=1, max_units=1, cost=1)],
    new_sites=[],
    targets=PlanTargets(slots_per_1000_min=100.0, kindergarten_share_min=0.0, puhui_share_min=0.9),
)


@given(cases(extra_candidate=True))
@example(case=ONE_NON_PUHUI_SLOT)
@PROPERTY_SETTINGS
def test_adding_a_candidate_never_raises_the_optimal_cost(case: Case) -> None:
    without, with_it = solve(case, case.cands[:-1]), solve(case)
    if without.status in FEASIBLE:
        assert with_it.status in FEASIBLE
        assert with_it.total_cost <= without.total_cost + 1e-6
    elif with_it.status == "shortfall":
        # Places come first, then the shares' slots: the pair never gets worse.
        places_with, shares_with = missing(with_it)
        places_without, shares_without = missing(without)
        assert places_with <= places_without + 1e-6
        if places_with >= places_without - 1e-6:
            assert shares_with <= shares_without + 1e-6


def missing(result: PlanResult) -> tuple[float, float]:
    """Slots the townships still miss: places (slots per 1,000), then the shares' slots."""
    places = sum(
        s.missing_slots for s in result.shortfalls if s.township_id is not None and s.code == "slots_per_1000"
    )
    shares = sum(
        s.missing_slots for s in result.shortfalls if s.township_id is not None and s.code != "slots_per_1000"
    )
    return places, shares


def test_the_random_problems_cover_every_status_and_kind() -> None:
    seen_status: set[str] = set()
    seen_kind: set[str] = set()

    @given(cases())
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
    def collect(case: Case) -> None:
        result = solve(case)
        seen_status.add(result.status)
        seen_kind.update(a.kind for a in result.actions)

    collect()
    assert {"optimal", "nothing_needed", "shortfall"} <= seen_status
    assert {"expand", "kindergarten_class", "site_class", "designate", "open_site"} <= seen_kind
