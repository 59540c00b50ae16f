"""The national innovation indicators, computed in the database (DOMAIN.md rules 1–8).

Everything is read as of the period end E from dated history — the phase-change log, dated
assessments and dated measurements — never from current state, so a past period recomputed
after later changes gives the same numbers. Each rule is one aggregating query over all
organisations (or a chosen few); nothing loads initiatives into Python one by one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction

from gevinst.models import Benefit, BenefitAssessment, Measurement
from projects.models import COUNTED_PHASES, ORDERED_PHASES, PhaseChange, Project

DIMENSIONS = ("user", "economic", "organisational")


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


def _case(column: str, mapping: dict[str, float], default: str = "0") -> str:
    """A SQL CASE mapping phase codes to numbers; codes are our own constants, values floats."""
    whens = " ".join(f"WHEN '{code}' THEN {float(value)!r}" for code, value in mapping.items())
    return f"(CASE {column} {whens} ELSE {default} END)"


def _org_filter(column: str, organisation_ids: list[int] | None) -> tuple[str, list]:
    if organisation_ids is None:
        return "", []
    placeholders = ", ".join(["%s"] * len(organisation_ids))
    return f" AND {column} IN ({placeholders})", list(organisation_ids)


def _phase_on(alias: str = "pc") -> str:
    # The one log row per initiative in force on E (see PhaseChange.valid_until).
    return (f"{alias}.effective_date <= %s AND ({alias}.valid_until IS NULL "
            f"OR {alias}.valid_until > %s)")


def compute(*, period_start: datetime.date, period_end: datetime.date, scheme: SchemeValues,
            organisation_ids: list[int] | None = None,
            progress=None) -> dict[int, OrganisationIndicators]:
    """Indicators for every organisation with any data (others are all zero). `progress`, if
    given, is called with the fraction done (0–100) after each rule's query."""
    results: dict[int, OrganisationIndicators] = {}
    step = progress or (lambda percent: None)

    def org(org_id: int) -> OrganisationIndicators:
        return results.setdefault(org_id, OrganisationIndicators())

    pc_table = PhaseChange._meta.db_table
    E = period_end
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # These are short aggregates over well-indexed tables: PostgreSQL's JIT spends more
            # time compiling them (0.6 s of 1.3 s at national scale) than running them, and a
            # little more sort memory keeps the hash aggregates out of temporary files.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '32MB'")
        # Rules 1–3: initiatives per phase on E, and their phase points.
        where, params = _org_filter("pc.organisation_id", organisation_ids)
        cursor.execute(
            f"SELECT pc.organisation_id, pc.to_phase, COUNT(*) FROM {pc_table} pc "
            f"WHERE {_phase_on()}{where} GROUP BY pc.organisation_id, pc.to_phase",
            [E, E, *params])
        for org_id, phase, count in cursor.fetchall():
            if phase in COUNTED_PHASES:
                indicators = org(org_id)
                indicators.phase_counts[phase] += count
                indicators.stock_points += count * scheme.phase_points.get(phase, 0)

        step(20)
        # Rule 4: forward moves between the six ordered phases with effective date in period.
        order = {phase: i for i, phase in enumerate(ORDERED_PHASES)}
        ordered = ", ".join(f"'{p}'" for p in ORDERED_PHASES)
        cursor.execute(
            f"SELECT pc.organisation_id, COUNT(*) FROM {pc_table} pc "
            f"WHERE pc.effective_date >= %s AND pc.effective_date <= %s "
            f"AND pc.from_phase IN ({ordered}) AND pc.to_phase IN ({ordered}) "
            f"AND {_case('pc.to_phase', order)} > {_case('pc.from_phase', order)}{where} "
            f"GROUP BY pc.organisation_id",
            [period_start, E, *params])
        for org_id, count in cursor.fetchall():
            org(org_id).forward_transitions = count

        step(40)
        # Rule 5: the origin gets points for each adopted project that is, on E, at or past
        # the scheme's minimum phase (parked and stopped never count).
        project_table = Project._meta.db_table
        where_origin, params_origin = _org_filter("origin.organisation_id", organisation_ids)
        adoption_phases = ", ".join(f"'{p}'" for p in scheme.adoption_phases())
        cursor.execute(
            f"SELECT origin.organisation_id, COUNT(*) FROM {project_table} adopter "
            f"JOIN {project_table} origin ON origin.id = adopter.adopted_from_id "
            f"JOIN {pc_table} pc ON pc.initiative_id = adopter.initiative_id "
            f"WHERE {_phase_on()} AND pc.to_phase IN ({adoption_phases}){where_origin} "
            f"GROUP BY origin.organisation_id",
            [E, E, *params_origin])
        for org_id, count in cursor.fetchall():
            org(org_id).adoption_points = count * scheme.adoption_points

        step(60)
        # Rule 7: per initiative and dimension the latest realised score dated <= E, else the
        # latest expected one discounted; weighted by the initiative's phase on E. "Latest on
        # E" is the row whose [assessed_on, valid_until) contains E (see gevinst.history).
        # Summed straight over the in-force rows: a realised score counts; an expected one
        # counts (discounted) only where no realised assessment of that dimension exists by E.
        assessment_table = BenefitAssessment._meta.db_table
        cursor.execute(
            f"SELECT pc.organisation_id, a.dimension, SUM("
            f"  (CASE WHEN a.kind = 'realised' THEN a.score * 1.0 ELSE a.score * %s END)"
            f"  * {_case('pc.to_phase', scheme.benefit_weights)}) "
            f"FROM {pc_table} pc JOIN {assessment_table} a ON a.initiative_id = pc.initiative_id "
            f"WHERE {_phase_on()}{where} "
            f"AND a.assessed_on <= %s AND (a.valid_until IS NULL OR a.valid_until > %s) "
            # An expected score counts until a realised one of the same dimension exists.
            f"AND (a.kind = 'realised' OR a.realised_from IS NULL OR a.realised_from > %s) "
            f"GROUP BY pc.organisation_id, a.dimension",
            [scheme.expected_discount, E, E, *params, E, E, E])
        for org_id, dimension, value in cursor.fetchall():
            if dimension in DIMENSIONS and value:
                org(org_id).benefit_by_dimension[dimension] += float(value)
        step(80)

        # Rule 8: valued benefits: the measurement in force on E gives the signed change
        # (improvement positive) × NOK per unit × periods per year.
        benefit_table = Benefit._meta.db_table
        measurement_table = Measurement._meta.db_table
        where_project, params_project = _org_filter("p.organisation_id", organisation_ids)
        cursor.execute(
            f"SELECT p.organisation_id, b.direction, m.value, b.baseline_value, "
            f"  b.nok_per_unit, b.periods_per_year "
            f"FROM {project_table} p JOIN {benefit_table} b ON b.project_id = p.id "
            f"JOIN {measurement_table} m ON m.benefit_id = b.id "
            f"WHERE m.measured_on <= %s AND (m.valid_until IS NULL OR m.valid_until > %s) "
            f"AND b.nok_per_unit IS NOT NULL AND b.periods_per_year IS NOT NULL{where_project}",
            [E, E, *params_project])
        # Summed in Python with Decimal, one row per valued benefit (a small set), so that the
        # kroner are exact on SQLite too.
        for org_id, direction, value, baseline, nok, periods in cursor.fetchall():
            change = Decimal(str(value)) - Decimal(str(baseline))
            if direction == "decrease":
                change = -change
            org(org_id).realised_nok_per_year += (
                change * Decimal(str(nok)) * Decimal(str(periods)))
    step(100)
    return results
