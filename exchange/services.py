"""Who may import, reading an upload within bounds, and the background import job.

The permission is checked before a byte of the file is read (API: a permission class, page:
the first line of the view), the size is bounded while the body is copied to a spool file
(never read into memory whole), and the import itself runs in a Celery task: the national
file takes about two minutes, longer than a request may last. The task is all-or-nothing as
the import is (one transaction); its progress goes through the cache, since the rows it writes
are invisible to other connections until the commit.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
from collections.abc import Callable
from typing import IO

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange.importer import ImportFailed, import_portfolio
from exchange.models import PortfolioImportJob
from indicators.models import JobState
from portal.access import organisations_where
from portal.errors import DomainError, Forbidden
from portal.roles import Capability

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
# Kept in memory up to this size, then on disk.
SPOOL_IN_MEMORY = 1024 * 1024


class FileTooLarge(DomainError):
    status_code = 413
    default_code = "too_large"


def can_import(user) -> bool:
    """Operators, and administrators of at least one organisation (the file may then touch
    only organisations they administer: exchange.importer)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or organisations_where(
        user, Capability.MANAGE_ORGANISATION).exists()


def too_large_message() -> str:
    limit_mb = settings.PORTFOLIO_IMPORT_MAX_BYTES / (1024 * 1024)
    return _("Filen er større enn %(mb)s MB.") % {"mb": f"{limit_mb:g}"}


def _too_large() -> FileTooLarge:
    return FileTooLarge(too_large_message(), field="file")


def check_size(size: int | None) -> None:
    if size is not None and size > settings.PORTFOLIO_IMPORT_MAX_BYTES:
        raise _too_large()


def spool(read: Callable[[int], bytes], *, declared: int | None = None) -> IO[bytes]:
    """Copy a stream (a request body) into a rewindable spool file, refusing it as soon as it
    passes PORTFOLIO_IMPORT_MAX_BYTES (a missing or false Content-Length does not matter)."""
    check_size(declared)
    limit = settings.PORTFOLIO_IMPORT_MAX_BYTES
    target = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    total = 0
    while chunk := read(CHUNK):
        total += len(chunk)
        if total > limit:
            target.close()
            raise _too_large()
        target.write(chunk)
    target.seek(0)
    return target


# --- the background job ---------------------------------------------------------------------

def _progress_key(job_id) -> str:
    return f"exchange:import-progress:{job_id}"


def import_job_create(*, actor, source: IO[bytes], name: str, size: int) -> PortfolioImportJob:
    """Store the file and queue its import (after the commit, through the outbox)."""
    if not can_import(actor):
        raise Forbidden(_("Du kan ikke importere porteføljer."))
    check_size(size)
    job = PortfolioImportJob(file_name=name[:200], size=size, requested_by=actor)
    source.seek(0)
    job.file.save(f"{job.pk}.json", File(source), save=False)
    job.save()
    from exchange.tasks import run_portfolio_import

    run_portfolio_import.delay_on_commit(str(job.pk))
    return job


def import_job_progress(job: PortfolioImportJob) -> int:
    """Percent done: from the cache while running (see the module docstring)."""
    if job.state == JobState.RUNNING:
        return cache.get(_progress_key(job.pk)) or job.progress
    return job.progress


def import_job_run(job_id: str) -> PortfolioImportJob:
    """Run an import job. Claimed with a compare-and-swap (a queued job, or a running one older
    than PORTFOLIO_IMPORT_STALE_SECONDS: its worker died and the message was redelivered), so
    running the task twice imports once. The file is deleted when the job ends."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.PORTFOLIO_IMPORT_STALE_SECONDS)
    claimed = PortfolioImportJob.objects.filter(
        Q(state=JobState.QUEUED) | Q(state=JobState.RUNNING, started_at__lt=stale),
        pk=job_id).update(state=JobState.RUNNING, started_at=now, progress=0)
    # (A job that lost its worker is also failed by import_jobs_expire, from beat.)
    job = PortfolioImportJob.objects.select_related("requested_by").get(pk=job_id)
    if not claimed:
        return job

    def progress(done: int, total: int) -> None:
        cache.set(_progress_key(job.pk), min(99, done * 100 // max(total, 1)), 3600)

    outcome: dict = {"state": JobState.FAILED, "finished_at": None}
    try:
        if job.requested_by is None or not job.requested_by.is_active:
            raise Forbidden(_("Brukeren som startet importen finnes ikke lenger."))
        with job.file.open("rb") as source:
            result = import_portfolio(source, actor=job.requested_by, progress=progress)
    except ImportFailed as failure:
        outcome.update(errors=failure.messages, message=_("Filen ble avvist; ingenting er "
                                                          "lagret."))
    except DomainError as error:
        outcome.update(message=error.message)
    except Exception:
        log.exception("Portfolio import %s failed", job.pk)
        outcome.update(message=_("Importen stoppet på grunn av en feil hos oss; ingenting er "
                                 "lagret. Feilen er logget."))
    else:
        outcome.update(state=JobState.SUCCEEDED, progress=100, message=result.summary(),
                       result=result.as_dict())
    outcome["finished_at"] = timezone.now()
    PortfolioImportJob.objects.filter(pk=job.pk).update(file="", **outcome)
    job.file.delete(save=False)
    cache.delete(_progress_key(job.pk))
    job.refresh_from_db()
    return job


def import_jobs_expire() -> int:
    """Mark imports running longer than PORTFOLIO_IMPORT_STALE_SECONDS as failed (their worker
    died: the import's transaction was rolled back with it, so nothing was written) and delete
    their files. A message redelivered later finds the job finished and does nothing."""
    stale = timezone.now() - datetime.timedelta(seconds=settings.PORTFOLIO_IMPORT_STALE_SECONDS)
    expired = 0
    for job in PortfolioImportJob.objects.filter(state=JobState.RUNNING, started_at__lt=stale):
        # Compare-and-swap: a redelivered task that claimed the job meanwhile moved started_at.
        updated = PortfolioImportJob.objects.filter(
            pk=job.pk, state=JobState.RUNNING, started_at__lt=stale).update(
            state=JobState.FAILED, file="", finished_at=timezone.now(),
            message=_("Avbrutt: importen stoppet uten å fullføre; ingenting er lagret. Last opp "
                      "filen på nytt."))
        if updated:
            job.file.delete(save=False)
        expired += updated
    return expired


def get_import_job_for_user(user, pk) -> PortfolioImportJob:
    """Who started the job, and operators; for everyone else it does not exist (404)."""
    from django.http import Http404

    job = PortfolioImportJob.objects.filter(pk=pk).first()
    if job is None or not (user.is_superuser or job.requested_by_id == user.pk):
        raise Http404
    return job


def import_jobs_for(user, *, limit: int = 10) -> list[PortfolioImportJob]:
    """The user's latest imports, for the upload page."""
    return list(PortfolioImportJob.objects.filter(requested_by=user)[:limit])


class BoundedUploadHandler(FileUploadHandler):
    """First in a request's upload handlers: stops a multipart upload as soon as it passes
    PORTFOLIO_IMPORT_MAX_BYTES (Django would otherwise spool any size to disk) and marks the
    request, so the view can say why the file is missing."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.PORTFOLIO_IMPORT_MAX_BYTES:
            self.request.portfolio_upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int):
        return None  # the next handler stores the file


def bound_uploads(request) -> None:
    """Install the bound before anything reads the body (request.POST / FILES)."""
    request.upload_handlers.insert(0, BoundedUploadHandler(request))


def upload_too_large(request) -> bool:
    return getattr(request, "portfolio_upload_too_large", False)
