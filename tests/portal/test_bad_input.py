"""Bad input gets a clear answer, never a 500 (issue 13): numbers in query and form parameters
parsed in one place (portal/params.py), NUL in form bodies, and deep or huge JSON bodies on
the API (portal/api/parsers.py). The sweep over every route is tests/security/test_input_sweep.py.
"""

import json

import pytest

from gevinst.models import Benefit
from ideas.models import Comment, ReviewerAssignment
from portal.api.parsers import MAX_DEPTH, nesting_depth
from portal.params import (
    ID_MAX,
    ParameterError,
    id_or_none,
    optional_id,
    parse_id,
    parse_id_list,
    parse_int,
    parse_year,
)
from projects.models import GateChecklistItem
from projects.services import checklists_ensure_defaults
from tests.ideas.factories import make_idea

MALFORMED = ["²", "١٢", "9" * 5000, str(ID_MAX + 1), "1e5", "NaN", " 1", "1.0", "0x10", "", None,
             "\x00"]


# --- the parser --------------------------------------------------------------------------------

@pytest.mark.parametrize("value", MALFORMED)
def test_ids_are_ascii_digits_in_the_bigint_range_and_the_error_names_the_parameter(value):
    with pytest.raises(ParameterError) as caught:
        parse_id(value, name="project")
    assert caught.value.errors == {"project": [caught.value.message]}
    assert "project" in caught.value.message


def test_valid_numbers_parse():
    assert parse_id("42", name="x") == 42
    assert parse_id(str(ID_MAX), name="x") == ID_MAX
    assert parse_int("-1", name="x", minimum=-5) == -1
    assert optional_id("", name="x") is None and optional_id(None, name="x") is None
    assert parse_id_list(["1,2", "3"], name="ids") == [1, 2, 3]
    assert parse_year("2024") == 2024


@pytest.mark.parametrize("value", ["0", "-1", "1999", "2101"])
def test_out_of_range_values_are_refused(value):
    with pytest.raises(ParameterError):
        parse_year(value) if len(value) == 4 else parse_id(value, name="x")


def test_a_garbled_filter_is_not_applied():
    assert id_or_none("²") is None and id_or_none("7") == 7
    with pytest.raises(ParameterError):
        parse_id_list(["1,²"], name="ids")
    with pytest.raises(ParameterError):
        parse_id_list(["1"] * 1001, name="ids")


# --- the views that parsed by hand ---------------------------------------------------------------

@pytest.mark.parametrize("value", ["²", "9" * 5000])
def test_similar_ideas_ignore_a_garbled_exclude(client, employee, value):
    client.force_login(employee)
    response = client.get("/ideas/similar/", {"title": "sensor", "exclude": value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["²", "9" * 5000, "-1"])
def test_the_benefit_export_refuses_a_garbled_project_naming_it(client, employee, value):
    client.force_login(employee)
    response = client.get("/benefits/export/", {"project": value})
    assert response.status_code == 400
    assert "project" in response.content.decode()


@pytest.mark.parametrize("value", ["²", "١٢", "9" * 5000, "1999"])
def test_the_report_refuses_a_garbled_year(client, manager, value):
    client.force_login(manager)
    response = client.get("/reports/portfolio/", {"year": value})
    assert response.status_code == 400
    assert "Ugyldig år" in response.content.decode()


@pytest.mark.parametrize("value", ["²", "9" * 5000, "abc"])
def test_a_garbled_reviewer_is_a_message_and_assigns_nobody(client, coordinator, employee,
                                                            home_org, value):
    idea = make_idea(employee, home_org, status="in_review", coordinator=coordinator)
    client.force_login(coordinator)
    response = client.post(f"/ideas/{idea.pk}/reviewers/", {"reviewer": value}, follow=True)
    assert response.status_code == 200
    assert "Velg en vurderer." in response.content.decode()
    assert not ReviewerAssignment.objects.exists()


@pytest.mark.parametrize("action", ["update", "retire"])
@pytest.mark.parametrize("value", ["abc", "²", "9" * 5000, ""])
def test_a_non_numeric_checklist_item_is_a_message_and_changes_nothing(client, manager,
                                                                       home_org, action, value):
    checklists_ensure_defaults(home_org)
    before = list(GateChecklistItem.objects.order_by("pk").values_list("text", "is_active"))
    client.force_login(manager)
    url = f"/projects/checklists/{home_org.org_number}/"
    response = client.post(url, {"action": action, "item": value, "text": "Nytt"}, follow=True)
    assert response.status_code == 200
    assert "Velg et punkt i sjekklisten." in response.content.decode()
    assert list(GateChecklistItem.objects.order_by("pk").values_list(
        "text", "is_active")) == before


def test_a_garbled_merge_target_is_a_message(client, coordinator, employee, home_org):
    idea = make_idea(employee, home_org, status="in_review", coordinator=coordinator)
    client.force_login(coordinator)
    response = client.post(f"/ideas/{idea.pk}/transition/", {"action": "merge", "into": "²"},
                           follow=True)
    assert response.status_code == 200
    idea.refresh_from_db()
    assert idea.status == "in_review"


# --- NUL in form bodies --------------------------------------------------------------------------

@pytest.mark.parametrize("content_type", ["urlencoded", "multipart"])
def test_nul_in_a_form_body_is_a_400_page_and_writes_nothing(client, employee, home_org,
                                                             content_type):
    idea = make_idea(employee, home_org, status="submitted")
    client.force_login(employee)
    url = f"/ideas/{idea.pk}/comments/"
    if content_type == "urlencoded":
        response = client.post(url, "body=Hei%00du",
                               content_type="application/x-www-form-urlencoded")
    else:
        response = client.post(url, {"body": "Hei\x00du"})
    assert response.status_code == 400
    assert "ugyldig tegn (NUL)" in response.content.decode()
    assert not Comment.objects.exists()


def test_nul_in_a_checklist_text_read_by_the_view_writes_nothing(client, manager, home_org):
    checklists_ensure_defaults(home_org)
    item = GateChecklistItem.objects.order_by("pk").first()
    client.force_login(manager)
    response = client.post(f"/projects/checklists/{home_org.org_number}/",
                           {"action": "update", "item": item.pk, "text": "A\x00B"})
    assert response.status_code == 400
    item.refresh_from_db()
    assert "\x00" not in item.text


def test_a_form_body_without_nul_passes(client, employee, home_org):
    idea = make_idea(employee, home_org, status="submitted")
    client.force_login(employee)
    client.post(f"/ideas/{idea.pk}/comments/", {"body": "Hei du"})
    assert Comment.objects.count() == 1


# --- JSON bodies on the API ----------------------------------------------------------------------

def test_nesting_depth_skips_brackets_in_strings():
    assert nesting_depth(b'{"a": [1, {"b": "[[[[{{{{"}]}') == 3
    assert nesting_depth(b'"\\"[[["') == 0
    assert nesting_depth(b"[" * 50_000) == 50_000


@pytest.mark.parametrize("url", ["/api/v1/ideas/", "/api/v1/indicators/jobs/", "/api/v1/benefits/"])
def test_a_deeply_nested_json_body_is_a_400_on_any_endpoint(token_client, manager, url):
    body = "[" * 100_000 + "]" * 100_000
    response = token_client(manager).post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert str(MAX_DEPTH) in response.json()["detail"]


def test_an_oversized_json_body_is_a_json_413_and_writes_nothing(token_client, manager,
                                                                  settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"title": "x" * 2000})
    response = token_client(manager).post("/api/v1/benefits/", body,
                                          content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Benefit.objects.exists()


def test_the_parser_itself_refuses_more_than_the_limit(settings):
    import io

    from rest_framework.exceptions import ParseError

    from portal.api.parsers import BoundedJSONParser

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    with pytest.raises(ParseError):
        BoundedJSONParser().parse(io.BytesIO(b'{"a": "0123456789"}'), "application/json")
    assert BoundedJSONParser().parse(io.BytesIO(b'{"a": 1}'), "application/json") == {"a": 1}


def test_a_bad_request_outside_drf_answers_json_under_the_api(client, settings):
    """handler400: a SuspiciousOperation Django raises before any view (too many fields)."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = client.get("/api/v1/me/?" + "&".join(f"f{i}=1" for i in range(10)))
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_ordinary_json_still_parses(token_client, employee, home_org):
    response = token_client(employee).post(
        "/api/v1/ideas/", json.dumps({"organisation": home_org.org_number, "title": "Idé",
                                      "need": "Behov [med {klammer}]"}),
        content_type="application/json")
    assert response.status_code == 201, response.content
