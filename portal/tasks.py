import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

WORKER_PING_KEY = "worker-ping:{token}"

log = logging.getLogger(__name__)


@shared_task
def worker_ping(token: str) -> str:
    """Proves a worker is consuming the queue: leaves a timestamp in the shared cache."""
    stamp = timezone.now().isoformat()
    cache.set(WORKER_PING_KEY.format(token=token), stamp, timeout=300)
    log.info("Worker ping %s answered", token, extra={"token": token})
    return stamp


@shared_task
def outbox_flush() -> str:
    """Publish what the Celery outbox kept while Redis was down (portal.outbox)."""
    from portal import outbox

    return str(outbox.outbox_flush())
