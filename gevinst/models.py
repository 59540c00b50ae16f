"""Benefits (gevinster): assessments, benefits with baseline/target, measurements, plans.

These rows, with their dates, feed the benefit indicator (docs/domain.md rule 8); the benefit
assessments (rule 7) are dated history of the initiative and live in the spine
(initiatives.models.BenefitAssessment)."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from initiatives.models import Dimension
from portal.constraints import HumanConstraints
from portal.models import EventBase, Organisation
from projects.models import Project


class BenefitType(models.TextChoices):
    TIME_SAVED = "time_saved", _("Spart tid")
    AVOIDED_COSTS = "avoided_costs", _("Unngåtte kostnader")
    QUALITY = "quality", _("Økt kvalitet")


class Direction(models.TextChoices):
    INCREASE = "increase", _("Økning er bra")
    DECREASE = "decrease", _("Nedgang er bra")


class Beneficiary(models.TextChoices):
    USERS = "users", _("Brukere")
    RELATIVES = "relatives", _("Pårørende")
    STAFF = "staff", _("Ansatte")
    ORGANISATION = "organisation", _("Organisasjonen")
    OTHER = "other", _("Andre aktører")


class BenefitStatus(models.TextChoices):
    PLANNED = "planned", _("Planlagt")
    IN_PROGRESS = "in_progress", _("Under realisering")
    REALISED = "realised", _("Realisert")
    NOT_REALISED = "not_realised", _("Ikke realisert")


def new_benefit_key() -> str:
    return f"ipb-{uuid.uuid4().hex}"


class Benefit(HumanConstraints, models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="benefits")
    # Stable key of the portfolio exchange format (random for benefits born here). Unique
    # within the project only, as the file nests benefits in their initiative (issue 13: a
    # site-wide key would tell an importer that another organisation uses it).
    key = models.CharField(max_length=200, default=new_benefit_key)
    title = models.CharField(_("tittel"), max_length=200)
    type = models.CharField(_("gevinsttype"), max_length=20, choices=BenefitType.choices)
    dimension = models.CharField(_("dimensjon"), max_length=20, choices=Dimension.choices)
    beneficiary = models.CharField(_("hvem får gevinsten"), max_length=20,
                                   choices=Beneficiary.choices, default=Beneficiary.ORGANISATION)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="owned_benefits",
                              verbose_name=_("gevinsteier"))
    unit = models.CharField(_("måleenhet"), max_length=50)
    direction = models.CharField(_("retning"), max_length=10, choices=Direction.choices)
    baseline_value = models.DecimalField(_("nullpunkt"), max_digits=14, decimal_places=2)
    baseline_on = models.DateField(_("nullpunkt målt"))
    baseline_method = models.TextField(_("målemetode"), blank=True)
    target_value = models.DecimalField(_("mål"), max_digits=14, decimal_places=2)
    target_on = models.DateField(_("måldato"))
    nok_per_unit = models.DecimalField(_("kroner per enhet"), max_digits=14, decimal_places=2,
                                       null=True, blank=True)
    periods_per_year = models.DecimalField(_("perioder per år"), max_digits=8, decimal_places=2,
                                           null=True, blank=True)
    assumptions = models.TextField(_("forutsetninger og usikkerhet"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=BenefitStatus.choices,
                              default=BenefitStatus.PLANNED)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "benefit_key_unique_per_project":
            ("key", _("Nøkkelen er allerede brukt i prosjektet.")),
    }

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("gevinst")
        verbose_name_plural = _("gevinster")
        # The importer's lookup (project, key) is this constraint's index.
        constraints = [models.UniqueConstraint(fields=["project", "key"],
                                               name="benefit_key_unique_per_project")]

    def __str__(self) -> str:
        return self.title


class Measurement(models.Model):
    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField(_("dato"))
    value = models.DecimalField(_("verdi"), max_digits=14, decimal_places=2)
    # The date of the benefit's next measurement (exclusive); null for the latest. Kept by
    # gevinst.history.
    valid_until = models.DateField(null=True, blank=True, editable=False)
    evidence = models.TextField(_("dokumentasjon"), blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Denormalised for the indicator job (rule 8), kept by gevinst.history.measurements_revalue
    # whenever a measurement is written or its benefit's valuation changes: the project's
    # organisation, and this value's realised change (improvement positive) × NOK per unit ×
    # periods per year — null when the benefit has no valuation. Exact: six decimals hold the
    # product of three two-decimal numbers. A copy, so no database foreign-key check.
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True,
                                     editable=False, related_name="+", db_constraint=False)
    nok_per_year = models.DecimalField(max_digits=30, decimal_places=6, null=True,
                                       editable=False)

    class Meta:
        ordering = ["measured_on", "id"]
        verbose_name = _("måling")
        verbose_name_plural = _("målinger")
        indexes = [
            models.Index(fields=["benefit", "measured_on", "id"]),
            # Rule 8: the valued measurements in force on E, as two index-only ranges
            # (valid_until null, or after E) on PostgreSQL.
            models.Index(fields=["valid_until", "measured_on"],
                         include=["organisation", "nok_per_year"],
                         condition=models.Q(nok_per_year__isnull=False),
                         name="measurement_valued_idx"),
            # The benefit overview's portfolio total (gevinst.portfolio_overview): the latest
            # valued measurement of every benefit of an organisation, read from the index.
            models.Index(fields=["organisation"], include=["nok_per_year"],
                         condition=models.Q(valid_until__isnull=True,
                                            nok_per_year__isnull=False),
                         name="measurement_latest_valued_idx"),
            # The latest measurement of a benefit (the dashboard's benefit summary joins it
            # per benefit): one index-only lookup instead of reading the benefit's history.
            models.Index(fields=["benefit"], include=["value", "nok_per_year"],
                         condition=models.Q(valid_until__isnull=True),
                         name="measurement_latest_idx"),
            # Rule 8 for one organisation (its indicator page, its recompute): both ranges
            # (valid_until null, or after E) read from the index alone on PostgreSQL.
            models.Index(fields=["organisation", "valid_until", "measured_on"],
                         include=["nok_per_year"],
                         condition=models.Q(nok_per_year__isnull=False),
                         name="measurement_org_valued_idx"),
        ]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    APPROVED = "approved", _("Godkjent")
    # Approved once, but a phase ended (or the plan changed) since: a manager must approve again.
    NEEDS_REAPPROVAL = "needs_reapproval", _("Må godkjennes på nytt")


class BenefitPlan(models.Model):
    """The benefit realisation plan (gevinstrealiseringsplan) of a project: draft → approved by
    a manager, re-approved at every phase end. Its schedule drives the measurement reminders."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="benefit_plan")
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus.choices,
                              default=PlanStatus.DRAFT)
    interval_months = models.PositiveSmallIntegerField(
        _("måleintervall (måneder)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(36)])
    first_due_on = models.DateField(_("første måling"), null=True, blank=True)
    notes = models.TextField(_("plan og ansvar"), blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("gevinstrealiseringsplan")
        verbose_name_plural = _("gevinstrealiseringsplaner")


class BenefitEvent(EventBase):
    """The audit trail of a project's benefits, plan and benefit map (gevinst.events)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="benefit_events")
    benefit = models.ForeignKey(Benefit, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="events")

    class Meta(EventBase.Meta):
        verbose_name = _("gevinsthendelse")
        verbose_name_plural = _("gevinsthendelser")
        # The plan's approval history and the project's benefit timeline.
        indexes = [models.Index(fields=["project", "kind", "-created_at"])]

    @property
    def kind_label(self) -> str:
        from gevinst.events import BenefitEventKind

        if self.kind in BenefitEventKind.values:
            return BenefitEventKind(self.kind).label
        return self.kind


class NodeKind(models.TextChoices):
    PRECONDITION = "precondition", _("Forutsetning")
    ACTION = "action", _("Tiltak")
    EFFECT = "effect", _("Effekt")
    BENEFIT = "benefit", _("Gevinst")
    GOAL = "goal", _("Mål")


class BenefitMapNode(models.Model):
    """A box in the benefit map (gevinstkart)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="map_nodes")
    kind = models.CharField(_("type"), max_length=20, choices=NodeKind.choices)
    label = models.CharField(_("tekst"), max_length=120)
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    benefit = models.ForeignKey(Benefit, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="map_nodes", verbose_name=_("knyttet til gevinst"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("element i gevinstkart")
        verbose_name_plural = _("elementer i gevinstkart")

    def __str__(self) -> str:
        return self.label


class BenefitMapEdge(HumanConstraints, models.Model):
    """An arrow in the benefit map: source leads to target (same project, checked by the
    service; no self-loops and no duplicates, checked by the database)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="map_edges")
    source = models.ForeignKey(BenefitMapNode, on_delete=models.CASCADE, related_name="out_edges")
    target = models.ForeignKey(BenefitMapNode, on_delete=models.CASCADE, related_name="in_edges")
    created_at = models.DateTimeField(auto_now_add=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "map_edge_unique": ("target", _("Denne pilen finnes allerede.")),
        "map_edge_no_self_loop": ("target", _("En pil kan ikke gå fra et element til seg selv.")),
    }

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="map_edge_unique"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")),
                                   name="map_edge_no_self_loop"),
        ]


class BenefitReminder(HumanConstraints, models.Model):
    """An in-app reminder to a benefit owner that a measurement is due. One per benefit and due
    date (the constraint makes the reminder task safe to run twice). Its event becomes a
    notice mailed by the notification centre (its claim sends it once); `emailed_at` records
    when that mail went out."""

    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="benefit_reminders")
    due_on = models.DateField(_("måling forfaller"))
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "benefit_reminder_once_per_due_date":
            (None, _("Påminnelsen for denne datoen er allerede sendt.")),
    }

    class Meta:
        ordering = ["-due_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["benefit", "due_on"],
                                               name="benefit_reminder_once_per_due_date")]
        # "Mine gevinstpåminnelser": a user's open reminders.
        indexes = [models.Index(fields=["user", "done_at"])]
