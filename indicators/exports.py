"""The indicator snapshots of a period as CSV or Excel, with the API's columns and a data
dictionary; scoped like the API (own organisations, networks, or national for analysts)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from indicators.forms import PeriodForm
from indicators.models import YEAR
from indicators.selectors import (
    CSV_COLUMNS,
    item_to_csv_row,
    snapshot_item,
    snapshot_list,
)
from initiatives.models import COUNTED_PHASES, Phase
from portal.exports import Column, ExportRequestError, ExportSpec, export_view

DESCRIPTIONS = {
    "org_number": (gettext_lazy("Organisasjonsnummer"), "tekst"),
    "name": (gettext_lazy("Organisasjonens navn"), "tekst"),
    "size_class": (gettext_lazy("Størrelsesklasse (small, medium, large)"), "tekst"),
    "county": (gettext_lazy("Fylke"), "tekst"),
    "period_start": (gettext_lazy("Periodens første dag"), "dato"),
    "period_end": (gettext_lazy("Periodens siste dag; tallene gjelder per denne datoen"),
                   "dato"),
    "scheme": (gettext_lazy("Poengmodellen tallene er beregnet med"), "tekst"),
    "status": (gettext_lazy("preliminary (foreløpig) eller final (frosset)"), "tekst"),
    "computed_at": (gettext_lazy("Når tallene ble beregnet"), "dato og tid"),
    "stock_points": (gettext_lazy("Sum fasepoeng for initiativene ved periodens slutt"), "tall"),
    "forward_transitions": (gettext_lazy("Faseskifter framover i perioden"), "tall"),
    "adoption_points": (gettext_lazy("Poeng for prosjekter andre har adoptert"), "tall"),
    "points": (gettext_lazy("Aktivitetspoeng: fasepoeng + adopsjonspoeng"), "tall"),
    "benefit_points": (gettext_lazy("Nyttepoeng: sum over dimensjonene"), "tall"),
    "benefit_user": (gettext_lazy("Nyttepoeng, brukernytte"), "tall"),
    "benefit_economic": (gettext_lazy("Nyttepoeng, økonomisk nytte"), "tall"),
    "benefit_organisational": (gettext_lazy("Nyttepoeng, organisatorisk nytte"), "tall"),
    "realised_nok_per_year": (gettext_lazy("Realisert gevinst i kroner per år (kan være "
                                           "negativ)"), "kroner"),
    "county_number": (gettext_lazy("Fylkesnummer (SSB)"), "tekst"),
    "municipality_number": (gettext_lazy("Kommunenummer (SSB)"), "tekst"),
    "computed": (gettext_lazy("true: beregnet for perioden; false: ikke beregnet ennå, "
                              "tallene er null"), "tekst"),
}


def columns() -> list[Column]:
    out = []
    for index, name in enumerate(CSV_COLUMNS):
        if name in COUNTED_PHASES:
            description = _("Initiativ i fasen «%(phase)s» ved periodens slutt") % {
                "phase": Phase(name).label}
            kind = "tall"
        else:
            description, kind = DESCRIPTIONS[name]
        out.append(Column(name, str(description), lambda row, i=index: row[i], kind))
    return out


@login_required
@require_safe
@export_view(ExportSpec())
def indicator_export(request: HttpRequest):
    # The period as the indicator page reads it: this year when none is given; a period
    # that is given but invalid is a 400, not an empty file.
    data = request.GET.copy()
    if not data.get("year"):
        data["year"] = str(timezone.localdate().year)
    form = PeriodForm(data)
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        raise ExportRequestError(_("Ugyldig periode – %(problems)s") % {"problems": problems})
    year, quarter = form.cleaned_data["year"], int(form.cleaned_data["quarter"] or YEAR)
    rows = (item_to_csv_row(snapshot_item(s))
            for s in snapshot_list(user=request.user, year=year, quarter=quarter,
                                   organisation=request.GET.get("organisation") or None))
    period = f"{year}" if not quarter else f"{year}-k{quarter}"
    return request.export.response(columns(), rows, filename=f"indikatorer-{period}",
                                   title=_("Indikatorer"))
