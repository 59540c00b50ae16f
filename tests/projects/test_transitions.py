"""The gate decision service against docs/domain.md's phase table, every from/to pair on every
track, with and without rationale; refusals change nothing."""

import datetime
import threading

import pytest
from django.db import connection

from initiatives.models import ORDERED_PHASES, Initiative, Phase, PhaseChange
from initiatives.phase_log import phase_change_record
from portal.errors import ConflictError, DomainError, Forbidden
from projects.models import Project, ProjectEvent
from projects.services import project_transition
from tests.consumers import run_consumers

PROJECT_PHASES = ORDERED_PHASES[1:]
CURRENTS = [*PROJECT_PHASES, *(f"parked:{p}" for p in PROJECT_PHASES), "stopped"]
TARGETS = list(Phase.values)
TRACKS = ["full", "fast_track", "commercial"]


def oracle(current, target, track, parked_from):
    """docs/domain.md's rules written out plainly (independent of projects.phases)."""
    if current == "stopped":
        return None
    if current == "parked":
        return "resume" if target == parked_from else None
    if target == current:
        return None
    if target == "parked":
        return "park"
    if target == "stopped":
        return "stop"
    if target not in PROJECT_PHASES:
        return None  # idea, draft, rejected, merged: not for projects
    step = PROJECT_PHASES.index(target) - PROJECT_PHASES.index(current)
    if step == 1:
        return "forward"
    if step == -1:
        return "back"
    if (current, target, track) == ("concept", "implementation", "fast_track"):
        return "fast_track"
    return None


def make_project(org, current, track):
    initiative = Initiative.objects.create(organisation=org, title="Prosjekt", track=track)
    project = Project.objects.create(initiative=initiative, organisation=org, title="Prosjekt",
                                     need="Behov", track=track)
    parked_from = None
    if current.startswith("parked:"):
        parked_from = current.split(":")[1]
        path = [*PROJECT_PHASES[:PROJECT_PHASES.index(parked_from) + 1], "parked"]
    elif current == "stopped":
        path = ["concept", "stopped"]
    else:
        path = PROJECT_PHASES[:PROJECT_PHASES.index(current) + 1]
    for n, phase in enumerate(path):
        phase_change_record(initiative=initiative, to_phase=phase, actor=None,
                            effective_date=datetime.date(2024, 1, 1 + n))
    return project, parked_from


def snapshot(project):
    return (PhaseChange.objects.filter(initiative=project.initiative).count(),
            ProjectEvent.objects.filter(project=project).count(),
            Initiative.objects.get(pk=project.initiative_id).phase)


@pytest.mark.parametrize("track", TRACKS)
@pytest.mark.parametrize("current", CURRENTS)
def test_transition_table(manager, home_org, current, track):
    for target in TARGETS:
        for with_rationale in (True, False):
            project, parked_from = make_project(home_org, current, track)
            phase_now = "parked" if parked_from else current
            expected = oracle(phase_now, target, track, parked_from)
            needs_text = expected in ("back",) and not with_rationale
            needs_stop_text = expected == "stop" and not with_rationale
            before = snapshot(project)
            kwargs = {}
            if with_rationale:
                kwargs = {"rationale": "Begrunnelse", "stop_reason": "no_effect",
                          "lesson_learned": "Vi lærte mye."}
            case = f"{current} → {target} ({track}, rationale={with_rationale})"
            if expected is None or needs_text or needs_stop_text:
                with pytest.raises(DomainError):
                    project_transition(actor=manager, project=project, to_phase=target,
                                       **kwargs)
                assert snapshot(project) == before, case
            else:
                change = project_transition(actor=manager, project=project, to_phase=target,
                                            **kwargs)
                assert (change.from_phase, change.to_phase) == (phase_now, target), case
                event = ProjectEvent.objects.filter(project=project).latest("id")
                assert (event.kind, event.data["move"]) == ("phase_changed", expected), case
                assert snapshot(project)[2] == target, case


@pytest.mark.parametrize("persona", ["employee", "coordinator", "project_leader", "outsider"])
def test_only_managers_and_admins_decide_gates(personas, home_org, persona):
    project, _ = make_project(home_org, "concept", "full")
    before = snapshot(project)
    with pytest.raises(Forbidden):
        project_transition(actor=personas[persona], project=project, to_phase="pilot")
    assert snapshot(project) == before


def test_admin_decides_too(org_admin, home_org):
    project, _ = make_project(home_org, "concept", "full")
    project_transition(actor=org_admin, project=project, to_phase="pilot")
    assert snapshot(project)[2] == "pilot"


def test_back_dating_is_allowed_but_never_before_the_previous_change(manager, home_org):
    project, _ = make_project(home_org, "pilot", "full")  # pilot since 2024-01-02
    with pytest.raises(DomainError) as info:
        project_transition(actor=manager, project=project, to_phase="implementation",
                           effective_date=datetime.date(2024, 1, 1))
    assert info.value.field == "effective_date"
    with pytest.raises(DomainError):
        project_transition(actor=manager, project=project, to_phase="implementation",
                           effective_date=datetime.date(2999, 1, 1))
    change = project_transition(actor=manager, project=project, to_phase="implementation",
                                effective_date=datetime.date(2024, 1, 2))
    assert change.effective_date == datetime.date(2024, 1, 2)


def test_a_decision_on_a_stale_view_is_a_conflict(manager, org_admin, home_org):
    project, _ = make_project(home_org, "concept", "full")
    project_transition(actor=org_admin, project=project, to_phase="pilot",
                       expected_phase="concept")
    with pytest.raises(ConflictError):
        project_transition(actor=manager, project=project, to_phase="pilot",
                           expected_phase="concept")
    assert PhaseChange.objects.filter(initiative=project.initiative, to_phase="pilot").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_two_people_deciding_the_same_gate_at_once_exactly_one_succeeds():
    from portal.roles import Role
    from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

    org = OrganisationFactory()
    deciders = [MembershipFactory(user=UserFactory(), organisation=org, role=Role.MANAGER).user
                for _ in range(2)]
    project, _ = make_project(org, "concept", "full")
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(user):
        try:
            barrier.wait()
            project_transition(actor=user, project=Project.objects.get(pk=project.pk),
                               to_phase="pilot", expected_phase="concept")
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(u,)) for u in deciders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert PhaseChange.objects.filter(initiative=project.initiative, to_phase="pilot").count() == 1


def test_passing_a_gate_asks_for_a_new_approval_of_the_benefit_plan(manager, home_org):
    from gevinst.models import BenefitPlan

    project, _ = make_project(home_org, "pilot", "full")
    BenefitPlan.objects.create(project=project, status="approved", approved_by=manager)
    project_transition(actor=manager, project=project, to_phase="parked")
    run_consumers()  # gevinst reads the gate decision's event after the commit
    assert BenefitPlan.objects.get(project=project).status == "approved"  # no phase ended
    project_transition(actor=manager, project=project, to_phase="pilot")  # resume
    project_transition(actor=manager, project=project, to_phase="implementation",
                       rationale="Sjekklisten gjennomgått i styringsgruppen")
    run_consumers()
    assert BenefitPlan.objects.get(project=project).status == "needs_reapproval"
