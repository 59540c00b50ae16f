"""Reads for ideas, always scoped to what the user may see (ideas.access)."""

from __future__ import annotations

import operator
import re
import statistics
from dataclasses import dataclass
from functools import reduce

from django.db import connection
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from ideas.access import SCORABLE, ideas_visible_to
from ideas.models import (
    Comment,
    EvaluationCriterion,
    Idea,
    IdeaStatus,
    ReviewerAssignment,
    Score,
    Support,
)
from portal.access import organisations_where
from portal.models import User
from portal.personal_data import choice_label, col, section, yes_no
from portal.roles import Capability
from portal.text_search import rank_similar, shown
from projects.access import projects_visible_to
from projects.models import Project


def _count(model, **filters):
    rows = (model.objects.filter(idea=OuterRef("pk"), **filters).order_by()
            .values("idea").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def with_list_data(ideas: QuerySet[Idea]) -> QuerySet[Idea]:
    """What a list row shows, in a constant number of queries."""
    return (ideas.select_related("organisation", "unit", "campaign")
            .prefetch_related("tags")
            .annotate(support_count=_count(Support),
                      comment_count=_count(Comment, deleted_at__isnull=True)))


def idea_list(*, user: User) -> QuerySet[Idea]:
    return with_list_data(ideas_visible_to(user)).order_by("-updated_at", "-id")


def screening_queue(*, user: User) -> QuerySet[Idea]:
    """Ideas waiting for the coordinator: submitted or in review, in organisations where the
    user screens."""
    orgs = organisations_where(user, Capability.SCREEN_IDEAS)
    return idea_list(user=user).filter(organisation__in=orgs, status__in=SCORABLE)


def merged_from(*, user: User, idea: Idea) -> QuerySet[Idea]:
    """The ideas merged into `idea` that the user may see (ideas.access: the merge rule lets
    a source be wider than its survivor, never narrower, but drafts and other organisations'
    confidential ideas are filtered by the same rule as everywhere)."""
    return (ideas_visible_to(user).filter(merged_into=idea).select_related("organisation")
            .order_by("title", "id"))


def survivors_shown(merged_into_ids, *, user: User) -> set[int]:
    """Of the ideas that ideas were merged into (`merged_into_ids`), those the user may read.
    The merge rule lets a survivor be narrower than what was merged into it (a shared idea
    merged into a confidential one), so the survivor — its title on the idea page, its id in
    the API's `merged_into` — is named only to its own readers. The one rule for both
    (issue 13); one query, none when nothing was merged."""
    wanted = {pk for pk in merged_into_ids if pk is not None}
    if not wanted:
        return set()
    return set(ideas_visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True))


def mark_survivors_shown(ideas, *, user: User) -> None:
    """Sets `survivor_shown` on ideas already read (a page of a list): one query for all.
    Read per page rather than annotated on the list, whose EXISTS PostgreSQL planned as a
    hash of every idea the user may see (~50 ms at national scale for a page of 50)."""
    shown = survivors_shown((idea.merged_into_id for idea in ideas), user=user)
    for idea in ideas:
        idea.survivor_shown = idea.merged_into_id in shown


def survivor_shown(*, user: User, idea: Idea) -> bool:
    """Whether the user may read the idea `idea` was merged into (survivors_shown)."""
    return idea.merged_into_id in survivors_shown([idea.merged_into_id], user=user)


def project_origin_reads(project, user) -> dict:
    """What `project_origin_panel` reads (one query), for the project page to evaluate with
    its other reads (projects.extensions.ProjectPanel.reads): the newest idea of the project's
    initiative that the reader may see (ideas.access), as `.first()` would pick it."""
    ideas = ideas_visible_to(user).filter(initiative_id=project.initiative_id)
    return {"idea": (ideas if ideas.ordered else ideas.order_by("pk")).only("pk", "title")[:1]}


def project_origin_panel(project, user, *, loaded=None) -> dict:
    """The project page's link to the idea the project came from: only an idea the reader
    may see, so a confidential idea's title never shows. `loaded` may hold the page's
    evaluated project_origin_reads."""
    reads = (loaded or {}).get("idea")
    if reads is None:
        reads = project_origin_reads(project, user)["idea"]
    return {"idea": next(iter(reads), None)}


def assigned_to(*, user: User) -> QuerySet[Idea]:
    return idea_list(user=user).filter(
        status__in=SCORABLE,
        pk__in=ReviewerAssignment.objects.filter(reviewer=user).values("idea_id"))


def not_scored_by(*, user: User) -> QuerySet[Idea]:
    """Assigned to the user and not yet scored by them on any criterion."""
    return assigned_to(user=user).exclude(
        pk__in=Score.objects.filter(reviewer=user).values("idea_id"))


# --- similar ideas and projects ------------------------------------------------------------

# Words too common in this domain (or in Norwegian) to say two texts are about the same thing;
# PostgreSQL's 'norwegian' configuration has its own stop list.
STOP_WORDS = frozenset(
    "og i på til for med som det er en et av at har ikke kan vi de den om fra ved skal blir "
    "eller men så også mer når hvor hva må være mange får bruk bruke brukere".split())


def _words(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for word in re.findall(r"\w{3,}", text.lower()):
        if word not in STOP_WORDS and not word.isdigit():
            seen.setdefault(word)
    return list(seen)[:12]


def _rank_overlap(queryset: QuerySet, words: list[str], fields: tuple[str, str],
                  limit: int) -> list:
    """SQLite: candidates sharing a word, ranked by how many words they share (title words
    count double)."""
    match = reduce(operator.or_, (Q(**{f"{fields[0]}__icontains": w})
                                  | Q(**{f"{fields[1]}__icontains": w}) for w in words))
    needed = min(2, len(words))
    ranked = []
    for row in queryset.filter(match).order_by("-id")[:200]:
        title, body = getattr(row, fields[0]).lower(), getattr(row, fields[1]).lower()
        score = sum(2 if w in title else 1 for w in words if w in title or w in body)
        if sum(1 for w in words if w in title or w in body) >= needed:
            ranked.append((score, row.pk, row))
    ranked.sort(key=lambda r: (-r[0], -r[1]))
    return [row for _score, _pk, row in ranked[:limit]]


# What the suggestion shows of a row (ideas/_similar.html): read with it, and nothing more.
IDEA_SHOWN = ("title", "status", "organisation__name")
PROJECT_SHOWN = ("title", "organisation__name", "initiative__phase")


def _similar(scopes: list[tuple[QuerySet, tuple[str, ...]]], text: str, title: str | None,
             limit: int) -> list[list]:
    """For each (scope, fields shown), the scope's best `limit` rows for the typed text."""
    words = _words(text)
    if not words:
        return [[] for _scope in scopes]
    if connection.vendor == "postgresql":
        # Full-text and trigram indexes, one round trip (portal.text_search).
        return rank_similar(scopes, words, text[:200] if title is None else title, limit)
    return [_rank_overlap(shown(scope, (*fields, "need")), words, ("title", "need"), limit)
            for scope, fields in scopes]


def _idea_scope(user: User, exclude: int | None) -> QuerySet[Idea]:
    """Ideas of the user's organisations and those shared with them (ideas.access: never a
    confidential idea of another organisation), drafts left out. Callers show no submitter."""
    ideas = ideas_visible_to(user).exclude(status=IdeaStatus.DRAFT)
    return ideas.exclude(pk=exclude) if exclude else ideas


def similar_ideas(*, user: User, text: str, title: str | None = None,
                  exclude: int | None = None, limit: int = 5) -> list[Idea]:
    """Ideas like the typed one (`_idea_scope`). `text` is what was typed (title and need);
    `title` the typed title alone, when known."""
    return _similar([(_idea_scope(user, exclude), IDEA_SHOWN)], text, title, limit)[0]


def similar_projects(*, user: User, text: str, title: str | None = None,
                     limit: int = 5) -> list[Project]:
    return _similar([(projects_visible_to(user), PROJECT_SHOWN)], text, title, limit)[0]


def similar_to(*, user: User, text: str, title: str | None = None,
               exclude: int | None = None, limit: int = 5) -> tuple[list[Idea], list[Project]]:
    """similar_ideas and similar_projects at once (a page showing both): on PostgreSQL in one
    round trip."""
    ideas, projects = _similar([(_idea_scope(user, exclude), IDEA_SHOWN),
                                (projects_visible_to(user), PROJECT_SHOWN)], text, title, limit)
    return ideas, projects


# --- evaluation ----------------------------------------------------------------------------

@dataclass
class CriterionSummary:
    criterion: EvaluationCriterion
    count: int
    average: float | None
    minimum: int | None
    maximum: int | None
    stdev: float | None  # population standard deviation of the reviewers' scores


def criteria_of(organisation_id: int) -> list[EvaluationCriterion]:
    """The organisation's active criteria, read only: the defaults were seeded on a write (the
    organisation's creation or first member, ideas.apps; the write services as a fallback)."""
    return list(EvaluationCriterion.objects.filter(organisation_id=organisation_id,
                                                   is_active=True))


def score_summary(idea: Idea, criteria: list[EvaluationCriterion]) -> list[CriterionSummary]:
    values: dict[int, list[int]] = {c.pk: [] for c in criteria}
    for criterion_id, value in Score.objects.filter(idea=idea).values_list("criterion_id",
                                                                           "value"):
        values.setdefault(criterion_id, []).append(value)
    summary = []
    for criterion in criteria:
        v = values.get(criterion.pk, [])
        summary.append(CriterionSummary(
            criterion=criterion, count=len(v),
            average=round(statistics.fmean(v), 2) if v else None,
            minimum=min(v) if v else None, maximum=max(v) if v else None,
            stdev=round(statistics.pstdev(v), 2) if v else None))
    return summary


def scores_of(idea: Idea) -> QuerySet[Score]:
    return (Score.objects.filter(idea=idea).select_related("criterion", "reviewer")
            .order_by("reviewer__last_name", "reviewer_id", "criterion__position"))


def campaign_status_counts(*, user: User, campaign) -> dict[str, int]:
    rows = (ideas_visible_to(user).filter(campaign=campaign).order_by().values("status")
            .annotate(n=Count("pk")))
    counts = {status: 0 for status in IdeaStatus.values}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts




def personal_data(user: User) -> list:
    """The user's own rows in the ideas app, for "Mine data" (overview.personal_data). The
    user's anonymous ideas are listed too: the anonymity is towards others, not themselves."""
    from django.utils.translation import gettext as _
    from django.utils.translation import gettext_lazy

    from ideas.events import IdeaEventKind
    from ideas.models import Attachment, Campaign, Follow, IdeaEvent

    idea = col("idea", _("Idé"), "idea.title")
    return [
        section("ideas", gettext_lazy("Idéer du har sendt inn eller skrevet"),
                Idea.objects.filter(submitter=user).select_related("organisation"), [
                    col("title", _("Tittel")),
                    col("organisation", _("Organisasjon"), "organisation.name"),
                    col("status", _("Status"), "get_status_display"),
                    col("anonymous", _("Anonym"), lambda i: yes_no(i.is_anonymous)),
                    col("confidential", _("Konfidensiell"), lambda i: yes_no(i.is_confidential)),
                    col("created_at", _("Opprettet")), col("submitted_at", _("Sendt inn")),
                ], covers=("ideas.Idea.submitter",)),
        section("comments", gettext_lazy("Kommentarer"),
                Comment.objects.filter(author=user).select_related("idea"), [
                    idea, col("body", _("Tekst"), lambda c: "" if c.deleted_at else c.body),
                    col("created_at", _("Skrevet")), col("edited_at", _("Endret")),
                    col("deleted_at", _("Slettet")),
                ], covers=("ideas.Comment.author",)),
        section("comments_deleted", gettext_lazy("Kommentarer du har slettet"),
                Comment.objects.filter(deleted_by=user).select_related("idea"),
                [idea, col("deleted_at", _("Slettet"))], covers=("ideas.Comment.deleted_by",)),
        section("supports", gettext_lazy("Idéer du støtter"),
                Support.objects.filter(user=user).select_related("idea"),
                [idea, col("created_at", _("Fra"))], covers=("ideas.Support.user",)),
        section("follows", gettext_lazy("Idéer du følger"),
                Follow.objects.filter(user=user).select_related("idea"),
                [idea, col("created_at", _("Fra"))], covers=("ideas.Follow.user",)),
        section("scores", gettext_lazy("Poeng du har gitt"),
                Score.objects.filter(reviewer=user).select_related("idea", "criterion"), [
                    idea, col("criterion", _("Kriterium"), "criterion.name"),
                    col("value", _("Poeng")), col("updated_at", _("Sist endret")),
                ], covers=("ideas.Score.reviewer",)),
        section("review_assignments", gettext_lazy("Vurderingsoppdrag"),
                ReviewerAssignment.objects.filter(Q(reviewer=user) | Q(assigned_by=user))
                .select_related("idea"), [
                    idea, col("created_at", _("Tildelt")),
                    col("role", _("Din rolle"), lambda a: _("vurderer") if a.reviewer_id == user.pk
                        else _("tildelt av deg")),
                ], covers=("ideas.ReviewerAssignment.reviewer",
                           "ideas.ReviewerAssignment.assigned_by")),
        section("attachments", gettext_lazy("Vedlegg du har lastet opp"),
                Attachment.objects.filter(uploaded_by=user).select_related("idea"), [
                    idea, col("name", _("Filnavn"), "original_name"),
                    col("size", _("Størrelse (byte)")), col("created_at", _("Lastet opp")),
                ], covers=("ideas.Attachment.uploaded_by",)),
        section("campaigns", gettext_lazy("Kampanjer du har opprettet"),
                Campaign.objects.filter(created_by=user).select_related("organisation"), [
                    col("title", _("Tittel")),
                    col("organisation", _("Organisasjon"), "organisation.name"),
                    col("created_at", _("Opprettet")),
                ], covers=("ideas.Campaign.created_by",)),
        section("idea_events", gettext_lazy("Dine handlinger i idéloggen"),
                IdeaEvent.objects.filter(actor=user).select_related("idea"), [
                    idea, col("kind", _("Hendelse"), lambda e: choice_label(IdeaEventKind, e.kind)),
                    col("created_at", _("Tidspunkt")),
                ], covers=("ideas.IdeaEvent.actor",)),
    ]
