"""Pages and API apply the same visibility rule (issue 13): for each resource that both show,
every persona gets from the API exactly what the page shows them — one selector decides for
both (projects.access.may_read_decisions / projects.selectors.phase_history for gate
decisions, indicators.selectors.visible_organisations for indicator snapshots,
ideas.selectors.survivors_shown for the survivor of a merge)."""

import datetime

import pytest
from django.urls import reverse

from ideas import services as idea_services
from indicators import services as indicator_services
from projects.models import Visibility
from projects.services import checklists_ensure_defaults, project_transition
from tests.factories import NetworkFactory
from tests.ideas.factories import make_idea
from tests.indicators.helpers import make_initiative
from tests.projects.test_transitions import make_project

PERSONAS = ["employee", "coordinator", "project_leader", "manager", "org_admin", "outsider",
            "network_analyst", "national_analyst"]
RATIONALE = "Begrunnelse-kun-for-egne"
LESSON = "Lærdom-kun-for-egne"


@pytest.fixture
def decided(home_org, manager):
    """A public project of the home organisation, moved to pilot with open checklist items
    (so with a rationale and the checklist as it stood) and then stopped with a lesson."""
    checklists_ensure_defaults(home_org)
    project, _ = make_project(home_org, "concept", "full")
    project.visibility = Visibility.PUBLIC
    project.save(update_fields=["visibility"])
    today = datetime.date.today()
    pilot = project_transition(actor=manager, project=project, to_phase="pilot",
                               rationale=RATIONALE, effective_date=today)
    project_transition(actor=manager, project=project, to_phase="stopped",
                       stop_reason="no_effect", lesson_learned=LESSON, effective_date=today)
    assert pilot.checklist, "the decision keeps the checklist as it stood"
    return project, pilot.checklist[0]["text"]


def _what_the_api_shows(api_client, project) -> dict:
    response = api_client.get(f"/api/v1/projects/{project.pk}/transitions/")
    assert response.status_code == 200
    rows = response.json()
    return {
        "rationale": any(r["rationale"] == RATIONALE for r in rows),
        "lesson": any(r["lesson_learned"] == LESSON for r in rows),
        "checklist": any(r["checklist"] for r in rows),
        "decider": any(r["decided_by"] == "manager" for r in rows),
        "stop_reason": any(r["stop_reason"] for r in rows),
    }


def _what_the_page_shows(client, project, checklist_text, manager) -> dict:
    response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    return {
        "rationale": RATIONALE in page,
        "lesson": LESSON in page,
        "checklist": checklist_text in page,
        "decider": manager.get_full_name() in page,
        "stop_reason": "Ingen effekt" in page,
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_gate_decisions_the_api_shows_what_the_project_page_shows(
        request, client, api_client, decided, manager, persona):
    project, checklist_text = decided
    user = request.getfixturevalue(persona)
    client.force_login(user)
    api_client.force_authenticate(user)
    page = _what_the_page_shows(client, project, checklist_text, manager)
    api = _what_the_api_shows(api_client, project)
    assert api == page
    member = persona in ("employee", "coordinator", "project_leader", "manager", "org_admin")
    assert set(api.values()) == {member}, "members read the decisions, nobody else does"


def test_outsiders_still_get_the_phase_steps(api_client, decided, outsider):
    project, _ = decided
    api_client.force_authenticate(outsider)
    rows = api_client.get(f"/api/v1/projects/{project.pk}/transitions/").json()
    assert [r["to_phase"] for r in rows][-2:] == ["pilot", "stopped"]
    assert all(r[k] is None for r in rows for k in ("decided_by", "rationale", "stop_reason",
                                                    "lesson_learned", "checklist"))


@pytest.fixture
def snapshots(home_org, other_org):
    make_initiative(home_org, [("concept", "2024-02-01")])
    make_initiative(other_org, [("idea", "2024-03-01")], project=False)
    indicator_services.indicators_recompute(year=2024)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("which", ["home_org", "other_org"])
def test_indicator_snapshots_the_api_shows_what_the_indicator_page_shows(
        request, client, api_client, snapshots, persona, which):
    user = request.getfixturevalue(persona)
    organisation = request.getfixturevalue(which)
    client.force_login(user)
    api_client.force_authenticate(user)
    page = client.get(reverse("indicators:home"),
                      {"organisation": organisation.org_number, "year": 2024})
    api = api_client.get("/api/v1/indicators/", {"year": 2024})
    summary = api_client.get("/api/v1/indicators/summary/",
                             {"year": 2024, "group_by": "national"})
    assert page.status_code in (200, 403)
    assert api.status_code == summary.status_code == page.status_code
    if page.status_code == 403:
        return
    page_reads = page.context["organisation"] == organisation
    api_reads = organisation.org_number in {
        r["organisation"]["org_number"] for r in api.json()["results"]}
    assert api_reads == page_reads


@pytest.mark.parametrize("persona, status", [("employee", 403), ("project_leader", 403),
                                             ("manager", 200), ("coordinator", 200)])
def test_employees_read_no_snapshots_through_the_api(request, api_client, snapshots, persona,
                                                      status):
    """Before: employees read their organisation's snapshots through the API although the
    indicator pages refuse them."""
    api_client.force_authenticate(request.getfixturevalue(persona))
    for url, query in (("/api/v1/indicators/", {"year": 2024}),
                       ("/api/v1/indicators/summary/", {"year": 2024, "group_by": "national"})):
        response = api_client.get(url, query)
        assert response.status_code == status
        if status == 403:
            assert "results" not in response.json()


SURVIVOR = "Overlevende-kun-for-egne"


@pytest.fixture
def merged_into_narrower(employee, coordinator, home_org, other_org):
    """A network-shared idea merged into a confidential one (the merge rule allows a narrower
    survivor): partners read the merged idea but not its survivor."""
    NetworkFactory(name="Fjellregionen").organisations.set([home_org, other_org])
    shared = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                       title="Delt nattilsyn", visibility="network")
    survivor = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                         title=SURVIVOR, is_confidential=True)
    idea_services.idea_merge(actor=coordinator, idea=shared, into=survivor)
    return shared, survivor


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_survivor_of_a_merge_the_api_names_whom_the_idea_page_names_it_to(
        request, client, api_client, merged_into_narrower, persona):
    """Before: the API's `merged_into` gave the survivor's id to partners the page hid it
    from."""
    shared, survivor = merged_into_narrower
    user = request.getfixturevalue(persona)
    client.force_login(user)
    api_client.force_authenticate(user)
    page = client.get(reverse("ideas:detail", args=[shared.pk]))
    detail = api_client.get(f"/api/v1/ideas/{shared.pk}/")
    listed = api_client.get("/api/v1/ideas/")
    assert page.status_code == detail.status_code
    if page.status_code == 404:
        assert shared.pk not in {r["id"] for r in listed.json()["results"]}
        return
    page_names = SURVIVOR in page.content.decode()
    rows = [r for r in listed.json()["results"] if r["id"] == shared.pk]
    assert detail.json()["merged_into"] == rows[0]["merged_into"] == (
        survivor.pk if page_names else None)
    assert page_names == (persona in ("employee", "coordinator", "project_leader", "manager",
                                      "org_admin"))
