"""The Celery outbox: background work survives a Redis outage and a crash after the commit.

Design (a transactional outbox, written always, not only when publishing fails):
`task.delay_on_commit(...)` writes a `PendingTask` row in the caller's transaction and, after
the commit, publishes the message and deletes the row. So

- a rolled-back change leaves neither row nor message;
- Redis down at commit time: the publish fails fast (bounded retry, see settings), the row
  stays with the error, and the request still succeeds — no 500, no long hang;
- the process dying between the commit and the publish (worker timeout, OOM, deploy) also
  leaves the row; "publish only on failure" would lose that message.

`outbox_flush()` publishes the rows left behind: every minute from beat, once when a worker
starts (worker_ready) and on demand with `manage.py outbox_flush`. Rows that never failed are
left alone for OUTBOX_GRACE_SECONDS, so the flush does not race the after-commit publish of a
request that is still running. A message published twice (the process died after publishing,
before deleting the row) is harmless: every task is idempotent (docs/architecture.md).

Without REDIS_URL tasks run eagerly after the commit, as before: there is no broker to protect.
"""

from __future__ import annotations

import datetime
import functools
import logging
from dataclasses import dataclass

from celery import current_app
from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from portal.request_id import get_request_id, request_id_bound

log = logging.getLogger(__name__)

# Options that may be stored (JSON-safe and meaningful after a delay).
STORABLE_OPTIONS = frozenset({"countdown", "queue", "priority", "expires"})


def _eager() -> bool:
    return bool(current_app.conf.task_always_eager)


class OutboxTask(DjangoTask):
    """The base class of every task (innoportal.celery sets it): *_on_commit go through the
    outbox. Plain `delay()` / `apply_async()` publish directly, as in Celery."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        if _eager():
            transaction.on_commit(functools.partial(self.delay, *args, **kwargs))
            return
        enqueue_on_commit(self.name, args=list(args), kwargs=kwargs)

    def apply_async_on_commit(self, args=None, kwargs=None, **options) -> None:
        if _eager():
            transaction.on_commit(functools.partial(self.apply_async, args, kwargs, **options))
            return
        enqueue_on_commit(self.name, args=list(args or ()), kwargs=dict(kwargs or {}),
                          options=options)


def enqueue_on_commit(task_name: str, *, args: list, kwargs: dict,
                      options: dict | None = None) -> None:
    """Record the message in the current transaction; publish it after the commit."""
    from portal.models import PendingTask

    options = dict(options or {})
    unknown = set(options) - STORABLE_OPTIONS
    if unknown:
        raise ValueError(f"Options that cannot wait in the outbox: {sorted(unknown)}")
    row = PendingTask.objects.create(task_name=task_name, args=args, kwargs=kwargs,
                                     options=options, request_id=get_request_id())
    transaction.on_commit(functools.partial(_publish_after_commit, row.pk))


def _send(task_name: str, args: list, kwargs: dict, options: dict) -> None:
    task = current_app.tasks[task_name]
    if options:
        task.apply_async(args=args, kwargs=kwargs, **options)
    else:
        # delay(): what the tests patch when they assert what was enqueued.
        task.delay(*args, **kwargs)


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _publish_after_commit(pk: int) -> None:
    """Never raises: the change is committed; a failed publish leaves the row for the flush."""
    from portal.models import PendingTask

    try:
        row = PendingTask.objects.filter(pk=pk).values(
            "task_name", "args", "kwargs", "options", "request_id").first()
        if row is None:  # a flush got there first
            return
        with request_id_bound(row["request_id"]):
            _send(row["task_name"], row["args"], row["kwargs"], row["options"])
    except DatabaseError:
        log.warning("Outbox: could not read pending task %s; the flush retries it", pk,
                    exc_info=True)
        return
    except Exception as error:  # noqa: BLE001 - broker down or any publish failure
        log.warning("Outbox: publishing pending task %s failed (%s); kept for the flush",
                    pk, _error_text(error))
        try:
            _record_failure(pk, error)
        except DatabaseError:
            log.warning("Outbox: could not record the failure of %s", pk, exc_info=True)
        return
    try:
        PendingTask.objects.filter(pk=pk).delete()
    except DatabaseError:
        # Published but not deleted: the flush publishes it again; tasks are idempotent.
        log.warning("Outbox: published %s but could not delete its row", pk, exc_info=True)


def _record_failure(pk: int, error: BaseException) -> None:
    from portal.models import PendingTask

    PendingTask.objects.filter(pk=pk).update(attempts=F("attempts") + 1,
                                             last_attempt_at=timezone.now(),
                                             last_error=_error_text(error))


@dataclass(frozen=True)
class FlushResult:
    published: int
    failed: int
    waiting: int  # rows still in the outbox afterwards

    def __str__(self) -> str:
        return f"published {self.published}, failed {self.failed}, waiting {self.waiting}"


def outbox_flush(*, grace_seconds: float | None = None, batch_size: int = 200) -> FlushResult:
    """Publish the messages the outbox holds, oldest first, and delete each one published.

    Each batch locks its rows (SKIP LOCKED), so two flushes at once (beat and a worker start)
    never publish the same row twice. The first broker failure ends the flush: Redis is still
    down and the rest would fail the same way (each waiting a connection timeout)."""
    from portal.models import PendingTask

    grace = settings.OUTBOX_GRACE_SECONDS if grace_seconds is None else grace_seconds
    cutoff = timezone.now() - datetime.timedelta(seconds=grace)
    # Rows that already failed once are nobody else's business; fresh ones may still be
    # published by the request that wrote them.
    due = Q(attempts__gt=0) | Q(created_at__lte=cutoff)
    published = failed = 0
    last_pk = 0
    broker_down = False
    while not broker_down:
        with transaction.atomic():
            rows = list(PendingTask.objects.select_for_update(skip_locked=True)
                        .filter(due, pk__gt=last_pk).order_by("pk")[:batch_size])
            if not rows:
                break
            for row in rows:
                last_pk = row.pk
                if row.task_name not in _registered_tasks():
                    failed += 1
                    _record_failure(row.pk, LookupError(f"unknown task {row.task_name}"))
                    continue
                try:
                    # The message carries the id of the request that wrote the row.
                    with request_id_bound(row.request_id):
                        _send(row.task_name, row.args, row.kwargs, row.options)
                except Exception as error:  # noqa: BLE001 - broker down: stop, keep the rest
                    failed += 1
                    _record_failure(row.pk, error)
                    log.warning("Outbox flush: publishing %s failed (%s); stopping",
                                row.pk, _error_text(error))
                    broker_down = True
                    break
                PendingTask.objects.filter(pk=row.pk).delete()
                published += 1
    waiting = PendingTask.objects.count()
    if published or failed:
        log.info("Outbox flush: %s", FlushResult(published, failed, waiting))
    return FlushResult(published, failed, waiting)


def _registered_tasks():
    return current_app.tasks
