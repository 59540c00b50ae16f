"""Models of the national indicators: the versioned point scheme, periods (preliminary or
final), snapshots per organisation and period and recompute jobs. (What the engine reads — the
timeline — and the dirty marks that wake it live in the spine, initiatives.models.)

The tables keep the names they had when the engine lived in the gevinst app (db_table below):
the move changed which app owns them, not the data (see the migrations)."""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from initiatives.models import ORDERED_PHASES, YEAR
from portal.constraints import HumanConstraints
from portal.models import Organisation


class PointScheme(HumanConstraints, models.Model):
    """A version of the point scheme. Official values were never published, so the scheme is
    data an administrator can replace with a new version valid from a date."""

    name = models.CharField(_("navn"), max_length=50, default="standard")
    version = models.PositiveIntegerField(_("versjon"))
    valid_from = models.DateField(_("gjelder fra"))
    phase_points = models.JSONField(_("poeng per fase"))
    adoption_points = models.DecimalField(_("poeng per adopsjon"), max_digits=8,
                                          decimal_places=2)
    adoption_min_phase = models.CharField(
        _("adopsjon teller fra fase"), max_length=30,
        choices=[(p, p) for p in ORDERED_PHASES], default="implementation")
    benefit_weights = models.JSONField(_("nyttevekt per fase"))
    expected_discount = models.DecimalField(_("vekt for forventet nytte"), max_digits=4,
                                            decimal_places=3)
    description = models.TextField(_("beskrivelse"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "point_scheme_unique_version":
            ("name", _("Denne versjonen av poengmodellen finnes allerede.")),
    }

    class Meta:
        db_table = "gevinst_pointscheme"
        ordering = ["-valid_from", "-version"]
        verbose_name = _("poengmodell")
        verbose_name_plural = _("poengmodeller")
        constraints = [models.UniqueConstraint(fields=["name", "version"],
                                               name="point_scheme_unique_version")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.name}-{self.version}"

    def values(self):
        from indicators.compute import SchemeValues

        return SchemeValues(
            name=self.label,
            phase_points={k: float(v) for k, v in self.phase_points.items()},
            adoption_points=float(self.adoption_points),
            adoption_min_phase=self.adoption_min_phase,
            benefit_weights={k: float(v) for k, v in self.benefit_weights.items()},
            expected_discount=float(self.expected_discount),
        )


class PeriodStatus(models.TextChoices):
    PRELIMINARY = "preliminary", _("Foreløpig")
    FINAL = "final", _("Endelig")


def period_bounds(year: int, quarter: int = YEAR) -> tuple[datetime.date, datetime.date]:
    if quarter == YEAR:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    start = datetime.date(year, 3 * quarter - 2, 1)
    end_month = 3 * quarter
    next_month = datetime.date(year + (end_month == 12), end_month % 12 + 1, 1)
    return start, next_month - datetime.timedelta(days=1)


class IndicatorPeriod(HumanConstraints, models.Model):
    """One row per period; its lock serialises recomputes against freezing."""

    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(default=YEAR)
    status = models.CharField(max_length=12, choices=PeriodStatus.choices,
                              default=PeriodStatus.PRELIMINARY)
    frozen_at = models.DateTimeField(null=True, blank=True)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "indicator_period_unique": (None, _("Perioden finnes allerede.")),
        "indicator_period_quarter_0_to_4":
            ("quarter", _("Kvartalet er fra 1 til 4 (0 er hele året).")),
    }

    class Meta:
        db_table = "gevinst_indicatorperiod"
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="indicator_period_unique"),
            models.CheckConstraint(condition=models.Q(quarter__lte=4),
                                   name="indicator_period_quarter_0_to_4"),
        ]


class IndicatorSnapshot(HumanConstraints, models.Model):
    """The indicators of one organisation for one period, as the API serves them."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="indicator_snapshots")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(default=YEAR)
    period_start = models.DateField()
    period_end = models.DateField()
    scheme = models.ForeignKey(PointScheme, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=PeriodStatus.choices,
                              default=PeriodStatus.PRELIMINARY)
    computed_at = models.DateTimeField()
    count_idea = models.PositiveIntegerField(default=0)
    count_concept = models.PositiveIntegerField(default=0)
    count_pilot = models.PositiveIntegerField(default=0)
    count_implementation = models.PositiveIntegerField(default=0)
    count_benefit_realisation = models.PositiveIntegerField(default=0)
    count_spread = models.PositiveIntegerField(default=0)
    count_parked = models.PositiveIntegerField(default=0)
    count_stopped = models.PositiveIntegerField(default=0)
    stock_points = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    forward_transitions = models.PositiveIntegerField(default=0)
    adoption_points = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    points = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    benefit_user = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal(0))
    benefit_economic = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal(0))
    benefit_organisational = models.DecimalField(max_digits=14, decimal_places=4,
                                                 default=Decimal(0))
    benefit_points = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal(0))
    # Wide enough for any organisation's sum of valid benefits: one measurement's yearly value
    # is below portal.limits.MAX_NOK_PER_YEAR (< 1e23), so 38 integer digits hold the sum of
    # more benefits than can exist.
    realised_nok_per_year = models.DecimalField(max_digits=40, decimal_places=2,
                                                default=Decimal(0))

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "indicator_snapshot_unique_period": (None, _("Tallene for perioden finnes allerede.")),
    }

    class Meta:
        db_table = "gevinst_indicatorsnapshot"
        ordering = ["organisation__org_number"]
        constraints = [models.UniqueConstraint(fields=["organisation", "year", "quarter"],
                                               name="indicator_snapshot_unique_period")]
        # The API lists one period for all organisations.
        indexes = [models.Index(fields=["year", "quarter", "organisation"])]


class JobState(models.TextChoices):
    QUEUED = "queued", _("I kø")
    RUNNING = "running", _("Kjører")
    SUCCEEDED = "succeeded", _("Ferdig")
    FAILED = "failed", _("Feilet")


class IndicatorJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(default=YEAR)
    # Null: every organisation (the national job).
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="+")
    state = models.CharField(max_length=12, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Touched at the claim and at every progress step: a running job whose heartbeat is older
    # than INDICATOR_JOB_STALE_SECONDS lost its worker (killed, out of memory) and is expired.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "gevinst_indicatorjob"
        ordering = ["-created_at"]
