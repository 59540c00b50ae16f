"""portal.prefetch: the project page's content tables and benefit map read in one round trip
on PostgreSQL give the same rows, in the same order, with the same values and types as the
ORM's own queries; afterwards nothing the page reads of them sends a query. The whole page
(timeline, adopters, checklist, benefits panel too) is read in that one statement and shows
the same as when each table is read by its own query."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gevinst import services as benefit_services
from gevinst.services import map_edge_add, map_node_add
from portal.prefetch import prefetch_together
from portal.roles import Role
from projects.models import Project
from projects.services import project_adopt, project_item_add
from projects.services.checklists import checklist_items, checklist_tick
from projects.services.content import CONTENT_KINDS
from tests.factories import MembershipFactory, OrganisationFactory
from tests.gevinst.conftest import benefit_fields
from tests.pages import empty_page_cache, without_tokens
from tests.projects.test_content import VALID


def _typed(kind: str, data: dict) -> dict:
    """The content tests' form values (tests/projects/test_content.py VALID) as the services
    take them: decimals, dates, numbers."""
    model = CONTENT_KINDS[kind].model
    return {name: model._meta.get_field(name).to_python(value) for name, value in data.items()}


RELATED = [spec.model._meta.get_field("project").remote_field.related_name
           for spec in CONTENT_KINDS.values()] + ["map_nodes", "map_edges"]


def _values(obj):
    return [(f.attname, type(getattr(obj, f.attname)), getattr(obj, f.attname))
            for f in obj._meta.concrete_fields]


@pytest.fixture
def full_project(project_leader, project):
    """Two rows of every kind of content (so the order is checked), a participant
    organisation, and a benefit map with an edge."""
    for kind, data in VALID.items():
        for n in (2, 1):
            row = _typed(kind, data)
            if "title" in data:
                row["title"] = f"{data['title']} {n}"
            project_item_add(actor=project_leader, project=project, kind=kind, data=row)
    for name in ("Samarbeidskommune", "Nabokommune"):
        project_item_add(actor=project_leader, project=project, kind="participants", data=dict(
            organisation=OrganisationFactory(name=name), role="Medeier"))
    action = map_node_add(actor=project_leader, project=project, kind="action",
                          label="Sensorer <natt>")
    effect = map_node_add(actor=project_leader, project=project, kind="effect",
                          label="Færre tilsyn")
    map_edge_add(actor=project_leader, project=project, source=action, target=effect)
    return project


def test_rows_values_types_and_order_equal_the_orms(full_project):
    expected = {name: [_values(o) for o in getattr(full_project, name).all()]
                for name in RELATED}
    names = [p.organisation.name for p in full_project.participants.all()]
    assert all(len(rows) >= 1 for rows in expected.values()), expected
    project = Project.objects.get(pk=full_project.pk)
    with CaptureQueriesContext(connection) as captured:
        prefetch_together(project, RELATED, follow={"participants": "organisation"})
    assert len(captured) == (1 if connection.vendor == "postgresql" else len(RELATED))
    with CaptureQueriesContext(connection) as after:
        got = {name: [_values(o) for o in getattr(project, name).all()] for name in RELATED}
        organisations = [p.organisation.name for p in project.participants.all()]
        parents = {o.project.pk for name in RELATED for o in getattr(project, name).all()}
    assert got == expected
    assert organisations == names and set(names) == {"Samarbeidskommune", "Nabokommune"}
    assert parents == {project.pk}
    assert len(after) == 0, [q["sql"] for q in after]


def test_an_empty_project_reads_empty_tables(project):
    fresh = Project.objects.get(pk=project.pk)
    prefetch_together(fresh, RELATED, follow={"participants": "organisation"})
    with CaptureQueriesContext(connection) as after:
        assert all(list(getattr(fresh, name).all()) == [] for name in RELATED)
    assert len(after) == 0


def test_the_project_page_reads_its_content_in_one_query(client, project_leader, full_project):
    client.force_login(project_leader)
    client.get(f"/projects/{full_project.pk}/")
    with CaptureQueriesContext(connection) as captured:
        html = client.get(f"/projects/{full_project.pk}/").content.decode()
    tables = {spec.model._meta.db_table for spec in CONTENT_KINDS.values()}
    reading = [q["sql"] for q in captured if any(f'"{t}"' in q["sql"] for t in tables)]
    assert len(reading) == (1 if connection.vendor == "postgresql" else len(tables))
    assert "Samarbeidskommune" in html and "Sensorer &lt;natt&gt;" in html
    assert "Personvern 1" in html and "Pilotstart 2" in html


@pytest.fixture
def busy_project(full_project, project_leader, manager, other_org):
    """The full project with what the rest of the page shows: benefits (one without an
    owner) with measurements, a plan, a ticked checklist item, a shared adoption by another
    organisation, and a timeline of phase changes and content events."""
    for title, owner in (("Færre tilsyn", manager), ("Mindre kjøring", None)):
        benefit = benefit_services.benefit_create(actor=manager, project=full_project,
                                                  owner=owner, **benefit_fields(title=title))
        for on, value in (("2024-03-01", "35.50"), ("2024-09-01", "30")):
            benefit_services.measurement_create(actor=manager, benefit=benefit,
                                                measured_on=on, value=value)
    benefit_services.benefit_plan_save(actor=manager, project=full_project, interval_months=6,
                                       first_due_on=datetime.date(2024, 3, 1),
                                       notes="Halvårlig")
    item = checklist_items(full_project).first()
    checklist_tick(actor=project_leader, project=full_project, item=item, done=True)
    Project.objects.filter(pk=full_project.pk).update(visibility="public")
    adopter = MembershipFactory(organisation=other_org, role=Role.MANAGER).user
    project_adopt(actor=adopter, origin=full_project, organisation=other_org)
    return Project.objects.get(pk=full_project.pk), item


def _page(client, project) -> str:
    return without_tokens(client.get(f"/projects/{project.pk}/").content.decode())


def test_the_whole_project_page_is_read_in_one_statement_and_shows_the_same(
        client, manager, busy_project, monkeypatch):
    """Everything the page shows beyond its frame (session, user, memberships, the project,
    the visit, the unread count) comes from one statement on PostgreSQL, and the page is the
    same as when every table is read by its own query."""
    project, item = busy_project
    client.force_login(manager)
    client.get(f"/projects/{project.pk}/")
    with CaptureQueriesContext(connection) as captured:
        together = _page(client, project)
    monkeypatch.setattr("portal.prefetch.read_together", lambda querysets: None)
    empty_page_cache()  # rendered again, not served as stored
    with CaptureQueriesContext(connection) as apart:
        alone = _page(client, project)
    if connection.vendor == "postgresql":
        assert len(captured) == 7, [q["sql"][:120] for q in captured]
        assert len(apart) > 15
    assert together == alone
    # What each folded read shows: the benefits (the one without an owner is named), the
    # plan's status, the ticked item with who ticked it, the adopter, the timeline.
    assert "2 gevinster" in together and "1 gevinst mangler gevinsteier" in together
    assert "Mindre kjøring</a>" in together and "Ingen plan ennå" not in together
    assert f"{item.text}</button>" in together and "☑" in together
    assert project.adoptions.get().organisation.name in together
    assert "Sensorer &lt;natt&gt;" in together and "Ingen hendelser ennå" not in together
