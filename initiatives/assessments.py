"""The writer of benefit assessments (nytteverdi), the initiative's dated benefit history.

Like initiatives.phase_log for phase changes, every write of these rows goes through here, so
each row's `valid_until` (the date of the next row of its series) and `realised_from` stay
right, the indicator timeline is rebuilt and the indicators are marked dirty, all in the
writer's transaction. Back-dated rows are fine: the series is re-derived. The callers (the
benefit services, the start of a project from an idea, the portfolio import) check the rules
and the actor's right."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection, transaction

from initiatives.marks import indicators_mark_dirty
from initiatives.models import BenefitAssessment, Initiative
from initiatives.timeline import timeline_rebuild
from portal.dates import HAPPENED, date_check

CHUNK = 5000

_REVALIDATE = """
UPDATE {table} SET valid_until = nxt.next_on
FROM (SELECT id, LEAD({date}) OVER (PARTITION BY {series} ORDER BY {date}, id) AS next_on
      FROM {table} WHERE {owner} IN ({ids})) AS nxt
WHERE {table}.id = nxt.id
"""


def revalidate_series(model, owner: str, series: str, date: str, ids: Iterable[int]) -> None:
    """Re-derive `valid_until` of the rows of `model` owned by `ids`: per series (columns),
    the date of the next row ordered by date and id (a later-recorded row wins on an equal
    date). Also used for measurements (gevinst.history)."""
    ids = sorted(set(ids))
    table = model._meta.db_table
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        sql = _REVALIDATE.format(table=table, date=date, series=series, owner=owner,
                                 ids=", ".join(["%s"] * len(chunk)))
        with connection.cursor() as cursor:
            cursor.execute(sql, chunk)


_REALISED_FROM = """
UPDATE {table} SET realised_from = first.realised_from
FROM (SELECT id, MIN(CASE WHEN kind = 'realised' THEN assessed_on END) OVER (
        PARTITION BY initiative_id, dimension) AS realised_from
      FROM {table} WHERE initiative_id IN ({ids})) AS first
WHERE {table}.id = first.id
"""


def assessments_revalidate(initiative_ids: Iterable[int]) -> None:
    ids = sorted(set(initiative_ids))
    revalidate_series(BenefitAssessment, "initiative_id", "initiative_id, dimension, kind",
                      "assessed_on", ids)
    table = BenefitAssessment._meta.db_table
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        with connection.cursor() as cursor:
            cursor.execute(_REALISED_FROM.format(table=table,
                                                 ids=", ".join(["%s"] * len(chunk))), chunk)
    timeline_rebuild(initiative_ids=ids)


def assessment_add(*, initiative: Initiative, dimension: str, kind: str, score: int,
                   assessed_on: datetime.date, assessor=None,
                   motivation: str = "") -> BenefitAssessment:
    """Store an assessment (the caller has checked the rules and the actor's right). The date
    policy is checked here too, so no caller can store a date the indicators cannot use."""
    date_check(assessed_on, field="assessed_on", kind=HAPPENED)
    with transaction.atomic():
        assessment = BenefitAssessment.objects.create(
            initiative=initiative, dimension=dimension, kind=kind, score=score,
            assessed_on=assessed_on, assessor=assessor, motivation=motivation)
        assessments_revalidate([initiative.pk])
        indicators_mark_dirty(organisation_ids={initiative.organisation_id},
                              effective_date=assessed_on)
    assessment.refresh_from_db(fields=["valid_until"])
    return assessment
