"""Writes for benefits, measurements, assessments, the benefit realisation plan, the benefit
map and the measurement reminders. One function per state change, each writing a BenefitEvent
in the same transaction (docs/architecture.md). Measurements are stored through gevinst.history and
assessments through the spine's initiatives.assessments; both keep their validity ranges and
mark the indicators dirty."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gevinst import history
from gevinst.access import may_approve_plan, may_edit_benefits
from gevinst.benefit_map import arrow_goes_backwards
from gevinst.events import BenefitEventKind, benefit_event_record
from gevinst.models import (
    Beneficiary,
    Benefit,
    BenefitMapEdge,
    BenefitMapNode,
    BenefitPlan,
    BenefitReminder,
    BenefitStatus,
    BenefitType,
    Direction,
    Measurement,
    NodeKind,
    PlanStatus,
)
from initiatives.assessments import assessment_add
from initiatives.models import (
    PHASE_ORDER,
    AssessmentKind,
    BenefitAssessment,
    Dimension,
    Phase,
    PhaseChange,
)
from portal.access import user_can
from portal.dates import HAPPENED, PLANNED, date_error, short_date
from portal.errors import ConflictError, DomainError, Forbidden
from portal.limits import MAX_NOK_PER_UNIT, MAX_PERIODS_PER_YEAR
from portal.models import User
from portal.roles import Capability
from projects.events import ProjectEventKind
from projects.models import Project, ProjectEvent
from projects.services.gates import GATE_MOVES

# The units a benefit may be measured in (the form offers them; the API documents them).
# Imported benefits may carry other units; an edit keeps a unit it already has.
UNITS: tuple[str, ...] = (
    "timer/uke", "timer/måned", "timer/år", "besøk/uke", "besøk/måned", "oppgaver/uke",
    "oppgaver/måned", "oppgaver/år", "km/uke", "kr/måned", "kr/år", "antall", "antall/måned",
    "prosent (%)", "poeng (skala)", "dager",
)

BENEFIT_FIELDS = ("title", "type", "dimension", "beneficiary", "owner", "unit", "direction",
                  "baseline_value", "baseline_on", "baseline_method", "target_value",
                  "target_on", "nok_per_unit", "periods_per_year", "assumptions", "status")
_CHOICES = {"type": BenefitType, "dimension": Dimension, "beneficiary": Beneficiary,
            "direction": Direction, "status": BenefitStatus}
_REQUIRED_DECIMALS = ("baseline_value", "target_value")
_OPTIONAL_DECIMALS = ("nok_per_unit", "periods_per_year")
_MAX_DECIMAL = Decimal("999999999999.99")
# The valuation's bounds (portal.limits): with them no valid benefit can overflow the NOK
# columns computed from it (Measurement.nok_per_year, the snapshots' realised_nok_per_year).
_DECIMAL_LIMITS = {"nok_per_unit": MAX_NOK_PER_UNIT, "periods_per_year": MAX_PERIODS_PER_YEAR}
# The dates of a benefit: the baseline was measured (a fact), the target is planned.
_DATE_KINDS = {"baseline_on": HAPPENED, "target_on": PLANNED}


def _editor(actor: User, project: Project) -> None:
    if not may_edit_benefits(actor, project):
        raise Forbidden(_("Bare prosjektlederen og ledere i organisasjonen kan endre "
                          "gevinstene."))


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ".").replace("\u00a0", "")
                         .replace(" ", ""))
    except (InvalidOperation, ValueError):
        raise ValueError from None
    if not number.is_finite() or abs(number) > _MAX_DECIMAL:
        raise ValueError
    return number.quantize(Decimal("0.01"))


def _date(value) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError from None


def _clean_benefit(project: Project, data: dict, *, current: Benefit | None = None) -> dict:
    """Check and normalise benefit fields; raise one DomainError with every field's error."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    for name in BENEFIT_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in _CHOICES:
            if value not in _CHOICES[name].values:
                errors[name] = [_("Ukjent valg: %(value)s.") % {"value": value}]
                continue
        elif name in _REQUIRED_DECIMALS or name in _OPTIONAL_DECIMALS:
            try:
                value = _decimal(value)
            except ValueError:
                errors[name] = [_("Skriv et tall.")]
                continue
            if value is None and name in _REQUIRED_DECIMALS:
                errors[name] = [_("Feltet er påkrevd.")]
                continue
            if value is not None and name in _OPTIONAL_DECIMALS and value <= 0:
                errors[name] = [_("Må være større enn null.")]
                continue
            if value is not None and name in _DECIMAL_LIMITS and value > _DECIMAL_LIMITS[name]:
                errors[name] = [_("Kan ikke være større enn %(max)s.")
                                % {"max": _DECIMAL_LIMITS[name]}]
                continue
        elif name in ("baseline_on", "target_on"):
            try:
                value = _date(value)
            except ValueError:
                errors[name] = [_("Skriv en gyldig dato (ÅÅÅÅ-MM-DD).")]
                continue
            if value is None:
                errors[name] = [_("Feltet er påkrevd.")]
                continue
            problem = date_error(value, _DATE_KINDS[name])
            if problem:
                errors[name] = [problem]
                continue
        elif name == "owner":
            if value is not None and not user_can(value, project.organisation_id,
                                                  Capability.DECIDE_GATES):
                errors[name] = [_("Gevinsteieren må være leder i %(org)s.")
                                % {"org": project.organisation.name}]
                continue
        elif name in ("title", "unit"):
            value = (value or "").strip()
            if not value:
                errors[name] = [_("Feltet er påkrevd.")]
                continue
            if name == "unit" and value not in UNITS and not (current and value == current.unit):
                errors[name] = [_("Ukjent måleenhet. Velg en av: %(units)s.")
                                % {"units": ", ".join(UNITS)}]
                continue
        else:
            value = (value or "").strip()
        clean[name] = value
    baseline_on = clean.get("baseline_on", current.baseline_on if current else None)
    target_on = clean.get("target_on", current.target_on if current else None)
    if baseline_on and target_on and target_on <= baseline_on and "target_on" not in errors:
        errors["target_on"] = [_("Måldatoen må være etter nullpunktsdatoen.")]
    nok = clean.get("nok_per_unit", current.nok_per_unit if current else None)
    periods = clean.get("periods_per_year", current.periods_per_year if current else None)
    if (nok is None) != (periods is None) and not errors.get("periods_per_year"):
        errors.setdefault("periods_per_year", [
            _("Kroner per enhet og perioder per år fylles ut sammen.")])
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors=errors)
    return clean


def benefit_create(*, actor: User, project: Project, **fields) -> Benefit:
    _editor(actor, project)
    missing = [n for n in ("title", "type", "dimension", "unit", "direction", "baseline_value",
                           "baseline_on", "target_value", "target_on") if fields.get(n) in
               (None, "")]
    if missing:
        raise DomainError(_("Feltet er påkrevd."),
                          errors={n: [_("Feltet er påkrevd.")] for n in missing})
    clean = _clean_benefit(project, fields)
    with transaction.atomic():
        benefit = Benefit.objects.create(project=project, **clean)
        benefit_event_record(project=project, benefit=benefit, actor=actor,
                             kind=BenefitEventKind.BENEFIT_CREATED, title=benefit.title)
    return benefit


def benefit_update(*, actor: User, benefit: Benefit, expected_version: int, **fields) -> Benefit:
    """Change a benefit. `expected_version` is the version the editor saw: if someone saved in
    between, the change is refused with a conflict instead of overwriting theirs."""
    project = benefit.project
    _editor(actor, project)
    clean = _clean_benefit(project, fields, current=benefit)
    with transaction.atomic():
        locked = Benefit.objects.select_for_update().get(pk=benefit.pk)
        if locked.version != expected_version:
            raise ConflictError(_("Gevinsten er endret av noen andre siden du åpnet den. Last "
                                  "siden på nytt og gjør endringen igjen."), code="stale_version")
        changed = sorted(n for n, v in clean.items() if getattr(locked, n) != v)
        for name, value in clean.items():
            setattr(locked, name, value)
        locked.version = F("version") + 1
        locked.save(update_fields=[*clean, "version", "updated_at"])
        benefit_event_record(project=project, benefit=locked, actor=actor,
                             kind=BenefitEventKind.BENEFIT_UPDATED, fields=changed)
        if set(changed) & set(history.VALUATION_FIELDS):
            history.benefit_valuation_changed(locked)
    locked.refresh_from_db()
    return locked


def measurement_create(*, actor: User, benefit: Benefit, measured_on, value,
                       evidence: str = "") -> Measurement:
    _editor(actor, benefit.project)
    errors: dict[str, list[str]] = {}
    try:
        number = _decimal(value)
        if number is None:
            errors["value"] = [_("Feltet er påkrevd.")]
    except ValueError:
        errors["value"] = [_("Skriv et tall.")]
    try:
        on = _date(measured_on)
        if on is None:
            errors["measured_on"] = [_("Feltet er påkrevd.")]
        elif on < benefit.baseline_on:
            errors["measured_on"] = [_("Målingen kan ikke være før nullpunktet (%(date)s).")
                                     % {"date": short_date(benefit.baseline_on)}]
        elif on > timezone.localdate():
            errors["measured_on"] = [_("Målingen kan ikke være fram i tid.")]
        elif problem := date_error(on, HAPPENED):
            errors["measured_on"] = [problem]
    except ValueError:
        errors["measured_on"] = [_("Skriv en gyldig dato (ÅÅÅÅ-MM-DD).")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors=errors)
    with transaction.atomic():
        measurement = history.measurement_add(benefit=benefit, measured_on=on, value=number,
                                              evidence=(evidence or "").strip(),
                                              entered_by=actor)
        benefit_event_record(project=benefit.project, benefit=benefit, actor=actor,
                             kind=BenefitEventKind.MEASUREMENT_ADDED,
                             measurement_id=measurement.pk, measured_on=on.isoformat(),
                             value=str(number))
        # The measurement answers the reminders that were due by its date.
        BenefitReminder.objects.filter(benefit=benefit, due_on__lte=on,
                                       done_at__isnull=True).update(done_at=timezone.now())
    return measurement


REALISED_FROM = Phase.IMPLEMENTATION


def _implementation_started(project: Project) -> datetime.date | None:
    """The date the project reached implementation (or later), if it is there now."""
    phase = project.initiative.phase
    if PHASE_ORDER.get(phase, -1) < PHASE_ORDER[REALISED_FROM]:
        return None
    later = [p for p, n in PHASE_ORDER.items() if n >= PHASE_ORDER[REALISED_FROM]]
    first = (PhaseChange.objects.filter(initiative_id=project.initiative_id, to_phase__in=later)
             .order_by("effective_date", "id").values_list("effective_date", flat=True).first())
    return first


def assessment_create(*, actor: User, project: Project, dimension: str, kind: str, score,
                      assessed_on, motivation: str = "") -> BenefitAssessment:
    """A benefit assessment (nytteverdi) 0–3. Realised ones only from implementation on, and
    not dated before the project got there (docs/domain.md)."""
    _editor(actor, project)
    errors: dict[str, list[str]] = {}
    if dimension not in Dimension.values:
        errors["dimension"] = [_("Ukjent valg: %(value)s.") % {"value": dimension}]
    if kind not in AssessmentKind.values:
        errors["kind"] = [_("Ukjent valg: %(value)s.") % {"value": kind}]
    try:
        score = int(str(score))
        if not 0 <= score <= 3:
            raise ValueError
    except ValueError:
        errors["score"] = [_("Velg en verdi fra 0 til 3.")]
    try:
        on = _date(assessed_on) or timezone.localdate()
    except ValueError:
        errors["assessed_on"] = [_("Skriv en gyldig dato (ÅÅÅÅ-MM-DD).")]
        on = None
    if on is not None and (problem := date_error(on, HAPPENED)):
        errors["assessed_on"] = [problem]
        on = None
    if kind == AssessmentKind.REALISED and "kind" not in errors:
        started = _implementation_started(project)
        if started is None:
            errors["kind"] = [_("Realisert nytte kan først vurderes fra implementering.")]
        elif on is not None and on < started:
            errors["assessed_on"] = [_("Prosjektet kom til implementering %(date)s; realisert "
                                       "nytte kan ikke dateres før det.")
                                     % {"date": short_date(started)}]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors=errors)
    with transaction.atomic():
        assessment = assessment_add(
            initiative=project.initiative, dimension=dimension, kind=kind, score=score,
            assessed_on=on, assessor=actor, motivation=(motivation or "").strip())
        benefit_event_record(project=project, actor=actor,
                             kind=BenefitEventKind.ASSESSMENT_ADDED, assessment_id=assessment.pk,
                             dimension=dimension, assessment_kind=kind, score=score,
                             assessed_on=on.isoformat())
    return assessment


# --- The benefit realisation plan -----------------------------------------------------------

def benefit_plan_for(project: Project) -> BenefitPlan:
    """The project's plan, created as an empty draft the first time it is asked for."""
    plan, _created = BenefitPlan.objects.get_or_create(project=project)
    return plan


def benefit_plan_save(*, actor: User, project: Project, interval_months, first_due_on,
                      notes: str = "", expected_version: int | None = None) -> BenefitPlan:
    """Change the plan's schedule and notes. A changed approved plan needs a new approval."""
    _editor(actor, project)
    errors: dict[str, list[str]] = {}
    try:
        interval = int(interval_months) if interval_months not in (None, "") else None
        if interval is not None and not 1 <= interval <= 36:
            raise ValueError
    except (TypeError, ValueError):
        errors["interval_months"] = [_("Velg et intervall fra 1 til 36 måneder.")]
        interval = None
    try:
        first = _date(first_due_on)
    except ValueError:
        errors["first_due_on"] = [_("Skriv en gyldig dato (ÅÅÅÅ-MM-DD).")]
        first = None
    if first is not None and (problem := date_error(first, PLANNED)):
        errors["first_due_on"] = [problem]
        first = None
    if not errors and (interval is None) != (first is None):
        errors["first_due_on" if first is None else "interval_months"] = [
            _("Intervall og første måling fylles ut sammen.")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors=errors)
    notes = (notes or "").strip()
    with transaction.atomic():
        _plan, created = BenefitPlan.objects.get_or_create(project=project)
        plan = BenefitPlan.objects.select_for_update().get(project=project)
        # Version 0 is "no plan yet" (what a reader without a plan was shown): if someone
        # created the plan meanwhile, that is a conflict too.
        if expected_version is not None and (0 if created else plan.version) != expected_version:
            raise ConflictError(_("Planen er endret av noen andre siden du åpnet den. Last "
                                  "siden på nytt."), code="stale_version")
        changed = (plan.interval_months, plan.first_due_on, plan.notes) != (interval, first,
                                                                             notes)
        if not changed:
            return plan
        was = plan.status
        plan.interval_months, plan.first_due_on, plan.notes = interval, first, notes
        if plan.status == PlanStatus.APPROVED:
            plan.status = PlanStatus.NEEDS_REAPPROVAL
        plan.version = F("version") + 1
        plan.save(update_fields=["interval_months", "first_due_on", "notes", "status",
                                 "version", "updated_at"])
        benefit_event_record(project=project, actor=actor, kind=BenefitEventKind.PLAN_UPDATED,
                             from_status=was, to_status=plan.status,
                             interval_months=interval,
                             first_due_on=first.isoformat() if first else None)
    plan.refresh_from_db()
    return plan


def benefit_plan_approve(*, actor: User, project: Project,
                         expected_version: int | None = None) -> BenefitPlan:
    """A manager or admin of the project's organisation approves the plan. The plan must be
    complete enough to steer by: at least one benefit, every benefit with an owner, and a
    measurement schedule (the implementation gate's evidence, docs/domain.md)."""
    if not may_approve_plan(actor, project):
        raise Forbidden(_("Bare ledere og administratorer i organisasjonen godkjenner "
                          "gevinstrealiseringsplanen."))
    with transaction.atomic():
        _plan, created = BenefitPlan.objects.get_or_create(project=project)
        plan = BenefitPlan.objects.select_for_update().get(project=project)
        # Version 0 is "no plan yet" (what a reader without a plan was shown): if someone
        # created the plan meanwhile, that is a conflict too.
        if expected_version is not None and (0 if created else plan.version) != expected_version:
            raise ConflictError(_("Planen er endret av noen andre siden du åpnet den. Last "
                                  "siden på nytt."), code="stale_version")
        if plan.status == PlanStatus.APPROVED:
            raise ConflictError(_("Planen er allerede godkjent."), code="already_approved")
        benefits = list(project.benefits.all())
        if not benefits:
            raise DomainError(_("Planen må ha minst én gevinst før den godkjennes."),
                              code="no_benefits")
        if any(b.owner_id is None for b in benefits):
            raise DomainError(_("Alle gevinster må ha en gevinsteier før planen godkjennes."),
                              code="owner_missing")
        if plan.interval_months is None or plan.first_due_on is None:
            raise DomainError(_("Sett måleintervall og første måling før planen godkjennes."),
                              code="schedule_missing", field="interval_months")
        was = plan.status
        plan.status, plan.approved_by, plan.approved_at = (PlanStatus.APPROVED, actor,
                                                           timezone.now())
        plan.version = F("version") + 1
        plan.save(update_fields=["status", "approved_by", "approved_at", "version",
                                 "updated_at"])
        benefit_event_record(project=project, actor=actor, kind=BenefitEventKind.PLAN_APPROVED,
                             from_status=was, phase=project.initiative.phase,
                             benefits=len(benefits))
    plan.refresh_from_db()
    return plan


def plan_reapproval_after_gate(event_id: int) -> BenefitPlan | None:
    """The consumer of project events (registered in GevinstConfig.ready()): a gate decision
    that passed a gate (a forward move or the fast track, projects.services.gates.GATE_MOVES)
    ended a phase, so the plan is to be approved again, by the decider, for the phase left."""
    event = (ProjectEvent.objects.select_related("project__initiative", "actor")
             .filter(pk=event_id, kind=ProjectEventKind.PHASE_CHANGED).first())
    if event is None or event.data.get("move") not in GATE_MOVES:
        return None
    return benefit_plan_reapproval_required(event.project, actor=event.actor,
                                            phase=event.data.get("from_phase", ""))


def benefit_plan_reapproval_required(project: Project, *, actor: User | None = None,
                                     phase: str = "") -> BenefitPlan | None:
    """Record that a phase ended: an approved plan now needs a new approval (docs/domain.md: the
    plan is updated at every phase end). Called for each gate passed (see
    plan_reapproval_after_gate). A draft plan stays a draft; no plan, nothing to do."""
    with transaction.atomic():
        plan = BenefitPlan.objects.select_for_update().filter(project=project).first()
        if plan is None or plan.status != PlanStatus.APPROVED:
            return plan
        plan.status = PlanStatus.NEEDS_REAPPROVAL
        plan.version = F("version") + 1
        plan.save(update_fields=["status", "version", "updated_at"])
        benefit_event_record(project=project, actor=actor,
                             kind=BenefitEventKind.PLAN_REAPPROVAL_REQUIRED,
                             phase=phase or project.initiative.phase)
    plan.refresh_from_db()
    return plan


# --- The benefit map -------------------------------------------------------------------------

def map_node_add(*, actor: User, project: Project, kind: str, label: str,
                 benefit: Benefit | None = None, order: int | None = None) -> BenefitMapNode:
    _editor(actor, project)
    errors: dict[str, list[str]] = {}
    label = (label or "").strip()
    if kind not in NodeKind.values:
        errors["kind"] = [_("Ukjent valg: %(value)s.") % {"value": kind}]
    if not label:
        errors["label"] = [_("Feltet er påkrevd.")]
    elif len(label) > 120:
        errors["label"] = [_("Høyst 120 tegn.")]
    if benefit is not None and benefit.project_id != project.pk:
        errors["benefit"] = [_("Gevinsten hører til et annet prosjekt.")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors=errors)
    with transaction.atomic():
        if order is None:
            order = project.map_nodes.filter(kind=kind).count()
        else:
            # Insert at the given row: the nodes from there on move one row down.
            project.map_nodes.filter(kind=kind, order__gte=order).update(order=F("order") + 1)
        node = BenefitMapNode.objects.create(project=project, kind=kind, label=label,
                                             benefit=benefit, order=order)
        benefit_event_record(project=project, actor=actor,
                             kind=BenefitEventKind.MAP_NODE_ADDED, node_id=node.pk,
                             node_kind=kind, label=label)
    return node


def map_node_remove(*, actor: User, node: BenefitMapNode) -> None:
    project = node.project
    _editor(actor, project)
    with transaction.atomic():
        benefit_event_record(project=project, actor=actor,
                             kind=BenefitEventKind.MAP_NODE_REMOVED, node_id=node.pk,
                             node_kind=node.kind, label=node.label)
        node.delete()  # its arrows go with it


def map_edge_add(*, actor: User, project: Project, source: BenefitMapNode,
                 target: BenefitMapNode) -> BenefitMapEdge:
    _editor(actor, project)
    if source.project_id != project.pk or target.project_id != project.pk:
        raise DomainError(_("Begge elementene må høre til prosjektets gevinstkart."),
                          field="target")
    if source.pk == target.pk:
        raise DomainError(_("En pil kan ikke gå fra et element til seg selv."), field="target")
    if arrow_goes_backwards(source.kind, target.kind):
        raise DomainError(_("En pil går fra venstre mot høyre: fra tiltak og forutsetninger "
                            "til effekter, gevinster og mål. %(source)s kan ikke peke på "
                            "%(target)s.") % {"source": NodeKind(source.kind).label,
                                              "target": NodeKind(target.kind).label.lower()},
                          field="target", code="backwards")
    try:
        with transaction.atomic():
            edge = BenefitMapEdge.objects.create(project=project, source=source, target=target)
            benefit_event_record(project=project, actor=actor,
                                 kind=BenefitEventKind.MAP_EDGE_ADDED, edge_id=edge.pk,
                                 source=source.label, target=target.label)
    except IntegrityError:
        # The unique constraint, not a check first: two editors adding the same arrow at once.
        raise DomainError(_("Denne pilen finnes allerede."), field="target",
                          code="duplicate") from None
    return edge


def map_edge_remove(*, actor: User, edge: BenefitMapEdge) -> None:
    project = edge.project
    _editor(actor, project)
    with transaction.atomic():
        benefit_event_record(project=project, actor=actor,
                             kind=BenefitEventKind.MAP_EDGE_REMOVED, edge_id=edge.pk,
                             source=edge.source.label, target=edge.target.label)
        edge.delete()


# --- Measurement reminders -------------------------------------------------------------------

def add_months(day: datetime.date, months: int) -> datetime.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date_on(plan: BenefitPlan, today: datetime.date) -> datetime.date | None:
    """The latest measurement due date of the plan's schedule on or before `today`."""
    if plan.interval_months is None or plan.first_due_on is None or plan.first_due_on > today:
        return None
    months = (today.year - plan.first_due_on.year) * 12 + today.month - plan.first_due_on.month
    k = max(months // plan.interval_months, 0)
    due = add_months(plan.first_due_on, k * plan.interval_months)
    while due > today:
        k -= 1
        due = add_months(plan.first_due_on, k * plan.interval_months)
    return due


def next_due_date(plan: BenefitPlan, today: datetime.date) -> datetime.date | None:
    if plan.interval_months is None or plan.first_due_on is None:
        return None
    current = due_date_on(plan, today)
    if current is None:
        return plan.first_due_on
    return add_months(current, plan.interval_months)


OPEN_STATUSES = (BenefitStatus.PLANNED, BenefitStatus.IN_PROGRESS)


def benefit_reminders_create(*, today: datetime.date | None = None,
                             batch: int = 500) -> list[BenefitReminder]:
    """One reminder per benefit and due date, for the benefit owner, when the plan's schedule
    says a measurement is due and none has been entered since the due date. The unique
    constraint makes a second run (or two workers at once) create nothing new."""
    today = today or timezone.localdate()
    created: list[BenefitReminder] = []
    plans = (BenefitPlan.objects.filter(interval_months__isnull=False,
                                        first_due_on__lte=today)
             .select_related("project"))
    for plan in plans.iterator():
        due = due_date_on(plan, today)
        if due is None:
            continue
        benefits = (Benefit.objects.filter(project_id=plan.project_id, owner__isnull=False,
                                           status__in=OPEN_STATUSES)
                    .exclude(measurements__measured_on__gte=due)
                    .exclude(reminders__due_on=due))
        for benefit in benefits[:batch]:
            with transaction.atomic():
                reminder, new = BenefitReminder.objects.get_or_create(
                    benefit=benefit, due_on=due, defaults={"user_id": benefit.owner_id})
                if new:
                    benefit_event_record(project=plan.project, benefit=benefit, actor=None,
                                         kind=BenefitEventKind.REMINDER_CREATED,
                                         reminder_id=reminder.pk, due_on=due.isoformat(),
                                         owner_id=benefit.owner_id)
                    created.append(reminder)
    return created


def benefit_reminders_run(*, today: datetime.date | None = None) -> int:
    """Create the due reminders. Each writes a REMINDER_CREATED event; the notification centre
    (above this app) turns it into a notice for the owner and mails it like every other notice:
    at once, in the daily or weekly digest or not at all, as the owner chose, in his language
    (notifications.mail). The mailer stamps the reminder's `emailed_at`."""
    return len(benefit_reminders_create(today=today))
