import pytest
from django.urls import reverse

from ideas.models import Idea
from projects.models import Project
from tests.factories import MembershipFactory, UserFactory

FORM = {"title": "Sensor for fall om natten", "need": "Fall oppdages for sent på natta.",
        "unit": "", "solution": "", "visibility": "organisation", "track": "full"}


def test_employee_submits_coordinator_approves_and_a_project_exists(client, employee,
                                                                     coordinator, home_org):
    client.force_login(employee)
    response = client.post(reverse("ideas:create"), {**FORM, "submit": "1"})
    idea = Idea.objects.get()
    assert response.status_code == 302 and idea.status == "submitted"
    assert idea.submitter == employee and idea.organisation == home_org

    client.force_login(coordinator)
    queue = client.get(reverse("ideas:queue"))
    assert idea in queue.context["page"].object_list
    url = reverse("ideas:transition", args=[idea.pk])
    client.post(url, {"action": "review"})
    client.post(url, {"action": "approve"})
    idea.refresh_from_db()
    assert idea.status == "approved"
    project = Project.objects.get(initiative=idea.initiative)
    assert project.initiative.phase == "concept"
    page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert "Sensor for fall om natten" in page and "godkjent" in page


def test_draft_is_saved_and_seen_only_by_its_author(client, employee, coordinator):
    client.force_login(employee)
    client.post(reverse("ideas:create"), {**FORM, "draft": "1"})
    idea = Idea.objects.get()
    assert idea.status == "draft"
    client.force_login(coordinator)
    assert client.get(reverse("ideas:detail", args=[idea.pk])).status_code == 404


def test_missing_need_is_a_form_error_and_nothing_is_saved(client, employee):
    client.force_login(employee)
    response = client.post(reverse("ideas:create"), {**FORM, "need": "", "submit": "1"})
    assert response.status_code == 400 and "need" in response.context["form"].errors
    assert not Idea.objects.exists()


def test_the_form_warns_against_health_information(client, employee):
    client.force_login(employee)
    page = client.get(reverse("ideas:create")).content.decode()
    assert "personlige helseopplysninger" in page


def test_other_municipality_gets_404_and_cannot_act(client, employee, outsider):
    client.force_login(employee)
    client.post(reverse("ideas:create"), {**FORM, "submit": "1"})
    idea = Idea.objects.get()
    client.force_login(outsider)
    assert client.get(reverse("ideas:detail", args=[idea.pk])).status_code == 404
    assert client.post(reverse("ideas:transition", args=[idea.pk]),
                       {"action": "review"}).status_code == 404
    assert Idea.objects.get().status == "submitted"
    assert idea not in client.get(reverse("ideas:list")).context["page"].object_list


def test_employee_cannot_screen(client, employee):
    client.force_login(employee)
    client.post(reverse("ideas:create"), {**FORM, "submit": "1"})
    idea = Idea.objects.get()
    assert client.get(reverse("ideas:queue")).status_code == 403
    client.post(reverse("ideas:transition", args=[idea.pk]), {"action": "approve"})
    assert Idea.objects.get().status == "submitted" and not Project.objects.exists()


def test_anonymous_submitter_is_hidden_from_colleagues_but_not_coordinators(
        client, employee, coordinator, home_org):
    client.force_login(employee)
    client.post(reverse("ideas:create"), {**FORM, "is_anonymous": "on", "submit": "1"})
    idea = Idea.objects.get()
    colleague = MembershipFactory(organisation=home_org, user=UserFactory(
        first_name="Kollega", last_name="Kollegasen")).user
    client.force_login(colleague)
    page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert str(employee) not in page and "Anonym" in page
    client.force_login(coordinator)
    page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert str(employee) in page


def test_list_filters_and_constant_query_count(client, employee, home_org,
                                               django_assert_max_num_queries):
    from ideas import services

    services.idea_create(actor=employee, organisation=home_org, title="Første", need="x")
    client.force_login(employee)
    client.get(reverse("ideas:list"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("ideas:list"))
    for n in range(10):
        idea = services.idea_create(actor=employee, organisation=home_org, title=f"Idé {n}",
                                    need="Behov")
        services.idea_submit(actor=employee, idea=idea)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("ideas:list"))
    assert len(response.context["page"].object_list) == 11
    submitted = client.get(reverse("ideas:list"), {"status": "submitted", "q": "Idé 3"})
    assert [i.title for i in submitted.context["page"].object_list] == ["Idé 3"]
    partial = client.get(reverse("ideas:list"), HTTP_HX_REQUEST="true",
                         HTTP_HX_TARGET="idea-rows")
    assert b"<html" not in partial.content


@pytest.mark.parametrize("url_name", ["ideas:list", "ideas:create"])
def test_anonymous_visitors_are_sent_to_login(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_mine_filter_shows_only_the_users_own_ideas(client, employee, coordinator, home_org):
    """«Mine idéer» (issue 16): the list filtered to what the signed-in user submitted."""
    from tests.ideas.factories import make_idea

    make_idea(employee, home_org, title="Min egen idé", status="submitted")
    make_idea(coordinator, home_org, title="Kollegaens idé", status="submitted")
    client.force_login(employee)
    everything = client.get(reverse("ideas:list")).content.decode()
    assert "Min egen idé" in everything and "Kollegaens idé" in everything
    mine = client.get(reverse("ideas:list") + "?mine=on").content.decode()
    assert "Min egen idé" in mine and "Kollegaens idé" not in mine
    assert 'name="mine"' in mine and "Mine idéer" in mine
    assert "Kollegaens idé" not in client.get(reverse("ideas:list") + "?mine=1").content.decode()


def test_idea_list_opens_on_the_own_organisation(client, employee, home_org, other_org):
    """Issue 16: the list's default scope is the own organisation; other municipalities'
    shared ideas come with «Også delte fra andre» (and the API's default is unchanged)."""
    from tests.ideas.factories import make_idea

    make_idea(employee, home_org, title="Vår idé", status="submitted")
    neighbour = MembershipFactory(organisation=other_org).user
    make_idea(neighbour, other_org, title="Naboens delte idé", status="submitted",
              visibility="public")
    client.force_login(employee)
    default = client.get(reverse("ideas:list")).content.decode()
    assert "Vår idé" in default and "Naboens delte idé" not in default
    assert '<option value="own" selected>' in default
    shared = client.get(reverse("ideas:list") + "?scope=shared").content.decode()
    assert "Vår idé" in shared and "Naboens delte idé" in shared
    api = client.get(reverse("api:idea-list") if _has_api_name() else "/api/v1/ideas/")
    assert api.status_code == 200 and "Naboens delte idé" in api.content.decode()


def _has_api_name():
    from django.urls import NoReverseMatch
    try:
        reverse("api:idea-list")
    except NoReverseMatch:
        return False
    return True
