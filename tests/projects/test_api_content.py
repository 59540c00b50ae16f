"""The nested project content endpoints and POST /projects/<id>/adopt/: the same services as
the pages, the same permission rules, JSON errors; refused writes change nothing."""

import pytest

from projects.models import Project, ProjectEvent, ProjectMilestone, ProjectRisk
from projects.services import checklists_ensure_defaults, item_version, project_item_add
from tests.projects.test_transitions import make_project
from tests.worlds import shared_personas

READ = {"employee": 200, "coordinator": 200, "project_leader": 200, "manager": 200,
        "admin": 200, "outsider": 404, "anonymous": 401}
WRITE = {"employee": 403, "coordinator": 403, "project_leader": 201, "manager": 201,
         "admin": 201, "outsider": 404, "anonymous": 401}
KINDS = ["team", "participants", "partners", "funding", "costs", "risks", "milestones",
         "links"]


def as_(api_client, personas, persona):
    if personas[persona] is not None:
        api_client.force_authenticate(personas[persona])
    return api_client


def _world(people: dict) -> dict:
    """The concept-phase project led by the project leader, with the default gate checklists
    (tests/projects/conftest.py's `project`): built once for the module, each test starting
    from it (tests/worlds.py)."""
    home_org = people["home_org"]
    checklists_ensure_defaults(home_org)
    project, _ = make_project(home_org, "concept", "full")
    project.leader = people["project_leader"]
    project.save()
    return {"project": project}


globals().update(shared_personas(build=_world, items=("project",)))


@pytest.fixture
def risk(project, project_leader):
    return project_item_add(actor=project_leader, project=project, kind="risks", data={
        "title": "Personvern", "category": "regulatory", "probability": 3, "consequence": 4})


@pytest.mark.parametrize("persona", list(READ))
def test_read_matrix(api_client, personas, project, risk, persona):
    client = as_(api_client, personas, persona)
    for kind in KINDS:
        response = client.get(f"/api/v1/projects/{project.pk}/{kind}/")
        assert response.status_code == READ[persona], kind
    response = client.get(f"/api/v1/projects/{project.pk}/risks/{risk.pk}/")
    assert response.status_code == READ[persona]
    if READ[persona] == 200:
        assert response.json()["score"] == 12


@pytest.mark.parametrize("persona", list(WRITE))
def test_write_matrix(api_client, personas, project, risk, persona):
    client = as_(api_client, personas, persona)
    before = (ProjectEvent.objects.count(), ProjectMilestone.objects.count())
    created = client.post(f"/api/v1/projects/{project.pk}/milestones/",
                          {"title": "Pilotstart", "due_on": "2030-01-01"}, format="json")
    patched = client.patch(f"/api/v1/projects/{project.pk}/risks/{risk.pk}/",
                           {"probability": 1, "version": item_version("risks", risk)},
                           format="json")
    deleted = client.delete(f"/api/v1/projects/{project.pk}/risks/{risk.pk}/")
    assert created.status_code == WRITE[persona]
    if WRITE[persona] == 201:
        assert patched.status_code == 200 and deleted.status_code == 204
        assert ProjectMilestone.objects.get().title == "Pilotstart"
        assert not ProjectRisk.objects.exists()
        kinds = list(ProjectEvent.objects.order_by("-id").values_list("kind", flat=True)[:3])
        assert kinds == ["item_removed", "item_updated", "item_added"]
    else:
        assert patched.status_code == deleted.status_code == WRITE[persona]
        assert (ProjectEvent.objects.count(), ProjectMilestone.objects.count()) == before
        assert ProjectRisk.objects.get().probability == 3


def test_validation_errors_are_json_with_fields(api_client, project_leader, project):
    api_client.force_authenticate(project_leader)
    response = api_client.post(f"/api/v1/projects/{project.pk}/risks/", {
        "title": "R", "category": "weather", "probability": 9, "consequence": 1},
        format="json")
    assert response.status_code == 400
    assert {"category", "probability"} <= set(response.json()["errors"])
    response = api_client.post(f"/api/v1/projects/{project.pk}/participants/", {
        "organisation": project.organisation.org_number}, format="json")
    assert response.status_code == 400 and "organisation" in response.json()["errors"]
    assert not ProjectEvent.objects.filter(kind="item_added").exists()


def test_content_of_a_shared_project_is_not_shared(api_client, employee, other_org):
    public, _ = make_project(other_org, "pilot", "full")
    Project.objects.filter(pk=public.pk).update(visibility="public")
    api_client.force_authenticate(employee)
    assert api_client.get(f"/api/v1/projects/{public.pk}/").status_code == 200
    assert api_client.get(f"/api/v1/projects/{public.pk}/team/").status_code == 404


def test_filters_include_area_and_unit(api_client, employee, home_org, project):
    other, _ = make_project(home_org, "pilot", "full")
    Project.objects.filter(pk=other.pk).update(welfare_area="door_locks")
    api_client.force_authenticate(employee)
    ids = {p["id"] for p in api_client.get("/api/v1/projects/",
                                            {"area": "door_locks"}).json()["results"]}
    assert ids == {other.pk}
    ids = {p["id"] for p in api_client.get(
        "/api/v1/projects/", {"leader": "project_leader"}).json()["results"]}
    assert ids == {project.pk}


@pytest.mark.parametrize("persona,status", [
    ("employee", 403), ("coordinator", 403), ("project_leader", 403), ("manager", 201),
    ("admin", 201), ("anonymous", 401)])
def test_adopt_endpoint_matrix(api_client, personas, home_org, other_org, persona, status):
    origin, _ = make_project(other_org, "pilot", "full")
    Project.objects.filter(pk=origin.pk).update(visibility="public")
    client = as_(api_client, personas, persona)
    before = Project.objects.count()
    response = client.post(f"/api/v1/projects/{origin.pk}/adopt/", {
        "organisation": home_org.org_number, "start_phase": "pilot"}, format="json")
    assert response.status_code == status
    if status == 201:
        body = response.json()
        assert body["adopted_from"] == origin.pk and body["phase"] == "pilot"
        assert body["organisation"] == home_org.org_number
    else:
        assert Project.objects.count() == before


def test_adopt_endpoint_refuses_private_projects_and_foreign_organisations(
        api_client, manager, home_org, other_org):
    private, _ = make_project(other_org, "pilot", "full")
    api_client.force_authenticate(manager)
    before = Project.objects.count()
    response = api_client.post(f"/api/v1/projects/{private.pk}/adopt/", {
        "organisation": home_org.org_number}, format="json")
    assert response.status_code == 404
    Project.objects.filter(pk=private.pk).update(visibility="public")
    response = api_client.post(f"/api/v1/projects/{private.pk}/adopt/", {
        "organisation": other_org.org_number}, format="json")
    assert response.status_code == 400 and "organisation" in response.json()["errors"]
    assert Project.objects.count() == before


def test_content_list_query_count_is_constant(api_client, manager, project, project_leader,
                                              django_assert_max_num_queries):
    api_client.force_authenticate(manager)
    project_item_add(actor=project_leader, project=project, kind="team",
                     data={"name": "A", "role": "B"})
    with django_assert_max_num_queries(20) as few:
        api_client.get(f"/api/v1/projects/{project.pk}/team/")
    for n in range(9):
        project_item_add(actor=project_leader, project=project, kind="team",
                         data={"name": f"N{n}", "role": "B"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api_client.get(f"/api/v1/projects/{project.pk}/team/").json()) == 10


@pytest.mark.parametrize("persona,read,write", [
    ("employee", 200, 403), ("coordinator", 200, 403), ("project_leader", 200, 200),
    ("manager", 200, 200), ("admin", 200, 200), ("outsider", 404, 404),
    ("anonymous", 401, 401)])
def test_checklist_endpoint_matrix(api_client, personas, project, persona, read, write):
    from projects.models import GateChecklistItem, ProjectChecklistTick

    client = as_(api_client, personas, persona)
    url = f"/api/v1/projects/{project.pk}/checklist/"
    response = client.get(url)
    assert response.status_code == read
    if read == 200:
        assert [r["done"] for r in response.json()] == [False, False, False]
    item = GateChecklistItem.objects.filter(organisation=project.organisation,
                                            phase="concept").first()
    response = client.post(url, {"item": item.pk, "done": True}, format="json")
    assert response.status_code == write
    assert ProjectChecklistTick.objects.filter(project=project).exists() == (write == 200)
    if write == 200:
        assert response.json()[0]["done"] is True


def test_the_decision_over_the_api_carries_the_checklist_and_needs_a_justification(
        api_client, manager, project):
    api_client.force_authenticate(manager)
    url = f"/api/v1/projects/{project.pk}/transitions/"
    refused = api_client.post(url, {"to_phase": "pilot", "expected_phase": "concept"},
                              format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "open_checklist_items"
    assert "rationale" in refused.json()["errors"]
    done = api_client.post(url, {"to_phase": "pilot", "expected_phase": "concept",
                                 "rationale": "Forankring skjer i neste møte"}, format="json")
    assert done.status_code == 201 and len(done.json()["checklist"]) == 3
