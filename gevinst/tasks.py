"""Thin Celery wrappers around the benefit services; safe to run twice."""

from celery import shared_task

from gevinst import services


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def benefit_reminders_send() -> int:
    """Daily: create the due measurement reminders (once each). Their owners hear of them
    through the notification centre's mailer, as they chose (notifications.mail)."""
    return services.benefit_reminders_run()
