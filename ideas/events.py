"""Idea events: the kinds, and the function services use to write them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ideas.models import Idea, IdeaEvent
from portal.consumers import rows_written


class IdeaEventKind(models.TextChoices):
    CREATED = "created", _("Idé opprettet")
    UPDATED = "updated", _("Idé endret")
    STATUS_CHANGED = "status_changed", _("Status endret")
    MERGED_IN = "merged_in", _("En annen idé er slått sammen med denne")
    SUPPORTED = "supported", _("Støttet")
    UNSUPPORTED = "unsupported", _("Støtte trukket")
    FOLLOWED = "followed", _("Følger")
    UNFOLLOWED = "unfollowed", _("Følger ikke lenger")
    COMMENTED = "commented", _("Kommentar")
    COMMENT_EDITED = "comment_edited", _("Kommentar endret")
    COMMENT_DELETED = "comment_deleted", _("Kommentar slettet")
    ATTACHMENT_ADDED = "attachment_added", _("Vedlegg lagt til")
    ATTACHMENT_REMOVED = "attachment_removed", _("Vedlegg fjernet")
    REVIEWER_ASSIGNED = "reviewer_assigned", _("Vurderer tildelt")
    REVIEWER_UNASSIGNED = "reviewer_unassigned", _("Vurderer fjernet")
    SCORED = "scored", _("Vurdert")


# The topic of idea events for their consumers (portal.consumers): the notification centre
# turns some of them into notices after the commit.
IDEA_EVENTS = "ideas.IdeaEvent"


def idea_event_record(*, idea: Idea, actor, kind: IdeaEventKind, **data) -> IdeaEvent:
    """Write the event; its consumers read it after the commit (portal.consumers)."""
    event = IdeaEvent.objects.create(idea=idea, actor=actor, kind=kind, data=data)
    rows_written(IDEA_EVENTS, [event.pk], kind=event.kind)
    return event
