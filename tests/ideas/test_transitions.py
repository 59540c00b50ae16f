"""The status table, exhaustively: every transition service from every status. Allowed moves
write exactly their IdeaEvent (and phase-log row); refused moves — wrong status or wrong
actor — change nothing at all."""

import datetime

import pytest

from ideas import services
from ideas.models import Follow, Idea, IdeaEvent, IdeaStatus
from initiatives.models import Initiative, PhaseChange
from notifications.models import Notification
from portal.errors import ConflictError, DomainError, Forbidden
from projects.models import Project
from tests.consumers import run_consumers
from tests.worlds import shared_personas

S = IdeaStatus
D = datetime.date(2024, 3, 1)

# service → (the one status it moves from, the status it moves to, the phase it writes)
SERVICES = {
    "submit": (S.DRAFT, S.SUBMITTED, "idea"),
    "start_review": (S.SUBMITTED, S.IN_REVIEW, None),
    "approve": (S.IN_REVIEW, S.APPROVED, "concept"),
    "reject": (S.IN_REVIEW, S.REJECTED, "rejected"),
    "park": (S.IN_REVIEW, S.PARKED, "parked"),
    "resume": (S.PARKED, S.IN_REVIEW, "idea"),
    "merge": (S.IN_REVIEW, S.MERGED, "merged"),
}
PATHS = {  # the services that bring a fresh draft into each status
    S.DRAFT: [], S.SUBMITTED: ["submit"], S.IN_REVIEW: ["submit", "start_review"],
    S.APPROVED: ["submit", "start_review", "approve"],
    S.REJECTED: ["submit", "start_review", "reject"],
    S.PARKED: ["submit", "start_review", "park"],
    S.MERGED: ["submit", "start_review", "merge"],
}


def call(name, idea, *, actor, survivor):
    kwargs = {"actor": actor, "idea": idea}
    if name != "start_review":
        kwargs["effective_date"] = D
    if name == "submit":  # the author back-dates: a history being registered
        kwargs["registering_history"] = True
    if name == "reject":
        kwargs["reason"] = "Dekkes av et annet prosjekt"
    if name == "merge":
        kwargs["into"] = survivor
    return getattr(services, f"idea_{name}")(**kwargs)


def state(idea):
    """Everything a transition may touch (the notices once the events are consumed)."""
    run_consumers()
    row = Idea.objects.filter(pk=idea.pk).values(
        "status", "updated_at", "submitted_at", "rejection_reason", "merged_into").get()
    return (row, Initiative.objects.get(pk=idea.initiative_id).phase,
            IdeaEvent.objects.count(), PhaseChange.objects.count(), Project.objects.count(),
            Notification.objects.count(),
            list(Idea.objects.order_by("pk").values_list("pk", "status", "updated_at")))


def _world(people: dict) -> dict:
    """The idea in review that merges go into: built once for the module, each test starting
    from it (tests/worlds.py); its notices are written, so a test's `state` sees only its
    own."""
    employee = people["employee"]
    idea = services.idea_create(actor=employee, organisation=people["home_org"],
                                title="Overlever", need="Samme behov")
    services.idea_submit(actor=employee, idea=idea, effective_date=D,
                         registering_history=True)
    services.idea_start_review(actor=people["coordinator"], idea=idea)
    run_consumers()
    return {"survivor": idea}


globals().update(shared_personas(build=_world, items=("survivor",)))


@pytest.mark.parametrize("start", list(PATHS))
@pytest.mark.parametrize("name", list(SERVICES))
def test_every_service_from_every_status(employee, coordinator, manager, home_org, survivor,
                                         name, start):
    idea = services.idea_create(actor=employee, organisation=home_org, title="Nattilsyn",
                                need="Mange nattlige tilsynsbesøk")
    Follow.objects.create(idea=idea, user=manager)  # a colleague who will hear of it
    for step in PATHS[start]:
        actor = employee if step == "submit" else coordinator
        call(step, idea, actor=actor, survivor=survivor)
    source, target, phase = SERVICES[name]
    actor = employee if name == "submit" else coordinator
    before = state(idea)
    events = IdeaEvent.objects.count()

    if start != source:
        expected = ConflictError if start == target else DomainError
        with pytest.raises(expected) as info:
            call(name, idea, actor=actor, survivor=survivor)
        if expected is DomainError:
            assert not isinstance(info.value, ConflictError)
            assert info.value.code == "invalid_transition"
        assert state(idea) == before
        return

    call(name, idea, actor=actor, survivor=survivor)
    idea.refresh_from_db()
    assert idea.status == target
    event = IdeaEvent.objects.filter(idea=idea).latest("id")
    assert (event.kind, event.actor, event.data["old"], event.data["new"]) == (
        "status_changed", actor, source, target)
    # One event on the idea; a merge adds the survivor's "merged_in".
    assert IdeaEvent.objects.count() == events + (2 if name == "merge" else 1)
    if phase is None:
        assert PhaseChange.objects.count() == before[3]
    else:
        assert idea.initiative.phase_changes.latest("id").to_phase == phase
    assert Project.objects.count() == before[4] + (1 if name == "approve" else 0)
    # The follower hears of it (the actor does not).
    run_consumers()
    assert Notification.objects.filter(idea_event=event, user=manager).exists()
    assert not Notification.objects.filter(idea_event=event, user=actor).exists()


@pytest.mark.parametrize("persona", ["employee", "project_leader", "manager", "outsider"])
@pytest.mark.parametrize("name", [n for n in SERVICES if n != "submit"])
def test_only_screeners_run_the_screening_services(personas, employee, coordinator, home_org,
                                                   survivor, persona, name):
    source = SERVICES[name][0]
    idea = services.idea_create(actor=employee, organisation=home_org, title="Nattilsyn",
                                need="Mange nattlige tilsynsbesøk")
    for step in PATHS[source]:
        call(step, idea, actor=employee if step == "submit" else coordinator,
             survivor=survivor)
    before = state(idea)
    with pytest.raises(Forbidden):
        call(name, idea, actor=personas[persona], survivor=survivor)
    assert state(idea) == before


@pytest.mark.parametrize("persona", ["coordinator", "manager", "admin", "outsider"])
def test_only_the_author_submits(personas, employee, home_org, persona):
    idea = services.idea_create(actor=employee, organisation=home_org, title="Nattilsyn",
                                need="Mange nattlige tilsynsbesøk")
    before = state(idea)
    with pytest.raises(Forbidden):
        services.idea_submit(actor=personas[persona], idea=idea)
    assert state(idea) == before


def test_resume_does_not_start_the_review_of_a_submitted_idea(employee, coordinator,
                                                              home_org):
    """Each service has one source status: the event then always says what happened."""
    idea = services.idea_create(actor=employee, organisation=home_org, title="Nattilsyn",
                                need="Behov")
    services.idea_submit(actor=employee, idea=idea)
    before = state(idea)
    with pytest.raises(DomainError):
        services.idea_resume(actor=coordinator, idea=idea)
    assert state(idea) == before
