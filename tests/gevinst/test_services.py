"""Benefit, measurement, assessment, plan and map services: rules, refusals that write
nothing, events, concurrency."""

import datetime
from decimal import Decimal as D

import pytest

from gevinst import services
from gevinst.models import (
    Benefit,
    BenefitEvent,
    BenefitMapEdge,
    BenefitMapNode,
    BenefitPlan,
    Measurement,
)
from initiatives.models import BenefitAssessment, IndicatorDirty
from portal.errors import ConflictError, DomainError, Forbidden
from portal.roles import Role
from tests.factories import MembershipFactory, UserFactory
from tests.gevinst.conftest import benefit_fields, make_project
from tests.worlds import shared_personas


def _world(people: dict) -> dict:
    """The project led by the project leader, in implementation: built once for the module,
    each test starting from it (tests/worlds.py)."""
    return {"project": make_project(people["home_org"], leader=people["project_leader"])}


globals().update(shared_personas(build=_world, items=("project",)))


def _snapshot():
    return (Benefit.objects.count(), Measurement.objects.count(),
            BenefitAssessment.objects.count(), BenefitEvent.objects.count(),
            BenefitPlan.objects.filter(status="approved").count(),
            BenefitMapNode.objects.count(), BenefitMapEdge.objects.count())


def test_create_with_owner_who_is_a_manager(project, project_leader, manager):
    benefit = services.benefit_create(actor=project_leader, project=project,
                                      **benefit_fields(owner=manager))
    assert benefit.owner == manager and benefit.baseline_value == D("40.00")
    event = BenefitEvent.objects.get()
    assert (event.kind, event.benefit, event.actor) == ("benefit_created", benefit,
                                                         project_leader)


@pytest.mark.parametrize("who", ["employee", "coordinator", "project_leader", "outsider"])
def test_owner_must_be_a_manager_of_the_projects_organisation(project, manager, who, request):
    owner = request.getfixturevalue(who)
    before = _snapshot()
    with pytest.raises(DomainError) as error:
        services.benefit_create(actor=manager, project=project, **benefit_fields(owner=owner))
    assert "owner" in error.value.errors
    assert _snapshot() == before


def test_manager_of_another_organisation_cannot_own(project, manager, other_org):
    other_manager = MembershipFactory(user=UserFactory(username="m2"), organisation=other_org,
                                      role=Role.MANAGER).user
    with pytest.raises(DomainError) as error:
        services.benefit_create(actor=manager, project=project,
                                **benefit_fields(owner=other_manager))
    assert "Hjemby kommune" in error.value.errors["owner"][0]
    assert not Benefit.objects.exists()


def test_admin_may_own(project, manager, org_admin):
    benefit = services.benefit_create(actor=manager, project=project,
                                      **benefit_fields(owner=org_admin))
    assert benefit.owner == org_admin


@pytest.mark.parametrize("field,value", [
    ("baseline_value", "førti"), ("target_value", "1e999"), ("nok_per_unit", "abc"),
    ("unit", "furlongs/fortnight"), ("type", "happiness"), ("direction", "sideways"),
    ("dimension", "spiritual"), ("status", "done"), ("baseline_on", "2024-13-01"),
    ("title", "  "), ("target_on", datetime.date(2023, 1, 1)), ("periods_per_year", "0"),
])
def test_bad_benefit_input_is_a_field_error_and_writes_nothing(project, manager, field, value):
    before = _snapshot()
    with pytest.raises(DomainError) as error:
        services.benefit_create(actor=manager, project=project, **benefit_fields(**{field: value}))
    assert field in error.value.errors
    assert _snapshot() == before


def test_nok_and_periods_go_together(project, manager):
    with pytest.raises(DomainError) as error:
        services.benefit_create(actor=manager, project=project,
                                **benefit_fields(periods_per_year=None))
    assert "periods_per_year" in error.value.errors


@pytest.mark.parametrize("who", ["employee", "coordinator", "outsider"])
def test_only_editors_create(project, who, request):
    with pytest.raises(Forbidden):
        services.benefit_create(actor=request.getfixturevalue(who), project=project,
                                **benefit_fields())
    assert not Benefit.objects.exists() and not BenefitEvent.objects.exists()


def test_project_leader_of_another_project_may_not_edit(home_org, manager, project_leader):
    other = make_project(home_org, leader=manager, title="Annet")
    with pytest.raises(Forbidden):
        services.benefit_create(actor=project_leader, project=other, **benefit_fields())


def test_update_bumps_version_and_stale_version_conflicts(project, manager, project_leader):
    benefit = services.benefit_create(actor=manager, project=project, **benefit_fields())
    updated = services.benefit_update(actor=project_leader, benefit=benefit, expected_version=1,
                                      target_value="20", owner=manager)
    assert (updated.version, updated.target_value, updated.owner) == (2, D("20.00"), manager)
    assert BenefitEvent.objects.filter(kind="benefit_updated").get().data["fields"] == [
        "owner", "target_value"]
    with pytest.raises(ConflictError):
        services.benefit_update(actor=manager, benefit=benefit, expected_version=1,
                                target_value="10")
    benefit.refresh_from_db()
    assert (benefit.version, benefit.target_value) == (2, D("20.00"))
    assert BenefitEvent.objects.filter(kind="benefit_updated").count() == 1


def test_update_keeps_an_imported_unit(project, manager):
    benefit = Benefit.objects.create(project=project, title="Importert", type="quality",
                                     dimension="user", unit="andel som sover godt (%)",
                                     direction="increase", baseline_value=55,
                                     baseline_on=datetime.date(2024, 1, 1), target_value=80,
                                     target_on=datetime.date(2025, 1, 1))
    services.benefit_update(actor=manager, benefit=benefit, expected_version=1,
                            unit="andel som sover godt (%)", title="Bedre søvn")
    with pytest.raises(DomainError):
        services.benefit_update(actor=manager, benefit=benefit, expected_version=2,
                                unit="andel (%) annen")


def test_measurement_goes_through_history_and_marks_indicators(project, manager):
    benefit = services.benefit_create(actor=manager, project=project, **benefit_fields())
    IndicatorDirty.objects.all().delete()
    first = services.measurement_create(actor=manager, benefit=benefit,
                                        measured_on=datetime.date(2024, 9, 1), value="31",
                                        evidence="Turnuslister")
    services.measurement_create(actor=manager, benefit=benefit,
                                measured_on=datetime.date(2024, 6, 1), value="36,5")
    first.refresh_from_db()
    assert first.valid_until is None  # the later-dated one is the latest
    assert Measurement.objects.get(value=D("36.5")).valid_until == datetime.date(2024, 9, 1)
    assert IndicatorDirty.objects.exists()
    assert BenefitEvent.objects.filter(kind="measurement_added").count() == 2


@pytest.mark.parametrize("field,kwargs", [
    ("value", {"value": "mye", "measured_on": datetime.date(2024, 6, 1)}),
    ("value", {"value": "", "measured_on": datetime.date(2024, 6, 1)}),
    ("measured_on", {"value": "30", "measured_on": datetime.date(2024, 1, 14)}),
    ("measured_on", {"value": "30", "measured_on": "i fjor"}),
    ("measured_on", {"value": "30", "measured_on": datetime.date(2999, 1, 1)}),
])
def test_bad_measurement_is_refused_and_writes_nothing(project, manager, field, kwargs):
    benefit = services.benefit_create(actor=manager, project=project, **benefit_fields())
    before = _snapshot()
    with pytest.raises(DomainError) as error:
        services.measurement_create(actor=manager, benefit=benefit, **kwargs)
    assert field in error.value.errors
    assert _snapshot() == before


@pytest.mark.parametrize("phase,allowed", [("concept", False), ("pilot", False),
                                           ("implementation", True),
                                           ("benefit_realisation", True), ("spread", True)])
def test_realised_assessment_only_from_implementation(home_org, manager, phase, allowed):
    project = make_project(home_org, phase)
    before = _snapshot()
    kwargs = dict(actor=manager, project=project, dimension="user", kind="realised", score=2,
                  assessed_on=datetime.date(2025, 6, 1), motivation="Målt")
    if allowed:
        assessment = services.assessment_create(**kwargs)
        assert assessment.kind == "realised" and assessment.assessor == manager
    else:
        with pytest.raises(DomainError) as error:
            services.assessment_create(**kwargs)
        assert "kind" in error.value.errors
        assert _snapshot() == before


def test_expected_assessment_any_time_and_realised_not_before_implementation(home_org,
                                                                             manager):
    project = make_project(home_org, "implementation")  # implementation from 2024-05-01
    services.assessment_create(actor=manager, project=project, dimension="economic",
                               kind="expected", score=3, assessed_on="2024-02-01")
    with pytest.raises(DomainError) as error:
        services.assessment_create(actor=manager, project=project, dimension="economic",
                                   kind="realised", score=3, assessed_on="2024-04-30")
    assert "assessed_on" in error.value.errors
    assert BenefitAssessment.objects.count() == 1


@pytest.mark.parametrize("field,kwargs", [
    ("score", {"score": 4}), ("score", {"score": "tre"}), ("dimension", {"dimension": "x"}),
    ("kind", {"kind": "guessed"}), ("assessed_on", {"assessed_on": "31.02.2025"}),
])
def test_bad_assessment_input(project, manager, field, kwargs):
    data = dict(dimension="user", kind="expected", score=2, assessed_on="2025-01-01")
    data.update(kwargs)
    with pytest.raises(DomainError) as error:
        services.assessment_create(actor=manager, project=project, **data)
    assert field in error.value.errors
    assert not BenefitAssessment.objects.exists()


def _approvable(project, manager):
    services.benefit_create(actor=manager, project=project, **benefit_fields(owner=manager))
    services.benefit_plan_save(actor=manager, project=project, interval_months=3,
                               first_due_on="2025-01-01", notes="Kvartalsvis")


def test_plan_approval_by_manager_and_reapproval_at_phase_end(project, manager,
                                                              project_leader):
    _approvable(project, manager)
    with pytest.raises(Forbidden):
        services.benefit_plan_approve(actor=project_leader, project=project)
    assert BenefitPlan.objects.get().status == "draft"
    plan = services.benefit_plan_approve(actor=manager, project=project)
    assert (plan.status, plan.approved_by) == ("approved", manager)
    with pytest.raises(ConflictError):
        services.benefit_plan_approve(actor=manager, project=project)
    plan = services.benefit_plan_reapproval_required(project, phase="implementation")
    assert plan.status == "needs_reapproval"
    plan = services.benefit_plan_approve(actor=manager, project=project,
                                         expected_version=plan.version)
    assert plan.status == "approved"
    kinds = list(BenefitEvent.objects.filter(kind__startswith="plan_").order_by("id")
                 .values_list("kind", flat=True))
    assert kinds == ["plan_updated", "plan_approved", "plan_reapproval_required",
                     "plan_approved"]


def test_reapproval_leaves_a_draft_alone(project, manager):
    services.benefit_plan_for(project)
    assert services.benefit_plan_reapproval_required(project).status == "draft"
    assert not BenefitEvent.objects.exists()


def test_approval_requires_owners_and_schedule(project, manager):
    with pytest.raises(DomainError, match="minst én gevinst"):
        services.benefit_plan_approve(actor=manager, project=project)
    benefit = services.benefit_create(actor=manager, project=project, **benefit_fields())
    with pytest.raises(DomainError, match="gevinsteier"):
        services.benefit_plan_approve(actor=manager, project=project)
    services.benefit_update(actor=manager, benefit=benefit, expected_version=1, owner=manager)
    with pytest.raises(DomainError) as error:
        services.benefit_plan_approve(actor=manager, project=project)
    assert error.value.code == "schedule_missing"
    assert not BenefitPlan.objects.filter(status="approved").exists()


def test_changing_an_approved_plan_needs_new_approval(project, manager):
    _approvable(project, manager)
    services.benefit_plan_approve(actor=manager, project=project)
    plan = services.benefit_plan_save(actor=manager, project=project, interval_months=6,
                                      first_due_on="2025-01-01", notes="Halvårlig")
    assert plan.status == "needs_reapproval"


def test_plan_schedule_input(project, manager):
    for kwargs, field in [({"interval_months": 0, "first_due_on": "2025-01-01"},
                           "interval_months"),
                          ({"interval_months": "tre", "first_due_on": "2025-01-01"},
                           "interval_months"),
                          ({"interval_months": 3, "first_due_on": None}, "first_due_on")]:
        with pytest.raises(DomainError) as error:
            services.benefit_plan_save(actor=manager, project=project, **kwargs)
        assert field in error.value.errors
    assert not BenefitEvent.objects.exists()


def test_plan_stale_version(project, manager):
    plan = services.benefit_plan_for(project)
    services.benefit_plan_save(actor=manager, project=project, interval_months=3,
                               first_due_on="2025-01-01", expected_version=plan.version)
    with pytest.raises(ConflictError):
        services.benefit_plan_save(actor=manager, project=project, interval_months=6,
                                   first_due_on="2025-01-01", expected_version=plan.version)
    assert BenefitPlan.objects.get().interval_months == 3


def test_benefit_map_nodes_and_edges(project, home_org, manager):
    action = services.map_node_add(actor=manager, project=project, kind="action",
                                   label="Sensorer")
    effect = services.map_node_add(actor=manager, project=project, kind="effect",
                                   label="Færre tilsyn")
    edge = services.map_edge_add(actor=manager, project=project, source=action, target=effect)
    with pytest.raises(DomainError, match="finnes allerede"):
        services.map_edge_add(actor=manager, project=project, source=action, target=effect)
    with pytest.raises(DomainError, match="seg selv"):
        services.map_edge_add(actor=manager, project=project, source=action, target=action)
    other = make_project(home_org, title="Annet")
    foreign = services.map_node_add(actor=manager, project=other, kind="goal", label="Mål")
    with pytest.raises(DomainError):
        services.map_edge_add(actor=manager, project=project, source=action, target=foreign)
    with pytest.raises(DomainError) as error:
        services.map_node_add(actor=manager, project=project, kind="wish", label="x")
    assert "kind" in error.value.errors
    assert list(BenefitMapEdge.objects.values_list("pk", flat=True)) == [edge.pk]
    services.map_node_remove(actor=manager, node=action)
    assert not BenefitMapEdge.objects.exists()
    assert BenefitEvent.objects.filter(kind="map_node_removed").count() == 1


def test_a_new_valuation_reprices_the_measurements_for_the_indicators(project, manager):
    benefit = services.benefit_create(actor=manager, project=project, **benefit_fields(
        owner=manager, direction="decrease", nok_per_unit="300", periods_per_year="52"))
    measurement = services.measurement_create(actor=manager, benefit=benefit,
                                              measured_on=benefit.baseline_on, value="35")
    measurement.refresh_from_db()
    assert measurement.nok_per_year == D(5 * 300 * 52)  # 40 -> 35 hours, improvement
    IndicatorDirty.objects.all().delete()
    services.benefit_update(actor=manager, benefit=benefit, expected_version=1,
                            nok_per_unit="400")
    measurement.refresh_from_db()
    assert measurement.nok_per_year == D(5 * 400 * 52)
    assert IndicatorDirty.objects.filter(organisation=project.organisation).exists()


@pytest.mark.parametrize("source_kind, target_kind", [
    ("goal", "action"), ("benefit", "effect"), ("effect", "precondition"), ("goal", "benefit")])
def test_the_benefit_map_refuses_arrows_that_go_backwards(project, manager, source_kind,
                                                           target_kind):
    # Issue 16: a goal → action arrow was accepted and drawn as a misleading double arrow.
    source = services.map_node_add(actor=manager, project=project, kind=source_kind, label="A")
    target = services.map_node_add(actor=manager, project=project, kind=target_kind, label="B")
    with pytest.raises(DomainError) as refused:
        services.map_edge_add(actor=manager, project=project, source=source, target=target)
    assert refused.value.field == "target" and refused.value.code == "backwards"
    assert not BenefitMapEdge.objects.exists()
    assert not BenefitEvent.objects.filter(kind="map_edge_added").exists()
    services.map_edge_add(actor=manager, project=project, source=target, target=source)
    assert BenefitMapEdge.objects.count() == 1  # the same arrow forwards is fine
