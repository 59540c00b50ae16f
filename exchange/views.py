"""The upload page of the portfolio exchange format, for organisation administrators (at
/indicators/portfolio/, in the indicator pages' URL namespace: see exchange.urls), and the page
of each import job (progress, then the result or the errors by JSON path)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET

from exchange import services
from exchange.forms import PortfolioUploadForm
from portal.access import organisations_where
from portal.errors import DomainError
from portal.roles import Capability


@csrf_exempt  # only so that the checks below come before the body is read: see _upload
@login_required
def portfolio_upload(request: HttpRequest) -> HttpResponse:
    """Administrators upload a portfolio exchange file; it is imported in the background and
    the job's page shows the progress and the outcome.

    The CSRF middleware would read the multipart body (request.POST) before the view runs, so
    the permission and the size bound come first here and the CSRF check right after, before
    the body is read (Django's documented pattern for per-view upload handlers)."""
    if not services.can_import(request.user):
        raise PermissionDenied
    services.bound_uploads(request)
    return _upload(request)


@csrf_protect
def _upload(request: HttpRequest) -> HttpResponse:
    administered = list(organisations_where(request.user, Capability.MANAGE_ORGANISATION))
    form = PortfolioUploadForm(request.POST or None, request.FILES or None)
    if services.upload_too_large(request):
        # The upload was stopped at the bound, so the file is missing: say why.
        form = PortfolioUploadForm(request.POST, {})
        form.is_valid()
        form.errors["file"] = form.error_class([services.too_large_message()])
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_job_create(actor=request.user, source=upload.file,
                                             name=upload.name, size=upload.size)
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            return redirect("indicators:portfolio-job", pk=job.pk)
    jobs = services.import_jobs_for(request.user)
    return render(request, "indicators/portfolio_upload.html", {
        "form": form, "administered": administered, "jobs": jobs,
    }, status=400 if form.errors else 200)


@login_required
@require_GET
def portfolio_job(request: HttpRequest, pk) -> HttpResponse:
    job = services.get_import_job_for_user(request.user, pk)
    template = ("indicators/portfolio_job_progress.html" if request.htmx
                else "indicators/portfolio_job.html")
    return render(request, template, {"job": job,
                                      "progress": services.import_job_progress(job)})
