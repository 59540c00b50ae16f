"""What must never leak: the anonymous submitter (also after a merge, in notices and e-mails
and in the portfolio export) and confidential ideas (also to followers from a partner
municipality, who followed while the idea was shared)."""

import json

import pytest
from django.urls import reverse

from exchange.exporter import export_portfolio
from ideas import services
from ideas.models import Idea
from notifications.models import Notification
from tests.consumers import run_consumers
from tests.factories import MembershipFactory, UserFactory
from tests.ideas.factories import make_idea
from tests.notifications.helpers import send_notice_mail


@pytest.fixture
def secret_author(home_org):
    user = UserFactory(username="hemmelig", first_name="Hemmelig", last_name="Person",
                       email="hemmelig@example.no")
    MembershipFactory(user=user, organisation=home_org)
    return user


@pytest.fixture
def merged_pair(secret_author, employee, coordinator, home_org):
    """An anonymous idea, commented on by its own submitter, merged into a named one."""
    anonymous = make_idea(secret_author, home_org, status="in_review", coordinator=coordinator,
                          title="Anonym idé", is_anonymous=True)
    services.comment_add(actor=secret_author, idea=anonymous, body="Jeg kan fortelle mer")
    survivor = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                         title="Navngitt idé")
    services.idea_merge(actor=coordinator, idea=anonymous, into=survivor)
    return anonymous, survivor


@pytest.mark.parametrize("persona, sees", [
    ("employee", False), ("manager", False), ("project_leader", False),
    ("coordinator", True), ("admin", True),
])
def test_merge_does_not_reveal_the_anonymous_submitter_on_the_survivor(
        client, personas, merged_pair, persona, sees):
    _anonymous, survivor = merged_pair
    client.force_login(personas[persona])
    page = client.get(reverse("ideas:detail", args=[survivor.pk])).content.decode()
    comments = client.get(f"/api/v1/ideas/{survivor.pk}/comments/").json()
    assert "Jeg kan fortelle mer" in page  # the comment moved with the merge
    assert ("Hemmelig Person" in page) is sees
    assert (comments[0]["author"] == "hemmelig") is sees
    if not sees:
        assert comments[0]["author"] is None and "hemmelig" not in page.lower()


def test_notices_and_e_mails_about_an_anonymous_idea_name_nobody(
        secret_author, manager, coordinator, home_org, mailoutbox):
    idea = make_idea(secret_author, home_org, status="submitted", is_anonymous=True)
    services.idea_follow(actor=manager, idea=idea)
    services.idea_start_review(actor=coordinator, idea=idea)
    run_consumers()
    send_notice_mail()
    to_manager = next(m for m in mailoutbox if m.to == [manager.email])
    assert "Hemmelig" not in to_manager.body + to_manager.subject
    assert "hemmelig" not in to_manager.body.lower()


def test_the_portfolio_export_has_no_submitter(secret_author, coordinator, home_org):
    idea = make_idea(secret_author, home_org, status="in_review", coordinator=coordinator,
                     is_anonymous=True)
    document = "".join(export_portfolio(organisations=type(home_org).objects.filter(
        pk=home_org.pk)))
    assert idea.title in document
    assert "hemmelig" not in document.lower()
    assert "submitter" not in json.loads(document)["initiatives"][0]


@pytest.fixture
def shared_then_confidential(employee, coordinator, outsider, home_org, network):
    """A network idea that the partner municipality's admin followed; then it is made
    confidential (pending a patent)."""
    idea = make_idea(employee, home_org, status="submitted", visibility="network")
    services.idea_follow(actor=outsider, idea=idea)
    services.idea_update(actor=coordinator, idea=idea, is_confidential=True)
    return idea


def test_confidential_idea_tells_nothing_to_an_outside_follower(
        shared_then_confidential, employee, coordinator, outsider, mailoutbox):
    idea = shared_then_confidential
    assert Idea.objects.get(pk=idea.pk).visibility == "organisation"
    services.idea_start_review(actor=coordinator, idea=idea)
    event = idea.events.latest("id")
    run_consumers()
    send_notice_mail()
    assert not Notification.objects.filter(user=outsider).exists()
    assert Notification.objects.filter(user=employee, idea_event=event).exists()
    assert [m.to for m in mailoutbox] == [[employee.email]]


def test_the_e_mail_task_asks_again_when_it_runs(
        employee, coordinator, outsider, home_org, network, mailoutbox):
    """Notice written while shared, idea made confidential before the worker ran."""
    idea = make_idea(employee, home_org, status="submitted", visibility="network")
    services.idea_follow(actor=outsider, idea=idea)
    services.idea_start_review(actor=coordinator, idea=idea)
    event = idea.events.latest("id")
    run_consumers()
    assert Notification.objects.filter(user=outsider, idea_event=event).exists()
    Idea.objects.filter(pk=idea.pk).update(is_confidential=True, visibility="organisation")
    send_notice_mail()
    assert outsider.email not in [m.to[0] for m in mailoutbox]
    assert employee.email in [m.to[0] for m in mailoutbox]


def test_in_app_notices_of_ideas_no_longer_visible_are_not_listed(
        client, employee, coordinator, outsider, home_org, network):
    idea = make_idea(employee, home_org, status="submitted", visibility="network")
    services.idea_follow(actor=outsider, idea=idea)
    services.idea_start_review(actor=coordinator, idea=idea)
    run_consumers()
    client.force_login(outsider)
    assert client.get(reverse("notifications:centre")).context["notices"]
    Idea.objects.filter(pk=idea.pk).update(is_confidential=True, visibility="organisation")
    response = client.get(reverse("notifications:centre"))
    assert response.context["notices"] == []
    assert idea.title not in response.content.decode()


def test_patching_the_visibility_of_a_confidential_idea_keeps_it_inside(
        api_client, employee, home_org):
    """Before: an IntegrityError (500) from the check constraint."""
    idea = make_idea(employee, home_org, is_confidential=True)
    api_client.force_authenticate(employee)
    response = api_client.patch(f"/api/v1/ideas/{idea.pk}/", {"visibility": "public"},
                                format="json")
    assert response.status_code == 200
    assert Idea.objects.get(pk=idea.pk).visibility == "organisation"


def test_only_the_submitter_may_lift_the_anonymity(client, api_client, secret_author,
                                                   coordinator, home_org):
    """A coordinator may edit the idea, but not reveal its submitter to everyone."""
    idea = make_idea(secret_author, home_org, status="submitted", is_anonymous=True)
    events = idea.events.count()
    api_client.force_authenticate(coordinator)
    response = api_client.patch(f"/api/v1/ideas/{idea.pk}/", {"is_anonymous": False},
                                format="json")
    assert response.status_code == 403
    assert Idea.objects.get(pk=idea.pk).is_anonymous and idea.events.count() == events
    client.force_login(coordinator)
    form = client.get(reverse("ideas:edit", args=[idea.pk])).context["form"]
    assert "is_anonymous" not in form.fields and "title" in form.fields
    client.post(reverse("ideas:edit", args=[idea.pk]), {
        "title": "Ny tittel", "need": idea.need, "track": "full",
        "visibility": "organisation"})
    idea.refresh_from_db()
    assert idea.title == "Ny tittel" and idea.is_anonymous
    services.idea_update(actor=secret_author, idea=idea, is_anonymous=False)
    assert not Idea.objects.get(pk=idea.pk).is_anonymous


def test_tags_of_ideas_one_may_not_see_are_unknown_to_the_filter(
        api_client, employee, outsider, home_org, other_org):
    """`?tag=` must not tell whether another municipality uses a tag (a patent project's
    code name, say): such a tag is refused exactly like one that does not exist."""
    make_idea(employee, home_org, status="submitted", tags=["prosjekt-x"],
              is_confidential=True)
    theirs = make_idea(outsider, other_org, status="submitted", tags=["felles"])
    api_client.force_authenticate(outsider)
    hidden = api_client.get("/api/v1/ideas/", {"tag": "prosjekt-x"})
    missing = api_client.get("/api/v1/ideas/", {"tag": "finnes-ikke"})
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == missing.json()
    mine = api_client.get("/api/v1/ideas/", {"tag": "felles"}).json()["results"]
    assert [i["id"] for i in mine] == [theirs.pk]
