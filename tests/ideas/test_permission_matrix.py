"""The permission matrix for every ideas page and API endpoint: members of the idea's
organisation, the outsider (admin of another municipality), and anonymous visitors.
Outsiders get 404, members without the right 403 (docs/architecture.md), and a refused write changes
nothing in the database."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ideas import services
from ideas.models import (
    Attachment,
    Campaign,
    Comment,
    Follow,
    Idea,
    IdeaEvent,
    ReviewerAssignment,
    Score,
    Support,
)
from initiatives.models import PhaseChange
from notifications.models import Notification
from portal.roles import Role
from projects.models import Project
from tests.consumers import run_consumers
from tests.factories import MembershipFactory, UserFactory
from tests.ideas.factories import make_campaign
from tests.worlds import shared_personas

PDF = b"%PDF-1.4\n%%EOF\n"
PERSONAS = ["employee", "project_leader", "manager", "coordinator", "admin", "outsider",
            "anonymous"]
SCREENERS = {"coordinator", "admin"}


def snapshot():
    """Every row an ideas write may touch (the notices once the events are consumed)."""
    run_consumers()
    return (
        list(Idea.objects.order_by("pk").values_list(
            "pk", "status", "title", "updated_at", "merged_into")),
        IdeaEvent.objects.count(), PhaseChange.objects.count(), Project.objects.count(),
        list(Support.objects.values_list("idea", "user").order_by("pk")),
        list(Follow.objects.values_list("idea", "user").order_by("pk")),
        list(Comment.objects.values_list("pk", "body", "deleted_at").order_by("pk")),
        list(Score.objects.values_list("pk", "value").order_by("pk")),
        ReviewerAssignment.objects.count(), Attachment.objects.count(),
        Campaign.objects.count(),
        list(Notification.objects.values_list("pk", "read_at").order_by("pk")),
    )


def _world(people: dict) -> dict:
    """An idea in review by a colleague (not one of the personas), with a comment by its
    author, an attachment, a second idea to merge into, and a campaign: built once for the
    module, each test starting from it (tests/worlds.py)."""
    home_org, coordinator = people["home_org"], people["coordinator"]
    author = MembershipFactory(user=UserFactory(username="forfatter"), organisation=home_org,
                               role=Role.EMPLOYEE).user
    ideas = []
    for title in ("Nattilsyn med sensor", "Sensorer om natten"):
        idea = services.idea_create(actor=author, organisation=home_org, title=title,
                                    need="Nattlige tilsyn vekker brukere")
        services.idea_submit(actor=author, idea=idea)
        services.idea_start_review(actor=coordinator, idea=idea)
        ideas.append(idea)
    idea, other = ideas
    comment = services.comment_add(actor=author, idea=idea, body="Mer om behovet")
    attachment = services.attachment_add(actor=author, idea=idea,
                                         upload=SimpleUploadedFile("plan.pdf", PDF))
    campaign = make_campaign(home_org, opens_on=idea.created_at.date(),
                             closes_on=idea.created_at.date())
    criteria = services.criteria_ensure_defaults(home_org)
    return {"idea": idea, "other": other, "comment": comment, "attachment": attachment,
            "campaign": campaign, "criteria": criteria, "author": author}


globals().update(shared_personas(build=_world))


# name → (method, url(world), data(world), who may, code when allowed, code when a member
# may not). Outsiders: 404 on everything about the idea; anonymous: to the login page.
MEMBERS = set(PERSONAS) - {"outsider", "anonymous"}
PAGES = {
    "detail": ("get", lambda w: reverse("ideas:detail", args=[w["idea"].pk]), None,
               MEMBERS, 200, None),
    "edit-form": ("get", lambda w: reverse("ideas:edit", args=[w["idea"].pk]), None,
                  SCREENERS, 200, 403),
    "edit": ("post", lambda w: reverse("ideas:edit", args=[w["idea"].pk]),
             lambda w: {"title": "Kapret", "need": "Nytt behov", "track": "full",
                        "visibility": "organisation"}, SCREENERS, 302, 403),
    "park": ("post", lambda w: reverse("ideas:transition", args=[w["idea"].pk]),
             lambda w: {"action": "park"}, SCREENERS, 302, 403),
    "approve": ("post", lambda w: reverse("ideas:transition", args=[w["idea"].pk]),
                lambda w: {"action": "approve"}, SCREENERS, 302, 403),
    "reject": ("post", lambda w: reverse("ideas:transition", args=[w["idea"].pk]),
               lambda w: {"action": "reject", "reason": "Nei"}, SCREENERS, 302, 403),
    "merge": ("post", lambda w: reverse("ideas:transition", args=[w["idea"].pk]),
              lambda w: {"action": "merge", "into": w["other"].pk}, SCREENERS, 302, 403),
    "assign": ("post", lambda w: reverse("ideas:assign", args=[w["idea"].pk]),
               lambda w: {"reviewer": w["author"].pk}, SCREENERS, 302, 403),
    "score": ("post", lambda w: reverse("ideas:score", args=[w["idea"].pk]),
              lambda w: {f"c{c.pk}": 3 for c in w["criteria"]}, SCREENERS, 302, 403),
    "support": ("post", lambda w: reverse("ideas:support", args=[w["idea"].pk]),
                lambda w: {"support": "1"}, MEMBERS, 302, None),
    "follow": ("post", lambda w: reverse("ideas:follow", args=[w["idea"].pk]),
               lambda w: {"follow": "1"}, MEMBERS, 302, None),
    "comment": ("post", lambda w: reverse("ideas:comment-add", args=[w["idea"].pk]),
                lambda w: {"body": "Godt forslag"}, MEMBERS, 302, None),
    "comment-edit-form": ("get", lambda w: reverse(
        "ideas:comment-edit", args=[w["idea"].pk, w["comment"].pk]), None, set(), 200, 403),
    "comment-edit": ("post", lambda w: reverse(
        "ideas:comment-edit", args=[w["idea"].pk, w["comment"].pk]),
        lambda w: {"body": "Omskrevet"}, set(), 302, 403),
    "comment-delete": ("post", lambda w: reverse(
        "ideas:comment-delete", args=[w["idea"].pk, w["comment"].pk]), lambda w: {},
        SCREENERS, 302, 403),
    "attachment-add": ("post", lambda w: reverse("ideas:attachment-add", args=[w["idea"].pk]),
                       lambda w: {"file": SimpleUploadedFile("mer.pdf", PDF)},
                       SCREENERS, 302, 403),
    "attachment": ("get", lambda w: reverse(
        "ideas:attachment", args=[w["idea"].pk, w["attachment"].pk]), None, MEMBERS, 200,
        None),
    "attachment-delete": ("post", lambda w: reverse(
        "ideas:attachment-delete", args=[w["idea"].pk, w["attachment"].pk]), lambda w: {},
        SCREENERS, 302, 403),
    "campaign": ("get", lambda w: reverse("ideas:campaign", args=[w["campaign"].pk]), None,
                 MEMBERS, 200, None),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", list(PAGES))
def test_pages(client, personas, world, name, persona):
    method, url, data, who, ok, refused = PAGES[name]
    if personas[persona] is not None:
        client.force_login(personas[persona])
    before = snapshot()
    response = getattr(client, method)(url(world), data(world) if data else None)
    if persona == "anonymous":
        assert response.status_code == 302 and "/login" in response["Location"]
        expected = None
    elif persona == "outsider":
        expected = 404
    elif persona in who:
        expected = ok
    else:
        expected = refused
    if expected is not None:
        assert response.status_code == expected, response.content[:300]
    if method == "post":
        if expected == ok:
            assert snapshot() != before  # the allowed write happened
            messages = [str(m) for m in response.wsgi_request._messages]
            assert messages and "ikke" not in messages[0].lower()
        else:
            assert snapshot() == before


# Pages about no particular idea: (who gets 200, everybody else's code)
GENERAL = {
    "ideas:list": (MEMBERS | {"outsider"}, None),
    "ideas:create": (MEMBERS | {"outsider"}, None),
    "ideas:similar": (MEMBERS | {"outsider"}, None),
    "ideas:campaigns": (MEMBERS | {"outsider"}, None),
    # the outsider screens in their own municipality
    "ideas:queue": (SCREENERS | {"outsider"}, 403),
    "ideas:campaign-create": (SCREENERS | {"outsider"}, 403),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", list(GENERAL))
def test_general_pages(client, personas, world, name, persona):
    who, refused = GENERAL[name]
    if personas[persona] is not None:
        client.force_login(personas[persona])
    response = client.get(reverse(name), {"title": "Nattilsyn sensor"})
    if persona == "anonymous":
        assert response.status_code == 302 and "/login" in response["Location"]
    else:
        assert response.status_code == (200 if persona in who else refused)
    if persona == "outsider" and response.status_code == 200:
        assert world["idea"].title not in response.content.decode()


URL = "/api/v1/ideas/"
API = {
    "list": ("get", lambda w: URL, None, MEMBERS | {"outsider"}, 200, None),
    "retrieve": ("get", lambda w: f"{URL}{w['idea'].pk}/", None, MEMBERS, 200, None),
    "update": ("patch", lambda w: f"{URL}{w['idea'].pk}/", lambda w: {"title": "Kapret"},
               SCREENERS, 200, 403),
    "put": ("put", lambda w: f"{URL}{w['idea'].pk}/",
            lambda w: {"title": "Kapret", "need": "Nytt"}, SCREENERS, 200, 403),
    "submit": ("post", lambda w: f"{URL}{w['idea'].pk}/submit/", lambda w: {}, set(), 200,
               403),
    "review": ("post", lambda w: f"{URL}{w['other'].pk}/park/", lambda w: {}, SCREENERS,
               200, 403),
    "approve": ("post", lambda w: f"{URL}{w['idea'].pk}/approve/", lambda w: {}, SCREENERS,
                200, 403),
    "reject": ("post", lambda w: f"{URL}{w['idea'].pk}/reject/", lambda w: {"reason": "Nei"},
               SCREENERS, 200, 403),
    "park": ("post", lambda w: f"{URL}{w['idea'].pk}/park/", lambda w: {}, SCREENERS, 200,
             403),
    "merge": ("post", lambda w: f"{URL}{w['idea'].pk}/merge/",
              lambda w: {"into": w["other"].pk}, SCREENERS, 200, 403),
    "support": ("post", lambda w: f"{URL}{w['idea'].pk}/support/", lambda w: {}, MEMBERS,
                201, None),
    "follow": ("post", lambda w: f"{URL}{w['idea'].pk}/follow/", lambda w: {}, MEMBERS,
               201, None),
    "comments": ("get", lambda w: f"{URL}{w['idea'].pk}/comments/", None, MEMBERS, 200,
                 None),
    "comment-add": ("post", lambda w: f"{URL}{w['idea'].pk}/comments/",
                    lambda w: {"body": "Bra"}, MEMBERS, 201, None),
    "comment-edit": ("patch", lambda w: f"{URL}{w['idea'].pk}/comments/{w['comment'].pk}/",
                     lambda w: {"body": "Omskrevet"}, set(), 200, 403),
    "comment-delete": ("delete",
                       lambda w: f"{URL}{w['idea'].pk}/comments/{w['comment'].pk}/",
                       None, SCREENERS, 204, 403),
    "scores": ("get", lambda w: f"{URL}{w['idea'].pk}/scores/", None, MEMBERS, 200, None),
    "score": ("post", lambda w: f"{URL}{w['idea'].pk}/scores/",
              lambda w: {"criterion": w["criteria"][0].pk, "value": 3}, SCREENERS, 201, 403),
    "reviewers": ("post", lambda w: f"{URL}{w['idea'].pk}/reviewers/",
                  lambda w: {"reviewer": "forfatter"}, SCREENERS, 201, 403),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", list(API))
def test_api(api_client, personas, world, name, persona):
    method, url, data, who, ok, refused = API[name]
    if personas[persona] is not None:
        api_client.force_authenticate(personas[persona])
    before = snapshot()
    response = getattr(api_client, method)(url(world), data(world) if data else None,
                                           format="json")
    if persona == "anonymous":
        expected = 401
    elif persona == "outsider" and name != "list":
        expected = 404
    elif persona in who:
        expected = ok
    else:
        expected = refused
    assert response.status_code == expected, response.content[:300]
    if method != "get":
        if expected == ok:
            assert snapshot() != before
        else:
            assert snapshot() == before
    if name == "list" and persona == "outsider":
        assert response.json()["results"] == []


def test_nobody_submits_into_another_municipality_from_the_form(client, outsider, home_org,
                                                                other_org):
    """The outsider names the home municipality in `org`: the idea lands in their own."""
    client.force_login(outsider)
    response = client.post(reverse("ideas:create"), {
        "org": home_org.org_number, "title": "Snikidé", "need": "Behov", "track": "full",
        "visibility": "organisation"})
    assert response.status_code == 302
    assert list(Idea.objects.filter(title="Snikidé").values_list("organisation", flat=True)
                ) == [other_org.pk]
