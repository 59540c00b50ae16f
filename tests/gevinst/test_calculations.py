"""The benefit arithmetic: signed change, progress, NOK annualisation, KS/NVP helpers, payback."""

from decimal import Decimal as D

import pytest

from gevinst import calculations as calc


@pytest.mark.parametrize("direction,baseline,latest,expected", [
    ("increase", "55", "77", D("22")),     # more is better and it went up: improvement
    ("increase", "55", "50", D("-5")),     # more is better and it went down: negative result
    ("decrease", "40", "26", D("14")),     # less is better and it went down: improvement
    ("decrease", "2100", "2180", D("-80")),  # less is better and it went up: negative result
    ("decrease", "40", "40", D("0")),
])
def test_realised_change_is_signed_so_improvement_is_positive(direction, baseline, latest,
                                                              expected):
    result = calc.realised_change(direction=direction, baseline=D(baseline), latest=D(latest),
                                  unit="timer/uke")
    assert result.value == expected
    assert result.negative == (expected < 0)
    assert "nullpunkt" in result.formula and "timer/uke" in result.formula


def test_no_measurement_gives_no_change():
    result = calc.realised_change(direction="increase", baseline=D(1), latest=None)
    assert result.value is None and result.formula


@pytest.mark.parametrize("direction,baseline,target,latest,expected", [
    ("decrease", "40", "25", "26", D("93.3")),
    ("decrease", "40", "25", "44", D("-26.7")),   # worse than the baseline: negative progress
    ("increase", "55", "80", "77", D("88.0")),
    ("increase", "55", "80", "90", D("140.0")),   # beyond the target
    ("increase", "55", "80", "40", D("-60.0")),
])
def test_progress_is_realised_over_planned_change(direction, baseline, target, latest, expected):
    result = calc.progress(direction=direction, baseline=D(baseline), target=D(target),
                           latest=D(latest))
    assert result.value == expected
    assert "planlagt endring" in result.formula


@pytest.mark.parametrize("direction", ["increase", "decrease"])
def test_progress_with_target_equal_to_baseline_is_undefined_and_explained(direction):
    result = calc.progress(direction=direction, baseline=D(10), target=D(10), latest=D(12))
    assert result.value is None
    assert "lik nullpunktet" in result.formula


def test_annualisation_is_change_times_nok_times_periods():
    result = calc.annualise(change=D(14), nok_per_unit=D(620), periods_per_year=D(52),
                            unit="timer/uke")
    assert result.value == D("451360.00")
    assert result.formula == "14 timer/uke × 620 kr × 52 perioder per år = 451\u00a0360 kr/år"


def test_annualisation_of_a_negative_result_is_negative():
    result = calc.annualise(change=D(-80), nok_per_unit=D(5), periods_per_year=D(52))
    assert result.value == D("-20800.00") and result.negative


def test_annualisation_without_valuation():
    result = calc.annualise(change=D(3), nok_per_unit=None, periods_per_year=None)
    assert result.value is None and "ikke verdsatt" in result.formula


def test_time_saved_valued_at_hourly_cost():
    result = calc.time_saved_value(hours_per_period=D("7.5"), hourly_cost=D(300),
                                   periods_per_year=D(52))
    assert result.value == D("117000.00")
    assert "7,5 timer spart × 300 kr per time × 52" in result.formula


def test_avoided_costs_as_tasks_times_cost_per_task():
    result = calc.avoided_costs_value(tasks_avoided=D(12), cost_per_task=D("450.50"),
                                      periods_per_year=D(12))
    assert result.value == D("64872.00")
    assert "12 unngåtte oppgaver × 450,5 kr per oppgave" in result.formula


def test_benefit_value_is_worded_after_its_type():
    t = calc.benefit_nok_per_year(type="time_saved", change=D(2), nok_per_unit=D(300),
                                  periods_per_year=D(52))
    a = calc.benefit_nok_per_year(type="avoided_costs", change=D(2), nok_per_unit=D(300),
                                  periods_per_year=D(52))
    q = calc.benefit_nok_per_year(type="quality", change=D(2), nok_per_unit=D(300),
                                  periods_per_year=D(52))
    assert t.value == a.value == q.value == D("31200.00")
    assert "timer spart" in t.formula and "unngåtte oppgaver" in a.formula
    assert "perioder per år" in q.formula


def test_payback_is_one_off_costs_over_net_annual_benefit():
    result = calc.cost_benefit(one_off_costs=D(500_000), annual_costs=D(50_000),
                               annual_benefit=D(250_000))
    assert result.net_annual.value == D(200_000)
    assert result.payback_years.value == D("2.5") and result.has_payback


@pytest.mark.parametrize("benefit,annual", [(0, 0), (0, 10_000), (40_000, 50_000)])
def test_no_payback_with_zero_or_negative_net_benefit(benefit, annual):
    result = calc.cost_benefit(one_off_costs=D(100_000), annual_costs=D(annual),
                               annual_benefit=D(benefit))
    assert result.payback_years.value is None and not result.has_payback
    assert "Ingen tilbakebetaling" in result.payback_years.formula
    assert result.net_annual.value == D(benefit - annual)


def test_norwegian_number_format():
    assert calc.fmt(D("-1234567.5")) == "−1\u00a0234\u00a0567,5"
    assert calc.fmt(D("12.00")) == "12"
    assert calc.fmt(None) == "–"


# (direction, baseline, value): improvements and setbacks both ways, negative numbers, no change.
SIGNED_CASES = [
    ("increase", "55", "77"), ("increase", "55", "50"), ("decrease", "40", "26"),
    ("decrease", "2100", "2180"), ("decrease", "40", "40"), ("increase", "-3.25", "-10.75"),
    ("decrease", "-0.01", "0.01"), ("increase", "123456789012.34", "0.01"),
]


def test_the_database_form_of_signed_change_agrees_with_it(project):
    """The dashboard sums signed changes in the database (signed_change_expression): row by
    row, over real columns, it gives what signed_change gives, on SQLite and PostgreSQL."""
    from gevinst.models import Benefit
    from tests.gevinst.conftest import benefit_fields

    for direction, baseline, value in SIGNED_CASES:
        Benefit.objects.create(project=project, **benefit_fields(
            direction=direction, baseline_value=D(baseline), target_value=D(value)))
    rows = (Benefit.objects.filter(project=project)
            .annotate(change=calc.signed_change_expression(value="target_value"))
            .values_list("direction", "baseline_value", "target_value", "change"))
    assert len(rows) == len(SIGNED_CASES)
    for direction, baseline, value, change in rows:
        assert change == calc.signed_change(direction=direction, baseline=baseline, value=value)
        assert isinstance(change, D)


@pytest.mark.parametrize("direction,baseline,value,expected", [
    ("increase", "2", None, None), ("decrease", "2", None, None),  # not measured: no change
    ("increase", None, "2", None),
    # A direction other than "increase" counts as a decrease, in Python as in the database.
    (None, "5", "2", calc.signed_change(direction=None, baseline=D(5), value=D(2))),
    ("", "5", "7", calc.signed_change(direction="", baseline=D(5), value=D(7))),
])
def test_the_database_form_of_signed_change_is_null_where_a_number_is(db, direction,
                                                                       baseline, value,
                                                                       expected):
    from django.db.models import CharField, DecimalField, Value

    from portal.models import Organisation
    from tests.factories import OrganisationFactory

    number = DecimalField(max_digits=14, decimal_places=2)

    def operand(x):
        return Value(D(x) if x is not None else None, output_field=number)

    row = OrganisationFactory()
    change = (Organisation.objects.filter(pk=row.pk)
              .annotate(change=calc.signed_change_expression(
                  direction=Value(direction, output_field=CharField()),
                  baseline=operand(baseline), value=operand(value)))
              .values_list("change", flat=True).get())
    assert change == expected
