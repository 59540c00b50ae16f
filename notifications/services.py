"""Writes: notices for events, reading them, and the user's e-mail choice.

The idea, project and benefit services never call this app (it sits above them): they write
their event rows, and the three consumers registered in NotificationsConfig.ready() turn the
events into notices after the commit (portal.consumers: each event exactly once, retried if a
run fails). Who hears what is notifications.recipients."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gevinst.models import BenefitEvent
from ideas.models import IdeaEvent
from notifications import recipients
from notifications.models import EmailFrequency, Notification, NotificationPreference
from portal.errors import DomainError
from portal.models import User
from projects.models import ProjectEvent


def _create(users: set[int], *, kind: str, emailed: bool = False, **fields) -> int:
    """One notice per user; the unique constraint per (user, event) makes a second call a
    no-op. After commit the immediate sender gets the recipients who asked for it."""
    if not users:
        return 0
    now = timezone.now() if emailed else None
    Notification.objects.bulk_create(
        [Notification(user_id=pk, kind=kind, emailed_at=now, **fields) for pk in sorted(users)],
        ignore_conflicts=True)
    if not emailed:
        from notifications.tasks import notifications_send_immediate

        notifications_send_immediate.delay_on_commit(user_ids=sorted(users))
    return len(users)


def notices_for_idea_event(event_id: int) -> int:
    """The consumer of idea events (ideas.events.IDEA_EVENTS)."""
    event = IdeaEvent.objects.select_related("idea", "actor").filter(pk=event_id).first()
    return notify_idea_event(event) if event is not None else 0  # gone with its idea


def notices_for_project_event(event_id: int) -> int:
    """The consumer of project events (projects.events.PROJECT_EVENTS)."""
    event = (ProjectEvent.objects.select_related("project__initiative", "actor")
             .filter(pk=event_id).first())
    return notify_project_event(event) if event is not None else 0


def notices_for_benefit_event(event_id: int) -> int:
    """The consumer of benefit events (gevinst.events.BENEFIT_EVENTS)."""
    event = (BenefitEvent.objects.select_related("project", "benefit", "actor")
             .filter(pk=event_id).first())
    return notify_benefit_event(event) if event is not None else 0


def notify_idea_event(event) -> int:
    if event.kind not in recipients.IDEA_KINDS:
        return 0
    return _create(recipients.for_idea_event(event), kind=event.kind, idea_id=event.idea_id,
                   idea_event=event)


def notify_project_event(event) -> int:
    if event.kind not in recipients.PROJECT_KINDS:
        return 0
    kind, users = recipients.for_project_event(event)
    return _create(users, kind=kind, project_id=event.project_id, project_event=event)


def notify_benefit_event(event) -> int:
    if event.kind not in recipients.BENEFIT_KINDS:
        return 0
    # A measurement reminder is a notice like the others: mailed by notifications.mail as
    # the owner chose (at once, in a digest, never), in his language.
    return _create(recipients.for_benefit_event(event), kind=event.kind,
                   project_id=event.project_id, benefit_id=event.benefit_id,
                   benefit_event=event)


def notifications_last_id() -> int:
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def notifications_mark_emailed(*, after: int = 0, user_ids: list[int] | None = None) -> int:
    """Count notices written after `after` as e-mailed without sending them (demo history is
    not news). They stay unread in the centre."""
    unsent = Notification.objects.filter(pk__gt=after, emailed_at__isnull=True)
    if user_ids is not None:
        unsent = unsent.filter(user_id__in=user_ids)
    return unsent.update(emailed_at=timezone.now())


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's unread notices read (all, or the given ones of his own)."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def preference_set(*, user: User, frequency: str) -> NotificationPreference:
    if frequency not in EmailFrequency.values:
        raise DomainError(_("Velg hvor ofte du vil ha e-post."), field="email_frequency")
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.update_or_create(
            user=user, defaults={"email_frequency": frequency})
    return preference


def unsubscribe(*, user: User) -> NotificationPreference:
    """No more notice e-mails (the link in every mail); the centre keeps the notices."""
    return preference_set(user=user, frequency=EmailFrequency.NEVER)
