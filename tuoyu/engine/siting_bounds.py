"""Bounds for the p-median, and the reduction they prove: what no optimal solution uses is
removed before HiGHS sees the model.

:func:`tuoyu.engine.siting.p_median` calls :func:`_reduce` and builds its model only from
what is kept. This module holds the lower bound (the Lagrangian relaxation and the volume
algorithm that maximises it: :class:`_Lagrangian`, :func:`_ascend`), the upper bound (greedy
and swap heuristics: :func:`_greedy`, :func:`_local_search`) and the elimination of pairs
and fixing of sites the two prove (:func:`_reduce`, whose docstring proves the pair bound).
It builds and solves no model: the formulations and HiGHS stay in :mod:`tuoyu.engine.siting`.

Reduction
---------
Before HiGHS sees a p-median, a Lagrangian bound removes what no optimal solution uses.
Relaxing "each demand row is served once" with multipliers ``λ_i`` gives, for weighted
costs ``W_ij = w_i c_ij``, ``ρ_j = Σ_i min(0, W_ij - λ_i)`` and their order ``ρ_(1) ≤ ρ_(2)
≤ …``, the lower bound ``L = Σ_i λ_i + ρ_(1) + … + ρ_(p)`` on every solution; the volume
algorithm of Barahona and Anbil (2000) maximises it (its maximum is the LP bound). A greedy
choice and the cheapest choices met on the way, each improved by swapping sites, give an
upper bound ``U``. Every solution serving row ``i`` from site ``j`` costs at least ``L +
max(0, W_ij - λ_i) + max(0, ρ_j - ρ_(p))`` (``ρ_j - ρ_(p)`` only for a site outside the
``p`` smallest); when that exceeds ``U`` no optimal solution uses the pair, and it is
dropped. Likewise a site whose opening (closing) alone lifts ``L`` above ``U`` is closed
(open) in every optimal solution, and is fixed. The reduced problem keeps every optimal
solution, so its optimum is the optimum, and it is a restriction, so what HiGHS proves
optimal for it is optimal; a relative margin of 1e-7 keeps what rounding could wrongly
drop. Nothing is guessed, unlike keeping each row's ``k`` nearest sites, which is not exact.
When the bound meets the upper bound (no gap), about one pair per demand row is left;
otherwise HiGHS closes the gap on a model a few times to a few tens of times smaller.

The heuristics only supply ``U``: a worse ``U`` drops less, never what an optimal solution
needs. The incumbent behind ``U`` survives the reduction (it costs ``U``, so none of its
pairs or sites exceeds the slack), so the reduced model is infeasible only through
numerical trouble, and :mod:`tuoyu.engine.siting` then solves the whole model instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from tuoyu.engine.siting import _Pairs

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_MARGIN = 1e-7  # relative slack kept when dropping pairs and fixing sites
_STEP = 0.1  # initial step factor of the volume algorithm
_STEP_MAX = 2.0
_STEP_MIN = 1e-6  # the ascent stops once the factor falls below this
_PATIENCE = 20  # steps without a better bound before the factor shrinks
_SHRINK = 0.66
_GROW = 1.1
_AVERAGING = 0.1  # largest weight of the newest solution in the running average
_ITERATIONS = 3000
_STARTS = 10  # the cheapest choices met by the ascent that are improved by swaps


@dataclass(frozen=True)
class _Reduction:
    """What the Lagrangian bound proves about every optimal choice of sites.

    ``keep`` marks the pairs some optimal solution may still use; ``site_lower`` and
    ``site_upper`` fix the sites every optimal solution opens (lower 1) or closes (upper
    0). ``incumbent`` is the best choice found so far and ``upper`` its total cost;
    ``lower`` is a lower bound on the optimum.
    """

    keep: BoolArray
    site_lower: FloatArray
    site_upper: FloatArray
    incumbent: BoolArray
    upper: float
    lower: float


def _reduce(pairs: _Pairs, w: FloatArray, p: int, deadline: float | None) -> _Reduction | None:
    """Bound the optimum from both sides and drop what no optimal solution uses.

    See "Reduction" in the module docstring. The pair bound holds because for any solution
    ``(x, y)``: ``Σ W x = Σ_i λ_i + Σ_{j open} Σ_i (W_ij - λ_i) x_ij``, each open site's
    inner sum is at least ``ρ_j`` plus the positive parts ``max(0, W_ij - λ_i)`` of the pairs
    it serves, and ``p`` open sites have ``Σ ρ_j ≥ ρ_(1) + … + ρ_(p)``, more by ``ρ_j -
    ρ_(p)`` when one of them is outside the ``p`` smallest.

    Returns ``None`` when no choice serving every demand row was found (nothing can be
    dropped then).
    """
    n, m = pairs.n_demand, pairs.n_sites
    weighted = np.full((n, m), np.inf)
    weighted[pairs.rows, pairs.sites] = w[pairs.rows] * pairs.costs
    row_worst = np.zeros(n)
    np.maximum.at(row_worst, pairs.rows, weighted[pairs.rows, pairs.sites])
    # Any choice serving every row costs less than the penalty; a row left unserved costs it.
    penalty = float(row_worst.sum()) + 1.0
    padded = np.where(np.isfinite(weighted), weighted, penalty)
    sites, upper = _local_search(padded, _greedy(padded, p))
    if not upper < penalty:
        return None
    # Start each multiplier at the cost of the row's (n_sites / p)-th cheapest site.
    rank = min(max(m // p, 1), m - 1)
    initial = np.minimum(np.partition(padded, rank, axis=1)[:, rank], row_worst)
    multipliers, lower, starts = _ascend(weighted, padded, p, initial, upper, deadline)
    for start in starts:
        candidate, value = _local_search(padded, start)
        if value < upper:
            sites, upper = candidate, value
    margin = _MARGIN * max(abs(upper), 1.0)
    reduced = weighted - multipliers[:, None]
    np.minimum(reduced, 0.0, out=reduced)
    rho = reduced.sum(axis=0)
    order = np.argsort(rho, kind="stable")
    bound = float(multipliers.sum() + rho[order[:p]].sum())
    slack = upper - bound + margin
    opening = np.maximum(rho - rho[order[p - 1]], 0.0)
    opening[order[:p]] = 0.0
    closing = np.zeros(m)
    closing[order[:p]] = rho[order[p]] - rho[order[:p]]
    pair_cost = np.maximum(weighted[pairs.rows, pairs.sites] - multipliers[pairs.rows], 0.0)
    keep = pair_cost + opening[pairs.sites] <= slack
    incumbent = np.zeros(m, dtype=np.bool_)
    incumbent[sites] = True
    site_upper = np.where(opening > slack, 0.0, 1.0)
    site_lower = np.where(closing > slack, 1.0, 0.0)
    return _Reduction(keep, site_lower, site_upper, incumbent, upper, max(lower, bound))


class _Lagrangian:
    """The Lagrangian bound of the p-median for given multipliers, with a reusable buffer."""

    def __init__(self, weighted: FloatArray, padded: FloatArray, p: int) -> None:
        self.weighted = weighted
        self.padded = padded
        self.p = p
        self.reduced = np.empty_like(weighted)

    def __call__(self, multipliers: FloatArray) -> tuple[float, FloatArray, IntArray, float]:
        """The bound, the number of sites serving each row, the sites and their true cost."""
        reduced = self.reduced
        np.subtract(self.weighted, multipliers[:, None], out=reduced)
        np.minimum(reduced, 0.0, out=reduced)
        rho = reduced.sum(axis=0)
        chosen = np.argpartition(rho, self.p - 1)[: self.p]
        chosen.sort()
        bound = float(multipliers.sum() + rho[chosen].sum())
        serving = np.count_nonzero(reduced[:, chosen] < 0, axis=1).astype(np.float64)
        value = float(self.padded[:, chosen].min(axis=1).sum())
        return bound, serving, chosen, value


def _ascend(
    weighted: FloatArray,
    padded: FloatArray,
    p: int,
    multipliers: FloatArray,
    upper: float,
    deadline: float | None,
) -> tuple[FloatArray, float, list[IntArray]]:
    """Maximise the Lagrangian bound from the given multipliers (the volume algorithm).

    The volume algorithm of Barahona and Anbil (2000) steps from the best multipliers so far
    along the violation of a running average of the relaxed solutions, which converges
    much better than plain subgradient steps. Returns the best multipliers, their bound, and
    the cheapest distinct choices of sites met on the way, cheapest first.
    """
    lagrangian = _Lagrangian(weighted, padded, p)
    best_multipliers = multipliers
    best, average, chosen, value = lagrangian(multipliers)
    met: dict[bytes, tuple[float, IntArray]] = {chosen.tobytes(): (value, chosen)}
    upper = min(upper, value)
    step = _STEP
    stall = 0
    for iteration in range(_ITERATIONS):
        if step < _STEP_MIN or upper - best <= _MARGIN * abs(upper):
            break
        if iteration % 50 == 0 and deadline is not None and time.monotonic() > deadline:
            break
        direction = 1.0 - average
        norm = float(direction @ direction)
        if norm == 0:
            break
        multipliers = best_multipliers + step * (upper - best) / norm * direction
        bound, serving, chosen, value = lagrangian(multipliers)
        met.setdefault(chosen.tobytes(), (value, chosen))
        upper = min(upper, value)
        violation = 1.0 - serving
        # The weight of the new solution that makes the averaged violation shortest.
        change = violation - direction
        length = float(change @ change)
        weight = _AVERAGING if length == 0 else -float(direction @ change) / length
        weight = min(max(weight, _AVERAGING / 10), _AVERAGING)
        average = weight * serving + (1 - weight) * average
        if bound > best:
            if float(violation @ direction) >= 0:
                step = min(step * _GROW, _STEP_MAX)
            best, best_multipliers = bound, multipliers
            stall = 0
        else:
            stall += 1
            if stall >= _PATIENCE:
                step *= _SHRINK
                stall = 0
    ranked_choices = sorted(met.values(), key=lambda entry: entry[0])[:_STARTS]
    return best_multipliers, best, [choice for _, choice in ranked_choices]


def _greedy(padded: FloatArray, p: int) -> IntArray:
    """Add, one at a time, the site that lowers the total cost the most."""
    current = np.full(padded.shape[0], np.inf)
    sites: list[int] = []
    for _ in range(p):
        totals = np.minimum(current[:, None], padded).sum(axis=0)
        totals[sites] = np.inf
        site = int(np.argmin(totals))
        sites.append(site)
        current = np.minimum(current, padded[:, site])
    return np.sort(np.asarray(sites, dtype=np.int64))


def _local_search(padded: FloatArray, sites: IntArray) -> tuple[IntArray, float]:
    """Swap a chosen site for another while the best swap lowers the total cost."""
    n = padded.shape[0]
    chosen = np.array(sites, dtype=np.int64)
    rows = np.arange(n)
    while True:
        costs = padded[:, chosen]
        if chosen.size > 1:
            nearest_two = np.argpartition(costs, 1, axis=1)[:, :2]
            first_cost = costs[rows, nearest_two[:, 0]]
            second_cost = costs[rows, nearest_two[:, 1]]
            swap = first_cost > second_cost
            nearest = np.where(swap, nearest_two[:, 1], nearest_two[:, 0])
            first_cost, second_cost = np.minimum(first_cost, second_cost), np.maximum(first_cost, second_cost)
        else:
            nearest = np.zeros(n, dtype=np.int64)
            first_cost = costs[:, 0]
            second_cost = np.full(n, np.inf)
        total = float(first_cost.sum())
        best_change, best_move = -_MARGIN * max(abs(total), 1.0), None
        for position in range(chosen.size):
            base = np.where(nearest == position, second_cost, first_cost)
            change = np.minimum(base[:, None], padded).sum(axis=0) - total
            change[chosen] = np.inf
            site = int(np.argmin(change))
            if change[site] < best_change:
                best_change, best_move = float(change[site]), (position, site)
        if best_move is None:
            return np.sort(chosen), total
        chosen[best_move[0]] = best_move[1]
