"""Idea events: the kinds, and the one function services use to write them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ideas.models import Idea, IdeaEvent


class IdeaEventKind(models.TextChoices):
    CREATED = "created", _("Idé opprettet")
    STATUS_CHANGED = "status_changed", _("Status endret")


def idea_event_record(*, idea: Idea, actor, kind: IdeaEventKind, **data) -> IdeaEvent:
    return IdeaEvent.objects.create(idea=idea, actor=actor, kind=kind, data=data)
