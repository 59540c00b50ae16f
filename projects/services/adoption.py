"""Adoption: an organisation takes up another's shared project as a project of its own."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from initiatives.models import Initiative, Phase
from initiatives.phase_log import phase_change_record
from portal.access import user_can
from portal.errors import DomainError, Forbidden
from portal.models import Organisation, User
from portal.roles import Capability
from projects.events import ProjectEventKind, project_event_record
from projects.models import Project, Visibility
from projects.services.checklists import checklists_ensure_defaults

ADOPTION_START_PHASES = (Phase.CONCEPT, Phase.PILOT)


def project_adopt(*, actor: User, origin: Project, organisation: Organisation,
                  start_phase: str = Phase.CONCEPT, effective_date: datetime.date | None = None,
                  rationale: str = "") -> Project:
    """Start a project in `organisation` from the shared project `origin`, in concept or
    pilot, linked to it (docs/domain.md "Projects and phases", adoption).

    Only managers and admins of the adopting organisation adopt: starting a project, and
    starting it straight in pilot, is a gate decision for that organisation. The caller has
    checked that the actor may see `origin`."""
    if not user_can(actor, organisation.pk, Capability.DECIDE_GATES):
        raise Forbidden(_("Bare ledere og administratorer kan adoptere et prosjekt til "
                          "organisasjonen sin."))
    if start_phase not in ADOPTION_START_PHASES:
        raise DomainError(_("Et adoptert prosjekt starter i konsept eller utprøving."),
                          field="start_phase")
    with transaction.atomic():
        # Locking the origin serialises adoptions of it, so one organisation cannot adopt it
        # twice by double-clicking.
        origin = Project.objects.select_for_update().select_related("initiative").get(
            pk=origin.pk)
        if origin.visibility == Visibility.ORGANISATION:
            raise DomainError(_("Bare delte prosjekter kan adopteres."), code="not_shared")
        if origin.organisation_id == organisation.pk:
            raise DomainError(_("Prosjektet tilhører allerede organisasjonen."),
                              field="organisation")
        if Project.objects.filter(adopted_from=origin, organisation=organisation).exists():
            raise DomainError(_("Organisasjonen har allerede adoptert dette prosjektet."),
                              code="already_adopted")
        initiative = Initiative.objects.create(organisation=organisation, title=origin.title,
                                               track=origin.track,
                                               adopted_from_id=origin.initiative_id)
        project = Project.objects.create(
            initiative=initiative, organisation=organisation, title=origin.title,
            need=origin.need, description=origin.description, track=origin.track,
            welfare_area=origin.welfare_area, adopted_from=origin, leader=None,
            visibility=Visibility.ORGANISATION)
        change = phase_change_record(initiative=initiative, to_phase=start_phase,
                                     effective_date=effective_date, actor=actor,
                                     rationale=rationale)
        checklists_ensure_defaults(organisation)
        project_event_record(project=project, actor=actor, kind=ProjectEventKind.ADOPTED_FROM,
                             origin=origin.pk, origin_title=origin.title,
                             origin_organisation=origin.organisation.name, phase=start_phase,
                             effective_date=change.effective_date.isoformat())
        project_event_record(project=origin, actor=actor, kind=ProjectEventKind.ADOPTED,
                             adopter=project.pk, organisation=organisation.name,
                             phase=start_phase)
    return project
