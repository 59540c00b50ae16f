"""Two people editing the same project or benefit field: the second save is refused with a
clear conflict message (HTML 409 with the message on the form, API 409 with a code), and the
first person's change stays. Missing versions are refused on the API, not taken as "force"."""

import pytest
from django.db import connection
from django.urls import reverse

from gevinst import services as gevinst_services
from gevinst.models import Benefit, BenefitEvent, BenefitPlan
from projects.models import ProjectEvent, ProjectRisk
from projects.services import item_version, project_item_add
from tests.gevinst.conftest import benefit_fields, make_project

pytestmark = pytest.mark.django_db
CONFLICT_TEXT = "Noen andre har endret"


@pytest.fixture
def project(home_org, project_leader):
    return make_project(home_org, leader=project_leader)


@pytest.fixture
def risk(project, project_leader):
    return project_item_add(actor=project_leader, project=project, kind="risks", data={
        "title": "Personvern", "category": "regulatory", "probability": 3, "consequence": 4})


@pytest.fixture
def benefit(project, manager):
    return gevinst_services.benefit_create(actor=manager, project=project,
                                           **benefit_fields(owner=manager))


def risk_form(client, project, risk) -> dict:
    """What an editor's browser would post: the form as loaded (with its hidden version)."""
    response = client.get(f"/projects/{project.pk}/risks/{risk.pk}/")
    assert response.status_code == 200
    form = response.context["form"]
    return {name: form[name].value() if form[name].value() is not None else ""
            for name in form.fields}


def test_project_content_second_editor_gets_a_conflict_on_the_page(
        client, project, risk, project_leader, manager):
    client.force_login(project_leader)
    first = risk_form(client, project, risk)
    client.force_login(manager)
    second = risk_form(client, project, risk)
    assert first["version"] == second["version"] != ""

    client.force_login(project_leader)
    response = client.post(f"/projects/{project.pk}/risks/{risk.pk}/",
                           {**first, "mitigation": "Leders tiltak"})
    assert response.status_code == 302
    updates = ProjectEvent.objects.filter(kind="item_updated").count()

    client.force_login(manager)
    response = client.post(f"/projects/{project.pk}/risks/{risk.pk}/",
                           {**second, "mitigation": "Lederens tiltak"})
    assert response.status_code == 409
    assert CONFLICT_TEXT in response.content.decode()
    assert ProjectRisk.objects.get(pk=risk.pk).mitigation == "Leders tiltak"
    assert ProjectEvent.objects.filter(kind="item_updated").count() == updates


def test_project_content_api_second_patch_of_the_same_version_is_409(
        api_client, project, risk, project_leader, manager):
    url = f"/api/v1/projects/{project.pk}/risks/{risk.pk}/"
    api_client.force_authenticate(project_leader)
    version = api_client.get(url).json()["version"]
    assert version == item_version("risks", ProjectRisk.objects.get(pk=risk.pk))
    first = api_client.patch(url, {"owner": "Kari", "version": version}, format="json")
    assert first.status_code == 200 and first.json()["version"] != version

    api_client.force_authenticate(manager)
    second = api_client.patch(url, {"owner": "Per", "version": version}, format="json")
    assert second.status_code == 409
    assert second.json()["code"] == "version_conflict"
    assert CONFLICT_TEXT in second.json()["detail"]
    assert ProjectRisk.objects.get(pk=risk.pk).owner == "Kari"

    missing = api_client.patch(url, {"owner": "Per"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()["errors"]
    assert ProjectRisk.objects.get(pk=risk.pk).owner == "Kari"
    # With the version the first save returned, the second editor's change goes through.
    again = api_client.patch(url, {"owner": "Per", "version": first.json()["version"]},
                             format="json")
    assert again.status_code == 200


def test_the_project_api_has_no_unchecked_write_path_for_its_own_fields(
        api_client, project, manager):
    api_client.force_authenticate(manager)
    for method in ("put", "patch"):
        response = getattr(api_client, method)(f"/api/v1/projects/{project.pk}/",
                                               {"title": "Overskrevet"}, format="json")
        assert response.status_code == 405
    project.refresh_from_db()
    assert project.title == "Nattilsyn"


def test_project_own_fields_second_editor_gets_a_conflict_on_the_page(
        client, project, project_leader, manager):
    client.force_login(project_leader)
    form = client.get(f"/projects/{project.pk}/edit/").context["form"]
    data = {name: form[name].value() if form[name].value() is not None else ""
            for name in form.fields}
    assert client.post(f"/projects/{project.pk}/edit/",
                       {**data, "title": "Leders tittel"}).status_code == 302
    client.force_login(manager)
    response = client.post(f"/projects/{project.pk}/edit/", {**data, "title": "Min tittel"})
    assert response.status_code == 409
    assert CONFLICT_TEXT in response.content.decode()
    project.refresh_from_db()
    assert project.title == "Leders tittel"


def test_benefit_second_editor_gets_a_conflict_on_the_page(client, benefit, manager,
                                                           project_leader):
    url = reverse("gevinst:edit", args=[benefit.pk])
    client.force_login(manager)
    form = client.get(url).context["form"]
    data = {name: form[name].value() if form[name].value() is not None else ""
            for name in form.fields}
    assert data["version"] == 1
    assert client.post(url, {**data, "title": "Første"}).status_code == 302
    updates = BenefitEvent.objects.filter(kind="benefit_updated").count()
    response = client.post(url, {**data, "title": "Andre"})
    assert response.status_code == 409
    assert "Noen andre har endret dette siden du åpnet skjemaet" in response.content.decode()
    assert Benefit.objects.get(pk=benefit.pk).title == "Første"
    assert BenefitEvent.objects.filter(kind="benefit_updated").count() == updates


def test_benefit_plan_api_refuses_a_stale_or_missing_version(api_client, project, manager):
    url = f"/api/v1/projects/{project.pk}/benefit-plan/"
    api_client.force_authenticate(manager)
    assert api_client.get(url).json()["version"] == 0
    body = {"interval_months": 3, "first_due_on": "2025-01-01", "version": 0}
    assert api_client.put(url, body, format="json").status_code == 200
    # A second editor who also started from "no plan yet": a conflict, not an overwrite.
    stale = api_client.put(url, {**body, "interval_months": 6}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    missing = api_client.put(url, {"interval_months": 6, "first_due_on": "2025-01-01"},
                             format="json")
    assert missing.status_code == 400 and "version" in missing.json()["errors"]
    assert BenefitPlan.objects.get(project=project).interval_months == 3


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)",
                                 "data:text/html,<script>alert(1)</script>",
                                 "vbscript:msgbox(1)"])
def test_project_links_accept_only_web_addresses(client, api_client, project, project_leader,
                                                 url):
    """A link is rendered as an href: only http(s) addresses are stored, on the page and on
    the API, so a stored link can never run script in a reader's browser."""
    client.force_login(project_leader)
    page = client.post(f"/projects/{project.pk}/links/new/", {"title": "Lenke", "url": url})
    assert page.status_code == 400 and "field-error" in page.content.decode()
    api_client.force_authenticate(project_leader)
    api = api_client.post(f"/api/v1/projects/{project.pk}/links/", {"title": "Lenke",
                                                                     "url": url}, format="json")
    assert api.status_code == 400 and "url" in api.json()["errors"]
    assert not project.links.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_two_editors_saving_the_same_content_version_at_once_exactly_one_wins():
    """The version check runs under the row lock: two saves of the same version at the same
    moment cannot both pass it."""
    from portal.roles import Role
    from projects.services import project_item_update
    from tests.concurrency import race
    from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

    org = OrganisationFactory()
    editors = [MembershipFactory(user=UserFactory(), organisation=org, role=Role.MANAGER).user
               for _ in range(2)]
    project = make_project(org, leader=editors[0])
    risk = project_item_add(actor=editors[0], project=project, kind="risks", data={
        "title": "Personvern", "category": "regulatory", "probability": 3, "consequence": 4})
    version = item_version("risks", ProjectRisk.objects.get(pk=risk.pk))
    outcomes = race(
        lambda user, owner: project_item_update(
            actor=user, project=project, kind="risks",
            instance=ProjectRisk.objects.get(pk=risk.pk), data={"owner": owner},
            expected_version=version),
        ["Eier 0", "Eier 1"], editors)
    assert outcomes.count("conflict") == 1
    winner = next(o for o in outcomes if o != "conflict")
    assert ProjectRisk.objects.get(pk=risk.pk).owner == winner
    assert ProjectEvent.objects.filter(kind="item_updated").count() == 1
