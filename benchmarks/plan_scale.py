"""Solve time and memory of the expansion planner at province size and at Linhai size.

Run from the project root (no database, no Django)::

    .venv/bin/python benchmarks/plan_scale.py            # both instances
    .venv/bin/python benchmarks/plan_scale.py --linhai-only

Both instances come from one deterministic generator (``--seed``, default 2025):

* province: 1,500 townships, about 18,000 institutions and 20,000 candidate actions of
  all four kinds (托班 classes in kindergartens, classes added to existing institutions,
  classes at about 2,100 new community sites, 普惠 designations), most townships starting
  below the slots, kindergarten or 普惠 targets; solved with ``mip_rel_gap=0.01`` and a
  60 s time limit. Goal: within 1 % of optimal in under 60 s;
* Linhai: 19 townships, 136 institutions, 300 candidates, solved to proven optimality
  (``mip_rel_gap=0``). Goal: well under 2 s.

As can happen with real candidate lists, a few townships (about 1 % of them) cannot
reach the kindergarten share with the candidates they have: their plan is then the
minimum-shortfall plan and the status ``"shortfall"``; the other townships get their
cheapest plan. The gap shown is that of the total cost.

Printed per instance: status, gap, cost, solve seconds, model size, and peak memory as
two figures: the tracemalloc peak of Python allocations (numpy arrays included) during
the solve, and the process's maximum resident set size (``ru_maxrss``, which includes
the solver's own C++ memory) so far. Anything the solver's native code prints goes to
standard error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tuoyu.engine import codes
from tuoyu.engine.cli.plan import solver_output_to_stderr
from tuoyu.engine.expansion import (
    ACTION_KINDS,
    Candidates,
    NewSites,
    PlanProblem,
    PlanResult,
    PlanTargets,
    plan_expansion,
)
from tuoyu.engine.indicators import (
    Certificates,
    Classes,
    Designations,
    Employments,
    Fees,
    Institutions,
    RegistrySnapshot,
    Townships,
)

AS_OF = dt.date(2025, 12, 31)
CAPS = np.array([10.0, 15.0, 20.0, 18.0])  # infant, toddler, older, mixed
FORM_SHARES = {"kindergarten": 0.50, "standalone": 0.20, "community": 0.15, "employer": 0.08, "family": 0.07}
PUBLIC_SHARES = {"kindergarten": 0.60, "standalone": 0.10, "community": 0.50, "employer": 0.10, "family": 0.0}
FORM_WEIGHTS = {"kindergarten": 2.0, "standalone": 1.0, "community": 1.0, "employer": 1.0, "family": 0.5}
CLASS_TYPE_SHARES = np.array([0.10, 0.30, 0.45, 0.15])


@dataclass(frozen=True)
class Size:
    name: str
    townships: int
    institutions: int
    candidates: int
    sites_per_township: float
    mip_rel_gap: float


PROVINCE = Size("province", 1_500, 18_000, 20_000, 1.4, 0.01)
LINHAI = Size("linhai", 19, 136, 300, 1.5, 0.0)


def _days(rng: np.random.Generator, start: str, end: str, n: int) -> np.ndarray:
    first, last = np.datetime64(start, "D"), np.datetime64(end, "D")
    span = int((last - first).astype(np.int64))
    return first + rng.integers(0, span + 1, size=n).astype("timedelta64[D]")


def generate(size: Size, seed: int) -> PlanProblem:
    """A synthetic registry and candidate set of ``size``; the same seed gives the same problem."""
    rng = np.random.default_rng(seed)
    n_towns = size.townships
    town_ids = np.arange(1, n_towns + 1, dtype=np.int64)
    under_3 = np.clip(np.rint(rng.lognormal(np.log(900), 0.45, n_towns)), 80, 6000)
    townships = Townships(
        ids=town_ids,
        children_under_3=under_3,
        children_under_2=np.rint(under_3 * 0.62),
        population=np.rint(under_3 * rng.uniform(30, 45, n_towns)),
    )

    # Institutions: at least three per township, the rest spread in proportion to the children.
    n_inst = size.institutions
    inst_town = np.sort(
        np.concatenate(
            [
                np.repeat(np.arange(n_towns), 3),
                rng.choice(n_towns, n_inst - 3 * n_towns, p=under_3 / under_3.sum()),
            ]
        )
    )
    forms = list(FORM_SHARES)
    form = rng.choice(len(forms), size=n_inst, p=list(FORM_SHARES.values())).astype(np.int8)
    public = rng.random(n_inst) < np.array([PUBLIC_SHARES[f] for f in forms])[form]
    filed = _days(rng, "2019-01-01", "2025-06-30", n_inst)
    filed[rng.random(n_inst) < 0.04] = np.datetime64("NaT")
    closed = np.full(n_inst, np.datetime64("NaT"), dtype="datetime64[D]")
    closed[rng.random(n_inst) < 0.02] = np.datetime64("2025-03-01")
    # Every township has a public central kindergarten (中心幼儿园), filed and open.
    central = np.searchsorted(inst_town, np.arange(n_towns))
    form[central] = forms.index("kindergarten")
    public[central] = True
    filed[central] = np.datetime64("2019-09-01")
    closed[central] = np.datetime64("NaT")
    inst_ids = np.arange(1, n_inst + 1, dtype=np.int64)
    institutions = Institutions(
        ids=inst_ids,
        township_ids=town_ids[inst_town],
        form=form,
        public=public,
        filed_on=filed,
        opened_on=(filed - np.timedelta64(30, "D")).astype("datetime64[D]"),
        closed_on=closed,
    )
    counted = ~np.isnat(filed) & np.isnat(closed)
    private = np.flatnonzero(~public)
    designated_rows = private[rng.random(private.size) < 0.7]
    expired = rng.random(designated_rows.size) < 0.08
    designations = Designations(
        institution_ids=inst_ids[designated_rows],
        valid_from=np.full(designated_rows.size, np.datetime64("2023-01-01", "D")),
        valid_to=np.where(expired, np.datetime64("2024-12-31", "D"), np.datetime64("NaT", "D")),
    )
    puhui = public.copy()
    puhui[designated_rows[~expired]] = True

    # Classes: each township starts at 55-115 % of the slots target.
    first_inst = np.searchsorted(inst_town, np.arange(n_towns))
    wanted_slots = 0.28 * under_3 * rng.uniform(0.55, 1.15, n_towns)
    n_classes = np.maximum(np.rint(wanted_slots / 15.0).astype(np.int64), 1)
    class_town = np.repeat(np.arange(n_towns), n_classes)
    # Kindergartens run more of the classes, family points fewer.
    weight = np.array([FORM_WEIGHTS[f] for f in forms])[form] * counted
    cumulative = np.cumsum(weight)
    town_start = np.concatenate([[0.0], cumulative])[first_inst]
    town_weight = np.bincount(inst_town, weights=weight, minlength=n_towns)
    draw = town_start[class_town] + rng.random(class_town.size) * town_weight[class_town]
    class_inst = np.minimum(np.searchsorted(cumulative, draw, side="right"), n_inst - 1)
    class_type = rng.choice(4, size=class_inst.size, p=CLASS_TYPE_SHARES).astype(np.int8)
    family = form[class_inst] == forms.index("family")
    class_type[family] = codes.CLASS_TYPES.index("mixed")
    slots = np.where(family, 5.0, np.floor(CAPS[class_type] * rng.uniform(0.7, 1.0, class_inst.size)))
    classes = Classes(
        ids=np.arange(1, class_inst.size + 1, dtype=np.int64),
        institution_ids=inst_ids[class_inst],
        class_type=class_type,
        approved_slots=slots,
        opened_on=np.full(class_inst.size, np.datetime64("2024-09-01", "D")),
        closed_on=np.full(class_inst.size, np.datetime64("NaT", "D")),
    )
    fee_type = np.tile(np.arange(4, dtype=np.int8), n_inst)
    fees = Fees(
        institution_ids=np.repeat(inst_ids, 4),
        class_type=fee_type,
        full_day=np.repeat(np.rint(rng.uniform(800, 2400, n_inst)), 4),
        effective_from=np.full(4 * n_inst, np.datetime64("2024-01-01", "D")),
        effective_to=np.full(4 * n_inst, np.datetime64("NaT", "D")),
    )
    days = np.zeros(0, dtype="datetime64[D]")
    empty = np.zeros(0, dtype=np.int64)
    snapshot = RegistrySnapshot(
        townships=townships,
        institutions=institutions,
        designations=designations,
        classes=classes,
        fees=fees,
        employments=Employments(empty, empty, empty, np.zeros(0, dtype=np.int8), days, days),
        certificates=Certificates(empty, np.zeros(0, dtype=np.int8), days, days),
        annual_income_previous_year=62_000.0,
        catalog_items_published=1,
    )

    # New community sites: at least one per township, the rest where the children are.
    n_sites = round(size.sites_per_township * n_towns)
    site_town = np.concatenate(
        [np.arange(n_towns), rng.choice(n_towns, n_sites - n_towns, p=under_3 / under_3.sum())]
    )
    sites = NewSites(
        ids=np.arange(1, n_sites + 1, dtype=np.int64),
        township_ids=town_ids[site_town],
        fixed_cost=np.rint(rng.uniform(100_000, 500_000, n_sites) / 1000) * 1000,
        puhui=rng.random(n_sites) < 0.9,
        monthly_fee=np.rint(rng.uniform(900, 1800, n_sites)),
        latitude=rng.uniform(27.0, 31.0, n_sites),
        longitude=rng.uniform(118.0, 122.5, n_sites),
    )

    # Candidates: two class types per site, one designation per eligible 民办 institution
    # (up to a tenth of the candidates), a quarter kindergarten classes, the rest expansions.
    n = size.candidates
    site_rows = np.repeat(np.arange(n_sites), 2)
    eligible = np.flatnonzero(counted & ~puhui)
    designate_rows = rng.permutation(eligible)[: n // 6]
    kindergartens = np.flatnonzero(counted & (form == forms.index("kindergarten")))
    builders = np.flatnonzero(counted & (form != forms.index("family")))
    n_kg = int(n * 0.3)
    n_expand = n - site_rows.size - designate_rows.size - n_kg
    kg_rows = np.concatenate([central, rng.choice(kindergartens, n_kg - n_towns)])
    expand_rows = rng.choice(builders, n_expand)
    kind = np.concatenate(
        [
            np.full(n_kg, ACTION_KINDS.index("kindergarten_class")),
            np.full(n_expand, ACTION_KINDS.index("expand")),
            np.full(site_rows.size, ACTION_KINDS.index("site_class")),
            np.full(designate_rows.size, ACTION_KINDS.index("designate")),
        ]
    ).astype(np.int8)
    inst_rows = np.concatenate([kg_rows, expand_rows, np.full(site_rows.size, -1), designate_rows])
    builds = np.concatenate([kg_rows, expand_rows]).size + site_rows.size
    ctype = np.concatenate(
        [
            rng.choice([1, 2, 3], n_kg, p=[0.3, 0.5, 0.2]),
            rng.choice(4, n_expand, p=CLASS_TYPE_SHARES),
            np.tile([1, 2], n_sites),
            np.full(designate_rows.size, -1),
        ]
    ).astype(np.int8)
    slots_per_unit = np.where(np.arange(kind.size) < builds, CAPS[np.maximum(ctype, 0)], 0.0)
    existing = np.bincount(class_inst, weights=slots, minlength=n_inst)
    unit_cost = np.concatenate(
        [
            rng.uniform(60_000, 160_000, n_kg),
            rng.uniform(70_000, 250_000, n_expand),
            rng.uniform(50_000, 150_000, site_rows.size),
            existing[designate_rows] * rng.uniform(2_000, 5_000, designate_rows.size) + 20_000,
        ]
    )
    max_units = np.concatenate(
        [
            # Central kindergartens: rooms freed by falling births, more in bigger townships.
            np.maximum(np.rint(under_3 * 0.01), rng.integers(5, 11, n_towns)).astype(np.int64),
            rng.integers(2, 6, n_kg - n_towns),
            rng.integers(1, 5, n_expand),
            rng.integers(2, 7, site_rows.size),
            np.ones(designate_rows.size, dtype=np.int64),
        ]
    )
    candidates = Candidates(
        ids=np.arange(1, kind.size + 1, dtype=np.int64),
        kind=kind,
        institution_ids=np.where(inst_rows >= 0, inst_ids[np.maximum(inst_rows, 0)], -1),
        site_ids=np.concatenate(
            [np.full(n_kg + n_expand, -1), sites.ids[site_rows], np.full(designate_rows.size, -1)]
        ),
        class_type=ctype,
        slots_per_unit=slots_per_unit,
        max_units=max_units.astype(np.int64),
        unit_cost=np.rint(unit_cost / 100) * 100,
    )
    return PlanProblem(
        snapshot=snapshot,
        as_of=AS_OF,
        targets=PlanTargets(),
        candidates=candidates,
        sites=sites,
        time_limit_seconds=60.0,
        mip_rel_gap=size.mip_rel_gap,
    )


def _describe(problem: PlanProblem) -> str:
    kinds = np.bincount(np.asarray(problem.candidates.kind, dtype=np.int64), minlength=len(ACTION_KINDS))
    by_kind = ", ".join(f"{k} {c:,}" for k, c in zip(ACTION_KINDS, kinds.tolist(), strict=True))
    snap = problem.snapshot
    return (
        f"{snap.townships.ids.size:,} townships, {snap.institutions.ids.size:,} institutions, "
        f"{snap.classes.ids.size:,} classes, {problem.sites.ids.size:,} candidate sites, "
        f"{problem.candidates.ids.size:,} candidate actions ({by_kind})"
    )


def _report(size: Size, problem: PlanProblem, result: PlanResult, wall: float, peak: int) -> None:
    before = sum(1 for t in result.before.townships.values() if t["slots_per_1000"].met is False)
    kg_before = sum(1 for t in result.before.townships.values() if t["kindergarten_share"].met is False)
    puhui_before = sum(1 for t in result.before.townships.values() if t["puhui_share"].met is False)
    gap = "n/a" if result.mip_gap is None else f"{100 * result.mip_gap:.3f} %"
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{size.name} (mip_rel_gap={size.mip_rel_gap:g}, time limit {problem.time_limit_seconds:g} s)")
    print(f"  instance: {_describe(problem)}")
    print(
        f"  townships below target before: slots {before:,}, kindergarten share {kg_before:,}, "
        f"普惠 share {puhui_before:,}"
    )
    proven = "yes" if result.proven_optimal else "no"
    print(
        f"  status: {result.status}   gap: {gap}   proven optimal: {proven}   "
        f"cost: {result.total_cost:,.0f} CNY"
    )
    print(f"  solver: {result.solver_message}")
    print(f"  solve: {result.solve_seconds:.2f} s (plan_expansion wall time {wall:.2f} s)")
    print(
        f"  model: {result.variables:,} variables ({result.integer_variables:,} integer), "
        f"{result.constraints:,} constraints, {result.nonzeros:,} nonzeros, "
        f"{result.solver_calls:,} solver call(s)"
    )
    kinds = Counter(action.kind for action in result.actions)
    by_kind = ", ".join(f"{kind} {count:,}" for kind, count in sorted(kinds.items()))
    print(
        f"  plan: {len(result.actions):,} actions ({by_kind}), "
        f"{int(result.units.sum()):,} units; {len(result.shortfalls)} shortfall(s) after"
    )
    print(f"  peak memory: tracemalloc {peak / 2**20:.1f} MiB (Python allocations during the solve)")
    print(f"               ru_maxrss {rss_mb:.1f} MiB (whole process so far)")


def run(size: Size, seed: int) -> PlanResult:
    problem = generate(size, seed)
    tracemalloc.start()
    started = time.perf_counter()
    with solver_output_to_stderr():
        result = plan_expansion(problem)
    wall = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    _report(size, problem, result, wall, peak)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--linhai-only", action="store_true", help="skip the province-size instance")
    args = parser.parse_args()
    run(LINHAI, args.seed)
    if not args.linhai_only:
        print()
        run(PROVINCE, args.seed)


if __name__ == "__main__":
    main()
