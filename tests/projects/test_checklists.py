"""Gate checklists: defaults per organisation, ticking, the justification rule at the gate and
the checklist frozen into the decision; the organisation's checklist page."""

import pytest

from initiatives.models import PhaseChange
from portal.errors import DomainError, Forbidden
from portal.models import OrganisationEvent
from projects.models import GateChecklistItem, ProjectChecklistTick, ProjectEvent
from projects.services import (
    checklist_item_add,
    checklist_item_retire,
    checklist_tick,
    checklists_ensure_defaults,
    project_transition,
)
from projects.services.checklists import DEFAULT_CHECKLISTS


def concept_items(org):
    return list(GateChecklistItem.objects.filter(organisation=org, phase="concept"))


def test_defaults_come_from_the_domain_table_once(home_org):
    checklists_ensure_defaults(home_org)
    texts = [i.text for i in concept_items(home_org)]
    assert texts == DEFAULT_CHECKLISTS["concept"]
    assert "Nullpunktsmåling gjennomført" in GateChecklistItem.objects.filter(
        organisation=home_org, phase="pilot").values_list("text", flat=True)
    GateChecklistItem.objects.filter(organisation=home_org).update(is_active=False)
    checklists_ensure_defaults(home_org)  # the organisation's own edits win
    assert not GateChecklistItem.objects.filter(organisation=home_org, is_active=True).exists()


def test_open_items_need_a_justification_to_pass_the_gate(manager, project):
    before = (PhaseChange.objects.count(), ProjectEvent.objects.count())
    with pytest.raises(DomainError) as info:
        project_transition(actor=manager, project=project, to_phase="pilot")
    assert info.value.field == "rationale" and info.value.code == "open_checklist_items"
    assert "Forankret i ledelsen" in info.value.message
    assert (PhaseChange.objects.count(), ProjectEvent.objects.count()) == before
    project.refresh_from_db()
    assert project.initiative.phase == "concept"

    change = project_transition(actor=manager, project=project, to_phase="pilot",
                                rationale="Forankring kommer i styremøtet neste uke.")
    assert change.rationale.startswith("Forankring")
    assert [row["done"] for row in change.checklist] == [False, False, False]
    assert [row["text"] for row in change.checklist] == DEFAULT_CHECKLISTS["concept"]


def test_a_complete_checklist_passes_without_justification_and_is_frozen(
        manager, project_leader, project):
    for item in concept_items(project.organisation):
        assert checklist_tick(actor=project_leader, project=project, item=item, done=True)
    change = project_transition(actor=manager, project=project, to_phase="pilot")
    assert all(row["done"] and row["by"] == "project_leader" for row in change.checklist)
    # Later edits of the checklist do not rewrite the decision.
    GateChecklistItem.objects.filter(pk=change.checklist[0]["item"]).update(text="Endret")
    change.refresh_from_db()
    assert change.checklist[0]["text"] == DEFAULT_CHECKLISTS["concept"][0]


def test_back_park_and_stop_do_not_need_the_checklist(manager, project):
    project_transition(actor=manager, project=project, to_phase="parked")
    project_transition(actor=manager, project=project, to_phase="concept")
    assert project.initiative.phase == "concept"


def test_ticking_twice_writes_one_event_and_untick_reopens(project_leader, project):
    item = concept_items(project.organisation)[0]
    assert checklist_tick(actor=project_leader, project=project, item=item, done=True)
    assert not checklist_tick(actor=project_leader, project=project, item=item, done=True)
    assert ProjectEvent.objects.filter(project=project, kind="checklist_ticked").count() == 1
    assert checklist_tick(actor=project_leader, project=project, item=item, done=False)
    assert not ProjectChecklistTick.objects.filter(project=project).exists()


@pytest.mark.parametrize("persona", ["employee", "coordinator", "outsider"])
def test_only_leader_and_managers_tick(personas, project, persona):
    item = concept_items(project.organisation)[0]
    with pytest.raises(Forbidden):
        checklist_tick(actor=personas[persona], project=project, item=item, done=True)
    assert not ProjectChecklistTick.objects.exists()
    assert not ProjectEvent.objects.filter(kind="checklist_ticked").exists()


def test_another_project_leader_of_the_organisation_cannot_tick(home_org, project):
    from portal.roles import Role
    from tests.factories import MembershipFactory

    other_leader = MembershipFactory(organisation=home_org, role=Role.PROJECT_LEADER).user
    with pytest.raises(Forbidden):
        checklist_tick(actor=other_leader, project=project,
                       item=concept_items(home_org)[0], done=True)


def test_an_item_of_another_organisation_is_refused(project_leader, project, other_org):
    checklists_ensure_defaults(other_org)
    with pytest.raises(DomainError):
        checklist_tick(actor=project_leader, project=project,
                       item=concept_items(other_org)[0], done=True)
    assert not ProjectChecklistTick.objects.exists()


def test_retired_items_no_longer_count_and_added_ones_do(manager, project):
    for item in concept_items(project.organisation):
        checklist_item_retire(actor=manager, item=item)
    added = checklist_item_add(actor=manager, organisation=project.organisation,
                               phase="concept", text="Markedsdialog gjennomført")
    with pytest.raises(DomainError) as info:
        project_transition(actor=manager, project=project, to_phase="pilot")
    assert "Markedsdialog" in info.value.message and "Forankret" not in info.value.message
    checklist_tick(actor=manager, project=project, item=added, done=True)
    project_transition(actor=manager, project=project, to_phase="pilot")
    assert OrganisationEvent.objects.filter(kind="gate_checklist_changed").count() == 4


@pytest.mark.parametrize("persona", ["employee", "coordinator", "project_leader", "outsider"])
def test_only_managers_and_admins_edit_the_checklist(personas, home_org, persona):
    checklists_ensure_defaults(home_org)
    count = GateChecklistItem.objects.count()
    with pytest.raises(Forbidden):
        checklist_item_add(actor=personas[persona], organisation=home_org, phase="pilot",
                           text="Noe")
    with pytest.raises(Forbidden):
        checklist_item_retire(actor=personas[persona], item=concept_items(home_org)[0])
    assert GateChecklistItem.objects.filter(is_active=True).count() == count
    assert not OrganisationEvent.objects.filter(kind="gate_checklist_changed").exists()


# --- The checklist page ---------------------------------------------------------------------

@pytest.mark.parametrize("persona,status", [
    ("employee", 403), ("coordinator", 403), ("project_leader", 403), ("manager", 200),
    ("admin", 200), ("outsider", 404), ("anonymous", 302)])
def test_checklist_page_permissions(client, personas, home_org, persona, status):
    checklists_ensure_defaults(home_org)
    user = personas[persona]
    if user:
        client.force_login(user)
    url = f"/projects/checklists/{home_org.org_number}/"
    assert client.get(url).status_code == status
    before = GateChecklistItem.objects.count()
    response = client.post(url, {"action": "add", "phase": "pilot", "text": "Nytt punkt"})
    if status == 200:
        assert response.status_code == 302
        assert GateChecklistItem.objects.count() == before + 1
    else:
        assert response.status_code == status
        assert GateChecklistItem.objects.count() == before
        if persona == "anonymous":
            assert "/accounts/login/" in response["Location"]


def test_checklist_page_updates_and_retires(client, manager, home_org):
    checklists_ensure_defaults(home_org)
    client.force_login(manager)
    url = f"/projects/checklists/{home_org.org_number}/"
    item = concept_items(home_org)[0]
    client.post(url, {"action": "update", "item": item.pk, "text": "Forankret i kommunestyret"})
    item.refresh_from_db()
    assert item.text == "Forankret i kommunestyret"
    client.post(url, {"action": "retire", "item": item.pk})
    item.refresh_from_db()
    assert not item.is_active
    assert "Forankret i kommunestyret" not in client.get(url).content.decode()
    response = client.post(url, {"action": "add", "phase": "pilot", "text": "  "})
    assert response.status_code == 400


def test_the_project_list_links_to_the_checklists_for_managers_only(client, manager, employee,
                                                                    home_org):
    client.force_login(employee)
    assert "/projects/checklists/" not in client.get("/projects/").content.decode()
    client.force_login(manager)
    assert "/projects/checklists/" in client.get("/projects/").content.decode()
    response = client.get("/projects/checklists/")
    assert response["Location"] == f"/projects/checklists/{home_org.org_number}/"
    client.force_login(employee)
    assert client.get("/projects/checklists/").status_code == 403


def test_an_item_is_not_listed_twice_and_seeding_twice_is_harmless(manager, home_org):
    checklists_ensure_defaults(home_org)
    count = GateChecklistItem.objects.count()
    with pytest.raises(DomainError) as info:
        checklist_item_add(actor=manager, organisation=home_org, phase="concept",
                           text="Forankret i ledelsen")
    assert info.value.code == "duplicate"
    # Two first uses at once: the second bulk insert meets the constraint and is ignored.
    GateChecklistItem.objects.filter(organisation=home_org).delete()
    checklists_ensure_defaults(home_org)
    from projects.services.checklists import DEFAULT_CHECKLISTS as defaults

    GateChecklistItem.objects.bulk_create(
        [GateChecklistItem(organisation=home_org, phase=p, text=t)
         for p, texts in defaults.items() for t in texts], ignore_conflicts=True)
    assert GateChecklistItem.objects.count() == count
    # A retired text may come back as a new item.
    item = GateChecklistItem.objects.filter(organisation=home_org, phase="pilot").first()
    checklist_item_retire(actor=manager, item=item)
    checklist_item_add(actor=manager, organisation=home_org, phase="pilot", text=item.text)
