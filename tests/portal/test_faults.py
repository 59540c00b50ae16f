"""Fault tolerance at unit level: Redis down (outbox, cache), PostgreSQL away (503), a worker
killed mid-job (staleness). The drills against real servers are in bench/faults.py."""

import datetime
import socket
import time
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone

from ideas import services as idea_services
from indicators import services as indicator_services
from indicators.models import IndicatorJob, IndicatorSnapshot, JobState
from innoportal.celery import app as celery_app
from notifications.models import EmailFrequency, Notification
from notifications.services import preference_set
from portal import outbox
from portal.models import PendingTask
from tests.consumers import run_consumers
from tests.indicators.helpers import make_initiative

NOTIFY = "notifications.tasks.notifications_send_immediate"
# What an idea's status change enqueues: the wake of the consumer that writes its notices
# (portal.consumers), which in turn enqueues the notice mail.
WAKE = "portal.tasks.consumer_run"
NOTICES = "notifications.idea_events"


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reset_broker_pools() -> None:
    # Forget the pools bound to the previous broker URL (never opened against a closed port).
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """A real (not eager) Celery whose Redis broker is down: a closed port."""
    conf = celery_app.conf
    saved = {"broker_url": conf.broker_url, "task_always_eager": conf.task_always_eager}
    _reset_broker_pools()
    conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    conf.task_always_eager = False
    yield conf
    _reset_broker_pools()
    conf.update(saved)


def broker_back(conf) -> None:
    """Redis is back; in the suite the "worker" is Celery's eager mode (runs on publish)."""
    _reset_broker_pools()
    conf.task_always_eager = True


@pytest.fixture
def followed_idea(employee, coordinator, manager, home_org):
    idea = idea_services.idea_create(actor=employee, organisation=home_org, title="Nattilsyn",
                                     need="Mange nattlige tilsynsbesøk")
    idea_services.idea_submit(actor=employee, idea=idea)
    idea_services.idea_follow(actor=manager, idea=idea)
    for user in (employee, manager):  # both want their mail at once
        preference_set(user=user, frequency=EmailFrequency.IMMEDIATE)
    # The set-up's own events are consumed now, and the wakes they left in the outbox (with
    # Redis, or with the broker down) are not what the tests look at.
    run_consumers()
    PendingTask.objects.all().delete()
    return idea


# --- Redis down: the outbox ---------------------------------------------------------------------

def test_redis_down_a_write_that_enqueues_succeeds_fast_and_the_message_waits(
        broker_down, client, coordinator, manager, followed_idea, mailoutbox,
        django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/ideas/{followed_idea.pk}/transition/", {"action": "review"})
    elapsed = time.monotonic() - started
    assert response.status_code == 302 and elapsed < 5, elapsed
    followed_idea.refresh_from_db()
    assert followed_idea.status == "in_review"  # the change itself is committed
    pending = PendingTask.objects.get()
    assert (pending.task_name, pending.args) == (WAKE, [NOTICES])
    assert pending.attempts == 1 and pending.last_error  # the publish was tried and failed
    assert mailoutbox == []
    assert not Notification.objects.exists()  # the event waits for its consumer

    # Redis back: the flush runs the task exactly once (the notices, then their mail after
    # the consumer's commit), and a second flush finds nothing.
    broker_back(broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("outbox_flush")
    assert not PendingTask.objects.exists()
    assert sorted(m.to[0] for m in mailoutbox) == ["employee@example.no", "manager@example.no"]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("outbox_flush")
    assert len(mailoutbox) == 2
    assert all(n.emailed_at for n in Notification.objects.filter(idea=followed_idea))


def test_outbox_flush_while_redis_is_still_down_keeps_the_message_and_says_so(
        broker_down, coordinator, followed_idea):
    idea_services.idea_start_review(actor=coordinator, idea=followed_idea)  # no commit hooks run
    assert PendingTask.objects.get().attempts == 0
    with pytest.raises(CommandError, match="could not be published"):
        call_command("outbox_flush", grace=0)
    pending = PendingTask.objects.get()
    assert pending.attempts == 1 and "OperationalError" in pending.last_error


def test_a_rolled_back_change_leaves_no_message(broker_down, coordinator, followed_idea):
    with pytest.raises(RuntimeError), transaction.atomic():
        idea_services.idea_start_review(actor=coordinator, idea=followed_idea)
        raise RuntimeError("the request failed after the service")
    assert not PendingTask.objects.exists()


def test_the_flush_leaves_fresh_untried_messages_to_their_own_request(
        broker_down, coordinator, followed_idea, mailoutbox, django_capture_on_commit_callbacks):
    # The request that wrote the row may be about to publish it: publishing it from the flush
    # as well would send it twice.
    idea_services.idea_start_review(actor=coordinator, idea=followed_idea)
    broker_back(broker_down)
    result = outbox.outbox_flush()
    assert (result.published, result.waiting) == (0, 1) and mailoutbox == []
    old = timezone.now() - datetime.timedelta(seconds=31)
    PendingTask.objects.update(created_at=old)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.outbox_flush().published == 1
    assert len(mailoutbox) == 2


def test_after_commit_publish_deletes_the_row_when_the_broker_takes_it(
        broker_down, coordinator, manager, followed_idea, django_capture_on_commit_callbacks):
    from portal.tasks import consumer_run

    with mock.patch.object(consumer_run, "delay") as publish:
        with django_capture_on_commit_callbacks(execute=True):
            idea_services.idea_start_review(actor=coordinator, idea=followed_idea)
    publish.assert_called_once_with(NOTICES)
    assert not PendingTask.objects.exists()


def test_unknown_task_in_the_outbox_is_reported_not_dropped(db, broker_down):
    PendingTask.objects.create(task_name="gone.tasks.renamed", args=[1], attempts=1)
    broker_back(broker_down)
    result = outbox.outbox_flush()
    assert (result.published, result.failed) == (0, 1)
    assert "unknown task" in PendingTask.objects.get().last_error


def test_options_that_cannot_wait_in_the_outbox_are_refused(db, broker_down):
    with pytest.raises(ValueError, match="link"):
        outbox.enqueue_on_commit(NOTIFY, args=[1], kwargs={}, options={"link": "x"})
    assert not PendingTask.objects.exists()


def test_indicator_job_waits_in_the_outbox_while_redis_is_down(
        broker_down, org_admin, home_org, django_capture_on_commit_callbacks):
    make_initiative(home_org, [("concept", "2024-02-01")])
    with django_capture_on_commit_callbacks(execute=True):
        job = indicator_services.indicator_job_create(actor=org_admin, year=2024,
                                                      organisation=home_org)
    assert PendingTask.objects.get().args == [str(job.pk)]
    broker_back(broker_down)
    assert outbox.outbox_flush().published == 1
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED


# --- Redis down: the cache ---------------------------------------------------------------------

@pytest.fixture
def cache_down():
    location = f"redis://127.0.0.1:{closed_port()}/0"
    with override_settings(CACHES={"default": {
            "BACKEND": "portal.cache.FaultTolerantRedisCache", "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}):
        from django.core.cache import cache

        yield cache


def test_cache_errors_are_misses_not_500s(cache_down):
    assert cache_down.get("k", "fallback") == "fallback"
    cache_down.set("k", 1)
    assert cache_down.add("k", 1) is False
    assert cache_down.get_or_set("k", 2) == 2
    assert cache_down.get_many(["a", "b"]) == {}
    cache_down.delete("k")


def test_plain_redis_cache_would_have_raised(cache_down):
    from django.core.cache.backends.redis import RedisCache
    from redis.exceptions import ConnectionError as RedisConnectionError

    plain = RedisCache(cache_down._servers[0], {"OPTIONS": {"socket_connect_timeout": 1}})
    with pytest.raises(RedisConnectionError):
        plain.get("k")


def test_pages_work_with_the_cache_down(cache_down, client, manager):
    client.force_login(manager)
    for url in ("/", "/ideas/", "/dashboard/", "/healthz"):
        assert client.get(url).status_code == 200, url


def test_sessions_do_not_live_in_redis(settings):
    from importlib import import_module

    from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert issubclass(store, DatabaseStore)
    assert store.get_model_class()._meta.db_table == "django_session"


# --- PostgreSQL away: 503 -----------------------------------------------------------------------

LOST = OperationalError("server closed the connection unexpectedly")


def test_database_lost_in_a_page_gives_a_clean_503(client, manager):
    client.force_login(manager)
    client.raise_request_exception = False
    with mock.patch("portal.context_processors.user_context", side_effect=LOST):
        response = client.get("/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    body = response.content.decode()
    assert "midlertidig utilgjengelig" in body and "Traceback" not in body
    assert "server closed" not in body  # nothing of the error reaches the client


def test_database_lost_in_the_api_gives_json_503(token_client, manager):
    api_client = token_client(manager)
    with mock.patch("indicators.api.IndicatorJob.objects.select_related",
                    side_effect=LOST):
        response = api_client.get("/api/v1/indicators/jobs/"
                                  "00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"


def test_database_lost_outside_the_view_also_gives_503():
    from portal.views import server_error

    request = RequestFactory().get("/ideas/")
    try:
        raise LOST
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503


def test_other_errors_stay_500_with_the_error_page():
    from portal.views import server_error

    request = RequestFactory().get("/ideas/")
    try:
        raise ZeroDivisionError
    except ZeroDivisionError:
        response = server_error(request)
    assert response.status_code == 500 and "Noe gikk galt" in response.content.decode()


def test_postgres_connections_are_health_checked(settings):
    if not settings.IS_POSTGRES:
        pytest.skip("the persistent-connection settings apply to PostgreSQL")
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    # A connect during a restart must not hold a web worker for long.
    assert settings.DATABASES["default"]["OPTIONS"]["connect_timeout"] <= 10


# --- a worker killed mid-job ---------------------------------------------------------------------

@pytest.fixture
def running_job(org_admin, home_org):
    make_initiative(home_org, [("concept", "2024-02-01")])
    indicator_services.indicators_recompute(year=2024)
    before = IndicatorSnapshot.objects.get(organisation=home_org, year=2024, quarter=0)
    job = indicator_services.indicator_job_create(actor=org_admin, year=2024,
                                                  organisation=home_org)
    IndicatorJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, progress=40,
                                                  heartbeat_at=timezone.now())
    return job, before


def age(job, seconds):
    IndicatorJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=seconds))


def test_a_job_whose_worker_died_is_expired_and_snapshots_stay(running_job, settings):
    job, before = running_job
    settings.INDICATOR_JOB_STALE_SECONDS = 600
    assert indicator_services.indicator_jobs_expire() == 0  # still alive
    age(job, 601)
    assert indicator_services.indicator_jobs_expire() == 1
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.finished_at and "Avbrutt" in job.message
    after = IndicatorSnapshot.objects.get(pk=before.pk)
    assert (after.points, after.computed_at) == (before.points, before.computed_at)


def test_a_redelivered_job_reclaims_only_a_dead_run(running_job, settings):
    job, _before = running_job
    settings.INDICATOR_JOB_STALE_SECONDS = 600
    # Still heart-beating: another worker has it; a second delivery does nothing.
    assert indicator_services.indicator_job_run(str(job.pk)).state == JobState.RUNNING
    age(job, 601)
    assert indicator_services.indicator_job_run(str(job.pk)).state == JobState.SUCCEEDED


def test_an_expired_job_is_not_rerun_by_a_late_redelivery(running_job):
    job, before = running_job
    age(job, 10_000)
    indicator_services.indicator_jobs_expire()
    assert indicator_services.indicator_job_run(str(job.pk)).state == JobState.FAILED
    assert IndicatorSnapshot.objects.get(pk=before.pk).computed_at == before.computed_at


def test_progress_beats_the_heart(org_admin, home_org):
    make_initiative(home_org, [("concept", "2024-02-01")])
    job = indicator_services.indicator_job_create(actor=org_admin, year=2024,
                                                  organisation=home_org)
    beats = []
    real = indicator_services.indicators_recompute

    def recompute(**kwargs):
        def progress(percent, message):
            kwargs_progress(percent, message)
            beats.append(IndicatorJob.objects.get(pk=job.pk).heartbeat_at)
        kwargs_progress = kwargs.pop("progress")
        return real(progress=progress, **kwargs)

    with mock.patch.object(indicator_services, "indicators_recompute", side_effect=recompute):
        indicator_services.indicator_job_run(str(job.pk))
    assert len(beats) >= 3 and beats == sorted(beats) and beats[-1] > beats[0]

