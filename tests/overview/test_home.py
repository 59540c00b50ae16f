"""The home page is a to-do list per role (issue 16): counts with links, unread notifications,
calm empty states, and a query count that does not grow with the data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gevinst.models import Benefit, BenefitReminder
from notifications.models import Notification
from projects.models import GateChecklistItem, ProjectChecklistTick, ProjectEvent, ProjectMilestone
from tests.gevinst.conftest import benefit_fields, make_project
from tests.ideas.factories import make_idea

TODAY = timezone.localdate()


def _home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _ready_for_gate(org, *, leader, title):
    """A project whose checklist for its current phase is all ticked."""
    project = make_project(org, phase="concept", leader=leader, title=title)
    item = GateChecklistItem.objects.create(organisation=org, phase="concept",
                                            text=f"Punkt {title}")
    ProjectChecklistTick.objects.create(project=project, item=item)
    return project


def _benefit(project, owner, title="G"):
    fields = benefit_fields(title=title)
    return Benefit.objects.create(project=project, owner=owner, **{
        k: v for k, v in fields.items() if k in {f.name for f in Benefit._meta.fields}})


def _grow(org, employee, coordinator, manager, leader, n):
    for i in range(n):
        make_idea(employee, org, title=f"Idé {n}-{i}", status="submitted")
        make_idea(employee, org, title=f"Utkast {n}-{i}")
        project = _ready_for_gate(org, leader=leader, title=f"Klar {n}-{i}")
        ProjectMilestone.objects.create(project=project, title=f"M{i}",
                                        due_on=TODAY - datetime.timedelta(days=1))
        benefit = _benefit(project, manager, title=f"G{n}-{i}")
        BenefitReminder.objects.create(benefit=benefit, user=manager,
                                       due_on=TODAY - datetime.timedelta(days=3))
        _notify(employee, project)


def _notify(user, project):
    event = ProjectEvent.objects.create(project=project, kind="updated")
    Notification.objects.create(user=user, kind="updated", project=project, project_event=event)


def test_employee_sees_own_ideas_by_status_with_links(client, home_org, employee, coordinator):
    make_idea(employee, home_org, title="Mitt utkast")
    make_idea(employee, home_org, title="Min innsendte", status="submitted")
    make_idea(employee, home_org, title="Enda en", status="submitted")
    page = _home(client, employee)
    assert 'data-todo="idea-submitted"' in page
    assert "?mine=1&amp;status=submitted" in page
    assert "Sendt inn: <strong>2</strong>" in page
    assert "Utkast: <strong>1</strong>" in page


def test_employee_without_ideas_gets_a_calm_empty_state(client, employee):
    page = _home(client, employee)
    assert 'data-empty="my-ideas"' in page
    assert "Send inn en idé" in page
    assert 'data-empty="notices"' in page


def test_coordinator_sees_the_queue_count_linked(client, home_org, employee, coordinator):
    for i in range(8):
        make_idea(employee, home_org, title=f"Idé {i}", status="submitted")
    page = _home(client, coordinator)
    assert "8 idéer venter" in page
    assert f'href="{reverse("ideas:queue")}" data-todo="queue"' in page


def test_coordinator_queue_singular_and_empty(client, home_org, employee, coordinator):
    assert 'data-empty="queue"' in _home(client, coordinator)
    make_idea(employee, home_org, title="Én idé", status="submitted")
    assert "1 idé venter" in _home(client, coordinator)


def test_manager_sees_decisions_waiting_and_overdue_measurements(client, home_org, manager,
                                                                   project_leader):
    ready = _ready_for_gate(home_org, leader=project_leader, title="Klar for beslutning")
    not_ready = make_project(home_org, phase="concept", leader=project_leader,
                             title="Ikke klar")
    GateChecklistItem.objects.create(organisation=home_org, phase="concept", text="Uavkrysset")
    benefit = _benefit(ready, manager)
    BenefitReminder.objects.create(benefit=benefit, user=manager,
                                   due_on=TODAY - datetime.timedelta(days=10))
    BenefitReminder.objects.create(benefit=benefit, user=manager,
                                   due_on=TODAY + datetime.timedelta(days=10))
    page = _home(client, manager)
    # The second checklist item is not ticked on either project: neither is ready now.
    assert "0 prosjekter venter på beslutning" in page
    ProjectChecklistTick.objects.create(
        project=ready, item=GateChecklistItem.objects.get(text="Uavkrysset"))
    page = _home(client, manager)
    assert "1 prosjekt venter på beslutning" in page
    assert reverse("projects:detail", args=[ready.pk]) in page
    assert reverse("projects:detail", args=[not_ready.pk]) not in page
    assert "1 måling er forfalt" in page


def test_project_leader_sees_milestones_and_measurements_due(client, home_org, manager,
                                                             project_leader):
    project = make_project(home_org, leader=project_leader, title="Mitt prosjekt")
    ProjectMilestone.objects.create(project=project, title="Sen", due_on=TODAY
                                    - datetime.timedelta(days=2))
    ProjectMilestone.objects.create(project=project, title="Snart", due_on=TODAY
                                    + datetime.timedelta(days=5))
    ProjectMilestone.objects.create(project=project, title="Langt fram", due_on=TODAY
                                    + datetime.timedelta(days=90))
    ProjectMilestone.objects.create(project=project, title="Ferdig", due_on=TODAY,
                                    done_on=TODAY)
    BenefitReminder.objects.create(benefit=_benefit(project, manager), user=manager,
                                   due_on=TODAY)
    page = _home(client, project_leader)
    assert "2 milepæler forfaller snart eller er passert" in page
    assert 'class="todo-urgent"' in page
    assert f"?leader={project_leader.pk}" in page
    assert "1 gevinstmåling skal gjøres" in page


def test_analyst_gets_a_link_to_the_analysis(client, network_analyst):
    page = _home(client, network_analyst)
    assert f'href="{reverse("indicators:analysis")}" data-todo="analysis"' in page


def test_unread_notifications_are_shown_with_a_link(client, home_org, employee):
    project = make_project(home_org, title="Varslet")
    _notify(employee, project)
    _notify(employee, project)
    page = _home(client, employee)
    assert "2 uleste varsler" in page
    assert f'href="{reverse("notifications:centre")}" data-todo="notices"' in page


@pytest.mark.parametrize("persona", ["employee", "coordinator", "manager", "project_leader"])
def test_home_query_count_does_not_grow(client, request, home_org, employee, coordinator,
                                        manager, project_leader, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    counts = []
    for n in (1, 4):
        _grow(home_org, employee, coordinator, manager, project_leader, n)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
    assert counts[0] == PINNED[persona], counts


# Session, user, memberships (with the analyst scope) and unread count (4), then one query
# for the own ideas, one for the queue, two for a manager (the first waiting projects; the overdue
# measurements; a count only when more than five wait) and two for a project leader.
PINNED = {"employee": 5, "coordinator": 8, "manager": 9, "project_leader": 7}
