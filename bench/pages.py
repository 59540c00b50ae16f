#!/usr/bin/env python3
"""Server time of the pages people use every day, at national scale (issue 18).

    python bench/indicators.py --seed 1 --keep [--database NAME]   # once: the national data
    python bench/pages.py [--database NAME] [--runs 30] [--organisations 1]
                          [--profile DIR] [--explain] [--json FILE] [--smoke] [--no-settle]

As the manager of the largest municipality (`--organisations 5`: of the five largest, as in
the issue's first table), through Django's test client with production settings (DEBUG off):
the idea list, the project list, a big project's page, the dashboard, the indicator page, the
benefit overview and the catalogue, the similar-ideas suggestion while typing, and the API's
idea list (what a REST client pages through: every idea the manager may see, with its exact
count). Per page, twice: **rendered** (each visit with the cache of rendered pages emptied, as
after any change to the data: portal.page_cache) and **cached** (visits while the data stays
as it is: the page comes from the cache): median and p95 server time, Django's CPU time, the
number of queries and the time spent in SQL, beside the targets (issue 18: median <= 25 ms,
p95 <= 50 ms, <= 12 queries; the suggestion <= 30 ms median). The suggestion and the API list
are not cached pages: one row each. `--profile DIR` writes a pyinstrument profile per page,
`--explain` prints EXPLAIN (ANALYZE, BUFFERS) of each page's slowest query. Exit status 0
unless a page fails to answer 200 (a figure over its target is printed, not fatal: the machine
is shared). `--smoke` runs 2 rounds, for CI against a small database.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import add_database_argument, database_url  # noqa: E402
from serving import app_env, machine_reference, percentile, setup_django  # noqa: E402

TARGET_MEDIAN_MS, TARGET_P95_MS, TARGET_QUERIES = 25, 50, 12
TARGET_SIMILAR_MS = 30
SIMILAR_TEXT = ("Digitalt nattilsyn med sensorer i omsorgsboliger",
                "Nattlige tilsynsbesøk vekker brukerne og tar mye tid for nattpatruljen")


def bench_manager(organisations: int):
    from portal.models import Membership, Organisation, User
    from portal.roles import Role

    username = f"bench-pages-manager-{organisations}"
    user, _ = User.objects.get_or_create(username=username,
                                         defaults={"first_name": "Bench", "last_name": "Leder"})
    largest = list(Organisation.objects.filter(kind="municipality")
                   .order_by("-population", "pk")[:organisations])
    if not largest:
        sys.exit("The bench database has no municipalities: build it with "
                 "bench/indicators.py --keep.")
    for org in largest:
        Membership.objects.get_or_create(user=user, organisation=org,
                                         defaults={"role": Role.MANAGER})
    return user, largest


def big_project(organisations) -> int | None:
    """The project of the largest municipality with the longest history and most benefits."""
    from django.db.models import Count

    from projects.models import Project

    row = (Project.objects.filter(organisation=organisations[0])
           .annotate(n=Count("initiative__phase_changes", distinct=True)
                     + Count("benefits", distinct=True))
           .order_by("-n", "pk").values_list("pk", flat=True).first())
    return row


def empty_page_cache() -> None:
    """A new namespace of cached pages: the next visit of every page renders it."""
    import uuid

    from django.conf import settings

    settings.PAGE_CACHE_SALT = uuid.uuid4().hex


def measure(client, path: str, params: dict, runs: int, *, profile_dir: Path | None,
            label: str, rendered: bool) -> dict:
    """`rendered`: every visit renders the page; else every visit after the first is served
    from the cache (or renders, for a view that is not cached: `cache` says which)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path, params)  # warm: templates, caches, the connection
    if response.status_code != 200:
        raise SystemExit(f"GET {path} {params}: HTTP {response.status_code}")
    times, cpu, queries, sql, served = [], [], [], [], []
    slowest: tuple[float, str] = (0.0, "")
    for _ in range(runs):
        if rendered:
            empty_page_cache()
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(path, params)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} {params}: HTTP {response.status_code}")
        served.append(response.get("X-Page-Cache", "not cached"))
        queries.append(len(captured.captured_queries))
        sql.append(sum(float(q["time"]) for q in captured.captured_queries))
        for q in captured.captured_queries:
            if float(q["time"]) > slowest[0]:
                slowest = (float(q["time"]), q["sql"])
    if profile_dir is not None:
        from pyinstrument import Profiler

        profile_dir.mkdir(parents=True, exist_ok=True)
        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(5):
                if rendered:
                    empty_page_cache()
                client.get(path, params)
        name = f"{label}{'' if rendered else '-cached'}.txt"
        (profile_dir / name).write_text(profiler.output_text(unicode=True, show_all=False))
    return {"median_ms": statistics.median(times) * 1000,
            "p95_ms": percentile(times, 95) * 1000,
            "cpu_ms": statistics.median(cpu) * 1000,
            "queries": max(queries), "sql_ms": statistics.median(sql) * 1000,
            "cache": max(set(served), key=served.count),
            "slowest_sql": slowest[1], "slowest_sql_ms": slowest[0] * 1000}


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(r[0] for r in cur.fetchall())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_argument(parser)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--organisations", type=int, default=1,
                        help="the bench manager manages this many of the largest "
                             "municipalities (default 1)")
    parser.add_argument("--only", default="", help="comma-separated page labels")
    parser.add_argument("--profile", type=Path, default=None, metavar="DIR")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--smoke", action="store_true", help="2 rounds: a CI smoke run")
    parser.add_argument("--no-settle", action="store_true",
                        help="leave out portal.runtime.settle_worker() (what gunicorn's "
                             "workers do after start-up), to compare")
    args = parser.parse_args()
    runs = 2 if args.smoke else args.runs
    if runs < 1 or args.organisations < 1:
        parser.error("--runs and --organisations must be positive")

    import os

    setup_django(app_env(database_url(args), os.environ.get("REDIS_URL")))
    from django.test import Client

    user, organisations = bench_manager(args.organisations)
    project = big_project(organisations)
    client = Client()
    client.force_login(user)
    if not args.no_settle:
        # What each gunicorn worker does once it has loaded the application
        # (gunicorn.conf.py post_worker_init): the start-up objects frozen out of the
        # garbage collector's full collections.
        from portal.runtime import settle_worker

        settle_worker()
    pages = [
        ("ideas", "/ideas/", {}),
        ("projects", "/projects/", {}),
        ("project", f"/projects/{project}/", {}),
        ("dashboard", "/dashboard/", {}),
        ("indicators", "/indicators/", {"year": args.year}),
        ("benefits", "/benefits/", {}),
        ("catalogue", "/projects/catalogue/", {}),
        ("similar", "/ideas/similar/", {"title": SIMILAR_TEXT[0], "need": SIMILAR_TEXT[1]}),
        ("api-ideas", "/api/v1/ideas/", {}),
    ]
    if project is None:
        pages = [p for p in pages if p[0] != "project"]
    if args.only:
        wanted = set(args.only.split(","))
        pages = [p for p in pages if p[0] in wanted]
    names = ", ".join(o.name for o in organisations)
    print(f"manager of {names}; {runs} runs per page; targets: median <= {TARGET_MEDIAN_MS} "
          f"ms, p95 <= {TARGET_P95_MS} ms, <= {TARGET_QUERIES} queries (suggestion: median "
          f"<= {TARGET_SIMILAR_MS} ms)", flush=True)
    reference = machine_reference()
    print(f"machine reference: {reference:.2f} s for 5 M steps of Python (bench/serving.py)",
          flush=True)
    print(f"{'page':<34}{'median':>8}{'p95':>7}{'cpu':>7}{'queries':>9}{'sql ms':>8}  "
          f"targets (median/p95/queries)")
    results = {}
    for label, path, params in pages:
        for rendered in (True, False):
            r = measure(client, path, params, runs, profile_dir=args.profile, label=label,
                        rendered=rendered)
            if not rendered and r["cache"] == "not cached":
                break  # the same row again
            key = label if rendered else f"{label} cached"
            results[key] = {"path": path, **{k: v for k, v in r.items() if k != "slowest_sql"}}
            median_target = TARGET_SIMILAR_MS if label == "similar" else TARGET_MEDIAN_MS
            ok = (r["median_ms"] <= median_target and (label == "similar" or (
                r["p95_ms"] <= TARGET_P95_MS and r["queries"] <= TARGET_QUERIES)))
            shown = (path + ("?" + "&".join(f"{k}=…" for k in params) if params else "")
                     )[:25 if r["cache"] != "not cached" else 33]
            shown += {"miss": " rendered", "hit": " cached"}.get(r["cache"], "")
            print(f"{shown:<34}{r['median_ms']:>6.1f}ms{r['p95_ms']:>5.0f}ms"
                  f"{r['cpu_ms']:>5.0f}ms{r['queries']:>9}{r['sql_ms']:>8.1f}  "
                  f"{median_target}/{TARGET_P95_MS}/{TARGET_QUERIES} "
                  f"{'met' if ok else 'NOT MET'}", flush=True)
            if rendered and r["cache"] not in ("miss", "not cached"):
                raise SystemExit(f"GET {path}: the rendered visits were {r['cache']}")
            if not rendered and r["cache"] != "hit":
                raise SystemExit(f"GET {path}: the repeated visits were {r['cache']}, "
                                 "not served from the cache")
        if args.explain and r["slowest_sql"]:
            print(f"  slowest query ({r['slowest_sql_ms']:.1f} ms): {r['slowest_sql'][:400]}")
            print("  " + explain(r["slowest_sql"]).replace("\n", "\n  "))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"organisations": names, "runs": runs,
                                         "machine_reference_s": round(reference, 3),
                                         "pages": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
