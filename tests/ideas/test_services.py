"""Idea status changes: every pair of statuses, the events and phase-log rows they write, and
who may make them."""

import datetime

import pytest

from ideas import services
from ideas.models import Idea, IdeaEvent, IdeaStatus
from initiatives.models import BenefitAssessment, PhaseChange
from portal.errors import ConflictError, DomainError, Forbidden
from projects.models import Project
from tests.consumers import run_consumers

S = IdeaStatus
D = datetime.date(2024, 3, 1)
PATHS = {  # how to bring an idea into each status, from a fresh draft
    S.DRAFT: [],
    S.SUBMITTED: ["submit"],
    S.IN_REVIEW: ["submit", "review"],
    S.APPROVED: ["submit", "review", "approve"],
    S.REJECTED: ["submit", "review", "reject"],
    S.PARKED: ["submit", "review", "park"],
    S.MERGED: ["submit", "review", "merge"],
}
ALLOWED = {  # docs/domain.md: draft → submitted → in_review → approved|rejected|parked|merged
    (S.DRAFT, S.SUBMITTED): "idea", (S.SUBMITTED, S.IN_REVIEW): None,
    (S.IN_REVIEW, S.APPROVED): "concept", (S.IN_REVIEW, S.REJECTED): "rejected",
    (S.IN_REVIEW, S.PARKED): "parked", (S.IN_REVIEW, S.MERGED): "merged",
    (S.PARKED, S.IN_REVIEW): "idea",
}


def new_idea(employee, org, **fields):
    return services.idea_create(actor=employee, organisation=org, title="Nattilsyn",
                                need="Mange nattlige tilsynsbesøk", **fields)


def apply(step, idea, employee, coordinator, other):
    actions = {
        "submit": lambda: services.idea_submit(actor=employee, idea=idea, effective_date=D,
                                               registering_history=True),
        "review": lambda: (services.idea_start_review(actor=coordinator, idea=idea)
                           if Idea.objects.get(pk=idea.pk).status == S.SUBMITTED
                           else services.idea_resume(actor=coordinator, idea=idea,
                                                     effective_date=D)),
        "approve": lambda: services.idea_approve(actor=coordinator, idea=idea, effective_date=D),
        "reject": lambda: services.idea_reject(actor=coordinator, idea=idea, reason="Finnes",
                                               effective_date=D),
        "park": lambda: services.idea_park(actor=coordinator, idea=idea, effective_date=D),
        "merge": lambda: services.idea_merge(actor=coordinator, idea=idea, into=other,
                                             effective_date=D),
    }
    actions[step]()


STEP_FOR_TARGET = {S.SUBMITTED: "submit", S.IN_REVIEW: "review", S.APPROVED: "approve",
                   S.REJECTED: "reject", S.PARKED: "park", S.MERGED: "merge"}


@pytest.mark.parametrize("target", list(STEP_FOR_TARGET))
@pytest.mark.parametrize("start", list(PATHS))
def test_status_table(employee, coordinator, home_org, start, target):
    other = new_idea(employee, home_org)
    for step in ("submit", "review"):
        apply(step, other, employee, coordinator, None)
    idea = new_idea(employee, home_org)
    for step in PATHS[start]:
        apply(step, idea, employee, coordinator, other)
    before = (PhaseChange.objects.count(), IdeaEvent.objects.count())
    allowed = (start, target) in ALLOWED
    if not allowed:
        with pytest.raises(DomainError):
            apply(STEP_FOR_TARGET[target], idea, employee, coordinator, other)
        assert (PhaseChange.objects.count(), IdeaEvent.objects.count()) == before
        assert Idea.objects.get(pk=idea.pk).status == start
        return
    apply(STEP_FOR_TARGET[target], idea, employee, coordinator, other)
    idea.refresh_from_db()
    assert idea.status == target
    event = IdeaEvent.objects.filter(idea=idea).latest("id")
    assert (event.data["old"], event.data["new"]) == (start, target)
    phase = ALLOWED[(start, target)]
    if phase is None:
        assert PhaseChange.objects.count() == before[0]
    else:
        assert idea.initiative.phase_changes.latest("id").to_phase == phase


def test_approval_creates_the_project_with_the_expected_benefits(employee, coordinator,
                                                                 home_org):
    idea = new_idea(employee, home_org, track="fast_track", expected_user=2,
                    expected_organisational=3, expected_motivation="Færre besøk")
    services.idea_submit(actor=employee, idea=idea, effective_date=D,
                         registering_history=True)
    services.idea_start_review(actor=coordinator, idea=idea)
    project = services.idea_approve(actor=coordinator, idea=idea, effective_date=D)
    assert project.initiative.phase == "pilot"  # fast track starts in pilot
    assessments = BenefitAssessment.objects.filter(initiative=project.initiative)
    assert sorted(assessments.values_list("dimension", "kind", "score", "assessed_on")) == [
        ("organisational", "expected", 3, D), ("user", "expected", 2, D)]


def test_rejection_needs_a_reason(employee, coordinator, home_org):
    idea = new_idea(employee, home_org)
    services.idea_submit(actor=employee, idea=idea)
    services.idea_start_review(actor=coordinator, idea=idea)
    with pytest.raises(DomainError) as info:
        services.idea_reject(actor=coordinator, idea=idea, reason="  ")
    assert info.value.field == "rejection_reason"
    assert Idea.objects.get(pk=idea.pk).status == S.IN_REVIEW


@pytest.mark.parametrize("persona", ["employee", "project_leader", "manager", "outsider"])
def test_only_screeners_move_ideas(personas, employee, home_org, persona):
    idea = new_idea(employee, home_org)
    services.idea_submit(actor=employee, idea=idea)
    with pytest.raises(Forbidden):
        services.idea_start_review(actor=personas[persona], idea=idea)
    assert Idea.objects.get(pk=idea.pk).status == S.SUBMITTED
    assert not Project.objects.exists()


def test_only_the_author_submits_and_outsiders_cannot_create(employee, manager, outsider,
                                                             home_org):
    idea = new_idea(employee, home_org)
    with pytest.raises(Forbidden):
        services.idea_submit(actor=manager, idea=idea)
    with pytest.raises(Forbidden):
        new_idea(outsider, home_org)
    assert Idea.objects.count() == 1


def test_an_empty_title_is_a_field_error_an_empty_need_waits_for_submission(employee,
                                                                              home_org):
    # Issue 16: a draft needs only a title; the need is checked on submission
    # (tests/ideas/test_drafts.py).
    with pytest.raises(DomainError) as info:
        services.idea_create(actor=employee, organisation=home_org, title=" ", need="")
    assert set(info.value.errors) == {"title"}
    assert not Idea.objects.exists()


def test_confidential_ideas_stay_in_the_organisation(employee, home_org):
    idea = new_idea(employee, home_org, is_confidential=True, visibility="public")
    assert idea.visibility == "organisation"


def test_a_second_identical_move_is_a_conflict(employee, coordinator, home_org):
    idea = new_idea(employee, home_org)
    services.idea_submit(actor=employee, idea=idea)
    services.idea_start_review(actor=coordinator, idea=idea)
    with pytest.raises(ConflictError):
        services.idea_start_review(actor=coordinator, idea=idea)


def test_merge_links_the_ideas_and_keeps_both(employee, coordinator, home_org, other_org):
    keep, merged = new_idea(employee, home_org), new_idea(employee, home_org)
    for idea in (keep, merged):
        services.idea_submit(actor=employee, idea=idea)
        services.idea_start_review(actor=coordinator, idea=idea)
    services.idea_merge(actor=coordinator, idea=merged, into=keep)
    merged.refresh_from_db()
    assert merged.status == S.MERGED and merged.merged_into == keep
    assert list(keep.merged_ideas.all()) == [merged]
    with pytest.raises(DomainError):
        services.idea_merge(actor=coordinator, idea=keep, into=keep)


def test_merge_moves_supports_and_comments_and_keeps_both_histories(
        employee, coordinator, manager, home_org):
    keep, merged = new_idea(employee, home_org), new_idea(employee, home_org)
    for idea in (keep, merged):
        services.idea_submit(actor=employee, idea=idea)
        services.idea_start_review(actor=coordinator, idea=idea)
    services.idea_support(actor=manager, idea=merged)
    services.idea_support(actor=coordinator, idea=merged)
    services.idea_support(actor=coordinator, idea=keep)  # already supports the survivor
    comment = services.comment_add(actor=manager, idea=merged, body="Vi har samme behov")
    services.idea_merge(actor=coordinator, idea=merged, into=keep)

    assert set(keep.supports.values_list("user__username", flat=True)) == {
        "manager", "coordinator"}
    assert list(merged.supports.values_list("user__username", flat=True)) == ["coordinator"]
    comment.refresh_from_db()
    assert comment.idea == keep and comment.moved_from == merged
    assert merged.events.filter(kind="status_changed", data__new="merged").exists()
    merged_in = keep.events.get(kind="merged_in")
    assert merged_in.data["merged_id"] == merged.pk and merged_in.data["supports_moved"] == 1
    assert keep.follows.filter(user=manager).exists()  # the commenter follows the survivor


def test_status_change_notifies_followers_but_not_the_actor(
        employee, coordinator, manager, home_org, django_capture_on_commit_callbacks,
        mailoutbox, celery_eager):
    from unittest import mock

    from notifications.models import Notification
    from notifications.services import preference_set
    from notifications.tasks import notifications_send_immediate

    idea = new_idea(employee, home_org)
    services.idea_submit(actor=employee, idea=idea)
    services.idea_follow(actor=manager, idea=idea)
    services.idea_follow(actor=coordinator, idea=idea)
    for user in (employee, manager):
        preference_set(user=user, frequency="immediate")
    with mock.patch.object(notifications_send_immediate, "delay") as enqueue:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.idea_start_review(actor=coordinator, idea=idea)
    # After the commit the notices' consumer runs, and enqueues the e-mail task after its own.
    assert len(callbacks) == 2
    event = idea.events.latest("id")
    enqueue.assert_called_once_with(user_ids=sorted([employee.pk, manager.pk]))
    notifications_send_immediate(**enqueue.call_args.kwargs)  # what the worker does
    notices = Notification.objects.filter(idea_event=event)
    assert sorted(n.user.username for n in notices) == ["employee", "manager"]
    assert all(n.emailed_at for n in notices)
    assert sorted(m.to[0] for m in mailoutbox) == ["employee@example.no", "manager@example.no"]
    assert "Nattilsyn" in mailoutbox[0].subject


def test_notification_task_is_safe_to_run_twice(employee, coordinator, home_org, mailoutbox):
    from notifications.services import preference_set
    from notifications.tasks import notifications_send_immediate

    preference_set(user=employee, frequency="immediate")
    idea = new_idea(employee, home_org)
    services.idea_submit(actor=employee, idea=idea)
    services.idea_start_review(actor=coordinator, idea=idea)
    run_consumers()
    first = notifications_send_immediate(user_ids=[employee.pk])
    second = notifications_send_immediate(user_ids=[employee.pk])
    assert (first["mails"], second["mails"]) == (1, 0) and len(mailoutbox) == 1


def test_drafts_write_no_phase_change_and_the_initiative_is_draft(employee, home_org):
    idea = new_idea(employee, home_org)
    assert idea.initiative.phase == "draft"
    assert not PhaseChange.objects.filter(initiative=idea.initiative).exists()


def test_parked_idea_resumes_in_phase_idea(employee, coordinator, home_org):
    idea = new_idea(employee, home_org)
    services.idea_submit(actor=employee, idea=idea, effective_date=D,
                         registering_history=True)
    services.idea_start_review(actor=coordinator, idea=idea)
    services.idea_park(actor=coordinator, idea=idea, effective_date=D)
    services.idea_resume(actor=coordinator, idea=idea, effective_date=D)
    phases = list(idea.initiative.phase_changes.order_by("id").values_list("to_phase",
                                                                            flat=True))
    assert phases == ["idea", "parked", "idea"]
    assert Idea.objects.get(pk=idea.pk).status == S.IN_REVIEW


def test_submitting_to_a_closed_campaign_is_refused(employee, home_org):
    from tests.ideas.factories import make_campaign

    closed = make_campaign(home_org, opens_on=datetime.date(2024, 1, 1),
                           closes_on=datetime.date(2024, 2, 1))
    idea = new_idea(employee, home_org, campaign=closed)
    with pytest.raises(DomainError) as info:
        services.idea_submit(actor=employee, idea=idea)
    assert info.value.field == "campaign"
    assert Idea.objects.get(pk=idea.pk).status == S.DRAFT
    assert not PhaseChange.objects.exists()
    # Back-dated into the open period (registering history), it is accepted.
    services.idea_submit(actor=employee, idea=idea, effective_date=datetime.date(2024, 1, 15),
                         registering_history=True)


def test_a_campaign_of_another_organisation_is_refused(employee, home_org, other_org):
    from tests.ideas.factories import make_campaign

    theirs = make_campaign(other_org, opens_on=datetime.date(2024, 1, 1),
                           closes_on=datetime.date(2030, 1, 1))
    with pytest.raises(DomainError) as info:
        new_idea(employee, home_org, campaign=theirs)
    assert info.value.field == "campaign" and not Idea.objects.exists()


def test_update_by_author_and_screener_but_not_colleague(employee, coordinator, manager,
                                                         home_org):
    idea = new_idea(employee, home_org)
    services.idea_update(actor=employee, idea=idea, title="Nattilsyn 2", tags=["Sensor", "natt"])
    event = idea.events.latest("id")
    assert event.kind == "updated" and event.data["fields"] == ["tags", "title"]
    assert idea.initiative.__class__.objects.get(pk=idea.initiative_id).title == "Nattilsyn 2"
    with pytest.raises(Forbidden):
        services.idea_update(actor=manager, idea=idea, title="Annet")
    services.idea_submit(actor=employee, idea=idea)
    services.idea_update(actor=coordinator, idea=idea, welfare_area="digital_supervision")
    idea.refresh_from_db()
    assert idea.title == "Nattilsyn 2" and idea.welfare_area == "digital_supervision"
    assert sorted(idea.tags.values_list("name", flat=True)) == ["natt", "sensor"]


def test_a_submitted_idea_cannot_be_moved_into_a_closed_campaign(employee, coordinator,
                                                                 home_org):
    """Moving a submitted idea into a campaign is submitting it there: only while open."""
    from tests.ideas.factories import make_campaign

    today = datetime.date.today()
    closed = make_campaign(home_org, opens_on=today - datetime.timedelta(days=30),
                           closes_on=today - datetime.timedelta(days=1), title="Stengt")
    open_ = make_campaign(home_org, opens_on=today, closes_on=today, title="Åpen")
    idea = new_idea(employee, home_org)
    services.idea_submit(actor=employee, idea=idea)
    events = IdeaEvent.objects.count()
    with pytest.raises(DomainError) as info:
        services.idea_update(actor=coordinator, idea=idea, campaign=closed)
    assert info.value.field == "campaign" and info.value.code == "campaign_closed"
    assert Idea.objects.get(pk=idea.pk).campaign is None
    assert IdeaEvent.objects.count() == events
    services.idea_update(actor=coordinator, idea=idea, campaign=open_)
    assert Idea.objects.get(pk=idea.pk).campaign == open_


def test_submission_rechecks_the_campaign_under_the_lock(employee, home_org):
    """The check reads the idea's campaign as locked, not the caller's stale copy."""
    from tests.ideas.factories import make_campaign

    today = datetime.date.today()
    closed = make_campaign(home_org, opens_on=today - datetime.timedelta(days=30),
                           closes_on=today - datetime.timedelta(days=1))
    idea = new_idea(employee, home_org)
    Idea.objects.filter(pk=idea.pk).update(campaign=closed)  # changed behind our back
    with pytest.raises(DomainError):
        services.idea_submit(actor=employee, idea=idea)  # `idea` still has no campaign
    assert Idea.objects.get(pk=idea.pk).status == S.DRAFT
    assert not PhaseChange.objects.exists()


def test_the_submission_of_an_anonymous_idea_is_flagged_in_the_phase_log(
        employee, coordinator, home_org):
    """The phase log says which change is an anonymous idea's submission (the project
    timeline and transitions API hide its decider by it), and follows the submitter's later
    choice either way; a screener's resume of the idea is never the submission."""
    idea = new_idea(employee, home_org, is_anonymous=True)
    services.idea_submit(actor=employee, idea=idea)
    submission = PhaseChange.objects.get(initiative=idea.initiative, to_phase="idea")
    assert submission.anonymous_submission is True
    services.idea_update(actor=employee, idea=idea, is_anonymous=False)
    submission.refresh_from_db()
    assert submission.anonymous_submission is False
    services.idea_update(actor=employee, idea=idea, is_anonymous=True)
    services.idea_start_review(actor=coordinator, idea=idea)
    services.idea_park(actor=coordinator, idea=idea)
    services.idea_resume(actor=coordinator, idea=idea)
    flagged = PhaseChange.objects.filter(initiative=idea.initiative, anonymous_submission=True)
    assert list(flagged.values_list("pk", flat=True)) == [submission.pk]
