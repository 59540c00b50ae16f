"""Who may read an organisation's indicator pages (and its portfolio report), and who may
start indicator recomputes."""

from portal.access import membership_for, user_can
from portal.models import Network, Organisation, User
from portal.roles import Capability


def readable_organisations(user: User):
    """Organisations whose indicator page the user may open: analysts' scope, and members
    who may read dashboards."""
    from indicators.selectors import visible_organisations

    visible = visible_organisations(user).order_by("name")
    if user.is_national_analyst or user.is_superuser:
        return visible
    analysed = set(Network.organisations.through.objects.filter(network__analysts=user)
                   .values_list("organisation_id", flat=True))
    return [o for o in visible
            if o.pk in analysed or user_can(user, o, Capability.VIEW_DASHBOARDS)]


def may_read_organisation(user: User, organisation: Organisation) -> bool:
    """The same rule as readable_organisations, for one organisation."""
    if not user.is_authenticated:
        return False
    if user.is_national_analyst or user.is_superuser:
        return True
    if user_can(user, organisation, Capability.VIEW_DASHBOARDS):
        return True
    return Network.organisations.through.objects.filter(
        network__analysts=user, organisation=organisation).exists()


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


def can_view_job(user: User, job) -> bool:
    """Who started the job, and whoever could have started it."""
    return job.requested_by_id == user.pk or can_start_job(user, job.organisation)
