"""An API error is the JSON error shape (application/json) whatever format was asked for
(portal.api.base.JsonErrors): the CSV export, the schema in YAML or OpenAPI-JSON, a format
nobody serves. A spreadsheet or a schema tool must never read an error as data."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("path", "headers", "status"), [
    ("/api/schema/?lang=de", {}, 400),
    ("/api/schema/?lang=de", {"HTTP_ACCEPT": "application/yaml"}, 400),
    ("/api/schema/?version=3&format=json", {}, 400),
    ("/api/schema/?format=xml", {}, 404),
    ("/api/v1/indicators/?year=2025&format=csv", {}, 401),
    ("/api/v1/indicators/?year=2025", {"HTTP_ACCEPT": "text/csv"}, 401),
    ("/api/v1/indicators/?year=2025&format=xml", {}, 400),
    ("/api/v1/ideas/?format=xml", {}, 404),
])
def test_an_error_is_json_whatever_format_was_asked_for(path, headers, status):
    response = Client().get(path, **headers)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert set(body) == {"detail", "code", "errors"}


def test_a_success_keeps_the_format_asked_for():
    assert Client().get("/api/schema/")["Content-Type"].startswith("application/vnd.oai.openapi")
    assert Client().get("/api/schema/?format=json")["Content-Type"] == (
        "application/vnd.oai.openapi+json")
