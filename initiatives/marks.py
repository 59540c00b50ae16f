"""The dirty marks: which organisations' indicators must be recomputed, for which periods.

Written by the spine's history writers (phase log, assessments), by the benefit history
(measurements) and by the portfolio import, in the same transaction as their change, so a mark
commits or rolls back with it. The indicator engine (a layer above) consumes them: it registers
a drain consumer of INDICATOR_MARKS (portal.consumers), which this module wakes after the
commit; the spine never calls the engine."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from initiatives.models import YEAR, IndicatorDirty
from portal.consumers import rows_written

# The topic the indicator engine's consumer listens to.
INDICATOR_MARKS = "initiatives.IndicatorDirty"


def periods_affected(effective_date: datetime.date,
                     today: datetime.date | None = None) -> set[tuple[int, int]]:
    """The current year and quarter, plus the year and quarter of a back-dated change."""
    today = today or timezone.localdate()
    periods = {(today.year, YEAR), (today.year, (today.month - 1) // 3 + 1)}
    if effective_date < today:
        periods |= {(effective_date.year, YEAR),
                    (effective_date.year, (effective_date.month - 1) // 3 + 1)}
    return periods


def indicators_mark_dirty(*, organisation_ids: Iterable[int],
                          effective_date: datetime.date) -> None:
    """Call inside the transaction of a phase change, assessment, measurement or adoption: the
    mark commits or rolls back with the change itself. One row per organisation and period
    (an upsert), however many changes arrive before the engine drains them. Periods that are
    frozen are marked too; the engine clears those marks without recomputing."""
    periods = periods_affected(effective_date)
    indicators_mark((org_id, year, quarter) for org_id in set(organisation_ids)
                    for year, quarter in periods)


def indicators_mark(marks: Iterable[tuple[int, int, int]]) -> None:
    """Mark (organisation id, year, quarter) triples for a recompute, inside the writer's
    transaction; the engine's consumer is woken after the commit. Also for writers that know
    the periods themselves (a new point scheme version names the periods it applies to)."""
    now = timezone.now()
    rows = [IndicatorDirty(organisation_id=org_id, year=year, quarter=quarter, marked_at=now)
            for org_id, year, quarter in set(marks)]
    if not rows:
        return
    IndicatorDirty.objects.bulk_create(rows, update_conflicts=True,
                                       unique_fields=["organisation", "year", "quarter"],
                                       update_fields=["marked_at"])
    rows_written(INDICATOR_MARKS)
