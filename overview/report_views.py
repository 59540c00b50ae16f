"""The printable portfolio report: who may read it is who may read the organisation's
indicator page (members with the dashboard right, and the organisation's analysts)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from indicators.access import is_member, may_read_organisation, readable_organisations
from overview.report import FIRST_YEAR, portfolio_report
from portal.exports import bad_request
from portal.models import Organisation
from portal.params import ParameterError, parse_year


def _valid_year(year: int) -> bool:
    return FIRST_YEAR <= year <= timezone.localdate().year


@login_required
@require_safe
def portfolio_report_choose(request: HttpRequest) -> HttpResponse:
    """The year selector's target (?organisation=&year=), and the way in from the menus:
    redirects to the report's own address."""
    organisations = list(readable_organisations(request.user))
    if not organisations:
        raise PermissionDenied
    wanted = request.GET.get("organisation")
    organisation = next((o for o in organisations if o.org_number == wanted), None)
    if wanted and organisation is None:
        raise Http404
    try:
        year = parse_year(request.GET.get("year") or str(timezone.localdate().year),
                          first=FIRST_YEAR, last=timezone.localdate().year)
    except ParameterError:
        return bad_request(request, _("Ugyldig år: velg et år fra %(first)s til i år.")
                           % {"first": FIRST_YEAR})
    return redirect("reports:portfolio", org_number=(organisation or organisations[0]).org_number,
                    year=year)


@login_required
@require_safe
def portfolio_report_page(request: HttpRequest, org_number: str, year: int) -> HttpResponse:
    organisation = Organisation.objects.filter(org_number=org_number).first()
    if organisation is None:
        raise Http404
    if not may_read_organisation(request.user, organisation):
        # Members without the right learn that it exists; outsiders do not.
        if is_member(request.user, organisation):
            raise PermissionDenied
        raise Http404
    if not _valid_year(year):
        raise Http404
    data = portfolio_report(organisation, year, user=request.user,
                            full=is_member(request.user, organisation))
    return render(request, "overview/report.html", {
        **data, "organisations": readable_organisations(request.user),
        "printed_at": timezone.now(),
    })
