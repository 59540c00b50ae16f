"""Thin Celery wrappers around notifications.mail; safe to run twice (claims)."""

from celery import shared_task

from notifications import mail
from notifications.models import EmailFrequency

# A send that failed (SMTP down) gave its claim back; on a worker the task runs again later,
# so a daily digest is not a day late. Users already mailed have nothing pending any more.
RETRY = {"bind": True, "max_retries": 5}


def _run(task, frequency: str, user_ids: list[int] | None = None) -> dict:
    result = mail.notifications_email(frequency, user_ids=user_ids)
    if result["failed"] and not (task.request.called_directly or task.request.is_eager):
        raise task.retry(countdown=120 * 2 ** task.request.retries)
    return result


@shared_task(**RETRY)
def notifications_send_immediate(self, user_ids: list[int] | None = None) -> dict:
    """After a notice is written (for its recipients) and every few minutes (everyone)."""
    return _run(self, EmailFrequency.IMMEDIATE, user_ids)


@shared_task(**RETRY)
def notifications_send_daily(self) -> dict:
    return _run(self, EmailFrequency.DAILY)


@shared_task(**RETRY)
def notifications_send_weekly(self) -> dict:
    return _run(self, EmailFrequency.WEEKLY)
