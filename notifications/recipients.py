"""Who hears what: the one place that decides which users get a notice of an event.

Ideas
  - status changed, another idea merged in: the idea's followers and its submitter.
  - reviewer assigned: the reviewer.
Projects
  - phase changed (every gate decision: forward, back, fast track, park, resume, stop):
    the project leader, team members who have a user account (matched by e-mail) and the
    followers of the idea the project came from.
  - adopted by another organisation: the same people on the origin project.
  - a ticked checklist item completes the checklist of the current phase (GATE_READY): the
    managers and admins who take the gate decision.
Benefits
  - measurement reminder (due measurement): the benefit owner.
  - plan approved, plan to be approved again after a phase ended: the project leader.

Followers are those who followed before the event (the notices are written from the event
after its commit, and someone who follows later did not follow it then). Always: never the
actor himself, never an inactive user, and only users who may see the object now (the same
rules as the access helpers: ideas.access.users_who_may_see,
projects.access.users_who_may_see_project, benefits for members of the organisation).
Everything else (comments, supports, edits, map changes) stays on the object's timeline."""

from __future__ import annotations

from django.db.models.functions import Lower

from ideas.access import users_who_may_see
from ideas.models import Follow
from portal.models import Membership, User
from portal.roles import ROLE_CAPABILITIES, Capability
from projects.access import users_who_may_see_project

IDEA_KINDS = frozenset({"status_changed", "merged_in", "reviewer_assigned"})
PROJECT_KINDS = frozenset({"phase_changed", "adopted", "checklist_ticked"})
BENEFIT_KINDS = frozenset({"reminder_created", "plan_approved", "plan_reapproval_required"})
GATE_READY = "gate_ready"


def _active(user_ids, actor_id) -> set[int]:
    ids = {pk for pk in user_ids if pk is not None and pk != actor_id}
    if not ids:
        return set()
    return set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))


def for_idea_event(event) -> set[int]:
    idea = event.idea
    if event.kind == "reviewer_assigned":
        wanted = {event.data.get("reviewer_id")}
    else:
        wanted = set(Follow.objects.filter(idea_id=idea.pk, created_at__lte=event.created_at)
                     .values_list("user_id", flat=True))
        wanted.add(idea.submitter_id)
    return users_who_may_see(idea, _active(wanted, event.actor_id))


def _project_people(project, event) -> set[int]:
    """Leader, team members with an account, followers of the idea the project came from."""
    wanted = {project.leader_id}
    emails = [e.lower() for e in project.members.exclude(email="")
              .values_list("email", flat=True)]
    if emails:
        wanted |= set(User.objects.annotate(email_lower=Lower("email"))
                      .filter(email_lower__in=emails).values_list("pk", flat=True))
    wanted |= set(Follow.objects.filter(idea__initiative_id=project.initiative_id,
                                        created_at__lte=event.created_at)
                  .values_list("user_id", flat=True))
    return wanted


def _deciders(organisation_id: int) -> set[int]:
    roles = [r for r, caps in ROLE_CAPABILITIES.items() if Capability.DECIDE_GATES in caps]
    return set(Membership.objects.filter(organisation_id=organisation_id, role__in=roles)
               .values_list("user_id", flat=True))


def gate_ready(event) -> bool:
    """A tick that completed the checklist of the phase the project was in (the tick service
    records it in the event, as it stood when the tick was made)."""
    return event.kind == "checklist_ticked" and bool(event.data.get("checklist_complete"))


def for_project_event(event) -> tuple[str, set[int]]:
    """The notice kind and its recipients (no recipients: no notice)."""
    project = event.project
    if event.kind in ("phase_changed", "adopted"):
        wanted, kind = _project_people(project, event), event.kind
    elif gate_ready(event):
        wanted, kind = _deciders(project.organisation_id), GATE_READY
    else:
        return event.kind, set()
    return kind, users_who_may_see_project(project, _active(wanted, event.actor_id))


def for_benefit_event(event) -> set[int]:
    project = event.project
    if event.kind == "reminder_created":
        wanted = {event.data.get("owner_id") or (event.benefit.owner_id if event.benefit
                                                 else None)}
    else:
        wanted = {project.leader_id}
    members = set(Membership.objects.filter(organisation_id=project.organisation_id)
                  .values_list("user_id", flat=True))
    return _active(wanted, event.actor_id) & members
