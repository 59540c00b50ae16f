"""Helpers for tests of the pages issue 18 measures: a world that fills them, their
addresses, and emptying the cache of rendered pages (portal.page_cache)."""

import datetime
import re
import uuid

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gevinst import services as benefit_services
from indicators import services as indicator_services
from portal.roles import Role
from projects.models import Project
from projects.services import project_item_add
from tests.factories import MembershipFactory, NetworkFactory, UserFactory
from tests.gevinst.conftest import benefit_fields
from tests.gevinst.conftest import make_project as make_benefit_project
from tests.ideas.factories import make_idea
from tests.indicators.helpers import make_initiative


def empty_page_cache() -> None:
    """From now on this test finds none of the pages cached so far (a new namespace; the
    autouse fixture in tests/conftest.py restores the setting after the test)."""
    settings.PAGE_CACHE_SALT = uuid.uuid4().hex


def rendered_visit(client, url):
    """A visit that renders the page (the one before it sets the CSRF cookie and records a
    project page's first visit; the cache is emptied between): the response and its queries."""
    client.get(url)
    empty_page_cache()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, captured


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which are masked afresh on every render."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def grow(home_org, other_org, manager, author, n, start=0):
    """n more of everything the pages show, in both organisations."""
    neighbour = other_org.memberships.get().user
    for i in range(start, start + n):
        make_idea(author, home_org, title=f"Nattilsyn med sensor {i}", status="submitted",
                  tags=[f"t{i}"])
        make_idea(neighbour, other_org, title=f"Delt nattilsyn {i}", status="submitted",
                  visibility="public")
        project = make_benefit_project(home_org, title=f"Nattilsyn {i}", leader=manager)
        Project.objects.filter(pk=project.pk).update(visibility="public")
        benefit = benefit_services.benefit_create(actor=manager, project=project, owner=manager,
                                                  **benefit_fields(title=f"G{i}"))
        for on, value in (("2024-03-01", "35"), ("2024-09-01", "30")):
            benefit_services.measurement_create(actor=manager, benefit=benefit,
                                                measured_on=on, value=value)
        project_item_add(actor=manager, project=project, kind="costs", data=dict(
            category="investment", recurrence="one_off", description="Sensorer",
            amount_nok=1000, year=2024))
        project_item_add(actor=manager, project=project, kind="milestones", data=dict(
            title=f"M{i}", due_on=datetime.date(2024, 1, 1)))
        if i % 3 == 0:  # a pilot parked for long: the dashboard's attention list
            make_initiative(home_org, [("concept", "2023-02-01"), ("pilot", "2023-05-01"),
                                       ("parked", "2023-09-01")], title=f"Parkert {i}")
    indicator_services.indicators_recompute(year=2024)


def build_world(home_org, other_org, manager, employee):
    """The two organisations in a network, with five of everything (`grow`)."""
    network = NetworkFactory()
    network.organisations.set([home_org, other_org])
    MembershipFactory(user=UserFactory(), organisation=other_org, role=Role.EMPLOYEE)
    # Five of each, so the similar-ideas search finds enough by its words (with fewer it
    # asks the trigram index too: two queries more).
    grow(home_org, other_org, manager, employee, 5)
    return home_org, other_org, manager, employee


def page_urls(home_org):
    project = Project.objects.filter(organisation=home_org).order_by("pk").first()
    return {
        "ideas": reverse("ideas:list"),
        "projects": reverse("projects:list"),
        "project": reverse("projects:detail", args=[project.pk]),
        "dashboard": reverse("dashboards:manager"),
        "indicators": reverse("indicators:home") + "?year=2024",
        "benefits": reverse("gevinst:overview"),
        "catalogue": reverse("projects:catalogue"),
        "similar": reverse("ideas:similar") + "?title=Nattilsyn+med+sensor&need=natt",
    }
