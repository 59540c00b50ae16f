import pytest

from indicators.compute import STANDARD_1, compute
from indicators.explain import explain
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
