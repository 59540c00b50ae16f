"""The open catalogue and adoption: only shared projects, no private data, lineage kept and
listed on the origin."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.models import PhaseChange
from portal.errors import DomainError, Forbidden
from portal.models import Organisation
from projects.models import Project, ProjectEvent, ProjectLink, ProjectMember
from projects.services import project_adopt, project_item_add
from tests.factories import NetworkFactory, OrganisationFactory
from tests.projects.test_transitions import make_project


@pytest.fixture
def shared(home_org, other_org, project_leader):
    """Projects of the neighbour municipality (3 000 inhabitants: small): one public with
    private content, one network-shared, one organisation-only."""
    public, _ = make_project(other_org, "pilot", "full")
    public.title, public.visibility, public.welfare_area = ("Digitalt nattilsyn", "public",
                                                            "digital_supervision")
    public.save()
    ProjectMember.objects.create(project=public, name="Hemmelig Teammedlem", role="Sykepleier")
    ProjectLink.objects.create(project=public, title="Intern rapport",
                               url="https://intranett.example.no/rapport")
    network, _ = make_project(other_org, "implementation", "full")
    network.title, network.visibility = "Nettverksprosjekt", "network"
    network.save()
    private, _ = make_project(other_org, "concept", "full")
    private.title = "Privat prosjekt"
    private.save()
    own_private, _ = make_project(home_org, "concept", "full")
    own_private.title = "Vårt interne prosjekt"
    own_private.save()
    return {"public": public, "network": network, "private": private, "own": own_private}


def titles(response):
    html = response.content.decode()
    return {t for t in ("Digitalt nattilsyn", "Nettverksprosjekt", "Privat prosjekt",
                        "Vårt interne prosjekt") if t in html}


def test_anonymous_sees_only_public_projects_without_private_fields(client, shared):
    response = client.get("/projects/catalogue/")
    assert response.status_code == 200
    assert titles(response) == {"Digitalt nattilsyn"}
    detail = client.get(f"/projects/catalogue/{shared['public'].pk}/")
    html = detail.content.decode()
    assert detail.status_code == 200 and "Digitalt nattilsyn" in html
    assert "Hemmelig Teammedlem" not in html and "intranett" not in html
    assert "Adopter prosjektet" not in html
    for key in ("network", "private"):
        assert client.get(f"/projects/catalogue/{shared[key].pk}/").status_code == 404


def test_network_members_also_see_network_shared_projects(client, employee, home_org,
                                                          other_org, shared):
    client.force_login(employee)
    assert titles(client.get("/projects/catalogue/")) == {"Digitalt nattilsyn"}
    NetworkFactory().organisations.set([home_org, other_org])
    assert titles(client.get("/projects/catalogue/")) == {"Digitalt nattilsyn",
                                                          "Nettverksprosjekt"}


def test_an_outsider_opening_the_project_page_gets_the_shared_view(client, employee, shared):
    client.force_login(employee)
    html = client.get(f"/projects/{shared['public'].pk}/").content.decode()
    assert "Digitalt nattilsyn" in html and "Hemmelig Teammedlem" not in html
    assert "intranett" not in html and "Registrer beslutning" not in html
    assert client.get(f"/projects/{shared['private'].pk}/").status_code == 404


def test_catalogue_filters(client, shared, other_org):
    big = OrganisationFactory(name="Storby kommune", population=50_000)
    large, _ = make_project(big, "spread", "full")
    large.title, large.visibility = "Storbyprosjekt", "public"
    large.save()

    def found(**params):
        html = client.get("/projects/catalogue/", params).content.decode()
        return {t for t in ("Digitalt nattilsyn", "Storbyprosjekt") if t in html}

    assert found() == {"Digitalt nattilsyn", "Storbyprosjekt"}
    assert found(size_class="small") == {"Digitalt nattilsyn"}
    assert found(size_class="large") == {"Storbyprosjekt"}
    assert found(phase="spread") == {"Storbyprosjekt"}
    assert found(welfare_area="digital_supervision") == {"Digitalt nattilsyn"}
    assert found(q="nattilsyn") == {"Digitalt nattilsyn"}
    rows = client.get("/projects/catalogue/", {"q": "storby"}, HTTP_HX_REQUEST="true",
                      HTTP_HX_TARGET="catalogue-rows")
    assert b"<html" not in rows.content and b"Storbyprosjekt" in rows.content


def test_catalogue_query_count_is_constant(client, other_org):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/projects/catalogue/").status_code == 200
        return len(queries.captured_queries)

    for _ in range(2):
        p, _ = make_project(other_org, "pilot", "full")
        Project.objects.filter(pk=p.pk).update(visibility="public")
    few = count()
    for _ in range(8):
        p, _ = make_project(OrganisationFactory(), "pilot", "full")
        Project.objects.filter(pk=p.pk).update(visibility="public")
    assert count() == few


# --- Adoption -------------------------------------------------------------------------------

def test_adoption_creates_a_linked_project_and_the_origin_lists_it(manager, home_org, shared):
    origin = shared["public"]
    adopted = project_adopt(actor=manager, origin=origin, organisation=home_org,
                            start_phase="pilot")
    assert (adopted.organisation, adopted.adopted_from, adopted.initiative.phase) == (
        home_org, origin, "pilot")
    assert adopted.visibility == "organisation" and adopted.initiative.organisation == home_org
    change = PhaseChange.objects.get(initiative=adopted.initiative)
    assert (change.from_phase, change.to_phase, change.decided_by) == ("", "pilot", manager)
    assert ProjectEvent.objects.filter(project=adopted, kind="adopted_from").exists()
    assert ProjectEvent.objects.filter(project=origin, kind="adopted").exists()
    assert list(origin.adoptions.all()) == [adopted]
    # The lineage is on the spine too (the indicator timeline reads it there).
    assert adopted.initiative.adopted_from == origin.initiative


def test_adopt_from_the_page_and_origin_shows_adopters_and_phases(client, manager, home_org,
                                                                  other_org, shared):
    origin = shared["public"]
    client.force_login(manager)
    page = client.get(f"/projects/catalogue/{origin.pk}/").content.decode()
    assert "Adopter prosjektet" in page
    response = client.post(f"/projects/{origin.pk}/adopt/", {
        "organisation": home_org.org_number, "start_phase": "concept"})
    adopted = Project.objects.get(adopted_from=origin)
    assert response.status_code == 302 and response["Location"] == f"/projects/{adopted.pk}/"
    own_page = client.get(f"/projects/{adopted.pk}/").content.decode()
    assert "Adoptert fra" in own_page and "Digitalt nattilsyn" in own_page
    # Back in the catalogue, the adopter finds its own copy from the origin.
    catalogue_page = client.get(f"/projects/catalogue/{origin.pk}/").content.decode()
    assert f'href="/projects/{adopted.pk}/"' in catalogue_page
    assert "Adopter prosjektet" not in catalogue_page  # already adopted by its only org
    # The origin's own members see the adopter and its phase on the full project page.
    from portal.roles import Role
    from tests.factories import MembershipFactory

    origin_member = MembershipFactory(organisation=other_org, role=Role.EMPLOYEE).user
    client.force_login(origin_member)
    html = client.get(f"/projects/{origin.pk}/").content.decode()
    adopters = html[html.index('id="h-adopters"'):html.index('id="timeline"')]
    assert home_org.name in adopters and "Konsept" in adopters
    # Anyone can see the adopters in the catalogue.
    assert f'href="/projects/{adopted.pk}/"' not in html
    client.logout()
    anonymous = client.get(f"/projects/catalogue/{origin.pk}/").content.decode()
    assert home_org.name in anonymous and f'href="/projects/{adopted.pk}/"' not in anonymous


@pytest.mark.parametrize("persona,status", [
    ("employee", 403), ("coordinator", 403), ("project_leader", 403), ("manager", 302),
    ("admin", 302), ("anonymous", 302)])
def test_adopt_permission_matrix(client, personas, home_org, shared, persona, status):
    origin = shared["public"]
    user = personas[persona]
    if user:
        client.force_login(user)
    before = (Project.objects.count(), ProjectEvent.objects.count())
    response = client.post(f"/projects/{origin.pk}/adopt/", {
        "organisation": home_org.org_number, "start_phase": "concept"})
    assert response.status_code == status
    if persona in ("manager", "admin"):
        assert Project.objects.filter(adopted_from=origin, organisation=home_org).exists()
    else:
        assert (Project.objects.count(), ProjectEvent.objects.count()) == before
        if persona == "anonymous":
            assert "/accounts/login/" in response["Location"]


def test_private_projects_cannot_be_adopted(client, manager, home_org, shared):
    client.force_login(manager)
    before = Project.objects.count()
    assert client.post(f"/projects/{shared['private'].pk}/adopt/", {
        "organisation": home_org.org_number, "start_phase": "concept"}).status_code == 404
    with pytest.raises(DomainError):
        project_adopt(actor=manager, origin=shared["private"], organisation=home_org)
    assert Project.objects.count() == before


def test_adoption_rules(manager, outsider, home_org, other_org, shared):
    origin = shared["public"]
    with pytest.raises(DomainError):
        project_adopt(actor=manager, origin=origin, organisation=home_org,
                      start_phase="implementation")
    with pytest.raises(Forbidden):
        project_adopt(actor=manager, origin=origin, organisation=other_org)
    with pytest.raises(DomainError):  # its own organisation's project
        project_adopt(actor=outsider, origin=origin, organisation=other_org)
    project_adopt(actor=manager, origin=origin, organisation=home_org)
    with pytest.raises(DomainError) as info:
        project_adopt(actor=manager, origin=origin, organisation=home_org)
    assert info.value.code == "already_adopted"
    assert Project.objects.filter(adopted_from=origin).count() == 1
    assert Organisation.objects.count() == 2


def test_the_adopted_project_keeps_nothing_private_of_the_origin(manager, home_org, shared,
                                                                 project_leader):
    adopted = project_adopt(actor=manager, origin=shared["public"], organisation=home_org)
    assert not adopted.members.exists() and not adopted.links.exists()
    project_item_add(actor=manager, project=adopted, kind="links",
                     data={"title": "Vår plan", "url": "https://example.no/plan"})
    assert shared["public"].links.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_two_adoptions_by_the_same_organisation_at_once_create_one_project():
    import threading

    from portal.roles import Role
    from tests.factories import MembershipFactory, UserFactory

    origin_org, adopter = OrganisationFactory(), OrganisationFactory()
    managers = [MembershipFactory(user=UserFactory(), organisation=adopter,
                                  role=Role.MANAGER).user for _ in range(2)]
    origin, _ = make_project(origin_org, "pilot", "full")
    Project.objects.filter(pk=origin.pk).update(visibility="public")
    barrier = threading.Barrier(2)
    outcomes = []

    def adopt(user):
        try:
            barrier.wait()
            project_adopt(actor=user, origin=Project.objects.get(pk=origin.pk),
                          organisation=adopter)
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=adopt, args=(m,)) for m in managers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already_adopted", "ok"]
    assert Project.objects.filter(adopted_from=origin, organisation=adopter).count() == 1
