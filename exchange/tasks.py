"""Thin Celery wrappers around the exchange services."""

from celery import shared_task

from exchange import services


@shared_task(acks_late=True)
def run_portfolio_import(job_id: str) -> str:
    return services.import_job_run(job_id).state


@shared_task
def expire_portfolio_imports() -> int:
    return services.import_jobs_expire()
