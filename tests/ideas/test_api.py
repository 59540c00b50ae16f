"""The ideas API: the same services as the pages, the permission matrix with nothing changed
on refusals, filters, and a constant number of queries."""

import pytest

from ideas import services
from ideas.models import Comment, Idea, IdeaEvent, Score, Support
from initiatives.models import PhaseChange
from projects.models import Project
from tests.ideas.factories import make_idea
from tests.worlds import shared_personas

URL = "/api/v1/ideas/"

# The personas, made once for the module (tests/worlds.py); each test makes its own ideas.
globals().update(shared_personas())


def client_for(api_client, user):
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


def snapshot():
    return (Idea.objects.count(), IdeaEvent.objects.count(), PhaseChange.objects.count(),
            Support.objects.count(), Comment.objects.count(), Score.objects.count(),
            list(Idea.objects.order_by("pk").values_list("status", flat=True)))


def test_create_and_submit_through_the_api(api_client, employee, home_org):
    response = client_for(api_client, employee).post(URL, {
        "title": "Medisindispenser", "need": "Feil medisinering hjemme", "submit": True,
        "tags": ["medisin"], "expected_user": 2}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted" and body["organisation"] == home_org.org_number
    assert body["tags"] == ["medisin"] and body["submitter"] == "employee"
    idea = Idea.objects.get()
    assert idea.initiative.phase == "idea"


def test_invalid_create_is_a_field_error_and_writes_nothing(api_client, employee):
    response = client_for(api_client, employee).post(URL, {"title": "X", "need": " "},
                                                     format="json")
    assert response.status_code == 400 and "need" in response.json()["errors"]
    assert not Idea.objects.exists()


def test_outsider_cannot_create_in_another_organisation(api_client, outsider, home_org):
    response = client_for(api_client, outsider).post(
        URL, {"title": "X", "need": "Y", "organisation": home_org.org_number}, format="json")
    assert response.status_code == 400 and not Idea.objects.exists()


# persona → expected status for: review (POST), retrieve (GET)
MATRIX = {
    "employee": (403, 200), "project_leader": (403, 200), "manager": (403, 200),
    "coordinator": (200, 200), "admin": (200, 200), "outsider": (404, 404),
    "anonymous": (401, 401),
}


@pytest.mark.parametrize("persona", list(MATRIX))
def test_permission_matrix_for_screening(api_client, personas, employee, home_org, persona):
    idea = make_idea(employee, home_org, status="submitted")
    api = client_for(api_client, personas[persona])
    review, retrieve = MATRIX[persona]
    assert api.get(f"{URL}{idea.pk}/").status_code == retrieve
    before = snapshot()
    response = api.post(f"{URL}{idea.pk}/review/")
    assert response.status_code == review
    if review != 200:
        assert snapshot() == before
    else:
        assert Idea.objects.get(pk=idea.pk).status == "in_review"


@pytest.mark.parametrize("persona, code", [("employee", 403), ("manager", 403),
                                           ("outsider", 404), ("anonymous", 401)])
def test_refused_approve_reject_merge_change_nothing(api_client, personas, employee,
                                                    coordinator, home_org, persona, code):
    idea = make_idea(employee, home_org, status="in_review", coordinator=coordinator)
    other = make_idea(employee, home_org, status="in_review", coordinator=coordinator)
    api = client_for(api_client, personas[persona])
    before = snapshot()
    assert api.post(f"{URL}{idea.pk}/approve/").status_code == code
    assert api.post(f"{URL}{idea.pk}/reject/", {"reason": "Nei"}).status_code == code
    assert api.post(f"{URL}{idea.pk}/merge/", {"into": other.pk}).status_code == code
    assert api.post(f"{URL}{idea.pk}/park/").status_code == code
    assert snapshot() == before and not Project.objects.exists()


def test_coordinator_flow_through_the_api(api_client, employee, coordinator, manager,
                                          home_org):
    idea = make_idea(employee, home_org, status="submitted")
    api = client_for(api_client, coordinator)
    assert api.post(f"{URL}{idea.pk}/review/").status_code == 200
    assert api.post(f"{URL}{idea.pk}/reviewers/", {"reviewer": "manager"}).status_code == 201
    scores = api.get(f"{URL}{idea.pk}/scores/").json()
    criterion = scores["criteria"][0]["id"]
    reviewer_api = client_for(type(api_client)(), manager)
    assert reviewer_api.post(f"{URL}{idea.pk}/scores/",
                             {"criterion": criterion, "value": 4}).status_code == 201
    summary = api.get(f"{URL}{idea.pk}/scores/").json()
    assert summary["criteria"][0]["average"] == 4.0 and len(summary["scores"]) == 1
    response = api.post(f"{URL}{idea.pk}/approve/", {"effective_date": "2025-05-02"})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    project = Project.objects.get(initiative=idea.initiative)
    assert str(project.initiative.phase_changes.latest("id").effective_date) == "2025-05-02"


def test_reject_without_reason_is_400(api_client, employee, coordinator, home_org):
    idea = make_idea(employee, home_org, status="in_review", coordinator=coordinator)
    response = client_for(api_client, coordinator).post(f"{URL}{idea.pk}/reject/", {})
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    assert Idea.objects.get(pk=idea.pk).status == "in_review"


def test_wrong_transition_is_400_and_repeat_is_409(api_client, employee, coordinator,
                                                   home_org):
    idea = make_idea(employee, home_org, status="submitted")
    api = client_for(api_client, coordinator)
    assert api.post(f"{URL}{idea.pk}/approve/").status_code == 400
    assert api.post(f"{URL}{idea.pk}/review/").status_code == 200
    assert api.post(f"{URL}{idea.pk}/review/").status_code == 409


def test_supports_and_comments(api_client, employee, manager, home_org):
    idea = make_idea(employee, home_org, status="submitted")
    api = client_for(api_client, manager)
    assert api.post(f"{URL}{idea.pk}/support/").status_code == 201
    assert api.post(f"{URL}{idea.pk}/support/").status_code == 409
    assert Support.objects.count() == 1
    response = api.post(f"{URL}{idea.pk}/comments/", {"body": "Bra!"})
    assert response.status_code == 201
    comment_id = response.json()["id"]
    assert api.patch(f"{URL}{idea.pk}/comments/{comment_id}/",
                     {"body": "Veldig bra!"}).status_code == 200
    other = client_for(type(api_client)(), employee)
    assert other.delete(f"{URL}{idea.pk}/comments/{comment_id}/").status_code == 403
    assert Comment.objects.get().deleted_at is None
    listed = api.get(f"{URL}{idea.pk}/comments/").json()
    assert listed[0]["body"] == "Veldig bra!" and listed[0]["author"] == "manager"
    assert api.get(URL).json()["results"][0]["support_count"] == 1


def test_update_by_author(api_client, employee, manager, home_org):
    idea = make_idea(employee, home_org)
    response = client_for(api_client, employee).patch(
        f"{URL}{idea.pk}/", {"welfare_area": "medication", "tags": ["dosett"]}, format="json")
    assert response.status_code == 200 and response.json()["tags"] == ["dosett"]
    idea = make_idea(employee, home_org, status="submitted", title="Annen")
    response = client_for(type(api_client)(), manager).patch(f"{URL}{idea.pk}/",
                                                             {"title": "Kapret"})
    assert response.status_code == 403 and Idea.objects.get(pk=idea.pk).title == "Annen"


def test_filters(api_client, employee, coordinator, home_org):
    make_idea(employee, home_org, status="submitted", title="Dørlås", tags=["lås"])
    make_idea(employee, home_org, status="in_review", coordinator=coordinator, title="Alarm")
    api = client_for(api_client, coordinator)
    assert [i["title"] for i in api.get(URL, {"status": "in_review"}).json()["results"]] == [
        "Alarm"]
    assert [i["title"] for i in api.get(URL, {"tag": "lås"}).json()["results"]] == ["Dørlås"]
    assert [i["title"] for i in api.get(URL, {"q": "alarm"}).json()["results"]] == ["Alarm"]
    assert [i["title"] for i in api.get(URL, {"sort": "title"}).json()["results"]] == [
        "Alarm", "Dørlås"]


def test_list_endpoint_has_a_constant_query_count(api_client, employee, manager, home_org,
                                                  django_assert_num_queries):
    def fill(n):
        for i in range(n):
            idea = make_idea(employee, home_org, status="submitted", title=f"Idé {i}",
                             tags=["a", f"t{i}"], is_anonymous=i % 2 == 0)
            services.idea_support(actor=manager, idea=idea)
            services.comment_add(actor=manager, idea=idea, body="Bra")

    api = client_for(api_client, manager)
    fill(2)
    api.get(URL)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert len(api.get(URL).json()["results"]) == 2
    fill(10)
    with django_assert_num_queries(len(small.captured_queries)):
        results = api.get(URL).json()["results"]
    assert len(results) == 12
    assert {(r["support_count"], r["comment_count"], len(r["tags"])) for r in results} == {
        (1, 1, 2)}


def test_only_screeners_back_date_a_submission(api_client, employee, coordinator, home_org):
    """A back-dated submission writes history (phase log, indicators) and could enter a
    campaign that has closed: an employee may not do it through the API."""
    import datetime

    from tests.ideas.factories import make_campaign

    closed = make_campaign(home_org, opens_on=datetime.date(2024, 1, 1),
                           closes_on=datetime.date(2024, 2, 1))
    idea = make_idea(employee, home_org, campaign=closed)
    before = snapshot()
    response = client_for(api_client, employee).post(
        f"{URL}{idea.pk}/submit/", {"effective_date": "2024-01-15"}, format="json")
    assert response.status_code == 400 and "effective_date" in response.json()["errors"]
    assert snapshot() == before
    mine = make_idea(coordinator, home_org, title="Koordinatorens egen", campaign=closed)
    response = client_for(type(api_client)(), coordinator).post(
        f"{URL}{mine.pk}/submit/", {"effective_date": "2024-01-15"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    today = client_for(type(api_client)(), employee).post(
        f"{URL}{make_idea(employee, home_org, title='I dag').pk}/submit/",
        {"effective_date": datetime.date.today().isoformat()}, format="json")
    assert today.status_code == 200
