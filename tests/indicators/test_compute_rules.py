"""A hand-computed example for each numbered indicator rule of docs/domain.md (scheme standard-1:
phase points idea 1, concept 2, pilot 4, implementation 8, benefit_realisation 12, spread 16;
adoption 4 from implementation; benefit weights concept .25, pilot .5, implementation .75,
benefit_realisation and spread 1; expected assessments count at .5)."""

from decimal import Decimal

import pytest

from indicators.compute import STANDARD_1, compute
from tests.factories import OrganisationFactory
from tests.indicators.helpers import assess, d, make_initiative, valued_benefit

pytestmark = pytest.mark.django_db

YEAR_2024 = {"period_start": d("2024-01-01"), "period_end": d("2024-12-31")}
YEAR_2025 = {"period_start": d("2025-01-01"), "period_end": d("2025-12-31")}


def run(org, **period):
    return compute(scheme=STANDARD_1, **period).get(org.pk)


@pytest.fixture
def org():
    return OrganisationFactory()


def test_rule1_same_date_changes_the_later_recorded_wins(org):
    make_initiative(org, [("idea", "2024-01-10"), ("concept", "2024-03-01"),
                          ("pilot", "2024-03-01")])
    on_the_day = run(org, period_start=d("2024-01-01"), period_end=d("2024-03-01"))
    assert on_the_day.phase_counts["pilot"] == 1 and on_the_day.phase_counts["concept"] == 0
    assert on_the_day.stock_points == 4
    # Both same-date moves are forward moves inside the period.
    assert on_the_day.forward_transitions == 2
    day_before = run(org, period_start=d("2024-01-01"), period_end=d("2024-02-29"))
    assert day_before.phase_counts["idea"] == 1 and day_before.stock_points == 1


def test_rule1_phase_is_read_as_of_period_end_not_now(org):
    make_initiative(org, [("concept", "2024-05-01"), ("pilot", "2025-02-01")])
    assert run(org, **YEAR_2024).phase_counts["concept"] == 1
    assert run(org, **YEAR_2024).stock_points == 2
    assert run(org, **YEAR_2025).phase_counts["pilot"] == 1


def test_rule1_ideas_count_until_rejected_or_merged_and_drafts_are_nothing(org):
    make_initiative(org, [("idea", "2024-02-01"), ("rejected", "2024-09-01")], project=False)
    make_initiative(org, [("idea", "2024-03-01"), ("merged", "2024-10-01")], project=False)
    make_initiative(org, [], project=False)  # a draft: no phase change at all
    mid = run(org, period_start=d("2024-01-01"), period_end=d("2024-06-30"))
    assert mid.phase_counts["idea"] == 2 and mid.stock_points == 2
    end = run(org, **YEAR_2024)
    assert end is None or (sum(end.phase_counts.values()) == 0 and end.stock_points == 0)


def test_rule2_and_3_counts_and_stock_points_over_all_eight_phases(org):
    make_initiative(org, [("idea", "2024-01-02")], project=False)
    make_initiative(org, [("concept", "2024-01-02")])
    make_initiative(org, [("pilot", "2024-01-02")])
    make_initiative(org, [("implementation", "2024-01-02")])
    make_initiative(org, [("benefit_realisation", "2024-01-02")])
    make_initiative(org, [("spread", "2024-01-02")])
    make_initiative(org, [("concept", "2024-01-02"), ("parked", "2024-02-01")])
    make_initiative(org, [("pilot", "2024-01-02"), ("stopped", "2024-02-01")])
    result = run(org, **YEAR_2024)
    assert result.phase_counts == {"idea": 1, "concept": 1, "pilot": 1, "implementation": 1,
                                   "benefit_realisation": 1, "spread": 1, "parked": 1,
                                   "stopped": 1}
    assert result.stock_points == 1 + 2 + 4 + 8 + 12 + 16


def test_rule4_parked_and_resumed_is_not_forward(org):
    make_initiative(org, [("idea", "2023-12-01"), ("concept", "2024-01-15"),
                          ("parked", "2024-06-01"), ("concept", "2024-09-01")])
    july = run(org, period_start=d("2024-07-01"), period_end=d("2024-09-30"))  # Q3
    assert july.forward_transitions == 0
    assert run(org, period_start=d("2024-04-01"), period_end=d("2024-06-30")).phase_counts[
        "parked"] == 1
    year = run(org, **YEAR_2024)
    assert year.forward_transitions == 1  # idea -> concept only
    assert year.phase_counts["concept"] == 1 and year.stock_points == 2


def test_rule4_back_steps_stops_and_entries_are_not_forward_but_fast_track_skip_is(org):
    make_initiative(org, [("concept", "2024-01-10"), ("pilot", "2024-03-01"),
                          ("concept", "2024-05-01")])  # entry, forward, back
    make_initiative(org, [("concept", "2024-01-10"), ("implementation", "2024-04-01")],
                    track="fast_track")  # entry, forward (skip)
    make_initiative(org, [("pilot", "2024-01-10"), ("stopped", "2024-06-01")])  # entry, stop
    result = run(org, **YEAR_2024)
    assert result.forward_transitions == 2
    assert result.phase_counts["stopped"] == 1
    assert result.stock_points == 2 + 8


def test_rule4_counts_only_changes_dated_inside_the_period(org):
    make_initiative(org, [("idea", "2023-11-01"), ("concept", "2023-12-31"),
                          ("pilot", "2024-01-01"), ("implementation", "2025-01-01")])
    assert run(org, **YEAR_2024).forward_transitions == 1


def test_rule5_adoption_points_only_from_the_minimum_phase(org):
    adopter_org = OrganisationFactory()
    origin = make_initiative(org, [("concept", "2023-01-01"), ("pilot", "2023-06-01"),
                                   ("implementation", "2023-12-01"), ("spread", "2024-02-01")])
    make_initiative(adopter_org, [("pilot", "2024-03-01"), ("implementation", "2025-03-01")],
                    adopted_from=origin)
    make_initiative(adopter_org, [("concept", "2024-03-01"), ("pilot", "2024-05-01"),
                                  ("implementation", "2024-09-01"), ("parked", "2024-11-01")],
                    adopted_from=origin)
    in_2024 = run(org, **YEAR_2024)
    assert in_2024.adoption_points == 0  # one adopter in pilot, the other parked
    assert in_2024.points == 16
    in_2025 = run(org, **YEAR_2025)
    assert in_2025.adoption_points == 4
    assert in_2025.points == 16 + 4
    # The adopter earns its own stock points, not adoption points.
    adopter = run(adopter_org, **YEAR_2025)
    assert adopter.adoption_points == 0 and adopter.stock_points == 8


def test_rule7_expected_before_realised_and_the_period_end_decides(org):
    project = make_initiative(org, [("concept", "2024-01-10"), ("implementation", "2024-06-01")],
                              track="fast_track")
    initiative = project.initiative
    assess(initiative, "user", "expected", 2, "2024-02-01")
    assess(initiative, "economic", "expected", 3, "2024-02-01")
    assess(initiative, "economic", "expected", 1, "2024-02-01")  # same date, recorded later
    assess(initiative, "user", "realised", 3, "2025-02-01")  # after the 2024 period end
    in_2024 = run(org, **YEAR_2024)
    # implementation weight .75; expected .5: user 2*.5*.75, economic 1*.5*.75
    assert in_2024.benefit_by_dimension == pytest.approx(
        {"user": 0.75, "economic": 0.375, "organisational": 0.0})
    assert in_2024.benefit_points == pytest.approx(1.125)
    in_2025 = run(org, **YEAR_2025)
    assert in_2025.benefit_by_dimension["user"] == pytest.approx(3 * 0.75)


def test_rule7_weight_follows_the_phase_on_the_period_end(org):
    project = make_initiative(org, [("concept", "2024-01-10"), ("pilot", "2024-12-31")])
    assess(project.initiative, "organisational", "realised", 2, "2024-03-01")
    assert run(org, **YEAR_2024).benefit_by_dimension["organisational"] == pytest.approx(1.0)
    q1 = run(org, period_start=d("2024-01-01"), period_end=d("2024-03-31"))
    assert q1.benefit_by_dimension["organisational"] == pytest.approx(0.5)  # concept .25


def test_rule8_realised_nok_is_signed_and_may_be_negative(org):
    project = make_initiative(org, [("concept", "2024-01-10"), ("pilot", "2024-03-01")])
    # Decrease is good: 40 -> 35 hours/week is +5; later 45 is -5.
    valued_benefit(project, direction="decrease", baseline="40",
                   measurements=[("2024-09-01", "35"), ("2025-09-01", "45")])
    # Increase is good, without valuation: ignored.
    valued_benefit(project, direction="increase", baseline="10", nok=None, periods=None,
                   measurements=[("2024-09-01", "20")])
    assert run(org, **YEAR_2024).realised_nok_per_year == Decimal("78000")
    assert run(org, **YEAR_2025).realised_nok_per_year == Decimal("-78000")


def test_past_period_is_reproducible_after_later_changes(org):
    project = make_initiative(org, [("concept", "2024-01-10"), ("pilot", "2024-06-01")])
    assess(project.initiative, "user", "expected", 2, "2024-02-01")
    before = run(org, **YEAR_2024)
    make_initiative(org, [("idea", "2025-01-05")], project=False)
    from initiatives.phase_log import phase_change_record
    phase_change_record(initiative=project.initiative, to_phase="implementation",
                        effective_date=d("2025-03-01"), actor=None)
    assess(project.initiative, "user", "realised", 3, "2025-04-01")
    after = run(org, **YEAR_2024)
    assert after == before


def test_organisation_filter_gives_the_same_numbers_as_the_national_run(org):
    other = OrganisationFactory()
    origin = make_initiative(org, [("implementation", "2024-01-10")])
    make_initiative(other, [("implementation", "2024-02-10")], adopted_from=origin)
    national = compute(scheme=STANDARD_1, **YEAR_2024)
    only_org = compute(scheme=STANDARD_1, organisation_ids=[org.pk], **YEAR_2024)
    assert set(only_org) == {org.pk}
    assert only_org[org.pk] == national[org.pk]
    assert national[org.pk].adoption_points == 4


def test_rule7_a_back_dated_assessment_recorded_later_counts_from_its_own_date(org):
    project = make_initiative(org, [("concept", "2024-01-10"), ("implementation", "2024-03-01")],
                              track="fast_track")
    assess(project.initiative, "user", "realised", 3, "2024-10-01")
    assess(project.initiative, "user", "realised", 1, "2024-05-01")  # registered afterwards
    mid = run(org, period_start=d("2024-01-01"), period_end=d("2024-06-30"))
    assert mid.benefit_by_dimension["user"] == pytest.approx(1 * 0.75)
    assert run(org, **YEAR_2024).benefit_by_dimension["user"] == pytest.approx(3 * 0.75)
