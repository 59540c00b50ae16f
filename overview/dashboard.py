"""The manager's dashboard (styringstavle): one organisation, or one unit and the units below
it, read from aggregates so the number of queries does not grow with the portfolio.

portal reads the other apps through their models' aggregates and their selectors only."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    CharField,
    Count,
    DateField,
    DecimalField,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Cast, Left, RowNumber, TruncQuarter
from django.utils import timezone

from gevinst import calculations
from gevinst.models import Benefit, BenefitReminder, BenefitStatus, BenefitType
from indicators.services import scheme_for
from initiatives.models import COUNTED_PHASES, Initiative, Phase, PhaseChange
from portal.expressions import InArray
from portal.models import Organisation, Unit
from portal.selectors import unit_and_below
from projects.models import (
    CostRecurrence,
    GateChecklistItem,
    Project,
    ProjectChecklistTick,
    ProjectCost,
    ProjectMilestone,
)
from projects.phases import PROJECT_PHASES

QUARTERS = 8
QUARTER_CHOICES = (4, 8, 12)  # the period filter: the flow chart's last n quarters
PILOT_TOO_LONG = datetime.timedelta(days=548)  # 18 months
PARKED_TOO_LONG = datetime.timedelta(days=365)
ATTENTION_ROWS = 10


def _quarter_starts(today: datetime.date, count: int) -> list[datetime.date]:
    year, quarter = today.year, (today.month - 1) // 3
    starts = []
    for _ in range(count):
        starts.append(datetime.date(year, quarter * 3 + 1, 1))
        quarter -= 1
        if quarter < 0:
            year, quarter = year - 1, 3
    return starts[::-1]


@dataclass
class Attention:
    ready_for_gate: list = field(default_factory=list)
    overdue_milestones: list = field(default_factory=list)
    benefits_without_owner: list = field(default_factory=list)
    overdue_measurements: list = field(default_factory=list)
    long_pilots: list = field(default_factory=list)
    long_parked: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.__dict__.values())


def _ready_for_gate(organisation: Organisation, projects):
    """Projects ready for a gate decision: every active checklist item of the current phase
    is ticked (one query: the items needed and the ticks as subqueries per project)."""
    phase = OuterRef("initiative__phase")
    needed = (GateChecklistItem.objects.filter(organisation=organisation, is_active=True,
                                               phase=phase)
              .order_by().values("phase").annotate(n=Count("pk")).values("n"))
    ticked = (ProjectChecklistTick.objects.filter(project=OuterRef("pk"),
                                                  item__is_active=True, item__phase=phase)
              .order_by().values("project").annotate(n=Count("pk")).values("n"))
    # Only phases with an active item can be ready (needed > 0): said as a semi-join first,
    # so the counts run for the projects in those phases only, not for every project.
    checked_phases = (GateChecklistItem.objects.filter(organisation=organisation, is_active=True)
                      .values("phase"))
    # And a project ready for its gate has at least one tick (needed > 0, ticked >= needed):
    # said as a semi-join too, so the counts run for the few projects with ticks, not for
    # every project of the organisation (Oslo: 2 052 projects, 12 ms -> see README).
    with_ticks = (ProjectChecklistTick.objects.filter(item__organisation=organisation,
                                                      item__is_active=True)
                  .values("project"))
    return (projects.filter(initiative__phase__in=PROJECT_PHASES)
            .filter(initiative__phase__in=checked_phases, pk__in=with_ticks)
            .annotate(needed=Subquery(needed), ticked=Subquery(ticked))
            .filter(needed__gt=0, ticked__gte=F("needed"))
            .select_related("initiative").order_by("title", "pk")[:ATTENTION_ROWS])


class _TypedNull(Cast):
    """NULL of a column's type: PostgreSQL matches a UNION's columns by type. A constant, so
    no grouping key (as Django's Value): an aggregate row beside it stays one row, even of
    no rows."""

    def get_group_by_cols(self):
        return []


def _typed_null(field) -> Cast:
    return _TypedNull(Value(None), output_field=field)


def _portfolio_totals(initiatives: QuerySet, changes: QuerySet, projects: QuerySet,
                      since: datetime.date) -> tuple[dict, dict, dict]:
    """The funnel (initiatives per phase now), the flow (forward moves per quarter since
    `since`) and the costs (per recurrence): three grouped reads sent as one statement
    (UNION ALL), each row (part, quarter, key, count, amount) with NULL where its part has
    none. The flow's part comes first: its quarter column gives the type read back. Rows
    are counted with COUNT(*) (the key is never null), so both counts read only an index."""
    key, money = CharField(max_length=30), ProjectCost._meta.get_field("amount_nok")
    flow = (changes.filter(is_forward=True, effective_date__gte=since).order_by()
            .values_list(Value("flow"), TruncQuarter("effective_date"), _typed_null(key))
            .annotate(n=Count("*"), amount=_typed_null(money)))
    funnel = (initiatives.order_by()
              .values_list(Value("funnel"), _typed_null(DateField()), "phase")
              .annotate(n=Count("*"), amount=_typed_null(money)))
    costs = (ProjectCost.objects.filter(project__in=projects).order_by()
             .values_list(Value("costs"), _typed_null(DateField()), "recurrence")
             .annotate(n=_typed_null(IntegerField()), amount=Sum("amount_nok")))
    parts = {"flow": {}, "funnel": {}, "costs": {}}
    for part, quarter, name, n, amount in flow.union(funnel, costs, all=True):
        parts[part][quarter if part == "flow" else name] = amount if part == "costs" else n
    return parts["funnel"], parts["flow"], parts["costs"]


CLOSED_BENEFITS = (BenefitStatus.REALISED, BenefitStatus.NOT_REALISED)


# The benefit summary's columns (see _benefit_summary): its sums, exact (products of
# two-decimal numbers), and its counts.
SUMMARY_SUM = DecimalField(max_digits=40, decimal_places=6)
SUMMARY_SUMS = ("planned_nok", "realised_nok", "hours_planned", "hours_realised")
SUMMARY_COUNTS = ("quality_total", "quality_realised")


def _summary_aggregates() -> dict:
    """Planned and realised benefit over benefits joined to their latest measurement (alias
    `latest`), with the alias `unit_start` (the unit's first five letters): kroner a year
    (the target's signed change × NOK per unit × periods per year, where both are set; the
    latest measurement's stored NOK value, where measured), hours a year of time saved
    counted in hours ("timer…"; periods per year set, where zero adds nothing; realised
    where measured) and the quality benefits (all, realised). A product with a null factor
    is null, which SUM skips: that is the "where set" and "where measured". The unit is
    compared by its first letters, not LIKE, which SQLite does without regard to case. The
    signed change is gevinst.calculations.signed_change's rule as an expression. A sum of
    no rows is null."""
    planned = calculations.signed_change_expression(value="target_value")
    measured = calculations.signed_change_expression(value="latest__value")
    periods = F("periods_per_year")
    hours = Q(type=BenefitType.TIME_SAVED, unit_start="timer")
    quality = Q(type=BenefitType.QUALITY)
    return {
        "planned_nok": Sum(planned * F("nok_per_unit") * periods, output_field=SUMMARY_SUM),
        "realised_nok": Sum("latest__nok_per_year", output_field=SUMMARY_SUM),
        "hours_planned": Sum(planned * periods, filter=hours, output_field=SUMMARY_SUM),
        "hours_realised": Sum(measured * periods, filter=hours, output_field=SUMMARY_SUM),
        "quality_total": Count("pk", filter=quality),
        "quality_realised": Count("pk", filter=quality & Q(status=BenefitStatus.REALISED)),
    }


def _benefit_summary(benefits: QuerySet) -> tuple[dict, list[Benefit]]:
    """Planned and realised benefit (kroner and hours a year), the quality benefits, and the
    first open benefits without an owner (by title), in one statement: the sums as one
    aggregate row over the benefits joined to their latest measurement (valid_until null, one
    per measured benefit, kept by gevinst.history), UNION ALL the attention rows, each row
    with typed NULLs in the other part's columns. The database adds the numbers, so the
    page's Python work no longer grows with the benefits (issue 18). The attention part is
    chosen by a subquery (SQLite allows no LIMIT in a UNION's part) and put in order by the
    statement's ORDER BY, so the database's collation orders the titles as before. The sums
    are Decimal: exact on PostgreSQL (numeric); SQLite adds in floating point and gives 15
    significant digits."""
    aggregates = _summary_aggregates()
    row_columns = {"benefit_id": IntegerField(), "benefit_title": CharField(max_length=200),
                   "project_ref": IntegerField(), "project_title": CharField(max_length=200)}
    summary = (benefits.alias(
                   latest=FilteredRelation("measurements",
                                           condition=Q(measurements__valid_until__isnull=True)),
                   unit_start=Left("unit", len("timer")))
               .order_by()
               .values(part=Value("summary"),
                       **{name: _typed_null(f) for name, f in row_columns.items()})
               .annotate(**aggregates))
    first_without_owner = (benefits.filter(owner__isnull=True)
                           .exclude(status__in=CLOSED_BENEFITS)
                           .order_by("title", "pk").values("pk")[:ATTENTION_ROWS])
    rows = (Benefit.objects.filter(pk__in=first_without_owner).order_by()
            .values(part=Value("without_owner"), benefit_id=F("pk"), benefit_title=F("title"),
                    project_ref=F("project_id"), project_title=F("project__title"),
                    **{name: _typed_null(SUMMARY_SUM) for name in SUMMARY_SUMS},
                    **{name: _typed_null(IntegerField()) for name in SUMMARY_COUNTS}))
    totals, without_owner = {}, []
    # The attention rows first: Django matches the ORDER BY to the first part's columns, and
    # theirs are the cheap ones to compare (not the aggregates).
    for row in rows.union(summary, all=True).order_by("benefit_title", "benefit_id"):
        if row["part"] == "summary":
            totals = row
        else:  # what the attention list shows: the benefit's title and its project's
            without_owner.append(Benefit(pk=row["benefit_id"], title=row["benefit_title"],
                                         project=Project(pk=row["project_ref"],
                                                         title=row["project_title"])))
    return ({**{name: totals[name] or Decimal(0) for name in SUMMARY_SUMS},
             "quality": {"total": totals["quality_total"],
                         "realised": totals["quality_realised"]}}, without_owner)


def manager_dashboard(organisation: Organisation, *, unit: Unit | None = None,
                      track: str = "", area: str = "",
                      today: datetime.date | None = None, quarters: int = QUARTERS) -> dict:
    """`unit` (with the units below it), `track` (full or fast track) and `area` (a welfare
    technology area, which only projects have) narrow everything to those initiatives."""
    today = today or timezone.localdate()
    initiatives = Initiative.objects.filter(organisation=organisation)
    # The whole organisation is read through the organisation columns the rows carry; a unit
    # (and those below it) through its initiatives.
    changes = PhaseChange.objects.filter(organisation=organisation)
    projects = Project.objects.filter(organisation=organisation)
    if unit is not None:
        units = unit_and_below(unit)
        initiatives = initiatives.filter(Q(project__unit__in=units) | Q(idea__unit__in=units))
    if track:
        initiatives = initiatives.filter(track=track)
    if area:
        initiatives = initiatives.filter(project__welfare_area=area)
    if unit is not None or track or area:
        changes = changes.filter(initiative__in=initiatives.values("pk"))
        projects = projects.filter(initiative__in=initiatives.values("pk"))
    benefits = Benefit.objects.filter(InArray("project_id", projects.values("pk")))

    # Funnel (initiatives per phase now, with the points of the scheme in force), flow
    # (forward moves per quarter) and costs: one query.
    points = scheme_for(today).phase_points
    starts = _quarter_starts(today, quarters)
    counts, moves, costs = _portfolio_totals(initiatives, changes, projects, starts[0])
    funnel = [{"phase": p, "label": Phase(p).label, "count": counts.get(p, 0),
               "points": counts.get(p, 0) * points.get(p, 0)} for p in COUNTED_PHASES]
    flow = [{"label": f"{s.year} K{(s.month - 1) // 3 + 1}", "moves": moves.get(s, 0)}
            for s in starts]

    # Benefits planned against realised, and those without an owner: one query.
    benefit_summary, without_owner = _benefit_summary(benefits)

    # Costs against the realised annual benefit, summed for the portfolio in the database.
    cost_benefit = calculations.cost_benefit(
        one_off_costs=costs.get(CostRecurrence.ONE_OFF) or Decimal(0),
        annual_costs=costs.get(CostRecurrence.ANNUAL) or Decimal(0),
        annual_benefit=benefit_summary["realised_nok"])

    attention = Attention()
    attention.ready_for_gate = list(_ready_for_gate(organisation, projects))
    attention.overdue_milestones = list(
        ProjectMilestone.objects.filter(project__in=projects, done_on__isnull=True,
                                        due_on__lt=today)
        .select_related("project").order_by("due_on")[:ATTENTION_ROWS])
    attention.benefits_without_owner = without_owner
    attention.overdue_measurements = list(
        BenefitReminder.objects.filter(benefit__in=benefits, done_at__isnull=True,
                                       due_on__lt=today)
        .select_related("benefit__project").order_by("due_on")[:ATTENTION_ROWS])
    # The longest-running pilots and parkings, the first rows of each, in one query: ranked
    # in a subquery from the index of phases in force, so only the rows shown are joined to
    # their initiative and project (not every stale one).
    ranked = (changes.filter(valid_until__isnull=True)
              .filter(Q(to_phase=Phase.PILOT, effective_date__lt=today - PILOT_TOO_LONG)
                      | Q(to_phase=Phase.PARKED, effective_date__lt=today - PARKED_TOO_LONG))
              .annotate(rank=Window(RowNumber(), partition_by=[F("to_phase")],
                                    order_by=[F("effective_date").asc(), F("pk").asc()]))
              .filter(rank__lte=ATTENTION_ROWS).values("pk"))
    stale = (PhaseChange.objects.filter(pk__in=ranked)
             .select_related("initiative__project").order_by("effective_date", "pk"))
    for change in stale:
        (attention.long_pilots if change.to_phase == Phase.PILOT
         else attention.long_parked).append(change)
    return {"funnel": funnel, "flow": flow, "benefits": benefit_summary,
            "cost_benefit": cost_benefit, "attention": attention, "today": today}
