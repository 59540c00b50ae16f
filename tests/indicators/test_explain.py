from dataclasses import replace

import pytest

from indicators.compute import (
    ADOPTION,
    DIMENSIONS,
    FORWARD,
    NOK,
    STANDARD_1,
    STOCK,
    OrganisationIndicators,
    compute,
)
from indicators.explain import explain, explained_totals
from projects.models import Project
from tests.factories import OrganisationFactory
from tests.indicators.helpers import assess, d, make_initiative, valued_benefit

pytestmark = pytest.mark.django_db
PERIOD = {"period_start": d("2024-01-01"), "period_end": d("2024-12-31")}


def test_breakdown_adds_up_to_the_computed_indicators():
    org, other = OrganisationFactory(), OrganisationFactory()
    a = make_initiative(org, [("idea", "2023-11-01"), ("concept", "2024-01-10"),
                              ("implementation", "2024-06-01")], track="fast_track", title="A")
    make_initiative(org, [("idea", "2024-02-01"), ("rejected", "2024-03-01")], project=False)
    make_initiative(org, [("pilot", "2024-02-01"), ("parked", "2024-05-01")], title="C")
    make_initiative(other, [("implementation", "2024-08-01")], adopted_from=a, title="Adopt")
    assess(a.initiative, "user", "expected", 2, "2024-01-10")
    assess(a.initiative, "user", "realised", 3, "2024-09-01")
    assess(a.initiative, "economic", "expected", 3, "2024-01-10")
    valued_benefit(a, direction="increase", baseline="10", measurements=[("2024-10-01", "12")],
                   nok=100, periods=12)
    computed = compute(scheme=STANDARD_1, **PERIOD)[org.pk]
    breakdown = explain(org, scheme=STANDARD_1, **PERIOD)
    assert sorted(line.title for line in breakdown.initiatives) == ["A", "C"]
    assert sum(line.points for line in breakdown.initiatives) == computed.stock_points
    assert sum(line.forward_transitions for line in breakdown.initiatives) == (
        computed.forward_transitions)
    assert sum(a.points for a in breakdown.adoptions) == computed.adoption_points == 4
    for dim in ("user", "economic", "organisational"):
        assert sum(line.benefit_by_dimension[dim] for line in breakdown.initiatives) == (
            pytest.approx(computed.benefit_by_dimension[dim]))
    assert sum(b.nok_per_year for b in breakdown.benefits) == computed.realised_nok_per_year
    assert computed.realised_nok_per_year == 2400


# --- The explanation is the computation: every rule, a set of scenarios ---------------------

def _rule1_same_date(org, other):
    make_initiative(org, [("idea", "2024-01-10"), ("concept", "2024-03-01"),
                          ("pilot", "2024-03-01")], title="Samme dag")


def _rule1_ideas_rejected_merged_and_drafts(org, other):
    make_initiative(org, [("idea", "2024-02-01"), ("rejected", "2024-09-01")], project=False)
    make_initiative(org, [("idea", "2024-03-01"), ("merged", "2024-10-01")], project=False)
    make_initiative(org, [("idea", "2024-03-01")], project=False, title="Åpen idé")
    make_initiative(org, [], project=False)


def _rule2_3_all_eight_phases(org, other):
    for n, phases in enumerate([["idea"], ["concept"], ["pilot"], ["implementation"],
                                ["benefit_realisation"], ["spread"], ["pilot", "parked"],
                                ["concept", "stopped"]]):
        make_initiative(org, [(p, f"2024-0{k + 1}-02") for k, p in enumerate(phases)],
                        title=f"Fase {n}", project=phases[0] != "idea")


def _rule4_forward_back_parked_and_outside(org, other):
    make_initiative(org, [("concept", "2024-01-05"), ("pilot", "2024-02-01"),
                          ("concept", "2024-03-01"), ("pilot", "2024-04-01"),
                          ("parked", "2024-05-01"), ("pilot", "2024-06-01")], title="Fram")
    make_initiative(org, [("concept", "2024-01-05"), ("implementation", "2024-02-01")],
                    track="fast_track", title="Hurtig")
    make_initiative(org, [("concept", "2023-01-05"), ("pilot", "2023-06-01"),
                          ("implementation", "2025-01-01")], title="Utenfor")
    make_initiative(org, [("concept", "2024-01-05"), ("pilot", "2024-03-01"),
                          ("stopped", "2024-06-01")], title="Stoppet")


def _rule5_adoptions(org, other):
    origin = make_initiative(org, [("concept", "2023-01-01"), ("implementation", "2023-12-01")],
                             title="Opphav")
    make_initiative(other, [("pilot", "2024-03-01")], adopted_from=origin, title="I pilot")
    make_initiative(other, [("implementation", "2024-03-01")], adopted_from=origin,
                    title="Implementert")
    make_initiative(other, [("implementation", "2024-03-01"), ("spread", "2024-09-01")],
                    adopted_from=origin, title="Spredt")
    make_initiative(other, [("implementation", "2024-03-01"), ("parked", "2024-09-01")],
                    adopted_from=origin, title="Parkert")


def _rule7_assessments(org, other):
    a = make_initiative(org, [("concept", "2024-01-10"), ("implementation", "2024-06-01")],
                        title="Vurdert")
    assess(a.initiative, "user", "expected", 2, "2024-01-10")
    assess(a.initiative, "user", "realised", 3, "2024-09-01")
    assess(a.initiative, "user", "realised", 1, "2025-02-01")
    assess(a.initiative, "economic", "expected", 3, "2024-01-10")
    assess(a.initiative, "organisational", "realised", 2, "2024-12-31")
    b = make_initiative(org, [("pilot", "2024-02-01"), ("parked", "2024-10-01")], title="P")
    assess(b.initiative, "economic", "expected", 1, "2024-02-01")


def _rule8_valued_benefits(org, other):
    a = make_initiative(org, [("implementation", "2024-01-10")], title="Gevinster")
    valued_benefit(a, direction="increase", baseline="10",
                   measurements=[("2024-03-01", "12"), ("2024-10-01", "15"),
                                 ("2025-02-01", "30")], nok=100, periods=12)
    valued_benefit(a, direction="decrease", baseline="10",
                   measurements=[("2024-06-01", "14")], nok=300, periods=52)  # negative
    valued_benefit(a, direction="increase", baseline="1", measurements=[("2024-06-01", "5")],
                   nok=None, periods=None)  # no valuation: nothing
    valued_benefit(a, direction="increase", baseline="1", measurements=[("2025-06-01", "5")])


SCENARIOS = [_rule1_same_date, _rule1_ideas_rejected_merged_and_drafts,
             _rule2_3_all_eight_phases, _rule4_forward_back_parked_and_outside,
             _rule5_adoptions, _rule7_assessments, _rule8_valued_benefits]
PERIODS = [PERIOD, {"period_start": d("2024-01-01"), "period_end": d("2024-03-01")},
           {"period_start": d("2025-01-01"), "period_end": d("2025-12-31")}]


def assert_explained_equals_computed(org, period, *, named_projects=None):
    computed = compute(scheme=STANDARD_1, **period).get(org.pk) or OrganisationIndicators()
    breakdown = explain(org, scheme=STANDARD_1, named_projects=named_projects, **period)
    totals = explained_totals(breakdown)
    assert totals.phase_counts == computed.phase_counts
    assert totals.stock_points == computed.stock_points
    assert totals.forward_transitions == computed.forward_transitions
    assert totals.adoption_points == computed.adoption_points
    assert totals.points == computed.points
    for dimension in DIMENSIONS:
        assert totals.benefit_by_dimension[dimension] == pytest.approx(
            computed.benefit_by_dimension[dimension])
    assert totals.realised_nok_per_year == computed.realised_nok_per_year
    return computed, breakdown


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__.strip("_"))
def test_every_rule_explained_totals_equal_the_computed_numbers(scenario):
    org, other = OrganisationFactory(), OrganisationFactory()
    scenario(org, other)
    seen_nonzero = False
    for period in PERIODS:
        for organisation in (org, other):
            computed, _breakdown = assert_explained_equals_computed(organisation, period)
            seen_nonzero |= bool(computed.points or computed.forward_transitions
                                 or computed.benefit_points or computed.realised_nok_per_year)
        # An outside reader sees the same numbers with the titles hidden.
        assert_explained_equals_computed(org, period, named_projects=set())
    assert seen_nonzero, "the scenario must exercise its rule"


def test_all_scenarios_together_explained_totals_equal_the_computed_numbers():
    org, other = OrganisationFactory(), OrganisationFactory()
    for scenario in SCENARIOS:
        scenario(org, other)
    computed, breakdown = assert_explained_equals_computed(org, PERIOD)
    assert computed.forward_transitions and computed.adoption_points
    assert computed.realised_nok_per_year and breakdown.benefits


def test_a_change_to_a_rule_moves_the_number_and_its_explanation_together(monkeypatch):
    """One code path: doubling rule 3's points in its one place changes the computed number
    and the explanation alike."""
    import indicators.compute as engine

    org, other = OrganisationFactory(), OrganisationFactory()
    _rule2_3_all_eight_phases(org, other)
    before, _ = assert_explained_equals_computed(org, PERIOD)
    original = engine.stock_contribution

    def doubled(*args, **kwargs):
        found = original(*args, **kwargs)
        return replace(found, points=found.points * 2)

    monkeypatch.setattr(engine, "stock_contribution", doubled)
    after, _ = assert_explained_equals_computed(org, PERIOD)
    assert after.stock_points == 2 * before.stock_points > 0


@pytest.mark.parametrize("rule", [STOCK, FORWARD, ADOPTION, NOK])
def test_an_explanation_that_drifts_from_the_computation_is_caught(monkeypatch, rule):
    """The check above is not vacuous: an explanation that drops or alters one rule's
    contribution no longer adds up to the computed numbers."""
    import indicators.explain as explanation

    org, other = OrganisationFactory(), OrganisationFactory()
    for scenario in SCENARIOS:
        scenario(org, other)
    original = explanation.contributions

    def drifted(**kwargs):
        found = original(**kwargs)
        first = next(i for i, c in enumerate(found)
                     if c.rule == rule and c.organisation_id == org.pk and (c.count or c.points
                                                                            or c.nok_per_year))
        found[first] = replace(found[first], count=found[first].count + 1,
                               points=found[first].points + 1,
                               nok_per_year=found[first].nok_per_year + 1)
        return found

    monkeypatch.setattr(explanation, "contributions", drifted)
    with pytest.raises(AssertionError):
        assert_explained_equals_computed(org, PERIOD)


def test_an_initiative_counted_under_another_organisation_is_still_named():
    """The breakdown reads the organisation's own initiatives from one index range; an
    initiative whose phase log names the organisation although it belongs to another (the
    log copies the organisation when written) is still listed, with its title, by id."""
    from initiatives.models import PhaseChange
    from initiatives.timeline import timeline_rebuild

    org, other = OrganisationFactory(), OrganisationFactory()
    own = make_initiative(org, [("pilot", "2024-02-01")], title="Egen")
    moved = make_initiative(other, [("concept", "2024-02-01")], title="Flyttet")
    PhaseChange.objects.filter(initiative=moved.initiative).update(organisation=org)
    timeline_rebuild(initiative_ids=[moved.initiative.pk])
    _computed, breakdown = assert_explained_equals_computed(org, PERIOD)
    assert [(line.title, line.project_id) for line in breakdown.initiatives] == [
        ("Egen", own.pk), ("Flyttet", moved.pk)]


def test_each_line_links_its_own_project_wherever_the_project_is_kept():
    """The breakdown finds an initiative's project among its organisation's projects (one
    index range) and otherwise by the initiative: a project kept under another organisation
    is still the line's, an initiative without one has none, and an adoption names the
    adopter's project."""
    org, other = OrganisationFactory(), OrganisationFactory()
    own = make_initiative(org, [("pilot", "2024-02-01")], title="Eget prosjekt")
    elsewhere = make_initiative(org, [("concept", "2024-02-01")], title="Prosjekt hos andre")
    Project.objects.filter(pk=elsewhere.pk).update(organisation=other)
    make_initiative(org, [("idea", "2024-02-01")], project=False, title="Idé")
    adopter = make_initiative(other, [("implementation", "2024-03-01")], adopted_from=own,
                              title="Adoptert")
    _computed, breakdown = assert_explained_equals_computed(org, PERIOD)
    assert [(line.title, line.project_id) for line in breakdown.initiatives] == [
        ("Eget prosjekt", own.pk), ("Idé", None), ("Prosjekt hos andre", elsewhere.pk)]
    assert [(a.title, a.project_id) for a in breakdown.adoptions] == [("Adoptert", adopter.pk)]
