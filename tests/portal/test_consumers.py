"""Consumers of written rows (portal.consumers): a higher layer gets every row a lower layer
writes exactly once, after the writer's commit, whatever the commit order of concurrent
writers; failures are kept with their error and retried; beat runs every consumer."""

import datetime
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from portal import consumers
from portal.models import ConsumerQueueItem, OrganisationEvent
from tests.factories import OrganisationFactory

TOPIC = "tests.rows"


@pytest.fixture
def handled(monkeypatch):
    """A queue consumer of TOPIC that records the row ids it handles."""
    seen: list[int] = []
    lock = threading.Lock()

    def handle(row_id: int) -> None:
        with lock:
            seen.append(row_id)

    monkeypatch.setitem(consumers._registry, "tests.recorder",
                        consumers.Consumer(name="tests.recorder", topic=TOPIC, handle=handle))
    return seen


def _event(org) -> int:
    return OrganisationEvent.objects.create(organisation=org, kind="tests", data={}).pk


def test_each_written_row_reaches_the_consumer_once_after_the_commit(
        db, handled, celery_eager, django_capture_on_commit_callbacks):
    org = OrganisationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            ids = [_event(org), _event(org)]
            consumers.rows_written(TOPIC, ids)
            assert handled == []  # nothing before the commit
    assert handled == ids
    assert not ConsumerQueueItem.objects.exists()
    consumers.consumers_run_all()
    assert handled == ids  # not twice


def test_a_row_told_twice_is_handled_once(db, handled):
    org = OrganisationFactory()
    pk = _event(org)
    consumers.rows_written(TOPIC, [pk])
    consumers.rows_written(TOPIC, [pk, pk])
    assert consumers.consumers_run_all().handled == 1
    assert handled == [pk]


def test_a_rolled_back_write_leaves_nothing_for_the_consumer(db, handled):
    org = OrganisationFactory()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            consumers.rows_written(TOPIC, [_event(org)])
            raise RuntimeError("the service refused")
    assert not ConsumerQueueItem.objects.exists()
    consumers.consumers_run_all()
    assert handled == []


def test_a_lost_wake_is_made_good_by_the_run_of_all_consumers(db, handled):
    """Under the test's transaction no commit happens, so no wake: the rows wait in the queue
    until beat's run of every consumer."""
    org = OrganisationFactory()
    ids = [_event(org)]
    consumers.rows_written(TOPIC, ids)
    assert ConsumerQueueItem.objects.filter(consumer="tests.recorder").count() == 1
    assert handled == []
    assert consumers.consumers_run_all().handled == 1
    assert handled == ids


def test_a_failing_row_is_kept_with_its_error_and_retried_later(db, monkeypatch):
    calls: list[int] = []

    def handle(row_id: int) -> None:
        calls.append(row_id)
        if len(calls) == 1:
            OrganisationEvent.objects.create(organisation_id=row_id, kind="half", data={})
            raise ValueError("mail server said no")

    monkeypatch.setitem(consumers._registry, "tests.flaky",
                        consumers.Consumer(name="tests.flaky", topic=TOPIC, handle=handle))
    org = OrganisationFactory()
    consumers.rows_written(TOPIC, [org.pk])
    result = consumers.consumer_run("tests.flaky")
    assert (result.handled, result.failed) == (0, 1)
    item = ConsumerQueueItem.objects.get(consumer="tests.flaky")
    assert item.attempts == 1 and "ValueError: mail server said no" in item.last_error
    assert item.retry_at > timezone.now() and item.claim_token is None
    # The failed handling wrote nothing (its transaction rolled back with the error).
    assert not OrganisationEvent.objects.filter(kind="half").exists()
    # Not yet due: a run now leaves it alone.
    assert consumers.consumer_run("tests.flaky").handled == 0
    assert calls == [org.pk]
    ConsumerQueueItem.objects.filter(pk=item.pk).update(
        retry_at=timezone.now() - datetime.timedelta(seconds=1))
    assert consumers.consumer_run("tests.flaky").handled == 1
    assert calls == [org.pk, org.pk]
    assert not ConsumerQueueItem.objects.exists()


def test_a_row_claimed_by_a_live_run_is_left_to_it(db, handled):
    org = OrganisationFactory()
    consumers.rows_written(TOPIC, [_event(org)])
    ConsumerQueueItem.objects.update(claim_token="00000000-0000-0000-0000-000000000001",
                                     claimed_until=timezone.now() + consumers.LEASE)
    assert consumers.consumer_run("tests.recorder").handled == 0
    # The lease ran out (that run died): the next run takes the row over.
    ConsumerQueueItem.objects.update(claimed_until=timezone.now() - datetime.timedelta(1))
    assert consumers.consumer_run("tests.recorder").handled == 1
    assert len(handled) == 1


def test_a_name_is_registered_once(monkeypatch):
    monkeypatch.setattr(consumers, "_registry", {})
    consumers.consumer_register("tests.one", topic=TOPIC, handle=print)
    consumers.consumer_register("tests.one", topic=TOPIC, handle=print)  # the same: fine
    with pytest.raises(ValueError):
        consumers.consumer_register("tests.one", topic="tests.other", handle=print)
    with pytest.raises(ValueError):
        consumers.consumer_register("tests.two", topic=TOPIC)


def test_the_command_runs_the_consumers_and_refuses_unknown_names(db, handled):
    org = OrganisationFactory()
    consumers.rows_written(TOPIC, [_event(org)])
    out = io.StringIO()
    call_command("consumers_run", "tests.recorder", stdout=out)
    assert "tests.recorder: handled 1, failed 0" in out.getvalue()
    with pytest.raises(CommandError, match="Unknown consumer"):
        call_command("consumers_run", "tests.nobody", stdout=io.StringIO())


# --- concurrency (PostgreSQL: two writers and two runs at once) -----------------------------

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                    reason="needs concurrent PostgreSQL transactions")


@pytest.fixture
def no_wake(monkeypatch):
    """The test runs the consumer itself, at the moments it chooses."""
    monkeypatch.setattr(consumers, "_wake_after_commit", lambda consumer: None)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@needs_postgres
def test_a_row_that_commits_after_a_later_row_is_not_skipped(handled, no_wake):
    """Writer A takes the lower id but commits last; the consumer runs in between. A cursor
    over ids ("after the last id I saw") would have moved past A's row for good."""
    org = OrganisationFactory()
    a_wrote, b_done, a_may_commit = threading.Event(), threading.Event(), threading.Event()
    ids: dict[str, int] = {}

    def writer_a():
        try:
            with transaction.atomic():
                ids["a"] = _event(org)
                consumers.rows_written(TOPIC, [ids["a"]])
                a_wrote.set()
                a_may_commit.wait(10)
        finally:
            connection.close()

    def writer_b():
        try:
            a_wrote.wait(10)
            with transaction.atomic():
                ids["b"] = _event(org)
                consumers.rows_written(TOPIC, [ids["b"]])
        finally:
            b_done.set()
            connection.close()

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for thread in threads:
        thread.start()
    b_done.wait(10)
    consumers.consumer_run("tests.recorder")
    assert handled == [ids["b"]]  # B committed; A has not yet
    a_may_commit.set()
    for thread in threads:
        thread.join()
    consumers.consumer_run("tests.recorder")
    assert ids["a"] < ids["b"]
    assert handled == [ids["b"], ids["a"]]
    assert not ConsumerQueueItem.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@needs_postgres
def test_two_runs_at_once_handle_every_row_exactly_once(monkeypatch, no_wake):
    seen: list[int] = []
    lock = threading.Lock()

    def slow(row_id: int) -> None:
        with lock:
            seen.append(row_id)
        threading.Event().wait(0.002)

    monkeypatch.setitem(consumers._registry, "tests.slow",
                        consumers.Consumer(name="tests.slow", topic=TOPIC, handle=slow))
    org = OrganisationFactory()
    with transaction.atomic():
        ids = [_event(org) for _ in range(120)]
        consumers.rows_written(TOPIC, ids)
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            consumers.consumer_run("tests.slow", batch_size=10)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == sorted(ids)
    assert not ConsumerQueueItem.objects.exists()
