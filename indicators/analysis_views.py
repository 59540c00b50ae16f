"""The analysts' page (/indicators/analysis/): ranking, distribution and trends of one indicator
across the organisations a network or national analyst may see. Filters live in the query
string; `?download=…` gives each chart's and table's numbers as CSV with the same filters."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from indicators.analysis import (
    PAGE_SIZE,
    Analysis,
    analysis,
    is_analyst,
    latest_year,
    measure_label,
    networks_for,
    period_label,
)
from indicators.forms import AnalysisForm
from portal.exports import Column, ExportRequest, ExportSpec, Kind, export_view
from portal.models import County, SizeClass

DOWNLOADS = ("ranking", "histogram", "distribution", "trend")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _download(export: ExportRequest, result: Analysis, measure: str, slug: str):
    kind = export.choices["download"]
    per_capita = result.filters.per_capita

    def respond(columns, rows, filename):
        return export.response(columns, rows, filename=filename, title=_("Analyse"))

    def figure(header: str, value) -> Column:
        return Column(header, "", lambda r: _round(value(r)), Kind.DECIMAL, places=1)

    if kind == "ranking":
        columns = [
            Column(_("Plass"), "", lambda r: r.rank, Kind.INTEGER),
            Column(_("Organisasjonsnummer"), "", lambda r: r.org_number),
            Column(_("Navn"), "", lambda r: r.name),
            Column(_("Fylke"), "", lambda r: r.county, Kind.CHOICE, County),
            Column(_("Størrelse"), "", lambda r: r.size_class, Kind.CHOICE, SizeClass),
            Column(_("Innbyggere"), "", lambda r: r.population, Kind.INTEGER),
            figure(measure, lambda r: r.value),
            figure(_("Forrige år"), lambda r: r.previous),
            figure(_("Endring"), lambda r: r.change),
        ]
        return respond(columns, result.ranking, f"rangering-{slug}")
    if kind == "histogram":
        columns = [figure(_("Fra"), lambda b: b.low),
                   figure(_("Til (ikke med)"), lambda b: b.high),
                   Column(_("Antall organisasjoner"), "", lambda b: b.count, Kind.INTEGER)]
        return respond(columns, result.histogram, f"fordeling-{slug}")
    stats = [Column(_("Antall"), "", lambda r: r[2].count, Kind.INTEGER),
             figure(_("Min."), lambda r: r[2].minimum),
             figure(_("1. kvartil"), lambda r: r[2].q1),
             figure(_("Median"), lambda r: r[2].median),
             figure(_("3. kvartil"), lambda r: r[2].q3),
             figure(_("Maks."), lambda r: r[2].maximum),
             figure(_("Sum"), lambda r: None if per_capita else r[2].total)]
    if kind == "distribution":
        rows = [(_("Alle"), d.label, d) for d in [result.overall] if d is not None]
        rows += [(_("Størrelse"), d.label, d) for d in result.by_size_class]
        rows += [(_("Fylke"), d.label, d) for d in result.by_county]
        return respond([Column(_("Gruppering"), "", lambda r: r[0]),
                        Column(_("Gruppe"), "", lambda r: r[1]), *stats],
                       rows, f"kvartiler-{slug}")
    rows = [(series.label, label, point)
            for series in result.trends
            for label, point in zip(result.period_labels, series.points, strict=True)
            if point is not None]
    return respond([Column(_("Gruppe"), "", lambda r: r[0]),
                    Column(_("Periode"), "", lambda r: r[1]), *stats],
                   rows, f"utvikling-{slug}")


def _chart_data(result: Analysis, measure: str) -> dict:
    return {
        "measure": measure,
        "histogram": {"labels": [b.label for b in result.histogram],
                      "counts": [b.count for b in result.histogram],
                      "name": _("Antall organisasjoner")},
        "trend": {"labels": result.period_labels,
                  "series": [{"label": s.label,
                              "median": [p.median if p else None for p in s.points]}
                             for s in result.trends],
                  "band": {"q1": [p.q1 if p else None for p in result.trends[0].points],
                           "q3": [p.q3 if p else None for p in result.trends[0].points],
                           "names": [_("1. kvartil, alle"), _("3. kvartil, alle")]}},
    }


def _sort_link(current: str, name: str, label: str) -> dict:
    """A column header's link: ascending first, then the other way; aria-sort for the
    active one."""
    active = current.lstrip("-") == name
    descending = current.startswith("-")
    return {"name": name, "label": label,
            "next": f"-{name}" if active and not descending else name,
            "aria_sort": ("descending" if descending else "ascending") if active else None,
            "numeric": name in ("rank", "change")}


@login_required
@require_safe
@export_view(ExportSpec(formats=("csv",), choices={"download": DOWNLOADS}, trigger="download"))
def indicator_analysis(request: HttpRequest) -> HttpResponse:
    if not is_analyst(request.user):
        raise PermissionDenied
    networks = list(networks_for(request.user))
    data = request.GET.copy()
    if not data.get("year"):
        # The latest year with snapshots, shown in the form; without any snapshots yet this
        # year, and the page says there is nothing to show.
        data["year"] = str(latest_year() or timezone.localdate().year)
    form = AnalysisForm(data, networks=networks)
    if not form.is_valid():
        return render(request, "indicators/analysis.html", {"form": form, "result": None},
                      status=400)
    filters = form.filters()
    result = analysis(user=request.user, filters=filters)
    measure = measure_label(filters.measure, filters.per_capita)
    if request.export is not None:
        slug = f"{filters.year}" + (f"-k{filters.quarter}" if filters.quarter else "")
        return _download(request.export, result, measure, slug)
    page = Paginator(result.ranking, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "indicators/analysis.html", {
        "form": form, "result": result, "filters": filters, "measure": measure,
        "page": page, "period": period_label(filters.year, filters.quarter),
        "chart_data": _chart_data(result, measure),
        "trend_rows": [(series.label, label, point) for series in result.trends
                       for label, point in zip(result.period_labels, series.points,
                                               strict=True)],
        "sort_columns": [_sort_link(filters.sort, name, label) for name, label in (
            ("rank", _("Plass")), ("name", _("Organisasjon")), ("county", _("Fylke")),
            ("size_class", _("Størrelse")), ("change", _("Endring")))],
    })
