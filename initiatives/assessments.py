"""The writer of benefit assessments (nytteverdi), the initiative's dated benefit history.

Like initiatives.phase_log for phase changes, every write of these rows goes through here, so
each row's `valid_until` (initiatives.series) and `realised_from` stay
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
from initiatives.series import CHUNK, revalidate_series
from initiatives.timeline import timeline_rebuild
from portal.dates import HAPPENED, date_check

_REALISED_FROM = """
UPDATE {table} SET realised_from = first.realised_from
FROM (SELECT id, MIN(CASE WHEN kind = 'realised' THEN assessed_on END) OVER (
        PARTITION BY initiative_id, dimension) AS realised_from
      FROM {table} WHERE initiative_id IN ({ids})) AS first
WHERE {table}.id = first.id
"""


def assessment_series_derive(initiative_ids: Iterable[int]) -> None:
    """Re-derive the assessments' `valid_until` (initiatives.series) and `realised_from` (the
    first realised assessment's date of the dimension: from then on its expected ones no longer
    count, rule 7) for the initiatives' series. The portfolio import calls this alone and
    rebuilds the timeline of every organisation it touched once at the end."""
    ids = sorted(set(initiative_ids))
    revalidate_series(BenefitAssessment, "initiative_id", "initiative_id, dimension, kind",
                      "assessed_on", ids)
    table = BenefitAssessment._meta.db_table
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        with connection.cursor() as cursor:
            cursor.execute(_REALISED_FROM.format(table=table,
                                                 ids=", ".join(["%s"] * len(chunk))), chunk)


def assessments_revalidate(initiative_ids: Iterable[int]) -> None:
    ids = sorted(set(initiative_ids))
    assessment_series_derive(ids)
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
