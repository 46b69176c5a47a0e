"""Server time and query count of the indicators endpoint and the dashboard at province size.

Run on PostgreSQL against a synthetic province-size dataset (1,500 townships, 12,000
institutions, 40,000 classes, 100,000 staff):

    createdb -h 127.0.0.1 -U postgres tuoyu_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/tuoyu_bench
    .venv/bin/python benchmarks/dashboard.py --generate

``--generate`` migrates and builds the dataset first (a few minutes); later runs reuse it.
Requests go through Django's test client in this process, so the figures are server time
(URL routing, views, queries, the engine, rendering) without network or browser. "Cold"
clears the per-process report cache before each request, so the figures are computed from
the database; "warm" reads them back for an unchanged registry revision (the cache's two
look-ups included). The dashboard computes three dates (two year-ends and the as-of date)
for its trend lines. The loader and the engine are also timed on their own. Goal: under
300 ms each, with a query count that does not depend on the size of the registry.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuoyu.settings")
os.environ.setdefault("TUOYU_AXES_ENABLED", "0")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from tuoyu.accounts.models import Role, User  # noqa: E402
from tuoyu.common.revision_cache import revision_caches_clear  # noqa: E402
from tuoyu.engine.indicators import compute_indicators  # noqa: E402
from tuoyu.indicators.loader import certification_rules, registry_snapshot  # noqa: E402
from tuoyu.indicators.selectors import targets_for  # noqa: E402
from tuoyu.registry import demo  # noqa: E402
from tuoyu.registry.models import CareClass, Employment, Institution, Township  # noqa: E402

AS_OF = dt.date(2025, 12, 31)


def _timed(action: Callable[[], object], runs: int) -> tuple[list[float], int]:
    action()  # warm-up: connection, template and import caches
    timings = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            action()
            timings.append((time.perf_counter() - start) * 1000)
        queries = len(captured.captured_queries)
    return timings, queries


def _row(name: str, timings: list[float], queries: int | None) -> dict[str, object]:
    return {
        "what": name,
        "median_ms": round(statistics.median(timings), 1),
        "min_ms": round(min(timings), 1),
        "max_ms": round(max(timings), 1),
        "queries": queries,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--generate", action="store_true", help="migrate and build the province dataset first"
    )
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    if args.generate:
        call_command("migrate", verbosity=0)
        if not Institution.objects.exists():
            started = time.perf_counter()
            demo.build_province(seed=2025, progress=lambda message: print(message, flush=True))
            print(f"province dataset built in {time.perf_counter() - started:.1f} s")

    sizes = {
        "database": connection.vendor,
        "townships": Township.objects.count(),
        "institutions": Institution.objects.count(),
        "classes": CareClass.objects.count(),
        "employments": Employment.objects.count(),
    }
    print("dataset:", json.dumps(sizes))

    admin, _created = User.objects.get_or_create(
        username="benchmark-admin", defaults={"role": Role.BUREAU_ADMIN, "is_staff": True}
    )
    client = Client()
    client.force_login(admin)
    rules = certification_rules()
    targets, _year = targets_for(year=AS_OF.year)
    snapshot = registry_snapshot(as_of=AS_OF, rules=rules)

    def api() -> None:
        response = client.get("/api/v1/indicators", {"as_of": AS_OF.isoformat()})
        assert response.status_code == 200, response.status_code

    def dashboard() -> None:
        response = client.get(reverse("indicators:dashboard"), {"as_of": AS_OF.isoformat()})
        assert response.status_code == 200, response.status_code

    def cold(action: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            revision_caches_clear()
            action()

        return run

    rows = []
    for name, action in (
        ("GET /api/v1/indicators, cold (figures computed)", cold(api)),
        ("GET /api/v1/indicators, warm (same registry revision)", api),
        ("GET /indicators/ dashboard, cold (3 dates computed)", cold(dashboard)),
        ("GET /indicators/ dashboard, warm", dashboard),
        ("loader: registry_snapshot", lambda: registry_snapshot(as_of=AS_OF, rules=rules)),
        (
            "engine: compute_indicators",
            lambda: compute_indicators(snapshot, as_of=AS_OF, targets=targets, certification=rules),
        ),
    ):
        timings, queries = _timed(action, args.runs)
        rows.append(_row(name, timings, queries))

    width = max(len(str(row["what"])) for row in rows)
    print(f"{'what':<{width}}  median ms  min ms  max ms  queries")
    for row in rows:
        print(
            f"{row['what']:<{width}}  {row['median_ms']:>9}  {row['min_ms']:>6}  {row['max_ms']:>6}  "
            f"{row['queries']:>7}"
        )
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    (results / "dashboard.json").write_text(json.dumps({"dataset": sizes, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
