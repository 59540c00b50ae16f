"""The national innovation indicators, computed in the database (docs/domain.md, rules 1–8).

Everything is read as of the period end E from dated history — the phase-change log, dated
assessments and dated measurements — never from current state, so a past period recomputed
after later changes gives the same numbers. Rules 1–3 and 7 are one range scan of the
indicator timeline (a derived index of the phase log and the assessments, see
IndicatorTimeline), rule 5 a range of its adopted rows, rule 4 a count of forward rows (these
three sent as one statement), rule 8 one aggregate over the measurements; each covers all
organisations (or a chosen few), and nothing loads initiatives into Python.

Each rule is written once, in contributions(): its query yields what each row adds (with the
scheme applied); compute() sums them per organisation, and indicators.explain lists the same
contributions per initiative (detail=True), so a number and its explanation cannot disagree.
"""

from __future__ import annotations

import datetime
from contextlib import nullcontext
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


# The rules a Contribution comes from (see contributions()).
STOCK = "stock"        # rules 1–3 and 7: an initiative's phase and benefit score on E
ADOPTION = "adoption"  # rule 5: an adopted project at or past the scheme's minimum phase
FORWARD = "forward"    # rule 4: forward phase changes inside the period
NOK = "nok"            # rule 8: a valued benefit's realised NOK per year on E


@dataclass(slots=True)
class Contribution:
    """What one row of one rule's query adds to an organisation's numbers, with the scheme
    applied. Summed (compute) and listed per initiative (explain) from the same rows, so the
    numbers and their explanation cannot disagree.

    `subject_id`: None when the query summed the organisation's rows; in detail the initiative
    (STOCK, FORWARD; for ADOPTION the adopter's initiative) or the measurement in force (NOK).

    A value: never changed once made (dataclasses.replace gives a changed copy). Not declared
    frozen because a frozen dataclass's __init__ sets each field through object.__setattr__,
    four times the cost of a plain one, and a large municipality's indicator page makes one
    per initiative (some 4 000 per request, issue 18)."""

    rule: str
    organisation_id: int
    subject_id: int | None = None
    phase: str = ""
    count: int = 0
    points: float = 0
    benefit_by_dimension: tuple[float, ...] = (0.0, 0.0, 0.0)
    nok_per_year: Decimal = Decimal("0")


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

    def add(self, contribution: Contribution) -> None:
        """The one place where a contribution becomes part of the numbers."""
        if contribution.rule == STOCK:
            if contribution.phase in self.phase_counts:
                self.phase_counts[contribution.phase] += contribution.count
            self.stock_points += contribution.points
            for dimension, value in zip(DIMENSIONS, contribution.benefit_by_dimension,
                                        strict=True):
                self.benefit_by_dimension[dimension] += value
        elif contribution.rule == ADOPTION:
            self.adoption_points += contribution.points
        elif contribution.rule == FORWARD:
            self.forward_transitions += contribution.count
        elif contribution.rule == NOK:
            self.realised_nok_per_year += contribution.nok_per_year
        else:  # pragma: no cover - a new rule must be summed here
            raise ValueError(contribution.rule)


def stock_contribution(scheme: SchemeValues, *, organisation_id: int, phase: str, count: int,
                       scores: list, subject_id: int | None = None) -> Contribution:
    """Rules 2, 3 and 7 for `count` initiatives in `phase` on E whose summed scores (in the
    order of TIMELINE_SCORES: realised, then still-counting expected, per dimension) are
    `scores`. Phases outside the eight counted ones (draft, rejected, merged) add nothing.

    Called once per initiative for a breakdown (thousands on a large municipality's page),
    so the three dimensions are spelled out rather than looped over."""
    if phase not in COUNTED:
        return Contribution(STOCK, organisation_id, subject_id, phase)
    # Rule 7: the latest realised score per dimension, else the latest expected one
    # discounted, weighted by the phase on E.
    weight = scheme.benefit_weights.get(phase, 0)
    discount = scheme.expected_discount
    user, economic, organisational, expected_user, expected_economic, \
        expected_organisational = scores
    benefit = (weight * (float(user or 0) + discount * float(expected_user or 0)),
               weight * (float(economic or 0) + discount * float(expected_economic or 0)),
               weight * (float(organisational or 0)
                         + discount * float(expected_organisational or 0)))
    return Contribution(STOCK, organisation_id, subject_id, phase, count,
                        count * scheme.phase_points.get(phase, 0), benefit)


# What stock_contribution unpacks: the realised, then the expected score of each dimension.
assert TIMELINE_SCORES == [f"{kind}_{dimension}" for kind in ("realised", "expected")
                           for dimension in DIMENSIONS]
COUNTED = frozenset(COUNTED_PHASES)  # for membership tests once per initiative


def ids_condition(column: str, ids: list[int]) -> tuple[str, list]:
    """`column` among `ids`: one array parameter on PostgreSQL (a large municipality lists
    thousands of initiatives; one placeholder each cost more than the query), else IN."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids)) or 'NULL'})", list(ids)


def _org_filter(column: str, organisation_ids: list[int] | None) -> tuple[str, list]:
    if organisation_ids is None:
        return "", []
    condition, params = ids_condition(column, organisation_ids)
    return f" AND {condition}", params


def _keyed(organisation: str, phase: str | None, subject: str | None) -> tuple[str, str]:
    """A rule's (organisation, phase, subject) columns and its GROUP BY list: a key the rule's
    rows are not grouped by reads as an empty phase ('') or no subject (NULL)."""
    columns = [organisation, phase or "''", subject or "NULL"]
    return ", ".join(columns), ", ".join(key for key in (organisation, phase, subject) if key)


def contributions(*, period_start: datetime.date, period_end: datetime.date,
                  scheme: SchemeValues, organisation_ids: list[int] | None = None,
                  detail: bool = False, progress=None) -> list[Contribution]:
    """Every rule's contributions for the organisations (all with data, or the chosen ones):
    summed per organisation (and phase), or with `detail` one per initiative, adopted project
    and valued benefit. `progress`, if given, is called with the fraction done (0–100) after
    each query."""
    found: list[Contribution] = []
    step = progress or (lambda percent: None)
    pc_table = PhaseChange._meta.db_table
    timeline_table = IndicatorTimeline._meta.db_table
    E = period_end
    # Across every organisation these are short aggregates over well-indexed tables:
    # PostgreSQL's JIT spends more time compiling them than running them, and a little more
    # sort memory keeps the hash aggregates out of temporary files. One organisation's rows
    # (its indicator page, its recompute) cost far below the JIT threshold and fit the
    # default memory, so they skip the transaction and the settings: three round trips fewer
    # on the indicator page.
    tune = connection.vendor == "postgresql" and (organisation_ids is None
                                                  or len(organisation_ids) > 1)
    with transaction.atomic() if tune else nullcontext(), connection.cursor() as cursor:
        if tune:
            cursor.execute("SELECT set_config('jit', 'off', true), "
                           "set_config('work_mem', '32MB', true)")
        # Rules 1–5 and 7 in one statement: three grouped counts, told apart by their first
        # column; each row is (rule, organisation, phase, subject, count, *scores), the phase
        # and subject empty where the rule's rows are not grouped by them.
        sums = ", ".join(f"SUM(t.{column})" for column in TIMELINE_SCORES)
        no_scores = ", ".join(["NULL"] * len(TIMELINE_SCORES))
        adoption_phases = ", ".join(f"'{p}'" for p in scheme.adoption_phases())
        where_stock, params_stock = _org_filter("t.organisation_id", organisation_ids)
        where_origin, params_origin = _org_filter("t.origin_organisation_id", organisation_ids)
        where_moves, params_moves = _org_filter("pc.organisation_id", organisation_ids)
        # Rules 1–3 and 7: one scan of the timeline rows in force on E (one per initiative that
        # has started): per organisation and phase (and initiative), the count and the summed
        # realised and still-counting expected scores. The scheme's points, weights and
        # expected discount are then applied to these rows (stock_contribution).
        select, group = _keyed("t.organisation_id", "t.phase",
                               "t.initiative_id" if detail else None)
        stock = (f"SELECT '{STOCK}', {select}, COUNT(*), {sums} FROM {timeline_table} t "
                 f"WHERE t.valid_until > %s AND t.valid_from <= %s{where_stock} "
                 f"GROUP BY {group}")
        # Rule 5: the origin gets points for each adopted project that is, on E, at or past
        # the scheme's minimum phase (parked and stopped never count).
        select, group = (_keyed("t.origin_organisation_id", "t.phase", "t.initiative_id")
                         if detail else _keyed("t.origin_organisation_id", None, None))
        adoption = (f"SELECT '{ADOPTION}', {select}, COUNT(*), {no_scores} "
                    f"FROM {timeline_table} t WHERE t.origin_organisation_id IS NOT NULL "
                    f"AND t.valid_until > %s AND t.valid_from <= %s "
                    f"AND t.phase IN ({adoption_phases}){where_origin} GROUP BY {group}")
        # Rule 4: forward moves between the six ordered phases with effective date in period
        # (PhaseChange.is_forward, from a partial index).
        select, group = _keyed("pc.organisation_id", None,
                               "pc.initiative_id" if detail else None)
        forward = (f"SELECT '{FORWARD}', {select}, COUNT(*), {no_scores} "
                   f"FROM {pc_table} pc WHERE pc.is_forward AND pc.effective_date >= %s "
                   f"AND pc.effective_date <= %s{where_moves} GROUP BY {group}")
        cursor.execute(f"{stock} UNION ALL {adoption} UNION ALL {forward}",
                       [E, E, *params_stock, E, E, *params_origin, period_start, E,
                        *params_moves])
        for rule, org_id, phase, subject_id, count, *scores in cursor.fetchall():
            if rule == STOCK:
                found.append(stock_contribution(scheme, organisation_id=org_id, phase=phase,
                                                count=count, scores=scores,
                                                subject_id=subject_id))
            elif rule == ADOPTION:
                found.append(Contribution(ADOPTION, org_id, subject_id, phase, count=count,
                                          points=count * scheme.adoption_points))
            else:
                found.append(Contribution(FORWARD, org_id, subject_id, count=count))

        # Rule 8: valued benefits: the measurement in force on E gives the signed change
        # (improvement positive) × NOK per unit × periods per year — stored on the row as
        # Measurement.nok_per_year (gevinst.history), so this is one range scan of the valued
        # measurements.
        step(50)
        where, params = _org_filter("m.organisation_id", organisation_ids)
        # On PostgreSQL: two index-only ranges of measurement_valued_idx.
        valued = (f"SELECT m.organisation_id, m.id, m.nok_per_year FROM "
                  f"{Measurement._meta.db_table} m WHERE m.nok_per_year IS NOT NULL "
                  f"AND m.measured_on <= %s{where} AND ")
        in_force = (f"{valued}m.valid_until IS NULL UNION ALL {valued}m.valid_until > %s")
        in_force_params = [E, *params, E, *params, E]
        if connection.vendor == "postgresql":  # numeric: exact kroner summed in the database
            if detail:
                cursor.execute(in_force, in_force_params)
            else:
                cursor.execute(f"SELECT organisation_id, NULL, SUM(nok_per_year) "
                               f"FROM ({in_force}) v GROUP BY organisation_id", in_force_params)
            rows = cursor.fetchall()
        else:  # SQLite has no exact decimal sum: the ORM reads the values, Decimal adds them
            valued_rows = Measurement.objects.filter(
                Q(valid_until__isnull=True) | Q(valid_until__gt=E),
                nok_per_year__isnull=False, measured_on__lte=E)
            if organisation_ids is not None:
                valued_rows = valued_rows.filter(organisation_id__in=organisation_ids)
            rows = valued_rows.values_list("organisation_id", "id", "nok_per_year")
        for org_id, measurement_id, total in rows:
            found.append(Contribution(NOK, org_id, measurement_id if detail else None,
                                      nok_per_year=total))
        step(80)
    return found


def compute(*, period_start: datetime.date, period_end: datetime.date, scheme: SchemeValues,
            organisation_ids: list[int] | None = None,
            progress=None) -> dict[int, OrganisationIndicators]:
    """Indicators for every organisation with any data (others are all zero): the sum of the
    rules' contributions. `progress`, if given, is called with the fraction done (0–100)."""
    results: dict[int, OrganisationIndicators] = {}
    # Exact sums: the default context (28 digits) would round a total the snapshot column
    # (40 digits) holds.
    with localcontext(Context(prec=NOK_PRECISION)):
        for contribution in contributions(period_start=period_start, period_end=period_end,
                                          scheme=scheme, organisation_ids=organisation_ids,
                                          progress=progress):
            if contribution.rule == STOCK and contribution.phase not in COUNTED:
                continue  # no numbers: an organisation with only drafts or rejections has none
            numbers = results.get(contribution.organisation_id)
            if numbers is None:  # (setdefault would build one per contribution: 4 000 a run)
                numbers = results[contribution.organisation_id] = OrganisationIndicators()
            numbers.add(contribution)
    (progress or (lambda percent: None))(100)
    return results
