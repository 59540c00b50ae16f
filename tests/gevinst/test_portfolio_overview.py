"""The benefit overview (/benefits/, gevinst.portfolio_overview): the same numbers as the
portfolio service (gevinst.selectors.portfolio) from grouped aggregates, a page of projects
per organisation, and a number of queries that does not grow with the portfolio."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gevinst import selectors, services
from gevinst.portfolio_overview import PAGE_SIZE, portfolio_overview
from portal.roles import Role
from projects.models import Project
from projects.services import project_item_add
from tests.factories import MembershipFactory, OrganisationFactory
from tests.gevinst.conftest import benefit_fields, make_project


def _cost(actor, project, amount, recurrence):
    project_item_add(actor=actor, project=project, kind="costs", data=dict(
        category="investment", recurrence=recurrence, description="Kostnad",
        amount_nok=Decimal(amount), year=2024))


def _benefit(actor, project, value, **fields):
    benefit = services.benefit_create(actor=actor, project=project, owner=actor,
                                      **benefit_fields(**fields))
    if value is not None:
        services.measurement_create(actor=actor, benefit=benefit, measured_on="2024-06-01",
                                    value=value)
        services.measurement_create(actor=actor, benefit=benefit, measured_on="2024-09-01",
                                    value=value)
    return benefit


@pytest.fixture
def portfolio(home_org, manager):
    """Projects with costs and benefits of every kind the sums must get right: negative
    results, a benefit without valuation, one without measurements, an unowned one, and an
    øre amount that rounds half up (0.5 × 0.01 kr × 1 = 0.005 kr -> 0.01 kr)."""
    a = make_project(home_org, title="Alfa")
    _cost(manager, a, "120000", "one_off")
    _cost(manager, a, "30000", "annual")
    _benefit(manager, a, "35")  # 40 -> 35 hours a week: +5 × 620 × 52
    _benefit(manager, a, "44", title="Verre")  # negative: −4 × 620 × 52
    b = make_project(home_org, title="Beta")
    _benefit(manager, b, "39.5", nok_per_unit="0.01", periods_per_year="1")
    _benefit(manager, b, "30", nok_per_unit=None, periods_per_year=None, type="quality")
    _benefit(manager, b, None)
    services.benefit_create(actor=manager, project=b, **benefit_fields(title="Uten eier"))
    c = make_project(home_org, title="Gamma")
    _cost(manager, c, "5000", "one_off")
    return [a, b, c]


def test_rows_and_totals_are_those_of_the_portfolio_service(portfolio, home_org, manager):
    expected = selectors.portfolio(Project.objects.filter(organisation=home_org)
                                   .order_by("title"))
    [mine] = portfolio_overview(user=manager, pages={})
    assert mine.organisation == home_org
    assert [line["project"].title for line in mine.lines] == ["Alfa", "Beta", "Gamma"]
    for got, want in zip(mine.lines, expected["lines"], strict=True):
        assert got["project"] == want["project"]
        assert got["result"] == want["result"]
        assert (got["project"].n_benefits, got["project"].n_without_owner) == (
            want["project"].n_benefits, want["project"].n_without_owner)
    assert mine.total == expected["total"]
    assert mine.lines[0]["result"].annual_benefit == Decimal(1 * 620 * 52)
    assert mine.lines[1]["result"].annual_benefit == Decimal("0.01")
    assert mine.lines[1]["project"].n_without_owner == 1


def test_each_organisation_is_paged_with_the_totals_of_the_whole_portfolio(
        client, home_org, manager):
    other = OrganisationFactory(name="Annenby kommune")
    MembershipFactory(user=manager, organisation=other, role=Role.MANAGER)
    for n in range(PAGE_SIZE + 3):
        project = make_project(home_org, title=f"Prosjekt {n:02d}")
        _cost(manager, project, "1000", "one_off")
    make_project(other, title="Annenbys prosjekt")
    client.force_login(manager)
    first = client.get(reverse("gevinst:overview"))
    home = next(p for p in first.context["portfolios"] if p.organisation == home_org)
    assert len(home.lines) == PAGE_SIZE and home.page.has_next()
    assert home.total.one_off_costs == Decimal((PAGE_SIZE + 3) * 1000)
    html = first.content.decode()
    assert f"page-{home_org.org_number}=2" in html and "Annenbys prosjekt" in html
    second = client.get(reverse("gevinst:overview"), {f"page-{home_org.org_number}": "2"})
    home = next(p for p in second.context["portfolios"] if p.organisation == home_org)
    assert [line["project"].title for line in home.lines] == [
        f"Prosjekt {n:02d}" for n in range(PAGE_SIZE, PAGE_SIZE + 3)]
    assert home.total.one_off_costs == Decimal((PAGE_SIZE + 3) * 1000)
    # The other organisation stays on its first page; nonsense page numbers are page 1.
    assert "Annenbys prosjekt" in second.content.decode()
    junk = client.get(reverse("gevinst:overview"), {f"page-{home_org.org_number}": "x"})
    assert junk.status_code == 200
    assert next(p for p in junk.context["portfolios"]
                if p.organisation == home_org).page.number == 1


def test_an_outsider_sees_none_of_the_portfolio(client, portfolio, outsider):
    client.force_login(outsider)
    html = client.get(reverse("gevinst:overview")).content.decode()
    assert "Alfa" not in html and "Beta" not in html
    assert [p.organisation.name for p in
            client.get(reverse("gevinst:overview")).context["portfolios"]] == [
        "Naboby kommune"]


def _count(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("gevinst:overview")).status_code == 200
    return len(captured.captured_queries)


# Session, user, memberships (with the analyst scope), unread count, reminders; then per the user's
# organisations: project count, costs, benefits (grouped), and one query for the page rows.
OVERVIEW_QUERIES = 9


def test_overview_queries_are_pinned_and_do_not_grow(client, portfolio, home_org, manager):
    client.force_login(manager)
    _count(client)
    assert _count(client) == OVERVIEW_QUERIES
    for n in range(6):
        project = make_project(home_org, title=f"Flere {n}")
        _cost(manager, project, "10", "annual")
        _benefit(manager, project, "38")
    assert _count(client) == OVERVIEW_QUERIES


def test_benefit_amounts_follow_a_change_of_valuation(portfolio, home_org, manager):
    """The overview reads Measurement.nok_per_year: a changed valuation must show at once."""
    benefit = portfolio[0].benefits.get(title="Færre nattlige tilsyn")
    services.benefit_update(actor=manager, benefit=benefit, expected_version=benefit.version,
                            **{**{k: getattr(benefit, k) for k in services.BENEFIT_FIELDS},
                               "nok_per_unit": Decimal("100")})
    [mine] = portfolio_overview(user=manager, pages={})
    expected = selectors.portfolio(Project.objects.filter(organisation=home_org)
                                   .order_by("title"))
    assert mine.total == expected["total"]
    assert mine.lines[0]["result"].annual_benefit == Decimal(5 * 100 * 52 - 4 * 620 * 52)
