"""Who may see and change which projects. Outsiders get 404 (existence not revealed); members
(and, for shared projects, readers elsewhere) without the right get 403."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from initiatives.models import Phase
from portal.access import membership_for, organisations_where, user_can
from portal.models import Membership, Network, User
from portal.roles import Capability
from portal.rows import row_or_none
from projects.models import Project, Visibility


def visible_projects(user: User) -> Q:
    """Own organisations' projects, network-shared projects of organisations in one of the
    user's organisations' networks, and public projects: a condition on the project's own
    columns (no join), to narrow a query of projects directly rather than through
    `pk IN (…)` of a second scan of the table."""
    if not user.is_authenticated:
        return Q(visibility=Visibility.PUBLIC)
    own = organisations_where(user).values("pk")
    partners = Network.organisations.through.objects.filter(
        network__organisations__in=own).values("organisation_id")
    return (Q(organisation__in=own)
            | Q(visibility=Visibility.NETWORK, organisation__in=partners)
            | Q(visibility=Visibility.PUBLIC))


def projects_visible_to(user: User) -> QuerySet[Project]:
    """The projects the user may see (visible_projects)."""
    return Project.objects.filter(visible_projects(user))


def is_member(user: User, project: Project) -> bool:
    """Members of the project's organisation see the whole project; others only what the
    catalogue shows."""
    return membership_for(user, project.organisation_id) is not None


def may_read_decisions(user: User, project: Project) -> bool:
    """Gate decisions in full — rationale, stop reason, lesson learned, who decided and the
    checklist as it stood — are for members of the project's organisation (the project
    page). Readers of a shared project get the catalogue page, which shows none of it; the
    transitions API gives them the phase steps only (projects.selectors.phase_history)."""
    return user.is_authenticated and is_member(user, project)


def may_decide(user: User, project: Project) -> bool:
    return user_can(user, project.organisation_id, Capability.DECIDE_GATES)


def is_closed(project: Project) -> bool:
    """A stopped project is closed: its record (content, checklist, benefits) stays as it was
    when it stopped, with the lesson learned; nobody edits it (issue 16: the page showed every
    editing control still)."""
    return project.initiative.phase == Phase.STOPPED


def may_edit(user: User, project: Project) -> bool:
    """The project's own leader prepares gates and keeps the content; managers and admins of
    the organisation may do the same — while the project is not stopped."""
    if is_closed(project):
        return False
    if may_decide(user, project):
        return True
    return (project.leader_id is not None and project.leader_id == user.pk
            and user_can(user, project.organisation_id, Capability.LEAD_PROJECTS))


def get_project_for_user(user: User, pk: int, *, write: bool = False) -> Project:
    project = row_or_none(projects_visible_to(user)
                          .select_related("initiative", "organisation", "unit", "leader",
                                          "adopted_from__organisation")
                          .filter(pk=pk))
    if project is None:
        raise Http404
    if write and not may_edit(user, project):
        raise PermissionDenied
    return project


def users_who_may_see_project(project: Project, user_ids) -> set[int]:
    """Those of `user_ids` who may see the project now (projects_visible_to from the project's
    side): notices about it go only to them."""
    user_ids = set(user_ids)
    if not user_ids:
        return set()
    if project.visibility == Visibility.PUBLIC:
        return user_ids
    members = Membership.objects.filter(user_id__in=user_ids)
    orgs = [project.organisation_id]
    if project.visibility == Visibility.NETWORK:
        orgs += list(Network.organisations.through.objects.filter(
            network__organisations=project.organisation_id)
            .values_list("organisation_id", flat=True))
    return set(members.filter(organisation_id__in=orgs).values_list("user_id", flat=True))
