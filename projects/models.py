"""The spine shared by ideas, projects, benefits and the indicators.

An *initiative* is an idea together with the project it became, or a project that did not come
from an idea (DOMAIN.md, indicator rule 1). Its phase history is the PhaseChange log: every
submission, approval, gate decision, park, resume, stop, rejection and merge is one row, written
by the owning app's service. The indicators read this log as of a date, never the current state.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import EventBase, Organisation, Unit


class Phase(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    IDEA = "idea", _("Idé")
    CONCEPT = "concept", _("Konsept")
    PILOT = "pilot", _("Utprøving")
    IMPLEMENTATION = "implementation", _("Implementering")
    BENEFIT_REALISATION = "benefit_realisation", _("Gevinstrealisering")
    SPREAD = "spread", _("Spredning")
    PARKED = "parked", _("Parkert")
    STOPPED = "stopped", _("Stoppet")
    REJECTED = "rejected", _("Avvist")
    MERGED = "merged", _("Slått sammen")


# The six ordered phases (DOMAIN.md table); their order defines "forward".
ORDERED_PHASES: tuple[str, ...] = (
    Phase.IDEA, Phase.CONCEPT, Phase.PILOT, Phase.IMPLEMENTATION,
    Phase.BENEFIT_REALISATION, Phase.SPREAD,
)
PHASE_ORDER: dict[str, int] = {p: i for i, p in enumerate(ORDERED_PHASES)}
# The eight phases the indicators count (phase_counts).
COUNTED_PHASES: tuple[str, ...] = (*ORDERED_PHASES, Phase.PARKED, Phase.STOPPED)
# Phases after which nothing more happens.
TERMINAL_PHASES = frozenset({Phase.STOPPED, Phase.REJECTED, Phase.MERGED})


class Track(models.TextChoices):
    FULL = "full", _("Full")
    FAST_TRACK = "fast_track", _("Hurtigspor")
    COMMERCIAL = "commercial", _("Kommersielt potensial")


class Visibility(models.TextChoices):
    ORGANISATION = "organisation", _("Egen organisasjon")
    NETWORK = "network", _("Nettverk")
    PUBLIC = "public", _("Offentlig")


class StopReason(models.TextChoices):
    NO_EFFECT = "no_effect", _("Ingen effekt")
    TOO_COSTLY = "too_costly", _("For kostbart")
    TECHNOLOGY_IMMATURE = "technology_immature", _("Umoden teknologi")
    LACKING_ANCHORING = "lacking_anchoring", _("Manglende forankring")
    OTHER = "other", _("Annet")


class WelfareArea(models.TextChoices):
    # Seed 001, figure 8.
    MEDICATION = "medication", _("Medisineringsstøtte")
    ALARM_LOCATION = "alarm_location", _("Varsling og lokalisering")
    DIGITAL_SUPERVISION = "digital_supervision", _("Digitalt tilsyn")
    MOBILE_SAFETY_ALARM = "mobile_safety_alarm", _("Mobil trygghetsalarm")
    DOOR_LOCKS = "door_locks", _("Elektroniske dørlåser")
    ROUTE_LOGISTICS = "route_logistics", _("Ruteplanlegging")
    OTHER = "other", _("Annet")


def new_initiative_key() -> str:
    return f"ip-{uuid.uuid4().hex}"


class Initiative(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="initiatives")
    # Stable key of the portfolio exchange format: the file's key for imported initiatives, a
    # random one for initiatives born here, so an export re-imports to the same rows.
    key = models.CharField(max_length=200, unique=True, default=new_initiative_key)
    title = models.CharField(_("tittel"), max_length=200)
    track = models.CharField(_("spor"), max_length=20, choices=Track.choices, default=Track.FULL)
    # Current phase, kept by the services that write PhaseChange rows; for lists and filters.
    # The indicators never read it: they read the log as of the period end.
    phase = models.CharField(_("fase"), max_length=30, choices=Phase.choices,
                             default=Phase.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("initiativ")
        verbose_name_plural = _("initiativ")
        indexes = [models.Index(fields=["organisation", "phase"])]

    def __str__(self) -> str:
        return self.title


def _forward_moves() -> models.Q:
    condition = models.Q()
    for i, phase in enumerate(ORDERED_PHASES[:-1]):
        condition |= models.Q(from_phase=phase, to_phase__in=ORDERED_PHASES[i + 1:])
    return condition


class PhaseChange(models.Model):
    """One phase change of an initiative: a gate decision, or an idea's screening step.

    The phase on date D is the `to_phase` of the last row with effective_date <= D; on equal
    dates the later-recorded row (higher id) wins. Equivalently: the row with
    effective_date <= D and (valid_until is null or valid_until > D)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE,
                                   related_name="phase_changes")
    # Denormalised from the initiative so the indicator job aggregates per organisation
    # without a join.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    from_phase = models.CharField(max_length=30, choices=Phase.choices, blank=True)
    to_phase = models.CharField(max_length=30, choices=Phase.choices)
    effective_date = models.DateField(_("gjelder fra"))
    # The effective date of the next change (exclusive); null while this is the current phase.
    # Kept by phase_change_record(), so "phase on E" is the one row per initiative with
    # effective_date <= E < valid_until: an index range, not a sort of the whole log.
    valid_until = models.DateField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    rationale = models.TextField(_("begrunnelse"), blank=True)
    checklist = models.JSONField(_("sjekkliste slik den var"), default=list, blank=True)
    stop_reason = models.CharField(max_length=30, choices=StopReason.choices, blank=True)
    lesson_learned = models.TextField(_("læringspunkter"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Rule 4: a move between two of the six ordered phases to a later one. Derived from the
    # row's own phases, so the job counts a period's forward moves from a partial index.
    is_forward = models.GeneratedField(
        expression=models.Case(
            models.When(_forward_moves(), then=models.Value(True)),
            default=models.Value(False)),
        output_field=models.BooleanField(), db_persist=True)

    class Meta:
        ordering = ["effective_date", "id"]
        verbose_name = _("faseendring")
        verbose_name_plural = _("faseendringer")
        indexes = [
            # "Phase of each initiative on E": the last row per initiative up to E.
            models.Index(fields=["initiative", "effective_date", "id"]),
            # Forward transitions inside a period, per organisation.
            models.Index(fields=["organisation", "effective_date"]),
            # Phase of every initiative on E, nationally (the indicator job).
            models.Index(fields=["effective_date", "valid_until"]),
            # Forward moves inside a period (rule 4).
            models.Index(fields=["effective_date", "organisation"],
                         condition=models.Q(is_forward=True), name="phasechange_forward_idx"),
        ]

    def __str__(self) -> str:
        return (f"{self.initiative}: {self.from_phase or '–'} → {self.to_phase} "
                f"({self.effective_date})")


class Project(models.Model):
    initiative = models.OneToOneField(Initiative, on_delete=models.PROTECT,
                                      related_name="project")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="projects")
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="projects", verbose_name=_("enhet"))
    title = models.CharField(_("tittel"), max_length=200)
    need = models.TextField(_("behov"))
    description = models.TextField(_("beskrivelse"), blank=True)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="led_projects",
                               verbose_name=_("prosjektleder"))
    track = models.CharField(_("spor"), max_length=20, choices=Track.choices, default=Track.FULL)
    visibility = models.CharField(_("synlighet"), max_length=20, choices=Visibility.choices,
                                  default=Visibility.ORGANISATION)
    welfare_area = models.CharField(_("velferdsteknologisk område"), max_length=30,
                                    choices=WelfareArea.choices, blank=True)
    adopted_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="adoptions", verbose_name=_("adoptert fra"))
    # Optimistic concurrency: edits carry the version they were made on.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("prosjekt")
        verbose_name_plural = _("prosjekter")
        indexes = [models.Index(fields=["organisation", "visibility"])]

    def __str__(self) -> str:
        return self.title

    @property
    def phase(self) -> str:
        return self.initiative.phase


class ProjectEvent(EventBase):
    """The project's audit trail (besides its phase changes), written by projects.services."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")

    class Meta(EventBase.Meta):
        verbose_name = _("prosjekthendelse")
        verbose_name_plural = _("prosjekthendelser")
        indexes = [models.Index(fields=["project", "-created_at"])]


class CostCategory(models.TextChoices):
    INVESTMENT = "investment", _("Investering")
    OPERATIONS = "operations", _("Drift")
    TRAINING = "training", _("Opplæring")
    PROCUREMENT = "procurement", _("Anskaffelse")
    PERSONNEL = "personnel", _("Personell")


class CostRecurrence(models.TextChoices):
    ONE_OFF = "one_off", _("Engangskostnad")
    ANNUAL = "annual", _("Årlig kostnad")


class ProjectCost(models.Model):
    """A cost line of a project (DOMAIN.md "Projects and phases"). One-off costs fall in
    `year`; annual costs recur from `year` on. Benefits are weighed against them (gevinst)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="costs")
    category = models.CharField(_("kategori"), max_length=20, choices=CostCategory.choices)
    recurrence = models.CharField(_("type"), max_length=10, choices=CostRecurrence.choices)
    description = models.CharField(_("beskrivelse"), max_length=200)
    amount_nok = models.DecimalField(
        _("beløp (kr)"), max_digits=14, decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))])
    year = models.PositiveSmallIntegerField(
        _("år"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year", "id"]
        verbose_name = _("kostnad")
        verbose_name_plural = _("kostnader")
        constraints = [models.CheckConstraint(condition=models.Q(amount_nok__gte=0),
                                              name="project_cost_not_negative")]
