"""An idea and the project it became link both ways; similar projects are links; a merge
target shows «slått sammen fra» with links to the merged ideas the reader may see (issue 16)."""

from django.urls import reverse

from ideas import services
from ideas.models import Idea
from projects.models import Project
from tests.ideas.factories import make_idea


def _approved(employee, coordinator, org, **fields):
    idea = make_idea(employee, org, status="in_review", coordinator=coordinator, **fields)
    services.idea_approve(actor=coordinator, idea=idea)
    idea.refresh_from_db()
    return idea, Project.objects.get(initiative=idea.initiative)


def test_idea_links_to_its_project_and_the_project_back(client, employee, coordinator,
                                                        home_org):
    idea, project = _approved(employee, coordinator, home_org, title="Sensor om natten")
    client.force_login(employee)
    idea_page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    project_url = reverse("projects:detail", args=[project.pk])
    assert f'href="{project_url}" data-link="project"' in idea_page
    project_page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'data-link="idea"' in project_page
    assert f'href="{reverse("ideas:detail", args=[idea.pk])}">Sensor om natten</a>' in project_page


def test_project_page_hides_an_idea_the_reader_may_not_see(client, employee, coordinator,
                                                           home_org, outsider):
    """A public project from a confidential idea: the partner reads the project, never the
    idea's title or a link to it."""
    idea, project = _approved(employee, coordinator, home_org, title="Hemmelig idé",
                              is_confidential=True)
    Project.objects.filter(pk=project.pk).update(visibility="public")
    client.force_login(outsider)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'data-link="idea"' not in page
    assert reverse("ideas:detail", args=[idea.pk]) not in page


def test_similar_projects_are_links(client, employee, coordinator, home_org):
    _, project = _approved(employee, coordinator, home_org, title="Nattilsyn med sensor")
    draft = make_idea(employee, home_org, title="Nattilsyn med sensor igjen")
    client.force_login(employee)
    page = client.get(reverse("ideas:detail", args=[draft.pk])).content.decode()
    project_url = reverse("projects:detail", args=[project.pk])
    assert f'href="{project_url}">Nattilsyn med sensor</a>' in page


def test_merge_target_shows_merged_from_with_links(client, employee, coordinator, home_org):
    target = make_idea(employee, home_org, title="Overlevende", status="in_review",
                       coordinator=coordinator)
    source = make_idea(employee, home_org, title="Slått inn", status="in_review",
                       coordinator=coordinator)
    services.idea_merge(actor=coordinator, idea=source, into=target)
    client.force_login(employee)
    page = client.get(reverse("ideas:detail", args=[target.pk])).content.decode()
    assert "Slått sammen fra:" in page
    assert f'href="{reverse("ideas:detail", args=[source.pk])}">Slått inn</a>' in page


def test_merged_from_lists_only_ideas_the_reader_may_see(client, employee, coordinator,
                                                         home_org, outsider):
    """A public survivor read by a partner: the organisation-only idea merged into it is not
    named (here a public source is merged in and a private one is attached directly, as
    a legacy merge would have left it)."""
    target = make_idea(employee, home_org, title="Delt idé", status="in_review",
                       coordinator=coordinator, visibility="public")
    shared = make_idea(employee, home_org, title="Også delt", status="in_review",
                       coordinator=coordinator, visibility="public")
    private = make_idea(employee, home_org, title="Bare internt", status="submitted")
    services.idea_merge(actor=coordinator, idea=shared, into=target)
    Idea.objects.filter(pk=private.pk).update(merged_into=target, status="merged")
    client.force_login(outsider)
    page = client.get(reverse("ideas:detail", args=[target.pk])).content.decode()
    assert "Også delt" in page and "Bare internt" not in page
