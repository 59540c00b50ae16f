"""Gate decisions and the start of a project from an idea."""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from initiatives.assessments import assessment_add
from initiatives.models import Initiative, Phase, PhaseChange, StopReason, Track
from initiatives.phase_log import phase_change_record
from portal.access import user_can
from portal.errors import ConflictError, DomainError, Forbidden
from portal.models import User
from portal.roles import Capability
from projects.events import ProjectEventKind, project_event_record
from projects.models import Project
from projects.phases import PROJECT_PHASES, InvalidMove, Move, classify
from projects.services.checklists import checklists_ensure_defaults, gate_checklist

# Moves that pass a gate: the checklist of the phase being left must be complete, or the
# decision must say why the project goes on anyway; and the phase left ends, so the benefit
# plan is to be approved again (gevinst consumes the PHASE_CHANGED event, which names the move).
GATE_MOVES = frozenset({Move.FORWARD, Move.FAST_TRACK})


def project_create_from_idea(*, actor: User, idea, effective_date: datetime.date | None = None,
                             rationale: str = "") -> Project:
    """Called by ideas.services.idea_approve() inside its transaction: the idea's initiative
    moves from `idea` to `concept` (or straight to `pilot` on the fast track) and the project
    starts. The idea's expected benefits become the first expected assessments (gevinst)."""
    with transaction.atomic():
        initiative = Initiative.objects.select_for_update().get(pk=idea.initiative_id)
        start = Phase.PILOT if idea.track == Track.FAST_TRACK else Phase.CONCEPT
        checklists_ensure_defaults(idea.organisation_id)
        project = Project.objects.create(
            initiative=initiative, organisation_id=idea.organisation_id, unit_id=idea.unit_id,
            title=idea.title, need=idea.need, description=idea.solution or "",
            track=idea.track, welfare_area=idea.welfare_area or "",
            # Confidential ideas never leave the organisation; others keep their visibility.
            visibility="organisation" if idea.is_confidential else idea.visibility,
        )
        change = phase_change_record(initiative=initiative, to_phase=start,
                                     effective_date=effective_date, actor=actor,
                                     rationale=rationale)
        project_event_record(project=project, actor=actor, kind=ProjectEventKind.CREATED,
                             idea_id=idea.pk, phase=start,
                             effective_date=change.effective_date.isoformat())
        # The idea's expected benefits become the project's first expected assessments.
        for dimension in ("user", "economic", "organisational"):
            score = getattr(idea, f"expected_{dimension}", None)
            if score is not None:
                assessment_add(initiative=initiative, dimension=dimension, kind="expected",
                               score=score, assessed_on=change.effective_date, assessor=actor,
                               motivation=getattr(idea, "expected_motivation", ""))
    return project


def _parked_from(initiative: Initiative) -> str | None:
    """The phase a parked initiative resumes in: where it was when it was parked."""
    into_parked = (initiative.phase_changes.filter(to_phase=Phase.PARKED)
                   .order_by("-effective_date", "-id").first())
    return into_parked.from_phase if into_parked else None


def project_transition(*, actor: User, project: Project, to_phase: str,
                       effective_date: datetime.date | None = None, rationale: str = "",
                       stop_reason: str = "", lesson_learned: str = "",
                       expected_phase: str | None = None) -> PhaseChange:
    """A gate decision: move the project to `to_phase` (docs/domain.md's table, projects.phases).

    Only managers and admins of the project's organisation decide. `expected_phase` is the phase
    the decider saw: if the project moved meanwhile (two people deciding the same gate at
    once), the second decision is refused with a conflict instead of being applied twice.

    A gate passed with open checklist items needs a rationale that says why (the explicit
    justification); the checklist as it stood is kept on the PhaseChange."""
    if not user_can(actor, project.organisation_id, Capability.DECIDE_GATES):
        raise Forbidden(_("Bare ledere og administratorer i organisasjonen tar "
                          "fasebeslutninger."))
    rationale, lesson_learned = rationale.strip(), lesson_learned.strip()
    with transaction.atomic():
        # The lock serialises decisions on one project; the phase check after it is what
        # turns the loser of a race into a clear conflict.
        locked = Project.objects.select_for_update().select_related("initiative").get(
            pk=project.pk)
        initiative = locked.initiative
        if expected_phase is not None and initiative.phase != expected_phase:
            raise ConflictError(
                _("Prosjektet er allerede flyttet til %(phase)s av noen andre. Last siden på "
                  "nytt og se om beslutningen fortsatt trengs.")
                % {"phase": Phase(initiative.phase).label}, code="phase_changed")
        if initiative.phase not in PROJECT_PHASES and initiative.phase != Phase.PARKED:
            raise DomainError(_("Prosjektet er avsluttet og kan ikke flyttes."),
                              field="to_phase")
        try:
            move = classify(initiative.phase, to_phase, track=locked.track,
                            parked_from=_parked_from(initiative))
        except InvalidMove:
            raise DomainError(
                _("Fra %(current)s kan prosjektet ikke flyttes til %(target)s.")
                % {"current": Phase(initiative.phase).label,
                   "target": Phase(to_phase).label if to_phase in Phase.values else to_phase},
                code="invalid_move", field="to_phase")
        if move == Move.BACK and not rationale:
            raise DomainError(_("Et steg tilbake krever en begrunnelse."), field="rationale")
        # The checklist of the phase being left, frozen into the decision as it stood.
        checklist = gate_checklist(locked) if initiative.phase in PROJECT_PHASES else []
        open_items = [row["text"] for row in checklist if not row["done"]]
        if move in GATE_MOVES and open_items and not rationale:
            raise DomainError(
                _("Sjekklisten har %(count)s åpne punkter (%(items)s). Begrunn hvorfor porten "
                  "passeres likevel.")
                % {"count": len(open_items), "items": "; ".join(open_items)},
                code="open_checklist_items", field="rationale")
        if move == Move.STOP:
            errors = {}
            if stop_reason not in StopReason.values:
                errors["stop_reason"] = [_("Velg hvorfor prosjektet stoppes.")]
            if not lesson_learned:
                errors["lesson_learned"] = [_("Skriv hva dere lærte – også nullresultater er "
                                              "kunnskap.")]
            if errors:
                raise DomainError(next(iter(errors.values()))[0], errors=errors)
        else:
            stop_reason, lesson_learned = "", ""
        from_phase = initiative.phase
        change = phase_change_record(
            initiative=initiative, to_phase=to_phase, effective_date=effective_date,
            actor=actor, rationale=rationale, checklist=checklist, stop_reason=stop_reason,
            lesson_learned=lesson_learned)
        Project.objects.filter(pk=locked.pk).update(version=F("version") + 1)
        project_event_record(project=locked, actor=actor, kind=ProjectEventKind.PHASE_CHANGED,
                             move=move.value, from_phase=from_phase, to_phase=to_phase,
                             effective_date=change.effective_date.isoformat(),
                             phase_change_id=change.pk,
                             open_items=len(open_items) if move in GATE_MOVES else 0)
    project.initiative.phase = to_phase
    return change
