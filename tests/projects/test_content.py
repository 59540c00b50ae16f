"""Project content (team, participants, partners, funding, costs, risks, milestones, links):
validation, an event row per change, and who may edit — on the pages."""

import datetime

import pytest
from django.utils import timezone

from portal.errors import DomainError, Forbidden
from projects.models import (
    ProjectCost,
    ProjectEvent,
    ProjectFunding,
    ProjectLink,
    ProjectMember,
    ProjectMilestone,
    ProjectParticipant,
    ProjectPartner,
    ProjectRisk,
)
from projects.services import (
    item_version,
    project_item_add,
    project_item_remove,
    project_item_update,
)
from tests.factories import OrganisationFactory

VALID = {
    "team": {"name": "Kari Nordmann", "role": "Sykepleier"},
    "partners": {"name": "Sensorfirma AS", "kind": "company", "role": "Leverandør",
                 "agreement_type": "innovation_partnership",
                 "ipr_notes": "Kommunen eier dataene."},
    "funding": {"source": "Statsforvalteren", "scheme": "Skjønnsmidler",
                "amount_nok": "250000", "funding_type": "grant"},
    "costs": {"category": "investment", "recurrence": "one_off", "description": "Sensorer",
              "amount_nok": "120000", "year": "2025"},
    "risks": {"title": "Personvern", "category": "regulatory", "probability": "3",
              "consequence": "4", "owner": "Personvernombud", "mitigation": "DPIA",
              "status": "open"},
    "milestones": {"title": "Pilotstart", "due_on": "2030-03-01"},
    "links": {"title": "Pilotplan", "url": "https://example.no/pilotplan.pdf"},
}
MODELS = {"team": ProjectMember, "partners": ProjectPartner, "funding": ProjectFunding,
          "costs": ProjectCost, "risks": ProjectRisk, "milestones": ProjectMilestone,
          "links": ProjectLink, "participants": ProjectParticipant}
INVALID = {
    "partners": {**VALID["partners"], "agreement_type": "handshake"},
    "funding": {**VALID["funding"], "amount_nok": "-5"},
    "costs": {**VALID["costs"], "year": "1900"},
    "risks": {**VALID["risks"], "probability": "6"},
    "milestones": {"title": "Uten dato"},
    "links": {"title": "Lenke", "url": "javascript:alert(1)"},
    "team": {"name": "", "role": "Rolle"},
}
WRITE = {"employee": 403, "coordinator": 403, "project_leader": 302, "manager": 302,
         "admin": 302, "outsider": 404, "anonymous": 302}


def login(client, personas, persona):
    if personas[persona] is not None:
        client.force_login(personas[persona])


def events(project):
    return ProjectEvent.objects.filter(project=project).count()


@pytest.mark.parametrize("kind", list(VALID))
def test_leader_adds_edits_and_removes_each_kind_with_events(client, project_leader, project,
                                                             kind):
    model = MODELS[kind]
    client.force_login(project_leader)
    assert client.get(f"/projects/{project.pk}/{kind}/new/").status_code == 200
    response = client.post(f"/projects/{project.pk}/{kind}/new/", VALID[kind])
    assert response.status_code == 302, response.content.decode()[:2000]
    item = model.objects.get(project=project)
    added = ProjectEvent.objects.filter(project=project).latest("id")
    assert (added.kind, added.data["content"], added.data["item"]) == ("item_added", kind,
                                                                        item.pk)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert str(VALID[kind].get("name") or VALID[kind].get("title") or VALID[kind].get(
        "source") or VALID[kind]["description"]) in page

    edit = {**VALID[kind], "version": item_version(kind, item)}
    text_field = next(f for f in ("name", "title", "source", "description") if f in edit)
    edit[text_field] = "Endret"
    response = client.post(f"/projects/{project.pk}/{kind}/{item.pk}/", edit)
    assert response.status_code == 302
    item.refresh_from_db()
    assert getattr(item, text_field) == "Endret"
    assert ProjectEvent.objects.filter(project=project, kind="item_updated").exists()

    response = client.post(f"/projects/{project.pk}/{kind}/{item.pk}/delete/")
    assert response.status_code == 302
    assert not model.objects.filter(project=project).exists()
    assert ProjectEvent.objects.filter(project=project, kind="item_removed").exists()


@pytest.mark.parametrize("kind", list(INVALID))
def test_invalid_input_is_a_form_error_and_writes_nothing(client, project_leader, project,
                                                          kind):
    client.force_login(project_leader)
    before = events(project)
    response = client.post(f"/projects/{project.pk}/{kind}/new/", INVALID[kind])
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert not MODELS[kind].objects.exists() and events(project) == before


@pytest.mark.parametrize("persona", list(WRITE))
def test_content_write_matrix(client, personas, project, project_leader, persona):
    risk = project_item_add(actor=project_leader, project=project, kind="risks", data=dict(
        title="Risiko", category="technical", probability=2, consequence=2))
    login(client, personas, persona)
    before = (events(project), ProjectRisk.objects.count(), ProjectMember.objects.count())
    add = client.post(f"/projects/{project.pk}/team/new/", VALID["team"])
    edit = client.post(f"/projects/{project.pk}/risks/{risk.pk}/",
                       {**VALID["risks"], "title": "Endret",
                        "version": item_version("risks", risk)})
    delete = client.post(f"/projects/{project.pk}/risks/{risk.pk}/delete/")
    assert {add.status_code, edit.status_code, delete.status_code} == {WRITE[persona]}
    risk_now = ProjectRisk.objects.filter(pk=risk.pk).first()
    if WRITE[persona] == 302 and persona != "anonymous":
        assert ProjectMember.objects.count() == 1 and risk_now is None
    else:
        assert (events(project), ProjectRisk.objects.count(),
                ProjectMember.objects.count()) == before
        assert risk_now.title == "Risiko"


def test_an_item_of_another_project_is_not_found(client, project_leader, project, home_org):
    from tests.projects.test_transitions import make_project

    other, _ = make_project(home_org, "pilot", "full")
    link = ProjectLink.objects.create(project=other, title="Annen", url="https://example.no")
    client.force_login(project_leader)
    assert client.post(f"/projects/{project.pk}/links/{link.pk}/delete/").status_code == 404
    assert client.get(f"/projects/{project.pk}/nonsense/new/").status_code == 404
    assert ProjectLink.objects.filter(pk=link.pk).exists()


def test_participants_other_organisations_once(project_leader, project):
    partner_org = OrganisationFactory(name="Samarbeidskommune")
    project_item_add(actor=project_leader, project=project, kind="participants", data=dict(
        organisation=partner_org, role="Medeier"))
    with pytest.raises(DomainError):
        project_item_add(actor=project_leader, project=project, kind="participants", data=dict(
        organisation=partner_org, role="Igjen"))
    with pytest.raises(DomainError):
        project_item_add(actor=project_leader, project=project, kind="participants", data=dict(
        organisation=project.organisation, role="Egen"))
    assert ProjectParticipant.objects.count() == 1


def test_risk_score_and_service_level_refusals(project_leader, employee, project):
    risk = project_item_add(actor=project_leader, project=project, kind="risks", data=dict(
        title="R", category="economic", probability=4, consequence=5))
    assert risk.score == 20
    with pytest.raises(Forbidden):
        project_item_update(actor=employee, project=project, kind="risks", instance=risk,
                            data={"probability": 1})
    with pytest.raises(Forbidden):
        project_item_remove(actor=employee, project=project, kind="risks", instance=risk)
    risk.refresh_from_db()
    assert risk.probability == 4


def test_a_milestone_cannot_be_reached_in_the_future(project_leader, project):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(DomainError) as info:
        project_item_add(actor=project_leader, project=project, kind="milestones", data=dict(
        title="M", due_on=tomorrow, done_on=tomorrow))
    assert info.value.field == "done_on"
    assert not ProjectMilestone.objects.exists()
