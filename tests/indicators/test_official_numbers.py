"""Kommunenummer and fylkesnummer (issue 15): validated on the model (admin, forms) and in the
exchange format (optional, round-trips, errors by JSON path), carried by the exports."""

import json

import pytest
from django.core.exceptions import ValidationError

from exchange.exporter import export_portfolio
from exchange.importer import ImportFailed
from portal.models import Organisation
from tests.factories import OrganisationFactory
from tests.indicators.test_exchange import ORG_A, ORG_B, full_doc, run

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fields, error_field", [
    ({"municipality_number": "460"}, "municipality_number"),       # three digits
    ({"municipality_number": "46O1"}, "municipality_number"),      # a letter O
    ({"municipality_number": "４６０１"}, "municipality_number"),  # full-width digits
    ({"municipality_number": "3401"}, "municipality_number"),      # not Vestland's 46
    ({"county_number": "46"}, "county_number"),                    # not a county organisation
    ({"kind": "county", "county_number": "4"}, "county_number"),
    ({"kind": "county", "county_number": "34"}, "county_number"),  # Vestland is 46
    ({"kind": "health_trust", "municipality_number": "4601"}, "municipality_number"),
])
def test_model_refuses_wrong_official_numbers(fields, error_field):
    org = OrganisationFactory.build(county="Vestland", **fields)
    with pytest.raises(ValidationError) as info:
        org.full_clean()
    assert error_field in info.value.message_dict


def test_model_accepts_right_official_numbers_and_derives_the_county_code():
    bergen = OrganisationFactory.build(county="Vestland", municipality_number="4601")
    bergen.full_clean()
    county = OrganisationFactory.build(kind="county", county="Vestland", county_number="46")
    county.full_clean()
    assert bergen.county_code == county.county_code == "46"
    assert OrganisationFactory.build(county="").county_code == ""


def _with_numbers(doc):
    doc["organisations"][0]["municipality_number"] = "4601"
    doc["organisations"].append({"org_number": "974761319", "name": "Vestland fylkeskommune",
                                 "kind": "county", "county": "Vestland", "population": None,
                                 "county_number": "46"})
    return doc


def test_exchange_round_trips_the_official_numbers():
    doc = _with_numbers(full_doc())
    run(doc)
    assert Organisation.objects.get(org_number=ORG_A).municipality_number == "4601"
    exported = json.loads("".join(export_portfolio()))
    by_number = {o["org_number"]: o for o in exported["organisations"]}
    assert by_number[ORG_A]["municipality_number"] == "4601"
    assert by_number["974761319"]["county_number"] == "46"
    assert "municipality_number" not in by_number[ORG_B]  # optional: absent when unknown
    # A file without the numbers keeps them.
    run(full_doc())
    assert Organisation.objects.get(org_number=ORG_A).municipality_number == "4601"


@pytest.mark.parametrize("mutate, path, message", [
    (lambda doc: doc["organisations"][0].__setitem__("municipality_number", 4601),
     "organisations[0].municipality_number", "4 digits"),
    (lambda doc: doc["organisations"][0].__setitem__("municipality_number", "5001"),
     "organisations[0].municipality_number", "46"),
    (lambda doc: doc["organisations"][1].__setitem__("municipality_number", "4601"),
     "organisations[1].municipality_number", "also given to"),
    (lambda doc: doc["organisations"][2].__setitem__("county_number", "460"),
     "organisations[2].county_number", "2 digits"),
])
def test_exchange_refuses_wrong_official_numbers_by_path(mutate, path, message):
    doc = _with_numbers(full_doc())
    doc["organisations"][1]["county"] = "Vestland"
    mutate(doc)
    with pytest.raises(ImportFailed) as info:
        run(doc)
    assert any(m.startswith(path) and message in m for m in info.value.messages), \
        info.value.messages
    assert not Organisation.objects.filter(org_number=ORG_A).exists()


def test_exchange_refuses_a_number_another_organisation_holds():
    OrganisationFactory(county="Vestland", municipality_number="4601")
    with pytest.raises(ImportFailed) as info:
        run(_with_numbers(full_doc()))
    assert any(m.startswith("organisations[0].municipality_number") and "belongs to" in m
               for m in info.value.messages)
