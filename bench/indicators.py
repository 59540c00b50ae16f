#!/usr/bin/env python3
"""National-scale benchmark of the indicator engine, against PostgreSQL.

    python bench/indicators.py [--seed 1] [--year 2025] [--scale 1.0] [--keep]
                               [--database NAME] [--json FILE]

Creates a fresh database (`--database`, default BENCH_DATABASE_URL or innoportal_bench on the
local PostgreSQL),
generates the national exchange file (bench/generate_national.py) if it is missing, and prints:
import time and peak memory; full recompute of one year for all organisations (time, peak
memory); one organisation's recompute after a single phase change; median and p95 server time
and query count of GET /api/v1/indicators/?year=Y for all organisations; and, in the same run,
the time of one hand-written SQL aggregate of the stock points per organisation — the floor the
full recompute is measured against. Targets (issue 6): full recompute <= 15 s and <= 3 x the
floor, peak memory <= 300 MB, one-organisation recompute <= 150 ms, indicator list median
<= 150 ms with <= 10 queries, import <= 180 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import add_database_argument, admin_url, database_name, database_url  # noqa: E402


def child_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, DEBUG="false", SECRET_KEY="bench-only-secret-key",
               SECURE_SSL_REDIRECT="false", ALLOWED_HOSTS="testserver,127.0.0.1",
               DJANGO_SETTINGS_MODULE="innoportal.settings", LOG_LEVEL="WARNING")
    # Production shape: work after a change goes to the queue, not into the measured process.
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    return env


def timed_child(args: list[str], env: dict) -> tuple[float, float, str]:
    """Run a manage.py command; returns (seconds, peak RSS in MB of that process, stderr)."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", (
        "import os, resource, sys, subprocess;"
        "r = subprocess.run([sys.executable, 'manage.py'] + sys.argv[1:], capture_output=True,"
        " text=True);"
        "sys.stderr.write(r.stderr);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);"
        "sys.exit(r.returncode)"), *args], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{proc.stderr}")
    peak_mb = int(proc.stdout.strip().splitlines()[-1]) / 1024
    return seconds, peak_mb, proc.stderr.strip()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    add_database_argument(parser)
    args = parser.parse_args()
    if args.scale <= 0 or args.runs < 1:
        parser.error("--scale and --runs must be positive")

    url = database_url(args)
    env = child_env(url)
    name = database_name(url)
    admin = admin_url(url)
    data = ROOT / "bench" / "out" / (f"national-{args.seed}.json" if args.scale == 1.0
                                     else f"national-{args.seed}-{args.scale}.json")
    generator = ROOT / "bench" / "generate_national.py"
    if not data.exists() or data.stat().st_mtime < generator.stat().st_mtime:
        # Missing, or made by an older generator: made again.
        print(f"generating {data.name} …", flush=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate_national.py"),
                        "--seed", str(args.seed), "--scale", str(args.scale), "--out",
                        str(data)], check=True)

    import psycopg2

    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                   check=True)

    figures: dict[str, object] = {"file": data.name}
    # The site refuses files over PORTFOLIO_IMPORT_MAX_BYTES (256 MB by default); the national
    # file at --scale 10 is 855 MB, imported by the operator's command with the limit raised.
    limit = max(data.stat().st_size + 1, 256 * 1024 * 1024)
    seconds, peak, log = timed_child(["portfolio", "import", str(data)],
                                     {**env, "PORTFOLIO_IMPORT_MAX_BYTES": str(limit)})
    figures["import_s"] = round(seconds, 1)
    figures["import_peak_MB"] = round(peak)
    print(f"import: {seconds:.1f} s, peak {peak:.0f} MB — {log.splitlines()[-1]}", flush=True)
    # A live database is vacuumed by autovacuum; right after a bulk import nothing is, and
    # index-only scans would read the heap. Measure the state the service runs in.
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)")
    conn.close()

    seconds, peak, log = timed_child(["indicators", "compute", "--year", str(args.year)], env)
    figures["full_recompute_process_s"] = round(seconds, 2)
    figures["full_recompute_peak_MB"] = round(peak)
    print(f"full recompute {args.year} (whole process): {seconds:.2f} s, peak {peak:.0f} MB "
          f"— {log.splitlines()[-1]}", flush=True)

    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    figures.update(in_process(args.year, args.runs))
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))
    if not args.keep:
        from django.db import connections

        connections.close_all()
        conn = psycopg2.connect(admin)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.close()
    return 0


def in_process(year: int, runs: int) -> dict:
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from indicators.models import period_bounds
    from indicators.services import indicators_recompute, scheme_for
    from initiatives.models import PhaseChange
    from initiatives.phase_log import phase_change_record
    from portal.models import User

    out: dict[str, object] = {}
    start, end = period_bounds(year)
    points = scheme_for(end).values().phase_points

    # The floor: one hand-written aggregate of the stock points per organisation.
    cases = " ".join(f"WHEN '{p}' THEN {v}" for p, v in points.items())
    floor_sql = (f"SELECT organisation_id, SUM(CASE to_phase {cases} ELSE 0 END) "
                 f"FROM projects_phasechange WHERE effective_date <= %s "
                 f"AND (valid_until IS NULL OR valid_until > %s) GROUP BY organisation_id")

    def floor_once() -> float:
        t = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(floor_sql, [end, end])
            cur.fetchall()
        return time.perf_counter() - t

    def recompute_once() -> tuple[float, int]:
        t = time.perf_counter()
        count = indicators_recompute(year=year)
        return time.perf_counter() - t, count

    # The floor and the recompute alternate, so a slower minute of a shared host weighs on
    # both: the ratio is the median of each pair's ratio (measured apart, the two medians
    # moved by a third between runs on a noisy host).
    floor_once()
    recompute_once()  # warm, as the floor: what a worker's second recompute costs
    full, floor, ratios = [], [], []
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(max(5, runs)):
        floor.append(floor_once())
        seconds, count = recompute_once()
        full.append(seconds)
        ratios.append(seconds / floor[-1])
    out["sql_floor_ms"] = round(statistics.median(floor) * 1000, 1)
    out["full_recompute_s"] = round(statistics.median(full), 2)
    out["full_recompute_organisations"] = count
    out["full_recompute_vs_floor"] = round(statistics.median(ratios), 1)
    out["bench_process_peak_MB"] = round(max(peak_before, resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss) / 1024)
    print(f"full recompute {year}: median {out['full_recompute_s']} s for {count} "
          f"organisations; SQL floor {out['sql_floor_ms']} ms "
          f"(ratio {out['full_recompute_vs_floor']}x)", flush=True)

    # One organisation after a single phase change: the busiest organisation's open project.
    busiest = (PhaseChange.objects.filter(valid_until__isnull=True,
                                          to_phase__in=["concept", "pilot"])
               .values("organisation_id").order_by().annotate(
                   n=__import__("django.db.models", fromlist=["Count"]).Count("id"))
               .order_by("-n").first())
    org_id = busiest["organisation_id"]
    change = PhaseChange.objects.filter(organisation_id=org_id, valid_until__isnull=True,
                                        to_phase="concept").select_related("initiative").first()
    single = []
    for n in range(runs):
        with transaction.atomic():
            phase_change_record(initiative=change.initiative,
                                to_phase="pilot" if n % 2 == 0 else "concept",
                                effective_date=None, actor=None)
        t = time.perf_counter()
        indicators_recompute(year=year, organisation_ids=[org_id])
        single.append(time.perf_counter() - t)
    out["one_org_recompute_ms_median"] = round(statistics.median(single) * 1000, 1)
    out["one_org_recompute_ms_p95"] = round(percentile(single, 95) * 1000, 1)
    print(f"one organisation after a phase change: median "
          f"{out['one_org_recompute_ms_median']} ms, p95 {out['one_org_recompute_ms_p95']} ms",
          flush=True)

    analyst, _ = User.objects.get_or_create(username="bench-analyst",
                                            defaults={"is_national_analyst": True})
    client = Client()
    client.force_login(analyst)
    for label, params in (("indicator_list_all", {"year": year, "page_size": 500}),
                          ("indicator_list_page", {"year": year})):
        times, queries = [], []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                response = client.get("/api/v1/indicators/", params)
                times.append(time.perf_counter() - t)
            assert response.status_code == 200, response.content[:300]
            queries.append(len(ctx.captured_queries))
        out[f"{label}_ms_median"] = round(statistics.median(times) * 1000, 1)
        out[f"{label}_ms_p95"] = round(percentile(times, 95) * 1000, 1)
        out[f"{label}_queries"] = max(queries)
        print(f"GET /api/v1/indicators/ {params}: median {out[f'{label}_ms_median']} ms, "
              f"p95 {out[f'{label}_ms_p95']} ms, {max(queries)} queries", flush=True)
    return out


if __name__ == "__main__":
    sys.exit(main())
