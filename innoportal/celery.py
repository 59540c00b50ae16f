"""The Celery app. Tasks take ids and JSON-safe arguments; JSON is the only serializer."""

import os

from celery import Celery
from celery.signals import worker_ready

# Connects the signals that carry the request id from a request into its tasks.
import portal.request_id  # noqa: F401,E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innoportal.settings")

# Every task's *_on_commit goes through the outbox (portal.outbox): a Redis outage at commit
# time loses no work and fails no request.
app = Celery("innoportal", task_cls="portal.outbox:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _after_worker_start(sender, **kwargs) -> None:
    """A worker that (re)starts — typically after an outage — first publishes what the outbox
    kept and expires jobs a killed worker left running. Infrastructure, not a domain reaction."""
    from indicators.tasks import expire_indicator_jobs
    from portal.tasks import outbox_flush

    try:
        outbox_flush.delay()
        expire_indicator_jobs.delay()
    except Exception:  # noqa: BLE001 - beat retries both every minute
        import logging

        logging.getLogger(__name__).warning("Could not queue the start-up flush", exc_info=True)
