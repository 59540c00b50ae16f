"""Issue 16: a stopped project shows no editing controls, and its record is closed to edits
(projects.access.is_closed, the one place that says so, for the pages, the API and the
services alike)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from portal.errors import Forbidden
from projects import services
from projects.models import ProjectCost
from projects.services import project_transition

EDIT_LINKS = ("Endre prosjektet", "/costs/new/", "Ny gevinst", "Rediger gevinstkartet")


@pytest.fixture
def stopped(project, manager):
    ProjectCost.objects.create(project=project, category="investment", recurrence="one_off",
                               description="Sensorer", amount_nok=Decimal(1000), year=2026)
    project_transition(actor=manager, project=project, to_phase="stopped",
                       stop_reason="no_effect", lesson_learned="For tidlig.",
                       expected_phase="concept")
    project.refresh_from_db()
    project.initiative.refresh_from_db()
    return project


@pytest.mark.parametrize("persona", ["manager", "project_leader"])
def test_a_running_project_shows_its_editors_the_controls(client, personas, project, persona):
    client.force_login(personas[persona])
    html = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "Endre prosjektet" in html and "/costs/new/" in html


@pytest.mark.parametrize("persona", ["manager", "project_leader"])
def test_a_stopped_project_shows_no_editing_controls(client, personas, stopped, persona):
    client.force_login(personas[persona])
    html = client.get(reverse("projects:detail", args=[stopped.pk])).content.decode()
    assert "Prosjektet er stoppet" in html
    assert [link for link in EDIT_LINKS if link in html] == []


def test_a_stopped_projects_record_is_closed_to_edits(client, manager, stopped):
    client.force_login(manager)
    cost = ProjectCost.objects.get()
    assert client.get(reverse("projects:content-add", args=[stopped.pk, "costs"])).status_code \
        == 403
    response = client.post(reverse("projects:content-edit", args=[stopped.pk, "costs", cost.pk]),
                           {"description": "Endret", "amount_nok": "5", "year": "2026"})
    assert response.status_code == 403
    with pytest.raises(Forbidden):
        services.project_item_remove(actor=manager, project=stopped, kind="costs",
                                     instance=cost)
    cost.refresh_from_db()
    assert (cost.description, cost.amount_nok) == ("Sensorer", Decimal(1000))
