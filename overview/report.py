"""The printable portfolio report (porteføljerapport) of one organisation for one year: its
indicator snapshot, the year's highlights, benefits planned against realised, stopped projects
with their lessons, and the ideas received and approved.

Read-only, and a fixed number of queries whatever the size of the portfolio: counts are
aggregates over the phase-change log (the same log the indicators read), lists are one query
each. Realised NOK per year follows indicator rule 8 (the valued measurement in force on the
date), so the report's total equals the snapshot's.

Members of the organisation (with the dashboard right) see everything of it. Analysts, who
read the organisation's aggregated indicators without being members, get the same numbers but
only the projects the catalogue shows them by name: counts never name anything."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery
from django.utils import timezone

from gevinst import calculations
from gevinst.models import Benefit, Measurement
from indicators.models import YEAR, IndicatorSnapshot, period_bounds
from initiatives.models import COUNTED_PHASES, Phase, PhaseChange, StopReason
from portal.models import Organisation, User
from projects.access import projects_visible_to
from projects.models import Project
from projects.phases import PROJECT_PHASES

FIRST_YEAR = 2000
TOP_BENEFITS = 5


@dataclass
class GatePass:
    title: str
    project_id: int
    from_label: str
    to_label: str
    on: datetime.date
    taken_into_use: bool


@dataclass
class StoppedProject:
    title: str
    project_id: int
    from_label: str
    on: datetime.date
    reason: str
    lesson: str
    rationale: str


@dataclass
class Adoption:
    title: str
    project_id: int
    other_organisation: str
    on: datetime.date


@dataclass
class BenefitLine:
    benefit_id: int
    title: str
    project_id: int
    project_title: str
    type_label: str
    unit: str
    planned_nok: Decimal | None
    realised_nok: Decimal | None
    realised_nok_start: Decimal | None
    progress: calculations.Calc
    measured_in_year: bool

    @property
    def realised_nok_in_year(self) -> Decimal | None:
        if self.realised_nok is None:
            return None
        return self.realised_nok - (self.realised_nok_start or 0)


def _label(phase: str) -> str:
    return Phase(phase).label if phase in Phase.values else phase


def report_years(organisation: Organisation, *, first_change: datetime.date | None,
                 today: datetime.date) -> list[int]:
    """The years offered in the selector: from the first registered phase change to now."""
    first = first_change.year if first_change else today.year
    return list(range(today.year, max(first, FIRST_YEAR) - 1, -1))


def _started(queryset):
    """Annotate the date each project started: its first phase change."""
    first = (PhaseChange.objects.filter(initiative=OuterRef("initiative_id"))
             .order_by("effective_date", "id").values("effective_date")[:1])
    return queryset.annotate(started_on=Subquery(first))


def portfolio_report(organisation: Organisation, year: int, *, user: User,
                     full: bool, today: datetime.date | None = None) -> dict:
    """`full`: the reader is a member of the organisation and sees all of its projects by
    name; otherwise only those projects_visible_to(user) lets them see."""
    today = today or timezone.localdate()
    start, end = period_bounds(year, YEAR)
    before = start - datetime.timedelta(days=1)
    in_year = Q(effective_date__range=(start, end))
    named = Project.objects.filter(organisation=organisation)
    if not full:
        named = named.filter(pk__in=projects_visible_to(user).values("pk"))

    snapshot = (IndicatorSnapshot.objects.filter(organisation=organisation, year=year,
                                                 quarter=YEAR)
                .select_related("scheme").first())

    changes = PhaseChange.objects.filter(organisation=organisation)
    gate = Q(is_forward=True, from_phase__in=PROJECT_PHASES) & in_year
    stop = Q(to_phase=Phase.STOPPED) & in_year
    counts = changes.aggregate(
        # An idea is received when it is submitted (its first move into `idea`; taking a
        # parked idea up again is not a new idea) and approved when it becomes a project.
        ideas_received=Count("pk", filter=in_year & Q(to_phase=Phase.IDEA,
                                                      from_phase__in=["", Phase.DRAFT])),
        ideas_approved=Count("pk", filter=in_year & Q(from_phase=Phase.IDEA,
                                                      to_phase__in=PROJECT_PHASES)),
        ideas_rejected=Count("pk", filter=in_year & Q(to_phase=Phase.REJECTED)),
        ideas_parked=Count("pk", filter=in_year & Q(from_phase=Phase.IDEA,
                                                    to_phase=Phase.PARKED)),
        forward=Count("pk", filter=in_year & Q(is_forward=True)),
        gate_passes=Count("pk", filter=gate),
        stopped=Count("pk", filter=stop),
        first_change=Min("effective_date"),
    )

    gate_passes = [
        GatePass(title=c.initiative.project.title, project_id=c.initiative.project.pk,
                 from_label=_label(c.from_phase), to_label=_label(c.to_phase),
                 on=c.effective_date,
                 taken_into_use=c.to_phase == Phase.IMPLEMENTATION)
        for c in changes.filter(gate, initiative__project__in=named)
        .select_related("initiative__project").order_by("effective_date", "id")]

    stopped = [
        StoppedProject(title=c.initiative.project.title, project_id=c.initiative.project.pk,
                       from_label=_label(c.from_phase), on=c.effective_date,
                       reason=StopReason(c.stop_reason).label if c.stop_reason else "",
                       lesson=c.lesson_learned, rationale=c.rationale)
        for c in changes.filter(stop, initiative__project__in=named)
        .select_related("initiative__project").order_by("effective_date", "id")]

    # Spread: projects of others adopted from one of ours, started this year; and ours
    # adopted from others. The origin's page lists its adopters for everyone who sees it.
    adopted_by_others = [
        Adoption(title=p.adopted_from.title, project_id=p.adopted_from_id,
                 other_organisation=p.organisation.name, on=p.started_on)
        for p in _started(Project.objects.filter(adopted_from__in=named))
        .filter(started_on__range=(start, end))
        .select_related("organisation", "adopted_from").order_by("started_on", "id")]
    adopted_from_others = [
        Adoption(title=p.title, project_id=p.pk,
                 other_organisation=p.adopted_from.organisation.name, on=p.started_on)
        for p in _started(named.filter(adopted_from__isnull=False))
        .filter(started_on__range=(start, end))
        .select_related("adopted_from__organisation").order_by("started_on", "id")]

    benefits, named_lines = _benefits(organisation, named, start=start, end=end,
                                      before=before)
    lines = [line for line in named_lines if line.measured_in_year]
    # The biggest benefits realised by the year's end, whenever they were last measured.
    ranked = sorted((line for line in named_lines if line.realised_nok),
                    key=lambda line: line.realised_nok, reverse=True)

    phase_rows = []
    if snapshot is not None:
        phase_rows = [(Phase(p).label, getattr(snapshot, f"count_{p}"),
                       snapshot.scheme.phase_points.get(p, 0)) for p in COUNTED_PHASES]
    return {
        "organisation": organisation, "year": year, "period_start": start, "period_end": end,
        "full": full, "snapshot": snapshot, "phase_rows": phase_rows,
        "ideas": {k: counts[k] for k in ("ideas_received", "ideas_approved",
                                         "ideas_rejected", "ideas_parked")},
        "forward_transitions": counts["forward"],
        "gate_passes": gate_passes, "gate_passes_total": counts["gate_passes"],
        "taken_into_use": [g for g in gate_passes if g.taken_into_use],
        "stopped": stopped, "stopped_total": counts["stopped"],
        "adopted_by_others": adopted_by_others, "adopted_from_others": adopted_from_others,
        "benefits": benefits, "benefit_lines": lines,
        "top_benefits": [line for line in ranked if line.realised_nok > 0][:TOP_BENEFITS],
        "years": report_years(organisation, first_change=counts["first_change"], today=today),
    }


def _benefits(organisation: Organisation, named, *, start: datetime.date,
              end: datetime.date, before: datetime.date) -> tuple[dict, list[BenefitLine]]:
    """Planned against realised for the organisation's benefits planned by the year's end
    (baseline measured by then), and a line per benefit the reader may see by name."""
    planned = Benefit.objects.filter(project__organisation=organisation, baseline_on__lte=end)
    benefits = list(
        planned.select_related("project")
        .annotate(measured_in_year=Count("measurements", filter=Q(
                      measurements__measured_on__range=(start, end))),
                  named=Exists(named.filter(pk=OuterRef("project_id"))))
        .order_by("project__title", "title", "pk"))
    # The measurements in force at the end of the year, or at the end of the year before:
    # one query for both (valid_until is the next measurement's date, exclusive).
    at_end: dict[int, Measurement] = {}
    at_start: dict[int, Measurement] = {}
    for m in (Measurement.objects.filter(benefit__in=planned.values("pk"), measured_on__lte=end)
              .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=before))):
        if m.valid_until is None or m.valid_until > end:
            at_end[m.benefit_id] = m
        if m.measured_on <= before and (m.valid_until is None or m.valid_until > before):
            at_start[m.benefit_id] = m

    summary = {"planned_nok": Decimal(0), "realised_nok": Decimal(0),
               "realised_nok_start": Decimal(0), "hours_planned": Decimal(0),
               "hours_realised": Decimal(0), "quality_total": 0, "quality_improved": 0,
               "count": len(benefits), "measured_in_year": 0}
    lines = []
    for b in benefits:
        planned_change = calculations.signed_change(direction=b.direction,
                                                    baseline=b.baseline_value,
                                                    value=b.target_value)
        latest = at_end.get(b.pk)
        change = (calculations.signed_change(direction=b.direction, baseline=b.baseline_value,
                                             value=latest.value) if latest else None)
        valued = b.nok_per_unit is not None and b.periods_per_year is not None
        planned_nok = planned_change * b.nok_per_unit * b.periods_per_year if valued else None
        if planned_nok is not None:
            summary["planned_nok"] += planned_nok
        # Rule 8: the measurement's own NOK value, so the sum equals the snapshot's.
        realised = latest.nok_per_year if latest else None
        realised_start = at_start[b.pk].nok_per_year if b.pk in at_start else None
        summary["realised_nok"] += realised or 0
        summary["realised_nok_start"] += realised_start or 0
        # Hours, as the dashboard counts them: time saved measured in hours per period.
        if b.type == "time_saved" and b.unit.startswith("timer") and b.periods_per_year:
            summary["hours_planned"] += planned_change * b.periods_per_year
            if change is not None:
                summary["hours_realised"] += change * b.periods_per_year
        if b.type == "quality":
            summary["quality_total"] += 1
            summary["quality_improved"] += change is not None and change > 0
        summary["measured_in_year"] += bool(b.measured_in_year)
        if b.named:
            lines.append(BenefitLine(
                benefit_id=b.pk, title=b.title, project_id=b.project_id,
                project_title=b.project.title, type_label=b.get_type_display(),
                unit=b.unit, planned_nok=planned_nok, realised_nok=realised,
                realised_nok_start=realised_start, measured_in_year=bool(b.measured_in_year),
                progress=calculations.progress(
                    direction=b.direction, baseline=b.baseline_value,
                    target=b.target_value, latest=latest.value if latest else None)))
    summary["realised_nok_in_year"] = summary["realised_nok"] - summary["realised_nok_start"]
    return summary, lines
