"""The indicator snapshots of a period as CSV or Excel for people, with a data dictionary;
scoped like the API (own organisations, networks, or national for analysts).

The same numbers as the API's items (indicators.selectors.snapshot_item), under headers and
with values in the reader's language: «Mellomstor (5 000–19 999)», not `medium`; «Foreløpig»,
not `preliminary`. Machines read the API's CSV (`/api/v1/indicators/?format=csv`: codes,
dot decimals, ISO dates), which is documented for them and does not change here."""

from __future__ import annotations

from typing import NamedTuple

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from indicators.forms import PeriodForm
from indicators.models import YEAR, IndicatorSnapshot, PeriodStatus
from indicators.selectors import snapshot_item, snapshot_list
from initiatives.models import COUNTED_PHASES, Phase
from portal.exports import YES_NO, Column, ExportRequestError, ExportSpec, Kind, export_view
from portal.models import County, SizeClass


class Row(NamedTuple):
    snapshot: IndicatorSnapshot
    item: dict  # the API's item: the numbers exactly as clients read them


def _organisation(name: str):
    return lambda r: r.item["organisation"][name]


def _activity(name: str):
    return lambda r: r.item["activity"][name]


def _benefit(dimension: str):
    return lambda r: r.item["benefit"]["by_dimension"][dimension]


def _phase_column(phase: str) -> Column:
    label = Phase(phase).label
    return Column(_("%(phase)s (antall)") % {"phase": label},
                  _("Initiativ i fasen «%(phase)s» ved periodens slutt") % {"phase": label},
                  lambda r: r.item["activity"]["phase_counts"][phase], Kind.INTEGER)


def columns() -> list[Column]:
    return [
        Column(_("Organisasjonsnummer"), _("Organisasjonsnummer"),
               _organisation("org_number")),
        Column(_("Organisasjon"), _("Organisasjonens navn"), _organisation("name")),
        Column(_("Størrelse"), _("Størrelsesklasse etter folketallet ved periodens slutt"),
               _organisation("size_class"), Kind.CHOICE, SizeClass),
        Column(_("Fylke"), _("Fylket ved periodens slutt"), _organisation("county"),
               Kind.CHOICE, County),
        Column(_("Periode fra"), _("Periodens første dag"), lambda r: r.snapshot.period_start,
               Kind.DATE),
        Column(_("Periode til"), _("Periodens siste dag; tallene gjelder per denne datoen"),
               lambda r: r.snapshot.period_end, Kind.DATE),
        Column(_("Poengmodell"), _("Poengmodellen tallene er beregnet med"),
               lambda r: r.item["scheme"]),
        Column(_("Status"), _("Foreløpig, eller endelig når perioden er frosset"),
               lambda r: r.snapshot.status, Kind.CHOICE, PeriodStatus),
        Column(_("Beregnet"), _("Når tallene ble beregnet"), lambda r: r.snapshot.computed_at,
               Kind.DATETIME),
        *(_phase_column(phase) for phase in COUNTED_PHASES),
        Column(_("Fasepoeng"), _("Sum fasepoeng for initiativene ved periodens slutt"),
               _activity("stock_points"), Kind.DECIMAL, places=1),
        Column(_("Faseskifter framover"), _("Faseskifter framover i perioden"),
               _activity("forward_transitions"), Kind.INTEGER),
        Column(_("Adopsjonspoeng"), _("Poeng for prosjekter andre har adoptert"),
               _activity("adoption_points"), Kind.DECIMAL, places=1),
        Column(_("Aktivitetspoeng"), _("Aktivitetspoeng: fasepoeng + adopsjonspoeng"),
               _activity("points"), Kind.DECIMAL, places=1),
        Column(_("Nyttepoeng"), _("Nyttepoeng: sum over dimensjonene"),
               lambda r: r.item["benefit"]["points"], Kind.DECIMAL, places=1),
        Column(_("Brukernytte"), _("Nyttepoeng, brukernytte"), _benefit("user"),
               Kind.DECIMAL, places=1),
        Column(_("Økonomisk nytte"), _("Nyttepoeng, økonomisk nytte"), _benefit("economic"),
               Kind.DECIMAL, places=1),
        Column(_("Organisatorisk nytte"), _("Nyttepoeng, organisatorisk nytte"),
               _benefit("organisational"), Kind.DECIMAL, places=1),
        Column(_("Realisert gevinst per år (kr)"), _("Realisert gevinst i kroner per år (kan "
                                                     "være negativ)"),
               lambda r: r.snapshot.realised_nok_per_year, Kind.MONEY),
        Column(_("Fylkesnummer"), _("Fylkesnummer (SSB)"), _organisation("county_number")),
        Column(_("Kommunenummer"), _("Kommunenummer (SSB)"),
               _organisation("municipality_number")),
        Column(_("Beregnet for perioden"), _("«Ja» når tallene er beregnet for perioden"),
               lambda r: r.item["computed"], Kind.CHOICE, YES_NO),
    ]


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
    rows = (Row(s, snapshot_item(s))
            for s in snapshot_list(user=request.user, year=year, quarter=quarter,
                                   organisation=request.GET.get("organisation") or None))
    period = f"{year}" if not quarter else f"{year}-k{quarter}"
    return request.export.response(columns(), rows, filename=f"indikatorer-{period}",
                                   title=_("Indikatorer"))
