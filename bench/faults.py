#!/usr/bin/env python3
"""Fault drills: a worker killed mid-recompute, Redis stopped, PostgreSQL restarted under load.

    python bench/indicators.py --keep        # once: builds innoportal_bench (national data)
    python bench/faults.py [worker redis postgres] [--database NAME | --database-url URL]
                           [--year 2025]

Prints PASS/FAIL per drill with its figures; exit status 1 if any drill fails. Everything runs
on loopback and is started and stopped here:

- worker: against a copy of the national bench database (`innoportal_bench_faults`, created on
  the local PostgreSQL from innoportal_bench if missing, and migrated; or --database-url), a
  private redis-server on a free port and a Celery worker (solo pool). Starts a national
  recompute job, SIGKILLs the worker once the job reports progress, checks the snapshots are
  the previous complete set (values and computed_at) through the API, that the job is expired
  as interrupted when a new worker starts (INDICATOR_JOB_STALE_SECONDS=10 here), then runs the
  recompute again and compares every snapshot with a fresh in-process computation.
- redis: gunicorn and a private redis-server; stops Redis, then GETs pages and the API (200)
  and POSTs a recompute job through the API (202; the message waits in the outbox), starts
  Redis and a worker (whose start-up flush publishes the outbox) and checks the job ran once.
- postgres: a private PostgreSQL cluster (initdb as the postgres user in a temporary directory,
  free port) with the demo data, gunicorn with 4 workers and 8 client threads; `pg_ctl restart
  -m fast` under load. Every answer must be 200 or a clean 503 (no traceback, nothing slower
  than 15 s, no dropped connection), failures only around the restart, and the same gunicorn
  workers serve 200s again afterwards (prints a per-second timeline).

The shared PostgreSQL (5432) is only used to hold the database copy; it is never restarted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serving import (  # noqa: E402
    ROOT,
    Gunicorn,
    app_env,
    bench_users,
    free_port,
    login,
    percentile,
    request,
    setup_django,
)

SHARED_PG = "postgres://postgres@127.0.0.1:5432"
COPY_DB = "innoportal_bench_faults"
PG_BIN = Path("/usr/lib/postgresql") / (sorted(os.listdir("/usr/lib/postgresql"))[-1]
                                         if Path("/usr/lib/postgresql").exists() else "15") / "bin"
TMP = Path(tempfile.gettempdir())
STALE_SECONDS = 10


class DrillFailed(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise DrillFailed(message)


def say(message: str) -> None:
    print(f"    {message}", flush=True)


# --- private servers --------------------------------------------------------------------------

class Redis:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            if subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                              text=True).stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


class Worker:
    def __init__(self, env: dict, log_path: Path) -> None:
        self.env, self.log_path = env, log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "a")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "innoportal", "worker", "--pool=solo",
             "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


class PrivatePostgres:
    """A throw-away cluster owned by the postgres OS user (initdb refuses root)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="innoportal-pgfault-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/innoportal_faults"

    def _as_postgres(self, *args: str) -> subprocess.CompletedProcess:
        command = list(args)
        if os.geteuid() == 0:
            command = ["su", "postgres", "-c", " ".join(f"'{a}'" for a in args)]
        return subprocess.run(command, capture_output=True, text=True, check=True)

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust",
                          "-U", "postgres")
        self.pg_ctl("start", "-w")
        subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                        "innoportal_faults"], check=True)

    def pg_ctl(self, *args: str) -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                          "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1",
                          *args)

    def stop(self) -> None:
        try:
            self.pg_ctl("stop", "-m", "immediate", "-w")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def bench_copy(database_url: str | None, source: str = "innoportal_bench") -> str:
    """The database the worker and Redis drills use (and may write to): `database_url`, or
    a copy of the bench database `source` named <source>_faults."""
    if database_url:
        return database_url
    copy = COPY_DB if source == "innoportal_bench" else f"{source}_faults"
    exists = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc",
                             f"SELECT 1 FROM pg_database WHERE datname = '{copy}'",
                             "postgres"], capture_output=True, text=True).stdout.strip()
    if not exists:
        say(f"copying {source} to {copy} …")
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "-T",
                        source, copy], check=True)
    url = f"{SHARED_PG}/{copy}"
    manage(app_env(url), "migrate", "-v0")
    return url


def wait_for(predicate, timeout: float, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


# --- drill a: worker killed during a national recompute -----------------------------------

def snapshot_state(year: int) -> dict:
    from indicators.models import IndicatorSnapshot
    from indicators.services import SNAPSHOT_VALUES

    return {row[0]: row[1:] for row in IndicatorSnapshot.objects.filter(year=year, quarter=0)
            .values_list("organisation_id", *SNAPSHOT_VALUES, "computed_at")}


def fresh_computation(year: int) -> dict:
    """What a correct recompute stores, computed in this process without writing."""
    from indicators.compute import OrganisationIndicators, compute
    from indicators.models import period_bounds
    from indicators.services import _snapshot_row, scheme_for
    from portal.models import Organisation

    start, end = period_bounds(year, 0)
    results = compute(period_start=start, period_end=end, scheme=scheme_for(end).values())
    empty = _snapshot_row(OrganisationIndicators())
    return {pk: (_snapshot_row(results[pk]) if pk in results else empty)
            for pk in Organisation.objects.values_list("pk", flat=True)}


def api_indicators(token: str, year: int) -> dict:
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    found, page = {}, 1
    while True:
        response = client.get("/api/v1/indicators/", {"year": year, "page": page})
        check(response.status_code == 200, f"indicator API answered {response.status_code}")
        data = response.json()
        for row in data["results"]:
            found[row["organisation"]["org_number"]] = row
        if not data.get("next"):
            return found
        page += 1


def drill_worker(args) -> str:
    from django.db import connection

    from indicators import services
    from indicators.models import IndicatorJob, JobState
    from portal.models import User

    year = args.year
    operator, _ = User.objects.get_or_create(username="bench-faults-operator",
                                             defaults={"is_superuser": True})
    from portal.services import api_token_create

    _t, operator_token = api_token_create(user=operator, name="faults")
    job_env = dict(args.env, INDICATOR_JOB_STALE_SECONDS=str(STALE_SECONDS))
    log_path = TMP / "innoportal-faults-worker.log"
    log_path.write_text("")
    if not snapshot_state(year):
        say(f"no snapshots for {year} yet: computing them first")
        services.indicators_recompute(year=year)
    killed_at = None
    for attempt in range(1, 4):
        before = snapshot_state(year)
        api_before = api_indicators(operator_token, year)
        worker = Worker(job_env, log_path)
        worker.start()
        job = services.indicator_job_create(actor=operator, year=year)  # published at once
        started = time.monotonic()

        def progressed():
            row = IndicatorJob.objects.filter(pk=job.pk).values("state", "progress").get()
            return row if row["state"] != JobState.QUEUED and row["progress"] > 0 else None

        seen = wait_for(progressed, timeout=120, interval=0.02)
        worker.kill()
        check(seen is not None, "the job never reported progress")
        connection.close()
        job.refresh_from_db()
        if job.state == JobState.SUCCEEDED:
            say(f"attempt {attempt}: the job finished before the kill; again")
            continue
        killed_at = seen["progress"]
        say(f"attempt {attempt}: worker SIGKILLed {time.monotonic() - started:.2f} s after the "
            f"start, job at {killed_at} % ({job.state})")
        break
    check(killed_at is not None, "could not kill the worker mid-job in 3 attempts")

    after = snapshot_state(year)
    check(after == before, "snapshots changed after the kill (a partial write?)")
    api_after = api_indicators(operator_token, year)
    check(api_after == api_before, "the indicator API answers differently after the kill")
    say(f"after the kill: all {len(after)} snapshots unchanged (values and computed_at); "
        f"the API returns the same {len(api_after)} rows")
    check(job.state == JobState.RUNNING, f"job state {job.state} right after the kill")

    # A new worker starts once the last heartbeat is stale: its start-up expires the job.
    from django.utils import timezone

    silent = (timezone.now() - job.heartbeat_at).total_seconds()
    time.sleep(max(0.0, STALE_SECONDS + 1 - silent))
    worker = Worker(job_env, log_path)
    worker.start()
    try:
        expired = wait_for(lambda: IndicatorJob.objects.filter(
            pk=job.pk, state=JobState.FAILED).exists(), timeout=60)
        job.refresh_from_db()
        check(bool(expired), f"the killed job still shows {job.state} with a new worker up")
        say(f"killed job now {job.state}: {job.message[:60]}…")
        rerun = services.indicator_job_create(actor=operator, year=year)
        began = time.monotonic()
        done = wait_for(lambda: IndicatorJob.objects.filter(
            pk=rerun.pk, state__in=[JobState.SUCCEEDED, JobState.FAILED]).exists(), 300)
        rerun.refresh_from_db()
        check(bool(done) and rerun.state == JobState.SUCCEEDED,
              f"the new run ended {rerun.state}: {rerun.message}")
        say(f"new run succeeded in {time.monotonic() - began:.1f} s: {rerun.message}")
    finally:
        worker.stop()
    stored = {pk: values[:-1] for pk, values in snapshot_state(year).items()}
    expected = fresh_computation(year)
    check(stored == expected, f"{sum(stored.get(k) != v for k, v in expected.items())} "
                              f"snapshots differ from a fresh computation")
    computed = {values[-1] for values in snapshot_state(year).values()}
    check(len(computed) == 1, "the new run's snapshots were not written together")
    return (f"killed at {killed_at} %, {len(after)} snapshots intact, job expired as failed, "
            f"rerun equals a fresh computation")


# --- drill b: Redis stopped ----------------------------------------------------------------------

def drill_redis(args) -> str:
    from indicators.models import IndicatorJob, JobState
    from portal.models import Membership, Organisation, PendingTask, User
    from portal.roles import Role
    from portal.services import api_token_create

    redis = args.redis
    fixture = bench_users()
    admin, _ = User.objects.get_or_create(username="bench-faults-admin")
    org = Organisation.objects.get(org_number=fixture["org_numbers"][0])
    Membership.objects.update_or_create(user=admin, organisation=org,
                                        defaults={"role": Role.ADMIN})
    _t, admin_token = api_token_create(user=admin, name="faults")
    server = Gunicorn(env=args.env, workers=3)
    server.start(TMP / f"innoportal-faults-gunicorn-{server.port}.log")
    log_path = TMP / "innoportal-faults-worker-redis.log"
    log_path.write_text("")
    worker = Worker(args.env, log_path)
    try:
        session = login(server.base, fixture["username"])
        redis.stop()
        say("Redis stopped")
        pages = ["/ideas/", "/projects/", f"/projects/{fixture['projects'][0]}/",
                 f"/dashboard/?organisation={org.org_number}", "/healthz"]
        slowest = 0.0
        for path in pages:
            began = time.monotonic()
            status, body, _h = request(server.base, "GET", path, headers=session)
            slowest = max(slowest, time.monotonic() - began)
            check(status == 200, f"GET {path} answered {status} with Redis down")
        status, body, _h = request(server.base, "GET", f"/api/v1/indicators/?year={args.year}",
                                   headers={"Authorization": f"Token {fixture['token']}"})
        check(status == 200, f"indicator API answered {status} with Redis down")
        pending_before = PendingTask.objects.count()
        began = time.monotonic()
        status, body, _h = request(server.base, "POST", "/api/v1/indicators/jobs/",
                                   headers={"Authorization": f"Token {admin_token}"},
                                   body={"year": args.year, "organisation": org.org_number})
        post_seconds = time.monotonic() - began
        check(status == 202, f"POST a job answered {status} with Redis down: {body[:200]!r}")
        import json

        job_id = json.loads(body)["id"]
        pending = PendingTask.objects.filter(args=[job_id]).first()
        check(pending is not None, "no PendingTask for the job")
        check(pending.attempts >= 1, "the publish was not even tried")
        say(f"Redis down: {len(pages) + 1} GETs 200 (slowest {slowest * 1000:.0f} ms); POST "
            f"job 202 in {post_seconds * 1000:.0f} ms, message kept ({pending.last_error[:50]})")
        check(PendingTask.objects.count() == pending_before + 1, "unexpected outbox rows")

        redis.start()
        say("Redis started again; starting a worker (its start-up flushes the outbox)")
        worker.start()
        ran = wait_for(lambda: IndicatorJob.objects.filter(
            pk=job_id, state=JobState.SUCCEEDED).exists(), timeout=120)
        check(bool(ran), "the job queued while Redis was down never ran")
        check(not PendingTask.objects.filter(pk=pending.pk).exists(), "the row stayed")
        flushed = manage(args.env, "outbox_flush", "--grace", "0").strip()
        time.sleep(2)  # anything the second flush might have published would run now
        successes = log_path.read_text().count("succeeded in")
        job_runs = sum(1 for line in log_path.read_text().splitlines()
                       if "run_indicator_job" in line and "succeeded in" in line)
        check(job_runs == 1, f"the job ran {job_runs} times")
        status, _b, _h = request(server.base, "GET", "/healthz")
        check(status == 200, "healthz not 200 after Redis came back")
        return (f"pages 200 with Redis down (slowest {slowest * 1000:.0f} ms), POST 202 in "
                f"{post_seconds * 1000:.0f} ms, job ran once after Redis came back "
                f"({successes} task(s) in the worker log; `{flushed}`)")
    finally:
        worker.stop()
        server.stop()


# --- drill c: PostgreSQL restarted under load -----------------------------------------------

def drill_postgres(args) -> str:
    pg = PrivatePostgres()
    server = None
    try:
        pg.start()
        env = app_env(pg.url, CONN_MAX_AGE="60")
        manage(env, "migrate", "-v0")
        manage(env, "load_demo")
        server = Gunicorn(env=env, workers=4)
        server.start(TMP / f"innoportal-faults-gunicorn-pg-{server.port}.log")
        pids_before = server.worker_pids()
        session = login(server.base, "leder", "innoportal-demo")
        results: list[tuple[float, str, int, float, bool]] = []
        lock = threading.Lock()
        stop = threading.Event()
        paths = ["/ideas/", "/projects/", "/dashboard/", "/healthz"]

        def user(index: int) -> None:
            n = index
            while not stop.is_set():
                path = paths[n % len(paths)]
                n += 1
                began = time.monotonic()
                try:
                    status, body, _h = request(server.base, "GET", path, headers=session,
                                               timeout=30)
                    # healthz names the failing check (its JSON says "OperationalError").
                    dirty = b"Traceback" in body or (path != "/healthz"
                                                     and b"OperationalError" in body)
                except OSError:
                    status, dirty = 0, True
                with lock:
                    results.append((began, path, status, time.monotonic() - began, dirty))

        threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(3)
        restart_began = time.monotonic()
        pg.pg_ctl("restart", "-m", "fast", "-w")
        restart_ended = time.monotonic()
        time.sleep(8)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        during = [r for r in results if restart_began - 1 <= r[0] <= restart_ended + 1]
        after = [r for r in results if r[0] > restart_ended + 2]
        statuses = sorted({r[2] for r in results})
        failed = [r for r in results if r[2] != 200]
        # A failed request counts as "during the restart" if it ended after it began.
        in_restart = [r for r in failed if r[0] + r[3] >= restart_began - 0.5
                      and r[0] <= restart_ended + 2]
        unclean = [r for r in results if r[2] not in (200, 503) or r[4]]
        slowest = max(r[3] for r in results)
        say(f"{len(results)} requests; restart took {restart_ended - restart_began:.1f} s; "
            f"statuses {statuses}; {len(failed)} not 200, {len(in_restart)} of them during "
            f"the restart; slowest "
            f"{slowest:.2f} s; p95 {percentile([r[3] for r in results], 95) * 1000:.0f} ms")
        timeline = []
        for second in range(int(results[0][0] - restart_began) - 1,
                            int(results[-1][0] - restart_began) + 1):
            bucket = [r for r in results if second <= r[0] - restart_began < second + 1]
            if bucket:
                codes = "".join("." if r[2] == 200 else ("5" if r[2] == 503 else "X")
                                for r in bucket)
                timeline.append(f"{second:+d}s {codes} (max {max(r[3] for r in bucket):.1f} s)")
        say("timeline (start of request vs. restart; . = 200, 5 = 503, X = other):\n      "
            + "\n      ".join(timeline))
        check(not unclean, f"{len(unclean)} unclean answers, e.g. {unclean[:3]}")
        # Well below gunicorn's 60 s worker timeout; a connect times out after 5 s.
        check(slowest < 15, f"a request took {slowest:.1f} s (hung worker?)")
        check(len(in_restart) == len(failed), "requests failed outside the restart")
        check(bool(after) and all(r[2] == 200 for r in after),
              f"after the restart: {sorted({r[2] for r in after})}")
        check(server.worker_pids() == pids_before, "gunicorn workers were replaced")
        check(len(during) > 0, "no request overlapped the restart")
        return (f"{len(failed)} clean 503s during a {restart_ended - restart_began:.1f} s "
                f"restart, {len(after)} requests after it all 200, same gunicorn workers")
    finally:
        if server:
            server.stop()
        pg.stop()


# --- main ---------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("drills", nargs="*", default=[],
                        help="worker, redis and/or postgres (default: all three)")
    parser.add_argument("--database-url", default=None,
                        help="database for the worker and redis drills (default: a copy of "
                             "--database on the local PostgreSQL)")
    parser.add_argument("--database", default="innoportal_bench", metavar="NAME",
                        help="the bench database (on the local PostgreSQL) the drills copy "
                             "(default innoportal_bench; the copy is NAME_faults)")
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    drills = args.drills or ["worker", "redis", "postgres"]
    unknown = set(drills) - {"worker", "redis", "postgres"}
    if unknown:
        parser.error(f"unknown drill(s): {', '.join(sorted(unknown))}")
    outcome = {}
    redis = None
    try:
        if {"worker", "redis"} & set(drills):
            redis = Redis()
            redis.start()
            args.redis = redis
            if not args.database.replace("_", "").isalnum():
                parser.error("--database must be a plain database name")
            args.env = app_env(bench_copy(args.database_url, args.database), redis.url)
            setup_django(args.env)
        for name, drill in (("worker", drill_worker), ("redis", drill_redis),
                            ("postgres", drill_postgres)):
            if name not in drills:
                continue
            print(f"\n== drill: {name}", flush=True)
            began = time.monotonic()
            try:
                summary = drill(args)
            except (DrillFailed, RuntimeError, subprocess.CalledProcessError) as error:
                outcome[name] = False
                print(f"FAIL {name} ({time.monotonic() - began:.0f} s): {error}", flush=True)
            else:
                outcome[name] = True
                print(f"PASS {name} ({time.monotonic() - began:.0f} s): {summary}", flush=True)
    finally:
        if redis:
            redis.stop()
    return 0 if all(outcome.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
