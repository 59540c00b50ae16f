"""Who hears what (notifications.recipients): per event family the right people get one notice,
never the actor, never someone who may no longer see the object; written from the event rows
once the event's transaction has committed (portal.consumers), never for a change that rolled
back."""

import datetime

import pytest
from django.db import transaction

from gevinst import services as gevinst_services
from ideas import services as idea_services
from notifications.models import Notification
from portal.models import ConsumerQueueItem, Membership
from portal.roles import Role
from projects.models import GateChecklistItem, ProjectMember
from projects.services import checklist_tick, checklists_ensure_defaults, project_transition
from projects.services.adoption import project_adopt
from tests.consumers import run_consumers
from tests.factories import MembershipFactory, NetworkFactory, UserFactory
from tests.gevinst.conftest import benefit_fields, make_project
from tests.ideas.factories import make_idea


def notices():
    """The notices, once the consumers have read the events written so far."""
    run_consumers()
    return Notification.objects


def notified(**source) -> list[str]:
    return sorted(notices().filter(**source).values_list("user__username", flat=True))


@pytest.fixture
def project(home_org, project_leader):
    checklists_ensure_defaults(home_org)
    return make_project(home_org, "concept", leader=project_leader)


# --- ideas ----------------------------------------------------------------------------------

def test_status_change_reaches_followers_and_submitter_not_the_actor(
        employee, coordinator, manager, home_org):
    idea = make_idea(employee, home_org, status="submitted")
    idea_services.idea_follow(actor=manager, idea=idea)
    idea_services.idea_follow(actor=coordinator, idea=idea)
    idea_services.idea_start_review(actor=coordinator, idea=idea)
    event = idea.events.latest("id")
    assert notified(idea_event=event) == ["employee", "manager"]
    assert set(notices().filter(idea_event=event).values_list("kind", "idea")) == {
        ("status_changed", idea.pk)}


def test_the_submitter_hears_even_after_unfollowing(employee, coordinator, home_org):
    """The idea is hers: a rejection's reason is for her to see."""
    idea = make_idea(employee, home_org, status="submitted")
    idea_services.idea_unfollow(actor=employee, idea=idea)
    idea_services.idea_start_review(actor=coordinator, idea=idea)
    assert notified(idea_event=idea.events.latest("id")) == ["employee"]


def test_comments_and_supports_give_no_notice(employee, coordinator, manager, home_org):
    idea = make_idea(employee, home_org, status="submitted")
    idea_services.comment_add(actor=manager, idea=idea, body="God idé")
    idea_services.idea_support(actor=coordinator, idea=idea)
    assert not notices().exists()


def test_an_assigned_reviewer_is_told(employee, coordinator, manager, home_org):
    idea = make_idea(employee, home_org, status="in_review", coordinator=coordinator)
    before = notices().count()
    idea_services.reviewer_assign(actor=coordinator, idea=idea, reviewer=manager)
    event = idea.events.get(kind="reviewer_assigned")
    assert notified(idea_event=event) == ["manager"]
    assert notices().count() == before + 1
    # Assigning oneself tells nobody.
    idea_services.reviewer_assign(actor=coordinator, idea=idea, reviewer=coordinator)
    assert notices().count() == before + 1


def test_an_inactive_follower_gets_nothing(employee, coordinator, manager, home_org):
    idea = make_idea(employee, home_org, status="submitted")
    idea_services.idea_follow(actor=manager, idea=idea)
    manager.is_active = False
    manager.save()
    idea_services.idea_start_review(actor=coordinator, idea=idea)
    assert notified(idea_event=idea.events.latest("id")) == ["employee"]


def test_notices_roll_back_with_the_change(employee, coordinator, home_org):
    """The event is queued for the notices in the service's transaction: a change that fails
    leaves nothing to turn into a notice."""
    idea = make_idea(employee, home_org, status="submitted")
    run_consumers()
    with pytest.raises(RuntimeError), transaction.atomic():
        idea_services.idea_start_review(actor=coordinator, idea=idea)
        assert ConsumerQueueItem.objects.filter(consumer="notifications.idea_events").count() == 1
        raise RuntimeError
    assert not ConsumerQueueItem.objects.exists()
    assert not notices().exists()


# --- projects -------------------------------------------------------------------------------

def test_a_gate_decision_reaches_leader_team_and_idea_followers(
        employee, coordinator, manager, project_leader, home_org):
    idea = make_idea(employee, home_org, status="in_review", coordinator=coordinator)
    idea_services.idea_approve(actor=coordinator, idea=idea)
    project = idea.initiative.project
    project.leader = project_leader
    project.save()
    colleague = MembershipFactory(user=UserFactory(username="kollega",
                                                   email="Kollega@Example.no"),
                                  organisation=home_org, role=Role.EMPLOYEE).user
    ProjectMember.objects.create(project=project, name="Kollega", role="Sykepleier",
                                 email="kollega@example.no")
    ProjectMember.objects.create(project=project, name="Ekstern", role="Rådgiver",
                                 email="ekstern@firma.no")  # no account: nobody to notify
    change = project_transition(actor=manager, project=project, to_phase="pilot",
                                rationale="Godt forankret")
    event = project.events.get(kind="phase_changed", data__phase_change_id=change.pk)
    # The idea's follower (its submitter), the team member with an account (e-mail matched
    # without regard to case) and the leader; the manager decided, so he is not told.
    assert notified(project_event=event) == sorted(
        ["employee", colleague.username, "project_leader"])


def test_stop_and_park_are_told_as_such(manager, project_leader, project):
    project_transition(actor=manager, project=project, to_phase="parked")
    notice = notices().get(user=project_leader)
    assert notice.kind == "phase_changed"
    from notifications.selectors import describe
    assert describe(notice).text == "Prosjektet er parkert."


def test_the_deciding_leader_is_not_told_his_own_decision(org_admin, home_org):
    checklists_ensure_defaults(home_org)
    project = make_project(home_org, "concept", leader=org_admin)
    project_transition(actor=org_admin, project=project, to_phase="parked")
    assert not notices().exists()


def test_a_follower_who_lost_access_hears_nothing_of_the_project(
        employee, coordinator, manager, outsider, home_org, other_org):
    """A partner municipality's follower of a network idea: the project is kept in-house."""
    network = NetworkFactory(name="Fjellregionen")
    network.organisations.set([home_org, other_org])
    idea = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                     visibility="network")
    idea_services.idea_follow(actor=outsider, idea=idea)
    idea_services.idea_approve(actor=coordinator, idea=idea)
    project = idea.initiative.project
    assert project.visibility == "network"
    project.visibility = "organisation"
    project.save()
    project_transition(actor=manager, project=project, to_phase="parked")
    event = project.events.get(kind="phase_changed")
    assert "outsider" not in notified(project_event=event)
    assert "employee" in notified(project_event=event)


def test_a_leader_removed_from_the_organisation_hears_nothing(
        manager, project_leader, project):
    Membership.objects.filter(user=project_leader).delete()
    project_transition(actor=manager, project=project, to_phase="parked")
    assert not notices().filter(user=project_leader).exists()


def test_managers_hear_when_the_checklist_is_complete(
        manager, org_admin, project_leader, coordinator, project):
    items = list(GateChecklistItem.objects.filter(organisation=project.organisation,
                                                  phase="concept", is_active=True))
    assert len(items) > 1
    for item in items[:-1]:
        checklist_tick(actor=project_leader, project=project, item=item, done=True)
    assert not notices().exists()  # not ready yet
    checklist_tick(actor=project_leader, project=project, item=items[-1], done=True)
    ready = notices().all()
    assert sorted(n.user.username for n in ready) == ["manager", "org_admin"]
    assert {n.kind for n in ready} == {"gate_ready"}


def test_ticks_read_after_the_checklist_is_complete_give_one_gate_ready_notice(
        manager, org_admin, project_leader, project):
    """The ticks are consumed after the last one completed the checklist (the worker was
    slow): only the tick that completed it tells the deciders, as when it was made."""
    items = list(GateChecklistItem.objects.filter(organisation=project.organisation,
                                                  phase="concept", is_active=True))
    for item in items:
        checklist_tick(actor=project_leader, project=project, item=item, done=True)
    ready = notices().filter(kind="gate_ready")
    assert sorted(n.user.username for n in ready) == ["manager", "org_admin"]


def test_a_follower_hears_only_of_what_happens_after_following(
        employee, coordinator, manager, home_org):
    """The notices are written after the commit; who followed is read as of the event."""
    idea = make_idea(employee, home_org, status="submitted")
    idea_services.idea_start_review(actor=coordinator, idea=idea)
    reviewed = idea.events.latest("id")
    idea_services.idea_follow(actor=manager, idea=idea)  # before the events are consumed
    idea_services.idea_park(actor=coordinator, idea=idea)
    parked = idea.events.latest("id")
    assert notified(idea_event=reviewed) == ["employee"]
    assert notified(idea_event=parked) == ["employee", "manager"]


def test_an_adoption_reaches_the_origin_leader(manager, outsider, project_leader, home_org,
                                               other_org, project):
    project.visibility = "public"
    project.save()
    project_adopt(actor=outsider, origin=project, organisation=other_org)
    event = project.events.get(kind="adopted")
    assert notified(project_event=event) == ["project_leader"]


# --- benefits -------------------------------------------------------------------------------

@pytest.fixture
def implementation(home_org, project_leader):
    return make_project(home_org, "implementation", leader=project_leader)


def test_plan_approval_and_reapproval_reach_the_project_leader(
        manager, project_leader, implementation):
    project = implementation
    gevinst_services.benefit_create(actor=project_leader, project=project,
                                    **benefit_fields(owner=manager))
    gevinst_services.benefit_plan_save(actor=project_leader, project=project,
                                       interval_months=3,
                                       first_due_on=datetime.date(2025, 1, 31))
    assert not notices().exists()  # drafting the plan tells nobody
    gevinst_services.benefit_plan_approve(actor=manager, project=project)
    approved = notices().get()
    assert (approved.user, approved.kind, approved.project, approved.benefit) == (
        project_leader, "plan_approved", project, None)
    gevinst_services.benefit_plan_reapproval_required(project, actor=manager)
    assert notified(kind="plan_reapproval_required") == ["project_leader"]


def test_a_due_measurement_reaches_the_benefit_owner(
        manager, project_leader, implementation, monkeypatch):
    """The reminder is a notice like the others: unread, and not yet e-mailed (the mailer
    sends it as the owner chose, notifications.mail)."""
    project = implementation
    benefit = gevinst_services.benefit_create(actor=project_leader, project=project,
                                              **benefit_fields(owner=manager))
    gevinst_services.benefit_plan_save(actor=project_leader, project=project,
                                       interval_months=3,
                                       first_due_on=datetime.date(2025, 1, 31))
    gevinst_services.benefit_reminders_create(today=datetime.date(2025, 2, 10))
    notice = notices().get()
    assert (notice.user, notice.kind, notice.benefit) == (manager, "reminder_created", benefit)
    assert notice.emailed_at is None and notice.read_at is None
