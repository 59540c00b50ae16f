"""Ideas (idéfangst). An idea is one half of an initiative (projects.Initiative): its phase
history lives in the shared phase-change log, its screening status here."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import EventBase, Organisation, Unit
from projects.models import Initiative, Track, Visibility, WelfareArea


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


class Campaign(models.Model):
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

    class Meta:
        ordering = ["-opens_on"]
        constraints = [models.CheckConstraint(
            condition=models.Q(closes_on__gte=models.F("opens_on")),
            name="campaign_closes_after_it_opens")]

    def __str__(self) -> str:
        return self.title


SCORE_0_3 = [MaxValueValidator(3)]


class Idea(models.Model):
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

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("idé")
        verbose_name_plural = _("idéer")
        indexes = [models.Index(fields=["organisation", "status"])]
        constraints = [
            # Confidential ideas never leave the organisation (DOMAIN.md).
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
