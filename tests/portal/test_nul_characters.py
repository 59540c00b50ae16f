"""A NUL character in the path or a query parameter is refused with 400 before any view runs:
PostgreSQL cannot hold it in text, so reaching a query with it was a 500 there (and the
browser and API clients deserve the same clear refusal on SQLite)."""

import pytest

from ideas.models import Idea


@pytest.mark.parametrize("url", ["/api/v1/portfolio/export/?organisation=%00",
                                 "/api/v1/ideas/?search=a%00b", "/api/v1/units/?a%00=1"])
def test_the_api_refuses_nul_in_the_query_with_its_json_error(token_client, manager, url):
    response = token_client(manager).get(url)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_pages_refuse_nul_in_the_query(client, employee):
    client.force_login(employee)
    response = client.get("/ideas/similar/", {"title": "sensor\x00"})
    assert response.status_code == 400


def test_a_write_with_nul_in_the_query_writes_nothing(client, employee):
    client.force_login(employee)
    response = client.post("/ideas/new/?org=%00", {"title": "Idé", "need": "Behov",
                                                   "track": "full",
                                                   "visibility": "organisation"})
    assert response.status_code == 400
    assert not Idea.objects.exists()


def test_ordinary_queries_pass(token_client, manager):
    assert token_client(manager).get("/api/v1/ideas/?search=sensor").status_code == 200
