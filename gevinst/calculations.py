"""The benefit arithmetic of the KS/NVP and DFØ methods, as pure functions.

Each returns a `Calc`: the number (None when it cannot be computed) and the formula in words,
with the numbers filled in, which the pages show next to the number. Realised change is signed
so that improvement is positive whichever direction is good (docs/domain.md "Benefits")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, DecimalField, Expression, F, Value, When
from django.db.models.lookups import Exact
from django.utils.translation import gettext as _

from portal.numbers import number_text

ZERO = Decimal("0")


@dataclass(frozen=True)
class Calc:
    value: Decimal | None
    formula: str

    @property
    def negative(self) -> bool:
        return self.value is not None and self.value < 0


def fmt(number: Decimal | int | None, places: int = 2) -> str:
    """A number in a formula, as the active language writes it (portal.numbers.number_text:
    «1 234,5» in Norwegian, «1,234.5» in English)."""
    return number_text(number, places)


def signed_change(*, direction: str, baseline: Decimal, value: Decimal) -> Decimal:
    """value − baseline when an increase is good; baseline − value when a decrease is."""
    change = Decimal(value) - Decimal(baseline)
    return change if direction == "increase" else -change


def signed_change_expression(*, direction: str | Expression = "direction",
                             baseline: str | Expression = "baseline_value",
                             value: str | Expression) -> Case:
    """signed_change as an ORM expression (field names or expressions), so that sums over many
    benefits run in the database (the dashboard's benefit summary) by the same rule:
    tests/gevinst/test_calculations.py checks the two against each other. NULL where the value
    or the baseline is null, where signed_change cannot be called; a direction other than
    "increase" (null too) counts as a decrease, as in signed_change."""
    direction, baseline, value = (F(ref) if isinstance(ref, str) else ref
                                  for ref in (direction, baseline, value))
    return Case(When(Exact(direction, Value("increase")), then=value - baseline),
                default=baseline - value, output_field=DecimalField())


def realised_change(*, direction: str, baseline: Decimal, latest: Decimal | None,
                    unit: str = "") -> Calc:
    if latest is None:
        return Calc(None, _("Ingen målinger ennå."))
    change = signed_change(direction=direction, baseline=baseline, value=latest)
    if direction == "increase":
        formula = _("måling %(latest)s − nullpunkt %(baseline)s = %(change)s %(unit)s")
    else:
        formula = _("nullpunkt %(baseline)s − måling %(latest)s = %(change)s %(unit)s")
    return Calc(change, (formula % {"latest": fmt(latest), "baseline": fmt(baseline),
                                    "change": fmt(change), "unit": unit}).strip())


def progress(*, direction: str, baseline: Decimal, target: Decimal,
             latest: Decimal | None) -> Calc:
    """Realised change / planned change, in per cent. A target equal to the baseline plans no
    change, so there is nothing to measure progress against: None, with that explanation."""
    if latest is None:
        return Calc(None, _("Ingen målinger ennå."))
    planned = signed_change(direction=direction, baseline=baseline, value=target)
    if planned == 0:
        return Calc(None, _("Målet er lik nullpunktet, så det er ingen planlagt endring å måle "
                            "framdrift mot."))
    realised = signed_change(direction=direction, baseline=baseline, value=latest)
    percent = (realised / planned * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    formula = _("realisert endring %(realised)s / planlagt endring %(planned)s = %(percent)s %%")
    return Calc(percent, formula % {"realised": fmt(realised), "planned": fmt(planned),
                                    "percent": fmt(percent, 1)})


def annualise(*, change: Decimal | None, nok_per_unit: Decimal | None,
              periods_per_year: Decimal | None, unit: str = "") -> Calc:
    """Annual NOK value: change × NOK per unit × periods per year."""
    if nok_per_unit is None or periods_per_year is None:
        return Calc(None, _("Gevinsten er ikke verdsatt i kroner."))
    if change is None:
        return Calc(None, _("Ingen målinger ennå."))
    value = (Decimal(change) * Decimal(nok_per_unit) * Decimal(periods_per_year)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Calc(value, _("%(change)s %(unit)s × %(nok)s kr × %(periods)s perioder per år = "
                         "%(value)s kr/år") % {
        "change": fmt(change), "unit": unit, "nok": fmt(nok_per_unit),
        "periods": fmt(periods_per_year), "value": fmt(value, 0)})


def time_saved_value(*, hours_per_period: Decimal, hourly_cost: Decimal,
                     periods_per_year: Decimal) -> Calc:
    """Time saved valued at an hourly cost (KS/NVP): hours × NOK per hour × periods."""
    value = (Decimal(hours_per_period) * Decimal(hourly_cost) * Decimal(periods_per_year)
             ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Calc(value, _("%(hours)s timer spart × %(cost)s kr per time × %(periods)s perioder "
                         "per år = %(value)s kr/år") % {
        "hours": fmt(hours_per_period), "cost": fmt(hourly_cost),
        "periods": fmt(periods_per_year), "value": fmt(value, 0)})


def avoided_costs_value(*, tasks_avoided: Decimal, cost_per_task: Decimal,
                        periods_per_year: Decimal = Decimal(1)) -> Calc:
    """Avoided costs (KS/NVP): tasks avoided × cost per task (× periods per year)."""
    value = (Decimal(tasks_avoided) * Decimal(cost_per_task) * Decimal(periods_per_year)
             ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Calc(value, _("%(tasks)s unngåtte oppgaver × %(cost)s kr per oppgave × %(periods)s "
                         "perioder per år = %(value)s kr/år") % {
        "tasks": fmt(tasks_avoided), "cost": fmt(cost_per_task),
        "periods": fmt(periods_per_year), "value": fmt(value, 0)})


def benefit_nok_per_year(*, type: str, change: Decimal | None, nok_per_unit: Decimal | None,
                         periods_per_year: Decimal | None, unit: str = "") -> Calc:
    """The annual NOK value of a benefit, worded after its type: time saved at an hourly cost,
    avoided costs as tasks × cost per task, otherwise the plain annualisation."""
    if nok_per_unit is None or periods_per_year is None or change is None:
        return annualise(change=change, nok_per_unit=nok_per_unit,
                         periods_per_year=periods_per_year, unit=unit)
    if type == "time_saved":
        return time_saved_value(hours_per_period=change, hourly_cost=nok_per_unit,
                                periods_per_year=periods_per_year)
    if type == "avoided_costs":
        return avoided_costs_value(tasks_avoided=change, cost_per_task=nok_per_unit,
                                   periods_per_year=periods_per_year)
    return annualise(change=change, nok_per_unit=nok_per_unit,
                     periods_per_year=periods_per_year, unit=unit)


@dataclass(frozen=True)
class CostBenefit:
    one_off_costs: Decimal
    annual_costs: Decimal
    annual_benefit: Decimal
    net_annual: Calc
    payback_years: Calc

    @property
    def has_payback(self) -> bool:
        return self.payback_years.value is not None


def cost_benefit(*, one_off_costs: Decimal, annual_costs: Decimal,
                 annual_benefit: Decimal) -> CostBenefit:
    """Net benefit per year = annual NOK benefits − annual costs; payback time = one-off costs /
    net benefit per year. With no positive net benefit the costs are never paid back: None."""
    one_off, annual = Decimal(one_off_costs), Decimal(annual_costs)
    benefit = Decimal(annual_benefit)
    net = benefit - annual
    net_calc = Calc(net, _("%(benefit)s kr gevinst per år − %(costs)s kr årlige kostnader = "
                           "%(net)s kr per år") % {"benefit": fmt(benefit, 0),
                                                   "costs": fmt(annual, 0), "net": fmt(net, 0)})
    if net <= 0:
        payback = Calc(None, _("Ingen tilbakebetaling: netto gevinst per år er %(net)s kr, så "
                               "engangskostnadene på %(one_off)s kr tjenes aldri inn.")
                       % {"net": fmt(net, 0), "one_off": fmt(one_off, 0)})
    else:
        years = (one_off / net).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        payback = Calc(years, _("%(one_off)s kr engangskostnader / %(net)s kr netto per år = "
                                "%(years)s år") % {"one_off": fmt(one_off, 0),
                                                   "net": fmt(net, 0), "years": fmt(years, 1)})
    return CostBenefit(one_off, annual, benefit, net_calc, payback)
