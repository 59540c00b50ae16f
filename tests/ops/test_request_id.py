"""Request ids: taken from the proxy or made, returned, on every log record of the request,
and carried into the Celery tasks the request starts — also those the outbox publishes later."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from unittest import mock

import pytest
from celery.signals import before_task_publish, task_postrun, task_prerun
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from portal import outbox
from portal.models import PendingTask
from portal.request_id import (
    RequestIdFilter,
    get_request_id,
    request_id_bound,
)
from portal.tasks import worker_ping

ROOT = Path(__file__).resolve().parents[2]
HEX_ID = re.compile(r"[0-9a-f]{32}")


def test_a_request_without_an_id_gets_a_new_one_in_the_response(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert HEX_ID.fullmatch(first) and HEX_ID.fullmatch(second)
    assert first != second


def test_the_proxys_request_id_is_kept_and_returned(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-4f1c2a9e7b")
    assert response["X-Request-ID"] == "nginx-4f1c2a9e7b"


@pytest.mark.parametrize("sent", ["short", "has space inside it", "line\nbreak-forged-log",
                                  "x" * 200, "ø-not-ascii-øøøø"])
def test_a_request_id_that_does_not_look_like_one_is_replaced(client, db, sent):
    returned = client.get("/healthz", HTTP_X_REQUEST_ID=sent)["X-Request-ID"]
    assert returned != sent and HEX_ID.fullmatch(returned)


class _Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def records():
    handler = _Records()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)


@override_settings(LOG_REQUESTS=True)
def test_every_log_record_of_the_request_carries_its_id(client, employee, records):
    client.force_login(employee)
    response = client.get("/ideas/999999999/", HTTP_X_REQUEST_ID="req-every-record-1")
    assert response.status_code == 404
    mine = [r for r in records if r.name in ("django.request", "innoportal.requests")]
    # Django's own "Not Found" warning and the request line, both with the request's id.
    assert {r.name for r in mine} == {"django.request", "innoportal.requests"}
    assert {r.request_id for r in mine} == {"req-every-record-1"}
    line = next(r for r in mine if r.name == "innoportal.requests")
    assert (line.method, line.path, line.status, line.user_id) == (
        "GET", "/ideas/999999999/", 404, employee.pk)
    # Outside the request the id is gone again.
    logging.getLogger("after").warning("later")
    assert records[-1].request_id == "-"
    assert get_request_id() == ""


def test_json_lines_carry_the_request_id():
    formatter = logging.config.DictConfigurator(settings.LOGGING).configure_formatter(
        settings.LOGGING["formatters"]["json"])
    record = logging.LogRecord("portal.x", logging.WARNING, __file__, 1, "a %s b", ("x",), None)
    with request_id_bound("req-json-1"):
        RequestIdFilter().filter(record)
    line = json.loads(formatter.format(record))
    assert line["message"] == "a x b" and line["level"] == "WARNING"
    assert line["logger"] == "portal.x" and line["request_id"] == "req-json-1"
    assert "time" in line


def test_log_format_is_json_by_default_when_debug_is_off_and_text_for_development():
    def log_format(**env) -> str:
        result = subprocess.run(
            [sys.executable, "-c", "from django.conf import settings; "
             "print(settings.LOG_FORMAT, settings.LOGGING['handlers']['console']['formatter'])"],
            cwd=ROOT, capture_output=True, text=True, check=True,
            env={**{k: v for k, v in os.environ.items() if k not in ("DEBUG", "LOG_FORMAT")},
                 "DJANGO_SETTINGS_MODULE": "innoportal.settings", "SECRET_KEY": "x" * 50, **env})
        return result.stdout.split()[0]

    assert log_format(DEBUG="false") == "json"
    assert log_format(DEBUG="true") == "text"
    assert log_format(DEBUG="false", LOG_FORMAT="text") == "text"


def test_publishing_a_task_stamps_the_current_request_id_into_its_headers():
    headers: dict = {}
    with request_id_bound("req-publish-1"):
        before_task_publish.send(sender="portal.tasks.worker_ping", headers=headers, body=())
    assert headers["request_id"] == "req-publish-1"
    outside: dict = {}
    before_task_publish.send(sender="portal.tasks.worker_ping", headers=outside, body=())
    assert "request_id" not in outside


def test_the_worker_binds_the_tasks_request_id_and_restores_the_previous_one_after():
    task = mock.Mock()
    task.name = "portal.tasks.worker_ping"
    task.request.get = {"request_id": "req-worker-1"}.get
    task_prerun.send(sender=task, task_id="t-1", task=task, args=(), kwargs={})
    assert get_request_id() == "req-worker-1"
    task_postrun.send(sender=task, task_id="t-1", task=task, args=(), kwargs={}, retval=None,
                      state="SUCCESS")
    assert get_request_id() == ""


def test_an_eager_task_keeps_the_requests_id_and_leaves_it_in_place(db, records):
    with request_id_bound("req-eager-1"):
        worker_ping.apply(args=["tok-eager"])
        assert get_request_id() == "req-eager-1"
    ping = next(r for r in records if getattr(r, "token", None) == "tok-eager")
    assert ping.request_id == "req-eager-1"
    assert ping.task.startswith("portal.tasks.worker_ping[")


def test_the_outbox_row_keeps_the_request_id_and_the_flush_publishes_under_it(
        db, django_capture_on_commit_callbacks):
    with request_id_bound("req-outbox-1"):
        with django_capture_on_commit_callbacks(execute=False):
            with transaction.atomic():
                outbox.enqueue_on_commit("portal.tasks.worker_ping", args=["t"], kwargs={})
    row = PendingTask.objects.get()
    assert row.request_id == "req-outbox-1"

    published_under = []
    # Later, outside any request (beat's flush): the message goes out under the row's id.
    with mock.patch.object(outbox, "_send",
                           side_effect=lambda *a: published_under.append(get_request_id())):
        result = outbox.outbox_flush(grace_seconds=0)
    assert result.published == 1
    assert published_under == ["req-outbox-1"]
    assert not PendingTask.objects.exists()


def test_the_after_commit_publish_also_uses_the_rows_request_id(db):
    row = PendingTask.objects.create(task_name="portal.tasks.worker_ping", args=["t"],
                                     request_id="req-after-commit-1")
    published_under = []
    with mock.patch.object(outbox, "_send",
                           side_effect=lambda *a: published_under.append(get_request_id())):
        outbox._publish_after_commit(row.pk)
    assert published_under == ["req-after-commit-1"]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: a real broker and worker")
def test_a_real_worker_logs_json_lines_with_the_request_id_of_the_request_and_the_outbox():
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "innoportal.test_settings", "LOG_FORMAT": "json",
           "LOG_LEVEL": "INFO"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "innoportal", "worker", "--pool=prefork",
         "--concurrency=1", "-Q", queue, "--without-heartbeat", "--without-gossip",
         "--without-mingle", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[dict] = []

    def read() -> None:
        for raw in worker.stdout:
            if raw.startswith("{"):  # log records; Celery prints its banner as plain text
                lines.append(json.loads(raw))

    threading.Thread(target=read, daemon=True).start()
    direct, later = uuid.uuid4().hex, uuid.uuid4().hex
    try:
        with request_id_bound("req-direct-worker-1"):
            worker_ping.apply_async(args=[direct], queue=queue)
        # A message the outbox kept while Redis was down, published by a flush outside
        # any request.
        PendingTask.objects.create(task_name="portal.tasks.worker_ping", args=[later],
                                   options={"queue": queue}, request_id="req-outbox-worker-1")
        assert outbox.outbox_flush(grace_seconds=0).published == 1
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            pings = {line.get("token"): line for line in list(lines) if line.get("token")}
            if {direct, later} <= pings.keys():
                break
            assert worker.poll() is None, "the worker exited"
            time.sleep(0.2)
        else:
            pytest.fail(f"the worker never logged both pings: {lines}")
        assert pings[direct]["request_id"] == "req-direct-worker-1"
        assert pings[later]["request_id"] == "req-outbox-worker-1"
        assert pings[direct]["task"].startswith("portal.tasks.worker_ping[")
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@override_settings(LOG_REQUESTS=True)
def test_the_request_line_never_loads_the_user_itself(client, employee, records, caplog):
    """The log line must not query the database for the user: with the database away that
    query would turn the answer into a 500 (and it costs a query on every request)."""
    from django.db import OperationalError

    caplog.set_level(logging.DEBUG, logger="innoportal.requests")  # probes log at DEBUG
    client.force_login(employee)
    client.raise_request_exception = False
    with mock.patch("django.contrib.auth.middleware.auth.get_user",
                    side_effect=OperationalError("server closed the connection")):
        response = client.get("/healthz")  # a view that never looks at the user
    assert response.status_code == 200
    line = next(r for r in records if r.name == "innoportal.requests")
    assert line.user_id is None
