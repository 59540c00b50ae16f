"""Projects: an initiative's project (its phase history lives in the spine, initiatives.models),
its events, costs, gate checklists and content (team, participants, partners, funding, risks,
milestones, links)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative, Phase, Track
from portal.constraints import HumanConstraints
from portal.models import EventBase, Organisation, Unit
from portal.numbers import number_text


class Visibility(models.TextChoices):
    ORGANISATION = "organisation", _("Egen organisasjon")
    NETWORK = "network", _("Nettverk")
    PUBLIC = "public", _("Offentlig")


class WelfareArea(models.TextChoices):
    # Seed 001, figure 8.
    MEDICATION = "medication", _("Medisineringsstøtte")
    ALARM_LOCATION = "alarm_location", _("Varsling og lokalisering")
    DIGITAL_SUPERVISION = "digital_supervision", _("Digitalt tilsyn")
    MOBILE_SAFETY_ALARM = "mobile_safety_alarm", _("Mobil trygghetsalarm")
    DOOR_LOCKS = "door_locks", _("Elektroniske dørlåser")
    ROUTE_LOGISTICS = "route_logistics", _("Ruteplanlegging")
    OTHER = "other", _("Annet")



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
        indexes = [
            models.Index(fields=["organisation", "visibility"]),
            # The project list (projects.selectors.project_list) orders by these; the index
            # is walked until the page is full instead of sorting all the organisations'
            # projects (manager of the five largest municipalities: 137 -> 23 ms).
            models.Index(fields=["-updated_at", "-id"], name="project_list_order_idx"),
            # The project list of one organisation (projects.selectors.project_list): the
            # organisation's newest rows first, read off the index until the page is full
            # (Oslo's 2 052 projects were joined and sorted for every page).
            models.Index(fields=["organisation", "-updated_at", "-id"],
                         name="project_org_list_order_idx"),
            # The benefit overview's table (gevinst.portfolio_overview): one organisation's
            # projects by title, a page at a time.
            models.Index(fields=["organisation", "title", "id"], name="project_org_title_idx"),
            # The indicator page's breakdown (indicators.explain): which of one organisation's
            # initiatives have a project, from the index alone (PostgreSQL covers the id) instead
            # of one lookup per initiative (Oslo's 2 908).
            models.Index(fields=["organisation", "initiative"], include=["id"],
                         name="project_org_initiative_idx"),
            # The project list's leader filter (projects.filters._leaders): the leaders of
            # one organisation's projects, read from the index alone.
            models.Index(fields=["organisation", "leader"], name="project_org_leader_idx",
                         condition=models.Q(leader__isnull=False)),
            # The catalogue (projects.selectors.catalogue): only shared projects, newest
            # first; the partial index holds nothing else, so the page is read off its head.
            models.Index(fields=["-updated_at", "-id"], name="project_shared_order_idx",
                         condition=models.Q(visibility__in=["public", "network"])),
        ]

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

    @property
    def kind_label(self) -> str:
        from projects.events import ProjectEventKind

        label = (ProjectEventKind(self.kind).label if self.kind in ProjectEventKind.values
                 else self.kind)
        data = self.data if isinstance(self.data, dict) else {}
        if self.kind == "updated" and data.get("fields"):
            names = [str(Project._meta.get_field(f).verbose_name) for f in data["fields"]
                     if f in {f.name for f in Project._meta.fields}]
            return f"{label}: {', '.join(names)}"
        content = data.get("content")
        if content:
            from projects.services.content import CONTENT_KINDS

            if content in CONTENT_KINDS:
                return f"{label} ({CONTENT_KINDS[content].label})"
        return str(label)


class CostCategory(models.TextChoices):
    INVESTMENT = "investment", _("Investering")
    OPERATIONS = "operations", _("Drift")
    TRAINING = "training", _("Opplæring")
    PROCUREMENT = "procurement", _("Anskaffelse")
    PERSONNEL = "personnel", _("Personell")


class CostRecurrence(models.TextChoices):
    ONE_OFF = "one_off", _("Engangskostnad")
    ANNUAL = "annual", _("Årlig kostnad")


class ProjectCost(HumanConstraints, models.Model):
    """A cost line of a project (docs/domain.md "Projects and phases"). One-off costs fall in
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

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "project_cost_not_negative": ("amount_nok", _("Beløpet kan ikke være negativt.")),
    }

    class Meta:
        ordering = ["year", "id"]
        verbose_name = _("kostnad")
        verbose_name_plural = _("kostnader")
        constraints = [models.CheckConstraint(condition=models.Q(amount_nok__gte=0),
                                              name="project_cost_not_negative")]

    def __str__(self) -> str:
        return f"{self.description} ({self.year})"


# --- Gate checklists --------------------------------------------------------------------------

class GateChecklistItem(HumanConstraints, models.Model):
    """One exit criterion of a phase in an organisation's gate checklist (the template).

    Items are retired (is_active=False) rather than deleted, so ticks and the checklists
    frozen into past gate decisions keep their meaning."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="gate_checklist_items")
    phase = models.CharField(_("fase"), max_length=30, choices=Phase.choices)
    text = models.CharField(_("punkt"), max_length=300)
    position = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    is_active = models.BooleanField(_("i bruk"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "gate_checklist_item_active_once":
            ("text", _("Punktet finnes allerede i sjekklisten for denne fasen.")),
    }

    class Meta:
        ordering = ["phase", "position", "id"]
        verbose_name = _("sjekklistepunkt")
        verbose_name_plural = _("sjekklistepunkter")
        # The project page reads "active items of this organisation for this phase".
        indexes = [models.Index(fields=["organisation", "phase", "is_active"])]
        # No item twice in a phase's active list; also what makes seeding the defaults on
        # two first uses at once safe (bulk_create ignores the conflicting rows).
        constraints = [models.UniqueConstraint(
            fields=["organisation", "phase", "text"], condition=models.Q(is_active=True),
            name="gate_checklist_item_active_once")]

    def __str__(self) -> str:
        return self.text


class ProjectChecklistTick(HumanConstraints, models.Model):
    """An item of the organisation's checklist marked as done for one project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ticks")
    item = models.ForeignKey(GateChecklistItem, on_delete=models.CASCADE, related_name="ticks")
    ticked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    ticked_at = models.DateTimeField(auto_now_add=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "project_tick_once": (None, _("Punktet er allerede krysset av.")),
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "item"],
                                               name="project_tick_once")]


class ProjectVisit(HumanConstraints, models.Model):
    """When a user last opened a project page: "what changed since your last visit"."""

    # Written by reading a page: it leaves the data version (portal.data_version) alone, or
    # every project page read would make every cached page new; a cached project page
    # replays the write (projects.views).
    unversioned = True

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="visits")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="project_visits")
    seen_at = models.DateTimeField()

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "project_visit_once": (None, _("Besøket er allerede registrert.")),
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "project"],
                                               name="project_visit_once")]


# --- Project content --------------------------------------------------------------------------

class ProjectMember(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("navn"), max_length=200)
    role = models.CharField(_("rolle"), max_length=200)
    email = models.EmailField(_("e-post"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("teammedlem")
        verbose_name_plural = _("team")

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class ProjectParticipant(HumanConstraints, models.Model):
    """A participating organisation of a collaboration project (samarbeidsprosjekt)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participants")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organisasjon"))
    role = models.CharField(_("rolle"), max_length=200, blank=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "project_participant_once":
            ("organisation", _("Organisasjonen deltar allerede i prosjektet.")),
    }

    class Meta:
        ordering = ["id"]
        verbose_name = _("deltakende organisasjon")
        verbose_name_plural = _("deltakende organisasjoner")
        constraints = [models.UniqueConstraint(fields=["project", "organisation"],
                                               name="project_participant_once")]

    def __str__(self) -> str:
        return str(self.organisation)


class PartnerKind(models.TextChoices):
    COMPANY = "company", _("Næringsliv")
    RESEARCH = "research", _("Forskning")
    PUBLIC = "public", _("Offentlig virksomhet")
    OTHER = "other", _("Annet")


class AgreementType(models.TextChoices):
    INFORMAL = "informal", _("Uformell")
    CONTRACT = "contract", _("Kontrakt")
    INNOVATION_PARTNERSHIP = "innovation_partnership", _("Innovasjonspartnerskap")
    PROCUREMENT = "procurement", _("Anskaffelse")


class ProjectPartner(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("navn"), max_length=200)
    kind = models.CharField(_("type aktør"), max_length=20, choices=PartnerKind.choices,
                            default=PartnerKind.COMPANY)
    role = models.CharField(_("rolle"), max_length=200, blank=True)
    agreement_type = models.CharField(_("avtaletype"), max_length=30,
                                      choices=AgreementType.choices)
    ipr_notes = models.TextField(_("immaterielle rettigheter (IPR)"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("partner")
        verbose_name_plural = _("partnere")

    def __str__(self) -> str:
        return self.name


class FundingType(models.TextChoices):
    OWN_BUDGET = "own_budget", _("Eget budsjett")
    GRANT = "grant", _("Tilskudd")
    STRATEGIC = "strategic", _("Strategiske innovasjonsmidler")
    EXTERNAL = "external", _("Ekstern finansiering")


class ProjectFunding(HumanConstraints, models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funding")
    source = models.CharField(_("kilde"), max_length=200)
    scheme = models.CharField(_("ordning"), max_length=200, blank=True)
    amount_nok = models.DecimalField(_("beløp (kr)"), max_digits=14, decimal_places=2,
                                     validators=[MinValueValidator(Decimal("0"))])
    funding_type = models.CharField(_("type"), max_length=20, choices=FundingType.choices)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "project_funding_not_negative": ("amount_nok", _("Beløpet kan ikke være negativt.")),
    }

    class Meta:
        ordering = ["id"]
        verbose_name = _("finansiering")
        verbose_name_plural = _("finansiering")
        constraints = [models.CheckConstraint(condition=models.Q(amount_nok__gte=0),
                                              name="project_funding_not_negative")]

    def __str__(self) -> str:
        return f"{self.source} ({number_text(self.amount_nok)} kr)"


class RiskCategory(models.TextChoices):
    REGULATORY = "regulatory", _("Regelverk")
    KNOWLEDGE = "knowledge", _("Kunnskap")
    ATTITUDE = "attitude", _("Holdninger")
    TECHNICAL = "technical", _("Teknisk")
    ECONOMIC = "economic", _("Økonomisk")
    ORGANISATIONAL = "organisational", _("Organisatorisk")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Åpen")
    MITIGATED = "mitigated", _("Håndtert")
    CLOSED = "closed", _("Lukket")


SCALE_1_5 = [MinValueValidator(1), MaxValueValidator(5)]


class ProjectRisk(HumanConstraints, models.Model):
    """A risk or barrier; its score is probability × consequence (1–25)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(_("risiko eller barriere"), max_length=200)
    category = models.CharField(_("kategori"), max_length=20, choices=RiskCategory.choices)
    probability = models.PositiveSmallIntegerField(_("sannsynlighet (1–5)"),
                                                   validators=SCALE_1_5)
    consequence = models.PositiveSmallIntegerField(_("konsekvens (1–5)"), validators=SCALE_1_5)
    owner = models.CharField(_("eier"), max_length=200, blank=True)
    mitigation = models.TextField(_("tiltak"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RiskStatus.choices,
                              default=RiskStatus.OPEN)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "project_risk_probability_1_5": ("probability", _("Sannsynligheten er fra 1 til 5.")),
        "project_risk_consequence_1_5": ("consequence", _("Konsekvensen er fra 1 til 5.")),
    }

    class Meta:
        ordering = ["id"]
        verbose_name = _("risiko")
        verbose_name_plural = _("risikoer")
        constraints = [
            models.CheckConstraint(condition=models.Q(probability__gte=1, probability__lte=5),
                                   name="project_risk_probability_1_5"),
            models.CheckConstraint(condition=models.Q(consequence__gte=1, consequence__lte=5),
                                   name="project_risk_consequence_1_5"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return self.probability * self.consequence


class ProjectMilestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milepæl"), max_length=200)
    due_on = models.DateField(_("frist"))
    done_on = models.DateField(_("nådd"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("milepæl")
        verbose_name_plural = _("milepæler")

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today) -> bool:
        return self.done_on is None and self.due_on < today


class ProjectLink(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="links")
    title = models.CharField(_("tittel"), max_length=200)
    url = models.URLField(_("adresse (URL)"), max_length=500)

    class Meta:
        ordering = ["id"]
        verbose_name = _("lenke eller dokument")
        verbose_name_plural = _("lenker og dokumenter")

    def __str__(self) -> str:
        return self.title
