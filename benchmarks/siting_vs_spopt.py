"""Facility siting (p-median and MCLP) of ``tuoyu.engine.siting`` against PySAL ``spopt``.

Run from the project root, with the benchmark extras installed (``pip install -e '.[bench]'``:
spopt 0.7.0, PuLP 3.3.2 and highspy):

    .venv/bin/python benchmarks/siting_vs_spopt.py [--repeats 3] [--seed 20250601]
        [--p-median 10] [--p-cover 10] [--radius 2400]

One deterministic random instance: 1,000 demand zones and 200 candidate sites at random
positions in a 20 km x 20 km square, children per zone drawn from 0-299, and the
straight-line cost in metres of every one of the 200,000 zone-site pairs, as a dense
matrix. Both implementations solve, on the same arrays and to proven optimality with
HiGHS:

* the p-median with ``--p-median`` sites (least children-weighted distance);
* the maximal covering problem (MCLP) with ``--p-cover`` sites and a coverage radius of
  ``--radius`` metres (most children within the radius of an open site; the default
  radius leaves about half of the children uncovered, so the choice matters).

Each is timed end to end as the best of ``--repeats`` runs with :func:`time.perf_counter`:

* spopt: from the cost matrix to the solution, ``PMedian.from_cost_matrix(...)`` or
  ``MCLP.from_cost_matrix(...)`` (building the PuLP model) and ``.solve(solver)`` with
  ``pulp.HiGHS(msg=False, gapRel=0)`` (PuLP's in-process highspy interface; HiGHS's default
  relative gap of 1e-4 is set to 0 so that both sides prove optimality);
* tuoyu: :func:`~tuoyu.engine.siting.p_median` or :func:`~tuoyu.engine.siting.max_covering`
  on the same matrix and weights (validation, model building and HiGHS).

The objective values (spopt: the PuLP objective; tuoyu: ``SitingResult.objective``) must
agree to 1e-6 relative; the exit status is 1 when they do not. The goal is tuoyu at least
3 times faster than spopt on both problems. The p-median with spopt takes one to a few minutes
per run on a laptop, so the whole benchmark takes a few minutes.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tuoyu.engine.siting import max_covering, p_median

FloatArray = npt.NDArray[np.float64]
T = TypeVar("T")

N_DEMAND = 1_000
N_SITES = 200
SIDE_M = 20_000.0
P_MEDIAN = 10
P_COVER = 10
RADIUS_M = 2_400.0
TOLERANCE = 1e-6
GOAL_RATIO = 3.0


@dataclass(frozen=True)
class Instance:
    """Children per demand zone and the dense zone × site cost matrix in metres."""

    weights: FloatArray
    cost: FloatArray


@dataclass(frozen=True)
class Row:
    problem: str
    spopt_time: float
    our_time: float
    spopt_objective: float
    our_objective: float
    our_status: str

    @property
    def difference(self) -> float:
        return abs(self.spopt_objective - self.our_objective) / max(abs(self.spopt_objective), 1.0)


def build_instance(seed: int) -> Instance:
    rng = np.random.default_rng(seed)
    zones = rng.uniform(0.0, SIDE_M, size=(N_DEMAND, 2))
    sites = rng.uniform(0.0, SIDE_M, size=(N_SITES, 2))
    weights = rng.integers(0, 300, size=N_DEMAND).astype(np.float64)
    cost = np.hypot(zones[:, None, 0] - sites[None, :, 0], zones[:, None, 1] - sites[None, :, 1])
    return Instance(weights=weights, cost=cost)


def best_of(action: Callable[[], T], repeats: int) -> tuple[float, T]:
    """The shortest wall-clock time of ``repeats`` runs, and the last result."""
    best = float("inf")
    result: T | None = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement; the best counts")
    parser.add_argument("--seed", type=int, default=20250601, help="seed of the random instance")
    parser.add_argument("--p-median", type=int, default=P_MEDIAN, help="sites to open in the p-median")
    parser.add_argument("--p-cover", type=int, default=P_COVER, help="sites to open in the MCLP")
    parser.add_argument("--radius", type=float, default=RADIUS_M, help="MCLP coverage radius in metres")
    args = parser.parse_args(argv)
    repeats: int = args.repeats
    p_med: int = args.p_median
    p_cover: int = args.p_cover
    radius: float = args.radius

    try:
        import pulp
        import spopt
        from spopt.locate import MCLP, PMedian
    except ImportError as error:
        print(f"spopt or PuLP is not installed ({error}); run: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    if not pulp.HiGHS(msg=False).available():
        print("PuLP cannot find highspy; run: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    import scipy

    instance = build_instance(args.seed)
    weights, cost = instance.weights, instance.cost
    print(
        f"instance: {N_DEMAND:,} demand zones x {N_SITES} candidate sites = {cost.size:,} pairs in a "
        f"{SIDE_M / 1000:g} km square (seed {args.seed}); {weights.sum():,.0f} children"
    )
    print(f"p-median: p = {p_med}; MCLP: p = {p_cover}, radius {radius:g} m")
    print(
        f"versions: spopt {spopt.__version__}, PuLP {pulp.__version__}, highspy {_version('highspy')} "
        f"(spopt's solver: pulp.HiGHS), scipy {scipy.__version__} (tuoyu's HiGHS through "
        f"scipy.optimize.milp), numpy {np.__version__}; best of {repeats} runs each"
    )

    def solver() -> Any:
        return pulp.HiGHS(msg=False, gapRel=0)

    def spopt_p_median() -> float:
        model = PMedian.from_cost_matrix(cost, weights, p_facilities=p_med)
        model.solve(solver())
        return float(model.problem.objective.value())

    def spopt_max_covering() -> float:
        model = MCLP.from_cost_matrix(cost, weights, service_radius=radius, p_facilities=p_cover)
        model.solve(solver())
        return float(model.problem.objective.value())

    rows: list[Row] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spopt_time, spopt_value = best_of(spopt_p_median, repeats)
    our_time, result = best_of(lambda: p_median(cost, weights, p=p_med), repeats)
    rows.append(
        Row(f"p-median (p={p_med})", spopt_time, our_time, spopt_value, result.objective, result.status)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spopt_time, spopt_value = best_of(spopt_max_covering, repeats)
    our_time, result = best_of(lambda: max_covering(cost, weights, p=p_cover, radius=radius), repeats)
    rows.append(
        Row(f"MCLP (p={p_cover})", spopt_time, our_time, spopt_value, result.objective, result.status)
    )
    covered_share = result.objective / weights.sum()

    print()
    print(
        f"{'problem':<18} {'spopt (s)':>10} {'tuoyu (s)':>10} {'ratio':>8} "
        f"{'spopt objective':>18} {'tuoyu objective':>18} {'rel diff':>9} {'status':>8}"
    )
    for row in rows:
        print(
            f"{row.problem:<18} {row.spopt_time:>10.3f} {row.our_time:>10.3f} "
            f"{row.spopt_time / row.our_time:>7.1f}x {row.spopt_objective:>18.6f} "
            f"{row.our_objective:>18.6f} {row.difference:>9.1e} {row.our_status:>8}"
        )
    print()
    print(f"MCLP: the {p_cover} sites cover {covered_share:.1%} of the children")
    agree = all(row.difference <= TOLERANCE for row in rows)
    slowest = min(row.spopt_time / row.our_time for row in rows)
    print(f"objectives agree to {TOLERANCE:g} relative: {'ok' if agree else 'FAIL'}")
    speed = "met" if slowest >= GOAL_RATIO else "not met"
    print(f"smallest ratio: {slowest:.1f}x (goal {GOAL_RATIO:g}x): {speed}")
    return 0 if agree else 1


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


if __name__ == "__main__":
    raise SystemExit(main())
