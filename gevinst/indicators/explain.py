"""Every indicator number, broken down to the initiatives behind it (for one organisation).

Uses the same rules as compute(), per initiative instead of summed, so the page can say which
initiatives gave which points. A test checks the breakdown adds up to the snapshot."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from gevinst.calculations import signed_change
from gevinst.indicators.compute import DIMENSIONS, SchemeValues
from gevinst.models import Benefit, BenefitAssessment, Measurement
from portal.models import Organisation
from projects.models import COUNTED_PHASES, ORDERED_PHASES, Phase, PhaseChange, Project


@dataclass
class InitiativeLine:
    initiative_id: int
    title: str
    phase: str
    project_id: int | None
    points: float
    benefit_by_dimension: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(DIMENSIONS, 0.0))
    forward_transitions: int = 0

    @property
    def benefit_points(self) -> float:
        return sum(self.benefit_by_dimension.values())

    @property
    def phase_label(self) -> str:
        return Phase(self.phase).label


@dataclass
class AdoptionLine:
    project_id: int
    title: str
    organisation: str
    phase: str
    points: float

    @property
    def phase_label(self) -> str:
        return Phase(self.phase).label


@dataclass
class BenefitLine:
    benefit_id: int
    title: str
    project_title: str
    change: Decimal
    nok_per_year: Decimal


@dataclass
class Explanation:
    initiatives: list[InitiativeLine]
    adoptions: list[AdoptionLine]
    benefits: list[BenefitLine]


def _in_force(queryset, period_end: datetime.date):
    return queryset.filter(effective_date__lte=period_end).exclude(
        valid_until__lte=period_end)


def explain(organisation: Organisation, *, period_start: datetime.date,
            period_end: datetime.date, scheme: SchemeValues) -> Explanation:
    current = (_in_force(PhaseChange.objects.filter(organisation=organisation), period_end)
               .select_related("initiative").order_by("initiative__title"))
    lines: dict[int, InitiativeLine] = {}
    project_ids = dict(Project.objects.filter(organisation=organisation)
                       .values_list("initiative_id", "pk"))
    for change in current:
        if change.to_phase not in COUNTED_PHASES:
            continue
        lines[change.initiative_id] = InitiativeLine(
            initiative_id=change.initiative_id, title=change.initiative.title,
            phase=change.to_phase, project_id=project_ids.get(change.initiative_id),
            points=scheme.phase_points.get(change.to_phase, 0))

    order = {p: i for i, p in enumerate(ORDERED_PHASES)}
    moves = PhaseChange.objects.filter(organisation=organisation,
                                       effective_date__range=(period_start, period_end),
                                       from_phase__in=ORDERED_PHASES, to_phase__in=ORDERED_PHASES)
    for from_phase, to_phase, initiative_id in moves.values_list("from_phase", "to_phase",
                                                                 "initiative_id"):
        if order[to_phase] > order[from_phase] and initiative_id in lines:
            lines[initiative_id].forward_transitions += 1

    latest: dict[tuple[int, str, str], tuple] = {}
    assessments = (BenefitAssessment.objects.filter(initiative_id__in=lines,
                                                    assessed_on__lte=period_end)
                   .order_by("assessed_on", "id")
                   .values_list("initiative_id", "dimension", "kind", "score"))
    for initiative_id, dimension, kind, score in assessments:
        latest[(initiative_id, dimension, kind)] = score  # later rows overwrite earlier ones
    for (initiative_id, dimension, kind), score in latest.items():
        if kind != "realised" and (initiative_id, dimension, "realised") in latest:
            continue
        value = score if kind == "realised" else score * scheme.expected_discount
        line = lines[initiative_id]
        line.benefit_by_dimension[dimension] += value * scheme.benefit_weights.get(line.phase, 0)

    adopters = _in_force(
        PhaseChange.objects.filter(initiative__project__adopted_from__organisation=organisation,
                                   to_phase__in=scheme.adoption_phases()), period_end
    ).select_related("initiative__project", "organisation")
    adoptions = [AdoptionLine(project_id=c.initiative.project.pk, title=c.initiative.title,
                              organisation=c.organisation.name, phase=c.to_phase,
                              points=scheme.adoption_points) for c in adopters]

    last_value = (Measurement.objects.filter(benefit=OuterRef("pk"), measured_on__lte=period_end)
                  .order_by("-measured_on", "-id").values("value")[:1])
    benefits = []
    for benefit in (Benefit.objects.filter(project__organisation=organisation,
                                           nok_per_unit__isnull=False,
                                           periods_per_year__isnull=False)
                    .annotate(last_value=Subquery(last_value))
                    .exclude(last_value=None).select_related("project")):
        change = signed_change(direction=benefit.direction, baseline=benefit.baseline_value,
                               value=Decimal(benefit.last_value))
        benefits.append(BenefitLine(benefit_id=benefit.pk, title=benefit.title,
                                    project_title=benefit.project.title, change=change,
                                    nok_per_year=change * benefit.nok_per_unit
                                    * benefit.periods_per_year))
    return Explanation(initiatives=list(lines.values()), adoptions=adoptions, benefits=benefits)
