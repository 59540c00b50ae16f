"""An unexpected exception with DEBUG off: under /api/ the API's one error shape as JSON (it
was Django's HTML 500 page), elsewhere the site's error page."""

from unittest import mock

import pytest
from django.test import Client

from portal.api.views import MeView

BOOM = RuntimeError("boom")


@pytest.fixture
def debug_off(settings):
    settings.DEBUG = False


@pytest.fixture
def quiet_client():
    """A client that gets the 500 answer instead of the exception."""
    return Client(raise_request_exception=False)


def test_an_api_view_that_raises_answers_json_500(debug_off, quiet_client, employee):
    quiet_client.force_login(employee)
    with mock.patch.object(MeView, "get_object", side_effect=BOOM):
        response = quiet_client.get("/api/v1/me/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Det oppstod en feil hos oss. Feilen er logget.",
                               "code": "server_error", "errors": {}}


def test_a_token_client_gets_the_same_json_500(debug_off, employee):
    from portal.services import api_token_create

    _token, key = api_token_create(user=employee, name="test")
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {key}")
    with mock.patch.object(MeView, "get_object", side_effect=BOOM):
        response = client.get("/api/v1/me/")
    assert response.status_code == 500 and response.json()["code"] == "server_error"


def test_a_page_that_raises_answers_the_html_error_page(debug_off, quiet_client, employee):
    quiet_client.force_login(employee)
    with mock.patch("overview.views.user_context", side_effect=BOOM):
        response = quiet_client.get("/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "Noe gikk galt" in response.content.decode()
