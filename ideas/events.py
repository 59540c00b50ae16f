"""Idea events: the kinds, and the functions services use to write them and tell followers."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ideas.access import users_who_may_see
from ideas.models import Follow, FollowerNotification, Idea, IdeaEvent


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


# Kinds that followers hear about (in the app and by e-mail).
NOTIFIED_KINDS = frozenset({IdeaEventKind.STATUS_CHANGED, IdeaEventKind.MERGED_IN})


def idea_event_record(*, idea: Idea, actor, kind: IdeaEventKind, **data) -> IdeaEvent:
    event = IdeaEvent.objects.create(idea=idea, actor=actor, kind=kind, data=data)
    if kind in NOTIFIED_KINDS:
        _notify_followers(event)
    return event


def _notify_followers(event: IdeaEvent) -> None:
    """An in-app notice per follower (not the actor), and after commit the e-mails."""
    from ideas.tasks import idea_notifications_send

    followers = (Follow.objects.filter(idea_id=event.idea_id)
                 .exclude(user_id=event.actor_id).values_list("user_id", flat=True))
    # Only those who may still see the idea: a partner municipality's follower hears
    # nothing (not even the title) once the idea is confidential or kept in-house.
    allowed = users_who_may_see(event.idea, followers)
    notices = [FollowerNotification(user_id=user_id, idea_id=event.idea_id, event=event)
               for user_id in sorted(allowed)]
    if notices:
        FollowerNotification.objects.bulk_create(notices, ignore_conflicts=True)
        idea_notifications_send.delay_on_commit(event.pk)
