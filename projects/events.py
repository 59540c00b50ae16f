"""Project events: the kinds, and the one function services use to write them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.consumers import rows_written
from projects.models import Project, ProjectEvent


class ProjectEventKind(models.TextChoices):
    CREATED = "created", _("Prosjekt opprettet")
    PHASE_CHANGED = "phase_changed", _("Fase endret")
    UPDATED = "updated", _("Prosjektet endret")
    CHECKLIST_TICKED = "checklist_ticked", _("Sjekklistepunkt krysset av")
    CHECKLIST_UNTICKED = "checklist_unticked", _("Sjekklistepunkt åpnet igjen")
    ITEM_ADDED = "item_added", _("Lagt til")
    ITEM_UPDATED = "item_updated", _("Endret")
    ITEM_REMOVED = "item_removed", _("Fjernet")
    ADOPTED = "adopted", _("Adoptert av en annen organisasjon")
    ADOPTED_FROM = "adopted_from", _("Adoptert fra en annen organisasjon")


# Written to the organisation's event log (portal.events) when its gate checklist changes.
ORG_CHECKLIST_CHANGED = "gate_checklist_changed"


# The topic of project events for their consumers (portal.consumers): the notification centre
# turns some into notices, gevinst asks for a new plan approval when a gate is passed.
PROJECT_EVENTS = "projects.ProjectEvent"


def project_event_record(*, project: Project, actor, kind: ProjectEventKind,
                         **data) -> ProjectEvent:
    """Write the event; its consumers read it after the commit (portal.consumers)."""
    event = ProjectEvent.objects.create(project=project, actor=actor, kind=kind, data=data)
    rows_written(PROJECT_EVENTS, [event.pk], kind=event.kind)
    return event
