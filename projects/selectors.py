"""Reads for the project pages and the API, scoped to what the user may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from initiatives.models import ORDERED_PHASES, Phase, PhaseChange
from portal.access import (
    may_see_anonymous_submitter,
    member_organisation_ids,
)
from portal.models import User
from portal.personal_data import choice_label, col, section
from projects.access import may_read_decisions, projects_visible_to
from projects.events import ProjectEventKind
from projects.extensions import project_export_extensions
from projects.models import Project, ProjectCost, ProjectFunding, ProjectMilestone, Visibility
from projects.phases import PROJECT_PHASES, InvalidMove, classify


def project_list(*, user: User) -> QuerySet[Project]:
    """The projects of the user's own organisations (shared projects of others are in the
    catalogue). Related rows for the list are joined, so the query count does not grow with
    the page."""
    return (Project.objects.filter(organisation__in=member_organisation_ids(user))
            .select_related("initiative", "organisation", "unit", "leader")
            .order_by("-updated_at", "-id"))


def catalogue(*, user: User) -> QuerySet[Project]:
    """Shared projects: public ones for everybody, network-shared ones for members of an
    organisation in the same network. Never organisation-only projects, not even the user's
    own."""
    # The adopter count is a correlated subquery, computed for the page's rows only (a join
    # with GROUP BY counted the adoptions of every shared project in the country first).
    adopters = (Project.objects.filter(adopted_from=OuterRef("pk")).order_by()
                .values("adopted_from").annotate(n=Count("pk")).values("n"))
    return (projects_visible_to(user)
            .filter(visibility__in=[Visibility.PUBLIC, Visibility.NETWORK])
            .select_related("initiative", "organisation")
            .annotate(adopter_count=Coalesce(Subquery(adopters, output_field=IntegerField()),
                                             0))
            .order_by("-updated_at", "-id"))


def adopters_of(project: Project) -> QuerySet[Project]:
    return (project.adoptions.select_related("organisation", "initiative")
            .order_by("organisation__name"))


@dataclass
class PhaseStep:
    code: str
    label: str
    state: str  # done | current | upcoming


def phase_bar(project: Project, parked_from: str | None) -> list[PhaseStep]:
    """The six ordered phases, with the current one (or where a parked/stopped project
    stood) marked."""
    phase = project.initiative.phase
    at = parked_from if phase in (Phase.PARKED, Phase.STOPPED) else phase
    position = ORDERED_PHASES.index(at) if at in ORDERED_PHASES else -1
    steps = []
    for index, code in enumerate(ORDERED_PHASES):
        state = "done" if index < position else "current" if index == position else "upcoming"
        steps.append(PhaseStep(code, Phase(code).label, state))
    return steps


def phase_before_special(project: Project,
                         changes: list[PhaseChange] | None = None) -> str | None:
    """For a parked or stopped project: the phase it was in when it was parked/stopped.
    `changes`: every phase change of the initiative, if the caller has read them already
    (a complete Timeline), so they are not asked for again."""
    if changes is None:
        changes = list(project.initiative.phase_changes.filter(
            to_phase__in=[Phase.PARKED, Phase.STOPPED]))
    newest_first = sorted(changes, key=lambda c: (c.effective_date, c.pk), reverse=True)
    last = next((c for c in newest_first if c.to_phase in (Phase.PARKED, Phase.STOPPED)),
                None)
    if last is None:
        return None
    if last.from_phase == Phase.PARKED:
        before = next((c for c in newest_first
                       if c.to_phase == Phase.PARKED and c.pk != last.pk), None)
        return before.from_phase if before else None
    return last.from_phase


def allowed_targets(project: Project, parked_from: str | None) -> list[tuple[str, str]]:
    """The moves docs/domain.md allows from the current phase, as (phase, label) choices."""
    targets = []
    for code in [*PROJECT_PHASES, Phase.PARKED, Phase.STOPPED]:
        try:
            classify(project.initiative.phase, code, track=project.track,
                     parked_from=parked_from)
        except InvalidMove:
            continue
        targets.append((code, Phase(code).label))
    return targets


@dataclass
class TimelineEntry:
    at: datetime.datetime
    kind: str  # "phase" | "event"
    actor: object
    is_new: bool
    change: PhaseChange | None = None
    event: object | None = None
    data: dict = field(default_factory=dict)
    anonymous: bool = False  # the actor is an anonymous idea's submitter, hidden from the reader


def is_hidden_submission(change: PhaseChange, user: User) -> bool:
    """The change is an anonymous idea's submission (the initiative's first phase change,
    decided by its submitter) and `user` may not see who sent the idea in: shown on the
    project's timeline or in its transitions API it would name the anonymous submitter. The
    flag is the spine's (PhaseChange.anonymous_submission, kept by the idea services); the
    rule is portal.access.may_see_anonymous_submitter."""
    return change.anonymous_submission and not may_see_anonymous_submitter(
        user, change.organisation_id, change.decided_by_id)


def phase_history(project: Project, *, user: User) -> tuple[list[PhaseChange], bool]:
    """The project's phase changes, oldest first, and whether `user` may read the decisions
    in full (projects.access.may_read_decisions, the rule of the project and catalogue
    pages). The transitions API shows the decision fields only when it is True."""
    changes = list(project.initiative.phase_changes.select_related("decided_by")
                   .order_by("effective_date", "id"))
    return changes, may_read_decisions(user, project)


TIMELINE_LIMIT = 200


def timeline_reads(project: Project, limit: int = TIMELINE_LIMIT) -> tuple[QuerySet, QuerySet]:
    """What the timeline reads: the newest phase changes (with who decided) and the newest
    project events (with who acted). A page may evaluate them with its other reads
    (portal.prefetch.read_together) and hand them to `timeline`."""
    changes = (project.initiative.phase_changes.select_related("decided_by")
               .order_by("-created_at", "-id")[:limit])
    events = (project.events.exclude(kind=ProjectEventKind.PHASE_CHANGED)
              .select_related("actor").order_by("-created_at", "-id")[:limit])
    return changes, events


def timeline(project: Project, *, since: datetime.datetime | None, user: User,
             limit: int = TIMELINE_LIMIT,
             reads: tuple[QuerySet, QuerySet] | None = None) -> Timeline:
    """Phase changes and project events merged, newest first. Phase-change events are left
    out of the event side: the PhaseChange row itself carries the decision. Entries recorded
    after `since` (the user's previous visit) are new. The anonymous submitter of the origin
    idea is not named to readers who may not see them. `reads`: `timeline_reads(project,
    limit)` when the caller has evaluated them already."""
    changes, events = reads if reads is not None else timeline_reads(project, limit)
    entries = [TimelineEntry(at=c.created_at, kind="phase", change=c,
                             actor=None if is_hidden_submission(c, user) else c.decided_by,
                             anonymous=is_hidden_submission(c, user),
                             is_new=since is not None and c.created_at > since)
               for c in changes]
    entries += [TimelineEntry(at=e.created_at, kind="event", actor=e.actor, event=e,
                              data=e.data, is_new=since is not None and e.created_at > since)
                for e in events]
    entries.sort(key=lambda e: e.at, reverse=True)
    out = Timeline(entries[:limit])
    changes = list(changes)
    if len(changes) < limit:
        # Every phase change of the initiative is here: the current one is known without
        # asking again (projects.phase_log.last_phase_change orders the same way).
        out.last_change = max(changes, key=lambda c: (c.effective_date, c.pk), default=None)
        out.changes = changes
        out.complete = True
    return out


class Timeline(list):
    """The timeline's entries; `complete` when it holds every phase change of the initiative,
    and then `last_change` is the current one (None for none)."""

    complete = False
    last_change: PhaseChange | None = None
    changes: list[PhaseChange] | None = None  # every phase change, when complete



def overdue_milestone_ids(project: Project) -> set[int]:
    today = timezone.localdate()
    return set(project.milestones.filter(done_on__isnull=True, due_on__lt=today)
               .values_list("pk", flat=True))


def search(queryset: QuerySet[Project], text: str) -> QuerySet[Project]:
    for word in text.split()[:8]:
        queryset = queryset.filter(Q(title__icontains=word) | Q(need__icontains=word)
                                   | Q(description__icontains=word))
    return queryset


def _per_project(queryset, value, output_field):
    """One aggregated value per project as a correlated subquery: several of these on one
    queryset neither multiply each other's rows (as joins would) nor cost a query per row."""
    return Subquery(queryset.filter(project=OuterRef("pk")).order_by().values("project")
                    .annotate(total=value).values("total")[:1], output_field=output_field)


def _first_change(**conditions) -> Subquery:
    return PhaseChange.objects.filter(initiative=OuterRef("initiative_id"), **conditions)


def with_export_figures(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The project list's rows with what the export adds: cost and funding totals, adoption
    counts, start and phase dates, next open milestone and, for stopped projects, the stop
    reason and lesson, and what the apps above add (projects.extensions). Constant query
    count: all of it is subqueries."""
    money = DecimalField(max_digits=16, decimal_places=2)
    number = IntegerField()
    zero = Decimal(0)
    stop = _first_change(to_phase=Phase.STOPPED).order_by("-effective_date", "-id")
    milestone = (ProjectMilestone.objects.filter(project=OuterRef("pk"), done_on__isnull=True)
                 .order_by("due_on", "id"))
    for extension in project_export_extensions():
        projects = extension.annotate(projects)
    return projects.select_related(
        "initiative", "organisation", "unit", "leader", "adopted_from__organisation",
    ).annotate(
        one_off_costs=Coalesce(_per_project(ProjectCost.objects.filter(recurrence="one_off"),
                                            Sum("amount_nok"), money), zero, output_field=money),
        annual_costs=Coalesce(_per_project(ProjectCost.objects.filter(recurrence="annual"),
                                           Sum("amount_nok"), money), zero, output_field=money),
        funding_total=Coalesce(_per_project(ProjectFunding.objects.all(), Sum("amount_nok"),
                                            money), zero, output_field=money),
        adoption_count=Coalesce(Subquery(
            Project.objects.filter(adopted_from=OuterRef("pk")).order_by()
            .values("adopted_from").annotate(n=Count("pk")).values("n")[:1],
            output_field=number), 0),
        # The project starts with its first change into a project phase (the approval, or
        # the first registered phase of a project that did not come from an idea).
        started_on=Subquery(_first_change(to_phase__in=ORDERED_PHASES[1:])
                            .order_by("effective_date", "id").values("effective_date")[:1]),
        phase_since=Subquery(_first_change(valid_until__isnull=True)
                             .order_by("-effective_date", "-id").values("effective_date")[:1]),
        stop_reason=Subquery(stop.values("stop_reason")[:1]),
        lesson_learned=Subquery(stop.values("lesson_learned")[:1]),
        next_milestone_on=Subquery(milestone.values("due_on")[:1]),
        next_milestone=Subquery(milestone.values("title")[:1]),
    )


def personal_data(user: User) -> list:
    """The user's own rows in the projects app, for "Mine data" (overview.personal_data)."""
    from django.utils.translation import gettext as _
    from django.utils.translation import gettext_lazy

    from projects.models import ProjectChecklistTick, ProjectEvent, ProjectMember, ProjectVisit

    project = col("project", _("Prosjekt"), "project.title")
    team = (ProjectMember.objects.filter(email__iexact=user.email).select_related("project")
            if user.email else ProjectMember.objects.none())
    return [
        section("projects_led", gettext_lazy("Prosjekter du leder"),
                Project.objects.filter(leader=user).select_related("organisation", "initiative"),
                [col("title", _("Tittel")),
                 col("organisation", _("Organisasjon"), "organisation.name"),
                 col("phase", _("Fase"), lambda p: choice_label(Phase, p.phase))],
                covers=("projects.Project.leader",)),
        section("project_teams", gettext_lazy("Prosjektteam der e-postadressen din står"), team, [
            project, col("name", _("Navn")), col("role", _("Rolle")), col("email", _("E-post")),
        ]),
        section("gate_decisions", gettext_lazy("Fasebeslutninger du har tatt"),
                PhaseChange.objects.filter(decided_by=user).select_related("initiative"), [
                    col("initiative", _("Initiativ"), "initiative.title"),
                    col("from_phase", _("Fra"), lambda c: choice_label(Phase, c.from_phase)),
                    col("to_phase", _("Til"), lambda c: choice_label(Phase, c.to_phase)),
                    col("effective_date", _("Gjelder fra")),
                    col("rationale", _("Begrunnelse")),
                    col("lesson_learned", _("Læringspunkter")),
                ], covers=("initiatives.PhaseChange.decided_by",)),
        section("checklist_ticks", gettext_lazy("Sjekkpunkter du har krysset av"),
                ProjectChecklistTick.objects.filter(ticked_by=user)
                .select_related("project", "item"), [
                    project, col("item", _("Sjekkpunkt"), "item.text"),
                    col("ticked_at", _("Tidspunkt")),
                ], covers=("projects.ProjectChecklistTick.ticked_by",)),
        section("project_visits", gettext_lazy("Prosjektsider du har besøkt"),
                ProjectVisit.objects.filter(user=user).select_related("project"),
                [project, col("seen_at", _("Sist besøkt"))],
                covers=("projects.ProjectVisit.user",)),
        section("project_events", gettext_lazy("Dine handlinger i prosjektloggen"),
                ProjectEvent.objects.filter(actor=user).select_related("project"), [
                    project,
                    col("kind", _("Hendelse"),
                        lambda e: choice_label(ProjectEventKind, e.kind)),
                    col("created_at", _("Tidspunkt")),
                ], covers=("projects.ProjectEvent.actor",)),
    ]
