"""Issue 16: the home page is a to-do list per role, in the browser at desktop width and at
375 px: each persona sees its counts as links that lead to the work, the unread notices, the
tab title «Forside – Innoportal», no horizontal scrolling and no serious axe violations."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gevinst.models import BenefitReminder
from projects.models import GateChecklistItem, ProjectChecklistTick, ProjectMilestone
from tests.browser.conftest import width_problems
from tests.browser.test_accessibility import axe_problems
from tests.gevinst.conftest import make_project
from tests.ideas.factories import make_idea
from tests.overview.test_home import _benefit, _notify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# At 375 px the home page is measured and checked with axe for every persona by test_phones.
WIDTHS = [pytest.param(1280, id="desktop")]
TODAY = timezone.localdate()


@pytest.fixture
def work(home_org, employee, coordinator, manager, project_leader):
    for i in range(3):
        make_idea(employee, home_org, title=f"Idé {i}", status="submitted")
    project = make_project(home_org, phase="concept", leader=project_leader,
                           title="Klar for beslutning")
    item = GateChecklistItem.objects.create(organisation=home_org, phase="concept", text="Plan")
    ProjectChecklistTick.objects.create(project=project, item=item)
    ProjectMilestone.objects.create(project=project, title="Avtale",
                                    due_on=TODAY - datetime.timedelta(days=1))
    BenefitReminder.objects.create(benefit=_benefit(project, manager), user=manager,
                                   due_on=TODAY - datetime.timedelta(days=2))
    _notify(employee, project)
    return project


# persona -> (the to-do link clicked, the text it shows, the path it leads to)
TODOS = {
    "employee": ("idea-submitted", "Sendt inn: 3", "/ideas/"),
    "coordinator": ("queue", "3 idéer venter", "/ideas/queue/"),
    "manager": ("gates", "1 prosjekt venter på beslutning", "/projects/"),
    "project_leader": ("milestones", "1 milepæl forfaller snart eller er passert",
                       "/projects/"),
    "network_analyst": ("analysis", "Åpne analysen", "/indicators/analysis/"),
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("persona", list(TODOS))
def test_home_is_a_todo_list_per_role(open_page, request, work, persona, width):
    user = request.getfixturevalue(persona)
    page = open_page(user, bypass_csp=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    # Measured once the page has settled (its scripts and late requests done), not mid-load.
    page.wait_for_load_state("networkidle")
    assert page.title() == "Forside – Innoportal"
    assert not width_problems(page, width)
    assert not axe_problems(page, f"home as {persona} at {width}")
    key, text, path = TODOS[persona]
    link = page.locator(f'[data-todo="{key}"]')
    expect(link).to_be_visible()
    assert " ".join(link.inner_text().split()) == text
    if persona == "employee":
        assert page.locator('[data-todo="notices"]').inner_text() == "1 ulest varsel"
    with page.expect_navigation():
        link.click()
    assert page.url.split("?")[0].endswith(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_home_empty_states_are_calm(open_page, employee):
    page = open_page(employee)
    page.set_viewport_size({"width": 375, "height": 900})
    page.goto("/")
    expect(page.locator('[data-empty="my-ideas"]')).to_be_visible()
    expect(page.locator('[data-empty="notices"]')).to_be_visible()
    assert not page.locator(".ds-alert[data-color='danger']").count()
