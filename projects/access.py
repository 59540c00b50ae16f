"""Who may see which projects. Outsiders get 404 (existence not revealed)."""

from django.db.models import Q, QuerySet
from django.http import Http404

from portal.access import organisations_where
from portal.models import Network, User
from projects.models import Project, Visibility


def projects_visible_to(user: User) -> QuerySet[Project]:
    """Own organisations' projects, network-shared projects of organisations in one of the
    user's organisations' networks, and public projects."""
    if not user.is_authenticated:
        return Project.objects.filter(visibility=Visibility.PUBLIC)
    own = organisations_where(user).values("pk")
    partners = Network.organisations.through.objects.filter(
        network__organisations__in=own).values("organisation_id")
    return Project.objects.filter(
        Q(organisation__in=own)
        | Q(visibility=Visibility.NETWORK, organisation__in=partners)
        | Q(visibility=Visibility.PUBLIC))


def get_project_for_user(user: User, pk: int) -> Project:
    project = (projects_visible_to(user).select_related("initiative", "organisation", "unit")
               .filter(pk=pk).first())
    if project is None:
        raise Http404
    return project
