"""Who may start indicator recomputes."""

from portal.access import user_can
from portal.models import Organisation, User
from portal.roles import Capability


def can_start_job(user: User, organisation: Organisation | None) -> bool:
    """An organisation's admins recompute their organisation; a national recompute is for the
    operators (superusers)."""
    if not user.is_authenticated:
        return False
    if organisation is None:
        return user.is_superuser
    return user.is_superuser or user_can(user, organisation, Capability.MANAGE_ORGANISATION)


def can_view_job(user: User, job) -> bool:
    """Who started the job, and whoever could have started it."""
    return job.requested_by_id == user.pk or can_start_job(user, job.organisation)
