"""The query counts of the pages issue 18 measures, pinned in one place: each page reads
exactly its pinned number of queries, the same number for a portfolio of N and of 3N
initiatives (ideas, projects with phase histories and a parked one, valued benefits with
measurements, costs, overdue milestones, shared projects, recomputed indicators). A change
that adds a query to one of these pages fails here and must say why; a page that gets
cheaper lowers its pin."""


import pytest
from django.db import connection
from django.urls import reverse

from tests.pages import build_world, grow, page_urls, rendered_visit

POSTGRES = connection.vendor == "postgresql"
# Every signed-in page reads the session, the user, the memberships (with the analyst scope)
# and the unread count. The target is 12 (issue 18); only the project page on SQLite (a query
# per table it shows) is still above it.
# The lists here fit on their first page, whose rows give their count (portal.paging): a list
# longer than a page reads one capped count more (ideas 11, projects 8, catalogue 6).
PINNED = {
    "ideas": 10,
    "projects": 7,
    # The frame, the project (with its initiative), the visit, the unread count, and one
    # statement on PostgreSQL (portal.prefetch) for all the page shows: the eight content
    # tables, the benefit map, the timeline, the adopters, the gate checklist, the benefits
    # with their latest measurements, their owners' roles and the plan, and the idea it came
    # from (only one the reader may see). PostgreSQL records the visit and reads the previous
    # one in one statement (projects.services.content.project_visit_record). SQLite reads a
    # query per table.
    "project": 7 if POSTGRES else 26,
    # The units, the point scheme; the funnel, flow and costs in one query; the benefits with
    # their latest measurements (also the attention list's benefits without an owner); the
    # attention list's gate-ready projects, overdue milestones and measurements, and stale
    # pilots and parkings.
    "dashboard": 12,
    # The snapshots, the peers' snapshots; the breakdown: rules 1–5 and 7 in one statement,
    # rule 8, the titles, the measurements; the period. A member who may not recompute has
    # no recompute box, so the latest job is not read (an organisation's admin reads it: 12).
    "indicators": 11,
    "benefits": 9,
    "catalogue": 5,
    # The frame (session, user) and, on PostgreSQL, one statement that reads and ranks the
    # candidates of ideas and projects and joins the best five of each (a second one asks the
    # trigram index when the words find fewer than five); SQLite ranks shared words in Python,
    # a query per table (portal.text_search). The fragment is rendered without the context
    # processors: no memberships query for a header it does not show.
    "similar": 3 if POSTGRES else 4,
}
ABOVE_TARGET = set() if POSTGRES else {"project"}


@pytest.fixture
def world(home_org, other_org, manager, employee):
    return build_world(home_org, other_org, manager, employee)


def _counts(client, urls):
    """Each page's queries when it is rendered: a second visit, with the cache emptied
    (tests/portal/test_page_cache.py counts what a page served from the cache reads)."""
    return {name: len(rendered_visit(client, url)[1].captured_queries)
            for name, url in urls.items()}


def test_page_queries_are_pinned(client, world):
    home_org, _other, manager, _employee = world
    client.force_login(manager)
    assert _counts(client, page_urls(home_org)) == PINNED
    assert {name for name, n in PINNED.items() if n > 12} <= ABOVE_TARGET


def test_an_admins_indicator_page_reads_the_latest_job_within_the_target(client, world,
                                                                        org_admin):
    """The recompute box shows the admin's latest job: one query more than a manager's."""
    home_org = world[0]
    client.force_login(org_admin)
    url = page_urls(home_org)["indicators"]
    assert _counts(client, {"indicators": url}) == {"indicators": PINNED["indicators"] + 1}
    assert PINNED["indicators"] + 1 <= 12


def test_page_queries_do_not_grow_with_the_portfolio(client, world):
    home_org, other_org, manager, employee = world
    client.force_login(manager)
    urls = page_urls(home_org)
    small = _counts(client, urls)
    grow(home_org, other_org, manager, employee, 10, start=5)  # 3N in all
    assert _counts(client, urls) == small


def test_long_lists_say_over_the_cap_and_page_on(client, world, monkeypatch):
    home_org, _other, manager, _employee = world
    monkeypatch.setattr("portal.paging.COUNT_CAP", 3)
    monkeypatch.setattr("ideas.views.PAGE_SIZE", 2)
    client.force_login(manager)
    html = client.get(reverse("ideas:list")).content.decode()
    assert "Over 3 idéer" in html and "Side 1</span>" in html and " av " not in html.split(
        'class="pager"')[1].split("</nav>")[0]
    assert "page=2" in html
    # Ten ideas in the world: page 5 is the last, and says so without knowing the count.
    # (The list opens on the own organisation; «shared» shows the other one's ideas too.)
    last = client.get(reverse("ideas:list"), {"page": "5", "scope": "shared"})
    assert len(last.context["page"].object_list) == 2 and not last.context["page"].has_next()
    assert client.get(reverse("ideas:list"), {"page": "9", "scope": "shared"}
                      ).context["page"].number == 5
