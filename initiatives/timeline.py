"""Rebuilding the indicator timeline (IndicatorTimeline) from the dated history.

The timeline is a pure function of the phase-change log, the assessments and the adoption links,
so it is rebuilt — never patched — for the initiatives a write touched: the phase-change writer
(initiatives.phase_log), the assessment writer (initiatives.assessments) and the portfolio
import call timeline_rebuild() in the same transaction as their write. One SQL statement serves one
initiative and the whole country alike.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from initiatives.models import (
    OPEN_END,
    BenefitAssessment,
    IndicatorTimeline,
    Initiative,
    PhaseChange,
)

CHUNK = 5000

# Intervals start at every phase-change and assessment date of an initiative and end at the
# next one. On each interval's first day: the phase in force (valid_until keeps "the later-
# recorded change wins" on equal dates) and, per dimension, the realised score in force and the
# expected one that still counts (no realised assessment of that dimension yet, rule 7).
# Intervals before the first phase change have no phase and are left out.
_INSERT = """
INSERT INTO {timeline} (initiative_id, organisation_id, origin_organisation_id, valid_from,
    valid_until, phase, realised_user, realised_economic, realised_organisational,
    expected_user, expected_economic, expected_organisational)
WITH points AS (
    SELECT initiative_id, effective_date AS d FROM {pc} WHERE {pc_where}
    UNION
    SELECT initiative_id, assessed_on FROM {a} WHERE {a_where}
), intervals AS (
    SELECT initiative_id, d AS valid_from,
           LEAD(d, 1, %s) OVER (PARTITION BY initiative_id ORDER BY d) AS valid_until
    FROM points
)
SELECT i.initiative_id, pc.organisation_id, origin.organisation_id, i.valid_from,
       i.valid_until, pc.to_phase, {scores}
FROM intervals i
JOIN {pc} pc ON pc.initiative_id = i.initiative_id AND pc.effective_date <= i.valid_from
    AND (pc.valid_until IS NULL OR pc.valid_until > i.valid_from)
JOIN {initiative} ini ON ini.id = i.initiative_id
LEFT JOIN {initiative} origin ON origin.id = ini.adopted_from_id
LEFT JOIN {a} a ON a.initiative_id = i.initiative_id AND a.assessed_on <= i.valid_from
    AND (a.valid_until IS NULL OR a.valid_until > i.valid_from)
GROUP BY i.initiative_id, pc.organisation_id, origin.organisation_id, i.valid_from,
         i.valid_until, pc.to_phase
"""

_DIMENSIONS = ("user", "economic", "organisational")


def _scores() -> str:
    realised = [f"COALESCE(SUM(CASE WHEN a.kind = 'realised' AND a.dimension = '{d}' "
                f"THEN a.score END), 0)" for d in _DIMENSIONS]
    expected = [f"COALESCE(SUM(CASE WHEN a.kind = 'expected' AND a.dimension = '{d}' "
                f"AND (a.realised_from IS NULL OR a.realised_from > i.valid_from) "
                f"THEN a.score END), 0)" for d in _DIMENSIONS]
    return ", ".join(realised + expected)


def _run(where: str, params: list) -> None:
    """Delete and re-insert the timeline rows of the initiatives matching `where` (a condition
    on initiative_id)."""
    timeline = IndicatorTimeline._meta.db_table
    sql = _INSERT.format(timeline=timeline, pc=PhaseChange._meta.db_table,
                         a=BenefitAssessment._meta.db_table, initiative=Initiative._meta.db_table,
                         scores=_scores(), pc_where=where, a_where=where)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {timeline} WHERE {where}", params)
        cursor.execute(sql, [*params, *params, OPEN_END])


def _placeholders(ids: list[int]) -> str:
    return ", ".join(["%s"] * len(ids))


def timeline_rebuild(*, initiative_ids: Iterable[int] | None = None,
                     organisation_ids: Iterable[int] | None = None,
                     everything: bool = False) -> None:
    """Rebuild the timeline of some initiatives, of whole organisations, or of everything.
    Call it inside the transaction of the write it follows."""
    if everything:
        _run("1 = 1", [])
        return
    initiatives = Initiative._meta.db_table
    for ids, condition in (
            (initiative_ids, "initiative_id IN ({})"),
            (organisation_ids,
             f"initiative_id IN (SELECT id FROM {initiatives} WHERE organisation_id IN ({{}}))")):
        ids = sorted(set(ids or ()))
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            _run(condition.format(_placeholders(chunk)), chunk)
