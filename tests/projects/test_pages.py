"""The project pages: list, project page with phase bar, gate and timeline, decisions,
editing with optimistic concurrency. Permission matrices assert that refused writes change
nothing."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from initiatives.models import PhaseChange
from projects.models import (
    GateChecklistItem,
    Project,
    ProjectChecklistTick,
    ProjectEvent,
    ProjectMilestone,
    ProjectVisit,
)
from projects.services import project_item_add, project_transition
from tests.factories import UnitFactory
from tests.projects.test_transitions import make_project

# Who sees the project page of a home-organisation project (organisation visibility), and
# who may write to it (the project's own leader, managers and admins).
SEE = {"employee": 200, "coordinator": 200, "project_leader": 200, "manager": 200,
       "admin": 200, "outsider": 404, "anonymous": 302}
WRITE = {"employee": 403, "coordinator": 403, "project_leader": 302, "manager": 302,
         "admin": 302, "outsider": 404, "anonymous": 302}
DECIDE = {**WRITE, "project_leader": 403}


def login(client, personas, persona):
    user = personas[persona]
    if user is not None:
        client.force_login(user)
    return user


def state(project):
    project.refresh_from_db()
    return (project.initiative.phase, project.title, project.version,
            PhaseChange.objects.filter(initiative=project.initiative).count(),
            ProjectEvent.objects.filter(project=project).count(),
            ProjectChecklistTick.objects.filter(project=project).count(),
            ProjectMilestone.objects.filter(project=project).count())


@pytest.mark.parametrize("persona", list(SEE))
def test_project_page_matrix(client, personas, project, persona):
    login(client, personas, persona)
    response = client.get(f"/projects/{project.pk}/")
    assert response.status_code == SEE[persona]
    if persona == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    if SEE[persona] == 200:
        html = response.content.decode()
        assert 'aria-current="step"' in html and "Neste port: til Utprøving" in html
        assert ("Registrer beslutning" in html) == (persona in ("manager", "admin"))


@pytest.mark.parametrize("persona", list(SEE))
def test_project_list_matrix(client, personas, project, other_org, persona):
    foreign, _ = make_project(other_org, "pilot", "full")
    login(client, personas, persona)
    response = client.get("/projects/")
    if persona == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert (f"/projects/{project.pk}/" in html) == (persona != "outsider")
    assert (f"/projects/{foreign.pk}/" in html) == (persona == "outsider")


def test_project_list_filters_and_htmx_rows(client, manager, home_org, project):
    unit = UnitFactory(organisation=home_org, name="Sykehjemmet")
    pilot, _ = make_project(home_org, "pilot", "full")
    pilot.unit, pilot.welfare_area, pilot.visibility = unit, "door_locks", "public"
    pilot.title = "Dørlåser"
    pilot.save()
    client.force_login(manager)

    def titles(**params):
        html = client.get("/projects/", params).content.decode()
        return (f"/projects/{project.pk}/" in html, f"/projects/{pilot.pk}/" in html)

    assert titles() == (True, True)
    assert titles(phase="pilot") == (False, True)
    assert titles(unit=unit.pk) == (False, True)
    assert titles(welfare_area="door_locks") == (False, True)
    assert titles(visibility="organisation") == (True, False)
    assert titles(leader=project.leader_id) == (True, False)
    assert titles(q="dørlåser") == (False, True)
    partial = client.get("/projects/", {"phase": "pilot"}, HTTP_HX_REQUEST="true",
                         HTTP_HX_TARGET="project-rows")
    assert b"<html" not in partial.content and b"D\xc3\xb8rl\xc3\xa5ser" in partial.content


def test_project_list_query_count_is_constant(client, manager, home_org):
    client.force_login(manager)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/projects/").status_code == 200
        return len(queries.captured_queries)

    for _ in range(2):
        make_project(home_org, "pilot", "full")
    few = count()
    unit = UnitFactory(organisation=home_org)
    for _ in range(8):
        extra, _ = make_project(home_org, "implementation", "full")
        extra.unit, extra.leader = unit, manager
        extra.save()
    assert count() == few


# --- Decisions from the page --------------------------------------------------------------

@pytest.mark.parametrize("persona", list(DECIDE))
def test_decision_matrix(client, personas, project, persona):
    login(client, personas, persona)
    before = state(project)
    response = client.post(f"/projects/{project.pk}/decide/", {
        "to_phase": "pilot", "expected_phase": "concept", "rationale": "Klar for utprøving"})
    assert response.status_code == DECIDE[persona]
    if DECIDE[persona] == 302 and persona != "anonymous":
        assert state(project)[0] == "pilot"
        change = PhaseChange.objects.filter(initiative=project.initiative).latest("id")
        assert change.rationale == "Klar for utprøving" and len(change.checklist) == 3
    else:
        assert state(project) == before


def test_open_items_without_justification_is_a_form_error(client, manager, project):
    client.force_login(manager)
    before = state(project)
    response = client.post(f"/projects/{project.pk}/decide/",
                           {"to_phase": "pilot", "expected_phase": "concept"})
    assert response.status_code == 400
    assert "åpne punkter" in response.content.decode()
    assert state(project)[:5] == before[:5]


def test_stop_needs_reason_and_lesson_and_back_needs_rationale(client, manager, project):
    client.force_login(manager)
    url = f"/projects/{project.pk}/decide/"
    response = client.post(url, {"to_phase": "stopped", "expected_phase": "concept"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Velg hvorfor prosjektet stoppes." in html and "nullresultater" in html
    assert state(project)[0] == "concept"
    client.post(url, {"to_phase": "pilot", "expected_phase": "concept", "rationale": "Ok"})
    response = client.post(url, {"to_phase": "concept", "expected_phase": "pilot"})
    assert response.status_code == 400 and "krever en begrunnelse" in response.content.decode()
    response = client.post(url, {"to_phase": "stopped", "expected_phase": "pilot",
                                 "stop_reason": "no_effect",
                                 "lesson_learned": "Sensorene passet ikke."})
    assert response.status_code == 302 and state(project)[0] == "stopped"
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "Sensorene passet ikke." in page and "Ingen effekt" in page


def test_back_dating_before_the_previous_change_is_refused_on_the_page(client, manager,
                                                                       project):
    client.force_login(manager)
    response = client.post(f"/projects/{project.pk}/decide/", {
        "to_phase": "parked", "expected_phase": "concept", "effective_date": "2023-12-31"})
    assert response.status_code == 400 and "før forrige faseendring" in response.content.decode()
    response = client.post(f"/projects/{project.pk}/decide/", {
        "to_phase": "parked", "expected_phase": "concept", "effective_date": "2024-01-05"})
    assert response.status_code == 302
    assert PhaseChange.objects.filter(initiative=project.initiative).latest(
        "id").effective_date == datetime.date(2024, 1, 5)


def test_a_decision_on_a_stale_page_shows_a_conflict(client, manager, org_admin, project):
    project_transition(actor=org_admin, project=project, to_phase="parked")
    client.force_login(manager)
    response = client.post(f"/projects/{project.pk}/decide/", {
        "to_phase": "pilot", "expected_phase": "concept", "rationale": "x"}, follow=True)
    assert "allerede flyttet til Parkert av noen andre" in response.content.decode()
    assert state(project)[0] == "parked"


def test_park_and_resume_from_the_page(client, manager, project):
    client.force_login(manager)
    url = f"/projects/{project.pk}/decide/"
    client.post(url, {"to_phase": "parked", "expected_phase": "concept"})
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "Prosjektet er parkert" in page
    client.post(url, {"to_phase": "concept", "expected_phase": "parked"})
    assert state(project)[0] == "concept"


# --- Checklist ticks from the page ----------------------------------------------------------

@pytest.mark.parametrize("persona", list(WRITE))
def test_tick_matrix(client, personas, project, persona):
    item = GateChecklistItem.objects.filter(organisation=project.organisation,
                                            phase="concept").first()
    login(client, personas, persona)
    before = state(project)
    response = client.post(f"/projects/{project.pk}/checklist/{item.pk}/", {"done": "1"})
    assert response.status_code == WRITE[persona]
    if WRITE[persona] == 302 and persona != "anonymous":
        assert ProjectChecklistTick.objects.filter(project=project, item=item).exists()
    else:
        assert state(project) == before


# --- Editing the project's own fields -------------------------------------------------------

@pytest.mark.parametrize("persona", list(WRITE))
def test_edit_matrix(client, personas, project, persona):
    login(client, personas, persona)
    before = state(project)
    get = client.get(f"/projects/{project.pk}/edit/")
    assert get.status_code == (200 if WRITE[persona] == 302 and persona != "anonymous"
                               else WRITE[persona])
    response = client.post(f"/projects/{project.pk}/edit/", {
        "title": "Nytt navn", "need": "Behov", "visibility": "organisation",
        "version": project.version, "leader": project.leader_id})
    assert response.status_code == WRITE[persona]
    if WRITE[persona] == 302 and persona != "anonymous":
        project.refresh_from_db()
        assert (project.title, project.version) == ("Nytt navn", before[2] + 1)
        assert project.initiative.title == "Nytt navn"
        event = ProjectEvent.objects.get(project=project, kind="updated")
        assert event.kind_label == "Prosjektet endret: tittel"  # only what changed
    else:
        assert state(project) == before


def test_a_stale_version_is_a_conflict_not_a_lost_update(client, manager, project_leader,
                                                         project):
    version = project.version
    data = {"need": "Behov", "visibility": "organisation", "version": version,
            "leader": project.leader_id}
    client.force_login(project_leader)
    assert client.post(f"/projects/{project.pk}/edit/",
                       {**data, "title": "Leders tittel"}).status_code == 302
    client.force_login(manager)
    response = client.post(f"/projects/{project.pk}/edit/", {**data, "title": "Min tittel"})
    assert response.status_code == 409
    assert "Noen andre har endret dette siden du åpnet skjemaet" in response.content.decode()
    project.refresh_from_db()
    assert project.title == "Leders tittel" and project.version == version + 1


def test_a_gate_decision_also_makes_an_open_edit_form_stale(client, manager, project):
    version = project.version
    project_transition(actor=manager, project=project, to_phase="parked")
    client.force_login(manager)
    response = client.post(f"/projects/{project.pk}/edit/", {
        "title": "X", "need": "Behov", "visibility": "organisation", "version": version})
    assert response.status_code == 409


def test_leader_must_be_a_member(client, manager, project, outsider):
    client.force_login(manager)
    response = client.post(f"/projects/{project.pk}/edit/", {
        "title": "X", "need": "Behov", "visibility": "organisation",
        "version": project.version, "leader": outsider.pk})
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.title == "Prosjekt"


# --- Timeline and "since your last visit" ---------------------------------------------------

def test_timeline_merges_decisions_and_events_and_marks_what_is_new(client, manager,
                                                                    project_leader, project):
    client.force_login(manager)
    first = client.get(f"/projects/{project.pk}/").content.decode()
    assert "siden ditt forrige besøk" not in first
    # The visit was a moment ago: the project's history before it is old news.
    ProjectVisit.objects.filter(user=manager).update(seen_at=timezone.now())
    project_item_add(actor=project_leader, project=project, kind="milestones", data=dict(
        title="Pilotstart", due_on=datetime.date(2030, 1, 1)))
    project_transition(actor=manager, project=project, to_phase="parked")
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "2 endringer siden ditt forrige besøk" in page
    assert page.count('class="is-new"') == 2
    timeline = page[page.index('id="timeline"'):]
    # Newest first: the park decision, then the milestone, then the old phase history.
    assert timeline.index("Parkert") < timeline.index("Pilotstart") < timeline.index(
        "Konsept</strong>")
    again = client.get(f"/projects/{project.pk}/").content.decode()
    assert "siden ditt forrige besøk" not in again
    assert ProjectVisit.objects.filter(user=manager, project=project).count() == 1


def test_overdue_milestones_are_flagged(client, employee, project_leader, project):
    today = timezone.localdate()
    project_item_add(actor=project_leader, project=project, kind="milestones", data=dict(
        title="Forfalt milepæl", due_on=today - datetime.timedelta(days=3)))
    project_item_add(actor=project_leader, project=project, kind="milestones", data=dict(
        title="Nådd milepæl", due_on=today - datetime.timedelta(days=3),
        done_on=today - datetime.timedelta(days=4)))
    project_item_add(actor=project_leader, project=project, kind="milestones", data=dict(
        title="Framtidig milepæl", due_on=today + datetime.timedelta(days=3)))
    client.force_login(employee)
    html = client.get(f"/projects/{project.pk}/").content.decode()
    section = html[html.index('id="milestones"'):html.index('id="links"')]
    assert section.count('class="overdue"') == 1
    row = section[section.index('class="overdue"'):]
    assert row.index("Forfalt milepæl") < row.index("</tr>")
    assert "Forfalt" in row[:row.index("</tr>")]


def test_project_page_query_count_does_not_grow_with_content(client, manager, project_leader,
                                                             project):
    client.force_login(manager)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/projects/{project.pk}/").status_code == 200
        return len(queries.captured_queries)

    count()
    few = count()
    for n in range(5):
        project_item_add(actor=project_leader, project=project, kind="risks", data=dict(
        title=f"R{n}", category="technical", probability=2, consequence=3))
        project_item_add(actor=project_leader, project=project, kind="team", data=dict(
        name=f"N{n}", role="Deltaker"))
    count()
    assert count() == few
    assert Project.objects.count() == 1


def test_the_date_picker_allows_only_what_the_service_accepts(client, manager, project):
    client.force_login(manager)
    html = client.get(f"/projects/{project.pk}/").content.decode()
    # make_project starts the project in concept on 2024-01-01.
    assert 'min="2024-01-01"' in html
    assert f'max="{timezone.localdate().isoformat()}"' in html
