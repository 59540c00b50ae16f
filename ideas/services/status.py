"""Capture and screening: creating and editing ideas, and one function per status change
(docs/domain.md "Ideas").

draft → submitted → in_review → approved | rejected | parked | merged; parked → in_review.
Each change locks the idea, checks the rule and the actor's right, writes an IdeaEvent, and —
where the initiative's phase changes — a row of the shared phase log."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ideas.access import (
    MERGE_TARGET_STATUSES,
    idea_reach,
    may_backdate,
    may_edit,
    merge_may_carry,
    merged_reach_limit,
)
from ideas.events import IdeaEventKind, idea_event_record
from ideas.models import Campaign, Comment, Follow, Idea, IdeaStatus, Support, Tag
from initiatives.models import Initiative, Phase, Track
from initiatives.phase_log import phase_change_record, submission_anonymity_set
from portal.access import user_can
from portal.dates import HAPPENED, date_check
from portal.errors import ConflictError, DomainError, Forbidden
from portal.models import Organisation, Unit, User
from portal.roles import Capability
from projects.models import Project, Visibility
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

# Fields a caller may set on create/update (the rest is owned by the transitions).
EDITABLE_FIELDS = frozenset({
    "unit", "solution", "target_group", "innovation_type", "welfare_area", "origin",
    "novelty", "track", "visibility", "is_anonymous", "is_confidential", "campaign",
    "expected_user", "expected_economic", "expected_organisational", "expected_motivation",
})


def _clean_fields(organisation_id: int, fields: dict) -> dict:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise DomainError(_("Ukjente felt: %(names)s") % {"names": ", ".join(sorted(unknown))})
    unit: Unit | None = fields.get("unit")
    if unit is not None and unit.organisation_id != organisation_id:
        raise DomainError(_("Enheten hører til en annen organisasjon."), field="unit")
    campaign: Campaign | None = fields.get("campaign")
    if campaign is not None and campaign.organisation_id != organisation_id:
        raise DomainError(_("Kampanjen hører til en annen organisasjon."), field="campaign")
    for dimension in ("expected_user", "expected_economic", "expected_organisational"):
        value = fields.get(dimension)
        if value is not None and not 0 <= value <= 3:
            raise DomainError(_("Forventet nytte er 0–3."), field=dimension)
    if "track" in fields and fields["track"] not in Track.values:
        raise DomainError(_("Ukjent spor."), field="track")
    if "visibility" in fields and fields["visibility"] not in Visibility.values:
        raise DomainError(_("Ukjent synlighet."), field="visibility")
    if fields.get("is_confidential"):
        fields["visibility"] = Visibility.ORGANISATION  # confidential ideas never leave
    return fields


NEED_MISSING = gettext_lazy("Beskriv behovet – hva er problemet i dag?")


def _required_text(title: str, need: str, *, need_required: bool) -> tuple[str, str]:
    """A draft needs only its title; the need is required from submission on."""
    title, need = title.strip(), (need or "").strip()
    errors = {}
    if not title:
        errors["title"] = [_("Gi idéen en kort tittel.")]
    if not need and need_required:
        errors["need"] = [str(NEED_MISSING)]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors=errors)
    return title, need


def _tags(names: Iterable[str]) -> list[Tag]:
    clean = sorted({" ".join(n.split()).lower()[:50] for n in names if n and n.strip()})
    return [Tag.objects.get_or_create(name=name)[0] for name in clean]


def idea_create(*, actor: User, organisation: Organisation, title: str, need: str = "",
                tags: Iterable[str] = (), **fields) -> Idea:
    """A draft idea (and its initiative, in phase `draft`): a title is enough, the need is
    required when it is submitted. Drafts are nothing to the indicators. The submitter
    follows the idea, so they hear of every status change."""
    if not user_can(actor, organisation, Capability.SUBMIT_IDEA):
        raise Forbidden(_("Du er ikke medlem av denne organisasjonen."))
    title, need = _required_text(title, need, need_required=False)
    fields = _clean_fields(organisation.pk, fields)
    with transaction.atomic():
        initiative = Initiative.objects.create(organisation=organisation, title=title,
                                               track=fields.get("track", Track.FULL),
                                               phase=Phase.DRAFT)
        idea = Idea.objects.create(initiative=initiative, organisation=organisation,
                                   submitter=actor, title=title, need=need, **fields)
        idea.tags.set(_tags(tags))
        Follow.objects.create(idea=idea, user=actor)
        idea_event_record(idea=idea, actor=actor, kind=IdeaEventKind.CREATED)
    return idea


def idea_update(*, actor: User, idea: Idea, tags: Iterable[str] | None = None,
                **fields) -> Idea:
    """Enrich or correct an idea. The title stays required; the need too once submitted."""
    with transaction.atomic():
        locked = Idea.objects.select_for_update().get(pk=idea.pk)
        if not may_edit(actor, locked):
            raise Forbidden(_("Du kan ikke endre denne idéen nå."))
        before = (locked.title, locked.need)
        title = fields.pop("title", locked.title)
        need = fields.pop("need", locked.need)
        locked.title, locked.need = _required_text(title, need,
                                                   need_required=locked.status != S.DRAFT)
        fields = _clean_fields(locked.organisation_id, fields)
        if (fields.get("is_anonymous", locked.is_anonymous) != locked.is_anonymous
                and actor.pk != locked.submitter_id):
            # Anonymity is the submitter's choice: a coordinator who edits the idea must not
            # be able to reveal the name to everyone.
            raise Forbidden(_("Bare innsenderen kan endre om idéen er anonym."))
        if fields.get("is_confidential", locked.is_confidential):
            # Also when only the visibility is sent: a confidential idea never leaves the
            # organisation (and the check constraint would turn it into a server error).
            fields["visibility"] = Visibility.ORGANISATION
        limit = merged_reach_limit(locked)
        if limit is not None and idea_reach(
                visibility=fields.get("visibility", locked.visibility),
                is_confidential=fields.get("is_confidential", locked.is_confidential)) > limit:
            # The merge rule, after the merge: the comments of a confidential or
            # organisation-only idea merged into this one must not be shared with it.
            raise DomainError(_("Idéen kan ikke deles videre: den har innhold fra en idé som "
                                "ble slått sammen med den og ikke er delt så vidt."),
                              code="merge_rule", field="visibility")
        campaign = fields.get("campaign")
        if (campaign is not None and campaign.pk != locked.campaign_id
                and locked.status != S.DRAFT
                and not campaign.is_open_on(timezone.localdate())):
            # Moving a submitted idea into a campaign is submitting it there (drafts are
            # checked when they are submitted).
            raise DomainError(_("Kampanjen «%(title)s» er ikke åpen for nye idéer.")
                              % {"title": campaign.title}, code="campaign_closed",
                              field="campaign")
        changed = [name for name, old, new in zip(("title", "need"), before,
                                                   (locked.title, locked.need)) if old != new]
        for name, value in fields.items():
            if getattr(locked, name) != value:
                setattr(locked, name, value)
                changed.append(name)
        locked.save(update_fields=["title", "need", *fields, "updated_at"])
        if "is_anonymous" in changed:
            # The phase log hides an anonymous submitter by its own flag (the project
            # timeline and the transitions API read the log, not the idea).
            submission_anonymity_set(initiative_id=locked.initiative_id,
                                     submitter_id=locked.submitter_id,
                                     anonymous=locked.is_anonymous)
        if "title" in changed or "track" in changed:
            Initiative.objects.filter(pk=locked.initiative_id).update(title=locked.title,
                                                                      track=locked.track)
        if tags is not None:
            new_tags = _tags(tags)
            if {t.pk for t in new_tags} != set(locked.tags.values_list("pk", flat=True)):
                locked.tags.set(new_tags)
                changed.append("tags")
        if changed:
            idea_event_record(idea=locked, actor=actor, kind=IdeaEventKind.UPDATED,
                              fields=sorted(set(changed)))
    return locked


def _effective_moment(effective_date: datetime.date | None) -> datetime.datetime:
    if effective_date is None:
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(effective_date, datetime.time(12)))


def _change(*, actor: User, idea: Idea, source: str, to: str, capability: Capability | None,
            effective_date: datetime.date | None = None,
            check: Callable[[Idea], None] | None = None,
            inside: Callable[[Idea], dict] | None = None, **extra) -> Idea:
    """The one path of every status change: `source` → `to`, a pair of TRANSITIONS. `check`
    runs under the lock before anything is written and may refuse; `inside` runs under the
    lock after the change and returns extra event data (the merge moves supports and comments
    there)."""
    assert (source, to) in TRANSITIONS, (source, to)
    # The date policy first (the phase log checks it too), so a date out of range is named
    # as such rather than as, say, a closed campaign.
    date_check(effective_date, field="effective_date", kind=HAPPENED)
    if capability is not None and not user_can(actor, idea.organisation_id, capability):
        raise Forbidden(_("Du har ikke rettighet til å endre status på idéen."))
    with transaction.atomic():
        # The lock serialises two coordinators acting on the same idea; the status check
        # after it turns the loser into a clear conflict instead of a double change.
        locked = Idea.objects.select_for_update().select_related("initiative").get(pk=idea.pk)
        if locked.status == to:
            raise ConflictError(_("Idéen har allerede status «%(status)s».")
                                % {"status": S(to).label}, code="status_changed")
        # Each service moves from one status only (idea_resume is not a second way to start
        # a review of a submitted idea), so the event says what really happened.
        if locked.status != source:
            raise DomainError(_("En idé med status «%(old)s» kan ikke få status «%(new)s».")
                              % {"old": S(locked.status).label, "new": S(to).label},
                              code="invalid_transition", field="status")
        if check is not None:
            check(locked)
        phase = TRANSITIONS[(source, to)]
        change = None
        if phase is not None:
            change = phase_change_record(
                initiative=locked.initiative, to_phase=phase, effective_date=effective_date,
                actor=actor, rationale=extra.get("rejection_reason", ""),
                anonymous_submission=(locked.is_anonymous and phase == Phase.IDEA
                                      and actor.pk == locked.submitter_id))
        old = locked.status
        locked.status = to
        update = ["status", "updated_at"]
        for name, value in extra.items():
            setattr(locked, name, value)
            update.append(name)
        if to == S.SUBMITTED:
            locked.submitted_at = _effective_moment(effective_date)
            update.append("submitted_at")
        locked.save(update_fields=update)
        data = inside(locked) if inside else {}
        if to == S.APPROVED:
            project = project_create_from_idea(actor=actor, idea=locked,
                                               effective_date=effective_date)
            data["project_id"] = project.pk
            change_date = project.initiative.phase_changes.latest("id").effective_date
        else:
            change_date = change.effective_date if change else None
        idea_event_record(idea=locked, actor=actor, kind=IdeaEventKind.STATUS_CHANGED,
                          old=old, new=to, reason=extra.get("rejection_reason", ""),
                          effective_date=change_date.isoformat() if change_date else None,
                          **data)
    idea.status = locked.status
    return locked


def idea_submit(*, actor: User, idea: Idea, effective_date=None,
                registering_history: bool = False) -> Idea:
    """Submit a draft. Back-dating writes history (the phase log, the indicators) and may
    enter a campaign that has closed: screeners only, whatever the way in (API, pages).
    `registering_history`: the caller loads a recorded history on the submitter's behalf (the
    demo loader, test worlds) and may back-date. The date itself is always checked against
    the date policy (portal.dates)."""
    if idea.submitter_id != actor.pk:
        raise Forbidden(_("Bare den som skrev idéen kan sende den inn."))
    back_dated = effective_date not in (None, timezone.localdate())

    def ready(locked: Idea) -> None:
        # After the status checks, so a repeated submission is still a conflict.
        if back_dated and not registering_history and not may_backdate(actor, locked):
            raise DomainError(_("Bare innovasjonskoordinatorer kan tilbakedatere en "
                                "innsending."), field="effective_date")
        if not locked.need.strip():  # a draft may lack it (idea_create); a submission not
            raise DomainError(str(NEED_MISSING), code="need_missing", field="need")
        # Under the lock: the campaign read is the one the submitted idea keeps.
        if locked.campaign_id is None:
            return
        campaign = Campaign.objects.get(pk=locked.campaign_id)
        if not campaign.is_open_on(effective_date or timezone.localdate()):
            raise DomainError(_("Kampanjen «%(title)s» er ikke åpen for nye idéer.")
                              % {"title": campaign.title}, code="campaign_closed",
                              field="campaign")

    return _change(actor=actor, idea=idea, source=S.DRAFT, to=S.SUBMITTED, capability=None,
                   effective_date=effective_date, check=ready)


def idea_start_review(*, actor: User, idea: Idea) -> Idea:
    from ideas.services.evaluation import criteria_ensure_defaults

    changed = _change(actor=actor, idea=idea, source=S.SUBMITTED, to=S.IN_REVIEW,
                      capability=Capability.SCREEN_IDEAS)
    # The review scores the idea: an organisation that got no seeding event (made in the
    # Django admin, say) gets its default criteria on this write at the latest.
    criteria_ensure_defaults(idea.organisation_id)
    return changed


def idea_approve(*, actor: User, idea: Idea, effective_date=None) -> Project:
    """Approval creates the project through the projects app (concept, or pilot on the
    fast track), in the same transaction."""
    _change(actor=actor, idea=idea, source=S.IN_REVIEW, to=S.APPROVED,
            capability=Capability.SCREEN_IDEAS, effective_date=effective_date)
    return Project.objects.select_related("initiative").get(initiative_id=idea.initiative_id)


def idea_reject(*, actor: User, idea: Idea, reason: str, effective_date=None) -> Idea:
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Skriv en begrunnelse – innsenderen får se den."),
                          field="rejection_reason")
    return _change(actor=actor, idea=idea, source=S.IN_REVIEW, to=S.REJECTED,
                   capability=Capability.SCREEN_IDEAS, effective_date=effective_date,
                   rejection_reason=reason)


def idea_park(*, actor: User, idea: Idea, effective_date=None) -> Idea:
    return _change(actor=actor, idea=idea, source=S.IN_REVIEW, to=S.PARKED,
                   capability=Capability.SCREEN_IDEAS, effective_date=effective_date)


def idea_resume(*, actor: User, idea: Idea, effective_date=None) -> Idea:
    """A parked idea is taken up again: back in review, and in phase `idea` again."""
    return _change(actor=actor, idea=idea, source=S.PARKED, to=S.IN_REVIEW,
                   capability=Capability.SCREEN_IDEAS, effective_date=effective_date)


def idea_merge(*, actor: User, idea: Idea, into: Idea, effective_date=None) -> Idea:
    """Merging keeps both ideas and links them (docs/domain.md). Supports (not already given to the
    surviving idea), comments and followers move to the surviving idea; both keep their
    events, and moved comments remember where they were written. The merge rule: the
    surviving idea must reach nobody who could not read the merged one, now and later."""
    if into.pk == idea.pk or into.organisation_id != idea.organisation_id:
        raise DomainError(_("Velg en annen idé i samme organisasjon å slå sammen med."),
                          field="merged_into")
    if not user_can(actor, idea.organisation_id, Capability.SCREEN_IDEAS):
        raise Forbidden(_("Du har ikke rettighet til å endre status på idéen."))

    def may_merge(locked: Idea) -> None:
        survivor = Idea.objects.get(pk=into.pk)  # both rows are locked, in id order
        if survivor.status not in MERGE_TARGET_STATUSES:
            raise DomainError(_("Idéen det slås sammen med må være aktiv."),
                              field="merged_into")
        if not merge_may_carry(locked, survivor):
            # The merge rule (ideas.access.merge_may_carry): checked under both locks, so a
            # visibility change that commits first is seen. Refused, not trimmed: a merge that
            # carried only a neutral reference would lose the comments it exists to join.
            raise DomainError(_("Idéen kan bare slås sammen med en idé som ikke er delt "
                                "videre enn den selv: en konfidensiell eller intern idé kan "
                                "ikke slås sammen med en delt eller offentlig idé."),
                              code="merge_rule", field="merged_into")

    def move(locked: Idea) -> dict:
        survivor = Idea.objects.get(pk=into.pk)
        supporters = Support.objects.filter(idea=survivor).values("user_id")
        # Duplicates stay on the merged idea: one support per user on the survivor.
        supports = Support.objects.filter(idea=locked).exclude(
            user_id__in=supporters).update(idea=survivor)
        Comment.objects.filter(idea=locked, moved_from__isnull=True).update(moved_from=locked)
        comments = Comment.objects.filter(idea=locked).update(idea=survivor)
        Follow.objects.bulk_create(
            [Follow(idea=survivor, user_id=user_id) for user_id in
             Follow.objects.filter(idea=locked).values_list("user_id", flat=True)],
            ignore_conflicts=True)
        idea_event_record(idea=survivor, actor=actor, kind=IdeaEventKind.MERGED_IN,
                          merged_id=locked.pk, merged_title=locked.title,
                          supports_moved=supports, comments_moved=comments)
        return {"merged_into": survivor.pk, "supports_moved": supports,
                "comments_moved": comments}

    # Lock both rows in id order, so two merges of the same pair cannot deadlock.
    with transaction.atomic():
        list(Idea.objects.select_for_update().filter(pk__in=[idea.pk, into.pk]).order_by("pk"))
        return _change(actor=actor, idea=idea, source=S.IN_REVIEW, to=S.MERGED,
                       capability=None, effective_date=effective_date, merged_into=into,
                       check=may_merge, inside=move)
