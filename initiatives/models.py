"""The spine shared by ideas, projects, benefits and the indicators.

An *initiative* is an idea together with the project it became, or a project that did not come
from an idea (docs/domain.md, indicator rule 1). Its phase history is the PhaseChange log: every
submission, approval, gate decision, park, resume, stop, rejection and merge is one row, written
by the owning app's service through initiatives.phase_log. Its benefit assessments are dated
rows written through initiatives.assessments. The indicators read this history as of a date,
never the current state, through the IndicatorTimeline derived from it; the dirty marks tell
the indicator engine which organisations and periods to recompute.

The tables keep the names they had when these models lived in `projects` and `gevinst`
(db_table below): the move changed which app owns them, not the data (see the migrations).
"""

import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.constraints import HumanConstraints
from portal.models import Organisation


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


# The six ordered phases (docs/domain.md table); their order defines "forward".
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


class StopReason(models.TextChoices):
    NO_EFFECT = "no_effect", _("Ingen effekt")
    TOO_COSTLY = "too_costly", _("For kostbart")
    TECHNOLOGY_IMMATURE = "technology_immature", _("Umoden teknologi")
    LACKING_ANCHORING = "lacking_anchoring", _("Manglende forankring")
    OTHER = "other", _("Annet")


def new_initiative_key() -> str:
    return f"ip-{uuid.uuid4().hex}"


class Initiative(HumanConstraints, models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="initiatives")
    # Stable key of the portfolio exchange format: the file's key for imported initiatives, a
    # random one for initiatives born here, so an export re-imports to the same rows. Unique
    # within the organisation only (issue 13): a key taken site-wide would let an import tell
    # that some other organisation uses it.
    key = models.CharField(max_length=200, default=new_initiative_key)
    title = models.CharField(_("tittel"), max_length=200)
    track = models.CharField(_("spor"), max_length=20, choices=Track.choices, default=Track.FULL)
    # Current phase, kept by the services that write PhaseChange rows; for lists and filters.
    # The indicators never read it: they read the log as of the period end.
    phase = models.CharField(_("fase"), max_length=30, choices=Phase.choices,
                             default=Phase.DRAFT)
    # The initiative of the project this one's project was adopted from (docs/domain.md
    # "Adoption"): the lineage, set once when the adopted project starts. The indicators need
    # it (rule 5: the origin's adoption points) without reading the projects above the spine.
    adopted_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="adoptions", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "initiative_key_unique_per_organisation":
            ("key", _("Nøkkelen er allerede brukt i organisasjonen.")),
    }

    class Meta:
        db_table = "projects_initiative"
        verbose_name = _("initiativ")
        verbose_name_plural = _("initiativ")
        indexes = [
            models.Index(fields=["organisation", "phase"]),
            # An organisation's initiatives with their titles, from the index alone on
            # PostgreSQL: the indicator page names every initiative behind its numbers.
            models.Index(fields=["organisation", "id"], include=["title"],
                         name="initiative_org_titles_idx"),
        ]
        # The importer's lookup (organisation, key) is this constraint's index.
        constraints = [models.UniqueConstraint(fields=["organisation", "key"],
                                               name="initiative_key_unique_per_organisation")]

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
    # The submission of an anonymous idea, decided by its submitter: `decided_by` is named
    # only to those who may see anonymous submitters (portal.access). Kept by the idea
    # services whenever the idea's anonymity changes, so every reader of the log (the project
    # timeline, the transitions API) hides the same person without reading the idea.
    anonymous_submission = models.BooleanField(default=False, editable=False)
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
        db_table = "projects_phasechange"
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
            # The dashboard's long pilots and parkings: an organisation's phases in force,
            # per phase by date, so each phase is one short range instead of a scan of every
            # change the organisation ever made.
            models.Index(fields=["organisation", "to_phase", "effective_date", "id"],
                         condition=models.Q(valid_until__isnull=True),
                         name="phasechange_current_idx"),
            # One organisation's forward moves inside a period, per initiative (its indicator
            # page's breakdown), read from the index alone on PostgreSQL.
            models.Index(fields=["organisation", "effective_date"], include=["initiative"],
                         condition=models.Q(is_forward=True),
                         name="phasechange_org_forward_idx"),
        ]

    def __str__(self) -> str:
        return (f"{self.initiative}: {self.from_phase or '–'} → {self.to_phase} "
                f"({self.effective_date})")


# --- Benefit assessments ----------------------------------------------------------------------

class Dimension(models.TextChoices):
    USER = "user", _("Brukernytte")
    ECONOMIC = "economic", _("Økonomisk nytte")
    ORGANISATIONAL = "organisational", _("Organisatorisk nytte")


class AssessmentKind(models.TextChoices):
    EXPECTED = "expected", _("Forventet")
    REALISED = "realised", _("Realisert")


class BenefitAssessment(HumanConstraints, models.Model):
    """A 0–3 score per dimension (nytteverdi), expected or realised, dated."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE,
                                   related_name="assessments")
    dimension = models.CharField(_("dimensjon"), max_length=20, choices=Dimension.choices)
    kind = models.CharField(_("type"), max_length=10, choices=AssessmentKind.choices)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(3)])
    assessed_on = models.DateField(_("dato"))
    # The date of the next assessment of the same initiative, dimension and kind (exclusive);
    # null while this one is the latest. Kept by initiatives.assessments, so "latest on E" is
    # a range filter rather than a sort of the whole table (see the indicator job).
    valid_until = models.DateField(null=True, blank=True, editable=False)
    # For expected assessments: the date of the first realised assessment of the same
    # initiative and dimension, from which this one no longer counts (rule 7). Kept by
    # initiatives.assessments, so the benefit rule is one filtered scan.
    realised_from = models.DateField(null=True, blank=True, editable=False)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+")
    motivation = models.TextField(_("begrunnelse"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "assessment_score_0_to_3": ("score", _("Nytten er fra 0 til 3.")),
    }

    class Meta:
        db_table = "gevinst_benefitassessment"
        ordering = ["assessed_on", "id"]
        verbose_name = _("nyttevurdering")
        verbose_name_plural = _("nyttevurderinger")
        constraints = [models.CheckConstraint(condition=models.Q(score__lte=3),
                                              name="assessment_score_0_to_3")]
        indexes = [models.Index(fields=["initiative", "dimension", "kind", "assessed_on", "id"])]


# --- What the indicator engine reads and is told ----------------------------------------------

# quarter 0 is the whole year
YEAR = 0


class IndicatorDirty(HumanConstraints, models.Model):
    """Outbox of organisations whose indicators must be recomputed, written in the same
    transaction as the change (initiatives.marks). The indicator engine's consumer drains it
    (debounced) after the commit, and beat runs that consumer every minute, so nothing is lost
    while Redis is down. Marks of a frozen period are cleared by the drain unused."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(default=YEAR)
    marked_at = models.DateTimeField()
    # A mark whose recompute failed keeps its error and waits until retry_at (a growing delay)
    # before the drain tries it again; it never holds back the other marks. Shown in the admin
    # and in /healthz/full. Cleared when a recompute of the mark succeeds.
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "indicator_dirty_unique": (None, _("Perioden er allerede merket for ny beregning.")),
    }

    class Meta:
        db_table = "gevinst_indicatordirty"
        verbose_name = _("indikatormarkering")
        verbose_name_plural = _("indikatormarkeringer")
        constraints = [models.UniqueConstraint(fields=["organisation", "year", "quarter"],
                                               name="indicator_dirty_unique")]


TIMELINE_SCORES = [f"{kind}_{dimension}" for kind in ("realised", "expected")
                   for dimension in ("user", "economic", "organisational")]
# The valid_until of a timeline row whose state still holds.
OPEN_END = datetime.date(9999, 12, 31)


class IndicatorTimeline(models.Model):
    """A derived index of the dated history, for the indicator job: per initiative, the
    intervals [valid_from, valid_until) over which its phase and its assessment scores stay the
    same. Each boundary is a phase change or an assessment date, so "the state on E" is the one
    row per initiative whose interval contains E, and rules 1–3, 5 and 7 are a single range
    scan instead of a join of the phase log with the assessments.

    Scheme-independent: per dimension it keeps the realised score in force and the expected
    score that counts (no realised one yet); weights and the expected discount are applied to
    the aggregates. Rebuilt from the logs by initiatives.timeline — never edited."""

    # A derived table rebuilt in bulk: no database foreign-key checks (they were most of the
    # cost of building it for the whole country); the ORM still cascades deletes.
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE,
                                   related_name="+", db_constraint=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+",
                                     db_constraint=False)
    # The organisation of the initiative this one was adopted from (rule 5).
    origin_organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True,
                                            related_name="+", db_constraint=False)
    valid_from = models.DateField()
    # Exclusive; OPEN_END for the state that still holds (not null, so "in force on E" is
    # one index range: valid_until > E AND valid_from <= E).
    valid_until = models.DateField()
    phase = models.CharField(max_length=30)
    realised_user = models.PositiveSmallIntegerField(default=0)
    realised_economic = models.PositiveSmallIntegerField(default=0)
    realised_organisational = models.PositiveSmallIntegerField(default=0)
    expected_user = models.PositiveSmallIntegerField(default=0)
    expected_economic = models.PositiveSmallIntegerField(default=0)
    expected_organisational = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "gevinst_indicatortimeline"
        indexes = [
            # The job, nationally: an index-only scan of the rows in force on E (PostgreSQL
            # covers the aggregated columns; elsewhere a plain range index).
            models.Index(fields=["valid_until", "valid_from"], name="timeline_in_force_idx",
                         include=["organisation", "phase", *TIMELINE_SCORES]),
            # Rule 5: the adopted initiatives in force on E, by origin.
            models.Index(fields=["valid_until", "valid_from"], name="timeline_adopted_idx",
                         include=["origin_organisation", "phase"],
                         condition=models.Q(origin_organisation__isnull=False)),
            # One organisation's rows in force on E, per initiative (its recompute and its
            # indicator page's breakdown): an index-only range on PostgreSQL, which covers the
            # grouped and summed columns (the heap rows of a large municipality are scattered
            # over thousands of pages).
            models.Index(fields=["organisation", "valid_until", "valid_from"],
                         name="timeline_org_in_force_idx",
                         include=["initiative", "phase", *TIMELINE_SCORES]),
        ]
