"""Defaults are seeded on writes, never on reads (issue 14): an organisation gets its default
evaluation criteria and gate checklists when it is created or gets its first member (consumers
of the organisation events, registered by ideas and projects), existing organisations got them
in a data migration, and the write services seed them as a fallback. Pages and API GETs of an
organisation write nothing."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from ideas.models import EvaluationCriterion
from ideas.services import reviewer_assign
from ideas.services.evaluation import DEFAULT_CRITERIA
from portal.services import member_add
from projects.models import GateChecklistItem
from projects.services.checklists import DEFAULT_CHECKLISTS
from tests.consumers import run_consumers
from tests.factories import OrganisationFactory
from tests.ideas.factories import make_idea
from tests.projects.test_transitions import make_project

CHECKLIST_ITEMS = sum(len(texts) for texts in DEFAULT_CHECKLISTS.values())


def defaults(org) -> tuple[int, int]:
    return (EvaluationCriterion.objects.filter(organisation=org).count(),
            GateChecklistItem.objects.filter(organisation=org).count())


def test_the_first_member_gives_the_organisation_its_defaults(org_admin, home_org):
    assert defaults(home_org) == (0, 0)
    member_add(actor=org_admin, organisation=home_org, email="ny@hjemby.no", role="employee")
    run_consumers()
    assert defaults(home_org) == (len(DEFAULT_CRITERIA), CHECKLIST_ITEMS)
    # A second member changes nothing; the organisation's own edits win.
    EvaluationCriterion.objects.filter(organisation=home_org).update(is_active=False)
    member_add(actor=org_admin, organisation=home_org, email="nr2@hjemby.no", role="employee")
    run_consumers()
    assert defaults(home_org) == (len(DEFAULT_CRITERIA), CHECKLIST_ITEMS)
    assert not EvaluationCriterion.objects.filter(organisation=home_org,
                                                  is_active=True).exists()


@pytest.mark.parametrize(("app", "migration"), [
    ("ideas", "0009_seed_default_criteria"), ("projects", "0012_seed_default_checklists")])
def test_the_data_migrations_seed_existing_organisations_without_defaults(home_org, app,
                                                                          migration):
    seeded = OrganisationFactory(name="Har egne")
    EvaluationCriterion.objects.create(organisation=seeded, name="Eget", is_active=False)
    GateChecklistItem.objects.create(organisation=seeded, phase="concept", text="Eget")
    module = importlib.import_module(f"{app}.migrations.{migration}")
    module.seed(apps, None)
    module.seed(apps, None)  # twice: nothing new
    criteria, items = defaults(home_org)
    expected = len(DEFAULT_CRITERIA) if app == "ideas" else CHECKLIST_ITEMS
    assert (criteria if app == "ideas" else items) == expected
    assert defaults(seeded) == (1, 1)
    # The frozen copies are the defaults of today's code.
    if app == "ideas":
        assert module.DEFAULT_CRITERIA == [tuple(c) for c in DEFAULT_CRITERIA]
    else:
        assert module.DEFAULT_CHECKLISTS == {str(k): v for k, v in DEFAULT_CHECKLISTS.items()}


def test_reads_of_an_organisation_write_nothing(home_org, manager, coordinator, employee):
    """An organisation without defaults (created before the seed, say): its idea page, the
    scores API, the project page, the checklist API and the checklist page insert no row."""
    idea = make_idea(employee, home_org, status="submitted", coordinator=coordinator)
    project, _ = make_project(home_org, "concept", "full")
    run_consumers()
    api = APIClient()
    api.force_authenticate(manager)
    client = Client()
    client.force_login(manager)
    before = defaults(home_org)
    reads = [
        lambda: client.get(reverse("ideas:detail", args=[idea.pk])),
        lambda: api.get(f"/api/v1/ideas/{idea.pk}/scores/"),
        lambda: client.get(reverse("projects:detail", args=[project.pk])),
        lambda: api.get(f"/api/v1/projects/{project.pk}/checklist/"),
        lambda: client.get(reverse("projects:checklists", args=[home_org.org_number])),
    ]
    for read in reads:
        with CaptureQueriesContext(connection) as queries:
            response = read()
        assert response.status_code == 200, response
        # The one write a read may do is the reader's own "last seen" mark (the project list's
        # "new since your last visit"): the user's state, not the organisation's data.
        inserts = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("INSERT")
                   and "projects_projectvisit" not in q["sql"]]
        assert inserts == [], inserts
    assert defaults(home_org) == before == (0, 0)


def test_the_write_services_seed_the_defaults_as_a_fallback(home_org, coordinator, employee,
                                                           manager):
    idea = make_idea(employee, home_org, status="submitted", coordinator=coordinator)
    reviewer_assign(actor=coordinator, idea=idea, reviewer=manager)
    assert defaults(home_org)[0] == len(DEFAULT_CRITERIA)
    # The checklist page's POST (adding an item) seeds the defaults first.
    client = Client()
    client.force_login(manager)
    client.post(reverse("projects:checklists", args=[home_org.org_number]),
                {"action": "add", "phase": "pilot", "text": "Eget punkt"})
    assert defaults(home_org)[1] == CHECKLIST_ITEMS + 1
