"""Supports, follows and comments: the rules, their event rows, and refusals that change
nothing."""

import datetime

import pytest
from django.utils import timezone

from ideas import services
from ideas.access import COMMENT_EDIT_WINDOW
from ideas.models import Comment, IdeaEvent, Support
from portal.errors import ConflictError, DomainError, Forbidden
from tests.consumers import run_consumers
from tests.ideas.factories import make_idea


@pytest.fixture
def idea(employee, home_org):
    return make_idea(employee, home_org, status="submitted")


def test_one_support_per_user(idea, manager):
    services.idea_support(actor=manager, idea=idea)
    events = IdeaEvent.objects.count()
    with pytest.raises(ConflictError):
        services.idea_support(actor=manager, idea=idea)
    assert Support.objects.filter(idea=idea).count() == 1
    assert IdeaEvent.objects.count() == events
    services.idea_unsupport(actor=manager, idea=idea)
    assert not Support.objects.exists()
    assert list(idea.events.order_by("id").values_list("kind", flat=True))[-2:] == [
        "supported", "unsupported"]


def test_outsider_cannot_support_an_unshared_idea(idea, outsider):
    with pytest.raises(Forbidden):
        services.idea_support(actor=outsider, idea=idea)
    assert not Support.objects.exists()


def test_drafts_cannot_be_supported_or_commented(employee, manager, home_org):
    draft = make_idea(employee, home_org)
    with pytest.raises(DomainError):
        services.idea_support(actor=employee, idea=draft)
    with pytest.raises(DomainError):
        services.comment_add(actor=employee, idea=draft, body="Hei")
    assert not Support.objects.exists() and not Comment.objects.exists()


def test_comment_edit_window(idea, manager, coordinator):
    comment = services.comment_add(actor=manager, idea=idea, body="Første versjon")
    services.comment_edit(actor=manager, comment=comment, body="Rettet")
    with pytest.raises(Forbidden):
        services.comment_edit(actor=coordinator, comment=comment, body="Ikke min")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - COMMENT_EDIT_WINDOW - datetime.timedelta(1))
    with pytest.raises(Forbidden):
        services.comment_edit(actor=manager, comment=comment, body="For sent")
    comment.refresh_from_db()
    assert comment.body == "Rettet" and comment.edited_at is not None
    assert idea.events.filter(kind="comment_edited").count() == 1


def test_moderators_soft_delete_any_comment_colleagues_cannot(idea, manager, employee,
                                                               coordinator):
    comment = services.comment_add(actor=manager, idea=idea, body="Upassende")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now()
                                                 - datetime.timedelta(days=2))
    with pytest.raises(Forbidden):
        services.comment_delete(actor=employee, comment=comment)
    assert Comment.objects.get(pk=comment.pk).deleted_at is None
    services.comment_delete(actor=coordinator, comment=comment)
    comment.refresh_from_db()
    assert comment.deleted_at and comment.deleted_by == coordinator
    assert comment.body == "Upassende"  # kept for the record, hidden on the page
    with pytest.raises(ConflictError):
        services.comment_delete(actor=coordinator, comment=comment)


def test_empty_comment_is_a_field_error(idea, manager):
    with pytest.raises(DomainError) as info:
        services.comment_add(actor=manager, idea=idea, body="   ")
    assert info.value.field == "body" and not Comment.objects.exists()


def test_commenter_follows_and_unfollow_stops_notices(idea, manager, coordinator):
    from notifications.models import Notification

    services.comment_add(actor=manager, idea=idea, body="God idé")
    assert idea.follows.filter(user=manager).exists()
    services.idea_unfollow(actor=manager, idea=idea)
    services.idea_start_review(actor=coordinator, idea=idea)
    run_consumers()
    assert not Notification.objects.filter(user=manager).exists()
    assert Notification.objects.filter(user=idea.submitter).count() == 1


def test_mark_notifications_read(idea, coordinator, employee):
    from notifications.models import Notification
    from notifications.services import notifications_mark_read

    services.idea_start_review(actor=coordinator, idea=idea)
    run_consumers()
    assert notifications_mark_read(user=employee) == 1
    assert not Notification.objects.filter(read_at__isnull=True).exists()
