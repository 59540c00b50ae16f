"""Who may read an organisation's indicator pages (and its portfolio report), and who may
start indicator recomputes."""

from django.db.models import QuerySet

from portal.access import (
    analyses_networks,
    membership_for,
    organisations_with,
    user_can,
)
from portal.models import Organisation, User
from portal.roles import Capability


def readable_organisations(user: User) -> QuerySet[Organisation]:
    """Organisations whose indicator page the user may open (analysts' scope, and members
    who may read dashboards): the rule is indicators.selectors.visible_organisations, which
    the indicator API reads too."""
    from indicators.selectors import visible_organisations

    return visible_organisations(user).order_by("name")


def readable_organisation_list(user: User) -> list[Organisation]:
    """readable_organisations as a list; for a member who analyses nothing, from the
    memberships the request has read already (no query of its own)."""
    if not user.is_authenticated:
        return []
    if user.is_national_analyst or user.is_superuser or analyses_networks(user):
        return list(readable_organisations(user))
    return organisations_with(user, Capability.VIEW_DASHBOARDS)


def may_read_indicators(user: User) -> bool:
    """Whether the user reads any organisation's indicators: the indicator pages answer 403
    otherwise, and so does the indicator API. National analysts read everything, also on a
    site with no organisation yet (the API answers them an empty list)."""
    if user.is_authenticated and (user.is_national_analyst or user.is_superuser):
        return True
    return readable_organisations(user).exists()


def may_read_organisation(user: User, organisation: Organisation) -> bool:
    """The same rule as readable_organisations, for one organisation."""
    return readable_organisations(user).filter(pk=organisation.pk).exists()


def is_member(user: User, organisation: Organisation) -> bool:
    return membership_for(user, organisation) is not None


def can_start_job(user: User, organisation: Organisation | None) -> bool:
    """An organisation's admins recompute their organisation; a national recompute is for the
    operators (superusers)."""
    if not user.is_authenticated:
        return False
    if organisation is None:
        return user.is_superuser
    return user.is_superuser or user_can(user, organisation, Capability.MANAGE_ORGANISATION)


def can_freeze(user: User) -> bool:
    """Freezing makes a year final for every organisation at once, so it is for the portal's
    administrators (superusers), who run the national recompute too; the record of who froze
    it is on the period rows (IndicatorPeriod.frozen_by)."""
    return user.is_authenticated and user.is_superuser


def can_change_scheme(user: User) -> bool:
    """A new point scheme version changes every organisation's numbers from its date on, so
    it is for the portal's administrators (superusers), like freezing a year."""
    return user.is_authenticated and user.is_superuser


def can_view_job(user: User, job) -> bool:
    """Who started the job, and whoever could have started it."""
    return job.requested_by_id == user.pk or can_start_job(user, job.organisation)
