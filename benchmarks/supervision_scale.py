"""Time of the 双随机 draw and of credit grading at province size.

Run from the project root (no database, no Django)::

    .venv/bin/python benchmarks/supervision_scale.py [--seed 1]

The issue names no peer library for these; the figures show whether a province-size
plan and a nightly regrading are practical on one core:

* draw: 12,000 institutions over 1,500 townships with random grades A–D, 300 inspectors,
  500 declared conflicts, the default ratios and 2 inspectors per task; then
  ``draw_verify`` re-running it from the published data;
* credit: 12,000 institutions and 200,000 events of every kind over about five and a
  half years, graded on one day with the default rules.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time

import numpy as np

from tuoyu.engine import credit, draw, lottery

INSTITUTIONS = 12_000
TOWNSHIPS = 1_500
INSPECTORS = 300
CONFLICTS = 500
EVENTS = 200_000
AS_OF = dt.date(2026, 11, 29)


def bench_draw(seed: int) -> None:
    rng = random.Random(seed)
    townships = [f"T{i:04d}" for i in range(TOWNSHIPS)]
    institutions = [
        draw.Institution(id=f"I{i:05d}", township=rng.choice(townships), grade=rng.choice("ABCD"))
        for i in range(INSTITUTIONS)
    ]
    inspectors = [draw.Inspector(id=f"P{i:04d}", township=rng.choice(townships)) for i in range(INSPECTORS)]
    conflicts = list(
        dict.fromkeys((rng.choice(inspectors).id, rng.choice(institutions).id) for _ in range(CONFLICTS))
    )
    parameters = draw.DrawParameters()
    seed_hex = lottery.seed_new()
    started = time.perf_counter()
    result = draw.draw_run(
        seed=seed_hex,
        institutions=institutions,
        inspectors=inspectors,
        conflicts=conflicts,
        parameters=parameters,
    )
    drawn = time.perf_counter() - started
    published = draw.draw_publish(
        result, institutions=institutions, inspectors=inspectors, conflicts=conflicts, parameters=parameters
    )
    started = time.perf_counter()
    problems = draw.draw_verify(published)
    verified = time.perf_counter() - started
    print(
        f"draw {INSTITUTIONS:,} institutions x {INSPECTORS} inspectors: {drawn:.3f} s, "
        f"{len(result.tasks):,} tasks, {len(result.unstaffed)} unstaffed; "
        f"draw_verify {verified:.3f} s, {len(problems)} problems"
    )


def bench_credit(seed: int) -> None:
    generator = np.random.default_rng(seed)
    kinds = list(credit.CreditRules().points)
    event_kind = [kinds[k] for k in generator.integers(0, len(kinds), EVENTS)]
    event_date = np.datetime64(AS_OF.isoformat()) - generator.integers(0, 2000, EVENTS).astype(
        "timedelta64[D]"
    )
    started = time.perf_counter()
    result = credit.credit_scores(
        institution_ids=np.arange(INSTITUTIONS, dtype=np.int64),
        event_institution=generator.integers(0, INSTITUTIONS, EVENTS),
        event_kind=event_kind,
        event_date=event_date,
        event_count=np.ones(EVENTS, dtype=np.int64),
        as_of=AS_OF,
    )
    seconds = time.perf_counter() - started
    grades = {grade: int((result.grade == grade).sum()) for grade in credit.GRADES}
    print(f"credit_scores {INSTITUTIONS:,} institutions, {EVENTS:,} events: {seconds:.3f} s; grades {grades}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    bench_draw(args.seed)
    bench_credit(args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
