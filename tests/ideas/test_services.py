"""Idea status changes: every pair of statuses, the events and phase-log rows they write, and
who may make them."""

import datetime

import pytest

from gevinst.models import BenefitAssessment
from ideas import services
from ideas.models import Idea, IdeaEvent, IdeaStatus
from portal.errors import ConflictError, DomainError, Forbidden
from projects.models import PhaseChange, Project

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
ALLOWED = {  # DOMAIN.md: draft → submitted → in_review → approved|rejected|parked|merged
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
        "submit": lambda: services.idea_submit(actor=employee, idea=idea, effective_date=D),
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
    services.idea_submit(actor=employee, idea=idea, effective_date=D)
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


def test_empty_title_and_need_are_field_errors(employee, home_org):
    with pytest.raises(DomainError) as info:
        services.idea_create(actor=employee, organisation=home_org, title=" ", need="")
    assert set(info.value.errors) == {"title", "need"}
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
