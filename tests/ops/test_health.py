"""/healthz/full: the whole system, ok/degraded/down with 200/503, for operators only."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import override_settings
from django.utils import timezone

from indicators.models import IndicatorJob, JobState
from initiatives.models import IndicatorDirty
from ops import health
from ops.models import Heartbeat
from ops.tasks import beat_heartbeat
from portal.models import PendingTask
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "health-test-token-0123456789"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


@pytest.fixture(autouse=True)
def _token():
    with override_settings(METRICS_TOKEN=TOKEN):
        yield


def full(client) -> tuple[int, dict]:
    response = client.get("/healthz/full", **AUTH)
    return response.status_code, response.json()


def test_the_full_health_check_refuses_everybody_without_the_token(client, org_admin):
    assert client.get("/healthz/full").status_code == 401
    assert client.get("/healthz/full", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    client.force_login(org_admin)
    assert client.get("/healthz/full").status_code == 401
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get("/healthz/full").status_code == 200


def test_the_load_balancers_healthz_stays_open_and_small(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database", "redis"}


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="the zero-setup path")
def test_on_the_zero_setup_path_what_does_not_apply_is_skipped_and_the_rest_is_ok(client, db):
    status, body = full(client)
    assert status == 200 and body["status"] == "ok"
    checks = body["checks"]
    assert checks["database"]["status"] == "ok"
    assert {checks[name]["status"] for name in ("redis", "worker", "beat")} == {"skip"}
    assert checks["outbox"] == {"status": "ok", "waiting": 0, "failed": 0,
                                "oldest_age_seconds": None, "max_age_seconds": 300}
    assert checks["indicator_marks"]["status"] == "ok"
    from portal.version import app_version

    assert body["version"] == app_version()


def test_an_old_outbox_row_makes_the_system_degraded(client, db):
    row = PendingTask.objects.create(task_name="portal.tasks.outbox_flush", attempts=3)
    PendingTask.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=20))
    with override_settings(REDIS_URL=""):  # only the outbox may fail here
        status, body = full(client)
    assert status == 200 and body["status"] == "degraded"
    outbox = body["checks"]["outbox"]
    assert outbox["status"] == "fail" and outbox["waiting"] == 1 and outbox["failed"] == 1
    assert outbox["oldest_age_seconds"] >= 1200


def test_a_fresh_outbox_row_is_normal(client, db):
    PendingTask.objects.create(task_name="portal.tasks.outbox_flush")
    with override_settings(REDIS_URL=""):
        status, body = full(client)
    assert body["status"] == "ok" and body["checks"]["outbox"]["waiting"] == 1


def test_indicator_marks_waiting_too_long_make_the_system_degraded(client, home_org):
    IndicatorDirty.objects.create(organisation=home_org, year=2025,
                                  marked_at=timezone.now() - datetime.timedelta(hours=1))
    now = timezone.now()
    IndicatorJob.objects.create(year=2025, state=JobState.FAILED, finished_at=now)
    with override_settings(REDIS_URL=""):
        status, body = full(client)
    assert status == 200 and body["status"] == "degraded"
    marks = body["checks"]["indicator_marks"]
    assert marks["status"] == "fail" and marks["waiting"] == 1
    assert marks["oldest_age_seconds"] >= 3600 and marks["jobs_failed_24h"] == 1


def test_the_database_down_is_503_down_and_the_checks_that_need_it_are_skipped(client, db):
    with mock.patch.object(health.connection, "cursor",
                           side_effect=OperationalError("connection refused")):
        status, body = full(client)
    assert status == 503 and body["status"] == "down"
    assert body["checks"]["database"]["status"] == "fail"
    assert "connection refused" in body["checks"]["database"]["detail"]
    assert {body["checks"][name]["status"]
            for name in ("beat", "outbox", "indicator_marks")} == {"skip"}


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_redis_down_is_degraded_and_the_worker_is_not_asked(client, db):
    with mock.patch("portal.tasks.worker_ping.apply_async") as send:
        status, body = full(client)
    assert status == 200 and body["status"] == "degraded"
    assert body["checks"]["redis"]["status"] == "fail"
    assert body["checks"]["worker"] == {"status": "skip", "detail": "Redis is down"}
    send.assert_not_called()


@override_settings(REDIS_URL="redis://configured")
def test_beat_is_ok_only_while_its_heartbeat_is_recent(db):
    now = timezone.now()
    assert health.check_beat(now).status == "fail"  # never ran
    beat_heartbeat()
    assert health.check_beat(timezone.now()).status == "ok"
    late = now + datetime.timedelta(seconds=settings.HEALTH_BEAT_MAX_AGE_SECONDS + 5)
    check = health.check_beat(late)
    assert check.status == "fail" and check.values["age_seconds"] > 180
    assert Heartbeat.objects.count() == 1  # overwritten, never a growing table
    beat_heartbeat()
    assert Heartbeat.objects.count() == 1


def test_beat_sends_the_heartbeat_more_often_than_the_health_check_expects_it():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values()
                 if e["task"] == "ops.tasks.beat_heartbeat")
    assert entry["schedule"] * 2 <= settings.HEALTH_BEAT_MAX_AGE_SECONDS
    from innoportal.celery import app

    app.loader.import_default_modules()
    assert "ops.tasks.beat_heartbeat" in app.tasks


@override_settings(REDIS_URL="redis://configured", HEALTH_WORKER_TIMEOUT_SECONDS=0.3)
def test_a_worker_that_does_not_answer_fails_the_worker_check(db):
    with mock.patch("portal.tasks.worker_ping.apply_async"):  # sent, never run
        check = health.check_worker(health.Check("ok"))
    assert check.status == "fail" and "0.3 s" in check.detail


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not (settings.REDIS_URL and settings.IS_POSTGRES),
                    reason="needs REDIS_URL and PostgreSQL: a real broker, worker and database")
def test_a_real_worker_and_beat_make_the_whole_system_ok(client):
    """A worker on a queue of its own (so no other worker on the machine answers) and one beat
    heartbeat: every check passes."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    # The worker writes the heartbeat into this test's database.
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    database_url = f"{server}/{connection.settings_dict['NAME']}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "innoportal.test_settings",
           "DATABASE_URL": database_url}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "innoportal", "worker", "--pool=solo", "-Q", queue,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with mock.patch("ops.health.default_queue", return_value=queue), \
                override_settings(HEALTH_WORKER_TIMEOUT_SECONDS=30):
            status, body = full(client)
            assert body["checks"]["worker"]["status"] == "ok", body
            assert body["checks"]["beat"]["status"] == "fail"  # no heartbeat yet
            assert body["status"] == "degraded"
            beat_heartbeat.apply_async(queue=queue)
            for _ in range(100):
                if Heartbeat.objects.exists():
                    break
                time.sleep(0.1)
            status, body = full(client)
        assert status == 200 and body["status"] == "ok", body
        assert body["checks"]["redis"]["status"] == "ok"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
