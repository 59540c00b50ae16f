#!/usr/bin/env python3
"""Server time of the dashboard pages at national scale (issue 7: median <= 300 ms).

    python bench/indicators.py --keep      # once: builds innoportal_bench with the national data
    python bench/dashboards.py [--runs 15]

Against the kept bench database (or BENCH_DATABASE_URL): for the five largest municipalities,
GET /dashboard/ and GET /indicators/ through Django's test client, as a manager of each; prints
median and p95 server time and the query count per page."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/innoportal_bench"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    os.environ.update(DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB),
                      DJANGO_SETTINGS_MODULE="portal.settings", DEBUG="1",
                      SECRET_KEY="bench-only", ALLOWED_HOSTS="testserver")
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.models import Membership, Organisation, User
    from portal.roles import Role

    user, _ = User.objects.get_or_create(username="bench-manager")
    largest = list(Organisation.objects.filter(kind="municipality")
                   .order_by("-population")[:5])
    for org in largest:
        Membership.objects.get_or_create(user=user, organisation=org,
                                         defaults={"role": Role.MANAGER})
    client = Client()
    client.force_login(user)
    for name, path, extra in (("dashboard", "/dashboard/", {}),
                              ("indicators", "/indicators/", {"year": args.year})):
        times, queries = [], []
        for org in largest:
            params = {"organisation": org.org_number, **extra}
            client.get(path, params)  # warm
            for _ in range(args.runs):
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    response = client.get(path, params)
                    times.append(time.perf_counter() - start)
                assert response.status_code == 200, response.status_code
                queries.append(len(captured))
        times.sort()
        print(f"GET {path} (5 largest municipalities × {args.runs}): median "
              f"{statistics.median(times) * 1000:.0f} ms, p95 "
              f"{times[int(len(times) * 0.95) - 1] * 1000:.0f} ms, queries "
              f"{min(queries)}–{max(queries)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
