"""The writer of measurements, the dated history of a benefit.

Like initiatives.phase_log for phase changes and initiatives.assessments for assessments, every
write of these rows goes through here, so each row's `valid_until` (initiatives.series) and
its NOK value stay right, the indicators' "latest on date E" is a range filter,
and the indicators are marked dirty in the same transaction. Back-dated rows are fine: the
series is re-derived."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction

from gevinst.models import Benefit, Measurement
from initiatives.marks import indicators_mark_dirty
from initiatives.series import revalidate_series
from portal.dates import HAPPENED, date_check
from projects.models import Project


def measurements_revalidate(benefit_ids: Iterable[int]) -> None:
    ids = sorted(set(benefit_ids))
    revalidate_series(Measurement, "benefit_id", "benefit_id", "measured_on", ids)
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


def measurements_revalue(*, benefit_ids: Iterable[int] = (),
                         organisation_ids: Iterable[int] = ()) -> None:
    """Re-derive the measurements' organisation and NOK value (see Measurement.nok_per_year)
    for some benefits or whole organisations: the one place where the rule-8 value of a
    measurement (the signed change × NOK per unit × periods per year, as
    gevinst.calculations.signed_change signs it) is computed; everything else reads it.
    Every write of a measurement calls it through measurements_revalidate(); a change of a
    benefit's baseline, direction or valuation must call it for that benefit."""
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
    indicators_mark_dirty(organisation_ids=organisation_ids, effective_date=on)


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
    # The date policy, also for callers that skip gevinst.services' field checks.
    date_check(measured_on, field="measured_on", kind=HAPPENED)
    with transaction.atomic():
        measurement = Measurement.objects.create(benefit=benefit, measured_on=measured_on,
                                                 value=value, evidence=evidence,
                                                 entered_by=entered_by)
        measurements_revalidate([benefit.pk])
        _mark({benefit.project.organisation_id}, measured_on)
    measurement.refresh_from_db(fields=["valid_until"])
    return measurement
