"""`/metrics` in the Prometheus text format.

Two kinds of numbers:

- Per-process counters and histograms, kept by the process that serves the request:
  django-prometheus' middleware (requests, responses and latencies per view and method), its
  database backends (queries, errors, connections and query durations) and cache counters, and
  `innoportal_cache_operation_seconds` (portal.cache). Under gunicorn every worker has its own,
  so they go through prometheus_client's multiprocess mode: gunicorn.conf.py points
  `PROMETHEUS_MULTIPROC_DIR` at an emptied directory before the workers start, each worker
  writes its values to files there, and a scrape (answered by any one worker) sums the files
  of all of them (`MultiProcessCollector`); a worker that exits is marked dead (its live
  gauges dropped, its counters kept). Without the variable (runserver, tests) the process's own
  registry is served.
- System state read at scrape time from the shared stores (`SystemCollector`): the Celery
  queue's length in Redis, the outbox backlog, the indicator jobs and the dirty marks. The
  database and Redis are the truth every process shares, so these are right whichever worker
  answers; counting them inside the Celery worker would put them in a process nobody scrapes.

The endpoint is for the monitoring system only (ops.access).
"""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Iterator

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, SummaryMetricFamily
from prometheus_client.registry import Collector

from ops.access import operator_allowed, refused
from portal.version import app_version

log = logging.getLogger(__name__)

# Window of the indicator job figures (jobs finished within it).
JOB_WINDOW = datetime.timedelta(hours=24)
# kombu's Redis transport keeps a queue's messages of priority > 0 in lists named
# queue + this separator + step (default steps 0, 3, 6, 9; step 0 is the bare name).
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (0, 3, 6, 9)


def _age_seconds(moment: datetime.datetime | None, now: datetime.datetime) -> float:
    return max(0.0, (now - moment).total_seconds()) if moment else 0.0


def celery_queue_length(queue: str) -> int:
    """Messages waiting in the Celery queue (the broker's Redis lists), raises if Redis is
    down. Messages a worker has taken but not acknowledged are not counted."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1,
                                  socket_timeout=1)
    try:
        pipe = client.pipeline(transaction=False)
        for step in _PRIORITY_STEPS:
            pipe.llen(queue if step == 0 else f"{queue}{_PRIORITY_SEPARATOR}{step}")
        return sum(pipe.execute())
    finally:
        client.close()


def default_queue() -> str:
    # The configured app (innoportal.celery) without importing the composition root.
    from celery import current_app

    return current_app.conf.task_default_queue


class SystemCollector(Collector):
    """Gauges read from the database and Redis when Prometheus scrapes."""

    def collect(self) -> Iterator:
        yield self._build_info()
        yield from self._queue()
        try:
            yield from self._database()
        except DatabaseError as error:
            log.warning("Metrics: the database could not be read (%s)", error)
            yield GaugeMetricFamily("innoportal_database_up",
                                    "1 when the database answered this scrape.", value=0)

    def _build_info(self) -> GaugeMetricFamily:
        info = GaugeMetricFamily("innoportal_build_info", "The running release (value 1).",
                                 labels=["version"])
        info.add_metric([app_version()], 1)
        return info

    def _queue(self) -> Iterator:
        if not settings.REDIS_URL:
            return  # no broker: tasks run eagerly in the web process, nothing waits
        up = GaugeMetricFamily("innoportal_redis_up", "1 when Redis answered this scrape.")
        length = GaugeMetricFamily("innoportal_celery_queue_length",
                                   "Messages waiting in the Celery queue in Redis.",
                                   labels=["queue"])
        queue = default_queue()
        try:
            length.add_metric([queue], celery_queue_length(queue))
        except Exception as error:  # noqa: BLE001 - Redis down is a value, not a failed scrape
            log.warning("Metrics: Redis could not be read (%s)", error)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield length

    def _database(self) -> Iterator:
        from indicators.models import IndicatorJob, JobState
        from initiatives.models import IndicatorDirty
        from portal.models import PendingTask

        now = timezone.now()
        outbox = PendingTask.objects.aggregate(
            waiting=Count("pk"), oldest=Min("created_at"),
            failed=Count("pk", filter=Q(attempts__gt=0)))
        dirty = IndicatorDirty.objects.aggregate(waiting=Count("pk"), oldest=Min("marked_at"))
        jobs_by_state = dict(IndicatorJob.objects.values_list("state").annotate(n=Count("pk"))
                             .order_by())
        finished = (IndicatorJob.objects
                    .filter(finished_at__gte=now - JOB_WINDOW, started_at__isnull=False)
                    .values_list("state", "started_at", "finished_at"))

        yield GaugeMetricFamily("innoportal_database_up",
                                "1 when the database answered this scrape.", value=1)
        yield GaugeMetricFamily("innoportal_outbox_pending_tasks",
                                "Celery messages waiting in the outbox (portal.outbox).",
                                value=outbox["waiting"])
        yield GaugeMetricFamily("innoportal_outbox_failed_tasks",
                                "Outbox messages whose publish has failed at least once.",
                                value=outbox["failed"])
        yield GaugeMetricFamily("innoportal_outbox_oldest_age_seconds",
                                "Age of the oldest outbox message (0 when empty).",
                                value=_age_seconds(outbox["oldest"], now))
        yield GaugeMetricFamily("innoportal_indicator_dirty_marks",
                                "Organisation periods marked for an indicator recompute.",
                                value=dirty["waiting"])
        yield GaugeMetricFamily("innoportal_indicator_dirty_oldest_age_seconds",
                                "Age of the oldest dirty indicator mark (0 when none).",
                                value=_age_seconds(dirty["oldest"], now))

        states = GaugeMetricFamily("innoportal_indicator_jobs",
                                   "Indicator recompute jobs on record, by state.",
                                   labels=["state"])
        for state in JobState.values:
            states.add_metric([state], jobs_by_state.get(state, 0))
        yield states

        durations: dict[str, list[float]] = {JobState.SUCCEEDED: [], JobState.FAILED: []}
        for state, started, ended in finished:
            if state in durations:
                durations[state].append(max(0.0, (ended - started).total_seconds()))
        summary = SummaryMetricFamily(
            "innoportal_indicator_job_duration_seconds",
            "Run time of the indicator jobs finished in the last 24 hours, by outcome.",
            labels=["state"])
        longest = GaugeMetricFamily(
            "innoportal_indicator_job_duration_max_seconds",
            "Longest run time of the indicator jobs finished in the last 24 hours.",
            labels=["state"])
        for state, values in durations.items():
            summary.add_metric([state], count_value=len(values), sum_value=sum(values))
            longest.add_metric([state], max(values, default=0.0))
        yield summary
        yield longest
        yield GaugeMetricFamily(
            "innoportal_indicator_jobs_failed_24h",
            "Indicator jobs that failed (or were expired) in the last 24 hours.",
            value=len(durations[JobState.FAILED]) + _failed_without_start(now))


def _failed_without_start(now: datetime.datetime) -> int:
    """Failed jobs that never started (refused before running) count as failures too."""
    from indicators.models import IndicatorJob, JobState

    return IndicatorJob.objects.filter(state=JobState.FAILED, finished_at__gte=now - JOB_WINDOW,
                                       started_at__isnull=True).count()


def render_metrics() -> bytes:
    """The exposition: the process's (or all gunicorn workers') metrics, then the system's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    system = CollectorRegistry(auto_describe=False)
    system.register(SystemCollector())
    return generate_latest(processes) + generate_latest(system)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not operator_allowed(request):
        return refused()
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)
