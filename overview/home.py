"""The home page's to-do list: per role, what waits for the signed-in user, as counts with a
link each. A fixed number of queries whatever the data (tests/overview/test_home.py pins it)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from gevinst.models import BenefitReminder
from ideas.models import Idea, IdeaStatus
from ideas.selectors import screening_queue
from initiatives.models import ORDERED_PHASES, Phase
from portal.access import organisations_where
from portal.roles import Capability
from projects.models import GateChecklistItem, Project, ProjectChecklistTick, ProjectMilestone

# A milestone is "due" when it is late or falls within this many days.
MILESTONE_HORIZON_DAYS = 14
# Phases at which a gate decision can wait: every ordered phase but the last.
GATE_LIST_LENGTH = 5
GATE_PHASES = [p for p in ORDERED_PHASES if p != Phase.SPREAD]


@dataclass(frozen=True)
class Todo:
    key: str
    count: int
    text: str
    url: str
    urgent: bool = False
    items: list = field(default_factory=list)  # (title, url) of the first few


def my_ideas(user) -> list[Todo]:
    """The user's own ideas, counted per status (one query)."""
    counts = dict(Idea.objects.filter(submitter=user).values_list("status")
                  .annotate(n=Count("id")).order_by())
    labels = dict(IdeaStatus.choices)
    base = reverse("ideas:list") + "?mine=1"
    return [Todo(key=f"idea-{status}", count=counts[status],
                 text=f"{labels[status]}", url=f"{base}&status={status}")
            for status in IdeaStatus.values if counts.get(status)]


def coordinator_queue(user) -> Todo:
    n = screening_queue(user=user).order_by().count()
    return Todo(key="queue", count=n, url=reverse("ideas:queue"),
                text=ngettext("%(count)s idé venter", "%(count)s idéer venter", n)
                % {"count": n})


def projects_at_gate(user):
    """Projects in the organisations where the user decides gates whose checklist for the
    current phase is complete: they wait for the decision."""
    orgs = organisations_where(user, Capability.DECIDE_GATES)
    items = (GateChecklistItem.objects.filter(
        organisation=OuterRef("organisation"), phase=OuterRef("initiative__phase"),
        is_active=True).order_by().values("organisation").annotate(n=Count("id")).values("n"))
    ticks = (ProjectChecklistTick.objects.filter(
        project=OuterRef("pk"), item__is_active=True,
        item__phase=OuterRef("initiative__phase")).order_by().values("project")
        .annotate(n=Count("id")).values("n"))
    return (Project.objects.filter(organisation__in=orgs, initiative__phase__in=GATE_PHASES)
            .annotate(items=Coalesce(Subquery(items), 0), ticked=Coalesce(Subquery(ticks), 0))
            .filter(items__gt=0, ticked__gte=F("items")))


def manager_todos(user, today: datetime.date) -> list[Todo]:
    waiting = list(projects_at_gate(user).order_by("title", "id")[:GATE_LIST_LENGTH + 1])
    gates = len(waiting)
    if gates > GATE_LIST_LENGTH:
        gates = projects_at_gate(user).count()
    overdue = BenefitReminder.objects.filter(user=user, done_at__isnull=True,
                                             due_on__lt=today).count()
    return [
        Todo(key="gates", count=gates, url=reverse("projects:list"),
             items=[(p.title, reverse("projects:detail", args=[p.pk]))
                    for p in waiting[:GATE_LIST_LENGTH]],
             text=ngettext("%(count)s prosjekt venter på beslutning",
                           "%(count)s prosjekter venter på beslutning", gates)
             % {"count": gates}),
        Todo(key="overdue-measurements", count=overdue, url=reverse("gevinst:overview"),
             urgent=bool(overdue),
             text=ngettext("%(count)s måling er forfalt", "%(count)s målinger er forfalt",
                           overdue) % {"count": overdue}),
    ]


def leader_todos(user, today: datetime.date) -> list[Todo]:
    horizon = today + datetime.timedelta(days=MILESTONE_HORIZON_DAYS)
    milestones = ProjectMilestone.objects.filter(
        project__leader=user, done_on__isnull=True, due_on__lte=horizon).aggregate(
        due=Count("id"), late=Count("id", filter=Q(due_on__lt=today)))
    measurements = BenefitReminder.objects.filter(
        benefit__project__leader=user, done_at__isnull=True, due_on__lte=horizon).count()
    projects_url = reverse("projects:list") + f"?leader={user.pk}"
    return [
        Todo(key="milestones", count=milestones["due"], url=projects_url,
             urgent=bool(milestones["late"]),
             text=ngettext("%(count)s milepæl forfaller snart eller er passert",
                           "%(count)s milepæler forfaller snart eller er passert",
                           milestones["due"]) % {"count": milestones["due"]}),
        Todo(key="measurements-due", count=measurements, url=reverse("gevinst:overview"),
             text=ngettext("%(count)s gevinstmåling skal gjøres",
                           "%(count)s gevinstmålinger skal gjøres", measurements)
             % {"count": measurements}),
    ]


def home_todos(user, capabilities: set[str]) -> dict:
    today = timezone.localdate()
    out: dict = {}
    if Capability.SUBMIT_IDEA in capabilities:
        out["my_ideas"] = my_ideas(user)
    if Capability.SCREEN_IDEAS in capabilities:
        out["queue"] = coordinator_queue(user)
    if Capability.DECIDE_GATES in capabilities:
        out["manager"] = manager_todos(user, today)
    if Capability.LEAD_PROJECTS in capabilities:
        out["leader"] = leader_todos(user, today)
    return out
