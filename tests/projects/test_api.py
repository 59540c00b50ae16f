import pytest

from initiatives.models import PhaseChange
from portal.models import Network
from tests.factories import OrganisationFactory
from tests.projects.test_transitions import make_project


@pytest.fixture
def projects(home_org, other_org):
    own, _ = make_project(home_org, "concept", "full")
    foreign_private, _ = make_project(other_org, "pilot", "full")
    foreign_public, _ = make_project(other_org, "implementation", "full")
    foreign_public.visibility = "public"
    foreign_public.save()
    return own, foreign_private, foreign_public


def ids(response):
    return {p["id"] for p in response.json()["results"]}


def test_list_shows_own_and_shared_projects_only(api_client, employee, projects):
    own, foreign_private, foreign_public = projects
    api_client.force_authenticate(employee)
    assert ids(api_client.get("/api/v1/projects/")) == {own.pk, foreign_public.pk}
    assert api_client.get(f"/api/v1/projects/{foreign_private.pk}/").status_code == 404
    only_concept = api_client.get("/api/v1/projects/", {"phase": "concept"})
    assert ids(only_concept) == {own.pk}


def test_network_shared_project_is_visible_to_network_members(api_client, employee, home_org,
                                                              other_org, projects):
    _own, foreign_private, _ = projects
    foreign_private.visibility = "network"
    foreign_private.save()
    api_client.force_authenticate(employee)
    assert foreign_private.pk not in ids(api_client.get("/api/v1/projects/"))
    network = Network.objects.create(name="Fjellregionen")
    network.organisations.set([home_org, other_org])
    assert foreign_private.pk in ids(api_client.get("/api/v1/projects/"))


def test_manager_posts_a_gate_decision_and_reads_the_history(api_client, manager, projects):
    own, *_ = projects
    api_client.force_authenticate(manager)
    url = f"/api/v1/projects/{own.pk}/transitions/"
    response = api_client.post(url, {"to_phase": "pilot", "expected_phase": "concept",
                                     "rationale": "Forankret i ledelsen"}, format="json")
    assert response.status_code == 201
    assert response.json()["to_phase"] == "pilot"
    history = api_client.get(url).json()
    assert [h["to_phase"] for h in history] == ["concept", "pilot"]
    conflict = api_client.post(url, {"to_phase": "pilot", "expected_phase": "concept"},
                               format="json")
    assert conflict.status_code == 409 and conflict.json()["code"] == "phase_changed"


@pytest.mark.parametrize("persona, status", [
    ("employee", 403), ("coordinator", 403), ("project_leader", 403), ("outsider", 404),
    ("anonymous", 401),
])
def test_others_cannot_decide_and_nothing_changes(api_client, personas, projects, persona,
                                                  status):
    own, *_ = projects
    if personas[persona]:
        api_client.force_authenticate(personas[persona])
    before = PhaseChange.objects.count()
    response = api_client.post(f"/api/v1/projects/{own.pk}/transitions/",
                               {"to_phase": "pilot"}, format="json")
    assert response.status_code == status
    assert PhaseChange.objects.count() == before


def test_invalid_moves_give_field_errors(api_client, manager, projects):
    own, *_ = projects
    api_client.force_authenticate(manager)
    url = f"/api/v1/projects/{own.pk}/transitions/"
    skip = api_client.post(url, {"to_phase": "spread"}, format="json")
    assert skip.status_code == 400 and "to_phase" in skip.json()["errors"]
    stop = api_client.post(url, {"to_phase": "stopped"}, format="json")
    assert stop.status_code == 400
    assert set(stop.json()["errors"]) == {"stop_reason", "lesson_learned"}
    bogus = api_client.post(url, {"to_phase": "moon"}, format="json")
    assert bogus.status_code == 400 and "to_phase" in bogus.json()["errors"]


def test_project_list_query_count_is_constant(api_client, employee, home_org,
                                              django_assert_max_num_queries):
    make_project(home_org, "concept", "full")
    api_client.force_authenticate(employee)
    with django_assert_max_num_queries(10) as few:
        api_client.get("/api/v1/projects/")
    for _ in range(8):
        make_project(home_org, "pilot", "full")
    make_project(OrganisationFactory(), "pilot", "full")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api_client.get("/api/v1/projects/").json()["count"] == 9
