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


@shared_task
def data_version_fold() -> None:
    """Keep the data version's table small (portal.data_version.fold)."""
    from portal import data_version

    data_version.fold()


@shared_task
def password_reset_send(email: str, domain: str, use_https: bool, language: str) -> int:
    """The password-reset mail, sent from the worker so the page's answer takes the same time
    whether the address belongs to an account or not (portal.forms.QueuedPasswordResetForm).
    Returns the number of accounts mailed (0 for an unknown address)."""
    from portal.services import password_reset_send as send

    return send(email=email, domain=domain, use_https=use_https, language=language)


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
