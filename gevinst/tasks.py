"""Thin Celery wrappers around the benefit services; safe to run twice."""

from celery import shared_task

from gevinst import services


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def benefit_reminders_send() -> list[int]:
    """Daily: create the due measurement reminders and e-mail their owners (once each)."""
    created, sent = services.benefit_reminders_run()
    return [created, sent]
