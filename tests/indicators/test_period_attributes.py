"""Period-correct attributes (issue 15): the indicators of a past period use the county,
population and size class in force on the period's end date (portal.attributes), and the
exchange format carries the dated history."""

import csv
import io
import json

import pytest

from exchange.exporter import export_portfolio
from exchange.importer import ImportFailed, import_portfolio
from indicators import services
from indicators.comparison import comparison
from portal.attributes import attributes_on
from portal.models import COUNTY_NUMBERS, OrganisationAttributes
from tests.factories import OrganisationFactory
from tests.indicators.helpers import d, make_initiative

URL = "/api/v1/indicators/"
TODAY = d("2026-06-01")


def _history(org, *rows):
    OrganisationAttributes.objects.filter(organisation=org).delete()
    OrganisationAttributes.objects.bulk_create(
        OrganisationAttributes(organisation=org, valid_from=d(on), county=county,
                               population=population) for on, county, population in rows)


@pytest.fixture
def moved(db):
    """Moved from Vestfold to Telemark in 2024, grew from 4 900 to 5 100 inhabitants in 2025;
    the organisation's own fields are today's values."""
    org = OrganisationFactory(name="Flyttby kommune", county="Telemark", population=5_100)
    _history(org, ("2000-01-01", "Vestfold", 4_900), ("2024-01-01", "Telemark", 4_900),
             ("2025-01-01", "Telemark", 5_100))
    make_initiative(org, [("idea", "2023-02-01")], project=False)
    services.indicators_recompute(year=2023)
    services.indicators_recompute(year=2025)
    return org


def test_attributes_on_gives_the_values_in_force_on_a_day(moved):
    def on(day):
        org = attributes_on(type(moved).objects.filter(pk=moved.pk), d(day)).get()
        return org.period_county, org.period_population, org.period_size_class
    assert on("2023-12-31") == ("Vestfold", 4_900, "small")
    assert on("2024-12-31") == ("Telemark", 4_900, "small")
    assert on("2025-12-31") == ("Telemark", 5_100, "medium")
    # Before the history starts: the current values.
    _history(moved, ("2024-01-01", "Telemark", 4_900))
    assert on("2023-12-31") == ("Telemark", 5_100, "medium")


def test_list_shows_the_county_and_size_class_of_the_period(api_client, national_analyst,
                                                            moved):
    api_client.force_authenticate(national_analyst)
    for year, county, size in ((2023, "Vestfold", "small"), (2025, "Telemark", "medium")):
        [item] = api_client.get(URL, {"year": year}).json()["results"]
        assert item["organisation"]["county"] == county
        assert item["organisation"]["county_number"] == COUNTY_NUMBERS[county]
        assert item["organisation"]["size_class"] == size
        assert item["computed"] is True
        rows = list(csv.DictReader(io.StringIO(
            api_client.get(URL, {"year": year, "format": "csv"}).content.decode())))
        assert [(r["county"], r["county_number"], r["size_class"]) for r in rows] == [
            (county, COUNTY_NUMBERS[county], size)]
    # The filters select by the period's values too.
    assert api_client.get(URL, {"year": 2023, "county": "Vestfold"}).json()["count"] == 1
    assert api_client.get(URL, {"year": 2025, "county": "Vestfold"}).json()["count"] == 0
    assert api_client.get(URL, {"year": 2023, "size_class": "small"}).json()["count"] == 1
    assert api_client.get(URL, {"year": 2025, "size_class": "small"}).json()["count"] == 0


def test_summary_groups_by_the_values_of_the_period(api_client, national_analyst, moved):
    api_client.force_authenticate(national_analyst)

    def groups(year, group_by, **extra):
        body = api_client.get(URL + "summary/", {"year": year, "group_by": group_by, **extra})
        return {g["group"]: g["organisations"] for g in body.json()["results"]}
    assert groups(2023, "county") == {"Vestfold": 1}
    assert groups(2025, "county") == {"Telemark": 1}
    assert groups(2023, "size_class") == {"small": 1}
    assert groups(2025, "size_class") == {"medium": 1}
    assert groups(2023, "national", county="Telemark") == {"national": 0}
    csv_rows = list(csv.DictReader(io.StringIO(api_client.get(
        URL + "summary/", {"year": 2023, "group_by": "county", "format": "csv"}
    ).content.decode())))
    assert [(r["group"], r["code"]) for r in csv_rows] == [("Vestfold", COUNTY_NUMBERS["Vestfold"])]


def test_comparison_takes_peers_by_the_size_class_of_the_period(moved):
    size, county = comparison(moved, year=2023, quarter=0)
    assert "Liten" in size.title or "small" in size.title.lower()
    assert "Vestfold" in county.title


def test_the_list_costs_the_same_queries_with_a_longer_history(
        api_client, national_analyst, moved, django_assert_max_num_queries):
    api_client.force_authenticate(national_analyst)
    with django_assert_max_num_queries(6) as few:
        api_client.get(URL, {"year": 2023})
    for n in range(5):
        org = OrganisationFactory(population=1_000 + n)
        _history(org, ("2000-01-01", "Oslo", 900), ("2020-01-01", "Agder", 950),
                 ("2023-06-01", "Agder", 1_000 + n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api_client.get(URL, {"year": 2023}).json()["count"] == 6


def test_saving_an_organisation_dates_a_change_of_its_attributes(moved):
    moved.population = 5_300
    moved.save()
    moved.name = "Flyttby"
    moved.save()  # no change of county or population: no new row
    latest = moved.attribute_history.order_by("valid_from").last()
    assert moved.attribute_history.count() == 4
    assert (latest.county, latest.population, latest.size_class) == ("Telemark", 5_300, "medium")
    moved.record_attributes(d("2025-06-01"))
    assert moved.attribute_history.get(valid_from=d("2025-06-01")).population == 5_300


def _document(org) -> dict:
    """The organisation's part of the export (its initiatives are not this test's matter)."""
    document = json.loads("".join(export_portfolio(organisations=type(org).objects.filter(
        pk=org.pk))))
    return {**document, "initiatives": []}


def _import(doc, **kwargs):
    return import_portfolio(io.BytesIO(json.dumps(doc).encode()), today=TODAY, **kwargs)


def test_the_history_round_trips_through_export_and_import(moved):
    document = _document(moved)
    assert document["organisations"][0]["history"] == [
        {"from": "2000-01-01", "county": "Vestfold", "population": 4_900},
        {"from": "2024-01-01", "county": "Telemark", "population": 4_900},
        {"from": "2025-01-01", "county": "Telemark", "population": 5_100}]
    _history(moved, ("2000-01-01", "Telemark", 5_100))
    result = _import(document)
    assert result.organisations_updated == 1
    assert _document(moved) == document
    # Again: nothing changes.
    assert _import(document).organisations_updated == 0
    assert _document(moved) == document


def test_a_file_without_history_dates_changed_values_on_the_import_day(moved):
    document = _document(moved)
    row = document["organisations"][0]
    del row["history"]
    row["population"] = 5_400
    _import(document)
    latest = moved.attribute_history.order_by("valid_from").last()
    assert (latest.valid_from, latest.population) == (TODAY, 5_400)
    assert moved.attribute_history.count() == 4


def test_a_new_organisation_from_a_file_gets_its_history(db):
    org = OrganisationFactory(county="Agder", population=20_500)
    _history(org, ("2000-01-01", "Agder", 19_000),
             ("2022-01-01", "Agder", 20_500))
    document = _document(org)
    org.delete()
    assert _import(document).organisations_created == 1
    assert _document(type(org).objects.get(
        org_number=document["organisations"][0]["org_number"])) == document


@pytest.mark.parametrize("attributes, path", [
    ("not a list", "organisations[0].history"),
    ([1], "organisations[0].history[0]"),
    ([{"from": "2000-13-01", "county": "Telemark", "population": 5_100}],
     "organisations[0].history[0].from"),
    ([{"from": "2030-01-01", "county": "Telemark", "population": 5_100}],
     "organisations[0].history[0].from"),
    ([{"from": "2000-01-01", "county": "Atlantis", "population": 5_100}],
     "organisations[0].history[0].county"),
    ([{"from": "2000-01-01", "county": "Telemark", "population": -1}],
     "organisations[0].history[0].population"),
    ([{"from": "2000-01-01", "county": "Telemark", "population": 5_100},
      {"from": "2000-01-01", "county": "Telemark", "population": 5_100}],
     "organisations[0].history[1].from"),
    ([{"from": "2000-01-01", "county": "Vestfold", "population": 5_100}],
     "organisations[0].history"),
])
def test_a_bad_history_is_refused_naming_its_json_path(moved, attributes, path):
    document = _document(moved)
    document["organisations"][0]["history"] = attributes
    before = list(moved.attribute_history.values_list("valid_from", "county", "population"))
    with pytest.raises(ImportFailed) as failed:
        _import(document)
    assert any(error.startswith(path + ":") or error.startswith(path + " ")
               for error in failed.value.messages), failed.value.messages
    assert list(moved.attribute_history.values_list("valid_from", "county",
                                                     "population")) == before


def test_a_non_operator_cannot_rewrite_the_history(moved):
    from tests.factories import MembershipFactory, UserFactory

    admin = MembershipFactory(user=UserFactory(username="flytt_admin"), organisation=moved,
                              role="admin").user
    document = _document(moved)
    document["organisations"][0]["history"][0]["population"] = 4_000
    result = _import(document, actor=admin)
    assert any(w.startswith("organisations[0].attributes: differs") for w in result.warnings)
    assert moved.attribute_history.get(valid_from=d("2000-01-01")).population == 4_900


def test_analysis_ranks_per_1000_of_the_population_of_the_period(national_analyst, moved):
    from indicators.analysis import Filters, analysis

    for year, county, size, population in ((2023, "Vestfold", "small", 4_900),
                                           (2025, "Telemark", "medium", 5_100)):
        result = analysis(user=national_analyst,
                          filters=Filters(year=year, per_capita=True, measure="stock_points"))
        [row] = result.ranking
        assert (row.county, row.size_class, row.population) == (county, size, population)
        raw = moved.indicator_snapshots.get(year=year, quarter=0).stock_points
        assert row.value == pytest.approx(float(raw) * 1000 / population)
    only_2023 = analysis(user=national_analyst, filters=Filters(year=2023, county="Vestfold"))
    assert len(only_2023.ranking) == 1
    assert analysis(user=national_analyst,
                    filters=Filters(year=2025, county="Vestfold")).ranking == []


def test_the_key_attributes_is_read_as_history(moved):
    document = _document(moved)
    row = document["organisations"][0]
    row["attributes"] = row.pop("history")
    row["attributes"][0]["population"] = 4_800
    _import(document)
    assert moved.attribute_history.get(valid_from=d("2000-01-01")).population == 4_800
    row["history"] = row["attributes"]
    with pytest.raises(ImportFailed) as failed:
        _import(document)
    assert failed.value.messages[0].startswith("organisations[0].attributes:")


def test_a_history_that_says_only_the_current_values_is_left_out(db):
    org = OrganisationFactory(county="Agder", population=20_500)  # dated today on creation
    assert "history" not in _document(org)["organisations"][0]
    _history(org, ("2000-01-01", "Agder", 20_000))
    assert _document(org)["organisations"][0]["history"] == [
        {"from": "2000-01-01", "county": "Agder", "population": 20_000}]
