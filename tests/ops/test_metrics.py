"""/metrics: protected, Prometheus text, requests per view, database and cache timings, and the
system's queues read at scrape time; right under gunicorn with several workers."""

from __future__ import annotations

import datetime
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from indicators.models import IndicatorJob, JobState
from initiatives.models import IndicatorDirty
from ops.metrics import celery_queue_length
from portal.cache import FaultTolerantRedisCache
from portal.models import PendingTask
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "metrics-test-token-0123456789"


def samples(body: str) -> dict[tuple[str, frozenset], float]:
    out = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


def value(found: dict, name: str, **labels) -> float:
    return found[(name, frozenset(labels.items()))]


def scrape(client) -> dict:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return samples(response.content.decode())


pytestmark = pytest.mark.usefixtures("metrics_token")


@pytest.fixture
def metrics_token():
    with override_settings(METRICS_TOKEN=TOKEN):
        yield


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Token {TOKEN}",
                                           TOKEN, "Bearer "])
def test_metrics_refuse_a_request_without_the_token(client, db, authorization):
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"django_http" not in response.content and b"innoportal_" not in response.content


def test_metrics_refuse_signed_in_users_who_are_not_superusers(client, org_admin):
    client.force_login(org_admin)
    assert client.get("/metrics").status_code == 401


@override_settings(METRICS_TOKEN="")
def test_without_a_token_configured_only_a_superuser_reads_metrics(client, db):
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get("/metrics")
    assert response.status_code == 200 and b"innoportal_build_info" in response.content


def test_requests_are_counted_and_timed_per_view(client, db):
    before = scrape(client)
    labels = {"view": "healthz", "method": "GET"}
    count = "django_http_requests_latency_seconds_by_view_method_count"
    for _ in range(3):
        client.get("/healthz")
    after = scrape(client)
    assert value(after, count, **labels) - before.get(
        (count, frozenset(labels.items())), 0) == 3
    assert value(after, "django_http_responses_total_by_status_view_method_total",
                 status="200", **labels) >= 3


def test_database_queries_are_counted_and_timed(client, db):
    found = scrape(client)
    vendor = "postgresql" if settings.IS_POSTGRES else "sqlite"
    assert value(found, "django_db_query_duration_seconds_count", alias="default",
                 vendor=vendor) > 0
    assert value(found, "django_db_execute_total", alias="default", vendor=vendor) > 0
    assert value(found, "innoportal_database_up") == 1


def test_the_release_is_exported(client, db):
    from portal.version import app_version

    assert value(scrape(client), "innoportal_build_info", version=app_version()) == 1


def test_outbox_backlog_and_its_oldest_age(client, db):
    assert value(scrape(client), "innoportal_outbox_pending_tasks") == 0
    assert value(scrape(client), "innoportal_outbox_oldest_age_seconds") == 0
    PendingTask.objects.create(task_name="portal.tasks.outbox_flush")
    old = PendingTask.objects.create(task_name="portal.tasks.outbox_flush", attempts=2)
    PendingTask.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=10))
    found = scrape(client)
    assert value(found, "innoportal_outbox_pending_tasks") == 2
    assert value(found, "innoportal_outbox_failed_tasks") == 1
    assert 590 <= value(found, "innoportal_outbox_oldest_age_seconds") <= 660


def test_dirty_indicator_marks_and_their_oldest_age(client, home_org, other_org):
    now = timezone.now()
    IndicatorDirty.objects.create(organisation=home_org, year=2025, marked_at=now)
    IndicatorDirty.objects.create(organisation=other_org, year=2025,
                                  marked_at=now - datetime.timedelta(hours=2))
    found = scrape(client)
    assert value(found, "innoportal_indicator_dirty_marks") == 2
    assert 7100 <= value(found, "innoportal_indicator_dirty_oldest_age_seconds") <= 7300


def test_indicator_job_durations_and_failures(client, db):
    now = timezone.now()

    def job(state, seconds, finished_ago=datetime.timedelta(hours=1), started=True):
        ended = now - finished_ago
        return IndicatorJob.objects.create(
            year=2025, state=state, finished_at=ended,
            started_at=ended - datetime.timedelta(seconds=seconds) if started else None)

    job(JobState.SUCCEEDED, 12)
    job(JobState.SUCCEEDED, 30)
    job(JobState.FAILED, 600)
    job(JobState.FAILED, 0, started=False)  # refused before it ran
    job(JobState.SUCCEEDED, 999, finished_ago=datetime.timedelta(days=3))  # outside the window
    IndicatorJob.objects.create(year=2025, state=JobState.RUNNING, started_at=now)
    found = scrape(client)
    name = "innoportal_indicator_job_duration_seconds"
    assert value(found, f"{name}_count", state="succeeded") == 2
    assert value(found, f"{name}_sum", state="succeeded") == pytest.approx(42)
    assert value(found, f"{name}_count", state="failed") == 1
    assert value(found, "innoportal_indicator_job_duration_max_seconds",
                 state="succeeded") == pytest.approx(30)
    assert value(found, "innoportal_indicator_jobs_failed_24h") == 2
    assert value(found, "innoportal_indicator_jobs", state="succeeded") == 3
    assert value(found, "innoportal_indicator_jobs", state="running") == 1
    assert value(found, "innoportal_indicator_jobs", state="queued") == 0


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="the zero-setup path has no queue")
def test_without_redis_there_is_no_queue_to_report(client, db):
    found = scrape(client)
    assert not any(name.startswith(("innoportal_celery_queue", "innoportal_redis"))
                   for name, _ in found)


@pytest.mark.redis
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL")
def test_celery_queue_length_counts_the_queues_lists_in_redis(client, db):
    import redis

    queue = f"test-{uuid.uuid4().hex[:8]}"
    client_ = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client_.lpush(queue, "a", "b", "c")
        client_.lpush(f"{queue}\x06\x163", "priority-3")
        assert celery_queue_length(queue) == 4
    finally:
        client_.delete(queue, f"{queue}\x06\x163")
    found = scrape(client)
    assert value(found, "innoportal_redis_up") == 1
    assert value(found, "innoportal_celery_queue_length", queue="celery") >= 0


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_redis_down_is_a_value_not_a_failed_scrape(client, db):
    found = scrape(client)
    assert value(found, "innoportal_redis_up") == 0
    assert value(found, "innoportal_outbox_pending_tasks") == 0


def test_cache_operations_are_timed_also_when_redis_is_down(client, db):
    down = FaultTolerantRedisCache("redis://127.0.0.1:1/0", {
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}})
    before = scrape(client)
    key = ("innoportal_cache_operation_seconds_count",
           frozenset({"operation": "get", "outcome": "unavailable"}.items()))
    assert down.get("k", "fallback") == "fallback"
    after = scrape(client)
    assert after[key] - before.get(key, 0) == 1
    fails = ("django_cache_get_fail_total", frozenset({"backend": "redis"}.items()))
    assert after[fails] - before.get(fails, 0) == 1


@pytest.mark.redis
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL")
def test_cache_operations_against_redis_are_timed(client, db):
    from django.core.cache import cache

    before = scrape(client)
    key = ("innoportal_cache_operation_seconds_count",
           frozenset({"operation": "set", "outcome": "ok"}.items()))
    cache.set(f"metrics-test-{uuid.uuid4().hex}", 1, 5)
    assert scrape(client)[key] - before.get(key, 0) >= 1


# --- gunicorn with several workers ------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, **headers) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_under_gunicorn_every_scrape_counts_the_requests_of_all_workers(tmp_path):
    """gunicorn.conf.py turns on prometheus_client's multiprocess mode. Without it each
    worker answers a scrape with its own counts only, and this fails."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in (
        "DATABASE_URL", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR", "DJANGO_SETTINGS_MODULE")}
    env.update(DEBUG="false", SECRET_KEY="gunicorn-metrics-test-" + "k" * 40,
               ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="false", METRICS_TOKEN=TOKEN,
               DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", LOG_FORMAT="json",
               DJANGO_SETTINGS_MODULE="innoportal.settings", TMPDIR=str(tmp_path))
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "innoportal.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "3"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.3)
        requests = 60
        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = list(pool.map(lambda _: _get(f"{base}/healthz")[0], range(requests)))
        assert statuses == [200] * requests
        counts = set()
        for _ in range(6):
            status, body = _get(f"{base}/metrics", Authorization=f"Bearer {TOKEN}")
            assert status == 200
            found = samples(body.decode())
            counts.add(value(found, "django_http_requests_latency_seconds_by_view_method_count",
                             view="healthz", method="GET"))
        # The readiness probes above add a few; every scrape sees the same total.
        assert len(counts) == 1 and counts.pop() >= requests
    finally:
        server.terminate()
        server.wait(timeout=30)
