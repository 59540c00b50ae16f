"""Ideas (idéfangst). An idea is one half of an initiative (initiatives.Initiative): its phase
history lives in the shared phase-change log, its screening status here."""

import datetime
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative, Track
from portal.constraints import HumanConstraints
from portal.models import EventBase, Organisation, Unit
from projects.models import Visibility, WelfareArea


class IdeaStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SUBMITTED = "submitted", _("Sendt inn")
    IN_REVIEW = "in_review", _("Til vurdering")
    APPROVED = "approved", _("Godkjent")
    REJECTED = "rejected", _("Avvist")
    PARKED = "parked", _("Parkert")
    MERGED = "merged", _("Slått sammen")


class TargetGroup(models.TextChoices):
    HOME_DWELLING_ELDERLY = "home_dwelling_elderly", _("Hjemmeboende eldre")
    NURSING_HOME = "nursing_home", _("Sykehjem")
    MENTAL_HEALTH = "mental_health", _("Psykisk helse og rus")
    DISABILITIES = "disabilities", _("Personer med funksjonsnedsettelse")
    CHILDREN_YOUTH = "children_youth", _("Barn og unge")
    STAFF = "staff", _("Ansatte")
    OTHER = "other", _("Annet")


class InnovationType(models.TextChoices):
    PRODUCT = "product", _("Produkt")
    SERVICE = "service", _("Tjeneste")
    PROCESS = "process", _("Prosess")
    ORGANISATIONAL = "organisational", _("Organisatorisk")
    COMMUNICATION = "communication", _("Kommunikasjon")


class Origin(models.TextChoices):
    EMPLOYEE = "employee", _("Ansatt")
    USER = "user", _("Bruker eller pasient")
    RELATIVE = "relative", _("Pårørende")
    COMPANY = "company", _("Bedrift")
    OTHER_MUNICIPALITY = "other_municipality", _("Annen kommune")
    RESEARCH = "research", _("Forskning")


class Novelty(models.TextChoices):
    NEW = "new", _("Ny")
    ADAPTED = "adapted", _("Tilpasset")
    COPIED = "copied", _("Kopiert")


class Tag(models.Model):
    name = models.CharField(_("navn"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Campaign(HumanConstraints, models.Model):
    """An idea competition or challenge (idékonkurranse): a need with open and close dates."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="campaigns")
    title = models.CharField(_("tittel"), max_length=200)
    description = models.TextField(_("behovet kampanjen spør etter"))
    opens_on = models.DateField(_("åpner"))
    closes_on = models.DateField(_("stenger"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "campaign_closes_after_it_opens":
            ("closes_on", _("Kampanjen kan ikke stenge før den åpner.")),
    }

    class Meta:
        ordering = ["-opens_on"]
        constraints = [models.CheckConstraint(
            condition=models.Q(closes_on__gte=models.F("opens_on")),
            name="campaign_closes_after_it_opens")]

    def __str__(self) -> str:
        return self.title

    def is_open_on(self, day: datetime.date) -> bool:
        return self.opens_on <= day <= self.closes_on


SCORE_0_3 = [MaxValueValidator(3)]


class Idea(HumanConstraints, models.Model):
    initiative = models.OneToOneField(Initiative, on_delete=models.PROTECT, related_name="idea")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="ideas")
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="ideas", verbose_name=_("enhet"))
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="ideas")
    title = models.CharField(_("tittel"), max_length=200)
    need = models.TextField(_("behov"))
    solution = models.TextField(_("forslag til løsning"), blank=True)
    target_group = models.CharField(_("målgruppe"), max_length=30, choices=TargetGroup.choices,
                                    blank=True)
    innovation_type = models.CharField(_("innovasjonstype"), max_length=20,
                                       choices=InnovationType.choices, blank=True)
    welfare_area = models.CharField(_("velferdsteknologisk område"), max_length=30,
                                    choices=WelfareArea.choices, blank=True)
    origin = models.CharField(_("opphav"), max_length=30, choices=Origin.choices, blank=True)
    novelty = models.CharField(_("nyhetsgrad"), max_length=10, choices=Novelty.choices,
                               blank=True)
    track = models.CharField(_("spor"), max_length=20, choices=Track.choices, default=Track.FULL)
    visibility = models.CharField(_("synlighet"), max_length=20, choices=Visibility.choices,
                                  default=Visibility.ORGANISATION)
    is_anonymous = models.BooleanField(_("anonym"), default=False)
    is_confidential = models.BooleanField(_("konfidensiell"), default=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="ideas", verbose_name=_("kampanje"))
    tags = models.ManyToManyField(Tag, blank=True, related_name="ideas")
    status = models.CharField(_("status"), max_length=20, choices=IdeaStatus.choices,
                              default=IdeaStatus.DRAFT)
    rejection_reason = models.TextField(_("begrunnelse for avslag"), blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="merged_ideas")
    expected_user = models.PositiveSmallIntegerField(null=True, blank=True,
                                                     validators=SCORE_0_3)
    expected_economic = models.PositiveSmallIntegerField(null=True, blank=True,
                                                         validators=SCORE_0_3)
    expected_organisational = models.PositiveSmallIntegerField(null=True, blank=True,
                                                               validators=SCORE_0_3)
    expected_motivation = models.TextField(_("begrunnelse for forventet nytte"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "idea_confidential_stays_in_organisation":
            ("visibility", _("En konfidensiell idé kan bare vises i egen organisasjon.")),
    }

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("idé")
        verbose_name_plural = _("idéer")
        indexes = [
            models.Index(fields=["organisation", "status"]),
            # The idea list (ideas.selectors.idea_list) orders by these: walking the index and
            # stopping at the page's last row, instead of joining and sorting every visible
            # idea of the country (national data: 686 -> 14 ms for the list query).
            models.Index(fields=["-updated_at", "-id"], name="idea_list_order_idx"),
            # The same order within one organisation, the list's default scope «own»
            # (ideas.filters.IdeaFilter.in_scope), carrying the columns of the visibility
            # rule (ideas.access): the page's keys and its capped count are read from the
            # index alone (Oslo, national data: 13 -> 0.4 ms and 4 -> 0.4 ms).
            models.Index(fields=["organisation", "-updated_at", "-id"],
                         include=["status", "submitter", "is_confidential", "visibility"],
                         name="idea_org_list_order_idx"),
            # Every column of the visibility rule (ideas.access.visible_ideas) and nothing
            # else: counting all the ideas a user may see (the API list's `count`) reads this
            # small index instead of the table (national data: 58 -> 23 ms).
            models.Index(fields=["visibility", "status", "is_confidential", "organisation",
                                 "submitter"], name="idea_visibility_idx"),
        ]
        constraints = [
            # Confidential ideas never leave the organisation (docs/domain.md).
            models.CheckConstraint(
                condition=~models.Q(is_confidential=True) | models.Q(visibility="organisation"),
                name="idea_confidential_stays_in_organisation"),
        ]

    def __str__(self) -> str:
        return self.title


class IdeaEvent(EventBase):
    """The idea's audit trail, written by ideas.services in the same transaction."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="events")

    class Meta(EventBase.Meta):
        verbose_name = _("idéhendelse")
        verbose_name_plural = _("idéhendelser")
        indexes = [models.Index(fields=["idea", "-created_at"])]

    def _status_label(self, key: str) -> str:
        value = self.data.get(key, "")
        return IdeaStatus(value).label if value in IdeaStatus.values else value

    @property
    def old_status_label(self) -> str:
        return self._status_label("old")

    @property
    def new_status_label(self) -> str:
        return self._status_label("new")

    @property
    def kind_label(self) -> str:
        from ideas.events import IdeaEventKind

        return IdeaEventKind(self.kind).label if self.kind in IdeaEventKind.values else self.kind


class Support(HumanConstraints, models.Model):
    """One per user and idea (the constraint, not a check, enforces it)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="idea_supports")
    created_at = models.DateTimeField(auto_now_add=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "support_one_per_user": (None, _("Du støtter allerede idéen.")),
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "user"],
                                               name="support_one_per_user")]


class Follow(HumanConstraints, models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="idea_follows")
    created_at = models.DateTimeField(auto_now_add=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "follow_one_per_user": (None, _("Du følger allerede idéen.")),
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "user"],
                                               name="follow_one_per_user")]


class Comment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="idea_comments")
    body = models.TextField(_("kommentar"))
    # Set when a merge moved the comment here from the merged idea: its history stays visible.
    moved_from = models.ForeignKey(Idea, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Soft delete: the row stays for the history, the text is hidden.
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["idea", "created_at"])]


ALLOWED_ATTACHMENT_EXTENSIONS = (".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".docx",
                                 ".xlsx", ".pptx", ".odt", ".ods", ".txt")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def attachment_path(instance: "Attachment", filename: str) -> str:
    """A random stored name: the uploader's file name never reaches the file system."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in ALLOWED_ATTACHMENT_EXTENSIONS:
        suffix = ".bin"
    return f"ideas/attachments/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("filnavn"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class EvaluationCriterion(HumanConstraints, models.Model):
    """What reviewers score ideas on, per organisation (defaults created on first use)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="evaluation_criteria")
    name = models.CharField(_("navn"), max_length=100)
    description = models.TextField(_("beskrivelse"), blank=True)
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=5)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "criterion_unique_name_per_organisation":
            ("name", _("Det finnes allerede et kriterium med dette navnet.")),
        "criterion_scale_not_empty": ("scale_max", _("Høyeste verdi må være større enn laveste.")),
    }

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"],
                                    name="criterion_unique_name_per_organisation"),
            models.CheckConstraint(condition=models.Q(scale_max__gt=models.F("scale_min")),
                                   name="criterion_scale_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class ReviewerAssignment(HumanConstraints, models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="idea_assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "assignment_one_per_reviewer": ("reviewer", _("Personen vurderer allerede idéen.")),
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "reviewer"],
                                               name="assignment_one_per_reviewer")]
        # The reviewer's queue: "assigned to me".
        indexes = [models.Index(fields=["reviewer", "idea"])]


class Score(HumanConstraints, models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(EvaluationCriterion, on_delete=models.PROTECT,
                                  related_name="scores")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="idea_scores")
    value = models.PositiveSmallIntegerField(_("poeng"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "score_one_per_reviewer_and_criterion":
            (None, _("Du har allerede gitt poeng på dette kriteriet.")),
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "criterion", "reviewer"],
                                               name="score_one_per_reviewer_and_criterion")]
