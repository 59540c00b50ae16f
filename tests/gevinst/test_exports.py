"""Benefit exports: only benefits of the user's own organisations (a neighbour's shared project
keeps its benefits to itself), the same numbers as the benefit pages, two sheets and a data
dictionary in Excel, one sheet at a time as CSV, and no anonymous idea submitter."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from gevinst import selectors, services
from ideas import services as idea_services
from portal.roles import Role
from tests.factories import MembershipFactory, NetworkFactory, UserFactory
from tests.gevinst.conftest import benefit_fields, make_project
from tests.ideas.factories import make_idea
from tests.worlds import shared_personas

pytestmark = pytest.mark.django_db


def _world(people: dict) -> dict:
    """Two benefits of an own project, one of a project from an anonymous confidential idea,
    and one of a neighbour's shared project: built once for the module, each test starting
    from it (tests/worlds.py)."""
    home_org, other_org = people["home_org"], people["other_org"]
    manager, coordinator, outsider = people["manager"], people["coordinator"], people["outsider"]
    network = NetworkFactory()
    network.organisations.set([home_org, other_org])
    own = make_project(home_org, title="Nattilsyn")
    valued = services.benefit_create(actor=manager, project=own,
                                     **benefit_fields(owner=manager))
    services.measurement_create(actor=manager, benefit=valued,
                                measured_on=datetime.date(2024, 9, 1), value="35",
                                evidence="Turnuslister")
    services.measurement_create(actor=manager, benefit=valued,
                                measured_on=datetime.date(2025, 3, 1), value="31")
    quality = services.benefit_create(actor=manager, project=own, **benefit_fields(
        title="Bedre søvn", type="quality", dimension="user", unit="poeng (skala)",
        direction="increase", baseline_value="3", target_value="4", nok_per_unit=None,
        periods_per_year=None))

    submitter = UserFactory(username="innsender", first_name="Hemmelig",
                            last_name="Innsendersen")
    MembershipFactory(user=submitter, organisation=home_org, role=Role.EMPLOYEE)
    idea = make_idea(submitter, home_org, title="Anonymt forslag", status="in_review",
                     coordinator=coordinator, is_anonymous=True, is_confidential=True)
    from_idea = idea_services.idea_approve(actor=coordinator, idea=idea)
    secret = services.benefit_create(actor=manager, project=from_idea,
                                     **benefit_fields(title="Konfidensiell gevinst"))

    neighbour = make_project(other_org, title="Naboens delte")
    neighbour.visibility = "public"
    neighbour.save()
    foreign = services.benefit_create(actor=outsider, project=neighbour,
                                      **benefit_fields(title="Naboens gevinst"))
    services.measurement_create(actor=outsider, benefit=foreign,
                                measured_on=datetime.date(2024, 9, 1), value="20")
    return {"own": own, "valued": valued, "quality": quality, "secret": secret,
            "from_idea": from_idea, "foreign": foreign, "neighbour": neighbour}


globals().update(shared_personas(build=_world))


@pytest.fixture
def portfolio(world):
    return world


def rows_of(response):
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def number(text: str) -> Decimal:
    """A number as the Norwegian CSV writes it: decimal comma, no thousands separator."""
    assert "." not in text and " " not in text, text
    return Decimal(text.replace(",", "."))


OWN = ["Bedre søvn", "Færre nattlige tilsyn", "Konfidensiell gevinst"]


@pytest.mark.parametrize("persona", ["employee", "coordinator", "project_leader", "manager",
                                     "admin"])
def test_members_get_exactly_their_organisations_benefits(client, personas, portfolio,
                                                          persona):
    client.force_login(personas[persona])
    rows = rows_of(client.get("/benefits/export/"))
    assert sorted(r["Gevinst"] for r in rows) == OWN
    measurements = rows_of(client.get("/benefits/export/", {"sheet": "measurements"}))
    assert sorted((r["Gevinst"], r["Dato"]) for r in measurements) == [
        ("Færre nattlige tilsyn", "01.03.2025"), ("Færre nattlige tilsyn", "01.09.2024")]


def test_another_municipality_gets_only_its_own(client, outsider, portfolio):
    client.force_login(outsider)
    assert [r["Gevinst"] for r in rows_of(client.get("/benefits/export/"))] == [
        "Naboens gevinst"]
    # Asking for our project by number gives nothing rather than our benefits.
    rows = rows_of(client.get("/benefits/export/", {"project": portfolio["own"].pk,
                                                    "sheet": "measurements"}))
    assert rows == []


def test_shared_projects_of_others_keep_their_benefits(client, manager, portfolio):
    client.force_login(manager)
    rows = rows_of(client.get("/benefits/export/", {"project": portfolio["neighbour"].pk}))
    assert rows == []


def test_numbers_are_the_pages_numbers(client, manager, portfolio):
    client.force_login(manager)
    by_title = {r["Gevinst"]: r for r in rows_of(client.get("/benefits/export/"))}
    valued = by_title["Færre nattlige tilsyn"]
    page = selectors.benefit_rows(portfolio["own"])
    expected = next(r for r in page if r.benefit.pk == portfolio["valued"].pk)
    assert number(valued["Realisert kr per år"]) == expected.nok_per_year.value == 9 * 620 * 52
    assert number(valued["Planlagt kr per år"]) == expected.planned_nok_per_year.value
    assert number(valued["Planlagt kr per år"]) == 15 * 620 * 52
    assert number(valued["Framdrift (%)"]) == Decimal("60.0")
    assert (number(valued["Siste måling"]), valued["Siste måling dato"]) == (31, "01.03.2025")
    assert valued["Gevinsteier"] == portfolio["valued"].owner.get_full_name()
    quality = by_title["Bedre søvn"]
    assert quality["Realisert kr per år"] == "" and quality["Siste måling"] == ""
    measurements = rows_of(client.get("/benefits/export/", {"sheet": "measurements"}))
    first = next(m for m in measurements if m["Dato"] == "01.09.2024")
    assert number(first["Endring fra nullpunkt"]) == 5
    assert number(first["Kroner per år"]) == 5 * 620 * 52
    assert first["Dokumentasjon"] == "Turnuslister"
    assert first["Gevinst-id"] == str(portfolio["valued"].pk)


def test_excel_has_both_sheets_and_a_dictionary_covering_both(client, manager, portfolio):
    client.force_login(manager)
    response = client.get("/benefits/export/", {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Gevinster", "Målinger", "Dataordbok"]
    benefits, measurements, dictionary = book.worksheets
    assert len(list(benefits.iter_rows(min_row=2))) == len(OWN)
    assert len(list(measurements.iter_rows(min_row=2))) == 2
    entries = list(dictionary.iter_rows(min_row=2, values_only=True))
    described = [(e[3], e[0]) for e in entries]
    assert described == ([("Gevinster", c.value) for c in benefits[1]]
                         + [("Målinger", c.value) for c in measurements[1]])
    assert all(e[1] and e[2] for e in entries)
    header = [c.value for c in benefits[1]]
    row = next(r for r in benefits.iter_rows(min_row=2, values_only=True)
               if r[header.index("Gevinst")] == "Færre nattlige tilsyn")
    assert row[header.index("Realisert kr per år")] == 9 * 620 * 52


def test_project_page_links_to_its_export(client, manager, portfolio):
    client.force_login(manager)
    own = portfolio["own"]
    page = client.get(f"/benefits/project/{own.pk}/").content.decode()
    assert f"/benefits/export/?project={own.pk}&amp;format=xlsx" in page
    response = client.get("/benefits/export/", {"project": own.pk, "format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert len(list(book["Gevinster"].iter_rows(min_row=2))) == 2
    assert "/benefits/export/?format=xlsx" in client.get("/benefits/").content.decode()


def test_no_anonymous_submitter_anywhere(client, manager, portfolio):
    client.force_login(manager)
    response = client.get("/benefits/export/", {"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    cells = [str(c) for sheet in book.worksheets
             for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Konfidensiell gevinst" in cells
    assert not any("Hemmelig" in c or "Innsendersen" in c for c in cells)


@pytest.mark.parametrize("query, message", [
    ({"format": "pdf"}, "format=csv"),
    ({"sheet": "everything"}, "sheet=benefits"),
    ({"project": "nine"}, "prosjektnummer"),
])
def test_bad_input_is_refused_with_a_reason(client, manager, portfolio, query, message):
    client.force_login(manager)
    response = client.get("/benefits/export/", query)
    assert response.status_code == 400 and message in response.content.decode()


def test_query_count_does_not_grow_with_the_portfolio(client, manager, portfolio, home_org):
    client.force_login(manager)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get("/benefits/export/", {"format": "xlsx"})
        return len(captured)

    before = queries()
    for n in range(3):
        project = make_project(home_org, title=f"Ekstra {n}")
        benefit = services.benefit_create(actor=manager, project=project,
                                          **benefit_fields(owner=manager))
        services.measurement_create(actor=manager, benefit=benefit,
                                    measured_on=datetime.date(2024, 9, 1), value="30")
    assert queries() == before


def test_anonymous_visitors_get_no_export(client, portfolio):
    response = client.get("/benefits/export/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
