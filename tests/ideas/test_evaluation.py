"""Criteria, reviewer assignments, scores and the queues."""

import pytest

from ideas import selectors, services
from ideas.models import EvaluationCriterion, IdeaEvent, ReviewerAssignment, Score
from portal.errors import ConflictError, DomainError, Forbidden
from tests.ideas.factories import make_idea


@pytest.fixture
def idea(employee, coordinator, home_org):
    return make_idea(employee, home_org, status="in_review", coordinator=coordinator)


def test_default_criteria_are_created_once(home_org):
    first = services.criteria_ensure_defaults(home_org)
    again = services.criteria_ensure_defaults(home_org)
    assert [c.name for c in first] == ["Nytte", "Gjennomførbarhet", "Ressursbehov"]
    assert [c.pk for c in again] == [c.pk for c in first]
    assert {(c.scale_min, c.scale_max) for c in first} == {(1, 5)}


def test_coordinator_assigns_reviewer_who_scores(idea, coordinator, manager, home_org):
    services.reviewer_assign(actor=coordinator, idea=idea, reviewer=manager)
    assert list(selectors.not_scored_by(user=manager)) == [idea]
    nytte, gjennomf, _r = services.criteria_ensure_defaults(home_org)
    services.score_set(actor=manager, idea=idea, criterion=nytte, value=4)
    services.score_set(actor=manager, idea=idea, criterion=nytte, value=5)  # changes it
    assert Score.objects.get(idea=idea, reviewer=manager).value == 5
    assert list(selectors.assigned_to(user=manager)) == [idea]
    assert list(selectors.not_scored_by(user=manager)) == []
    kinds = list(idea.events.order_by("id").values_list("kind", flat=True))
    assert kinds[-3:] == ["reviewer_assigned", "scored", "scored"]


def test_only_coordinators_assign(idea, manager, employee):
    with pytest.raises(Forbidden):
        services.reviewer_assign(actor=manager, idea=idea, reviewer=employee)
    assert not ReviewerAssignment.objects.exists()


def test_assigning_twice_or_an_outsider_is_refused(idea, coordinator, manager, outsider):
    services.reviewer_assign(actor=coordinator, idea=idea, reviewer=manager)
    events = IdeaEvent.objects.count()
    with pytest.raises(ConflictError):
        services.reviewer_assign(actor=coordinator, idea=idea, reviewer=manager)
    with pytest.raises(DomainError):
        services.reviewer_assign(actor=coordinator, idea=idea, reviewer=outsider)
    assert ReviewerAssignment.objects.count() == 1 and IdeaEvent.objects.count() == events


def test_unassigned_member_cannot_score(idea, manager, home_org):
    criterion = services.criteria_ensure_defaults(home_org)[0]
    with pytest.raises(Forbidden):
        services.score_set(actor=manager, idea=idea, criterion=criterion, value=3)
    assert not Score.objects.exists()


@pytest.mark.parametrize("value", [0, 6])
def test_score_outside_the_scale_is_refused(idea, coordinator, home_org, value):
    criterion = services.criteria_ensure_defaults(home_org)[0]
    with pytest.raises(DomainError) as info:
        services.score_set(actor=coordinator, idea=idea, criterion=criterion, value=value)
    assert info.value.field == "value" and not Score.objects.exists()


def test_criterion_of_another_organisation_is_refused(idea, coordinator, other_org):
    theirs = services.criteria_ensure_defaults(other_org)[0]
    with pytest.raises(DomainError):
        services.score_set(actor=coordinator, idea=idea, criterion=theirs, value=3)
    assert not Score.objects.exists()


def test_closed_ideas_cannot_be_scored(idea, coordinator, home_org):
    services.idea_park(actor=coordinator, idea=idea)
    criterion = services.criteria_ensure_defaults(home_org)[0]
    with pytest.raises(DomainError):
        services.score_set(actor=coordinator, idea=idea, criterion=criterion, value=3)
    assert not Score.objects.exists()


def test_summary_shows_average_range_and_spread(idea, coordinator, manager, org_admin,
                                                home_org):
    for reviewer in (manager, org_admin):
        services.reviewer_assign(actor=coordinator, idea=idea, reviewer=reviewer)
    criteria = services.criteria_ensure_defaults(home_org)
    services.scores_set(actor=manager, idea=idea, values={criteria[0].pk: 2})
    services.scores_set(actor=org_admin, idea=idea, values={criteria[0].pk: 4})
    services.scores_set(actor=coordinator, idea=idea, values={criteria[0].pk: 3})
    nytte, other, _ = selectors.score_summary(idea, criteria)
    assert (nytte.count, nytte.average, nytte.minimum, nytte.maximum) == (3, 3.0, 2, 4)
    assert nytte.stdev == pytest.approx(0.82, abs=0.01)
    assert other.count == 0 and other.average is None


def test_scores_set_is_all_or_nothing(idea, coordinator, home_org):
    criteria = services.criteria_ensure_defaults(home_org)
    with pytest.raises(DomainError):
        services.scores_set(actor=coordinator, idea=idea,
                            values={criteria[0].pk: 3, criteria[1].pk: 9})
    assert not Score.objects.exists()


def test_custom_criterion(coordinator, employee, home_org):
    criterion = services.criterion_create(actor=coordinator, organisation=home_org,
                                          name="Strategisk forankring")
    names = [c.name for c in EvaluationCriterion.objects.filter(organisation=home_org)]
    assert names == ["Nytte", "Gjennomførbarhet", "Ressursbehov", "Strategisk forankring"]
    assert criterion.position == 3
    with pytest.raises(Forbidden):
        services.criterion_create(actor=employee, organisation=home_org, name="X")
