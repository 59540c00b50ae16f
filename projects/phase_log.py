"""The one writer of the phase-change log. Idea services (submission, screening) and project
services (gate decisions) both call it, so every phase change is dated, ordered and mirrored on
the initiative the same way."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import DomainError
from portal.models import User
from projects.models import Initiative, PhaseChange, Project


def last_phase_change(initiative: Initiative) -> PhaseChange | None:
    return initiative.phase_changes.order_by("-effective_date", "-id").first()


def phase_change_record(*, initiative: Initiative, to_phase: str,
                        effective_date: datetime.date | None, actor: User | None,
                        rationale: str = "", checklist: list | None = None,
                        stop_reason: str = "", lesson_learned: str = "") -> PhaseChange:
    """Append a phase change. The caller holds a lock on the initiative (or its idea/project)
    inside a transaction and has checked that the move is allowed.

    Back-dating is allowed for registering history, never before the previous change, so the
    log stays ordered by effective date and its last row is the current phase."""
    today = timezone.localdate()
    effective_date = effective_date or today
    if effective_date > today:
        raise DomainError(_("Datoen kan ikke være i framtiden."), field="effective_date")
    previous = last_phase_change(initiative)
    if previous is not None and effective_date < previous.effective_date:
        raise DomainError(
            _("Datoen kan ikke være før forrige faseendring (%(date)s).")
            % {"date": previous.effective_date.isoformat()},
            code="before_previous_change", field="effective_date")
    if previous is not None:
        # Close the previous phase. On an equal date its interval becomes empty, which is
        # exactly "the later-recorded change wins".
        PhaseChange.objects.filter(pk=previous.pk).update(valid_until=effective_date)
    change = PhaseChange.objects.create(
        initiative=initiative, organisation_id=initiative.organisation_id,
        from_phase=previous.to_phase if previous else "", to_phase=to_phase,
        effective_date=effective_date, decided_by=actor, rationale=rationale,
        checklist=checklist or [], stop_reason=stop_reason, lesson_learned=lesson_learned,
    )
    Initiative.objects.filter(pk=initiative.pk).update(phase=to_phase)
    initiative.phase = to_phase
    from gevinst.indicators.timeline import timeline_rebuild

    timeline_rebuild(initiative_ids=[initiative.pk])
    _mark_indicators(initiative, effective_date)
    return change


def _mark_indicators(initiative: Initiative, effective_date) -> None:
    """The initiative's organisation, and the origin of an adopted project (its adoption
    points depend on the adopter's phase), need their indicators recomputed."""
    from gevinst.indicators.services import indicators_mark_dirty

    organisation_ids = {initiative.organisation_id}
    organisation_ids.update(
        Project.objects.filter(initiative=initiative, adopted_from__isnull=False)
        .values_list("adopted_from__organisation_id", flat=True))
    indicators_mark_dirty(organisation_ids=organisation_ids, effective_date=effective_date)
