"""The printable portfolio report: the right numbers for a small dated portfolio (checked
against the indicator service and the benefit arithmetic), who may read it (members with the
dashboard right, the organisation's analysts; outsiders 404, other members 403), what
analysts see by name, empty states, and a query count that does not grow with the portfolio."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gevinst.history import measurement_add
from gevinst.models import Benefit
from indicators.models import IndicatorSnapshot
from indicators.services import indicators_recompute
from overview.report import portfolio_report
from projects.services import project_transition
from tests.indicators.helpers import make_initiative

pytestmark = pytest.mark.django_db

YEAR = 2025


def add_benefit(project, **fields):
    data = dict(title="Spart tid", type="time_saved", dimension="organisational",
                unit="timer/uke", direction="decrease", baseline_value=Decimal(40),
                baseline_on=datetime.date(2024, 1, 1), target_value=Decimal(25),
                target_on=datetime.date(2026, 1, 1), nok_per_unit=Decimal(300),
                periods_per_year=Decimal(52))
    data.update(fields)
    return Benefit.objects.create(project=project, **data)


def measure(benefit, on, value):
    measurement_add(benefit=benefit, measured_on=datetime.date.fromisoformat(on),
                    value=Decimal(value))


@pytest.fixture
def portfolio(home_org, other_org, manager, outsider):
    # Received and approved in the year, then through two gates (into use in September).
    sensor = make_initiative(home_org, [("idea", "2025-02-01"), ("concept", "2025-03-01"),
                                        ("pilot", "2025-05-01"),
                                        ("implementation", "2025-09-01")],
                             title="Sensor i natt")
    sensor.visibility = "public"
    sensor.save()
    # Received the year before, approved in the year.
    make_initiative(home_org, [("idea", "2024-11-01"), ("concept", "2025-01-15")],
                    title="Digitalt tilsyn")
    # Received and rejected in the year; an idea only.
    make_initiative(home_org, [("idea", "2025-04-01"), ("rejected", "2025-05-01")],
                    project=False, title="Avvist idé")
    # Received in the year before and still waiting.
    make_initiative(home_org, [("idea", "2024-12-01")], project=False, title="Gammel idé")
    stopped = make_initiative(home_org, [("concept", "2024-06-01")], title="Robotstøvsuger")
    project_transition(actor=manager, project=stopped, to_phase="stopped",
                       effective_date=datetime.date(2025, 6, 1), rationale="Ingen effekt målt",
                       stop_reason="no_effect", lesson_learned="Mål nullpunktet først")
    # Spread: the neighbour adopted our shared project in October.
    make_initiative(other_org, [("concept", "2025-10-01")], title="Sensor i natt",
                    adopted_from=sensor)
    # Moves in other years or of other organisations count nowhere here.
    make_initiative(home_org, [("concept", "2026-01-10")], title="Neste år")
    foreign = make_initiative(other_org, [("concept", "2024-02-01")], title="Naboens stopp")
    project_transition(actor=outsider, project=foreign, to_phase="stopped",
                       effective_date=datetime.date(2025, 3, 1), stop_reason="too_costly",
                       lesson_learned="Naboens lærdom")

    hours = add_benefit(sensor)
    measure(hours, "2024-09-01", 36)  # 4 hours a week better before the year
    measure(hours, "2025-06-01", 30)  # 10 hours a week better at the year's end
    measure(hours, "2026-02-01", 20)  # after the year: not counted
    quality = add_benefit(sensor, title="Bedre søvn", type="quality", unit="poeng (skala)",
                          direction="increase", baseline_value=Decimal(3),
                          target_value=Decimal(4), nok_per_unit=None, periods_per_year=None)
    measure(quality, "2025-03-01", 4)
    indicators_recompute(year=YEAR, organisation_ids=[home_org.pk])
    return {"sensor": sensor, "stopped": stopped, "hours": hours}


def url(org, year=YEAR):
    return f"/reports/portfolio/{org.org_number}/{year}/"


def figure(page, name):
    match = re.search(rf'data-figure="{name}">([^<]*)<', page)
    assert match, name
    return match.group(1).replace("\u00a0", "").replace(" kr", "").strip()


def test_numbers_match_the_services(portfolio, home_org, manager):
    data = portfolio_report(home_org, YEAR, user=manager, full=True)
    snapshot = IndicatorSnapshot.objects.get(organisation=home_org, year=YEAR, quarter=0)
    assert data["snapshot"] == snapshot
    # Realised NOK per year as indicator rule 8 computes it: 10 h/week × 300 kr × 52.
    assert data["benefits"]["realised_nok"] == snapshot.realised_nok_per_year == 156000
    assert data["benefits"]["realised_nok_start"] == 4 * 300 * 52
    assert data["benefits"]["realised_nok_in_year"] == 6 * 300 * 52
    assert data["benefits"]["planned_nok"] == 15 * 300 * 52
    assert (data["benefits"]["hours_planned"], data["benefits"]["hours_realised"]) == (780, 520)
    assert (data["benefits"]["quality_total"], data["benefits"]["quality_improved"]) == (1, 1)
    assert data["ideas"] == {"ideas_received": 2, "ideas_approved": 2, "ideas_rejected": 1,
                             "ideas_parked": 0}
    # Gates: concept → pilot → implementation; the approvals are the ideas' count.
    assert [(g.title, g.to_label) for g in data["gate_passes"]] == [
        ("Sensor i natt", "Utprøving"), ("Sensor i natt", "Implementering")]
    assert [g.title for g in data["taken_into_use"]] == ["Sensor i natt"]
    # Every forward move of the year, approvals included, is the indicator's count.
    assert data["forward_transitions"] == snapshot.forward_transitions == 4
    assert [(s.title, s.reason, s.lesson) for s in data["stopped"]] == [
        ("Robotstøvsuger", "Ingen effekt", "Mål nullpunktet først")]
    assert [(a.title, a.other_organisation) for a in data["adopted_by_others"]] == [
        ("Sensor i natt", "Naboby kommune")]
    assert [b.title for b in data["top_benefits"]] == ["Spart tid"]
    assert data["years"][0] == datetime.date.today().year and data["years"][-1] == 2024


def test_biggest_benefits_include_those_measured_before_the_year(portfolio, home_org,
                                                                 manager):
    earlier = add_benefit(portfolio["stopped"], title="Tidligere gevinst", type="avoided_costs",
                          unit="kr/år", baseline_value=Decimal(100), target_value=Decimal(0),
                          nok_per_unit=Decimal(1000), periods_per_year=Decimal(1))
    measure(earlier, "2024-05-01", 0)  # 100 × 1000 kr, realised the year before
    data = portfolio_report(home_org, YEAR, user=manager, full=True)
    assert [(b.title, b.realised_nok) for b in data["top_benefits"]] == [
        ("Spart tid", 156000), ("Tidligere gevinst", 100000)]
    # "Measured in the year" lists only the year's measurements.
    assert [b.title for b in data["benefit_lines"]] == ["Bedre søvn", "Spart tid"]
    assert data["benefits"]["realised_nok_in_year"] == 6 * 300 * 52


def test_page_shows_the_numbers(client, manager, portfolio, home_org):
    client.force_login(manager)
    response = client.get(url(home_org))
    assert response.status_code == 200
    page = response.content.decode()
    snapshot = IndicatorSnapshot.objects.get(organisation=home_org, year=YEAR, quarter=0)
    assert figure(page, "points") == f"{snapshot.points.normalize():f}"
    assert figure(page, "realised-nok") == "156000"
    assert figure(page, "benefit-realised-nok") == "156000"
    assert figure(page, "planned-nok") == "234000"
    assert figure(page, "nok-in-year") == "93600"
    assert (figure(page, "hours-planned"), figure(page, "hours-realised")) == ("780", "520")
    assert (figure(page, "ideas-received"), figure(page, "ideas-approved")) == ("2", "2")
    assert "Mål nullpunktet først" in page and "Robotstøvsuger" in page
    assert "Naboens lærdom" not in page and "Naboens stopp" not in page
    assert "Neste år" not in page
    # Printing: the button's script is a static file (CSP), print CSS is linked.
    assert "portal/report.js" in page and "portal/report.css" in page
    assert "data-print-report" in page and "<script>" not in page


@pytest.mark.parametrize("persona, expected", [
    ("anonymous", 302), ("employee", 403), ("project_leader", 403), ("coordinator", 200),
    ("manager", 200), ("admin", 200), ("outsider", 404),
])
def test_access_by_role(client, personas, portfolio, home_org, persona, expected):
    if personas[persona] is not None:
        client.force_login(personas[persona])
    response = client.get(url(home_org))
    assert response.status_code == expected
    if expected != 200:
        assert "Robotstøvsuger" not in response.content.decode()


def test_analysts_get_the_numbers_but_only_shared_projects_by_name(
        client, network_analyst, national_analyst, portfolio, home_org):
    for analyst in (network_analyst, national_analyst):
        client.force_login(analyst)
        page = client.get(url(home_org)).content.decode()
        assert figure(page, "realised-nok") == "156000"
        assert figure(page, "ideas-received") == "2"
        # The public project is named; the organisation-only stopped one is only counted.
        assert "Sensor i natt" in page
        assert "Robotstøvsuger" not in page and "Mål nullpunktet først" not in page
        assert "1 prosjekt ble stoppet i året i alt." in page


def test_an_analyst_of_another_network_gets_404(client, portfolio, home_org):
    from tests.factories import NetworkFactory, OrganisationFactory, UserFactory

    stranger = UserFactory(username="other_analyst")
    network = NetworkFactory()
    network.organisations.set([OrganisationFactory()])
    network.analysts.add(stranger)
    client.force_login(stranger)
    assert client.get(url(home_org)).status_code == 404


def test_empty_year_and_missing_snapshot(client, manager, portfolio, home_org):
    client.force_login(manager)
    page = client.get(url(home_org, 2024)).content.decode()
    assert "Indikatorene er ikke beregnet for dette året ennå." in page
    assert "Ingen prosjekter ble stoppet i året." in page


def test_year_selector_and_bad_years(client, manager, portfolio, home_org):
    client.force_login(manager)
    response = client.get("/reports/portfolio/", {"organisation": home_org.org_number,
                                                  "year": "2025"})
    assert response.status_code == 302 and response["Location"] == url(home_org)
    response = client.get("/reports/portfolio/", {"year": "tjue"})
    assert response.status_code == 400 and "Ugyldig år" in response.content.decode()
    assert client.get(url(home_org, datetime.date.today().year + 1)).status_code == 404
    assert client.get(url(home_org, 1999)).status_code == 404


def test_linked_from_the_dashboard_and_the_indicator_page(client, manager, portfolio,
                                                          home_org):
    client.force_login(manager)
    this_year = datetime.date.today().year
    assert url(home_org, this_year) in client.get("/dashboard/").content.decode()
    page = client.get("/indicators/", {"organisation": home_org.org_number,
                                       "year": YEAR}).content.decode()
    assert url(home_org) in page


def test_query_count_does_not_grow_with_the_portfolio(client, manager, portfolio, home_org,
                                                      other_org, outsider):
    client.force_login(manager)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(home_org)).status_code == 200
        return len(captured)

    before = queries()
    for n in range(4):
        project = make_initiative(home_org, [("idea", "2025-01-05"), ("concept", "2025-02-01"),
                                             ("pilot", "2025-04-01")], title=f"Ekstra {n}")
        project.visibility = "public"
        project.save()
        benefit = add_benefit(project, title=f"Gevinst {n}")
        measure(benefit, "2025-05-01", 35)
        make_initiative(other_org, [("concept", "2025-06-01")], title=f"Kopi {n}",
                        adopted_from=project)
        stopped = make_initiative(home_org, [("concept", "2025-01-02")], title=f"Stopp {n}")
        project_transition(actor=manager, project=stopped, to_phase="stopped",
                           effective_date=datetime.date(2025, 3, 1), stop_reason="other",
                           lesson_learned="L")
    assert queries() == before
