"""Supports, follows and comments."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ideas.access import (
    COMMENT_EDIT_WINDOW,
    ENGAGEABLE,
    comment_may_delete,
    comment_may_edit,
    may_see_idea,
)
from ideas.events import IdeaEventKind, idea_event_record
from ideas.models import Comment, Follow, Idea, Support
from portal.errors import ConflictError, DomainError, Forbidden
from portal.models import User

COMMENT_MAX_LENGTH = 5000


def _require_visible(actor: User, idea: Idea) -> None:
    if not may_see_idea(actor, idea):
        raise Forbidden(_("Du har ikke tilgang til denne idéen."))


def _lock_engageable(idea: Idea) -> Idea:
    """The idea, locked, if it is open for supports and comments (a concurrent merge moves
    them, so they must not slip onto the merged idea behind its back)."""
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    if locked.status not in ENGAGEABLE:
        raise DomainError(_("Idéen er ikke åpen for støtte og kommentarer i denne statusen."),
                          code="not_open")
    return locked


def idea_support(*, actor: User, idea: Idea) -> Support:
    _require_visible(actor, idea)
    try:
        with transaction.atomic():
            locked = _lock_engageable(idea)
            support = Support.objects.create(idea=locked, user=actor)
            idea_event_record(idea=locked, actor=actor, kind=IdeaEventKind.SUPPORTED)
    except IntegrityError:  # the unique constraint: one support per user
        raise ConflictError(_("Du støtter allerede denne idéen."), code="already_supported")
    return support


def idea_unsupport(*, actor: User, idea: Idea) -> None:
    with transaction.atomic():
        deleted, _rows = Support.objects.filter(idea=idea, user=actor).delete()
        if not deleted:
            raise ConflictError(_("Du støtter ikke denne idéen."), code="not_supported")
        idea_event_record(idea=idea, actor=actor, kind=IdeaEventKind.UNSUPPORTED)


def idea_follow(*, actor: User, idea: Idea) -> Follow:
    _require_visible(actor, idea)
    with transaction.atomic():
        follow, created = Follow.objects.get_or_create(idea=idea, user=actor)
        if created:
            idea_event_record(idea=idea, actor=actor, kind=IdeaEventKind.FOLLOWED)
    return follow


def idea_unfollow(*, actor: User, idea: Idea) -> None:
    with transaction.atomic():
        deleted, _rows = Follow.objects.filter(idea=idea, user=actor).delete()
        if deleted:
            idea_event_record(idea=idea, actor=actor, kind=IdeaEventKind.UNFOLLOWED)


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Skriv en kommentar."), field="body")
    if len(body) > COMMENT_MAX_LENGTH:
        raise DomainError(_("Kommentaren er for lang (maks %(n)s tegn).")
                          % {"n": COMMENT_MAX_LENGTH}, field="body")
    return body


def comment_add(*, actor: User, idea: Idea, body: str) -> Comment:
    """A comment; the commenter starts following the idea."""
    _require_visible(actor, idea)
    body = _clean_body(body)
    with transaction.atomic():
        locked = _lock_engageable(idea)
        comment = Comment.objects.create(idea=locked, author=actor, body=body)
        Follow.objects.bulk_create([Follow(idea=locked, user=actor)], ignore_conflicts=True)
        idea_event_record(idea=locked, actor=actor, kind=IdeaEventKind.COMMENTED,
                          comment_id=comment.pk)
    return comment


def comment_edit(*, actor: User, comment: Comment, body: str) -> Comment:
    body = _clean_body(body)
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if not comment_may_edit(actor, locked):
            raise Forbidden(_("Kommentarer kan bare endres av forfatteren de første "
                              "%(minutes)s minuttene.")
                            % {"minutes": int(COMMENT_EDIT_WINDOW.total_seconds() // 60)})
        locked.body, locked.edited_at = body, timezone.now()
        locked.save(update_fields=["body", "edited_at"])
        idea_event_record(idea=locked.idea, actor=actor, kind=IdeaEventKind.COMMENT_EDITED,
                          comment_id=locked.pk)
    return locked


def comment_delete(*, actor: User, comment: Comment) -> Comment:
    """Soft delete: moderators (screeners) any time, the author within the edit window."""
    with transaction.atomic():
        locked = Comment.objects.select_for_update().select_related("idea").get(pk=comment.pk)
        if locked.deleted_at is not None:
            raise ConflictError(_("Kommentaren er allerede slettet."), code="deleted")
        if not comment_may_delete(actor, locked, locked.idea):
            raise Forbidden(_("Du kan ikke slette denne kommentaren."))
        locked.deleted_at, locked.deleted_by = timezone.now(), actor
        locked.save(update_fields=["deleted_at", "deleted_by"])
        idea_event_record(idea=locked.idea, actor=actor, kind=IdeaEventKind.COMMENT_DELETED,
                          comment_id=locked.pk)
    return locked

