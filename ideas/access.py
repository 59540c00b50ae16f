"""Who may see and act on ideas — the one place that says it (docs/architecture.md "Access").
Outsiders get 404; members without the right 403. Services, HTML views and API views all ask
here."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ideas.models import Campaign, Comment, Idea, IdeaStatus, ReviewerAssignment
from portal.access import (
    may_see_anonymous_submitter,
    membership_for,
    organisations_where,
    user_can,
)
from portal.models import Membership, Network, User
from portal.roles import Capability
from portal.rows import row_or_none
from projects.models import Visibility

S = IdeaStatus
# Statuses in which the idea is still being worked on (edits, attachments).
OPEN_STATUSES = frozenset({S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.PARKED})
# Supports and comments are for ideas others can act on, not drafts or closed ideas.
ENGAGEABLE = frozenset({S.SUBMITTED, S.IN_REVIEW, S.APPROVED, S.PARKED})
# An idea may be merged into one that is still being worked on or was approved.
MERGE_TARGET_STATUSES = frozenset({S.SUBMITTED, S.IN_REVIEW, S.APPROVED, S.PARKED})
# Reviewers score ideas while they are being screened.
SCORABLE = frozenset({S.SUBMITTED, S.IN_REVIEW})
# Authors may correct (or withdraw) a comment this long after writing it; later only
# moderators may hide it, so a discussion cannot be rewritten after others replied.
COMMENT_EDIT_WINDOW = datetime.timedelta(minutes=15)


# --- seeing ideas ---------------------------------------------------------------------------

def visible_ideas(user: User) -> Q:
    """Own organisations' ideas (drafts only to their author), network-shared ideas of partner
    organisations, public ideas. Confidential ideas never leave their organisation.

    A condition on the idea's own columns (no join), so a query of ideas can be narrowed with
    it directly, rather than through `pk IN (…)` of a second scan of the table."""
    own = organisations_where(user).values("pk")
    partners = Network.organisations.through.objects.filter(
        network__organisations__in=own).values("organisation_id")
    shared = Q(is_confidential=False) & ~Q(status=IdeaStatus.DRAFT) & (
        Q(visibility=Visibility.PUBLIC)
        | Q(visibility=Visibility.NETWORK, organisation__in=partners))
    mine = Q(organisation__in=own) & (~Q(status=IdeaStatus.DRAFT) | Q(submitter=user))
    return mine | shared


def ideas_visible_to(user: User) -> QuerySet[Idea]:
    """The ideas the user may see (visible_ideas)."""
    return Idea.objects.filter(visible_ideas(user))


def may_see_idea(user: User, idea: Idea) -> bool:
    return ideas_visible_to(user).filter(pk=idea.pk).exists()


def users_who_may_see(idea: Idea, user_ids) -> set[int]:
    """Those of `user_ids` who may see the idea now (the same rule as ideas_visible_to, from
    the idea's side). Notices go only to them: a follower from a partner municipality hears
    nothing once the idea is made confidential or organisation-only."""
    user_ids = set(user_ids)
    if not user_ids:
        return set()
    members = Membership.objects.filter(user_id__in=user_ids)
    inside = set(members.filter(organisation_id=idea.organisation_id)
                 .values_list("user_id", flat=True))
    if idea.status == IdeaStatus.DRAFT:
        return {idea.submitter_id} & inside
    if idea.is_confidential or idea.visibility == Visibility.ORGANISATION:
        return inside
    if idea.visibility == Visibility.PUBLIC:
        return user_ids  # public ideas are for every signed-in user
    partners = Network.organisations.through.objects.filter(
        network__organisations=idea.organisation_id).values("organisation_id")
    return inside | set(members.filter(organisation_id__in=partners)
                        .values_list("user_id", flat=True))


# --- the merge rule -------------------------------------------------------------------------
# How far an idea reaches: who besides its own organisation may read it. A confidential idea
# reaches the organisation only, whatever its visibility says.
_REACH = {Visibility.ORGANISATION: 0, Visibility.NETWORK: 1, Visibility.PUBLIC: 2}


def idea_reach(*, visibility: str, is_confidential: bool) -> int:
    return 0 if is_confidential else _REACH[visibility]


def merge_may_carry(source: Idea, into: Idea) -> bool:
    """The merge rule: a merge carries the source's title, comments, supports and followers
    to the surviving idea, so it is allowed only where the survivor reaches nobody who could
    not read the source. A confidential or organisation-only idea never merges into a
    network-shared or public one (README "Security")."""
    return (idea_reach(visibility=into.visibility, is_confidential=into.is_confidential)
            <= idea_reach(visibility=source.visibility, is_confidential=source.is_confidential))


def merge_may_carry_filter(source: Idea) -> Q:
    """merge_may_carry as a filter on the surviving idea. Built by asking merge_may_carry
    itself about every reach a survivor can have (its visibility and confidentiality, all the
    rule reads of it), so a list of targets and the service's check are one rule."""
    allowed = Q(pk__in=[])
    for visibility in Visibility.values:
        for confidential in (False, True):
            if merge_may_carry(source, Idea(visibility=visibility,
                                            is_confidential=confidential)):
                allowed |= Q(visibility=visibility, is_confidential=confidential)
    return allowed


def merge_targets(idea: Idea) -> QuerySet[Idea]:
    """The ideas `idea` may be merged into: active ideas of its organisation that the merge
    rule allows. The merge form offers these; the service (ideas.services.status.idea_merge)
    checks the same again under its locks."""
    return (Idea.objects.filter(merge_may_carry_filter(idea), organisation_id=idea.organisation_id,
                                status__in=MERGE_TARGET_STATUSES)
            .exclude(pk=idea.pk))


def merged_reach_limit(idea: Idea) -> int | None:
    """The widest reach the idea may be given now: no wider than the narrowest idea merged
    into it (their content lives on it), None when nothing was merged in. A merged idea is
    closed, so its reach no longer changes."""
    reaches = [idea_reach(visibility=v, is_confidential=c) for v, c in
               Idea.objects.filter(merged_into=idea).values_list("visibility",
                                                                 "is_confidential")]
    return min(reaches) if reaches else None


def get_idea_for_user(user: User, pk: int, *, capability: Capability | None = None) -> Idea:
    idea = row_or_none(ideas_visible_to(user).select_related(
        "organisation", "unit", "submitter", "campaign", "initiative", "merged_into").filter(pk=pk))
    if idea is None:
        raise Http404
    if capability is not None and not user_can(user, idea.organisation_id, capability):
        raise PermissionDenied
    return idea


# --- anonymity ------------------------------------------------------------------------------

def may_see_submitter(user: User, idea: Idea) -> bool:
    """Anonymous ideas hide the submitter from all but coordinators and admins there (the
    rule: portal.access.may_see_anonymous_submitter)."""
    return (not idea.is_anonymous
            or may_see_anonymous_submitter(user, idea.organisation_id, idea.submitter_id))


def may_see_comment_author(user: User, comment: Comment, idea: Idea) -> bool:
    """A comment by the anonymous submitter names nobody. A merge moves comments to the
    surviving idea, so the idea the comment was written on counts as well as the one it is
    shown on: the submitter of an anonymous merged idea stays hidden on the survivor."""
    if comment.author_id is None:
        return True
    for origin in (idea, comment.moved_from if comment.moved_from_id else None):
        if (origin is not None and origin.is_anonymous
                and comment.author_id == origin.submitter_id
                and not may_see_submitter(user, origin)):
            return False
    return True


# --- acting on ideas ------------------------------------------------------------------------

def may_edit(user: User, idea: Idea) -> bool:
    """The author while the idea is a draft or just submitted; screeners while it is open."""
    if idea.status in (S.DRAFT, S.SUBMITTED) and idea.submitter_id == user.pk:
        return True
    return (idea.status in OPEN_STATUSES and idea.status != S.DRAFT
            and user_can(user, idea.organisation_id, Capability.SCREEN_IDEAS))


def may_backdate(user: User, idea: Idea) -> bool:
    """Back-dating a status change registers history (the phase log feeds the indicators,
    and a back-dated submission may enter a campaign that has closed): screeners only."""
    return user_can(user, idea.organisation_id, Capability.SCREEN_IDEAS)


def may_attach(user: User, idea: Idea) -> bool:
    """Attachments are the author's (and the screeners' once submitted), while open."""
    if idea.status not in OPEN_STATUSES:
        return False
    return (idea.submitter_id == user.pk
            or (idea.status != S.DRAFT
                and user_can(user, idea.organisation_id, Capability.SCREEN_IDEAS)))


def may_score(user: User, idea: Idea) -> bool:
    """Assigned reviewers, and the coordinators who screen the idea."""
    if idea.status not in SCORABLE or membership_for(user, idea.organisation_id) is None:
        return False
    return (user_can(user, idea.organisation_id, Capability.SCREEN_IDEAS)
            or ReviewerAssignment.objects.filter(idea=idea, reviewer=user).exists())


def comment_may_edit(user: User, comment: Comment, *, now=None) -> bool:
    now = now or timezone.now()
    return (comment.author_id == user.pk and comment.deleted_at is None
            and now - comment.created_at <= COMMENT_EDIT_WINDOW)


def comment_may_delete(user: User, comment: Comment, idea: Idea) -> bool:
    """Soft delete: moderators (screeners) any time, the author within the edit window."""
    if comment.deleted_at is not None:
        return False
    return (user_can(user, idea.organisation_id, Capability.SCREEN_IDEAS)
            or comment_may_edit(user, comment))


# --- campaigns ------------------------------------------------------------------------------

def campaigns_visible_to(user: User) -> QuerySet[Campaign]:
    """Campaigns are an organisation's own call for ideas: members see them."""
    return Campaign.objects.filter(organisation__in=organisations_where(user))


def get_campaign_for_user(user: User, pk: int, *,
                          capability: Capability | None = None) -> Campaign:
    campaign = row_or_none(campaigns_visible_to(user).select_related("organisation")
                           .filter(pk=pk))
    if campaign is None:
        raise Http404
    if capability is not None and not user_can(user, campaign.organisation_id, capability):
        raise PermissionDenied
    return campaign
