"""Issue 15, behaviour behind the schema: the summary's filters, county by name in any case
or by number, money as decimal strings, errors of a CSV request as JSON, the portfolio import's
JSON body with a browser session."""

import pytest
from django.test import Client

from indicators import services
from initiatives.models import Initiative
from tests.indicators.helpers import make_initiative
from tests.indicators.test_exchange_api import doc

URL = "/api/v1/indicators/"


@pytest.fixture
def computed(home_org, other_org):
    make_initiative(home_org, [("concept", "2024-02-01"), ("pilot", "2024-05-01")])
    make_initiative(other_org, [("idea", "2024-03-01")], project=False)
    services.indicators_recompute(year=2024)


def _groups(api_client, **params):
    response = api_client.get(URL + "summary/", {"year": 2024, **params})
    assert response.status_code == 200, response.json()
    return {g["group"]: g["organisations"] for g in response.json()["results"]}


def test_summary_applies_county_and_size_class(api_client, national_analyst, home_org,
                                               other_org, computed):
    api_client.force_authenticate(national_analyst)
    assert _groups(api_client, group_by="national") == {"national": 2}
    home = home_org.county
    for spelling in (home, home.lower(), home.upper(), "34"):  # Innlandet is county 34
        assert _groups(api_client, group_by="national", county=spelling) == {"national": 1}
    assert _groups(api_client, group_by="county", county=home.lower()) == {home: 1}
    assert _groups(api_client, group_by="national",
                   size_class=home_org.size_class.upper()) == {"national": 1}


@pytest.mark.parametrize("path", ["", "summary/"])
def test_unknown_county_or_size_class_is_a_400_not_an_empty_answer(api_client,
                                                                  national_analyst, computed,
                                                                  path):
    api_client.force_authenticate(national_analyst)
    response = api_client.get(URL + path, {"year": 2024, "group_by": "county",
                                           "county": "Atlantis", "size_class": "huge"})
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"county", "size_class"}
    assert "Agder" in body["errors"]["county"][0]


def test_list_matches_county_in_any_case(api_client, national_analyst, home_org, computed):
    api_client.force_authenticate(national_analyst)
    results = api_client.get(URL, {"year": 2024, "county": home_org.county.lower()}).json()
    assert [r["organisation"]["org_number"] for r in results["results"]] == [
        home_org.org_number]


def test_money_is_a_decimal_string_in_list_summary_and_csv(api_client, national_analyst,
                                                          computed):
    api_client.force_authenticate(national_analyst)
    item = api_client.get(URL, {"year": 2024}).json()["results"][0]
    assert item["benefit"]["realised_nok_per_year"] == "0.00"
    total = api_client.get(URL + "summary/", {"year": 2024, "group_by": "national"}).json()
    assert total["results"][0]["benefit"]["realised_nok_per_year"] == "0.00"


@pytest.mark.parametrize("path, params", [
    ("", {"year": "last"}),
    ("", {"year": 2024, "county": "Atlantis"}),
    ("summary/", {"year": 2024, "group_by": "planet"}),
    ("summary/", {"year": 2024}),
])
def test_errors_of_a_csv_request_are_json_labelled_json(api_client, national_analyst, computed,
                                                        path, params):
    api_client.force_authenticate(national_analyst)
    response = api_client.get(URL + path, {**params, "format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "invalid" or response.json()["errors"]


def test_portfolio_import_json_body_works_with_a_browser_session(org_admin, home_org):
    """A session (with its CSRF token, as a browser script sends it) and the documented JSON
    body: 201, not 415."""
    import json

    client = Client(enforce_csrf_checks=True)
    client.force_login(org_admin)
    token = "a" * 32  # an unmasked CSRF secret, as cookie and header
    client.cookies["csrftoken"] = token
    response = client.post("/api/v1/portfolio/import/", json.dumps(doc(home_org)),
                           content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content
    assert response.json()["initiatives_created"] == 1
    assert Initiative.objects.filter(key="api-1").exists()
    without_token = Client(enforce_csrf_checks=True)
    without_token.force_login(org_admin)
    refused = without_token.post("/api/v1/portfolio/import/", json.dumps(doc(home_org)),
                                 content_type="application/json")
    assert refused.status_code == 403


def test_every_visible_organisation_is_listed_and_says_whether_it_is_computed(
        api_client, national_analyst, home_org, other_org, computed):
    from tests.factories import OrganisationFactory

    quiet = OrganisationFactory(name="Stille kommune", population=800, county="Agder",
                                municipality_number="4201")
    api_client.force_authenticate(national_analyst)
    items = {i["organisation"]["org_number"]: i
             for i in api_client.get(URL, {"year": 2024}).json()["results"]}
    assert set(items) == {home_org.org_number, other_org.org_number, quiet.org_number}
    assert items[home_org.org_number]["computed"] is True
    item = items[quiet.org_number]
    assert item["computed"] is False and item["status"] is None and item["scheme"] is None
    assert item["activity"]["points"] == 0 and item["benefit"]["realised_nok_per_year"] == "0.00"
    assert item["organisation"]["municipality_number"] == "4201"
    assert item["organisation"]["county_number"] == "42"
    assert item["period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    groups = api_client.get(URL + "summary/", {"year": 2024, "group_by": "county"}).json()
    agder = next(g for g in groups["results"] if g["group"] == "Agder")
    assert (agder["code"], agder["organisations"], agder["computed_organisations"]) == (
        "42", 1, 0)
    national = api_client.get(URL + "summary/", {"year": 2024, "group_by": "national"}).json()
    assert national["results"][0]["organisations"] == 3
    assert national["results"][0]["computed_organisations"] == 2
    rows = api_client.get(URL, {"year": 2024, "format": "csv"}).content.decode().splitlines()
    header = rows[0].split(",")
    quiet_row = dict(zip(header, next(r for r in rows if quiet.org_number in r).split(",")))
    assert (quiet_row["computed"], quiet_row["municipality_number"],
            quiet_row["county_number"]) == ("false", "4201", "42")
