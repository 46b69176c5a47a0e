"""Deferred acceptance of ``tuoyu.engine.matching`` against the ``matching`` library.

Run from the project root, with the benchmark extras installed (``matching`` 1.4):

    .venv/bin/python benchmarks/matching_vs_peer.py [--seed 20250601] [--skip-large]

Instances are deterministic for a seed: every child lists ``k = 5`` distinct places drawn
with a skewed popularity (weights from a gamma distribution, so some places are
oversubscribed and rejection chains are long), and priorities are an independent lottery
at each place (a random permutation of all (child, choice) cells, hence strict). Every
place has between 50% and 150% of the average number of seats per child.

1. 32,000 children, 800 places. ``matching``'s ``HospitalResident`` (residents =
   children, hospitals = places ranking exactly their applicants by priority) solves it
   resident-optimally; the assignments must be identical to tuoyu's. Timed with
   :func:`time.perf_counter`, once each:

   * peer: ``HospitalResident.create_from_dictionaries(...)`` and ``.solve(optimal=
     "resident")``. Building its three dictionaries from the arrays is reported on its own
     line and not counted: it is conversion, not matching;
   * tuoyu: ``deferred_acceptance`` on the arrays, its input validation included.

   The goal is tuoyu at least 100 times faster.
2. 1,000,000 children, 25,000 places, tuoyu alone: the time of one call (goal < 10 s), then
   the peak of memory traced by :mod:`tracemalloc` during a second call and the process's
   peak resident size (``ru_maxrss``, which includes the instance itself; goal < 2 GB).

The exit status is 1 when the two assignments differ.
"""

from __future__ import annotations

import argparse
import resource
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tuoyu.engine.matching import deferred_acceptance

IntArray = npt.NDArray[np.int64]
K = 5


def instance(n_children: int, n_places: int, seed: int) -> tuple[IntArray, IntArray, IntArray]:
    """Preferences, priorities and capacities of a random instance (see the module docstring)."""
    rng = np.random.default_rng(seed)
    weights = rng.gamma(2.0, size=n_places)
    weights /= weights.sum()
    preferences = rng.choice(n_places, size=(n_children, K), p=weights).astype(np.int64)
    while True:  # redraw the rows that list a place twice
        ordered = np.sort(preferences, axis=1)
        repeated = np.flatnonzero((ordered[:, 1:] == ordered[:, :-1]).any(axis=1))
        if repeated.size == 0:
            break
        preferences[repeated] = rng.choice(n_places, size=(repeated.size, K), p=weights)
    priority = rng.permutation(n_children * K).astype(np.int64).reshape(n_children, K)
    average = n_children / n_places
    capacity = rng.integers(max(1, round(0.5 * average)), round(1.5 * average) + 1, n_places).astype(np.int64)
    return preferences, priority, capacity


def peer_dictionaries(
    preferences: IntArray, priority: IntArray, capacity: IntArray
) -> tuple[dict[int, list[int]], dict[int, list[int]], dict[int, int]]:
    """The peer's inputs: children's lists, each place's applicants by priority, seats."""
    resident_prefs = {child: row for child, row in enumerate(preferences.tolist())}
    places = preferences.ravel()
    children = np.repeat(np.arange(preferences.shape[0]), K)
    order = np.lexsort((priority.ravel(), places))
    hospital_prefs: dict[int, list[int]] = {place: [] for place in range(capacity.size)}
    for place, child in zip(places[order].tolist(), children[order].tolist(), strict=True):
        hospital_prefs[place].append(child)
    capacities = {place: seats for place, seats in enumerate(capacity.tolist())}
    return resident_prefs, hospital_prefs, capacities


def compare(seed: int) -> bool:
    from matching.games import HospitalResident

    n_children, n_places = 32_000, 800
    preferences, priority, capacity = instance(n_children, n_places, seed)
    seats = int(capacity.sum())
    print(f"instance: {n_children:,} children x {n_places:,} places x {K} choices, {seats:,} seats")

    start = time.perf_counter()
    dictionaries = peer_dictionaries(preferences, priority, capacity)
    convert = time.perf_counter() - start

    # The peer deep-copies its linked players recursively, which needs far more than the
    # default recursion limit and stack at this size: run it in a thread with a large stack.
    solved: list[tuple[HospitalResident, float]] = []

    def solve() -> None:
        start = time.perf_counter()
        game = HospitalResident.create_from_dictionaries(*dictionaries)
        game.solve(optimal="resident")
        solved.append((game, time.perf_counter() - start))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000_000)
    threading.stack_size(2**30)
    thread = threading.Thread(target=solve)
    thread.start()
    thread.join()
    threading.stack_size(0)
    sys.setrecursionlimit(limit)
    game, peer = solved[0]

    start = time.perf_counter()
    result = deferred_acceptance(preferences, priority, capacity)
    ours = time.perf_counter() - start

    peer_place = np.full(n_children, -1, dtype=np.int64)
    for resident in game.residents:
        if resident.matching is not None:
            peer_place[resident.name] = resident.matching.name
    same = bool(np.array_equal(peer_place, result.place_of))
    placed = int((result.place_of >= 0).sum())
    print(f"peer input dictionaries (not timed below): {convert:8.3f} s")
    print(f"matching HospitalResident create + solve:  {peer:8.3f} s")
    print(
        f"tuoyu deferred_acceptance:                 {ours:8.3f} s "
        f"({result.rounds} rounds, {placed:,} placed)"
    )
    print(f"speed-up: {peer / ours:,.0f}x (goal >= 100x); identical assignments: {same}")
    return same


def large(seed: int) -> None:
    n_children, n_places = 1_000_000, 25_000
    preferences, priority, capacity = instance(n_children, n_places, seed)
    seats = int(capacity.sum())
    print(f"instance: {n_children:,} children x {n_places:,} places x {K} choices, {seats:,} seats")
    start = time.perf_counter()
    result = deferred_acceptance(preferences, priority, capacity)
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    deferred_acceptance(preferences, priority, capacity)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    placed = int((result.place_of >= 0).sum())
    print(
        f"tuoyu deferred_acceptance: {elapsed:.3f} s (goal < 10 s), {result.rounds} rounds, {placed:,} placed"
    )
    print(f"tracemalloc peak during the call: {peak / 2**20:,.0f} MiB")
    print(f"process peak resident size (ru_maxrss): {rss_kib / 2**10:,.0f} MiB (goal < 2 GB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=20250601)
    parser.add_argument("--skip-large", action="store_true", help="skip the 1,000,000-children run")
    args = parser.parse_args()
    same = compare(args.seed)
    if not args.skip_large:
        print()
        large(args.seed)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
