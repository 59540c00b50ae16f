"""Reads for the benefit pages, the project panel and the API: benefits with their latest
measurement and calculations, costs against benefits, the plan and the reminders."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from gevinst import calculations as calc
from gevinst.access import may_approve_plan, may_edit_benefits
from gevinst.benefit_map import project_map  # noqa: F401  (re-exported for views)
from gevinst.events import PLAN_HISTORY_KINDS
from gevinst.models import Benefit, BenefitEvent, BenefitPlan, BenefitReminder, Measurement
from initiatives.models import BenefitAssessment
from portal.models import Membership
from portal.personal_data import choice_label, col, section
from portal.roles import ROLE_CAPABILITIES, Capability
from projects.models import CostRecurrence, Project, ProjectCost


@dataclass
class BenefitRow:
    benefit: Benefit
    latest: Measurement | None
    change: calc.Calc
    progress: calc.Calc
    nok_per_year: calc.Calc
    planned_nok_per_year: calc.Calc


def benefit_row(benefit: Benefit, latest: Measurement | None) -> BenefitRow:
    value = latest.value if latest else None
    change = calc.realised_change(direction=benefit.direction, baseline=benefit.baseline_value,
                                  latest=value, unit=benefit.unit)
    planned = calc.signed_change(direction=benefit.direction, baseline=benefit.baseline_value,
                                 value=benefit.target_value)
    return BenefitRow(
        benefit=benefit, latest=latest, change=change,
        progress=calc.progress(direction=benefit.direction, baseline=benefit.baseline_value,
                               target=benefit.target_value, latest=value),
        nok_per_year=calc.benefit_nok_per_year(
            type=benefit.type, change=change.value, nok_per_unit=benefit.nok_per_unit,
            periods_per_year=benefit.periods_per_year, unit=benefit.unit),
        planned_nok_per_year=calc.benefit_nok_per_year(
            type=benefit.type, change=planned, nok_per_unit=benefit.nok_per_unit,
            periods_per_year=benefit.periods_per_year, unit=benefit.unit),
    )


def benefits_with_latest(queryset: QuerySet[Benefit]) -> QuerySet[Benefit]:
    # The latest measurement is the one row per benefit whose valid_until is null (kept by
    # gevinst.history), so this prefetch is one indexed query, not a sort per benefit.
    return queryset.select_related("owner").prefetch_related(
        Prefetch("measurements", queryset=Measurement.objects.filter(valid_until__isnull=True),
                 to_attr="latest_measurements"))


def benefit_rows(project: Project) -> list[BenefitRow]:
    benefits = benefits_with_latest(project.benefits.all())
    return [benefit_row(b, (b.latest_measurements or [None])[-1]) for b in benefits]


def project_costs(project_ids) -> dict[int, tuple[Decimal, Decimal]]:
    """(one-off, annual) cost totals per project."""
    totals = (ProjectCost.objects.filter(project_id__in=project_ids).values("project_id")
              .annotate(one_off=Sum("amount_nok", filter=Q(recurrence=CostRecurrence.ONE_OFF)),
                        annual=Sum("amount_nok", filter=Q(recurrence=CostRecurrence.ANNUAL))))
    return {t["project_id"]: (t["one_off"] or Decimal(0), t["annual"] or Decimal(0))
            for t in totals}


def cost_benefit_for(project: Project, rows: list[BenefitRow],
                     costs: list[ProjectCost] | None = None) -> calc.CostBenefit:
    """`costs`: the project's cost rows when the caller has them (the project page lists
    them anyway), else they are summed in the database."""
    if costs is None:
        one_off, annual = project_costs([project.pk]).get(project.pk,
                                                          (Decimal(0), Decimal(0)))
    else:
        one_off = sum((c.amount_nok for c in costs
                       if c.recurrence == CostRecurrence.ONE_OFF), Decimal(0))
        annual = sum((c.amount_nok for c in costs
                      if c.recurrence == CostRecurrence.ANNUAL), Decimal(0))
    benefit = sum((r.nok_per_year.value for r in rows if r.nok_per_year.value is not None),
                  Decimal(0))
    return calc.cost_benefit(one_off_costs=one_off, annual_costs=annual, annual_benefit=benefit)


def _managers(project: Project, owner_ids) -> QuerySet:
    """The ids of those among `owner_ids` (ids or a subquery of them) who manage the
    project's organisation (may decide gates)."""
    roles = [r for r, caps in ROLE_CAPABILITIES.items() if Capability.DECIDE_GATES in caps]
    return (Membership.objects.filter(organisation_id=project.organisation_id,
                                      user_id__in=owner_ids, role__in=roles)
            .order_by().values_list("user_id", flat=True))


def owners_no_longer_managers(project: Project, rows: list[BenefitRow], *,
                              managers: QuerySet | None = None) -> list[Benefit]:
    """Benefits whose owner is no longer a manager or admin of the project's organisation (a
    role changed or the person left): the plan then lacks a real owner too. `managers`: the
    managers among the project's benefit owners when the caller has them
    (project_panel_reads)."""
    owner_ids = {r.benefit.owner_id for r in rows if r.benefit.owner_id}
    if not owner_ids:
        return []
    managers = set(_managers(project, owner_ids) if managers is None else managers)
    return [r.benefit for r in rows if r.benefit.owner_id and r.benefit.owner_id not in managers]


def plan_history(project: Project) -> QuerySet[BenefitEvent]:
    return (BenefitEvent.objects.filter(project=project, kind__in=PLAN_HISTORY_KINDS)
            .select_related("actor").order_by("-created_at", "-id"))


def project_overview(project: Project, user) -> dict:
    from gevinst.services import OPEN_STATUSES, due_date_on, next_due_date

    rows = benefit_rows(project)
    plan = BenefitPlan.objects.filter(project=project).select_related("approved_by").first()
    today = timezone.localdate()
    due = due_date_on(plan, today) if plan else None
    # Open benefits with no measurement since the schedule's latest due date.
    overdue = [r.benefit for r in rows if due and r.benefit.status in OPEN_STATUSES
               and (r.latest is None or r.latest.measured_on < due)]
    return {
        "project": project, "rows": rows, "plan": plan,
        "next_due_on": next_due_date(plan, today) if plan else None,
        "due_on": due, "overdue": overdue,
        "owner_missing": [r.benefit for r in rows if r.benefit.owner_id is None],
        "owner_not_manager": owners_no_longer_managers(project, rows),
        "cost_benefit": cost_benefit_for(project, rows),
        "can_edit": may_edit_benefits(user, project),
        "can_approve": may_approve_plan(user, project),
        "map": project_map(project),
    }


def project_panel_reads(project: Project, user=None) -> dict[str, QuerySet]:
    """What `project_panel` reads, as querysets the project page evaluates with its own reads
    in one round trip (projects.extensions.ProjectPanel.reads): the benefits with their
    owners, their latest measurements, the plan and the managers among the owners."""
    benefits = project.benefits.all()
    return {
        "benefits": benefits.select_related("owner"),
        # The latest measurement is the one row per benefit whose valid_until is null (kept
        # by gevinst.history); ordered as benefits_with_latest's prefetch orders them.
        "latest": Measurement.objects.filter(valid_until__isnull=True,
                                             benefit__project=project),
        "plan": BenefitPlan.objects.filter(project=project).order_by("pk")[:1],
        "managers": _managers(project, Benefit.objects.filter(
            project=project, owner__isnull=False).order_by().values("owner_id")),
    }


def _panel_rows(reads: dict[str, QuerySet]) -> list[BenefitRow]:
    """benefit_rows from the panel's reads: each benefit with the last of its latest
    measurements, as benefit_rows takes it."""
    latest = {m.benefit_id: m for m in reads["latest"]}
    return [benefit_row(b, latest.get(b.pk)) for b in reads["benefits"]]


def project_panel(project: Project, user, *, loaded: dict | None = None) -> dict:
    """What the project page shows of the project's benefits (templates/gevinst/
    _project_panel.html): the owner warning, counts by status, NOK per year, net benefit and
    payback, and the benefit map. `loaded` may hold the project's costs the page has read
    and the querysets of project_panel_reads, evaluated by the page
    (projects.extensions.ProjectPanel); what it lacks is read here."""
    loaded = loaded or {}
    costs: list[ProjectCost] | None = loaded.get("costs")
    reads = {**project_panel_reads(project, user), **loaded}
    rows = _panel_rows(reads)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.benefit.get_status_display()] = counts.get(r.benefit.get_status_display(), 0) + 1
    cost_benefit = cost_benefit_for(project, rows, costs)
    return {
        "project": project,
        "benefit_count": len(rows),
        "status_counts": sorted(counts.items()),
        "owner_missing": [r.benefit for r in rows if r.benefit.owner_id is None],
        "owner_not_manager": owners_no_longer_managers(project, rows,
                                                       managers=reads["managers"]),
        "nok_per_year": cost_benefit.annual_benefit,
        "cost_benefit": cost_benefit,
        "plan": next(iter(reads["plan"]), None),
        "map": project_map(project),
        "can_edit": may_edit_benefits(user, project),
    }


def portfolio(projects: QuerySet[Project]) -> dict:
    """Costs against annual NOK benefits per project and summed for the portfolio."""
    projects = list(projects.select_related("initiative").annotate(
        n_benefits=Count("benefits", distinct=True),
        n_without_owner=Count("benefits", filter=Q(benefits__owner__isnull=True), distinct=True)))
    ids = [p.pk for p in projects]
    costs = project_costs(ids)
    benefits = benefits_with_latest(Benefit.objects.filter(project_id__in=ids))
    nok: dict[int, Decimal] = {}
    for b in benefits:
        row = benefit_row(b, (b.latest_measurements or [None])[-1])
        if row.nok_per_year.value is not None:
            nok[b.project_id] = nok.get(b.project_id, Decimal(0)) + row.nok_per_year.value
    lines, one_off_sum, annual_sum, benefit_sum = [], Decimal(0), Decimal(0), Decimal(0)
    for p in projects:
        one_off, annual = costs.get(p.pk, (Decimal(0), Decimal(0)))
        result = calc.cost_benefit(one_off_costs=one_off, annual_costs=annual,
                                   annual_benefit=nok.get(p.pk, Decimal(0)))
        lines.append({"project": p, "result": result})
        one_off_sum += one_off
        annual_sum += annual
        benefit_sum += result.annual_benefit
    return {"lines": lines, "total": calc.cost_benefit(one_off_costs=one_off_sum,
                                                       annual_costs=annual_sum,
                                                       annual_benefit=benefit_sum)}


def reminders_for(user) -> QuerySet[BenefitReminder]:
    return (BenefitReminder.objects.filter(user=user, done_at__isnull=True)
            .select_related("benefit__project").order_by("due_on", "id"))


def chart_data(benefit: Benefit, measurements: list[Measurement]) -> dict:
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    days = [benefit.baseline_on, benefit.target_on, *(m.measured_on for m in measurements)]
    return {
        "labels": {"measured": _("Målt verdi"), "baseline": _("Nullpunkt"),
                   "target": _("Mål"), "unit": benefit.unit},
        "baseline": {"x": benefit.baseline_on.isoformat(), "y": float(benefit.baseline_value)},
        "target": {"x": benefit.target_on.isoformat(), "y": float(benefit.target_value)},
        "points": [{"x": m.measured_on.isoformat(), "y": float(m.value)} for m in measurements],
        # The axis shows each ISO day (kept for sorting) as the page writes dates.
        "days": {day.isoformat(): date_format(day, "SHORT_DATE_FORMAT") for day in days},
    }


def personal_data(user) -> list:
    """The user's own rows in the benefits app, for "Mine data" (overview.personal_data)."""
    from django.utils.translation import gettext as _
    from django.utils.translation import gettext_lazy

    from gevinst.events import BenefitEventKind

    benefit = col("benefit", _("Gevinst"), "benefit.title")
    return [
        section("benefits_owned", gettext_lazy("Gevinster du er gevinsteier for"),
                Benefit.objects.filter(owner=user).select_related("project"), [
                    col("title", _("Tittel")), col("project", _("Prosjekt"), "project.title"),
                    col("status", _("Status"), "get_status_display"),
                ], covers=("gevinst.Benefit.owner",)),
        section("measurements", gettext_lazy("Målinger du har registrert"),
                Measurement.objects.filter(entered_by=user).select_related("benefit"), [
                    benefit, col("measured_on", _("Dato")), col("value", _("Verdi")),
                    col("evidence", _("Dokumentasjon")), col("created_at", _("Registrert")),
                ], covers=("gevinst.Measurement.entered_by",)),
        section("assessments", gettext_lazy("Nyttevurderinger du har gjort"),
                BenefitAssessment.objects.filter(assessor=user).select_related("initiative"), [
                    col("initiative", _("Initiativ"), "initiative.title"),
                    col("dimension", _("Dimensjon"), "get_dimension_display"),
                    col("kind", _("Type"), "get_kind_display"), col("score", _("Score")),
                    col("assessed_on", _("Dato")), col("motivation", _("Begrunnelse")),
                ], covers=("initiatives.BenefitAssessment.assessor",)),
        section("plans_approved", gettext_lazy("Gevinstrealiseringsplaner du har godkjent"),
                BenefitPlan.objects.filter(approved_by=user).select_related("project"), [
                    col("project", _("Prosjekt"), "project.title"),
                    col("approved_at", _("Godkjent")),
                ], covers=("gevinst.BenefitPlan.approved_by",)),
        section("benefit_reminders", gettext_lazy("Påminnelser om målinger"),
                BenefitReminder.objects.filter(user=user).select_related("benefit"), [
                    benefit, col("due_on", _("Forfaller")), col("created_at", _("Opprettet")),
                    col("emailed_at", _("Sendt på e-post")), col("done_at", _("Utført")),
                ], covers=("gevinst.BenefitReminder.user",)),
        section("benefit_events", gettext_lazy("Dine handlinger i gevinstloggen"),
                BenefitEvent.objects.filter(actor=user).select_related("project"), [
                    col("project", _("Prosjekt"), "project.title"),
                    col("kind", _("Hendelse"), lambda e: choice_label(BenefitEventKind, e.kind)),
                    col("created_at", _("Tidspunkt")),
                ], covers=("gevinst.BenefitEvent.actor",)),
    ]
