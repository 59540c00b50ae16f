"""Consumers: how a higher layer reacts to rows a lower layer writes, without being called.

Imports run one way (README, "Architecture"): the idea, project and benefit services, the phase
log and the benefit history must not call the notification centre, the benefit plan or the
indicator engine above them. Instead a lower layer writes its rows (events, dirty marks) and
tells this module, by *topic*, that it wrote them; the higher apps register, in their
`AppConfig.ready()`, the consumers that read those rows:

    consumer_register("notifications.idea_events", topic=IDEA_EVENTS, handle=notify_idea)
    consumer_register("indicators.recompute", topic=INDICATOR_MARKS, drain=drain_marks,
                      debounce_seconds=10)

Two kinds of consumer:

- A *queue* consumer (`handle(row_id)`) gets every row of its topic exactly once. The writer's
  `rows_written(topic, ids)` adds one `ConsumerQueueItem` per row and consumer in the writer's
  transaction, so the queue commits (or rolls back) with the rows themselves. That is what
  makes it safe whatever the commit order of concurrent writers: a cursor "id > last seen"
  would skip a row whose transaction took a lower id but committed after a higher one. A run
  claims items with a compare-and-swap lease, and for each item deletes it and calls the
  handler in one transaction: handled and gone, or (on an exception) rolled back and kept with
  its error, retried later with a growing delay.
- A *drain* consumer (`drain()`) keeps its own table of work (the indicators' dirty marks, an
  upsert per organisation and period); the writer only wakes it.

Waking: after the writer's commit, each consumer of the topic runs — right away in the web
process without Redis (eager Celery), through the worker with Redis (the `consumer_run` task,
published through the outbox, portal.outbox; a drain with `debounce_seconds` collects a burst
of writes into one run). Beat runs every consumer every minute (`consumers_run_all`), so a
lost or delayed wake costs at most a minute, never a row.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from celery import current_app
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from portal import tasks
from portal.models import ConsumerQueueItem

log = logging.getLogger(__name__)

# How long a run may hold claimed items before another run may take them over.
LEASE = datetime.timedelta(minutes=5)
# A failed item waits 1, 2, 4 … minutes (at most an hour) before its next attempt.
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 3600
BATCH = 100


@dataclass(frozen=True)
class Consumer:
    name: str
    topic: str
    handle: Callable[[int], object] | None = None
    drain: Callable[[], object] | None = None
    debounce_seconds: int = 0
    # The kinds of row (an event's kind) the consumer wants; None: every row of the topic.
    kinds: frozenset[str] | None = None

    def wants(self, kind: str | None) -> bool:
        return self.kinds is None or kind in self.kinds


_registry: dict[str, Consumer] = {}


def consumer_register(name: str, *, topic: str, handle: Callable[[int], object] | None = None,
                      drain: Callable[[], object] | None = None, debounce_seconds: int = 0,
                      kinds: Iterable[str] | None = None) -> Consumer:
    """Register a consumer (from a higher app's AppConfig.ready()). Exactly one of `handle`
    (called once per row id written to the topic) and `drain` (called to do the work the
    consumer keeps in its own table). `kinds`: only rows of these kinds are queued for it
    (the writer names the kind), so rows it would ignore cost nothing."""
    if (handle is None) == (drain is None):
        raise ValueError("A consumer has either handle() or drain().")
    consumer = Consumer(name=name, topic=topic, handle=handle, drain=drain,
                        debounce_seconds=debounce_seconds,
                        kinds=frozenset(kinds) if kinds is not None else None)
    known = _registry.get(name)
    if known is not None and known != consumer:
        raise ValueError(f"Another consumer is registered as {name!r}.")
    _registry[name] = consumer
    return consumer


def consumers() -> list[Consumer]:
    return list(_registry.values())


def consumers_of(topic: str) -> list[Consumer]:
    return [c for c in _registry.values() if c.topic == topic]


def rows_written(topic: str, ids: Iterable[int] = (), *, kind: str | None = None) -> None:
    """Call inside the writer's transaction, after writing rows of `topic` (of one `kind`, for
    consumers that filter by kind): queues each row for the topic's queue consumers and wakes
    them, and the topic's drains, after the commit."""
    ids = list(ids)
    registered = [c for c in consumers_of(topic) if c.wants(kind)]
    queued = [c for c in registered if c.handle is not None]
    if ids and queued:
        # A row told twice is queued once (the constraint per consumer and row).
        ConsumerQueueItem.objects.bulk_create(
            [ConsumerQueueItem(consumer=c.name, row_id=pk) for c in queued for pk in ids],
            ignore_conflicts=True)
    for consumer in registered:
        _wake_after_commit(consumer)


def _wake_after_commit(consumer: Consumer) -> None:
    if consumer.debounce_seconds:
        transaction.on_commit(lambda: _wake_debounced(consumer))
    else:
        # The outbox: eager right after the commit without Redis; with Redis published after
        # the commit, and kept for the flush if Redis is down.
        tasks.consumer_run.delay_on_commit(consumer.name)


def _wake_debounced(consumer: Consumer) -> None:
    """One queued run per debounce window, however many writes arrive in it."""
    if current_app.conf.task_always_eager:
        # No queue to protect (zero-setup mode): run right after the commit.
        tasks.consumer_run.delay(consumer.name)
        return
    try:
        if cache.add(f"consumers:{consumer.name}:scheduled", 1,
                     timeout=consumer.debounce_seconds):
            tasks.consumer_run.apply_async(args=[consumer.name],
                                           countdown=consumer.debounce_seconds)
    except Exception:  # noqa: BLE001 - queue down: beat runs every consumer every minute
        log.warning("Could not wake consumer %s; beat runs it later", consumer.name,
                    exc_info=True)


# --- running ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class RunResult:
    handled: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"handled {self.handled}, failed {self.failed}"


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _retry_delay(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
                                          RETRY_MAX_SECONDS))


def consumer_run(name: str, *, batch_size: int = BATCH) -> RunResult:
    """Do the work waiting for one consumer. Safe to run twice at once: queue items are claimed
    with a compare-and-swap lease, drains are idempotent."""
    consumer = _registry.get(name)
    if consumer is None:
        raise LookupError(f"No consumer {name!r} is registered.")
    if consumer.drain is not None:
        # A drain keeps its own failures (the indicator marks record theirs); whatever still
        # escapes is logged, never raised: without Redis this runs right after the writer's
        # commit, inside its request, whose answer must match what was committed.
        try:
            consumer.drain()
        except Exception as error:  # noqa: BLE001 - beat runs the drain again in a minute
            log.exception("Consumer %s failed (%s); beat runs it again", name,
                          _error_text(error))
            return RunResult(failed=1)
        return RunResult()
    handled = failed = 0
    token = uuid.uuid4()
    while True:
        now = timezone.now()
        due = (Q(consumer=name) & (Q(retry_at__isnull=True) | Q(retry_at__lte=now))
               & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)))
        ids = list(ConsumerQueueItem.objects.filter(due).order_by("pk")
                   .values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        # The claim: only items still due when the update runs become ours; a concurrent run
        # that got there first keeps them.
        ConsumerQueueItem.objects.filter(due, pk__in=ids).update(
            claim_token=token, claimed_until=now + LEASE)
        mine = list(ConsumerQueueItem.objects.filter(claim_token=token, pk__in=ids)
                    .order_by("pk").values_list("pk", "row_id", "attempts"))
        for pk, row_id, attempts in mine:
            try:
                with transaction.atomic():
                    # Deleted in the transaction that handles it: handled once, or (rolled
                    # back) still queued. Gone already: our lease ran out and another run
                    # took the item over.
                    deleted, _rows = ConsumerQueueItem.objects.filter(
                        pk=pk, claim_token=token).delete()
                    if not deleted:
                        continue
                    consumer.handle(row_id)
                handled += 1
            except Exception as error:  # noqa: BLE001 - kept with its error, retried later
                failed += 1
                log.warning("Consumer %s failed on row %s (%s); kept for a retry", name,
                            row_id, _error_text(error))
                ConsumerQueueItem.objects.filter(pk=pk, claim_token=token).update(
                    attempts=F("attempts") + 1, last_error=_error_text(error),
                    retry_at=timezone.now() + _retry_delay(attempts + 1),
                    claim_token=None, claimed_until=None)
    if handled or failed:
        log.info("Consumer %s: %s", name, RunResult(handled, failed))
    return RunResult(handled, failed)


def consumers_run_all(*, until_idle: bool = False) -> RunResult:
    """Run every registered consumer once (beat, every minute). With `until_idle`, repeat
    while a pass still handled something: a consumer's reaction may write rows for another
    (a gate decision's event makes gevinst ask for a new plan approval, whose event gives a
    notice)."""
    handled = failed = 0
    while True:
        before = handled
        for consumer in consumers():
            result = consumer_run(consumer.name)
            handled += result.handled
            failed += result.failed
        if not until_idle or handled == before:
            return RunResult(handled, failed)
