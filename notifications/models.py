"""In-app notices of events on ideas, projects and benefits, and each user's e-mail choice.

A notice points at the event it reports (one of three event tables) and at the object the
event is about. Its text and title are rendered when it is read, from the event and the
object as they are then, and only for objects the reader may still see (selectors.py): a
notice never keeps a copy of a title that has since become confidential."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.constraints import HumanConstraints


class EmailFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("Med en gang")
    DAILY = "daily", _("Daglig sammendrag")
    WEEKLY = "weekly", _("Ukentlig sammendrag")
    NEVER = "never", _("Aldri")


DEFAULT_FREQUENCY = EmailFrequency.DAILY


class NotificationPreference(models.Model):
    """A user's e-mail choice. No row means the default (a daily digest)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    email_frequency = models.CharField(_("e-post om varsler"), max_length=10,
                                       choices=EmailFrequency.choices,
                                       default=DEFAULT_FREQUENCY)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("varslingsvalg")
        verbose_name_plural = _("varslingsvalg")

    def __str__(self) -> str:
        return f"{self.user}: {self.email_frequency}"


class Notification(HumanConstraints, models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    # The event kind, or a kind of its own when the notice says more than the event
    # (GATE_READY: a ticked checklist item completed the gate's checklist).
    kind = models.CharField(max_length=40)
    # What the notice is about. Benefit notices carry their project too (a plan has no
    # benefit), so visibility is always decided by idea or project.
    idea = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="notifications")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="notifications")
    benefit = models.ForeignKey("gevinst.Benefit", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="notifications")
    # The event it reports: exactly one of the three.
    idea_event = models.ForeignKey("ideas.IdeaEvent", on_delete=models.CASCADE, null=True,
                                   blank=True, related_name="notifications")
    project_event = models.ForeignKey("projects.ProjectEvent", on_delete=models.CASCADE,
                                      null=True, blank=True, related_name="notifications")
    benefit_event = models.ForeignKey("gevinst.BenefitEvent", on_delete=models.CASCADE,
                                      null=True, blank=True, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # E-mail claim: set with a compare-and-swap (emailed_at IS NULL) by the sender before it
    # sends, together with the sender run's claim id; cleared again if the send fails.
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_claim = models.UUIDField(null=True, blank=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "notification_once_per_idea_event": (None, _("Varselet er allerede sendt.")),
        "notification_once_per_project_event": (None, _("Varselet er allerede sendt.")),
        "notification_once_per_benefit_event": (None, _("Varselet er allerede sendt.")),
        "notification_one_source_event": (None, _("Et varsel kommer fra nøyaktig én hendelse.")),
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A notice exists once per user and event, however often the writer runs.
            models.UniqueConstraint(fields=["user", "idea_event"],
                                    condition=Q(idea_event__isnull=False),
                                    name="notification_once_per_idea_event"),
            models.UniqueConstraint(fields=["user", "project_event"],
                                    condition=Q(project_event__isnull=False),
                                    name="notification_once_per_project_event"),
            models.UniqueConstraint(fields=["user", "benefit_event"],
                                    condition=Q(benefit_event__isnull=False),
                                    name="notification_once_per_benefit_event"),
            models.CheckConstraint(
                condition=(Q(idea_event__isnull=False, project_event__isnull=True,
                             benefit_event__isnull=True)
                           | Q(idea_event__isnull=True, project_event__isnull=False,
                               benefit_event__isnull=True)
                           | Q(idea_event__isnull=True, project_event__isnull=True,
                               benefit_event__isnull=False)),
                name="notification_one_source_event"),
        ]
        indexes = [
            # The header badge: a user's unread notices.
            models.Index(fields=["user", "read_at"], name="notification_user_read"),
            # The centre's page: a user's notices newest first, read in index order and
            # stopped at the page size (a heavy user's 10 000 notices: 234 -> 43 ms).
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_newest"),
            # The e-mail senders: notices not yet e-mailed, per user.
            models.Index(fields=["user", "created_at"], name="notification_unsent",
                         condition=Q(emailed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"

    @property
    def event(self):
        return self.idea_event or self.project_event or self.benefit_event
