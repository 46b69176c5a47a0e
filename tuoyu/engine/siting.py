"""Facility siting: p-median and maximal covering, solved to proven optimality with HiGHS.

Both problems choose exactly ``p`` of the candidate sites (the columns of a demand × site
cost matrix). The **p-median** minimises the total weighted cost of serving every demand
row from its cheapest chosen site; the **maximal covering** problem (MCLP) maximises the
total weight of the demand rows with a chosen site within ``radius``.

The cost matrix is dense (``inf`` marks a pair that is not allowed: the site cannot serve,
or does not cover, that demand row) or a scipy sparse matrix whose stored entries are the
allowed pairs (a stored zero is an allowed pair of cost 0).

Formulations
------------
The p-median uses the radius formulation of Cornuéjols, Nemhauser and Wolsey (1980) as
studied by Elloumi (2010). For demand row ``i`` let ``D_i^0 < D_i^1 < … < D_i^{K-1}`` be its
distinct allowed costs and ``S_i^k`` the sites with cost at most ``D_i^k``. With binary
``y_j`` (site ``j`` chosen) and continuous ``z_i^k`` ("no chosen site within ``D_i^k``")::

    min  Σ_i w_i (D_i^0 + Σ_k (D_i^{k+1} - D_i^k) z_i^k)
    s.t. z_i^k + Σ_{j ∈ S_i^k} y_j ≥ 1,   Σ_j y_j = p,   z ≥ 0.

For integral ``y`` the cheapest feasible ``z_i^k`` is 1 exactly when no chosen site lies
within ``D_i^k``, so the objective term of row ``i`` telescopes to the cost of its cheapest
chosen site: the formulation is exact, and its LP relaxation is as strong as the classic
assignment formulation's. Two further steps keep it small and stay exact:

* *Chaining.* The constraints are written level by level, ``z_i^k - z_i^{k-1} + Σ_{j:
  c_ij = D_i^k} y_j ≥ 0`` (``z_i^{-1} = 1``). Summing them gives back the constraints
  above, and the smallest ``z`` of the original constraints, ``max(0, 1 - Σ_{S_i^k} y)``,
  satisfies them because ``x ↦ max(0, 1 - x)`` is non-increasing and 1-Lipschitz; so both
  have the same optimum (integral and relaxed) while every site appears once per row
  instead of once per level: about ``3 × n_demand × n_sites`` nonzeros instead of half
  ``n_demand × n_sites²``.
* *Truncation.* Exactly ``n_sites - p`` sites stay closed, so among any ``n_sites - p + 1``
  allowed sites of a row at least one is chosen: the cost of row ``i`` never exceeds its
  ``(n_sites - p + 1)``-th smallest allowed cost ``D_i^T``. The levels from ``T`` on are
  dropped (their ``z`` is 0 for every feasible choice), with the cost capped at ``D_i^T``.

A row of weight 0 only has to be served: its costs are replaced by 0, leaving one level.

Reduction
---------
Before HiGHS sees a p-median, a Lagrangian bound (maximised by the volume algorithm of
Barahona and Anbil, 2000) and a greedy choice improved by swapping sites bound the optimum
from both sides; every (demand row, site) pair that no optimal solution uses is dropped,
and every site open (closed) in every optimal solution is fixed. The reduced problem keeps
every optimal solution and is a restriction of the whole, so what HiGHS proves optimal for
it is optimal. :mod:`tuoyu.engine.siting_bounds` holds this machinery and the proof.

The MCLP uses the classic model of Church and ReVelle (1974) with continuous ``z_i ≤ 1``
(covered) and ``z_i ≤ Σ_{j covers i} y_j``: for integral ``y`` the best ``z_i`` is 1 exactly
when row ``i`` is covered, so ``z`` need not be declared integral. Rows of weight 0 and rows
no site covers are left out; rows covered by at least ``n_sites - p + 1`` sites are covered
by every choice and only add their weight; rows with the same set of covering sites are
merged into one with the summed weight. Each step leaves the optimum unchanged.

HiGHS (through :func:`scipy.optimize.milp`, presolve off: the models come reduced) solves
the model with ``mip_rel_gap = 0``; the reported objective is recomputed from the chosen
sites, so it is the exact value of that choice. Without a time limit the result is
deterministic: the same input gives the same sites. With one, the best choice found when
it runs out is returned with status ``"time_limit"`` and the relative gap to the best
bound known (the Lagrangian one or HiGHS's).
"""

from __future__ import annotations

import math
import operator
import time
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import scipy.optimize
import scipy.sparse as sp

from tuoyu.engine.siting_bounds import _reduce

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: A dense cost matrix or a scipy sparse one whose stored entries are the allowed pairs.
CostMatrix: TypeAlias = FloatArray | sp.sparray | sp.spmatrix

OPTIMAL = "optimal"
TIME_LIMIT = "time_limit"
_INFEASIBLE = "infeasible"

_ROUND = 0.5  # a binary variable above this value is taken as 1
_PRESOLVE = False  # the models come reduced already; HiGHS presolve only costs time on them


@dataclass(frozen=True)
class SitingResult:
    """The chosen sites and what they achieve.

    ``facilities`` are the chosen candidate sites (column indices of the cost matrix) in
    ascending order. ``objective`` is the total weighted cost for the p-median and the
    total weight covered for the maximal covering problem, computed from ``facilities``.
    ``status`` is ``"optimal"`` when HiGHS proved the choice optimal and ``"time_limit"``
    when the time limit stopped it first (``facilities`` is then the best choice found and
    ``mip_gap`` the remaining relative gap). ``assignment`` (p-median only) gives, for each
    demand row, the chosen site that serves it at the least cost.
    """

    facilities: IntArray
    objective: float
    status: str
    mip_gap: float | None
    assignment: IntArray | None = None


@dataclass(frozen=True)
class _Pairs:
    """The allowed (demand row, site) pairs of a cost matrix, with their costs."""

    rows: IntArray
    sites: IntArray
    costs: FloatArray
    n_demand: int
    n_sites: int


def p_median(
    cost: CostMatrix, weights: FloatArray, *, p: int, time_limit: float | None = None
) -> SitingResult:
    """Choose ``p`` sites minimising the total weighted cost of serving every demand row.

    ``cost`` is ``n_demand × n_sites`` (``inf``, or a missing sparse entry, for a pair that
    is not allowed) and ``weights`` has one non-negative value per demand row. Raises
    :class:`ValueError` for malformed input, for a demand row with no allowed site and when
    no choice of ``p`` sites serves every demand row; ``time_limit`` is in seconds.
    """
    pairs = _pairs(cost)
    w = _weights(weights, pairs.n_demand)
    p = _count(p, pairs.n_sites)
    deadline = _deadline(time_limit)
    served = np.bincount(pairs.rows, minlength=pairs.n_demand)
    if pairs.n_demand and not served.all():
        row = int(np.flatnonzero(served == 0)[0])
        raise ValueError(f"cost: demand row {row} has no allowed site, so it cannot be served")
    status: str = OPTIMAL
    gap: float | None = 0.0
    if p == pairs.n_sites or pairs.n_demand == 0:
        chosen = np.zeros(pairs.n_sites, dtype=np.bool_)
        chosen[:p] = True
    else:
        chosen, status, gap = _solve_p_median(pairs, w, p, deadline)
    total, assignment = _serve(pairs, w, chosen)
    return SitingResult(np.flatnonzero(chosen).astype(np.int64), total, status, gap, assignment)


def max_covering(
    cost: CostMatrix, weights: FloatArray, *, p: int, radius: float, time_limit: float | None = None
) -> SitingResult:
    """Choose ``p`` sites maximising the total weight of the demand rows they cover.

    A site covers a demand row when their pair is allowed and costs at most ``radius``.
    ``cost`` and ``weights`` are as for :func:`p_median`; rows no site covers are allowed
    and simply never count. Raises :class:`ValueError` for malformed input.
    """
    pairs = _pairs(cost)
    w = _weights(weights, pairs.n_demand)
    p = _count(p, pairs.n_sites)
    r = _radius(radius)
    deadline = _deadline(time_limit)
    near = pairs.costs <= r
    rows, sites = pairs.rows[near], pairs.sites[near]
    status: str = OPTIMAL
    gap: float | None = 0.0
    if p == pairs.n_sites:
        chosen = np.ones(pairs.n_sites, dtype=np.bool_)
    else:
        chosen, status, gap = _solve_max_covering(rows, sites, w, pairs.n_demand, pairs.n_sites, p, deadline)
    total = _covered(rows, sites, w, chosen)
    return SitingResult(np.flatnonzero(chosen).astype(np.int64), total, status, gap)


# --- input checks ---------------------------------------------------------------------


def _pairs(cost: CostMatrix) -> _Pairs:
    if sp.issparse(cost):
        coo = sp.coo_array(cost)
        if coo.ndim != 2:
            raise ValueError(f"cost must be a 2-D matrix, got shape {coo.shape}")
        n_demand, n_sites = (int(size) for size in coo.shape)
        rows = np.asarray(coo.row, dtype=np.int64)
        sites = np.asarray(coo.col, dtype=np.int64)
        try:
            costs = np.asarray(coo.data, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError("cost must hold numbers") from None
        if rows.size > 1:
            key = rows * n_sites + sites
            key.sort()
            if np.any(key[1:] == key[:-1]):
                raise ValueError("cost has a repeated (demand row, site) entry")
        if np.any(np.isnan(costs)):
            raise ValueError("cost must not contain NaN")
        if np.any(costs < 0):
            raise ValueError("cost must not be negative")
        allowed = np.isfinite(costs)
        return _Pairs(rows[allowed], sites[allowed], costs[allowed], n_demand, n_sites)
    try:
        dense = np.asarray(cost, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("cost must be a 2-D array of numbers") from None
    if dense.ndim != 2:
        raise ValueError(f"cost must be a 2-D array (demand rows × sites), got shape {dense.shape}")
    if np.any(np.isnan(dense)):
        raise ValueError("cost must not contain NaN")
    if np.any(dense < 0):
        raise ValueError("cost must not be negative")
    rows, sites = np.nonzero(np.isfinite(dense))
    return _Pairs(
        rows.astype(np.int64), sites.astype(np.int64), dense[rows, sites], dense.shape[0], dense.shape[1]
    )


def _weights(weights: FloatArray, n_demand: int) -> FloatArray:
    try:
        w = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("weights must be a 1-D array of numbers") from None
    if w.shape != (n_demand,):
        raise ValueError(f"weights must have one value per demand row ({n_demand}), got shape {w.shape}")
    if not np.all(np.isfinite(w)):
        raise ValueError("weights must be finite")
    if np.any(w < 0):
        raise ValueError("weights must not be negative")
    return w


def _count(p: int, n_sites: int) -> int:
    if isinstance(p, bool):
        raise ValueError(f"p must be a whole number, got {p!r}")
    try:
        count = operator.index(p)
    except TypeError:
        raise ValueError(f"p must be a whole number, got {p!r}") from None
    if not 1 <= count <= n_sites:
        raise ValueError(f"p must be between 1 and the number of candidate sites ({n_sites}), got {count}")
    return count


def _radius(radius: float) -> float:
    try:
        r = float(radius)
    except (TypeError, ValueError):
        raise ValueError(f"radius must be a number, got {radius!r}") from None
    if math.isnan(r) or r < 0:
        raise ValueError(f"radius must not be negative, got {radius!r}")
    return r


def _deadline(time_limit: float | None) -> float | None:
    """The :func:`time.monotonic` value at which ``time_limit`` seconds from now are up."""
    if time_limit is None:
        return None
    try:
        limit = float(time_limit)
    except (TypeError, ValueError):
        raise ValueError(f"time_limit must be a number of seconds, got {time_limit!r}") from None
    if not limit > 0:
        raise ValueError(f"time_limit must be positive, got {time_limit!r}")
    return time.monotonic() + limit


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else deadline - time.monotonic()


# --- solving ------------------------------------------------------------------------


def _solve_p_median(
    pairs: _Pairs, w: FloatArray, p: int, deadline: float | None
) -> tuple[BoolArray, str, float | None]:
    """Reduce the instance with the Lagrangian bound, then solve what is left with HiGHS."""
    reduction = _reduce(pairs, w, p, deadline)
    if reduction is None:
        return _solve_p_median_model(pairs, w, p, deadline)
    remaining = _remaining(deadline)
    if remaining is not None and remaining <= 0:
        return reduction.incumbent, TIME_LIMIT, _gap(reduction.upper, reduction.lower)
    keep = reduction.keep
    kept = _Pairs(pairs.rows[keep], pairs.sites[keep], pairs.costs[keep], pairs.n_demand, pairs.n_sites)
    objective, matrix, lower, constant = _p_median_model(kept, w, p)
    outcome = _solve(objective, matrix, lower, (reduction.site_lower, reduction.site_upper), p, deadline)
    if outcome.status == OPTIMAL and outcome.chosen is not None:
        return outcome.chosen, OPTIMAL, outcome.gap
    if outcome.status == _INFEASIBLE:
        # The reduced problem keeps the incumbent, so this is numerical trouble: solve it all.
        return _solve_p_median_model(pairs, w, p, deadline)
    # Stopped early: the better of HiGHS's choice and the incumbent, with the better bound.
    chosen, upper = reduction.incumbent, reduction.upper
    if outcome.chosen is not None:
        value, _ = _serve(pairs, w, outcome.chosen)
        if value < upper:
            chosen, upper = outcome.chosen, value
    bound = reduction.lower if outcome.bound is None else max(reduction.lower, outcome.bound + constant)
    return chosen, TIME_LIMIT, _gap(upper, bound)


def _solve_p_median_model(
    pairs: _Pairs, w: FloatArray, p: int, deadline: float | None
) -> tuple[BoolArray, str, float | None]:
    """Solve the whole model with HiGHS, without a reduction."""
    objective, matrix, lower, constant = _p_median_model(pairs, w, p)
    site_bounds = (np.zeros(pairs.n_sites), np.ones(pairs.n_sites))
    outcome = _solve(objective, matrix, lower, site_bounds, p, deadline)
    if outcome.status == _INFEASIBLE:
        raise ValueError(f"p-median: no choice of {p} site(s) serves every demand row (infeasible)")
    if outcome.chosen is None:
        raise ValueError(
            f"p-median: no choice of sites serving every demand row was found ({outcome.status})"
        )
    if outcome.status == OPTIMAL:
        return outcome.chosen, OPTIMAL, outcome.gap
    value, _ = _serve(pairs, w, outcome.chosen)
    return (
        outcome.chosen,
        TIME_LIMIT,
        None if outcome.bound is None else _gap(value, outcome.bound + constant),
    )


def _gap(upper: float, lower: float) -> float:
    """The relative gap between a minimisation's best value and its lower bound."""
    return max(0.0, upper - lower) / max(abs(upper), 1e-300)


def _solve_max_covering(
    rows: IntArray, sites: IntArray, w: FloatArray, n: int, m: int, p: int, deadline: float | None
) -> tuple[BoolArray, str, float | None]:
    """Solve the reduced maximal covering model with HiGHS.

    When the time limit stops HiGHS first, the better of its choice and a greedy one is kept.
    """
    objective, matrix, lower, constant = _covering_model(rows, sites, w, n, m, p)
    outcome = _solve(objective, matrix, lower, (np.zeros(m), np.ones(m)), p, deadline)
    if outcome.status == OPTIMAL and outcome.chosen is not None:
        return outcome.chosen, OPTIMAL, outcome.gap
    if outcome.status == _INFEASIBLE:
        raise ValueError("maximal covering: HiGHS found the model infeasible")
    # Stopped early: the better of HiGHS's choice and a greedy one.
    chosen = _greedy_cover(rows, sites, w, m, p)
    covered = _covered(rows, sites, w, chosen)
    if outcome.chosen is not None and _covered(rows, sites, w, outcome.chosen) > covered:
        chosen, covered = outcome.chosen, _covered(rows, sites, w, outcome.chosen)
    if outcome.bound is None:
        return chosen, TIME_LIMIT, None
    best = constant - outcome.bound  # HiGHS minimises minus the weight covered
    return chosen, TIME_LIMIT, max(0.0, best - covered) / max(abs(covered), 1e-300)


def _covered(rows: IntArray, sites: IntArray, w: FloatArray, chosen: BoolArray) -> float:
    """The total weight of the rows with a chosen site among their covering ``sites``."""
    covered = np.zeros(w.size, dtype=np.bool_)
    covered[rows[chosen[sites]]] = True
    return float(np.sum(w[covered]))


def _greedy_cover(rows: IntArray, sites: IntArray, w: FloatArray, m: int, p: int) -> BoolArray:
    """Add, one at a time, the site covering the most weight not covered yet."""
    chosen = np.zeros(m, dtype=np.bool_)
    covered = np.zeros(w.size, dtype=np.bool_)
    for _ in range(p):
        gain = np.bincount(sites, weights=np.where(covered[rows], 0.0, w[rows]), minlength=m)
        gain[chosen] = -1.0
        site = int(np.argmax(gain))
        chosen[site] = True
        covered[rows[sites == site]] = True
    return chosen


# --- models ---------------------------------------------------------------------------


def _p_median_model(
    pairs: _Pairs, w: FloatArray, p: int
) -> tuple[FloatArray, sp.csr_array, FloatArray, float]:
    """The truncated, chained radius formulation (see the module docstring).

    Columns: the ``n_sites`` site variables, then one ``z`` per kept level. Rows: one per
    kept level, ``≥`` the returned lower bound; :func:`_solve` adds the cardinality row.
    Also returns the constant ``Σ_i w_i D_i^0`` left out of the objective.
    """
    n, m = pairs.n_demand, pairs.n_sites
    costs = np.where(w[pairs.rows] > 0, pairs.costs, 0.0)
    order = np.lexsort((costs, pairs.rows))
    rows, sites, costs = pairs.rows[order], pairs.sites[order], costs[order]
    size = rows.size
    if size == 0:
        return np.zeros(m), sp.csr_array((0, m)), np.zeros(0), 0.0
    counts = np.bincount(rows, minlength=n)
    start = np.zeros(n, dtype=np.int64)
    np.cumsum(counts[:-1], out=start[1:])
    # Levels: runs of equal cost within a row, numbered globally in row order.
    new = np.ones(size, dtype=np.bool_)
    new[1:] = (rows[1:] != rows[:-1]) | (costs[1:] != costs[:-1])
    level = np.cumsum(new) - 1
    level_row = rows[new]
    level_cost = costs[new]
    first_level = np.zeros(n, dtype=np.int64)
    first_level[level_row[::-1]] = np.arange(level_row.size)[::-1]
    in_row = np.arange(level_row.size) - first_level[level_row]
    levels = np.bincount(level_row, minlength=n)
    # Rows with at least m - p + 1 allowed sites stop before the level of the (m - p + 1)-th.
    needed = m - p + 1
    truncated = counts >= needed
    cut = np.where(truncated, level[np.minimum(start + needed - 1, size - 1)] - first_level, levels)
    n_variables = np.where(truncated, cut, levels - 1)
    kept = in_row < cut[level_row]
    variable = in_row < n_variables[level_row]
    constraint_of = np.cumsum(kept) - 1
    variable_of = np.cumsum(variable) - 1 + m
    # Site entries: each pair of a kept level, in that level's row.
    pair_kept = kept[level]
    site_rows = constraint_of[level[pair_kept]]
    site_cols = sites[pair_kept]
    # +z at its own level, -z of the previous level of the same row.
    own = np.flatnonzero(variable)
    previous = np.flatnonzero(kept & (in_row > 0))
    matrix = sp.csr_array(
        (
            np.concatenate([np.ones(site_rows.size + own.size), -np.ones(previous.size)]),
            (
                np.concatenate([site_rows, constraint_of[own], constraint_of[previous]]),
                np.concatenate([site_cols, variable_of[own], variable_of[previous - 1]]),
            ),
        ),
        shape=(int(kept.sum()), m + own.size),
    )
    lower = (in_row[kept] == 0).astype(np.float64)
    objective = np.zeros(m + own.size)
    objective[m:] = w[level_row[own]] * (level_cost[own + 1] - level_cost[own])
    constant = float(np.dot(w[level_row[first_level[counts > 0]]], level_cost[first_level[counts > 0]]))
    return objective, matrix, lower, constant


def _covering_model(
    rows: IntArray, sites: IntArray, w: FloatArray, n: int, m: int, p: int
) -> tuple[FloatArray, sp.csr_array, FloatArray, float]:
    """The reduced maximal covering model (see the module docstring).

    Columns: the ``m`` site variables, then one ``z ∈ [0, 1]`` per group of demand rows
    with the same covering sites. Rows: ``Σ y - z ≥ 0`` per group. The objective is minus
    the weight covered by the groups; also returns the weight every choice covers.
    """
    counts = np.bincount(rows, minlength=n)
    always = float(w[counts >= m - p + 1].sum())
    open_rows = (w > 0) & (counts > 0) & (counts < m - p + 1)
    keep = open_rows[rows]
    rows, sites = rows[keep], sites[keep]
    members = np.flatnonzero(open_rows)
    if members.size:
        position = np.cumsum(open_rows) - 1
        cover = np.zeros((members.size, m), dtype=np.bool_)
        cover[position[rows], sites] = True
        patterns, first, group = np.unique(
            np.packbits(cover, axis=1), axis=0, return_index=True, return_inverse=True
        )
        group_weight = np.asarray(
            np.bincount(group.reshape(-1), weights=w[members], minlength=patterns.shape[0]), dtype=np.float64
        )
        group_rows, group_sites = np.nonzero(cover[first])
    else:
        group_weight = np.zeros(0)
        group_rows = group_sites = np.zeros(0, dtype=np.intp)
    n_groups = group_weight.size
    matrix = sp.csr_array(
        (
            np.concatenate([np.ones(group_rows.size), -np.ones(n_groups)]),
            (
                np.concatenate([group_rows, np.arange(n_groups)]),
                np.concatenate([group_sites, m + np.arange(n_groups)]),
            ),
        ),
        shape=(n_groups, m + n_groups),
    )
    objective = np.concatenate([np.zeros(m), -group_weight])
    return objective, matrix, np.zeros(n_groups), always


@dataclass(frozen=True)
class _Outcome:
    """What HiGHS returned: the chosen sites (``None`` when it found none), the status
    (``OPTIMAL``, ``TIME_LIMIT``, ``_INFEASIBLE`` or HiGHS's message), its relative gap and
    its lower bound on the model objective (``None`` when unknown)."""

    chosen: BoolArray | None
    status: str
    gap: float | None
    bound: float | None


def _solve(
    objective: FloatArray,
    matrix: sp.csr_array,
    lower: FloatArray,
    site_bounds: tuple[FloatArray, FloatArray],
    p: int,
    deadline: float | None,
) -> _Outcome:
    """Minimise ``objective`` with HiGHS to proven optimality (``mip_rel_gap`` 0).

    The first ``len(site_bounds[0])`` columns are binary sites, exactly ``p`` of them 1,
    within ``site_bounds``; the others are continuous in ``[0, 1]``; ``matrix @ x ≥ lower``.
    """
    site_lower, site_upper = site_bounds
    m = site_lower.size
    n_columns = objective.size
    remaining = _remaining(deadline)
    if remaining is not None and remaining <= 0:
        return _Outcome(None, TIME_LIMIT, None, None)
    cardinality = sp.csr_array(
        (np.ones(m), (np.zeros(m, dtype=np.int64), np.arange(m))), shape=(1, n_columns)
    )
    full = sp.vstack([matrix, cardinality], format="csr")
    row_lower = np.append(lower, float(p))
    row_upper = np.append(np.full(lower.size, np.inf), float(p))
    integrality = np.zeros(n_columns, dtype=np.uint8)
    integrality[:m] = 1
    options: dict[str, Any] = {"disp": False, "mip_rel_gap": 0.0, "presolve": _PRESOLVE}
    if remaining is not None:
        options["time_limit"] = remaining
    result = scipy.optimize.milp(
        objective,
        integrality=integrality,
        bounds=scipy.optimize.Bounds(
            np.concatenate([site_lower, np.zeros(n_columns - m)]),
            np.concatenate([site_upper, np.ones(n_columns - m)]),
        ),
        constraints=scipy.optimize.LinearConstraint(full, row_lower, row_upper),
        options=options,
    )
    status = {0: OPTIMAL, 1: TIME_LIMIT, 2: _INFEASIBLE}.get(result.status, str(result.message))
    chosen = None if result.x is None else np.asarray(result.x[:m] > _ROUND)
    gap = getattr(result, "mip_gap", None)
    bound = getattr(result, "mip_dual_bound", None)
    if bound is not None:
        bound = float(bound) if math.isfinite(bound) else None
    return _Outcome(chosen, status, None if gap is None else float(gap), bound)


def _serve(pairs: _Pairs, w: FloatArray, chosen: BoolArray) -> tuple[float, IntArray]:
    """The total weighted cost of serving each row from its cheapest chosen site, and that site."""
    open_pairs = chosen[pairs.sites]
    rows, sites, costs = pairs.rows[open_pairs], pairs.sites[open_pairs], pairs.costs[open_pairs]
    order = np.lexsort((sites, costs, rows))
    rows, sites, costs = rows[order], sites[order], costs[order]
    first = np.ones(rows.size, dtype=np.bool_)
    first[1:] = rows[1:] != rows[:-1]
    assignment = np.full(pairs.n_demand, -1, dtype=np.int64)
    best = np.zeros(pairs.n_demand)
    assignment[rows[first]] = sites[first]
    best[rows[first]] = costs[first]
    return float(np.dot(w, best)), assignment
