"""Benefits and their measurements as Excel (two data sheets and a data dictionary covering
both) or CSV (one sheet at a time: ?sheet=benefits, the default, or ?sheet=measurements).

Only benefits of projects in the user's own organisations (gevinst.access), optionally
narrowed to one organisation (?organisation=<org number>) or one project (?project=<id>).
The calculated columns come from the same functions as the benefit pages (gevinst.selectors
.benefit_row), so a number in the file is the number on the page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gevinst import calculations
from gevinst.access import benefits_visible_to
from gevinst.models import (
    Beneficiary,
    Benefit,
    BenefitStatus,
    BenefitType,
    Direction,
    Measurement,
    PlanStatus,
)
from gevinst.selectors import benefit_row
from initiatives.models import Dimension
from portal.exports import (
    Column,
    ExportRequestError,
    ExportSpec,
    Kind,
    Sheet,
    export_view,
)
from portal.params import ParameterError, optional_id
from projects.extensions import ProjectExportColumns

SHEETS = ("benefits", "measurements")


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _plan(benefit: Benefit):
    # Reverse one-to-one, joined by the queryset; absent until the project starts a plan.
    return getattr(benefit.project, "benefit_plan", None)


def benefit_columns() -> list[Column]:
    """Columns over gevinst.selectors.BenefitRow rows."""
    return [
        Column(_("Gevinst-id"), _("Gevinstens nummer i Innoportal"), lambda r: r.benefit.pk,
               Kind.IDENTIFIER),
        Column(_("Prosjekt-id"), _("Prosjektets nummer i Innoportal"),
               lambda r: r.benefit.project_id, Kind.IDENTIFIER),
        Column(_("Prosjekt"), _("Prosjektet gevinsten hører til"),
               lambda r: r.benefit.project.title),
        Column(_("Organisasjon"), _("Organisasjonen som eier prosjektet"),
               lambda r: r.benefit.project.organisation.name),
        Column(_("Gevinst"), _("Gevinstens tittel"), lambda r: r.benefit.title),
        Column(_("Gevinsttype"), _("Spart tid, unngåtte kostnader eller økt kvalitet"),
               lambda r: r.benefit.type, Kind.CHOICE, BenefitType),
        Column(_("Dimensjon"), _("Brukernytte, økonomisk eller organisatorisk nytte"),
               lambda r: r.benefit.dimension, Kind.CHOICE, Dimension),
        Column(_("Hvem får gevinsten"), _("Brukere, pårørende, ansatte, organisasjonen eller "
                                          "andre aktører"),
               lambda r: r.benefit.beneficiary, Kind.CHOICE, Beneficiary),
        Column(_("Gevinsteier"), _("Lederen i linjen som eier gevinsten"),
               lambda r: _person(r.benefit.owner)),
        Column(_("Måleenhet"), _("Enheten målingene er i"), lambda r: r.benefit.unit),
        Column(_("Retning"), _("Om økning eller nedgang er bra"),
               lambda r: r.benefit.direction, Kind.CHOICE, Direction),
        Column(_("Nullpunkt"), _("Verdien før endringen (nullpunktsmåling)"),
               lambda r: r.benefit.baseline_value, Kind.DECIMAL),
        Column(_("Nullpunkt målt"), _("Datoen nullpunktet ble målt"),
               lambda r: r.benefit.baseline_on, Kind.DATE),
        Column(_("Målemetode"), _("Hvordan nullpunktet ble målt"),
               lambda r: r.benefit.baseline_method),
        Column(_("Mål"), _("Målverdien"), lambda r: r.benefit.target_value,
               Kind.DECIMAL),
        Column(_("Måldato"), _("Når målet skal være nådd"), lambda r: r.benefit.target_on,
               Kind.DATE),
        Column(_("Kroner per enhet"), _("Verdsetting: kroner per måleenhet (tom når gevinsten "
                                        "ikke er verdsatt)"),
               lambda r: r.benefit.nok_per_unit, Kind.MONEY),
        Column(_("Perioder per år"), _("Hvor mange ganger per år endringen gjentas (f.eks. 52 "
                                       "for en ukentlig verdi)"),
               lambda r: r.benefit.periods_per_year, Kind.DECIMAL),
        Column(_("Planlagt kr per år"), _("Planlagt endring (mål − nullpunkt, med fortegn så "
                                          "forbedring er positiv) × kroner per enhet × "
                                          "perioder per år"),
               lambda r: r.planned_nok_per_year.value, Kind.MONEY),
        Column(_("Siste måling"), _("Verdien ved siste måling"),
               lambda r: r.latest.value if r.latest else None, Kind.DECIMAL),
        Column(_("Siste måling dato"), _("Datoen for siste måling"),
               lambda r: r.latest.measured_on if r.latest else None, Kind.DATE),
        Column(_("Realisert endring"), _("Siste måling − nullpunkt, med fortegn så forbedring "
                                         "er positiv (negative resultater vises som de er)"),
               lambda r: r.change.value, Kind.DECIMAL),
        Column(_("Framdrift (%)"), _("Realisert endring / planlagt endring, i prosent"),
               lambda r: r.progress.value, Kind.DECIMAL, places=1),
        Column(_("Realisert kr per år"), _("Realisert endring × kroner per enhet × perioder "
                                           "per år"),
               lambda r: r.nok_per_year.value, Kind.MONEY),
        Column(_("Status"), _("Planlagt, under realisering, realisert eller ikke realisert"),
               lambda r: r.benefit.status, Kind.CHOICE, BenefitStatus),
        Column(_("Gevinstplan"), _("Status for prosjektets gevinstrealiseringsplan (tom når "
                                   "planen ikke er påbegynt)"),
               lambda r: _plan(r.benefit).status if _plan(r.benefit) else None,
               Kind.CHOICE, PlanStatus),
        Column(_("Plan godkjent"), _("Når planen sist ble godkjent"),
               lambda r: _plan(r.benefit).approved_at if _plan(r.benefit) else None,
               Kind.DATETIME),
        Column(_("Forutsetninger"), _("Forutsetninger og usikkerhet"),
               lambda r: r.benefit.assumptions),
    ]


def measurement_columns() -> list[Column]:
    def change(m):
        b = m.benefit
        return calculations.signed_change(direction=b.direction, baseline=b.baseline_value,
                                          value=m.value)

    return [
        Column(_("Måling-id"), _("Målingens nummer i Innoportal"), lambda m: m.pk, Kind.IDENTIFIER),
        Column(_("Gevinst-id"), _("Gevinsten målingen gjelder (se arket Gevinster)"),
               lambda m: m.benefit_id, Kind.IDENTIFIER),
        Column(_("Gevinst"), _("Gevinstens tittel"), lambda m: m.benefit.title),
        Column(_("Prosjekt"), _("Prosjektet gevinsten hører til"),
               lambda m: m.benefit.project.title),
        Column(_("Dato"), _("Datoen målingen gjelder"), lambda m: m.measured_on, Kind.DATE),
        Column(_("Verdi"), _("Målt verdi, i gevinstens måleenhet"), lambda m: m.value,
               Kind.DECIMAL),
        Column(_("Måleenhet"), _("Gevinstens måleenhet"), lambda m: m.benefit.unit),
        Column(_("Endring fra nullpunkt"), _("Verdi − nullpunkt, med fortegn så forbedring er "
                                             "positiv"), change, Kind.DECIMAL),
        Column(_("Kroner per år"), _("Endringen verdsatt: endring × kroner per enhet × "
                                     "perioder per år (tom når gevinsten ikke er verdsatt)"),
               lambda m: m.nok_per_year, Kind.MONEY),
        Column(_("Dokumentasjon"), _("Kommentar og dokumentasjon til målingen"),
               lambda m: m.evidence),
        Column(_("Registrert av"), _("Hvem som registrerte målingen"),
               lambda m: _person(m.entered_by)),
        Column(_("Registrert"), _("Når målingen ble registrert"), lambda m: m.created_at,
               Kind.DATETIME),
    ]


def _benefits(request: HttpRequest) -> QuerySet[Benefit]:
    """The user's benefits with the request's narrowing (ExportRequestError when invalid)."""
    benefits = benefits_visible_to(request.user)
    organisation = request.GET.get("organisation")
    if organisation:
        benefits = benefits.filter(project__organisation__org_number=organisation)
    try:
        project = optional_id(request.GET.get("project"), name="project")
    except ParameterError:
        raise ExportRequestError(_("project må være et prosjektnummer."),
                                 field="project") from None
    if project:
        benefits = benefits.filter(project_id=project)
    return benefits


def _benefit_rows(benefits: QuerySet[Benefit]):
    # The latest measurement is the one whose valid_until is null (gevinst.history): one
    # prefetch query per chunk, not a query per benefit.
    queryset = (benefits.select_related("project__organisation", "project__benefit_plan",
                                        "owner")
                .prefetch_related(Prefetch(
                    "measurements", queryset=Measurement.objects.filter(valid_until__isnull=True),
                    to_attr="latest_measurements"))
                .order_by("project__organisation__name", "project__title", "pk"))
    for benefit in queryset.iterator(chunk_size=500):
        yield benefit_row(benefit, (benefit.latest_measurements or [None])[-1])


def _measurements(benefits: QuerySet[Benefit]):
    return (Measurement.objects.filter(benefit__in=benefits.values("pk"))
            .select_related("benefit__project", "entered_by")
            .order_by("benefit__project__organisation__name", "benefit__project__title",
                      "benefit_id", "measured_on", "pk")
            .iterator(chunk_size=1000))


@login_required
@require_safe
@export_view(ExportSpec(choices={"sheet": SHEETS}))
def benefit_export(request: HttpRequest):
    export = request.export
    benefits = _benefits(request)
    stamp = timezone.localdate().isoformat()
    if export.format == "xlsx":
        return export.sheets_response([
            Sheet(_("Gevinster"), benefit_columns(), _benefit_rows(benefits)),
            Sheet(_("Målinger"), measurement_columns(), _measurements(benefits)),
        ], f"gevinster-{stamp}")
    if export.choices["sheet"] == "measurements":
        return export.response(measurement_columns(), _measurements(benefits),
                               filename=f"gevinstmalinger-{stamp}", title=_("Målinger"))
    return export.response(benefit_columns(), _benefit_rows(benefits),
                           filename=f"gevinster-{stamp}", title=_("Gevinster"))


# --- what benefits add to the project export (projects.extensions) -----------------------------

def _with_benefit_count(projects: QuerySet) -> QuerySet:
    count = (Benefit.objects.filter(project=OuterRef("pk")).order_by().values("project")
             .annotate(n=Count("pk")).values("n")[:1])
    return projects.annotate(benefit_count=Coalesce(Subquery(count, output_field=IntegerField()),
                                                    0))


PROJECT_EXPORT_COLUMNS = ProjectExportColumns(
    name="gevinst.benefits", after="funding", annotate=_with_benefit_count,
    columns=lambda: [Column(_("Gevinster"), _("Antall gevinster i gevinstrealiseringsplanen"),
                            lambda p: p.benefit_count, Kind.INTEGER)])
