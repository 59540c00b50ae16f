"""The notices API: own notices only, scoped like the centre, marking read through the
service, in the OpenAPI schema, constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from ideas import services as idea_services
from notifications.models import Notification
from tests.consumers import run_consumers
from tests.ideas.factories import make_idea


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def notices_for(employee, coordinator, home_org, n):
    for i in range(n):
        idea = make_idea(employee, home_org, status="submitted", title=f"Idé {i}")
        idea_services.idea_start_review(actor=coordinator, idea=idea)
    run_consumers()


def test_lists_own_notices_with_rendered_text(employee, coordinator, manager, home_org):
    notices_for(employee, coordinator, home_org, 1)
    body = api(employee).get("/api/v1/notifications/").json()
    [item] = body["results"]
    assert item["about"] == "idea" and item["title"] == "Idé 0"
    assert item["text"].startswith("Status endret") and item["read_at"] is None
    assert api(manager).get("/api/v1/notifications/").json()["results"] == []


def test_anonymous_is_refused(client):
    assert APIClient().get("/api/v1/notifications/").status_code in (401, 403)


def test_mark_one_and_all_read(employee, coordinator, manager, home_org):
    notices_for(employee, coordinator, home_org, 2)
    first, second = Notification.objects.order_by("pk")
    # Another user's notice is not found, and stays unread.
    assert api(manager).post(f"/api/v1/notifications/{first.pk}/read/").status_code == 404
    assert api(employee).post(f"/api/v1/notifications/{first.pk}/read/").json() == {
        "marked": 1}
    unread = api(employee).get("/api/v1/notifications/?unread=1").json()["results"]
    assert [n["id"] for n in unread] == [second.pk]
    assert api(employee).post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_constant_queries(employee, coordinator, home_org, django_assert_num_queries):
    notices_for(employee, coordinator, home_org, 1)
    client = api(employee)
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/notifications/")
    notices_for(employee, coordinator, home_org, 15)
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(client.get("/api/v1/notifications/").json()["results"]) == 16


@pytest.mark.django_db
def test_in_the_schema(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/notifications/" in schema and "/api/v1/notifications/read-all/" in schema
