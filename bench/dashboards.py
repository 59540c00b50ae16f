#!/usr/bin/env python3
"""Server time of the dashboard pages at national scale (issue 7: median <= 300 ms).

    python bench/indicators.py --keep      # once: builds innoportal_bench with the national data
    python bench/dashboards.py [--runs 15] [--database NAME]

Against the kept bench database (`--database`, default BENCH_DATABASE_URL or
innoportal_bench): for the five largest municipalities, GET /dashboard/ and GET /indicators/
through Django's test client, as a manager of each; then the analysts' page
/indicators/analysis/ as a national analyst (all municipalities) and as a
network analyst (a network of one county's municipalities), over a few filter combinations.
Prints median and p95 server time and the query count per page."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import add_database_argument, database_url  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--year", type=int, default=2025)
    add_database_argument(parser)
    args = parser.parse_args()
    os.environ.update(DATABASE_URL=database_url(args),
                      DJANGO_SETTINGS_MODULE="innoportal.settings", DEBUG="1",
                      SECRET_KEY="bench-only", ALLOWED_HOSTS="testserver")
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.models import Membership, Network, Organisation, User
    from portal.roles import Role

    user, _ = User.objects.get_or_create(username="bench-manager")
    largest = list(Organisation.objects.filter(kind="municipality")
                   .order_by("-population")[:5])
    for org in largest:
        Membership.objects.get_or_create(user=user, organisation=org,
                                         defaults={"role": Role.MANAGER})
    client = Client()
    client.force_login(user)

    def measure(client, path, variants, what):
        times, cpu, queries = [], [], []
        for params in variants:
            client.get(path, params)  # warm
            for _ in range(args.runs):
                with CaptureQueriesContext(connection) as captured:
                    start, start_cpu = time.perf_counter(), time.process_time()
                    response = client.get(path, params)
                    times.append(time.perf_counter() - start)
                    cpu.append(time.process_time() - start_cpu)
                assert response.status_code == 200, response.status_code
                queries.append(len(captured))
        times.sort()
        # The CPU time of this process (Django's side, without PostgreSQL's) is the part a
        # busy machine inflates least: shown beside the wall-clock server time.
        print(f"GET {path} ({what} × {args.runs}): median "
              f"{statistics.median(times) * 1000:.0f} ms, p95 "
              f"{times[int(len(times) * 0.95) - 1] * 1000:.0f} ms, Django CPU median "
              f"{statistics.median(cpu) * 1000:.0f} ms, queries "
              f"{min(queries)}–{max(queries)}", flush=True)

    for path, extra in (("/dashboard/", {}), ("/indicators/", {"year": args.year})):
        measure(client, path, [{"organisation": org.org_number, **extra} for org in largest],
                "5 largest municipalities")

    county = (Organisation.objects.filter(kind="municipality").values("county")
              .annotate(n=Count("pk")).order_by("-n", "county")[0]["county"])
    # The analysts' page: the default view, a quarter per inhabitant sorted by change on
    # page 2, benefit points with the trend per county, and one county's medium municipalities.
    analysis = [{"year": args.year}, {"year": args.year, "quarter": 4, "per_capita": "on",
                                      "sort": "-change", "page": 2},
                {"year": args.year, "measure": "benefit_points", "trend_by": "county"},
                {"year": args.year, "county": county, "size_class": "medium"}]
    national, _ = User.objects.get_or_create(username="bench-national",
                                             defaults={"is_national_analyst": True})
    client.force_login(national)
    count = Organisation.objects.filter(kind="municipality").count()
    measure(client, "/indicators/analysis/", analysis,
            f"national analyst, {count} municipalities, 4 filter sets")
    analyst, _ = User.objects.get_or_create(username="bench-network-analyst")
    network, _ = Network.objects.get_or_create(name="Bench: " + county)
    network.organisations.set(Organisation.objects.filter(county=county))
    network.analysts.add(analyst)
    client.force_login(analyst)
    measure(client, "/indicators/analysis/", analysis[:1] + analysis[2:3],
            f"network analyst, {network.organisations.count()} organisations, 2 filter sets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
