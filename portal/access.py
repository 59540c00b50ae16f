"""Who may do what with organisations. Outsiders get 404 (existence is not revealed);
members without the right get 403. HTML views and API views call the same helpers."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from portal.errors import DomainError
from portal.models import Membership, Network, Organisation, User
from portal.params import id_or_none
from portal.roles import ROLE_CAPABILITIES, Capability, role_allows
from portal.rows import row_or_none


def memberships_of(user: User) -> dict[int, Membership]:
    """The user's memberships by organisation id, with their organisations: one query per
    request (memberships are few per user; cached on the user object, which lives as long as
    the request). The navigation, the access checks and the list selectors share it."""
    cache = getattr(user, "_membership_cache", None)
    if cache is None:
        # Whether the user analyses a network rides along as a constant subquery (evaluated
        # once), so the header's navigation needs no query of its own (analyses_networks).
        # In the organisations' name order (organisations_with lists them so).
        rows = (Membership.objects.filter(user=user).select_related("organisation")
                .order_by("organisation__name", "organisation_id")).annotate(
            user_analyses_networks=Exists(
                Network.analysts.through.objects.filter(user_id=user.pk)))
        cache = {m.organisation_id: m for m in rows}
        user._membership_cache = cache
        if cache:
            user._analyses_networks = next(iter(cache.values())).user_analyses_networks
    return cache


def analyses_networks(user: User) -> bool:
    """Whether the user is the analyst of some network: read with the memberships, asked on
    its own only of a user who is no member anywhere."""
    memberships_of(user)
    flag = getattr(user, "_analyses_networks", None)
    if flag is None:
        flag = user._analyses_networks = user.analysed_networks.exists()
    return flag


def member_organisation_ids(user: User) -> list[int]:
    """Ids of the organisations where the user is a member, as literal values: a query that
    filters on them lets PostgreSQL walk one organisation's index in order (a subquery on
    the memberships hides how few organisations there are from the planner)."""
    if not user.is_authenticated:
        return []
    return sorted(memberships_of(user))


def membership_for(user: User, organisation: Organisation | int) -> Membership | None:
    if not user.is_authenticated:
        return None
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return memberships_of(user).get(org_id)


def user_can(user: User, organisation: Organisation | int, capability: Capability) -> bool:
    membership = membership_for(user, organisation)
    return membership is not None and role_allows(membership.role, capability)


def can_anywhere(user: User, capability: Capability) -> bool:
    """Whether the user holds the capability in any organisation (from the memberships read
    once per request; organisations_where(…).exists() asked the database each time)."""
    return user.is_authenticated and any(role_allows(m.role, capability)
                                         for m in memberships_of(user).values())


def organisations_with(user: User, capability: Capability) -> list[Organisation]:
    """The organisations where the user holds the capability, by name: organisations_where
    as a list, from the memberships read once per request (no query of its own)."""
    if not user.is_authenticated:
        return []
    return [m.organisation for m in memberships_of(user).values()
            if role_allows(m.role, capability)]


def organisations_where(user: User, capability: Capability | None = None) -> QuerySet:
    """The organisations where the user is a member (holding the capability, if given)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    memberships = Membership.objects.filter(user=user)
    if capability is not None:
        roles = [r for r, caps in ROLE_CAPABILITIES.items() if capability in caps]
        memberships = memberships.filter(role__in=roles)
    return Organisation.objects.filter(pk__in=memberships.values("organisation_id"))


def get_organisation_for_user(user: User, org_number: str, *,
                              capability: Capability | None = None) -> Organisation:
    """The organisation if the user is a member; 404 for outsiders, 403 without the right."""
    organisation = row_or_none(Organisation.objects.filter(org_number=org_number))  # unique
    if organisation is None or membership_for(user, organisation) is None:
        raise Http404
    if capability is not None and not user_can(user, organisation, capability):
        raise PermissionDenied
    return organisation


def may_see_anonymous_submitter(user: User, organisation: Organisation | int,
                                submitter_id: int | None) -> bool:
    """An anonymous idea's submitter is named only to themselves and to the coordinators and
    admins of the idea's organisation (docs/domain.md "Ideas"). Every place that shows a submitter
    asks here: the idea pages (ideas.access), the project timeline and the transitions API
    (the submission in the phase log, PhaseChange.anonymous_submission)."""
    return ((submitter_id is not None and user.is_authenticated and submitter_id == user.pk)
            or user_can(user, organisation, Capability.SEE_ANONYMOUS))


# --- resolving what a user names --------------------------------------------------------------
# A reference typed or sent by a user (a username, an id) is resolved within what the user may
# act on, and everything else — a row that does not exist, a row of another organisation —
# gets the same error: an outsider cannot tell "exists elsewhere" from "does not exist".

def member_by_username(organisation: Organisation | int, username, *, field: str) -> User:
    """The member of `organisation` with this username, or the one DomainError of `field`
    for every other case (unknown, or a person of another organisation only)."""
    organisation_id = getattr(organisation, "pk", organisation)
    user = None
    if isinstance(username, str) and username.strip():
        user = User.objects.filter(username=username.strip(),
                                   memberships__organisation_id=organisation_id).first()
    if user is None:
        raise DomainError(_("Finner ingen i organisasjonen med dette brukernavnet."),
                          code="unknown_member", field=field)
    return user


def member_by_pk(organisation: Organisation | int, pk, *, field: str) -> User:
    """As member_by_username, for an id from a form."""
    organisation_id = getattr(organisation, "pk", organisation)
    user = None
    user_id = id_or_none(pk)  # ASCII digits in the id range only (portal.params)
    if user_id is not None:
        user = User.objects.filter(pk=user_id, memberships__organisation_id=organisation_id
                                   ).first()
    if user is None:
        raise DomainError(_("Finner ingen i organisasjonen med dette brukernavnet."),
                          code="unknown_member", field=field)
    return user
