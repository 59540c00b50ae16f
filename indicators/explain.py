"""Every indicator number, broken down to the initiatives behind it (for one organisation).

Uses the same rules as compute(), per initiative instead of summed, so the page can say which
initiatives gave which points. A test checks the breakdown adds up to the snapshot."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy

from gevinst.calculations import signed_change
from gevinst.models import Benefit, Measurement
from indicators.compute import DIMENSIONS, SchemeValues
from initiatives.models import COUNTED_PHASES, ORDERED_PHASES, BenefitAssessment, Phase, PhaseChange
from portal.models import Organisation
from projects.models import Project

# What a reader outside the organisation sees instead of an unshared initiative's title.
HIDDEN_TITLE = gettext_lazy("Ikke delt utenfor organisasjonen")


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
            period_end: datetime.date, scheme: SchemeValues,
            named_projects: set[int] | None = None) -> Explanation:
    """`named_projects`: for a reader outside the organisation, the projects they may see;
    every other initiative and benefit is listed with its numbers but without its title.
    None: a member, who sees every title."""

    def named(project_id: int | None) -> bool:
        return named_projects is None or project_id in named_projects

    def title_of(project_id: int | None, title: str) -> str:
        return title if named(project_id) else HIDDEN_TITLE

    current = (_in_force(PhaseChange.objects.filter(organisation=organisation,
                                                    to_phase__in=COUNTED_PHASES), period_end)
               .order_by("initiative__title")
               .values_list("initiative_id", "to_phase", "initiative__title"))
    lines: dict[int, InitiativeLine] = {}
    project_ids = dict(Project.objects.filter(organisation=organisation)
                       .values_list("initiative_id", "pk"))
    for initiative_id, to_phase, title in current:
        project_id = project_ids.get(initiative_id)
        lines[initiative_id] = InitiativeLine(
            initiative_id=initiative_id, title=title_of(project_id, title), phase=to_phase,
            project_id=project_id if named(project_id) else None,
            points=scheme.phase_points.get(to_phase, 0))

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
    valued = (Benefit.objects.filter(project__organisation=organisation,
                                     nok_per_unit__isnull=False, periods_per_year__isnull=False)
              .annotate(last_value=Subquery(last_value)).exclude(last_value=None)
              .order_by("project__title", "title", "pk")
              .values_list("pk", "title", "project_id", "project__title", "direction",
                           "baseline_value", "last_value", "nok_per_unit", "periods_per_year"))
    for (pk, title, project_id, project_title, direction, baseline, last, nok_per_unit,
         periods_per_year) in valued:
        change = signed_change(direction=direction, baseline=baseline, value=Decimal(last))
        benefits.append(BenefitLine(benefit_id=pk, title=title_of(project_id, title),
                                    project_title=title_of(project_id, project_title),
                                    change=change,
                                    nok_per_year=change * nok_per_unit * periods_per_year))
    return Explanation(initiatives=list(lines.values()), adoptions=adoptions, benefits=benefits)
