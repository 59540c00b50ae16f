from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

WORKER_PING_KEY = "worker-ping:{token}"


@shared_task
def worker_ping(token: str) -> str:
    """Proves a worker is consuming the queue: leaves a timestamp in the shared cache."""
    stamp = timezone.now().isoformat()
    cache.set(WORKER_PING_KEY.format(token=token), stamp, timeout=300)
    return stamp


@shared_task
def outbox_flush() -> str:
    """Publish what the Celery outbox kept while Redis was down (portal.outbox)."""
    from portal import outbox

    return str(outbox.outbox_flush())


@shared_task
def consumer_run(name: str) -> str:
    """Run one consumer of written rows (portal.consumers); woken after the writer's commit."""
    from portal import consumers

    return str(consumers.consumer_run(name))


@shared_task
def consumers_run_all() -> str:
    """Every consumer, every minute from beat: the safety net for a lost or delayed wake."""
    from portal import consumers

    return str(consumers.consumers_run_all())
