"""Reads: the notices a user may see, the header count, and each notice as text."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from gevinst.access import benefit_projects_visible_to
from ideas.access import ideas_visible_to
from ideas.models import IdeaStatus
from initiatives.models import Phase
from notifications.models import DEFAULT_FREQUENCY, Notification, NotificationPreference
from portal.dates import short_date
from portal.models import User
from portal.personal_data import choice_label, col, section
from projects.access import projects_visible_to


def notifications_visible_to(user: User) -> QuerySet[Notification]:
    """The user's notices about objects he may still see: a notice of an idea that has since
    become confidential (or of a project he has lost access to) is not shown, and its title
    is never rendered for him. Filtered in the database, so it is one query however many."""
    return Notification.objects.filter(user=user).filter(
        Q(idea_event__isnull=False, idea__in=ideas_visible_to(user).values("pk"))
        | Q(project_event__isnull=False, project__in=projects_visible_to(user).values("pk"))
        | Q(benefit_event__isnull=False,
            project__in=benefit_projects_visible_to(user).values("pk")))


def unread_count(user: User) -> int:
    """The header badge: one cheap query on the (user, read_at) index, on every page.

    It counts without the visibility filter of the centre (which costs a dozen subqueries):
    notices are only ever written for users who may see the object, so the count can only
    include a notice of an object the user has since lost access to, which he was told about
    while he could see it; it shows no title, and "mark all as read" clears it."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for_display(user: User) -> QuerySet[Notification]:
    return (notifications_visible_to(user)
            .select_related("idea", "project", "benefit", "idea_event", "project_event",
                            "benefit_event", "idea_event__actor", "project_event__actor",
                            "benefit_event__actor")
            .order_by("-created_at", "-id"))


def email_frequency(user: User) -> str:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference.email_frequency if preference else DEFAULT_FREQUENCY


# --- a notice as text ---------------------------------------------------------------------------

@dataclass(frozen=True)
class NoticeView:
    notice: Notification
    group: str  # "idea", "project" or "benefit"
    object_key: tuple  # notices about the same object share it (digest grouping)
    label: str  # "Idé", "Prosjekt", "Gevinst"
    title: str
    path: str
    text: str


def _idea_text(n: Notification) -> str:
    event = n.idea_event
    if n.kind == "status_changed":
        text = _("Status endret fra «%(old)s» til «%(new)s».") % {
            "old": event.old_status_label, "new": event.new_status_label}
        if (event.data.get("new") == IdeaStatus.REJECTED and n.idea.rejection_reason):
            text += " " + _("Begrunnelse: %(reason)s") % {"reason": n.idea.rejection_reason}
        return text
    if n.kind == "merged_in":
        return _("Idéen «%(title)s» er slått sammen med denne.") % {
            "title": event.data.get("merged_title", "")}
    if n.kind == "reviewer_assigned":
        return _("Du er satt til å vurdere idéen.")
    return event.kind_label


def _phase_label(value: str) -> str:
    return Phase(value).label if value in Phase.values else value


def _project_text(n: Notification) -> str:
    data = n.project_event.data
    if n.kind == "phase_changed":
        to_phase = data.get("to_phase", "")
        if to_phase == "stopped":
            return _("Prosjektet er stoppet.")
        if to_phase == "parked":
            return _("Prosjektet er parkert.")
        return _("Fase endret fra «%(old)s» til «%(new)s».") % {
            "old": _phase_label(data.get("from_phase", "")), "new": _phase_label(to_phase)}
    if n.kind == "adopted":
        return _("Adoptert av %(org)s.") % {"org": data.get("organisation", "")}
    if n.kind == "gate_ready":
        return _("Sjekklisten for fasen «%(phase)s» er komplett: prosjektet venter på en "
                 "fasebeslutning.") % {"phase": _phase_label(data.get("phase", ""))}
    return n.project_event.kind_label


def _due_label(value: str) -> str:
    """The due date kept in the event (ISO) as the reader's language writes it (31.01.2025)."""
    try:
        return short_date(datetime.date.fromisoformat(value))
    except (TypeError, ValueError):
        return value


def reminder_subject(n: Notification) -> str:
    """The subject of a mail that reports nothing but a measurement reminder."""
    return _("Måling av gevinst forfaller: %(title)s") % {
        "title": n.benefit.title if n.benefit else n.project.title}


def _benefit_text(n: Notification) -> str:
    data = n.benefit_event.data
    if n.kind == "reminder_created":
        return _("Du er gevinsteier for «%(title)s» i prosjektet «%(project)s». Etter "
                 "gevinstrealiseringsplanen skulle gevinsten måles %(due)s, og det er ikke "
                 "registrert noen måling siden.") % {
            "title": n.benefit.title if n.benefit else "", "project": n.project.title,
            "due": _due_label(data.get("due_on", ""))}
    if n.kind == "plan_approved":
        return _("Gevinstrealiseringsplanen er godkjent.")
    if n.kind == "plan_reapproval_required":
        return _("En fase er avsluttet: gevinstrealiseringsplanen må godkjennes på nytt.")
    return str(n.benefit_event.kind_label)


def describe(n: Notification) -> NoticeView:
    """Title, link and text of a notice, rendered now (in the active language) from the
    event and the object. Call it only on notices from notifications_visible_to()."""
    if n.idea_event_id:
        return NoticeView(n, "idea", ("idea", n.idea_id), _("Idé"), n.idea.title,
                          reverse("ideas:detail", args=[n.idea_id]), _idea_text(n))
    if n.project_event_id:
        return NoticeView(n, "project", ("project", n.project_id), _("Prosjekt"),
                          n.project.title, reverse("projects:detail", args=[n.project_id]),
                          _project_text(n))
    if n.benefit_id:
        return NoticeView(n, "benefit", ("benefit", n.benefit_id), _("Gevinst"),
                          f"{n.benefit.title} ({n.project.title})",
                          reverse("gevinst:benefit", args=[n.benefit_id]), _benefit_text(n))
    return NoticeView(n, "benefit", ("plan", n.project_id), _("Gevinstrealiseringsplan"),
                      n.project.title, reverse("gevinst:project", args=[n.project_id]),
                      _benefit_text(n))


def personal_data(user: User) -> list:
    """The user's e-mail choice and notices, for "Mine data" (overview.personal_data). Notices
    about objects the user may no longer see are listed without their title."""
    from django.utils.translation import gettext_lazy

    from notifications.models import EmailFrequency

    visible = set(notifications_visible_to(user).values_list("pk", flat=True))
    rows = [(n, describe(n) if n.pk in visible else None)
            for n in notifications_for_display_unfiltered(user)]
    frequency = email_frequency(user)
    return [
        section("notification_preference", gettext_lazy("Varslingsvalg"), [frequency], [
            col("email_frequency", _("E-post om varsler"),
                lambda f: choice_label(EmailFrequency, f)),
        ], covers=("notifications.NotificationPreference.user",)),
        section("notifications", gettext_lazy("Varsler til deg"),
                rows, [
                    col("about", _("Gjelder"), lambda p: p[1].label if p[1] else ""),
                    col("title", _("Tittel"), lambda p: p[1].title if p[1] else
                        _("(du har ikke lenger tilgang)")),
                    col("text", _("Varsel"), lambda p: p[1].text if p[1] else p[0].kind),
                    col("created_at", _("Tidspunkt"), lambda p: p[0].created_at),
                    col("read_at", _("Lest"), lambda p: p[0].read_at),
                    col("emailed_at", _("Sendt på e-post"), lambda p: p[0].emailed_at),
                ], covers=("notifications.Notification.user",)),
    ]


def notifications_for_display_unfiltered(user: User) -> QuerySet[Notification]:
    """All of the user's notices, visible or not (for the user's own data export)."""
    return (Notification.objects.filter(user=user)
            .select_related("idea", "project", "benefit", "idea_event", "project_event",
                            "benefit_event")
            .order_by("-created_at", "-id"))
