"""The list searches («Søk» on the idea list, the project list and the open catalogue, and the
API's `q`) can be answered from their trigram indexes (ideas 0012, projects 0014): the
indexes are on `upper(column::text)`, the expression Django's icontains compares. If either
side changed, every search would read the whole table again; with sequential scans priced
out, the plan shows which indexes the search's SQL can use."""

import pytest
from django.db import connection

from ideas.filters import IdeaFilter
from ideas.models import Idea
from projects import selectors
from projects.models import Project

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm indexes"),
]


def _plan(queryset) -> str:
    # Unordered: a model's default order has an index of its own, which the planner would
    # walk (filtering each row) instead of scanning sequentially.
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_project_search_reads_the_trigram_indexes():
    plan = _plan(selectors.search(Project.objects.all(), "nattilsyn"))
    for column in ("title", "need", "description"):
        assert f"project_{column}_search_idx" in plan, plan


def test_the_idea_search_reads_the_trigram_indexes(rf):
    ideas = IdeaFilter(request=rf.get("/")).search(Idea.objects.all(), "q", "nattilsyn")
    plan = _plan(ideas)
    for column in ("title", "need", "solution"):
        assert f"idea_{column}_search_idx" in plan, plan
