"""Thin Celery wrappers around the indicator services."""

from celery import shared_task

from indicators import services


@shared_task(acks_late=True)
def run_indicator_job(job_id: str) -> str:
    return services.indicator_job_run(job_id).state


@shared_task
def recompute_current_indicators() -> int:
    return services.recompute_current_periods()


@shared_task
def expire_indicator_jobs() -> int:
    return services.indicator_jobs_expire()
