"""The expansion planner's mixed-integer programme, built with scipy.sparse and solved by
HiGHS through :func:`scipy.optimize.milp`.

Variables: integer units ``u`` per candidate (0/1 for designate), binary site openings
``o``, and for every action at a 民办 non-普惠 institution that has a designate candidate
a continuous ``w = u * z`` (``z`` the designation), linearised exactly by
``w <= u``, ``w <= M z`` and ``w >= u - M (1 - z)``. A site_class action needs its site:
``u <= max_units * o``.

Target rows, one per enforced code and township (``row = code * n_towns + town``), all in
slots and of the form ``contribution >= rhs``:

* slots: ``sum s_a u_a >= t * children / 1000 - S0``;
* a share with threshold ``t`` and numerator flag ``q_a``:
  ``sum (q_a - t) s_a u_a [+ sum s_a w_a + sum B_d z_d for 普惠] >= t * S0 - N0``.

The citywide rows are sums of the township rows, so they hold whenever every township's
does. The minimum-shortfall form adds a slack per row, scaled so that it counts the slots
of the right kind still missing.

Every variable and row of the cost form belongs to exactly one township, so the cost form
is solved township by township (:class:`Partition`), and only for the townships that miss
a target: the optimum of the whole is the sum of the townships' optima, and a plan within
the relative gap in every township is within it overall. A township with no plan meeting
its targets gets the minimum-shortfall phases on its own: least missing places (slots per
1,000), then least missing slots of the shares at that, then least cost at both; across
townships this is the same as bounding the total missing slots by its minimum. Places
come first because a share's shortfall counts against every place added: minimising the
sum alone would leave a township without a kindergarten with no places at all. The budget
couples the townships, so the budget form is solved as one model.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from tuoyu.engine.expansion_model import SITE_CLASS, PreparedProblem
from tuoyu.engine.indicators import BoolArray, FloatArray, IntArray

OPTIMAL_GAP = 1e-9
"""A solver gap at or below this counts as proven optimal."""

RHS_NOISE = 1e-9
"""Right-hand sides closer to zero than this (in slots) are floating-point noise: zero."""

SOLVED, TIME_LIMIT, INFEASIBLE = 0, 1, 2  # scipy.optimize.milp status codes
_SECONDS_KEPT_PER_TOWNSHIP = 0.005  # of the time limit, for the townships still to solve


@dataclass(frozen=True)
class TargetRows:
    """The target rows: ``units_matrix @ u + w_matrix @ w >= rhs``."""

    units_matrix: sp.csr_array  # (rows, candidates)
    w_matrix: sp.csr_array  # (rows, w columns)
    w_candidates: IntArray  # candidate row of each w column
    rhs: FloatArray
    scale: FloatArray  # slots of the counted kind missing per slot of row deficit (inverse)
    code: IntArray  # position in prep.codes, per row
    town: IntArray  # township row, per row


@dataclass(frozen=True)
class Model:
    """``min c @ x`` subject to ``lower <= matrix @ x <= upper`` and the bounds.

    ``col_part``/``row_part`` give the township row of every column and row when the
    model separates by township.
    """

    c: FloatArray
    integrality: IntArray
    lb: FloatArray
    ub: FloatArray
    matrix: sp.csr_array
    lower: FloatArray
    upper: FloatArray
    col_part: IntArray | None = None
    row_part: IntArray | None = None


@dataclass(frozen=True)
class Solution:
    status: int
    message: str
    x: FloatArray | None
    fun: float | None
    gap: float | None
    dual_bound: float | None


@dataclass(frozen=True)
class Outcome:
    """What the solver phases decided."""

    status: str
    message: str
    gap: float | None
    units: IntArray
    opened: BoolArray
    objective: float
    calls: int
    model: Model | None
    proven: bool = False  # every solver call ended optimal within OPTIMAL_GAP (or the gap asked, if 0)


def target_rows(prep: PreparedProblem) -> TargetRows:
    """The target rows of ``prep`` (see the module docstring)."""
    n, n_towns = prep.kind.size, prep.town_ids.size
    rows, cols, vals, rhs, scale = [], [], [], [], []
    cand = np.arange(n)
    w_candidates = np.flatnonzero(prep.designator >= 0) if "puhui_share" in prep.codes else np.zeros(0, int)
    w_rows, w_cols, w_vals = [], [], []
    for j, code in enumerate(prep.codes):
        threshold = float(prep.thresholds[j])
        if code == "slots_per_1000":
            coef = prep.slots
            rhs.append(threshold * prep.children / 1000.0 - prep.slots_before)
        else:
            coef = (prep.numerator_flags(code).astype(np.float64) - threshold) * prep.slots
            rhs.append(threshold * prep.slots_before - prep.baseline[j])
        if code == "puhui_share":
            coef = coef + prep.existing
            w_rows.append(j * n_towns + prep.town[w_candidates])
            w_cols.append(np.arange(w_candidates.size))
            w_vals.append(prep.slots[w_candidates])
        nz = coef != 0
        rows.append(j * n_towns + prep.town[nz])
        cols.append(cand[nz])
        vals.append(coef[nz])
        scale.append(np.full(n_towns, prep.missing_scale(code)))
    n_rows = len(prep.codes) * n_towns

    def matrix(r: list[IntArray], c: list[IntArray], v: list[FloatArray], width: int) -> sp.csr_array:
        if not r:
            return sp.csr_array((n_rows, width))
        return sp.csr_array(
            (np.concatenate(v), (np.concatenate(r), np.concatenate(c))), shape=(n_rows, width)
        )

    all_rhs = np.concatenate(rhs) if rhs else np.zeros(0)
    all_rhs[np.abs(all_rhs) < RHS_NOISE] = 0.0
    return TargetRows(
        units_matrix=matrix(rows, cols, vals, n),
        w_matrix=matrix(w_rows, w_cols, w_vals, w_candidates.size),
        w_candidates=w_candidates,
        rhs=all_rhs,
        scale=np.concatenate(scale) if scale else np.zeros(0),
        code=np.repeat(np.arange(len(prep.codes)), n_towns),
        town=np.tile(np.arange(n_towns), len(prep.codes)),
    )


class _Rows:
    """Constraint rows collected as coordinate triplets, stacked into one CSR matrix."""

    def __init__(self, n_columns: int) -> None:
        self.n_columns = n_columns
        self.n_rows = 0
        self.rows: list[IntArray] = []
        self.cols: list[IntArray] = []
        self.vals: list[FloatArray] = []
        self.lower: list[FloatArray] = []
        self.upper: list[FloatArray] = []
        self.part: list[IntArray] = []

    def add(self, matrix: sp.csr_array, lower: FloatArray, upper: FloatArray, part: IntArray) -> None:
        """Rows ``lower <= matrix @ x <= upper``."""
        coo = sp.coo_array(matrix)
        self.add_triplets(coo.row, coo.col, coo.data, lower, upper, part)

    def add_triplets(
        self,
        rows: IntArray,
        cols: IntArray,
        vals: FloatArray,
        lower: FloatArray,
        upper: FloatArray,
        part: IntArray | None = None,
    ) -> None:
        """Rows given as triplets, ``rows`` counted from the first new row."""
        self.rows.append(np.asarray(rows, dtype=np.int64) + self.n_rows)
        self.cols.append(np.asarray(cols, dtype=np.int64))
        self.vals.append(np.asarray(vals, dtype=np.float64))
        self.lower.append(np.asarray(lower, dtype=np.float64))
        self.upper.append(np.asarray(upper, dtype=np.float64))
        self.part.append(np.zeros(len(lower), dtype=np.int64) if part is None else np.asarray(part, np.int64))
        self.n_rows += len(lower)

    def model(
        self,
        c: FloatArray,
        integrality: IntArray,
        lb: FloatArray,
        ub: FloatArray,
        col_part: IntArray | None = None,
    ) -> Model:
        if self.rows:
            matrix = sp.csr_array(
                (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols))),
                shape=(self.n_rows, self.n_columns),
            )
            lower, upper = np.concatenate(self.lower), np.concatenate(self.upper)
            row_part = np.concatenate(self.part)
        else:
            matrix = sp.csr_array((0, self.n_columns))
            lower = upper = np.zeros(0)
            row_part = np.zeros(0, dtype=np.int64)
        return Model(
            c, integrality, lb, ub, matrix, lower, upper, col_part, row_part if col_part is not None else None
        )


def _site_links(prep: PreparedProblem, rows: _Rows, site_offset: int) -> None:
    """``u_a - max_a * o_s <= 0`` for every site_class candidate ``a`` of site ``s``, and
    ``sum_a u_a - M_s * o_s <= 0`` per site with a limit ``M_s`` on its classes in all."""
    cand = np.flatnonzero(prep.kind == SITE_CLASS)
    k = np.arange(cand.size)
    rows.add_triplets(
        np.concatenate([k, k]),
        np.concatenate([cand, site_offset + prep.site[cand]]),
        np.concatenate([np.ones(cand.size), -prep.max_units[cand].astype(np.float64)]),
        np.full(cand.size, -np.inf),
        np.zeros(cand.size),
        prep.town[cand],
    )
    limited = np.flatnonzero(np.isfinite(prep.site_max_units))
    if not limited.size:
        return
    row_of_site = np.full(prep.site_max_units.size, -1, dtype=np.int64)
    row_of_site[limited] = np.arange(limited.size)
    member = cand[row_of_site[prep.site[cand]] >= 0]
    rows.add_triplets(
        np.concatenate([row_of_site[prep.site[member]], np.arange(limited.size)]),
        np.concatenate([member, site_offset + limited]),
        np.concatenate([np.ones(member.size), -prep.site_max_units[limited]]),
        np.full(limited.size, -np.inf),
        np.zeros(limited.size),
        prep.site_town[limited],
    )


def cost_model(prep: PreparedProblem, targets: TargetRows, *, slack: bool) -> Model:
    """Minimum cost subject to the target rows, split by township (``col_part``,
    ``row_part``); with ``slack`` the rows may fall short: slack columns come last,
    costless, and :func:`slack_columns` finds them."""
    n, n_sites, n_w = prep.kind.size, prep.site_cost.size, targets.w_candidates.size
    n_rows = targets.rhs.size
    n_slack = n_rows if slack else 0
    site_offset, w_offset = n, n + n_sites
    n_columns = w_offset + n_w + n_slack
    rows = _Rows(n_columns)
    blocks = [targets.units_matrix, sp.csr_array((n_rows, n_sites)), targets.w_matrix]
    if slack:
        blocks.append(sp.diags_array(targets.scale, format="csr"))
    rows.add(sp.hstack(blocks, format="csr"), targets.rhs, np.full(n_rows, np.inf), targets.town)
    _site_links(prep, rows, site_offset)

    # w = u * z: w <= u; w <= M z; w >= u - M (1 - z).
    a = targets.w_candidates
    d = prep.designator[a]
    big = prep.max_units[a].astype(np.float64)
    k = np.arange(a.size)
    w_col = w_offset + k
    ones = np.ones(a.size)
    rows.add_triplets(
        np.concatenate([k, k, a.size + k, a.size + k, 2 * a.size + k, 2 * a.size + k, 2 * a.size + k]),
        np.concatenate([w_col, a, w_col, d, w_col, a, d]),
        np.concatenate([ones, -ones, ones, -big, ones, -ones, -big]),
        np.concatenate([np.full(2 * a.size, -np.inf), -big]),
        np.concatenate([np.zeros(2 * a.size), np.full(a.size, np.inf)]),
        np.tile(prep.town[a], 3),
    )

    c = np.concatenate([prep.cost, prep.site_cost, np.zeros(n_w + n_slack)])
    integrality = np.concatenate(
        [np.ones(n + n_sites, dtype=np.int64), np.zeros(n_w + n_slack, dtype=np.int64)]
    )
    ub = np.concatenate([prep.max_units.astype(np.float64), np.ones(n_sites), big, np.full(n_slack, np.inf)])
    col_part = np.concatenate([prep.town, prep.site_town, prep.town[a], targets.town[:n_slack]])
    return rows.model(c, integrality, np.zeros(n_columns), ub, col_part)


def slack_columns(model: Model, targets: TargetRows) -> BoolArray:
    """The slack columns of a cost model built with ``slack=True``."""
    mask = np.zeros(model.c.size, dtype=np.bool_)
    mask[model.c.size - targets.rhs.size :] = True
    return mask


def place_rows(model: Model, targets: TargetRows, prep: PreparedProblem) -> FloatArray:
    """1.0 on the slack columns of the slots-per-1,000 rows: a shortfall of places weighs
    before a shortfall of shares, which adding places can only widen."""
    flags = np.zeros(model.c.size)
    if "slots_per_1000" in prep.codes:
        code = list(prep.codes).index("slots_per_1000")
        flags[model.c.size - targets.rhs.size :] = targets.code == code
    return flags


class Partition:
    """A separable model with each township's rows and columns made contiguous."""

    def __init__(self, model: Model, n_parts: int) -> None:
        assert model.col_part is not None and model.row_part is not None
        self.model = model
        self.cols = np.argsort(model.col_part, kind="stable")
        rows = np.argsort(model.row_part, kind="stable")
        self.col_bounds = np.searchsorted(model.col_part[self.cols], np.arange(n_parts + 1))
        self.row_bounds = np.searchsorted(model.row_part[rows], np.arange(n_parts + 1))
        self.matrix = sp.csr_array(model.matrix[rows][:, self.cols])
        self.lower, self.upper = model.lower[rows], model.upper[rows]

    def columns(self, part: int) -> IntArray:
        """Column numbers of the whole model that belong to ``part``, in the part's order."""
        return self.cols[self.col_bounds[part] : self.col_bounds[part + 1]]

    def part(self, part: int, c: FloatArray | None = None) -> Model:
        """The model of one township (with objective ``c`` over all columns, if given)."""
        cols = self.columns(part)
        r0, r1 = self.row_bounds[part], self.row_bounds[part + 1]
        c0, c1 = self.col_bounds[part], self.col_bounds[part + 1]
        m = self.model
        return Model(
            c=(m.c if c is None else c)[cols],
            integrality=m.integrality[cols],
            lb=m.lb[cols],
            ub=m.ub[cols],
            matrix=sp.csr_array(self.matrix[r0:r1, c0:c1]),
            lower=self.lower[r0:r1],
            upper=self.upper[r0:r1],
        )


def budget_model(prep: PreparedProblem) -> Model:
    """Most children reached (or slots added) within the budget; columns ``u, o, r``.

    ``r_z <= sum u_a`` over the candidates reaching zone ``z``, ``0 <= r_z <= 1``: as the
    units are integers, ``r_z`` is 1 exactly when one of them is chosen.
    """
    problem = prep.problem
    n, n_sites = prep.kind.size, prep.site_cost.size
    coverage = problem.coverage
    n_zones = 0 if coverage is None else int(np.asarray(coverage.zone_ids).size)
    n_columns = n + n_sites + n_zones
    rows = _Rows(n_columns)
    _site_links(prep, rows, n)
    budget = float(problem.budget if problem.budget is not None else np.inf)
    everything = np.arange(n + n_sites)
    rows.add_triplets(
        np.zeros(everything.size, dtype=np.int64),
        everything,
        np.concatenate([prep.cost, prep.site_cost]),
        np.array([-np.inf]),
        np.array([budget]),
    )
    if coverage is None:
        c = np.concatenate([-prep.slots, np.zeros(n_sites)])
    else:
        zone_rows = np.asarray(coverage.zone_rows, dtype=np.int64)
        cand_rows = np.asarray(coverage.candidate_rows, dtype=np.int64)
        zones = np.arange(n_zones)
        rows.add_triplets(
            np.concatenate([zones, zone_rows]),
            np.concatenate([n + n_sites + zones, cand_rows]),
            np.concatenate([np.ones(n_zones), -np.ones(zone_rows.size)]),
            np.full(n_zones, -np.inf),
            np.zeros(n_zones),
        )
        c = np.concatenate([np.zeros(n + n_sites), -np.asarray(coverage.weights, dtype=np.float64)])
    integrality = np.concatenate([np.ones(n + n_sites, dtype=np.int64), np.zeros(n_zones, dtype=np.int64)])
    ub = np.concatenate([prep.max_units.astype(np.float64), np.ones(n_sites + n_zones)])
    return rows.model(c, integrality, np.zeros(n_columns), ub)


def with_objective_bound(model: Model, weights: FloatArray, bound: float, new_c: FloatArray) -> Model:
    """``model`` with the row ``weights @ x <= bound`` added and objective ``new_c``."""
    return replace(
        model,
        c=new_c,
        matrix=sp.csr_array(sp.vstack([model.matrix, sp.csr_array(weights.reshape(1, -1))], format="csr")),
        lower=np.append(model.lower, -np.inf),
        upper=np.append(model.upper, bound),
        col_part=None,
        row_part=None,
    )


def solve(model: Model, time_limit: float, mip_rel_gap: float) -> Solution:
    """Run HiGHS on ``model``; a model without columns is decided directly."""
    if model.c.size == 0:
        ok = bool(np.all(model.lower <= 0) and np.all(model.upper >= 0))
        return Solution(
            SOLVED if ok else INFEASIBLE, "empty model", np.zeros(0) if ok else None, 0.0, 0.0, 0.0
        )
    constraints = LinearConstraint(model.matrix, model.lower, model.upper) if model.matrix.shape[0] else None
    result = milp(
        model.c,
        integrality=model.integrality,
        bounds=Bounds(model.lb, model.ub),
        constraints=constraints,
        options={"time_limit": max(time_limit, 1e-3), "mip_rel_gap": mip_rel_gap, "presolve": True},
    )
    x = None if result.x is None else np.asarray(result.x, dtype=np.float64)
    fun = None if result.fun is None or x is None else float(result.fun)
    gap = _finite(getattr(result, "mip_gap", None))
    dual = _finite(getattr(result, "mip_dual_bound", None))
    if result.status == SOLVED and fun is not None:
        gap = 0.0 if gap is None else gap
        dual = fun if dual is None else dual
    return Solution(int(result.status), str(result.message), x, fun, gap, dual)


def _finite(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return number if np.isfinite(number) else None


def _decisions(prep: PreparedProblem, x: FloatArray | None) -> tuple[IntArray, BoolArray]:
    """Units (rounded, within bounds) and the sites that have a class: a site is open
    exactly when one of its classes is planned."""
    n, n_sites = prep.kind.size, prep.site_cost.size
    if x is None:
        units = np.zeros(n, dtype=np.int64)
    else:
        units = np.clip(np.rint(x[:n]).astype(np.int64), 0, prep.max_units)
    used = (prep.kind == SITE_CLASS) & (units > 0)
    opened = np.bincount(prep.site[used], minlength=n_sites) > 0
    return units, opened


class _Clock:
    def __init__(self, seconds: float) -> None:
        self.deadline = time.perf_counter() + seconds

    def left(self) -> float:
        return self.deadline - time.perf_counter()


def solve_cost_form(prep: PreparedProblem, targets: TargetRows, needed: BoolArray) -> Outcome:
    """Cheapest plan meeting every target row of the townships in ``needed`` (the others
    need nothing); a township with no such plan gets its minimum-shortfall plan and the
    status is ``"shortfall"``."""
    problem = prep.problem
    clock = _Clock(problem.time_limit_seconds)
    asked_gap = problem.mip_rel_gap
    n_towns = prep.town_ids.size
    base = cost_model(prep, targets, slack=False)
    parts = Partition(base, n_towns)
    x = np.zeros(base.c.size)
    relaxed: Partition | None = None
    x_relaxed = is_slack = is_place_slack = np.zeros(0)
    tally: Counter[str] = Counter()
    primal = dual = missing = 0.0
    bounds_known = proven = True
    calls = 0
    towns = np.flatnonzero(needed).tolist()

    def limit(i: int) -> float:
        return clock.left() - _SECONDS_KEPT_PER_TOWNSHIP * (len(towns) - i - 1)

    for i, t in enumerate(towns):
        first = solve(parts.part(t), limit(i), asked_gap)
        calls += 1
        proven &= first.status == INFEASIBLE or _proven(first, asked_gap)
        if first.status != INFEASIBLE:
            if first.x is None or first.fun is None:
                if first.status != TIME_LIMIT:
                    raise RuntimeError(f"the solver failed: {first.message}")
                tally["no plan found within the time limit"] += 1
                bounds_known = False
                continue
            x[parts.columns(t)] = first.x
            primal += first.fun
            dual += first.fun if first.dual_bound is None else first.dual_bound
            tally[_kind(first, asked_gap)] += 1
            continue

        # Phase 1: least missing slots, children's places first (slots per 1,000), then
        # the shares; phase 2: least cost with no more missing of either.
        if relaxed is None:
            relaxed = Partition(cost_model(prep, targets, slack=True), n_towns)
            x_relaxed = np.zeros(relaxed.model.c.size)
            is_slack = slack_columns(relaxed.model, targets).astype(np.float64)
            is_place_slack = is_slack * place_rows(relaxed.model, targets, prep)
        sub = relaxed.part(t)
        place_c = is_place_slack[relaxed.columns(t)]
        share_c = is_slack[relaxed.columns(t)] - place_c
        first_phase = solve(replace(sub, c=place_c), limit(i), asked_gap)
        calls += 1
        if first_phase.x is None:
            raise RuntimeError(f"the solver failed on the shortfall phase: {first_phase.message}")
        least_places = float(place_c @ first_phase.x)
        held = with_objective_bound(sub, place_c, least_places * (1 + 1e-7) + 1e-6, share_c)
        phase1 = solve(held, limit(i), asked_gap)
        calls += 1
        if phase1.x is None:
            phase1, held = first_phase, sub
        assert phase1.x is not None
        least_shares = float(share_c @ phase1.x)
        least = least_places + least_shares
        bounded = with_objective_bound(held, share_c, least_shares * (1 + 1e-7) + 1e-6, sub.c)
        phase2 = solve(bounded, limit(i), asked_gap)
        calls += 1
        final = phase2 if phase2.x is not None else phase1
        assert final.x is not None
        proven &= _proven(phase1, asked_gap) and _proven(phase2, asked_gap)
        x_relaxed[relaxed.columns(t)] = final.x
        missing += least
        cost = float(sub.c @ final.x)
        primal += cost
        if final is phase2 and phase2.dual_bound is not None:
            dual += phase2.dual_bound
        else:
            bounds_known = False
        tally["infeasible: minimum shortfall"] += 1

    n_decisions = prep.kind.size + prep.site_cost.size
    decisions = x[:n_decisions] + (x_relaxed[:n_decisions] if x_relaxed.size else 0.0)
    units, opened = _decisions(prep, decisions)
    gap: float | None = None
    if bounds_known:
        gap = max(primal - dual, 0.0) / abs(primal) if abs(primal) > 1e-9 else 0.0
    if relaxed is not None:
        status = "shortfall"
    elif tally["time_limit"] or tally["no plan found within the time limit"]:
        status = "time_limit"
    elif asked_gap == 0.0 or (gap is not None and gap <= OPTIMAL_GAP):
        status = "optimal"
    else:
        status = "within_gap"
    counts = ", ".join(f"{count} {kind}" for kind, count in sorted(tally.items()))
    message = f"HiGHS, township by township ({len(towns)} missing a target): {counts or 'none'}"
    objective = missing if relaxed is not None else float(prep.cost @ units + prep.site_cost @ opened)
    model = relaxed.model if relaxed else base
    return Outcome(status, message, gap, units, opened, objective, calls, model, proven)


def _proven(solution: Solution, asked_gap: float) -> bool:
    """Whether HiGHS proved ``solution`` optimal (to its tolerances when asked for gap 0)."""
    close = asked_gap == 0.0 or (solution.gap is not None and solution.gap <= OPTIMAL_GAP)
    return solution.status == SOLVED and solution.x is not None and close


def _kind(solution: Solution, asked_gap: float) -> str:
    if solution.status == SOLVED:
        return "optimal" if _proven(solution, asked_gap) else "within_gap"
    return "time_limit"


def solve_budget_form(prep: PreparedProblem) -> Outcome:
    """Most children reached within the budget, then the least cost reaching as many."""
    problem = prep.problem
    clock = _Clock(problem.time_limit_seconds)
    model = budget_model(prep)
    phase1 = solve(model, clock.left(), problem.mip_rel_gap)
    if phase1.x is None:
        raise RuntimeError(f"the solver failed on the budget form: {phase1.message}")
    best = -float(model.c @ phase1.x)
    final, calls, used_model = phase1, 1, model
    proven = _proven(phase1, problem.mip_rel_gap)
    if clock.left() > 0:
        n_units = prep.kind.size + prep.site_cost.size
        cost_c = np.concatenate([prep.cost, prep.site_cost, np.zeros(model.c.size - n_units)])
        bounded = with_objective_bound(model, model.c, -best + 1e-7 * max(1.0, abs(best)), cost_c)
        phase2 = solve(bounded, clock.left(), problem.mip_rel_gap)
        calls, used_model = 2, bounded
        proven &= _proven(phase2, problem.mip_rel_gap)
        if phase2.x is not None:
            final = phase2
    else:
        proven = False
    units, opened = _decisions(prep, final.x)
    return Outcome("budget", final.message, final.gap, units, opened, best, calls, used_model, proven)


def evaluate_rows(
    prep: PreparedProblem, targets: TargetRows, units: IntArray
) -> tuple[FloatArray, sp.csr_array]:
    """Row activity (contribution - rhs; >= 0 means met) of a plan, and per row and
    action the contribution that dropping the action would remove.

    Action columns are the candidates followed by the sites (a site's column removes all
    its classes). Dropping an action at a 民办 institution the plan designates removes its
    普惠 slots too; dropping a designation removes the 普惠 status of the planned slots
    at its institution.
    """
    n, n_sites = prep.kind.size, prep.site_cost.size
    units_f = units.astype(np.float64)
    effect = sp.csr_array(targets.units_matrix @ sp.diags_array(units_f))
    a = targets.w_candidates
    d = prep.designator[a]
    on = (units[d] > 0) & (units[a] > 0)
    a, d = a[on], d[on]
    if a.size:
        puhui_row = prep.codes.index("puhui_share") * prep.town_ids.size + prep.town[a]
        gain = prep.slots[a] * units_f[a]
        extra = sp.csr_array(
            (np.concatenate([gain, gain]), (np.concatenate([puhui_row, puhui_row]), np.concatenate([a, d]))),
            shape=effect.shape,
        )
        effect = sp.csr_array(effect + extra)
    # Activity counts each w contribution once (on the action's own column).
    w_total = np.zeros(targets.rhs.size)
    if a.size:
        np.add.at(w_total, puhui_row, gain)
    activity = np.asarray(targets.units_matrix @ units_f) + w_total - targets.rhs
    site_rows = np.flatnonzero(prep.kind == SITE_CLASS)
    to_site = sp.csr_array((np.ones(site_rows.size), (site_rows, prep.site[site_rows])), shape=(n, n_sites))
    return activity, sp.csr_array(sp.hstack([effect, effect @ to_site], format="csr"))
