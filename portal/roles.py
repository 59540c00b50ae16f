"""Roles held on an organisation membership, and what each role may do.

Access helpers ask for a capability, never for a role name, so that the map below is the one
place that says who may do what.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    EMPLOYEE = "employee", _("Ansatt")
    COORDINATOR = "coordinator", _("Innovasjonskoordinator")
    PROJECT_LEADER = "project_leader", _("Prosjektleder")
    MANAGER = "manager", _("Leder")
    ADMIN = "admin", _("Administrator")


class Capability(StrEnum):
    SUBMIT_IDEA = "submit_idea"
    SCREEN_IDEAS = "screen_ideas"  # move ideas, assign reviewers, run campaigns
    SEE_ANONYMOUS = "see_anonymous"  # see who submitted an anonymous idea
    LEAD_PROJECTS = "lead_projects"  # create and edit projects, prepare gates
    DECIDE_GATES = "decide_gates"  # gate decisions, approve benefit plans, own benefits
    VIEW_DASHBOARDS = "view_dashboards"
    MANAGE_ORGANISATION = "manage_organisation"  # units, members, roles, settings


C = Capability
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.EMPLOYEE: frozenset({C.SUBMIT_IDEA}),
    Role.COORDINATOR: frozenset(
        {C.SUBMIT_IDEA, C.SCREEN_IDEAS, C.SEE_ANONYMOUS, C.LEAD_PROJECTS, C.VIEW_DASHBOARDS}
    ),
    Role.PROJECT_LEADER: frozenset({C.SUBMIT_IDEA, C.LEAD_PROJECTS}),
    Role.MANAGER: frozenset({C.SUBMIT_IDEA, C.LEAD_PROJECTS, C.DECIDE_GATES, C.VIEW_DASHBOARDS}),
    Role.ADMIN: frozenset(Capability),
}


def role_allows(role: str, capability: Capability) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())
