"""Project events: the kinds, and the one function services use to write them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models import Project, ProjectEvent


class ProjectEventKind(models.TextChoices):
    CREATED = "created", _("Prosjekt opprettet")
    PHASE_CHANGED = "phase_changed", _("Fase endret")


def project_event_record(*, project: Project, actor, kind: ProjectEventKind,
                         **data) -> ProjectEvent:
    return ProjectEvent.objects.create(project=project, actor=actor, kind=kind, data=data)
