"""Project exports: exactly the rows of the user's project list (own organisations; shared
projects of others stay in the catalogue), no trace of an anonymous idea's submitter, the
list's filters, a CSV that Norwegian Excel opens and an Excel file with a data dictionary."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from gevinst.models import Benefit
from ideas import services as idea_services
from portal.roles import Role
from projects.models import ProjectCost, ProjectFunding, ProjectMilestone
from projects.services import project_transition
from tests.factories import MembershipFactory, NetworkFactory, UserFactory
from tests.ideas.factories import make_idea
from tests.indicators.helpers import make_initiative
from tests.lists import list_titles

pytestmark = pytest.mark.django_db

SECRET_NAME = "Hemmelig Innsendersen"


def approved(author, org, coordinator, **fields):
    idea = make_idea(author, org, status="in_review", coordinator=coordinator, **fields)
    return idea_services.idea_approve(actor=coordinator, idea=idea)


@pytest.fixture
def portfolio(home_org, other_org, coordinator, manager, project_leader, outsider):
    network = NetworkFactory()
    network.organisations.set([home_org, other_org])
    submitter = UserFactory(username="innsender", first_name="Hemmelig",
                            last_name="Innsendersen")
    MembershipFactory(user=submitter, organisation=home_org, role=Role.EMPLOYEE)

    own = make_initiative(home_org, [("concept", "2025-01-10"), ("pilot", "2025-03-01")],
                          title="Eget prosjekt")
    own.leader = project_leader
    own.save()
    ProjectCost.objects.create(project=own, category="investment", recurrence="one_off",
                               description="Sensorer", amount_nok=Decimal(120000), year=2025)
    ProjectCost.objects.create(project=own, category="operations", recurrence="annual",
                               description="Lisens", amount_nok=Decimal(30000), year=2025)
    ProjectCost.objects.create(project=own, category="training", recurrence="one_off",
                               description="Kurs", amount_nok=Decimal(5000), year=2025)
    ProjectFunding.objects.create(project=own, source="Statsforvalteren",
                                  amount_nok=Decimal(80000), funding_type="grant")
    ProjectMilestone.objects.create(project=own, title="Avtale signert",
                                    due_on=datetime.date(2026, 9, 1))
    for title in ("Spart tid", "Færre fall"):
        Benefit.objects.create(project=own, title=title, type="time_saved",
                               dimension="organisational", unit="timer/uke",
                               direction="decrease", baseline_value=Decimal(40),
                               baseline_on=datetime.date(2025, 1, 1),
                               target_value=Decimal(30), target_on=datetime.date(2026, 1, 1))

    anonymous = approved(submitter, home_org, coordinator, title="Fra anonym idé",
                         is_anonymous=True)
    confidential = approved(submitter, home_org, coordinator, title="Konfidensielt prosjekt",
                            is_confidential=True)
    stopped = make_initiative(home_org, [("concept", "2025-01-10")], title="Stoppet prosjekt")
    project_transition(actor=manager, project=stopped, to_phase="stopped",
                       effective_date=datetime.date(2025, 6, 1), rationale="Ingen effekt",
                       stop_reason="no_effect", lesson_learned="Mål før dere kjøper")

    foreign = {}
    for visibility in ("organisation", "network", "public"):
        foreign[visibility] = make_initiative(other_org, [("concept", "2025-02-01")],
                                              title=f"Naboens {visibility}")
        foreign[visibility].visibility = visibility
        foreign[visibility].save()
    return {"own": own, "anonymous": anonymous, "confidential": confidential,
            "stopped": stopped, "foreign": foreign, "submitter": submitter}


def rows_of(response):
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Norwegian Excel needs for UTF-8
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Id;Tittel;")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


HOME_TITLES = ["Eget prosjekt", "Fra anonym idé", "Konfidensielt prosjekt", "Stoppet prosjekt"]


@pytest.mark.parametrize("persona", ["employee", "coordinator", "project_leader", "manager",
                                     "admin"])
def test_members_get_exactly_their_organisations_projects(client, personas, portfolio,
                                                          persona):
    client.force_login(personas[persona])
    rows = rows_of(client.get("/projects/export/"))
    # Network-shared and public projects of the neighbour are in the catalogue, not the list.
    assert sorted(r["Tittel"] for r in rows) == HOME_TITLES


@pytest.mark.parametrize("query", [{}, {"phase": "concept"}, {"q": "prosjekt"},
                                   {"sort": "title"}])
def test_the_download_holds_the_projects_the_list_shows(client, manager, portfolio, query):
    """«Last ned listen» downloads the list's own query (the same filter, no defaults of its
    own; tests/ideas/test_exports.py for the idea list, which has one)."""
    client.force_login(manager)
    shown = list_titles(client, "/projects/", query)
    downloaded = sorted(r["Tittel"] for r in rows_of(client.get("/projects/export/", query)))
    assert shown and downloaded == shown


def test_another_municipality_gets_none_of_ours(client, outsider, portfolio):
    client.force_login(outsider)
    rows = rows_of(client.get("/projects/export/", {"format": "csv"}))
    assert sorted(r["Tittel"] for r in rows) == [
        "Naboens network", "Naboens organisation", "Naboens public"]
    assert not {"Konfidensielt prosjekt", "Fra anonym idé"} & {r["Tittel"] for r in rows}


@pytest.mark.parametrize("persona", ["employee", "manager", "coordinator"])
def test_no_anonymous_submitter_anywhere(client, personas, portfolio, persona):
    """Managers may not see anonymous submitters and coordinators may, but the project export
    names nobody's idea: the idea's number is all a project carries."""
    client.force_login(personas[persona])
    for fmt in ("csv", "xlsx"):
        response = client.get("/projects/export/", {"format": fmt})
        if fmt == "csv":
            rows = rows_of(response)
            cells = [value for row in rows for value in row.values()]
        else:
            book = load_workbook(io.BytesIO(response.content))
            cells = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows()
                     for c in row if c.value is not None]
        assert cells and not any("Hemmelig" in c or "Innsendersen" in c or c == "innsender"
                                 for c in cells)
    by_title = {r["Tittel"]: r for r in rows}
    assert by_title["Fra anonym idé"]["Fra idé"] == str(
        portfolio["anonymous"].initiative.idea.pk)


def test_row_values(client, manager, portfolio):
    client.force_login(manager)
    by_title = {r["Tittel"]: r for r in rows_of(client.get("/projects/export/"))}
    own = by_title["Eget prosjekt"]
    assert own["Fase"] == "Utprøving" and own["Status"] == "Aktiv"
    assert own["Neste fase"] == "Implementering"
    assert (own["Startet"], own["I fasen siden"]) == ("10.01.2025", "01.03.2025")
    assert (own["Engangskostnader"], own["Årlige kostnader"]) == ("125000,00", "30000,00")
    assert own["Finansiering"] == "80000,00" and own["Gevinster"] == "2"
    assert (own["Neste milepæl"], own["Milepælsfrist"]) == ("Avtale signert", "01.09.2026")
    assert own["Prosjektleder"] == portfolio["own"].leader.get_full_name()
    assert own["Stoppårsak"] == "" and own["Fra idé"] == ""
    stopped = by_title["Stoppet prosjekt"]
    assert (stopped["Status"], stopped["Stoppårsak"], stopped["Læringspunkter"]) == (
        "Stoppet", "Ingen effekt", "Mål før dere kjøper")
    assert stopped["Neste fase"] == "" and stopped["I fasen siden"] == "01.06.2025"
    assert by_title["Konfidensielt prosjekt"]["Konfidensiell"] == "Ja"
    assert by_title["Fra anonym idé"]["Konfidensiell"] == "Nei"


def test_export_follows_the_list_filters(client, manager, portfolio):
    client.force_login(manager)
    rows = rows_of(client.get("/projects/export/", {"phase": "stopped"}))
    assert [r["Tittel"] for r in rows] == ["Stoppet prosjekt"]
    rows = rows_of(client.get("/projects/export/", {"q": "anonym", "format": "csv"}))
    assert [r["Tittel"] for r in rows] == ["Fra anonym idé"]


def test_list_page_links_to_the_export_with_its_filters(client, manager, portfolio):
    client.force_login(manager)
    page = client.get("/projects/", {"phase": "pilot"}).content.decode()
    assert "/projects/export/?phase=pilot&amp;format=xlsx" in page


def test_bad_input_is_refused_with_a_reason(client, manager, outsider, portfolio):
    client.force_login(manager)
    response = client.get("/projects/export/", {"format": "pdf"})
    assert response.status_code == 400 and "format=csv" in response.content.decode()
    # A unit of another organisation is not a valid filter: refused, not silently ignored
    # (which would export the whole list).
    from tests.factories import UnitFactory

    foreign_unit = UnitFactory(organisation=portfolio["foreign"]["public"].organisation)
    response = client.get("/projects/export/", {"unit": foreign_unit.pk})
    assert response.status_code == 400 and "unit" in response.content.decode()


def test_excel_export_has_a_data_dictionary_describing_every_column(client, manager,
                                                                     portfolio):
    client.force_login(manager)
    response = client.get("/projects/export/", {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Prosjekter", "Dataordbok"]
    data, dictionary = book.worksheets
    header = [c.value for c in data[1]]
    assert len(list(data.iter_rows(min_row=2))) == len(HOME_TITLES)
    entries = list(dictionary.iter_rows(min_row=2, values_only=True))
    assert [e[0] for e in entries] == header
    assert all(e[1] and e[2] for e in entries)
    # Numbers and dates are typed cells, so the spreadsheet can sum and sort them.
    own = next(r for r in data.iter_rows(min_row=2, values_only=True)
               if r[1] == "Eget prosjekt")
    assert own[header.index("Engangskostnader")] == 125000
    assert isinstance(own[header.index("Startet")], datetime.datetime)


def test_query_count_does_not_grow_with_the_list(client, manager, portfolio, home_org):
    client.force_login(manager)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            rows_of(client.get("/projects/export/"))
        return len(captured)

    before = queries()
    for n in range(4):
        extra = make_initiative(home_org, [("concept", "2025-01-10")], title=f"Ekstra {n}")
        ProjectCost.objects.create(project=extra, category="investment", recurrence="one_off",
                                   description="X", amount_nok=Decimal(1), year=2025)
    assert queries() == before


def test_anonymous_visitors_get_no_export(client, portfolio):
    response = client.get("/projects/export/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
