"""Accessibility (2SFCA and E2SFCA) of ``tuoyu.engine.accessibility`` against PySAL ``access``.

Run from the project root, with the benchmark extras installed (``pip install -e '.[bench]'``):

    .venv/bin/python benchmarks/access_vs_pysal.py [--repeats 3] [--seed 20250601]
        [--max-cost 3000] [--steps 1000:1,2000:0.68,3000:0.22]

One deterministic random instance: 5,000 demand zones and 1,000 childcare centres at
random positions in a 20 km x 20 km square, with the straight-line cost in metres of
*every* one of the 5,000,000 zone-centre pairs. Both implementations compute plain 2SFCA
(catchment 3,000 m) and E2SFCA (steps ``1000:1,2000:0.68,3000:0.22``, catchment 3,000 m)
on the same arrays, the results are compared (largest absolute difference, which must be
at most 1e-9; PySAL's missing values for zones out of reach count as 0), and each is timed
as the best of ``--repeats`` runs (tuoyu: at least 5) with :func:`time.perf_counter`:

* PySAL: one call of ``Access.two_stage_fca`` or ``Access.enhanced_two_stage_fca``
  (E2SFCA with ``access.weights.step_fn`` of the same steps and ``max_cost``); both run
  ``access.fca.two_stage_fca`` and join the result to the object's table. Building the
  three pandas DataFrames and the ``Access`` object from the arrays is done once, before,
  and reported on its own line; reading the result column back into an array is not
  timed.
* tuoyu: building :class:`~tuoyu.engine.accessibility.CostPairs` from the same three
  arrays (conversion and validation), parsing the steps, and the 2SFCA or E2SFCA call.

The goal is tuoyu at least 30 times faster than PySAL on E2SFCA; plain 2SFCA, where PySAL
runs a single pandas merge and group-by, is shown for context. The exit status is
1 when the results differ by more than 1e-9.
"""

from __future__ import annotations

import argparse
import functools
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tuoyu.engine.accessibility import (
    CostPairs,
    enhanced_two_step_fca,
    parse_steps,
    two_step_fca,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
T = TypeVar("T")

N_DEMAND = 5_000
N_SUPPLY = 1_000
SIDE_M = 20_000.0
MAX_COST = 3_000.0
STEPS = "1000:1,2000:0.68,3000:0.22"
TOLERANCE = 1e-9
GOAL_RATIO = 30.0


@dataclass(frozen=True)
class Instance:
    """Demand, supply and the cost of every demand-supply pair, as plain arrays."""

    demand: FloatArray
    supply: FloatArray
    origin: IntArray
    dest: IntArray
    cost: FloatArray


def build_instance(seed: int) -> Instance:
    """Children per zone (0-299), slots per centre (10-149), planar distances in metres."""
    rng = np.random.default_rng(seed)
    zones = rng.uniform(0.0, SIDE_M, size=(N_DEMAND, 2))
    centres = rng.uniform(0.0, SIDE_M, size=(N_SUPPLY, 2))
    demand = rng.integers(0, 300, size=N_DEMAND).astype(np.float64)
    supply = rng.integers(10, 150, size=N_SUPPLY).astype(np.float64)
    origin = np.repeat(np.arange(N_DEMAND, dtype=np.int64), N_SUPPLY)
    dest = np.tile(np.arange(N_SUPPLY, dtype=np.int64), N_DEMAND)
    cost = np.hypot(zones[origin, 0] - centres[dest, 0], zones[origin, 1] - centres[dest, 1])
    return Instance(demand=demand, supply=supply, origin=origin, dest=dest, cost=cost)


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


def ours(instance: Instance, method: str, max_cost: float, steps: str) -> FloatArray:
    """tuoyu's access from the raw arrays (pairs built and validated inside the timing)."""
    pairs = CostPairs(instance.origin, instance.dest, instance.cost)
    if method == "2sfca":
        return two_step_fca(instance.demand, instance.supply, pairs, max_cost=max_cost)
    return enhanced_two_step_fca(
        instance.demand, instance.supply, pairs, steps=parse_steps(steps), max_cost=max_cost
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement; the best counts")
    parser.add_argument("--seed", type=int, default=20250601, help="seed of the random instance")
    parser.add_argument("--max-cost", type=float, default=MAX_COST, help="catchment in metres")
    parser.add_argument("--steps", default=STEPS, help="E2SFCA steps, upper:weight,...")
    args = parser.parse_args(argv)
    max_cost: float = args.max_cost
    steps: str = args.steps

    try:
        import access
        import pandas as pd
        from access import weights
    except ImportError as error:
        print(f"PySAL access is not installed ({error}); run: pip install -e '.[bench]'", file=sys.stderr)
        return 2

    instance = build_instance(args.seed)
    print(
        f"instance: {N_DEMAND:,} demand zones x {N_SUPPLY:,} centres = {instance.cost.size:,} pairs "
        f"in a {SIDE_M / 1000:g} km square (seed {args.seed}); "
        f"{np.count_nonzero(instance.cost <= max_cost):,} pairs within {max_cost:g} m"
    )
    print(f"2SFCA catchment {max_cost:g} m; E2SFCA steps {steps} and the same catchment")
    print(
        f"versions: access {getattr(access, '__version__', '?')}, pandas {pd.__version__}, "
        f"numpy {np.__version__}; best of {args.repeats} runs each"
    )

    def setup() -> Any:
        demand_df = pd.DataFrame({"children": instance.demand}, index=pd.Index(range(N_DEMAND), name="geoid"))
        supply_df = pd.DataFrame({"slots": instance.supply}, index=pd.Index(range(N_SUPPLY), name="geoid"))
        cost_df = pd.DataFrame({"origin": instance.origin, "dest": instance.dest, "cost": instance.cost})
        return access.Access(
            demand_df=demand_df,
            demand_value="children",
            supply_df=supply_df,
            supply_value="slots",
            cost_df=cost_df,
            cost_origin="origin",
            cost_dest="dest",
            cost_name="cost",
        )

    setup_time, model = best_of(setup, args.repeats)
    # Each run replaces the previous result column; keep the "Overwriting" notices quiet.
    logging.getLogger("access").setLevel(logging.WARNING)
    print(f"PySAL setup (DataFrames and Access object, not in the timings below): {setup_time * 1000:.1f} ms")
    step_fn = weights.step_fn(dict(_step_pairs(steps)))

    def pysal(method: str) -> Any:
        if method == "2sfca":
            return model.two_stage_fca(name=method, max_cost=max_cost)
        return model.enhanced_two_stage_fca(name=method, max_cost=max_cost, weight_fn=step_fn)

    rows: list[tuple[str, float, float, float]] = []
    for method in ("2sfca", "e2sfca"):
        pysal_time, table = best_of(functools.partial(pysal, method), args.repeats)
        our_time, our_access = best_of(
            functools.partial(ours, instance, method, max_cost, steps), max(args.repeats, 5)
        )
        # PySAL leaves NaN for zones with no centre in reach, where tuoyu gives 0.
        column = table[f"{method}_slots"].reindex(range(N_DEMAND)).fillna(0.0)
        pysal_access = np.asarray(column.to_numpy(), dtype=np.float64)
        rows.append((method, pysal_time, our_time, _max_abs_difference(our_access, pysal_access)))

    print()
    print(f"{'method':<8} {'PySAL (s)':>10} {'tuoyu (s)':>10} {'ratio':>8} {'max abs diff':>13}")
    for method, pysal_time, our_time, difference in rows:
        ratio = pysal_time / our_time
        print(f"{method:<8} {pysal_time:>10.3f} {our_time:>10.4f} {ratio:>7.1f}x {difference:>13.2e}")
    print()
    worst = max(row[3] for row in rows)
    e2sfca = next(row[1] / row[2] for row in rows if row[0] == "e2sfca")
    agreement = "ok" if worst <= TOLERANCE else "FAIL"
    speed = "met" if e2sfca >= GOAL_RATIO else "not met"
    print(f"max abs difference: {worst:.3e} (tolerance {TOLERANCE:g}): {agreement}")
    print(f"E2SFCA ratio: {e2sfca:.1f}x (goal {GOAL_RATIO:g}x): {speed}; 2SFCA is shown for context")
    return 0 if worst <= TOLERANCE else 1


def _step_pairs(text: str) -> list[tuple[float, float]]:
    steps = parse_steps(text)
    return list(zip(steps.upper.tolist(), steps.weights.tolist(), strict=True))


def _max_abs_difference(a: FloatArray, b: FloatArray) -> float:
    """Largest absolute difference; infinities must sit at the same places (else ``inf``)."""
    if a.shape != b.shape:
        return float("inf")
    infinite = np.isinf(a) | np.isinf(b)
    if not np.array_equal(a[infinite], b[infinite]):
        return float("inf")
    finite = ~infinite
    return float(np.max(np.abs(a[finite] - b[finite]), initial=0.0))


if __name__ == "__main__":
    raise SystemExit(main())
