"""The project list as CSV or Excel: the rows the user's list shows (same scope, same filters),
with costs, funding, benefits, dates and, for stopped projects, the reason and the lesson.

Nothing about who submitted the idea a project came from is exported: the ideas app adds only
the idea's number and confidentiality (projects.extensions), so an anonymous submitter stays
anonymous (the idea export is where the submitter is shown, to those who may see it); the
benefits app adds the number of benefits."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from initiatives.models import ORDERED_PHASES, Phase, StopReason, Track
from portal.exports import Column, ExportRequestError, ExportSpec, Kind, choice_labels, export_view
from projects import selectors
from projects.extensions import project_export_extensions
from projects.filters import ProjectListFilter
from projects.models import Visibility, WelfareArea


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _extension_columns(slot: str) -> list[Column]:
    """The columns the apps above projects add after `slot` (projects.extensions)."""
    return [column for extension in project_export_extensions() if extension.after == slot
            for column in extension.columns()]


def project_columns() -> list[Column]:
    phases = choice_labels(Phase)
    status = {"active": _("Aktiv"), Phase.PARKED: _("Parkert"), Phase.STOPPED: _("Stoppet")}
    following = dict(zip(ORDERED_PHASES[:-1], ORDERED_PHASES[1:], strict=True))

    def stopped(p) -> bool:
        return p.initiative.phase == Phase.STOPPED

    return [
        Column(_("Id"), _("Prosjektets nummer i Innoportal"), lambda p: p.pk, Kind.IDENTIFIER),
        Column(_("Tittel"), _("Prosjektets tittel"), lambda p: p.title),
        Column(_("Organisasjon"), _("Organisasjonen som eier prosjektet"),
               lambda p: p.organisation.name),
        Column(_("Enhet"), _("Tjenesteenheten prosjektet hører til"),
               lambda p: p.unit.name if p.unit else ""),
        Column(_("Fase"), _("Fasen prosjektet er i nå"),
               lambda p: p.initiative.phase, Kind.CHOICE, phases),
        Column(_("Status"), _("Aktiv, Parkert eller Stoppet"),
               lambda p: p.initiative.phase if p.initiative.phase in status else "active",
               Kind.CHOICE, status),
        Column(_("I fasen siden"), _("Datoen fasen (eller parkeringen/stoppen) gjelder fra"),
               lambda p: p.phase_since, Kind.DATE),
        Column(_("Startet"), _("Datoen prosjektet kom inn i sin første prosjektfase "
                               "(godkjenning av idéen, eller første registrerte fase)"),
               lambda p: p.started_on, Kind.DATE),
        Column(_("Neste fase"), _("Fasen neste faseport fører til; tom for parkerte, stoppede "
                                  "og prosjekter i spredning"),
               lambda p: following.get(p.initiative.phase), Kind.CHOICE, phases),
        Column(_("Neste milepæl"), _("Den første milepælen som ikke er nådd"),
               lambda p: p.next_milestone or ""),
        Column(_("Milepælsfrist"), _("Fristen for neste milepæl"),
               lambda p: p.next_milestone_on, Kind.DATE),
        Column(_("Spor"), _("Full, hurtigspor eller kommersielt potensial"),
               lambda p: p.track, Kind.CHOICE, Track),
        Column(_("Velferdsteknologisk område"), _("Område, for velferdsteknologi"),
               lambda p: p.welfare_area, Kind.CHOICE, WelfareArea),
        Column(_("Synlighet"), _("Hvem prosjektet er delt med"),
               lambda p: p.visibility, Kind.CHOICE, Visibility),
        Column(_("Prosjektleder"), _("Navn på prosjektlederen"), lambda p: _person(p.leader)),
        *_extension_columns("leader"),
        Column(_("Engangskostnader"), _("Sum engangskostnader (kr)"),
               lambda p: p.one_off_costs, Kind.MONEY),
        Column(_("Årlige kostnader"), _("Sum årlige kostnader (kr per år)"),
               lambda p: p.annual_costs, Kind.MONEY),
        Column(_("Finansiering"), _("Sum finansiering fra alle kilder (kr)"),
               lambda p: p.funding_total, Kind.MONEY),
        *_extension_columns("funding"),
        Column(_("Adoptert fra"), _("Prosjektet (og organisasjonen) dette er adoptert fra"),
               lambda p: (f"{p.adopted_from.title} ({p.adopted_from.organisation.name})"
                          if p.adopted_from_id else "")),
        Column(_("Adoptert av"), _("Antall organisasjoner som har adoptert prosjektet"),
               lambda p: p.adoption_count, Kind.INTEGER),
        Column(_("Stoppårsak"), _("Årsaken til at prosjektet ble stoppet"),
               lambda p: p.stop_reason if stopped(p) else None, Kind.CHOICE, StopReason),
        Column(_("Læringspunkter"), _("Det organisasjonen lærte da prosjektet ble stoppet"),
               lambda p: (p.lesson_learned or "") if stopped(p) else ""),
        Column(_("Opprettet"), _("Når prosjektet ble opprettet i Innoportal"),
               lambda p: p.created_at, Kind.DATETIME),
        Column(_("Endret"), _("Sist endret"), lambda p: p.updated_at, Kind.DATETIME),
    ]


@login_required
@require_safe
@export_view(ExportSpec())
def project_export(request: HttpRequest):
    projects = selectors.project_list(user=request.user)
    filterset = ProjectListFilter(request.GET or None, queryset=projects, request=request)
    if filterset.is_bound:
        if not filterset.is_valid():
            problems = "; ".join(f"{name}: {' '.join(errors)}"
                                 for name, errors in filterset.errors.items())
            raise ExportRequestError(_("Ugyldig filter – %(problems)s") % {"problems": problems})
        projects = filterset.qs
    rows = selectors.with_export_figures(projects).iterator(chunk_size=500)
    return request.export.response(project_columns(), rows,
                                   filename=f"prosjekter-{timezone.localdate().isoformat()}",
                                   title=_("Prosjekter"))
