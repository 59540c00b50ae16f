"""The writers of dated benefit history: assessments and measurements.

Like projects.phase_log for phase changes, every write of these rows goes through here, so each
row's `valid_until` (the date of the next row of its series) stays right and the indicators'
"latest on date E" is a range filter. Back-dated rows are fine: the series is re-derived."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction

from gevinst.calculations import signed_change
from gevinst.models import Benefit, BenefitAssessment, Measurement
from projects.models import Project

_REVALIDATE = """
UPDATE {table} SET valid_until = nxt.next_on
FROM (SELECT id, LEAD({date}) OVER (PARTITION BY {series} ORDER BY {date}, id) AS next_on
      FROM {table} WHERE {owner} IN ({ids})) AS nxt
WHERE {table}.id = nxt.id
"""


def _revalidate(model, owner: str, series: str, date: str, ids: Iterable[int]) -> None:
    ids = sorted(set(ids))
    table = model._meta.db_table
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
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
    _revalidate(BenefitAssessment, "initiative_id", "initiative_id, dimension, kind",
                "assessed_on", ids)
    table = BenefitAssessment._meta.db_table
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        with connection.cursor() as cursor:
            cursor.execute(_REALISED_FROM.format(table=table,
                                                 ids=", ".join(["%s"] * len(chunk))), chunk)
    from gevinst.indicators.timeline import timeline_rebuild

    timeline_rebuild(initiative_ids=ids)


def measurements_revalidate(benefit_ids: Iterable[int]) -> None:
    ids = sorted(set(benefit_ids))
    _revalidate(Measurement, "benefit_id", "benefit_id", "measured_on", ids)
    measurements_revalue(benefit_ids=ids)


_REVALUE = """
UPDATE {m} SET organisation_id = p.organisation_id,
    nok_per_year = CASE WHEN b.nok_per_unit IS NULL OR b.periods_per_year IS NULL THEN NULL
        ELSE (CASE WHEN b.direction = 'decrease' THEN b.baseline_value - {m}.value
                   ELSE {m}.value - b.baseline_value END) * b.nok_per_unit * b.periods_per_year
        END
FROM {b} b JOIN {p} p ON p.id = b.project_id
WHERE b.id = {m}.benefit_id AND {scope}
"""


def nok_per_year(benefit, value: Decimal) -> Decimal | None:
    """Measurement.nok_per_year in Python, for rows about to be inserted in bulk (the import);
    the same rule as the SQL of measurements_revalue()."""
    if benefit.nok_per_unit is None or benefit.periods_per_year is None:
        return None
    change = signed_change(direction=benefit.direction, baseline=benefit.baseline_value,
                           value=value)
    return change * Decimal(benefit.nok_per_unit) * Decimal(benefit.periods_per_year)


def measurements_revalue(*, benefit_ids: Iterable[int] = (),
                         organisation_ids: Iterable[int] = ()) -> None:
    """Re-derive the measurements' organisation and NOK value (see Measurement.nok_per_year)
    for some benefits or whole organisations. Every write of a measurement calls it through
    measurements_revalidate(); a change of a benefit's baseline, direction or valuation must
    call it for that benefit."""
    tables = {"m": Measurement._meta.db_table, "b": Benefit._meta.db_table,
              "p": Project._meta.db_table}
    for column, ids in (("b.id", benefit_ids), ("p.organisation_id", organisation_ids)):
        ids = sorted(set(ids))
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            scope = f"{column} IN ({', '.join(['%s'] * len(chunk))})"
            with connection.cursor() as cursor:
                cursor.execute(_REVALUE.format(scope=scope, **tables), chunk)


def _mark(organisation_ids, on: datetime.date) -> None:
    from gevinst.indicators.services import indicators_mark_dirty

    indicators_mark_dirty(organisation_ids=organisation_ids, effective_date=on)


def assessment_add(*, initiative, dimension: str, kind: str, score: int,
                   assessed_on: datetime.date, assessor=None,
                   motivation: str = "") -> BenefitAssessment:
    """Store an assessment (the caller has checked the rules and the actor's right)."""
    with transaction.atomic():
        assessment = BenefitAssessment.objects.create(
            initiative=initiative, dimension=dimension, kind=kind, score=score,
            assessed_on=assessed_on, assessor=assessor, motivation=motivation)
        assessments_revalidate([initiative.pk])
        _mark({initiative.organisation_id}, assessed_on)
    assessment.refresh_from_db(fields=["valid_until"])
    return assessment


# The benefit fields that its measurements' NOK values (Measurement.nok_per_year) depend on.
VALUATION_FIELDS = ("baseline_value", "direction", "nok_per_unit", "periods_per_year")


def benefit_valuation_changed(benefit) -> None:
    """After a change of VALUATION_FIELDS: re-derive the measurements' NOK values and have the
    indicators from the first measurement on recomputed."""
    measurements_revalue(benefit_ids=[benefit.pk])
    first = benefit.measurements.order_by("measured_on").values_list("measured_on",
                                                                     flat=True).first()
    if first is not None:
        _mark({benefit.project.organisation_id}, first)


def measurement_add(*, benefit, measured_on: datetime.date, value: Decimal, evidence: str = "",
                    entered_by=None) -> Measurement:
    with transaction.atomic():
        measurement = Measurement.objects.create(benefit=benefit, measured_on=measured_on,
                                                 value=value, evidence=evidence,
                                                 entered_by=entered_by)
        measurements_revalidate([benefit.pk])
        _mark({benefit.project.organisation_id}, measured_on)
    measurement.refresh_from_db(fields=["valid_until"])
    return measurement
