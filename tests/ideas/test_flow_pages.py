"""The pages: the "done when" flow in the browser's terms, the permission matrix, the queue
tabs, campaigns, notices, and a constant query count on the list."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ideas import services
from ideas.models import (
    Attachment,
    Comment,
    Idea,
    IdeaEvent,
    ReviewerAssignment,
    Score,
    Support,
)
from initiatives.models import PhaseChange
from notifications.models import Notification
from projects.models import Project
from tests.consumers import run_consumers
from tests.ideas.factories import make_campaign, make_idea
from tests.worlds import shared_personas

PDF = b"%PDF-1.4\n%%EOF\n"

# The personas, made once for the module (tests/worlds.py); each test makes its own ideas.
globals().update(shared_personas())


def test_done_when(client, employee, coordinator, manager, home_org):
    # The employee submits an idea with an attachment.
    client.force_login(employee)
    response = client.post(reverse("ideas:create"), {
        "title": "Elektroniske dørlåser i hjemmetjenesten",
        "need": "Nøkkelhåndtering tar tid og er en sikkerhetsrisiko.", "track": "full",
        "visibility": "organisation", "tags": "dørlås, nøkler",
        "attachment": SimpleUploadedFile("Nøkkelrutiner.pdf", PDF), "submit": "1"})
    idea = Idea.objects.get()
    assert response.status_code == 302 and idea.status == "submitted"
    assert idea.attachments.get().original_name == "Nøkkelrutiner.pdf"
    # The coordinator sees it in the queue, takes it up, assigns a reviewer, scores.
    client.force_login(coordinator)
    assert idea in client.get(reverse("ideas:queue")).context["page"].object_list
    client.post(reverse("ideas:transition", args=[idea.pk]), {"action": "review"})
    client.post(reverse("ideas:assign", args=[idea.pk]), {"reviewer": manager.pk})
    assert ReviewerAssignment.objects.filter(idea=idea, reviewer=manager).exists()
    page = client.get(reverse("ideas:detail", args=[idea.pk]))
    form = page.context["score_form"]
    client.post(reverse("ideas:score", args=[idea.pk]), {name: 4 for name in form.fields})
    assert Score.objects.filter(idea=idea, reviewer=coordinator).count() == 3
    # The reviewer finds it under "not scored by me" and scores too.
    client.force_login(manager)
    queue = client.get(reverse("ideas:queue"), {"tab": "unscored"})
    assert list(queue.context["page"].object_list) == [idea]
    client.post(reverse("ideas:score", args=[idea.pk]), {name: 2 for name in form.fields})
    page = client.get(reverse("ideas:detail", args=[idea.pk]))
    assert page.context["summary"][0].average == 3.0
    assert page.context["summary"][0].stdev == 1.0
    # The coordinator approves: a project exists.
    client.force_login(coordinator)
    client.post(reverse("ideas:transition", args=[idea.pk]), {"action": "approve"})
    idea.refresh_from_db()
    assert idea.status == "approved"
    assert Project.objects.get(initiative=idea.initiative).initiative.phase == "concept"
    # The submitter got notices (the notification centre, its count in the header), once the
    # events are consumed after their commits.
    run_consumers()
    client.force_login(employee)
    centre = client.get(reverse("notifications:centre"))
    notices = centre.context["notices"]
    assert [v.notice.event.data["new"] for v in notices] == ["approved", "in_review"]
    assert centre.context["unread_notifications"] == 2
    client.post(reverse("notifications:read-all"))
    assert not Notification.objects.filter(user=employee, read_at__isnull=True)


def snapshot():
    return (Idea.objects.count(), IdeaEvent.objects.count(), PhaseChange.objects.count(),
            Support.objects.count(), Comment.objects.count(), Score.objects.count(),
            ReviewerAssignment.objects.count(), Attachment.objects.count(),
            list(Idea.objects.order_by("pk").values_list("status", flat=True)))


# persona → (detail page, queue, coordinator action)
PAGE_MATRIX = {
    "employee": (200, 403, "refused"), "project_leader": (200, 403, "refused"),
    "manager": (200, 403, "refused"), "coordinator": (200, 200, "done"),
    "admin": (200, 200, "done"), "outsider": (404, 200, 404), "anonymous": (302, 302, 302),
}


@pytest.mark.parametrize("persona", list(PAGE_MATRIX))
def test_page_permission_matrix(client, personas, employee, coordinator, home_org, persona):
    idea = make_idea(employee, home_org, status="in_review", coordinator=coordinator)
    user = personas[persona]
    if user is not None:
        client.force_login(user)
    detail, queue, action = PAGE_MATRIX[persona]
    assert client.get(reverse("ideas:detail", args=[idea.pk])).status_code == detail
    response = client.get(reverse("ideas:queue"))
    assert response.status_code == queue
    if queue == 200:  # the outsider screens in their own municipality, not here
        assert (idea in response.context["page"].object_list) is (persona != "outsider")
    before = snapshot()
    responses = [
        client.post(reverse("ideas:transition", args=[idea.pk]), {"action": "park"}),
        client.post(reverse("ideas:assign", args=[idea.pk]), {"reviewer": employee.pk}),
    ]
    if action == "done":
        assert Idea.objects.get(pk=idea.pk).status == "parked"
        return
    assert snapshot() == before
    if action != "refused":
        assert {r.status_code for r in responses} == {action}


def test_list_page_query_count_is_constant(client, employee, manager, home_org,
                                           django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def fill(n, start):
        for i in range(start, start + n):
            idea = make_idea(employee, home_org, status="submitted", title=f"Idé {i}",
                             tags=[f"t{i}"])
            services.idea_support(actor=manager, idea=idea)
            services.comment_add(actor=manager, idea=idea, body="Bra")

    fill(2, 0)
    client.force_login(manager)
    client.get(reverse("ideas:list"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("ideas:list"))
    fill(10, 2)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("ideas:list"))
    assert len(response.context["page"].object_list) == 12
    row = response.context["page"].object_list[0]
    assert (row.support_count, row.comment_count) == (1, 1)


def test_list_filters_sort_and_paginate_without_javascript(client, employee, coordinator,
                                                          home_org):
    for i in range(27):
        make_idea(employee, home_org, status="submitted", title=f"Idé {i:02d}")
    make_idea(employee, home_org, status="in_review", coordinator=coordinator,
              title="Sensor", target_group="nursing_home", tags=["sensor"])
    client.force_login(coordinator)
    first = client.get(reverse("ideas:list"), {"sort": "title"})
    assert len(first.context["page"].object_list) == 25
    assert first.context["page"].object_list[0].title == "Idé 00"
    page2 = client.get(reverse("ideas:list"), {"sort": "title", "page": 2})
    assert [i.title for i in page2.context["page"].object_list] == ["Idé 25", "Idé 26",
                                                                   "Sensor"]
    assert "sort=title&amp;page=1" in page2.content.decode()
    for params in ({"status": "in_review"}, {"target_group": "nursing_home"},
                   {"tag": "sensor"}, {"q": "senso"}):
        listed = client.get(reverse("ideas:list"), params).context["page"].object_list
        assert [i.title for i in listed] == ["Sensor"], params


def test_create_form_warns_and_suggests_similar_after_a_failed_post(client, employee,
                                                                    home_org):
    make_idea(employee, home_org, status="submitted", title="Medisindispenser med varsling",
              need="Brukere glemmer medisinene")
    client.force_login(employee)
    page = client.get(reverse("ideas:create")).content.decode()
    assert "personlige helseopplysninger" in page and 'hx-get="/ideas/similar/"' in page
    response = client.post(reverse("ideas:create"), {"title": "Medisindispenser varsling",
                                                     "need": "", "submit": "1"})
    assert response.status_code == 400
    assert "Medisindispenser med varsling" in response.content.decode()


def test_rejection_reason_is_shown_to_the_submitter(client, employee, coordinator, home_org):
    idea = make_idea(employee, home_org, status="in_review", coordinator=coordinator)
    client.force_login(coordinator)
    client.post(reverse("ideas:transition", args=[idea.pk]),
                {"action": "reject", "reason": "Dekkes av eksisterende avtale"})
    client.force_login(employee)
    page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert "Dekkes av eksisterende avtale" in page


def test_merge_from_the_page(client, employee, coordinator, home_org):
    keep = make_idea(employee, home_org, status="in_review", coordinator=coordinator)
    merged = make_idea(employee, home_org, status="in_review", coordinator=coordinator)
    client.force_login(coordinator)
    client.post(reverse("ideas:transition", args=[merged.pk]),
                {"action": "merge", "into": keep.pk})
    merged.refresh_from_db()
    assert merged.status == "merged" and merged.merged_into == keep


def test_support_follow_and_comment_from_the_page(client, employee, manager, coordinator,
                                                  home_org):
    idea = make_idea(employee, home_org, status="submitted")
    client.force_login(manager)
    client.post(reverse("ideas:support", args=[idea.pk]), {"support": "1"})
    client.post(reverse("ideas:comment-add", args=[idea.pk]), {"body": "Vi trenger dette"})
    comment = Comment.objects.get()
    assert Support.objects.filter(idea=idea, user=manager).exists()
    edit = reverse("ideas:comment-edit", args=[idea.pk, comment.pk])
    assert client.get(edit).status_code == 200
    client.post(edit, {"body": "Vi trenger dette nå"})
    client.force_login(employee)
    assert client.get(edit).status_code == 403
    client.post(reverse("ideas:comment-delete", args=[idea.pk, comment.pk]))
    assert Comment.objects.get().deleted_at is None
    client.force_login(coordinator)
    client.post(reverse("ideas:comment-delete", args=[idea.pk, comment.pk]))
    page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert "Vi trenger dette nå" not in page and "Kommentaren er slettet" in page


def test_campaigns(client, employee, coordinator, home_org):
    client.force_login(employee)
    assert client.get(reverse("ideas:campaign-create")).status_code == 403
    client.force_login(coordinator)
    today = datetime.date.today()
    response = client.post(reverse("ideas:campaign-create"), {
        "title": "Færre fall", "description": "Hvordan forebygger vi fall?",
        "opens_on": today - datetime.timedelta(days=1),
        "closes_on": today + datetime.timedelta(days=30)})
    assert response.status_code == 302
    from ideas.models import Campaign

    campaign = Campaign.objects.get()
    make_idea(employee, home_org, status="submitted", campaign=campaign, on=None)
    make_idea(employee, home_org, status="in_review", campaign=campaign,
              coordinator=coordinator, on=None)
    page = client.get(reverse("ideas:campaign", args=[campaign.pk]))
    counts = dict(page.context["counts"])
    assert counts["Sendt inn"] == 1 and counts["Til vurdering"] == 1
    assert page.context["total"] == 2
    bad = client.post(reverse("ideas:campaign-create"), {
        "title": "Feil", "description": "x", "opens_on": today, "closes_on":
        today - datetime.timedelta(days=1)})
    assert bad.status_code == 400 and Campaign.objects.count() == 1


def test_campaign_of_another_municipality_is_404(client, outsider, home_org):
    campaign = make_campaign(home_org, opens_on=datetime.date(2026, 1, 1),
                             closes_on=datetime.date(2026, 12, 31))
    client.force_login(outsider)
    assert client.get(reverse("ideas:campaign", args=[campaign.pk])).status_code == 404


def test_campaign_counts_per_status_and_no_colleagues_drafts(client, employee, manager,
                                                              coordinator, home_org):
    today = datetime.date.today()
    campaign = make_campaign(home_org, opens_on=today, closes_on=today)
    make_idea(employee, home_org, campaign=campaign)  # a draft: the author's own business
    make_idea(employee, home_org, status="submitted", campaign=campaign, on=None)
    for _ in range(2):
        make_idea(employee, home_org, status="in_review", campaign=campaign,
                  coordinator=coordinator, on=None)
    client.force_login(manager)
    listing = client.get(reverse("ideas:campaigns"))
    assert [c.idea_count for c in listing.context["campaigns"]] == [3]
    page = client.get(reverse("ideas:campaign", args=[campaign.pk]))
    counts = dict(page.context["counts"])
    assert (counts["Utkast"], counts["Sendt inn"], counts["Til vurdering"]) == (0, 1, 2)
    assert page.context["total"] == 3 and page.context["is_open"]


def test_only_open_campaigns_are_offered_and_accept_ideas(client, employee, home_org):
    today = datetime.date.today()
    open_ = make_campaign(home_org, opens_on=today, closes_on=today, title="Åpen")
    closed = make_campaign(home_org, opens_on=today - datetime.timedelta(days=9),
                           closes_on=today - datetime.timedelta(days=1), title="Stengt")
    client.force_login(employee)
    form = client.get(reverse("ideas:create")).context["form"]
    assert list(form.fields["campaign"].queryset) == [open_]
    response = client.post(reverse("ideas:create"), {
        "title": "Fallsensor", "need": "Fall om natten", "track": "full",
        "visibility": "organisation", "campaign": closed.pk, "submit": "1"})
    assert response.status_code == 400 and not Idea.objects.exists()
    api = client.post("/api/v1/ideas/", {"title": "Fallsensor", "need": "Fall om natten",
                                         "campaign": closed.pk, "submit": True},
                      content_type="application/json")
    assert api.status_code == 400 and "campaign" in api.json()["errors"]
    assert not Idea.objects.exists() and not PhaseChange.objects.exists()


def test_a_failed_post_also_suggests_similar_projects(client, employee, coordinator,
                                                      home_org):
    """Without JavaScript the form shows known projects as well as ideas (issue 3)."""
    idea = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                     title="Medisindispenser med varsling", need="Brukere glemmer medisiner")
    project = services.idea_approve(actor=coordinator, idea=idea)
    client.force_login(employee)
    response = client.post(reverse("ideas:create"), {"title": "Medisindispenser varsling",
                                                     "need": ""})
    assert response.status_code == 400
    assert response.context["similar_projects"] == [project]
    assert "Lignende prosjekter" in response.content.decode()
