"""Writes for ideas: one function per state change (DOMAIN.md "Ideas").

draft → submitted → in_review → approved | rejected | parked | merged; parked → in_review.
Each change locks the idea, checks the rule and the actor's right, writes an IdeaEvent, and —
where the initiative's phase changes — a row of the shared phase log."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ideas.events import IdeaEventKind, idea_event_record
from ideas.models import Idea, IdeaStatus
from portal.access import user_can
from portal.errors import ConflictError, DomainError, Forbidden
from portal.models import Organisation, User
from portal.roles import Capability
from projects.models import Initiative, Phase, Project, Visibility
from projects.phase_log import phase_change_record
from projects.services import project_create_from_idea

S = IdeaStatus
# Allowed status changes, and the phase the initiative enters (None: no phase change).
TRANSITIONS: dict[tuple[str, str], str | None] = {
    (S.DRAFT, S.SUBMITTED): Phase.IDEA,
    (S.SUBMITTED, S.IN_REVIEW): None,
    (S.IN_REVIEW, S.APPROVED): None,  # the project service writes concept/pilot
    (S.IN_REVIEW, S.REJECTED): Phase.REJECTED,
    (S.IN_REVIEW, S.PARKED): Phase.PARKED,
    (S.IN_REVIEW, S.MERGED): Phase.MERGED,
    (S.PARKED, S.IN_REVIEW): Phase.IDEA,
}


def idea_create(*, actor: User, organisation: Organisation, title: str, need: str,
                **fields) -> Idea:
    """A draft idea (and its initiative). Drafts are nothing to the indicators."""
    if not user_can(actor, organisation, Capability.SUBMIT_IDEA):
        raise Forbidden(_("Du er ikke medlem av denne organisasjonen."))
    title, need = title.strip(), need.strip()
    errors = {}
    if not title:
        errors["title"] = [_("Gi idéen en kort tittel.")]
    if not need:
        errors["need"] = [_("Beskriv behovet – hva er problemet i dag?")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors=errors)
    if fields.get("is_confidential"):
        fields["visibility"] = Visibility.ORGANISATION  # confidential ideas never leave
    with transaction.atomic():
        initiative = Initiative.objects.create(organisation=organisation, title=title,
                                               track=fields.get("track", "full"))
        idea = Idea.objects.create(initiative=initiative, organisation=organisation,
                                   submitter=actor, title=title, need=need, **fields)
        idea_event_record(idea=idea, actor=actor, kind=IdeaEventKind.CREATED)
    return idea


def _change(*, actor: User, idea: Idea, to: str, capability: Capability | None,
            effective_date: datetime.date | None = None, **extra) -> Idea:
    if capability is not None and not user_can(actor, idea.organisation_id, capability):
        raise Forbidden(_("Du har ikke rettighet til å endre status på idéen."))
    with transaction.atomic():
        locked = Idea.objects.select_for_update().select_related("initiative").get(pk=idea.pk)
        key = (locked.status, to)
        if key not in TRANSITIONS:
            if locked.status == to:
                raise ConflictError(_("Idéen har allerede status «%(status)s».")
                                    % {"status": S(to).label}, code="status_changed")
            raise DomainError(_("En idé med status «%(old)s» kan ikke få status «%(new)s».")
                              % {"old": S(locked.status).label, "new": S(to).label},
                              code="invalid_transition", field="status")
        phase = TRANSITIONS[key]
        change = None
        if phase is not None:
            change = phase_change_record(initiative=locked.initiative, to_phase=phase,
                                         effective_date=effective_date, actor=actor,
                                         rationale=extra.get("rejection_reason", ""))
        old = locked.status
        locked.status = to
        update = ["status", "updated_at"]
        for name, value in extra.items():
            setattr(locked, name, value)
            update.append(name)
        if to == S.SUBMITTED:
            locked.submitted_at = timezone.now()
            update.append("submitted_at")
        locked.save(update_fields=update)
        if to == S.APPROVED:
            project_create_from_idea(actor=actor, idea=locked, effective_date=effective_date)
        idea_event_record(idea=locked, actor=actor, kind=IdeaEventKind.STATUS_CHANGED,
                          old=old, new=to,
                          effective_date=change.effective_date.isoformat() if change else None)
    return locked


def idea_submit(*, actor: User, idea: Idea, effective_date=None) -> Idea:
    if idea.submitter_id != actor.pk:
        raise Forbidden(_("Bare den som skrev idéen kan sende den inn."))
    if idea.campaign_id:
        today = effective_date or timezone.localdate()
        campaign = idea.campaign
        if not campaign.opens_on <= today <= campaign.closes_on:
            raise DomainError(_("Kampanjen «%(title)s» er ikke åpen for nye idéer.")
                              % {"title": campaign.title}, field="campaign")
    return _change(actor=actor, idea=idea, to=S.SUBMITTED, capability=None,
                   effective_date=effective_date)


def idea_start_review(*, actor: User, idea: Idea) -> Idea:
    return _change(actor=actor, idea=idea, to=S.IN_REVIEW, capability=Capability.SCREEN_IDEAS)


def idea_approve(*, actor: User, idea: Idea, effective_date=None) -> Project:
    _change(actor=actor, idea=idea, to=S.APPROVED, capability=Capability.SCREEN_IDEAS,
            effective_date=effective_date)
    return Project.objects.get(initiative_id=idea.initiative_id)


def idea_reject(*, actor: User, idea: Idea, reason: str, effective_date=None) -> Idea:
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Skriv en begrunnelse – innsenderen får se den."),
                          field="rejection_reason")
    return _change(actor=actor, idea=idea, to=S.REJECTED, capability=Capability.SCREEN_IDEAS,
                   effective_date=effective_date, rejection_reason=reason)


def idea_park(*, actor: User, idea: Idea, effective_date=None) -> Idea:
    return _change(actor=actor, idea=idea, to=S.PARKED, capability=Capability.SCREEN_IDEAS,
                   effective_date=effective_date)


def idea_resume(*, actor: User, idea: Idea, effective_date=None) -> Idea:
    return _change(actor=actor, idea=idea, to=S.IN_REVIEW, capability=Capability.SCREEN_IDEAS,
                   effective_date=effective_date)


def idea_merge(*, actor: User, idea: Idea, into: Idea, effective_date=None) -> Idea:
    """Merging keeps both ideas and links them (DOMAIN.md)."""
    into = Idea.objects.get(pk=into.pk)  # its current status, not a caller's stale copy
    if into.pk == idea.pk or into.organisation_id != idea.organisation_id:
        raise DomainError(_("Velg en annen idé i samme organisasjon å slå sammen med."),
                          field="merged_into")
    if into.status in (S.MERGED, S.REJECTED, S.DRAFT):
        raise DomainError(_("Idéen det slås sammen med må være aktiv."), field="merged_into")
    return _change(actor=actor, idea=idea, to=S.MERGED, capability=Capability.SCREEN_IDEAS,
                   effective_date=effective_date, merged_into=into)
