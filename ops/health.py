"""`/healthz/full`: the whole system, for the operator and the monitoring system.

`/healthz` (portal.views) stays the load balancer's cheap probe: the database and Redis of this
instance. This one also asks whether the background half works: a worker answers a ping
through the queue, beat left its heartbeat recently, the outbox is being drained and the
indicator marks are being worked off. Each check says ok, fail or skip (does not apply here,
e.g. no Redis on the zero-setup path); the overall status is

- `down` (HTTP 503) when the database fails — nothing works without it;
- `degraded` (HTTP 200) when anything else fails — pages serve, background work waits;
- `ok` (HTTP 200) otherwise.

Protected like /metrics (ops.access): it sends a task and tells queue sizes and versions.
"""

from __future__ import annotations

import datetime
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Count, Min, Q
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ops.access import operator_allowed, refused
from ops.metrics import celery_queue_length, default_queue
from portal.version import app_version

OK, FAIL, SKIP = "ok", "fail", "skip"


@dataclass
class Check:
    status: str
    detail: str = ""
    values: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        body = {"status": self.status, **self.values}
        if self.detail:
            body["detail"] = self.detail
        return body


def _error(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def _age(moment: datetime.datetime | None, now: datetime.datetime) -> float | None:
    return None if moment is None else round(max(0.0, (now - moment).total_seconds()), 1)


def check_database() -> Check:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - reported, not raised
        return Check(FAIL, _error(error))
    return Check(OK, values={"ms": round((time.perf_counter() - started) * 1000, 1),
                             "vendor": connection.vendor})


def check_redis() -> Check:
    if not settings.REDIS_URL:
        return Check(SKIP, "REDIS_URL is not set: tasks run in the web process")
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1,
                                  socket_timeout=1)
    try:
        client.ping()
        queue = default_queue()
        return Check(OK, values={"queue": queue, "queue_length": celery_queue_length(queue)})
    except Exception as error:  # noqa: BLE001
        return Check(FAIL, _error(error))
    finally:
        client.close()


def check_worker(redis_check: Check) -> Check:
    """Send portal.tasks.worker_ping through the queue and wait briefly for its stamp in the
    shared cache. A busy queue (every worker slot in a long recompute) also shows as a fail:
    to the operator that is the same thing — queued work is not being picked up."""
    if redis_check.status != OK:
        return Check(SKIP, "no broker" if redis_check.status == SKIP else "Redis is down")
    from portal.tasks import WORKER_PING_KEY, worker_ping

    timeout = settings.HEALTH_WORKER_TIMEOUT_SECONDS
    token = uuid.uuid4().hex
    started = time.perf_counter()
    try:
        # Directly, not through the outbox: this is a probe of the broker path itself. The
        # message expires, so a ping nobody took does not run much later.
        worker_ping.apply_async(args=[token], queue=default_queue(),
                                expires=max(timeout * 10, 30))
    except Exception as error:  # noqa: BLE001
        return Check(FAIL, _error(error))
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if cache.get(WORKER_PING_KEY.format(token=token)):
            return Check(OK, values={"ms": round((time.perf_counter() - started) * 1000, 1)})
        time.sleep(0.05)
    return Check(FAIL, f"no worker answered within {timeout:g} s")


def check_beat(now: datetime.datetime) -> Check:
    if not settings.REDIS_URL:
        return Check(SKIP, "no beat without REDIS_URL")
    from ops.models import Heartbeat
    from ops.tasks import BEAT

    last = Heartbeat.objects.filter(name=BEAT).values_list("at", flat=True).first()
    limit = settings.HEALTH_BEAT_MAX_AGE_SECONDS
    age = _age(last, now)
    values = {"last_heartbeat": last.isoformat() if last else None, "age_seconds": age,
              "max_age_seconds": limit}
    if last is None:
        return Check(FAIL, "beat has left no heartbeat yet", values)
    if age > limit:
        # The heartbeat task runs on a worker: a stopped worker stops it too.
        return Check(FAIL, "beat's heartbeat is late (is beat — and a worker — running?)",
                     values)
    return Check(OK, values=values)


def check_outbox(now: datetime.datetime) -> Check:
    from portal.models import PendingTask

    row = PendingTask.objects.aggregate(waiting=Count("pk"), oldest=Min("created_at"),
                                        failed=Count("pk", filter=Q(attempts__gt=0)))
    limit = settings.HEALTH_OUTBOX_MAX_AGE_SECONDS
    values = {"waiting": row["waiting"], "failed": row["failed"],
              "oldest_age_seconds": _age(row["oldest"], now), "max_age_seconds": limit}
    if row["oldest"] is not None and values["oldest_age_seconds"] > limit:
        return Check(FAIL, "messages wait in the outbox (is Redis reachable?)", values)
    return Check(OK, values=values)


def check_indicator_marks(now: datetime.datetime) -> Check:
    from indicators.models import IndicatorJob, JobState
    from initiatives.models import IndicatorDirty

    row = IndicatorDirty.objects.aggregate(waiting=Count("pk"), oldest=Min("marked_at"),
                                           failed=Count("pk", filter=Q(attempts__gt=0)))
    jobs = IndicatorJob.objects.aggregate(
        running=Count("pk", filter=Q(state=JobState.RUNNING)),
        failed_24h=Count("pk", filter=Q(state=JobState.FAILED,
                                        finished_at__gte=now - datetime.timedelta(hours=24))))
    limit = settings.HEALTH_MARKS_MAX_AGE_SECONDS
    values = {"waiting": row["waiting"], "oldest_age_seconds": _age(row["oldest"], now),
              "max_age_seconds": limit, "jobs_running": jobs["running"],
              "jobs_failed_24h": jobs["failed_24h"], "failed_marks": row["failed"]}
    if row["failed"]:
        # Each failing mark keeps its error (admin: Indicators → failed indicator marks) and
        # is retried with a growing delay; the other marks are recomputed meanwhile.
        failing = (IndicatorDirty.objects.filter(attempts__gt=0).order_by("failed_at")
                   .values_list("last_error", flat=True).first())
        return Check(FAIL, f"{row['failed']} failed indicator marks (first: {failing})"[:300],
                     values)
    if row["oldest"] is not None and values["oldest_age_seconds"] > limit:
        return Check(FAIL, "indicator recomputes are not keeping up", values)
    return Check(OK, values=values)


def full_health() -> tuple[str, dict[str, Check]]:
    now = timezone.now()
    checks: dict[str, Check] = {"database": check_database()}
    checks["redis"] = check_redis()
    checks["worker"] = check_worker(checks["redis"])
    database_checks = {"beat": check_beat, "outbox": check_outbox,
                       "indicator_marks": check_indicator_marks}
    for name, run in database_checks.items():
        if checks["database"].status != OK:
            checks[name] = Check(SKIP, "database is down")
            continue
        try:
            checks[name] = run(now)
        except DatabaseError as error:
            checks[name] = Check(FAIL, _error(error))
    if checks["database"].status != OK:
        status = "down"
    elif any(check.status == FAIL for check in checks.values()):
        status = "degraded"
    else:
        status = OK
    return status, checks


@never_cache
@require_GET
def healthz_full(request: HttpRequest) -> JsonResponse:
    if not operator_allowed(request):
        return refused()
    status, checks = full_health()
    return JsonResponse({"status": status, "version": app_version(),
                         "checked_at": timezone.now().isoformat(),
                         "checks": {name: check.as_json() for name, check in checks.items()}},
                        status=503 if status == "down" else 200)
