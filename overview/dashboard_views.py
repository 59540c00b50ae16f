"""The manager's dashboard page: filters in the URL, charts with their tables and data."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from initiatives.models import Track
from overview.dashboard import QUARTER_CHOICES, QUARTERS, manager_dashboard
from portal.access import organisations_with
from portal.exports import Column, ExportSpec, Kind, export_view
from portal.models import Unit
from portal.page_cache import cached_page
from portal.roles import Capability
from projects.models import WelfareArea

DOWNLOADS = ("funnel", "flow", "benefits")
FILE_NAMES = {"funnel": "trakt", "flow": "flyt", "benefits": "gevinst"}


@login_required
@require_safe
@export_view(ExportSpec(formats=("csv",), choices={"download": DOWNLOADS}, trigger="download"))
@cached_page
def manager(request: HttpRequest) -> HttpResponse:
    organisations = organisations_with(request.user, Capability.VIEW_DASHBOARDS)
    if not organisations:
        raise PermissionDenied
    organisation = next((o for o in organisations
                         if o.org_number == request.GET.get("organisation")), organisations[0])
    units = list(Unit.objects.filter(organisation=organisation).order_by("name"))
    unit = next((u for u in units if str(u.pk) == request.GET.get("unit")), None)
    quarters = next((q for q in QUARTER_CHOICES if str(q) == request.GET.get("quarters")),
                    QUARTERS)
    track = request.GET.get("track", "")
    track = track if track in Track.values else ""
    area = request.GET.get("area", "")
    area = area if area in WelfareArea.values else ""
    data = manager_dashboard(organisation, unit=unit, track=track, area=area, quarters=quarters)
    # Whole kroner, as the page shows them.
    benefit_rows = [{"label": _("Planlagt"), "nok": round(data["benefits"]["planned_nok"])},
                    {"label": _("Realisert"), "nok": round(data["benefits"]["realised_nok"])}]
    if request.export is not None:
        download = request.export.choices["download"]
        columns, rows = {
            "funnel": ([Column(_("Fase"), "", lambda r: r["label"]),
                        Column(_("Antall"), "", lambda r: r["count"], Kind.INTEGER),
                        Column(_("Poeng"), "", lambda r: r["points"], Kind.DECIMAL, places=1)],
                       data["funnel"]),
            "flow": ([Column(_("Kvartal"), "", lambda r: r["label"]),
                      Column(_("Faseskifter framover"), "", lambda r: r["moves"], Kind.INTEGER)],
                     data["flow"]),
            "benefits": ([Column(_("Gevinst"), "", lambda r: r["label"]),
                          Column(_("Kroner per år"), "", lambda r: r["nok"], Kind.MONEY,
                                 places=0)], benefit_rows),
        }[download]
        return request.export.response(
            columns, rows, filename=f"{FILE_NAMES[download]}-{organisation.org_number}",
            title=_("Styringstavle"))
    query = request.GET.copy()
    query.pop("download", None)
    return render(request, "overview/dashboard.html", {
        **data, "organisation": organisation, "organisations": organisations,
        "units": units, "unit": unit, "query": query.urlencode(),
        "quarters": quarters, "quarter_choices": QUARTER_CHOICES, "benefit_rows": benefit_rows,
        "track": track, "track_choices": Track.choices,
        "area": area, "area_choices": WelfareArea.choices,
        "chart_data": {
            "funnel": {"labels": [r["label"] for r in data["funnel"]],
                       "counts": [r["count"] for r in data["funnel"]],
                       "points": [r["points"] for r in data["funnel"]],
                       "names": {"count": _("Antall"), "points": _("Poeng")}},
            "flow": {"labels": [r["label"] for r in data["flow"]],
                     "moves": [r["moves"] for r in data["flow"]],
                     "name": _("Faseskifter framover")},
            "benefits": {"labels": [r["label"] for r in benefit_rows],
                         "nok": [float(r["nok"]) for r in benefit_rows],
                         "name": _("Kroner per år")},
        },
    })
