"""Evaluation: the organisation's criteria, reviewer assignments and scores."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ideas.access import SCORABLE, may_score
from ideas.events import IdeaEventKind, idea_event_record
from ideas.models import EvaluationCriterion, Idea, ReviewerAssignment, Score
from portal.access import membership_for, user_can
from portal.errors import ConflictError, DomainError, Forbidden
from portal.events import event_organisation_id
from portal.models import Organisation, User
from portal.roles import Capability

# docs/domain.md: benefit (nytte), feasibility (gjennomførbarhet), resource need; scale 1–5.
# Stored in Norwegian because they are the organisation's own editable names.
DEFAULT_CRITERIA = [
    (gettext_noop("Nytte"), gettext_noop("Hvor stor nytte gir idéen for brukere, ansatte og "
                                         "organisasjonen?")),
    (gettext_noop("Gjennomførbarhet"), gettext_noop("Hvor realistisk er det å få det til med "
                                                    "teknologi, kompetanse og regelverk vi "
                                                    "har?")),
    (gettext_noop("Ressursbehov"), gettext_noop("Høy poengsum: lite ressurser trengs (tid, "
                                                "penger, folk).")),
]


def criteria_seed_for_event(event_id: int) -> int:
    """The consumer of organisation events (IdeasConfig.ready(); organisations from before it
    got theirs in a data migration): a new organisation, or its first member, gets the
    default criteria. Reads never seed (a GET writes nothing)."""
    org_id = event_organisation_id(event_id)
    return 0 if org_id is None else len(criteria_ensure_defaults(org_id))


def criteria_ensure_defaults(organisation: Organisation | int) -> list[EvaluationCriterion]:
    """The organisation's active criteria; the three defaults are created if it never had any
    (the seed on organisation events, and the fallback of the write services that use them).
    get_or_create on the unique (organisation, name) makes two first uses at once safe."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    criteria = list(EvaluationCriterion.objects.filter(organisation_id=org_id, is_active=True))
    if criteria or EvaluationCriterion.objects.filter(organisation_id=org_id).exists():
        return criteria
    for position, (name, description) in enumerate(DEFAULT_CRITERIA):
        EvaluationCriterion.objects.get_or_create(
            organisation_id=org_id, name=name,
            defaults={"description": description, "position": position})
    return list(EvaluationCriterion.objects.filter(organisation_id=org_id, is_active=True))


def _require_screener(actor: User, idea: Idea) -> None:
    if not user_can(actor, idea.organisation_id, Capability.SCREEN_IDEAS):
        raise Forbidden(_("Bare innovasjonskoordinatorer kan tildele vurderere."))


def reviewer_assign(*, actor: User, idea: Idea, reviewer: User) -> ReviewerAssignment:
    _require_screener(actor, idea)
    criteria_ensure_defaults(idea.organisation_id)  # the reviewer needs criteria to score
    if membership_for(reviewer, idea.organisation_id) is None:
        raise DomainError(_("Vurdereren må være medlem av organisasjonen."), field="reviewer")
    try:
        with transaction.atomic():
            locked = Idea.objects.select_for_update().get(pk=idea.pk)
            if locked.status not in SCORABLE:
                raise DomainError(_("Vurderere tildeles idéer som er sendt inn eller til "
                                    "vurdering."), code="not_scorable")
            assignment = ReviewerAssignment.objects.create(idea=locked, reviewer=reviewer,
                                                           assigned_by=actor)
            idea_event_record(idea=locked, actor=actor, kind=IdeaEventKind.REVIEWER_ASSIGNED,
                              reviewer_id=reviewer.pk, reviewer=str(reviewer))
    except IntegrityError:
        raise ConflictError(_("%(name)s er allerede vurderer for idéen.")
                            % {"name": reviewer}, code="already_assigned", field="reviewer")
    return assignment


def reviewer_unassign(*, actor: User, idea: Idea, reviewer: User) -> None:
    _require_screener(actor, idea)
    with transaction.atomic():
        deleted, _rows = ReviewerAssignment.objects.filter(idea=idea, reviewer=reviewer).delete()
        if not deleted:
            raise ConflictError(_("Personen er ikke vurderer for idéen."), code="not_assigned")
        idea_event_record(idea=idea, actor=actor, kind=IdeaEventKind.REVIEWER_UNASSIGNED,
                          reviewer_id=reviewer.pk, reviewer=str(reviewer))


def score_set(*, actor: User, idea: Idea, criterion: EvaluationCriterion, value: int) -> Score:
    """Set (or change) the actor's score on one criterion: one row per idea, criterion and
    reviewer, upserted on that unique constraint."""
    if criterion.organisation_id != idea.organisation_id or not criterion.is_active:
        raise DomainError(_("Kriteriet hører ikke til idéens organisasjon."), field="criterion")
    if not isinstance(value, int) or not criterion.scale_min <= value <= criterion.scale_max:
        raise DomainError(_("Poeng må være fra %(lo)s til %(hi)s.")
                          % {"lo": criterion.scale_min, "hi": criterion.scale_max},
                          field="value")
    with transaction.atomic():
        locked = Idea.objects.select_for_update().get(pk=idea.pk)
        if locked.status not in SCORABLE:
            raise DomainError(_("Bare idéer som er sendt inn eller til vurdering kan "
                                "vurderes."), code="not_scorable")
        if not may_score(actor, locked):
            raise Forbidden(_("Du er ikke tildelt som vurderer for denne idéen."))
        score, created = Score.objects.update_or_create(
            idea=locked, criterion=criterion, reviewer=actor, defaults={"value": value})
        idea_event_record(idea=locked, actor=actor, kind=IdeaEventKind.SCORED,
                          criterion_id=criterion.pk, criterion=criterion.name, value=value,
                          changed=not created)
    return score


def scores_set(*, actor: User, idea: Idea, values: dict[int, int]) -> list[Score]:
    """Several criteria at once (the scoring form), all or nothing."""
    criteria = {c.pk: c for c in EvaluationCriterion.objects.filter(
        organisation_id=idea.organisation_id, pk__in=list(values), is_active=True)}
    if len(criteria) != len(values):
        raise DomainError(_("Ukjent kriterium."), field="criterion")
    with transaction.atomic():
        return [score_set(actor=actor, idea=idea, criterion=criteria[pk], value=value)
                for pk, value in values.items()]


def criterion_create(*, actor: User, organisation: Organisation, name: str,
                     description: str = "", scale_min: int = 1,
                     scale_max: int = 5) -> EvaluationCriterion:
    if not user_can(actor, organisation, Capability.SCREEN_IDEAS):
        raise Forbidden(_("Bare innovasjonskoordinatorer kan endre kriteriene."))
    name = name.strip()
    if not name:
        raise DomainError(_("Gi kriteriet et navn."), field="name")
    if scale_max <= scale_min:
        raise DomainError(_("Skalaen må ha minst to verdier."), field="scale_max")
    criteria_ensure_defaults(organisation)
    try:
        with transaction.atomic():
            position = EvaluationCriterion.objects.filter(organisation=organisation).count()
            return EvaluationCriterion.objects.create(
                organisation=organisation, name=name, description=description.strip(),
                scale_min=scale_min, scale_max=scale_max, position=position)
    except IntegrityError:
        raise DomainError(_("Kriteriet finnes allerede."), field="name")
