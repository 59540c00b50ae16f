"""The national innovation indicators, computed in the database (DOMAIN.md rules 1–8).

Everything is read as of the period end E from dated history — the phase-change log, dated
assessments and dated measurements — never from current state, so a past period recomputed
after later changes gives the same numbers. Rules 1–3, 5 and 7 are one range scan of the
indicator timeline (a derived index of the phase log and the assessments, see
IndicatorTimeline), rule 4 a count of forward rows, rule 8 one aggregate over the measurements;
each covers all organisations (or a chosen few), and nothing loads initiatives into Python.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Context, Decimal, localcontext

from django.db import connection, transaction
from django.db.models import Q

from gevinst.models import Measurement
from initiatives.models import (
    COUNTED_PHASES,
    ORDERED_PHASES,
    TIMELINE_SCORES,
    IndicatorTimeline,
    PhaseChange,
)

DIMENSIONS = ("user", "economic", "organisational")
# Decimal precision for the NOK sums (IndicatorSnapshot.realised_nok_per_year has 40 digits).
NOK_PRECISION = 60


@dataclass(frozen=True)
class SchemeValues:
    """The numbers of a point scheme version (see PointScheme for the stored form)."""

    name: str
    phase_points: dict[str, float]
    adoption_points: float
    adoption_min_phase: str
    benefit_weights: dict[str, float]
    expected_discount: float

    def adoption_phases(self) -> list[str]:
        """Phases from the minimum on, in the ordered list (parked/stopped never count)."""
        start = ORDERED_PHASES.index(self.adoption_min_phase)
        return list(ORDERED_PHASES[start:])


STANDARD_1 = SchemeValues(
    name="standard-1",
    phase_points={"idea": 1, "concept": 2, "pilot": 4, "implementation": 8,
                  "benefit_realisation": 12, "spread": 16},
    adoption_points=4,
    adoption_min_phase="implementation",
    benefit_weights={"idea": 0, "concept": 0.25, "pilot": 0.5, "implementation": 0.75,
                     "benefit_realisation": 1.0, "spread": 1.0},
    expected_discount=0.5,
)


@dataclass
class OrganisationIndicators:
    phase_counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED_PHASES, 0))
    stock_points: float = 0
    forward_transitions: int = 0
    adoption_points: float = 0
    benefit_by_dimension: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(DIMENSIONS, 0.0))
    realised_nok_per_year: Decimal = Decimal("0")

    @property
    def points(self) -> float:
        return self.stock_points + self.adoption_points

    @property
    def benefit_points(self) -> float:
        return sum(self.benefit_by_dimension.values())


def _org_filter(column: str, organisation_ids: list[int] | None) -> tuple[str, list]:
    if organisation_ids is None:
        return "", []
    placeholders = ", ".join(["%s"] * len(organisation_ids))
    return f" AND {column} IN ({placeholders})", list(organisation_ids)


def compute(*, period_start: datetime.date, period_end: datetime.date, scheme: SchemeValues,
            organisation_ids: list[int] | None = None,
            progress=None) -> dict[int, OrganisationIndicators]:
    """Indicators for every organisation with any data (others are all zero). `progress`, if
    given, is called with the fraction done (0–100) after each rule's query."""
    results: dict[int, OrganisationIndicators] = {}
    step = progress or (lambda percent: None)

    def org(org_id: int) -> OrganisationIndicators:
        found = results.get(org_id)
        if found is None:
            found = results[org_id] = OrganisationIndicators()
        return found

    pc_table = PhaseChange._meta.db_table
    timeline_table = IndicatorTimeline._meta.db_table
    E = period_end
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # These are short aggregates over well-indexed tables: PostgreSQL's JIT spends more
            # time compiling them than running them, and a little more sort memory keeps the
            # hash aggregates out of temporary files.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '32MB'")
        # Rules 1–3 and 7 in one scan of the timeline rows in force on E (one per initiative
        # that has started): per organisation and phase, the count and the summed realised and
        # still-counting expected scores. The scheme's points, weights and expected discount
        # are then applied to these few rows.
        where, params = _org_filter("t.organisation_id", organisation_ids)
        sums = ", ".join(f"SUM(t.{column})" for column in TIMELINE_SCORES)
        cursor.execute(
            f"SELECT t.organisation_id, t.phase, COUNT(*), {sums} FROM {timeline_table} t "
            f"WHERE t.valid_until > %s AND t.valid_from <= %s{where} "
            f"GROUP BY t.organisation_id, t.phase",
            [E, E, *params])
        for org_id, phase, count, *scores in cursor.fetchall():
            if phase not in COUNTED_PHASES:
                continue
            indicators = org(org_id)
            indicators.phase_counts[phase] += count
            indicators.stock_points += count * scheme.phase_points.get(phase, 0)
            # Rule 7: the latest realised score per dimension, else the latest expected one
            # discounted, weighted by the phase on E.
            weight = scheme.benefit_weights.get(phase, 0)
            for i, dimension in enumerate(DIMENSIONS):
                realised, expected = scores[i] or 0, scores[i + len(DIMENSIONS)] or 0
                indicators.benefit_by_dimension[dimension] += weight * (
                    float(realised) + scheme.expected_discount * float(expected))

        step(40)
        # Rule 5: the origin gets points for each adopted project that is, on E, at or past
        # the scheme's minimum phase (parked and stopped never count).
        where, params = _org_filter("t.origin_organisation_id", organisation_ids)
        adoption_phases = ", ".join(f"'{p}'" for p in scheme.adoption_phases())
        cursor.execute(
            f"SELECT t.origin_organisation_id, COUNT(*) FROM {timeline_table} t "
            f"WHERE t.origin_organisation_id IS NOT NULL AND t.valid_until > %s "
            f"AND t.valid_from <= %s AND t.phase IN ({adoption_phases}){where} "
            f"GROUP BY t.origin_organisation_id",
            [E, E, *params])
        for org_id, count in cursor.fetchall():
            org(org_id).adoption_points = count * scheme.adoption_points

        step(50)
        # Rule 4: forward moves between the six ordered phases with effective date in period
        # (PhaseChange.is_forward, from a partial index).
        where, params = _org_filter("pc.organisation_id", organisation_ids)
        cursor.execute(
            f"SELECT pc.organisation_id, COUNT(*) FROM {pc_table} pc "
            f"WHERE pc.is_forward AND pc.effective_date >= %s AND pc.effective_date <= %s"
            f"{where} GROUP BY pc.organisation_id",
            [period_start, E, *params])
        for org_id, count in cursor.fetchall():
            org(org_id).forward_transitions = count

        step(80)

        # Rule 8: valued benefits: the measurement in force on E gives the signed change
        # (improvement positive) × NOK per unit × periods per year — stored on the row as
        # Measurement.nok_per_year, so this is one range scan of the valued measurements.
        step(70)
        where, params = _org_filter("m.organisation_id", organisation_ids)
        # On PostgreSQL: two index-only ranges of measurement_valued_idx.
        valued = (f"SELECT m.organisation_id, m.nok_per_year FROM "
                  f"{Measurement._meta.db_table} m WHERE m.nok_per_year IS NOT NULL "
                  f"AND m.measured_on <= %s{where} AND ")
        in_force = (f"{valued}m.valid_until IS NULL UNION ALL {valued}m.valid_until > %s")
        in_force_params = [E, *params, E, *params, E]
        if connection.vendor == "postgresql":  # numeric: exact kroner summed in the database
            cursor.execute(f"SELECT organisation_id, SUM(nok_per_year) FROM ({in_force}) v "
                           f"GROUP BY organisation_id", in_force_params)
            rows = cursor.fetchall()
        else:  # SQLite has no exact decimal sum: the ORM reads the values, Decimal adds them
            valued_rows = Measurement.objects.filter(
                Q(valid_until__isnull=True) | Q(valid_until__gt=E),
                nok_per_year__isnull=False, measured_on__lte=E)
            if organisation_ids is not None:
                valued_rows = valued_rows.filter(organisation_id__in=organisation_ids)
            rows = valued_rows.values_list("organisation_id", "nok_per_year")
        # Exact sums: the default context (28 digits) would round a total the snapshot
        # column (40 digits) holds.
        with localcontext(Context(prec=NOK_PRECISION)):
            for org_id, total in rows:
                org(org_id).realised_nok_per_year += total
    step(100)
    return results
