"""The upload page of the portfolio exchange format, for organisation administrators (at
/indicators/portfolio/, in the indicator pages' URL namespace: see exchange.urls)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from exchange.forms import PortfolioUploadForm
from exchange.importer import ImportFailed, import_portfolio
from portal.access import organisations_where
from portal.errors import DomainError
from portal.roles import Capability


@login_required
def portfolio_upload(request: HttpRequest) -> HttpResponse:
    """Administrators upload a portfolio exchange file; errors are listed by JSON path."""
    administered = list(organisations_where(request.user, Capability.MANAGE_ORGANISATION))
    if not administered and not request.user.is_superuser:
        raise PermissionDenied
    form = PortfolioUploadForm(request.POST or None, request.FILES or None)
    result, failures = None, []
    if request.method == "POST" and form.is_valid():
        try:
            result = import_portfolio(form.cleaned_data["file"].file, actor=request.user)
        except ImportFailed as failure:
            failures = failure.messages
        except DomainError as error:
            form.add_error("file", error.message)
    return render(request, "indicators/portfolio_upload.html", {
        "form": form, "result": result, "failures": failures, "administered": administered,
    }, status=400 if failures or form.errors else 200)
