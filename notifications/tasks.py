"""Thin Celery wrappers around notifications.mail; safe to run twice (claims)."""

from celery import shared_task

from notifications import mail
from notifications.models import EmailFrequency


@shared_task
def notifications_send_immediate(user_ids: list[int] | None = None) -> dict:
    """After a notice is written (for its recipients) and every few minutes (everyone)."""
    return mail.notifications_email(EmailFrequency.IMMEDIATE, user_ids=user_ids)


@shared_task
def notifications_send_daily() -> dict:
    return mail.notifications_email(EmailFrequency.DAILY)


@shared_task
def notifications_send_weekly() -> dict:
    return mail.notifications_email(EmailFrequency.WEEKLY)
