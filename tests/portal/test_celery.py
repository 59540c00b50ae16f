import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from portal.tasks import WORKER_PING_KEY, worker_ping

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="eager mode is only used without REDIS_URL")
def test_without_redis_tasks_run_eagerly():
    token = uuid.uuid4().hex
    worker_ping.delay(token)
    assert cache.get(WORKER_PING_KEY.format(token=token))


@pytest.mark.redis
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: a real broker and worker")
def test_a_real_worker_runs_a_task_sent_through_redis():
    # A queue of its own, so no other worker on the machine can take the message.
    queue = f"test-{uuid.uuid4().hex[:8]}"
    token = uuid.uuid4().hex
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "innoportal.test_settings"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "innoportal", "worker", "--pool=solo",
         "--concurrency=1", "-Q", queue, "--without-heartbeat", "--without-gossip",
         "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        assert not settings.CELERY_TASK_ALWAYS_EAGER
        worker_ping.apply_async(args=[token], queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not cache.get(WORKER_PING_KEY.format(token=token)):
            assert worker.poll() is None, worker.stdout.read().decode()
            time.sleep(0.2)
        assert cache.get(WORKER_PING_KEY.format(token=token)), "the worker never ran the task"
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_every_beat_entry_names_a_registered_task():
    """The beat schedule names tasks by their module path: a move of a tasks module must move
    the schedule with it, or beat would send messages no worker knows."""
    from innoportal.celery import app

    app.loader.import_default_modules()
    registered = set(app.tasks)
    missing = {name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
               if entry["task"] not in registered}
    assert not missing
    assert len(settings.CELERY_BEAT_SCHEDULE) >= 8
