"""The idea list as CSV or Excel: the rows the user's list shows (same scope, same filters),
and the submitter only where the user may see it (anonymous ideas stay anonymous)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ideas import selectors
from ideas.access import may_see_submitter
from ideas.filters import LIST_DEFAULTS, list_filter
from ideas.models import IdeaStatus, TargetGroup
from portal.exports import YES_NO, Column, ExportSpec, Kind, export_view
from projects.extensions import ProjectExportColumns
from projects.models import WelfareArea


def idea_columns(user) -> list[Column]:
    def submitter(idea):
        if idea.submitter_id is None:
            return ""
        if not may_see_submitter(user, idea):
            return _("Anonym")
        return idea.submitter.get_full_name() or idea.submitter.username

    return [
        Column(_("Id"), _("Idéens nummer i Innoportal"), lambda i: i.pk, Kind.IDENTIFIER),
        Column(_("Tittel"), _("Idéens tittel"), lambda i: i.title),
        Column(_("Status"), _("Status i behandlingen"), lambda i: i.status, Kind.CHOICE,
               IdeaStatus),
        Column(_("Organisasjon"), _("Organisasjonen idéen er sendt til"),
               lambda i: i.organisation.name),
        Column(_("Enhet"), _("Enheten idéen gjelder"), lambda i: i.unit.name if i.unit else ""),
        Column(_("Innsender"), _("Navn på innsender; «Anonym» når innsenderen er skjult for deg"),
               submitter),
        Column(_("Behov"), _("Behovet idéen skal løse"), lambda i: i.need),
        Column(_("Forslag til løsning"), _("Innsenderens forslag, om det finnes"),
               lambda i: i.solution),
        Column(_("Målgruppe"), _("Hvem idéen er for"), lambda i: i.target_group, Kind.CHOICE,
               TargetGroup),
        Column(_("Velferdsteknologisk område"), _("Område, for velferdsteknologi"),
               lambda i: i.welfare_area, Kind.CHOICE, WelfareArea),
        Column(_("Kampanje"), _("Kampanjen idéen kom inn gjennom"),
               lambda i: i.campaign.title if i.campaign else ""),
        Column(_("Stikkord"), _("Stikkord, kommaseparert"),
               lambda i: ", ".join(t.name for t in i.tags.all())),
        Column(_("Støtter"), _("Antall som støtter idéen"), lambda i: i.support_count,
               Kind.INTEGER),
        Column(_("Kommentarer"), _("Antall synlige kommentarer"), lambda i: i.comment_count,
               Kind.INTEGER),
        Column(_("Sendt inn"), _("Tidspunkt idéen ble sendt inn"), lambda i: i.submitted_at,
               Kind.DATETIME),
    ]


@login_required
@require_safe
@export_view(ExportSpec())
def idea_export(request: HttpRequest):
    ideas = selectors.idea_list(user=request.user)
    filterset = list_filter(request, ideas, LIST_DEFAULTS)  # the list's ideas, as it shows them
    if filterset.is_bound and filterset.is_valid():
        ideas = filterset.qs
    ideas = ideas.select_related("organisation", "unit", "campaign", "submitter")
    ideas = ideas.prefetch_related("tags")
    return request.export.response(idea_columns(request.user), ideas.iterator(chunk_size=500),
                                   filename=f"ideer-{timezone.localdate().isoformat()}",
                                   title=_("Idéer"))


# --- what ideas add to the project export (projects.extensions) ---------------------------------

def _origin_idea(project):
    # The reverse one-to-one raises when the project did not come from an idea.
    try:
        return project.initiative.idea
    except ObjectDoesNotExist:
        return None


def project_export_idea_columns() -> list[Column]:
    """The idea a project came from: its number and whether it is confidential, never who
    submitted it (an anonymous submitter stays anonymous in the project export)."""
    return [
        Column(_("Fra idé"), _("Nummeret på idéen prosjektet kom fra (innsenderen står ikke "
                               "her; se idéeksporten)"),
               lambda p: _origin_idea(p).pk if _origin_idea(p) else None, Kind.IDENTIFIER),
        Column(_("Konfidensiell"), _("«Ja» når idéen er konfidensiell: prosjektet deles aldri "
                                     "utenfor organisasjonen"),
               lambda p: bool(_origin_idea(p) and _origin_idea(p).is_confidential),
               Kind.CHOICE, YES_NO),
    ]


PROJECT_EXPORT_COLUMNS = ProjectExportColumns(
    name="ideas.origin", after="leader",
    annotate=lambda projects: projects.select_related("initiative__idea"),
    columns=project_export_idea_columns)
