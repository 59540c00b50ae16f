"""Issue 18: the pages people use every day read a fixed number of queries, whatever the size
of the portfolio. Each page is measured with a portfolio of N and of 3N initiatives (projects
with phase histories, valued benefits and measurements, costs, overdue milestones): the count
must be the same, and at most the pinned figure (lower it when a page gets cheaper)."""

import datetime
from decimal import Decimal

from django.urls import reverse

from indicators import services as indicator_services
from projects.models import ProjectCost, ProjectMilestone
from tests.indicators.helpers import make_initiative, valued_benefit

# Each includes the four of every signed-in page: session, user, memberships (with the
# analyst scope), unread count. The target is 12 (issue 18); the project page (seven content
# tables, the benefits panel), the dashboard and the indicator page are still above it.
PINNED = {
    "ideas": 10,
    "projects": 8,
    "project": 24,  # 23 on PostgreSQL: the visit is one statement there
    "dashboard": 16,
    "indicators": 14,
    "benefits": 9,
    "catalogue": 6,
}


def grow(org, n: int, start: int) -> None:
    """n more projects in the organisation, each with a history, a valued benefit with
    measurements, a cost and an overdue milestone; some parked for long."""
    for k in range(start, start + n):
        changes = [("concept", "2023-02-01"), ("pilot", "2023-05-01")]
        if k % 3 == 0:
            changes.append(("parked", "2023-09-01"))
        project = make_initiative(org, changes, title=f"Prosjekt {k:03d}")
        valued_benefit(project, direction="decrease", baseline="10",
                       measurements=[("2024-03-01", "8"), ("2024-09-01", "6")])
        ProjectCost.objects.create(project=project, category="investment", recurrence="one_off",
                                   description="Innkjøp", amount_nok=Decimal(1000), year=2024)
        ProjectMilestone.objects.create(project=project, title="Pilot ferdig",
                                        due_on=datetime.date(2024, 1, 1))


def pages(org, project) -> dict[str, tuple[str, dict]]:
    return {
        "ideas": (reverse("ideas:list"), {}),
        "projects": (reverse("projects:list"), {}),
        "project": (reverse("projects:detail", args=[project.pk]), {}),
        "dashboard": (reverse("dashboards:manager"), {}),
        "indicators": (reverse("indicators:home"), {"year": 2024}),
        "benefits": (reverse("gevinst:overview"), {}),
        "catalogue": (reverse("projects:catalogue"), {}),
    }


def counts(client, org, project, django_assert_max_num_queries) -> dict[str, int]:
    found = {}
    for label, (path, params) in pages(org, project).items():
        assert client.get(path, params).status_code == 200, label  # warm
        with django_assert_max_num_queries(100) as captured:
            assert client.get(path, params).status_code == 200, label
        found[label] = len(captured.captured_queries)
    return found


def test_every_daily_page_reads_a_fixed_number_of_queries(client, manager, home_org,
                                                          django_assert_max_num_queries):
    grow(home_org, 4, 0)
    project = home_org.projects.order_by("pk").first()
    indicator_services.indicators_recompute(year=2024)
    client.force_login(manager)
    small = counts(client, home_org, project, django_assert_max_num_queries)
    grow(home_org, 8, 4)
    indicator_services.indicators_recompute(year=2024)
    large = counts(client, home_org, project, django_assert_max_num_queries)
    assert large == small
    assert {k: v for k, v in large.items() if v > PINNED[k]} == {}, large
