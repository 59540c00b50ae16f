"""Who may see and act on ideas. Outsiders get 404; members without the right 403."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from ideas.models import Campaign, Idea, IdeaStatus
from portal.access import organisations_where, user_can
from portal.models import Network, User
from portal.roles import Capability
from projects.models import Visibility


def ideas_visible_to(user: User) -> QuerySet[Idea]:
    """Own organisations' ideas (drafts only to their author), network-shared ideas of partner
    organisations, public ideas. Confidential ideas never leave their organisation."""
    own = organisations_where(user).values("pk")
    partners = Network.organisations.through.objects.filter(
        network__organisations__in=own).values("organisation_id")
    shared = Q(is_confidential=False) & ~Q(status=IdeaStatus.DRAFT) & (
        Q(visibility=Visibility.PUBLIC)
        | Q(visibility=Visibility.NETWORK, organisation__in=partners))
    mine = Q(organisation__in=own) & (~Q(status=IdeaStatus.DRAFT) | Q(submitter=user))
    return Idea.objects.filter(mine | shared)


def get_idea_for_user(user: User, pk: int, *, capability: Capability | None = None) -> Idea:
    idea = (ideas_visible_to(user).select_related("organisation", "unit", "submitter",
                                                  "campaign", "initiative", "merged_into")
            .filter(pk=pk).first())
    if idea is None:
        raise Http404
    if capability is not None and not user_can(user, idea.organisation_id, capability):
        raise PermissionDenied
    return idea


def may_see_submitter(user: User, idea: Idea) -> bool:
    """Anonymous ideas hide the submitter from all but coordinators and admins there."""
    return (not idea.is_anonymous or idea.submitter_id == user.pk
            or user_can(user, idea.organisation_id, Capability.SEE_ANONYMOUS))


def campaigns_visible_to(user: User) -> QuerySet[Campaign]:
    """Campaigns are an organisation's own call for ideas: members see them."""
    return Campaign.objects.filter(organisation__in=organisations_where(user))


def get_campaign_for_user(user: User, pk: int, *,
                          capability: Capability | None = None) -> Campaign:
    campaign = campaigns_visible_to(user).select_related("organisation").filter(pk=pk).first()
    if campaign is None:
        raise Http404
    if capability is not None and not user_can(user, campaign.organisation_id, capability):
        raise PermissionDenied
    return campaign
