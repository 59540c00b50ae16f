"""Project events: the kinds, and the one function services use to write them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.services import notify_project_event
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


def project_event_record(*, project: Project, actor, kind: ProjectEventKind,
                         **data) -> ProjectEvent:
    """Write the event and, in the same transaction, the notices it gives (who hears what:
    notifications.recipients)."""
    event = ProjectEvent.objects.create(project=project, actor=actor, kind=kind, data=data)
    notify_project_event(event)
    return event
