"""Idea exports: exactly the rows the user's list shows, anonymous submitters hidden from all
but coordinators and admins, and an Excel file with a data dictionary."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.ideas.factories import make_idea
from tests.lists import list_titles

pytestmark = pytest.mark.django_db


@pytest.fixture
def ideas(employee, coordinator, home_org, other_org, outsider):
    open_idea = make_idea(employee, home_org, title="Synlig idé", status="submitted")
    anonymous = make_idea(employee, home_org, title="Anonym idé", status="submitted",
                          is_anonymous=True)
    foreign = make_idea(outsider, other_org, title="Naboens idé", status="submitted")
    return open_idea, anonymous, foreign


def rows_of(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_csv_has_the_permitted_rows_and_hides_anonymous_submitters(client, ideas,
                                                                   coordinator):
    other = coordinator.__class__.objects.create_user("kollega", password="x")
    from portal.roles import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=other, organisation=ideas[0].organisation, role=Role.EMPLOYEE)
    client.force_login(other)
    rows = rows_of(client.get("/ideas/export/"))
    assert sorted(r["Tittel"] for r in rows) == ["Anonym idé", "Synlig idé"]
    by_title = {r["Tittel"]: r for r in rows}
    assert by_title["Anonym idé"]["Innsender"] == "Anonym"
    assert by_title["Synlig idé"]["Innsender"] not in ("", "Anonym")

    client.force_login(coordinator)
    by_title = {r["Tittel"]: r for r in rows_of(client.get("/ideas/export/"))}
    assert by_title["Anonym idé"]["Innsender"] == by_title["Synlig idé"]["Innsender"]


def test_export_follows_the_list_filters(client, ideas, coordinator):
    client.force_login(coordinator)
    rows = rows_of(client.get("/ideas/export/", {"q": "Anonym"}))
    assert [r["Tittel"] for r in rows] == ["Anonym idé"]


def test_excel_export_has_a_data_dictionary_describing_every_column(client, ideas,
                                                                     coordinator):
    client.force_login(coordinator)
    response = client.get("/ideas/export/", {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    data, dictionary = book.worksheets
    header = [c.value for c in data[1]]
    assert len(list(data.iter_rows(min_row=2))) == 2
    described = [row[0].value for row in dictionary.iter_rows(min_row=2)]
    assert described == header and all(row[1].value for row in dictionary.iter_rows(min_row=2))


def test_anonymous_visitors_get_no_export(client, ideas):
    response = client.get("/ideas/export/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("query", [{}, {"scope": "own"}, {"scope": "shared"},
                                   {"status": "submitted"}, {"scope": "shared", "q": "idé"}])
def test_the_download_holds_the_ideas_the_list_shows(client, ideas, employee, outsider,
                                                     other_org, query):
    """«Last ned listen» on the idea list downloads the list's own query: the list opens on
    the own organisation («own», ideas.filters.LIST_DEFAULTS), and so must the download, which
    applied no default and gave every idea shared with the user."""
    make_idea(outsider, other_org, title="Delt idé fra naboen", status="submitted",
              visibility="public")
    client.force_login(employee)
    shown = list_titles(client, "/ideas/", query)
    downloaded = sorted(r["Tittel"] for r in rows_of(client.get("/ideas/export/", query)))
    assert shown and downloaded == shown
    assert ("Delt idé fra naboen" in shown) == (query.get("scope") == "shared")
