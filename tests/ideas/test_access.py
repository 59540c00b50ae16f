"""Who sees which idea: organisation, network and public visibility, drafts, confidential
ideas, and anonymous submitters — on pages and in the API."""

import pytest
from django.urls import reverse

from ideas.access import ideas_visible_to
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.ideas.factories import make_idea


@pytest.fixture
def stranger(db):
    """A member of a third municipality outside every network."""
    org = OrganisationFactory(name="Fjernby kommune")
    return MembershipFactory(user=UserFactory(username="stranger"), organisation=org).user


@pytest.mark.parametrize("visibility, confidential, outsider_sees, stranger_sees", [
    ("organisation", False, False, False),
    ("network", False, True, False),
    ("public", False, True, True),
    ("network", True, False, False),
])
def test_visibility(employee, manager, outsider, stranger, home_org, network, visibility,
                    confidential, outsider_sees, stranger_sees):
    idea = make_idea(employee, home_org, status="submitted", visibility=visibility,
                     is_confidential=confidential)
    assert idea in ideas_visible_to(manager)
    assert (idea in ideas_visible_to(outsider)) is outsider_sees
    assert (idea in ideas_visible_to(stranger)) is stranger_sees


def test_shared_drafts_stay_with_their_author(employee, manager, outsider, home_org, network):
    draft = make_idea(employee, home_org, visibility="public")
    assert draft in ideas_visible_to(employee)
    assert draft not in ideas_visible_to(manager)
    assert draft not in ideas_visible_to(outsider)


@pytest.fixture
def anonymous_idea(home_org, network):
    author = UserFactory(username="hemmelig", first_name="Hemmelig", last_name="Person")
    MembershipFactory(user=author, organisation=home_org)
    idea = make_idea(author, home_org, status="submitted", is_anonymous=True,
                     visibility="network")
    from ideas import services

    services.comment_add(actor=author, idea=idea, body="Jeg kan fortelle mer")
    return idea


@pytest.mark.parametrize("persona, sees", [
    ("employee", False), ("manager", False), ("project_leader", False), ("outsider", False),
    ("coordinator", True), ("admin", True),
])
def test_anonymous_submitter_never_leaks(client, personas, anonymous_idea, persona, sees):
    user = personas[persona]
    client.force_login(user)
    page = client.get(reverse("ideas:detail", args=[anonymous_idea.pk])).content.decode()
    api = client.get(f"/api/v1/ideas/{anonymous_idea.pk}/").json()
    listing = client.get("/api/v1/ideas/").json()["results"]
    comments = client.get(f"/api/v1/ideas/{anonymous_idea.pk}/comments/").json()
    assert ("Hemmelig Person" in page) is sees
    assert (api["submitter"] == "hemmelig") is sees
    assert (listing[0]["submitter"] == "hemmelig") is sees
    assert (comments[0]["author"] == "hemmelig") is sees
    if not sees:
        assert "hemmelig" not in page.lower()
        assert api["submitter"] is None and listing[0]["submitter"] is None
