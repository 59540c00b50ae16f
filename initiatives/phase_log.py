"""The one writer of the phase-change log. Idea services (submission, screening) and project
services (gate decisions, adoption) both call it, so every phase change is dated, ordered and
mirrored on the initiative the same way — and the indicator timeline and the dirty marks are
written in the same transaction."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from initiatives.marks import indicators_mark_dirty
from initiatives.models import Initiative, Phase, PhaseChange
from initiatives.series import revalidate_series
from initiatives.timeline import timeline_rebuild
from portal.dates import HAPPENED, date_check, short_date
from portal.errors import DomainError
from portal.models import User


def phase_changes_revalidate(initiative_ids) -> None:
    """Re-derive `valid_until` of the initiatives' phase changes (initiatives.series)."""
    revalidate_series(PhaseChange, "initiative_id", "initiative_id", "effective_date",
                      initiative_ids)


def last_phase_change(initiative: Initiative) -> PhaseChange | None:
    return initiative.phase_changes.order_by("-effective_date", "-id").first()


def phase_change_record(*, initiative: Initiative, to_phase: str,
                        effective_date: datetime.date | None, actor: User | None,
                        rationale: str = "", checklist: list | None = None,
                        stop_reason: str = "", lesson_learned: str = "",
                        anonymous_submission: bool = False) -> PhaseChange:
    """Append a phase change. The caller holds a lock on the initiative (or its idea/project)
    inside a transaction and has checked that the move is allowed. `anonymous_submission`:
    the change is an anonymous idea's submission by its submitter (PhaseChange's field).

    Back-dating is allowed for registering history, never before the previous change, so the
    log stays ordered by effective date and its last row is the current phase."""
    effective_date = effective_date or timezone.localdate()
    # The date policy (portal.dates): 2000-01-01 up to today. A date outside it would put a
    # period into the dirty marks that the indicators can never compute.
    date_check(effective_date, field="effective_date", kind=HAPPENED)
    previous = last_phase_change(initiative)
    if previous is not None and effective_date < previous.effective_date:
        raise DomainError(
            _("Datoen kan ikke være før forrige faseendring (%(date)s).")
            % {"date": short_date(previous.effective_date)},
            code="before_previous_change", field="effective_date")
    change = PhaseChange.objects.create(
        initiative=initiative, organisation_id=initiative.organisation_id,
        from_phase=previous.to_phase if previous else "", to_phase=to_phase,
        effective_date=effective_date, decided_by=actor, rationale=rationale,
        checklist=checklist or [], stop_reason=stop_reason, lesson_learned=lesson_learned,
        anonymous_submission=anonymous_submission,
    )
    # Closes the previous phase; on an equal date its interval becomes empty, which is
    # exactly "the later-recorded change wins".
    phase_changes_revalidate([initiative.pk])
    change.refresh_from_db(fields=["valid_until"])
    Initiative.objects.filter(pk=initiative.pk).update(phase=to_phase)
    initiative.phase = to_phase
    timeline_rebuild(initiative_ids=[initiative.pk])
    _mark_indicators(initiative, effective_date)
    return change


def _mark_indicators(initiative: Initiative, effective_date) -> None:
    """The initiative's organisation, and the origin of an adopted one (its adoption points
    depend on the adopter's phase), need their indicators recomputed."""
    organisation_ids = {initiative.organisation_id}
    if initiative.adopted_from_id is not None:
        organisation_ids.update(Initiative.objects.filter(pk=initiative.adopted_from_id)
                                .values_list("organisation_id", flat=True))
    indicators_mark_dirty(organisation_ids=organisation_ids, effective_date=effective_date)


def submission_anonymity_set(*, initiative_id: int, submitter_id: int | None,
                             anonymous: bool) -> int:
    """Keep PhaseChange.anonymous_submission in step with the idea: called by the idea
    services, inside their transaction, whenever an idea's anonymity changes. The idea's
    submissions are the changes into `idea` that its submitter decided."""
    if submitter_id is None:
        return 0
    return PhaseChange.objects.filter(initiative_id=initiative_id, to_phase=Phase.IDEA,
                                      decided_by_id=submitter_id).update(
        anonymous_submission=anonymous)
