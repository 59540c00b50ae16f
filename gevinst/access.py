"""Who may see and change a project's benefits.

Members of the project's organisation read; the project's leader and the organisation's
managers and admins write; outsiders get 404 (existence is not revealed) and members without
the right 403. HTML views and API views call these same helpers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from gevinst.models import Benefit
from portal.access import membership_for, organisations_where, user_can
from portal.models import User
from portal.roles import Capability
from portal.rows import row_or_none
from projects.access import is_closed
from projects.models import Project


def benefit_projects_visible_to(user: User) -> QuerySet[Project]:
    return Project.objects.filter(organisation__in=organisations_where(user).values("pk"))


def benefits_visible_to(user: User) -> QuerySet[Benefit]:
    return Benefit.objects.filter(
        project__organisation__in=organisations_where(user).values("pk"))


def may_edit_benefits(user: User, project: Project) -> bool:
    if membership_for(user, project.organisation_id) is None or is_closed(project):
        return False
    return (project.leader_id == user.pk
            or user_can(user, project.organisation_id, Capability.DECIDE_GATES))


def may_approve_plan(user: User, project: Project) -> bool:
    return user_can(user, project.organisation_id, Capability.DECIDE_GATES)


def get_project_for_benefits(user: User, pk: int, *, write: bool = False) -> Project:
    project = row_or_none(Project.objects.select_related("initiative", "organisation", "leader")
                          .filter(pk=pk))
    if project is None or membership_for(user, project.organisation_id) is None:
        raise Http404
    if write and not may_edit_benefits(user, project):
        raise PermissionDenied
    return project


def get_benefit_for_user(user: User, pk: int, *, write: bool = False) -> Benefit:
    benefit = row_or_none(Benefit.objects.select_related(
        "project__initiative", "project__organisation", "owner").filter(pk=pk))
    if benefit is None or membership_for(user, benefit.project.organisation_id) is None:
        raise Http404
    if write and not may_edit_benefits(user, benefit.project):
        raise PermissionDenied
    return benefit
