#!/usr/bin/env python3
"""Load test: 50 concurrent users for 2 minutes against gunicorn on the national data set.

    python bench/indicators.py --keep     # once: builds innoportal_bench (national data)
    python bench/load.py [--users 50] [--seconds 120] [--ceiling-seconds 30] [--workers N]
                         [--database NAME] [--year 2025] [--json bench/out/load.json] [--smoke]
                         [--writes R]

Starts gunicorn (DEBUG off, `--workers` default 2 x cores + 1; Redis for the cache when
REDIS_URL is set, as in production) on a free port of 127.0.0.1
against `--database` (a name on the local PostgreSQL or a URL; default BENCH_DATABASE_URL or
the kept innoportal_bench; the bench
user, its memberships and an API token are added to it), opens `--logins` sessions through
the login form (shared by the users), then for `--seconds` each user loops over: the idea
list, the project list, a project page, the manager dashboard and
GET /api/v1/indicators/?year=Y (API token). Then, in the same run and on the same server,
`--ceiling-seconds` of the trivial /healthz view by the same number of users: the server's
ceiling. Prints requests per second, p50 and p95 per endpoint and
in total, the errors (anything but 200, or no answer), and the mix's share of the ceiling
beside issue 18's targets (>= 100 requests/s at p95 <= 800 ms, >= 12 % of the ceiling), and
per endpoint the share of answers served from the cache of rendered pages (portal.page_cache:
kept per session and page until any data changes). `--writes R`: during the mix, R writes a
second somewhere in the database (an UPDATE of an idea that leaves it as it was, but makes a
new data version, so every cached page renders again), as a busy country's users would.
Exit status 1 on any error. `--smoke`: 5 users for 3 s and 2 s of ceiling, for CI against a
small database (bench/indicators.py --scale 0.02 --keep).
Loopback only; bounded by --seconds; gunicorn is stopped at the end.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import add_database_argument, database_url  # noqa: E402
from serving import (  # noqa: E402
    Gunicorn,
    app_env,
    bench_users,
    login,
    machine_reference,
    percentile,
    request,
    setup_django,
)

TARGET_RPS, TARGET_P95_MS, TARGET_SHARE = 100, 800, 0.12


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.cached: dict[str, int] = defaultdict(int)

    def add(self, name: str, seconds: float, error: str | None, cached: bool = False) -> None:
        with self.lock:
            self.latencies[name].append(seconds)
            self.cached[name] += cached
            if error:
                self.errors[name].append(error)


def run_phase(base: str, sessions: list[dict], token: str, targets, seconds: float,
              recorder: Recorder) -> float:
    """Every user loops over its own cycle of targets until the deadline; returns the wall
    time of the phase (from the common start to the last answer)."""
    start_barrier = threading.Barrier(len(sessions) + 1)
    deadline_box: list[float] = []

    def user(index: int, cookie: dict) -> None:
        cycle = targets(index)
        start_barrier.wait()
        deadline = deadline_box[0]
        while time.monotonic() < deadline:
            name, path, auth = next(cycle)
            headers = {"Authorization": f"Token {token}"} if auth == "token" else dict(cookie)
            begun = time.perf_counter()
            cached = False
            try:
                status, body, answer = request(base, "GET", path, headers=headers, timeout=60)
                error = None if status == 200 else f"HTTP {status} {path}"
                cached = answer.get("x-page-cache") == "hit"
            except OSError as exc:
                error = f"{type(exc).__name__}: {exc} {path}"
            recorder.add(name, time.perf_counter() - begun, error, cached)

    threads = [threading.Thread(target=user, args=(i, s), daemon=True)
               for i, s in enumerate(sessions)]
    for thread in threads:
        thread.start()
    begun = time.monotonic()
    deadline_box.append(begun + seconds)
    start_barrier.wait()
    for thread in threads:
        thread.join()
    return time.monotonic() - begun


class Writer(threading.Thread):
    """`rate` writes a second until stopped: each an UPDATE of one idea that changes nothing
    in it but the data version (portal.data_version)."""

    def __init__(self, rate: float) -> None:
        super().__init__(daemon=True)
        self.rate, self.count, self.stopped = rate, 0, threading.Event()

    def __enter__(self) -> Writer:
        if self.rate > 0:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        if self.is_alive():
            self.join()

    def run(self) -> None:
        from django.db import connection
        from django.db.models import F

        from ideas.models import Idea

        ids = list(Idea.objects.order_by("pk").values_list("pk", flat=True)[:1000])
        try:
            while not self.stopped.wait(1 / self.rate):
                Idea.objects.filter(pk=ids[self.count % len(ids)]).update(title=F("title"))
                self.count += 1
        finally:
            connection.close()


def report(title: str, recorder: Recorder, wall: float) -> dict:
    print(f"\n{title} ({wall:.1f} s)")
    print(f"  {'endpoint':<18}{'requests':>9}{'rps':>8}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}"
          f"{'cached':>8}")
    rows = {}
    everything: list[float] = []
    for name, values in sorted(recorder.latencies.items()):
        everything += values
        rows[name] = {"requests": len(values), "rps": len(values) / wall,
                      "p50_ms": percentile(values, 50) * 1000,
                      "p95_ms": percentile(values, 95) * 1000,
                      "errors": len(recorder.errors[name]),
                      "cached_share": recorder.cached[name] / len(values)}
    rows["total"] = {"requests": len(everything), "rps": len(everything) / wall,
                     "p50_ms": percentile(everything, 50) * 1000,
                     "p95_ms": percentile(everything, 95) * 1000,
                     "errors": sum(len(e) for e in recorder.errors.values()),
                     "cached_share": sum(recorder.cached.values()) / max(1, len(everything))}
    for name, row in rows.items():
        print(f"  {name:<18}{row['requests']:>9}{row['rps']:>8.1f}{row['p50_ms']:>9.0f}"
              f"{row['p95_ms']:>9.0f}{row['errors']:>8}{row['cached_share'] * 100:>7.0f}%")
    for name, errors in recorder.errors.items():
        for error in sorted(set(errors))[:5]:
            print(f"  ! {name}: {error} (x{errors.count(error)})")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--ceiling-seconds", type=float, default=30)
    parser.add_argument("--logins", type=int, default=5,
                        help="sessions opened through the login form, shared round-robin by "
                             "the users (each login costs a password hash)")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers (default 2 x cores + 1)")
    add_database_argument(parser)
    parser.add_argument("--database-url", dest="database", help=argparse.SUPPRESS)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--settings", default=None, metavar="MODULE",
                        help="another settings module for the server (to compare drivers "
                             "or connection pools; default innoportal.settings)")
    parser.add_argument("--writes", type=float, default=0.0,
                        help="writes a second during the mix (each makes a new data version)")
    parser.add_argument("--smoke", action="store_true",
                        help="5 users, 3 s of mix, 2 s of ceiling, 2 workers: a CI smoke run")
    args = parser.parse_args()
    if args.smoke:
        args.users, args.seconds, args.ceiling_seconds = 5, 3, 2
        args.workers, args.logins = args.workers or 2, 1
    if args.users < 1 or args.seconds <= 0 or args.ceiling_seconds <= 0:
        parser.error("--users, --seconds and --ceiling-seconds must be positive")

    # Redis as in production when REDIS_URL is set: the cache of rendered pages is then shared
    # by the workers (without it each worker keeps its own, in memory).
    env = app_env(database_url(args), os.environ.get("REDIS_URL"),
                  **({"DJANGO_SETTINGS_MODULE": args.settings} if args.settings else {}))
    setup_django(env)
    fixture = bench_users()
    if not fixture["projects"]:
        sys.exit("The bench database has no projects in its largest municipalities; build it "
                 "with bench/indicators.py --keep.")
    server = Gunicorn(env=env, **({"workers": args.workers} if args.workers else {}))
    log_path = Path(tempfile.gettempdir()) / f"innoportal-load-{server.port}.log"
    print(f"gunicorn: {server.workers} workers on {server.base} (log {log_path}); "
          f"{args.users} users x {args.seconds:.0f} s, then /healthz x "
          f"{args.ceiling_seconds:.0f} s", flush=True)
    server.start(log_path)
    try:
        login_started = time.monotonic()
        # Sessions through the real login form (they are rows in PostgreSQL).
        opened = [login(server.base, fixture["username"])
                  for _ in range(max(1, min(args.logins, args.users)))]
        sessions = [opened[i % len(opened)] for i in range(args.users)]
        print(f"{len(opened)} sessions opened for {len(sessions)} users "
              f"({time.monotonic() - login_started:.1f} s)", flush=True)
        orgs, projects, year = fixture["org_numbers"], fixture["projects"], args.year

        def mixed(index: int):
            def steps():
                for n in itertools.count(index):
                    yield from (
                        ("idea list", "/ideas/", "session"),
                        ("project list", "/projects/", "session"),
                        ("project page", f"/projects/{projects[n % len(projects)]}/",
                         "session"),
                        ("dashboard", f"/dashboard/?organisation={orgs[n % len(orgs)]}",
                         "session"),
                        ("indicator API", f"/api/v1/indicators/?year={year}", "token"))
            # Users start at different steps, so every endpoint is busy from the first second.
            return itertools.islice(steps(), index % 5, None)

        def trivial(index: int):
            return itertools.repeat(("healthz (ceiling)", "/healthz", "none"))

        mixed_rec, ceiling_rec = Recorder(), Recorder()
        with Writer(args.writes) as writer:
            wall = run_phase(server.base, sessions, fixture["token"], mixed, args.seconds,
                             mixed_rec)
        mix = report(f"Mixed pages, {args.users} users"
                     + (f", {writer.count / wall:.1f} writes a second" if args.writes else ""),
                     mixed_rec, wall)
        wall = run_phase(server.base, sessions, fixture["token"], trivial,
                         args.ceiling_seconds, ceiling_rec)
        ceiling = report(f"Ceiling: /healthz, {args.users} users", ceiling_rec, wall)
    finally:
        server.stop()
    total, top = mix["total"], ceiling["total"]
    share = total["rps"] / top["rps"] if top["rps"] else 0.0
    reference = machine_reference()
    print(f"\nmachine reference: {reference:.2f} s for 5 M steps of Python (bench/serving.py)")
    print(f"SUMMARY: {total['rps']:.1f} rps at p95 {total['p95_ms']:.0f} ms over the mix "
          f"({total['errors']} errors); ceiling {top['rps']:.1f} rps on /healthz "
          f"({share * 100:.1f} % of the ceiling)")
    print(f"targets (issue 18): >= {TARGET_RPS} rps "
          f"{'met' if total['rps'] >= TARGET_RPS else 'NOT MET'}; p95 <= {TARGET_P95_MS} ms "
          f"{'met' if total['p95_ms'] <= TARGET_P95_MS else 'NOT MET'}; >= "
          f"{TARGET_SHARE * 100:.0f} % of the ceiling "
          f"{'met' if share >= TARGET_SHARE else 'NOT MET'}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"users": args.users, "seconds": args.seconds,
                                         "workers": server.workers, "mix": mix,
                                         "ceiling": ceiling, "share_of_ceiling": share,
                                         "machine_reference_s": round(reference, 3)},
                                        indent=2))
    errors = total["errors"] + top["errors"]
    print("PASS: zero errors" if not errors else f"FAIL: {errors} errors")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
