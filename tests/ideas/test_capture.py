"""Create-and-submit is written once (issue 14): the idea form and the API's create both call
ideas.services.idea_capture(), which creates the draft, adds the attachment and submits it in
one transaction."""

import datetime

import pytest
from django.urls import reverse

from ideas import services
from ideas.models import Idea, IdeaStatus
from initiatives.models import PhaseChange
from tests.ideas.factories import make_campaign

FORM = {"title": "Fallsensor", "need": "Fall om natten", "track": "full",
        "visibility": "organisation"}


@pytest.fixture
def captured(monkeypatch):
    calls = []
    original = services.idea_capture

    def spy(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(services, "idea_capture", spy)
    return calls


@pytest.mark.django_db
@pytest.mark.parametrize("submit", [True, False])
def test_the_page_and_the_api_create_through_one_service(client, employee, home_org, captured,
                                                         submit):
    client.force_login(employee)
    page = client.post(reverse("ideas:create"), {**FORM, **({"submit": "1"} if submit else {})})
    assert page.status_code == 302
    api = client.post("/api/v1/ideas/", {"title": "Fallsensor", "need": "Fall om natten",
                                         "submit": submit}, content_type="application/json")
    assert api.status_code == 201, api.json()
    assert [call["submit"] for call in captured] == [submit, submit]
    expected = IdeaStatus.SUBMITTED if submit else IdeaStatus.DRAFT
    assert list(Idea.objects.values_list("status", flat=True)) == [expected, expected]
    assert PhaseChange.objects.filter(to_phase="idea").count() == (2 if submit else 0)


@pytest.mark.django_db
def test_a_refused_submission_leaves_no_draft(employee, home_org):
    today = datetime.date.today()
    closed = make_campaign(home_org, opens_on=today - datetime.timedelta(days=9),
                           closes_on=today - datetime.timedelta(days=1), title="Stengt")
    with pytest.raises(Exception):  # noqa: B017, PT011 - the campaign's DomainError
        services.idea_capture(actor=employee, organisation=home_org, submit=True,
                              title="Fallsensor", need="Fall om natten", campaign=closed)
    assert not Idea.objects.exists() and not PhaseChange.objects.exists()
