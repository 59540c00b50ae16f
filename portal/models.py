import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.constraints import HumanConstraints
from portal.roles import Role
from portal.validators import (
    validate_county_number,
    validate_municipality_number,
    validate_org_number,
)


def language_choices() -> list[tuple[str, str]]:
    # A callable, so a language added to settings.LANGUAGES needs no migration.
    return settings.LANGUAGES


class User(AbstractUser):
    # National analysts (KS, the county governor, statistics) read all aggregated indicators.
    is_national_analyst = models.BooleanField(_("nasjonal analytiker"), default=False)
    # The language the person chose (the switch in the header); blank: none chosen, so
    # bokmål, or whatever the browser's language cookie says. Pages and e-mails follow it
    # (portal.languages).
    language = models.CharField(_("språk"), max_length=8, blank=True, choices=language_choices)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class County(models.TextChoices):
    # The counties from 1 January 2024.
    OSLO = "Oslo", "Oslo"
    OSTFOLD = "Østfold", "Østfold"
    AKERSHUS = "Akershus", "Akershus"
    BUSKERUD = "Buskerud", "Buskerud"
    INNLANDET = "Innlandet", "Innlandet"
    VESTFOLD = "Vestfold", "Vestfold"
    TELEMARK = "Telemark", "Telemark"
    AGDER = "Agder", "Agder"
    ROGALAND = "Rogaland", "Rogaland"
    VESTLAND = "Vestland", "Vestland"
    MORE_OG_ROMSDAL = "Møre og Romsdal", "Møre og Romsdal"
    TRONDELAG = "Trøndelag", "Trøndelag"
    NORDLAND = "Nordland", "Nordland"
    TROMS = "Troms", "Troms"
    FINNMARK = "Finnmark", "Finnmark"


# Statistics Norway's county numbers (fylkesnummer) of the counties above, from 2024: the stable
# code statistics consumers join on, beside the name.
COUNTY_NUMBERS = {
    County.OSLO: "03", County.ROGALAND: "11", County.MORE_OG_ROMSDAL: "15",
    County.NORDLAND: "18", County.OSTFOLD: "31", County.AKERSHUS: "32", County.BUSKERUD: "33",
    County.INNLANDET: "34", County.VESTFOLD: "39", County.TELEMARK: "40", County.AGDER: "42",
    County.VESTLAND: "46", County.TRONDELAG: "50", County.TROMS: "55", County.FINNMARK: "56",
}


def county_lookup(value: str) -> str | None:
    """The county a client names, by name in any case or by its number; None if no county."""
    wanted = value.strip().casefold()
    for county, number in COUNTY_NUMBERS.items():
        if wanted in (county.value.casefold(), number):
            return county.value
    return None


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Kommune")
    INTERMUNICIPAL = "intermunicipal", _("Interkommunalt samarbeid")
    COUNTY = "county", _("Fylkeskommune")
    HEALTH_TRUST = "health_trust", _("Helseforetak")
    OTHER = "other", _("Annet")


def official_number_errors(*, kind: str, county: str, municipality_number: str,
                           county_number: str) -> dict[str, str]:
    """The rules between the official numbers, the kind and the county
    (docs/domain.md "Organisations and people"): a kommunenummer belongs to a
    municipality and starts with its county's number, a fylkesnummer to a county
    organisation and is its county's. Field → message; shared by the model (admin, forms)
    and the exchange format's import."""
    errors = {}
    expected = COUNTY_NUMBERS.get(county, "")
    if municipality_number:
        if kind != OrganisationKind.MUNICIPALITY:
            errors["municipality_number"] = _("Bare en kommune har kommunenummer.")
        elif expected and not municipality_number.startswith(expected):
            errors["municipality_number"] = _(
                "Et kommunenummer i %(county)s begynner med %(number)s.") % {
                "county": county, "number": expected}
    if county_number:
        if kind != OrganisationKind.COUNTY:
            errors["county_number"] = _("Bare en fylkeskommune har fylkesnummer.")
        elif expected and county_number != expected:
            errors["county_number"] = _("Fylkesnummeret til %(county)s er %(number)s.") % {
                "county": county, "number": expected}
    return errors


class SizeClass(models.TextChoices):
    SMALL = "small", _("Liten (under 5 000)")
    MEDIUM = "medium", _("Mellomstor (5 000–19 999)")
    LARGE = "large", _("Stor (20 000 og over)")
    UNKNOWN = "unknown", _("Ukjent")


# Boundaries from the evaluation of the national welfare technology programme (seed 001).
SIZE_CLASS_MEDIUM_FROM = 5_000
SIZE_CLASS_LARGE_FROM = 20_000


def size_class_for(population: int | None) -> str:
    if population is None:
        return SizeClass.UNKNOWN
    if population < SIZE_CLASS_MEDIUM_FROM:
        return SizeClass.SMALL
    if population < SIZE_CLASS_LARGE_FROM:
        return SizeClass.MEDIUM
    return SizeClass.LARGE


def size_class_expression(population: str) -> Case:
    """size_class_for() in SQL, of the population in the field or annotation `population`."""
    return Case(
        When(**{f"{population}__isnull": True}, then=Value(SizeClass.UNKNOWN.value)),
        When(**{f"{population}__lt": SIZE_CLASS_MEDIUM_FROM}, then=Value(SizeClass.SMALL.value)),
        When(**{f"{population}__lt": SIZE_CLASS_LARGE_FROM}, then=Value(SizeClass.MEDIUM.value)),
        default=Value(SizeClass.LARGE.value),
    )


class Organisation(HumanConstraints, models.Model):
    name = models.CharField(_("navn"), max_length=200)
    org_number = models.CharField(
        _("organisasjonsnummer"), max_length=9, unique=True, validators=[validate_org_number]
    )
    kind = models.CharField(_("type"), max_length=20, choices=OrganisationKind.choices,
                            default=OrganisationKind.MUNICIPALITY)
    county = models.CharField(_("fylke"), max_length=40, choices=County.choices, blank=True)
    population = models.PositiveIntegerField(_("innbyggertall"), null=True, blank=True)
    # The keys national statistics join on (SSB): a municipality's kommunenummer, a county
    # organisation's fylkesnummer. Blank when not known or not that kind of organisation.
    municipality_number = models.CharField(_("kommunenummer"), max_length=4, blank=True,
                                           validators=[validate_municipality_number])
    county_number = models.CharField(_("fylkesnummer"), max_length=2, blank=True,
                                     validators=[validate_county_number])
    # Off: the organisation's people log in with its identity provider only (portal.sso); a
    # member of several organisations keeps the password while any of them allows it.
    password_login_allowed = models.BooleanField(_("tillat innlogging med passord"),
                                                 default=True)
    # Stored in the database so indicator filters and summaries can group by it in SQL;
    # the same boundaries as size_class_for().
    size_class = models.GeneratedField(
        expression=size_class_expression("population"),
        output_field=models.CharField(max_length=10, choices=SizeClass.choices),
        db_persist=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    constraint_messages = {
        "organisation_unique_municipality_number":
            ("municipality_number", _("En annen organisasjon har allerede dette kommunenummeret.")),
        "organisation_unique_county_number":
            ("county_number", _("En annen organisasjon har allerede dette fylkesnummeret.")),
    }

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisasjon")
        verbose_name_plural = _("organisasjoner")
        constraints = [
            # One organisation per official number; blank is "not known", for many.
            models.UniqueConstraint(fields=["municipality_number"],
                                    condition=~Q(municipality_number=""),
                                    name="organisation_unique_municipality_number"),
            models.UniqueConstraint(fields=["county_number"], condition=~Q(county_number=""),
                                    name="organisation_unique_county_number"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors = official_number_errors(kind=self.kind, county=self.county,
                                        municipality_number=self.municipality_number,
                                        county_number=self.county_number)
        if errors:
            raise ValidationError(errors)

    @property
    def county_code(self) -> str:
        """The number of the county the organisation lies in (its own for a county)."""
        return self.county_number or COUNTY_NUMBERS.get(self.county, "")

    @property
    def size_class_label(self) -> str:
        return SizeClass(self.size_class).label if self.size_class else ""

    def get_additional_data(self) -> dict:
        # django-auditlog stores this on the row's log entries: the organisation's audit page
        # (portal.audit) finds its rows by it, also after the row is deleted.
        return {"organisation": self.pk}

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # The admin, the forms and the shell: a change of county or population is dated.
        self.record_attributes()

    def record_attributes(self, on: datetime.date | None = None) -> "OrganisationAttributes | None":
        """Record the current county and population as in force from `on` (today): a new
        dated row unless the row in force on that day already says the same."""
        on = on or timezone.localdate()
        in_force = self.attribute_history.filter(valid_from__lte=on).order_by("-valid_from").first()
        if in_force and (in_force.county, in_force.population) == (self.county, self.population):
            return None
        row, _created = OrganisationAttributes.objects.update_or_create(
            organisation=self, valid_from=on,
            defaults={"county": self.county, "population": self.population})
        return row


class OrganisationAttributes(HumanConstraints, models.Model):
    """An organisation's county and population (and so size class) in force from `valid_from`
    until the next row's date: what the indicators of a past period are grouped and divided
    by (portal.attributes.attributes_on). The organisation's own fields are the current
    values."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="attribute_history",
                                     verbose_name=_("organisasjon"))
    valid_from = models.DateField(_("gjelder fra"))
    county = models.CharField(_("fylke"), max_length=40, choices=County.choices, blank=True)
    population = models.PositiveIntegerField(_("innbyggertall"), null=True, blank=True)

    constraint_messages = {
        "organisation_attributes_unique_date":
            ("valid_from", _("Organisasjonen har allerede verdier som gjelder fra denne datoen.")),
    }

    class Meta:
        ordering = ["organisation", "valid_from"]
        verbose_name = _("organisasjonsattributter")
        verbose_name_plural = _("organisasjonsattributter")
        constraints = [models.UniqueConstraint(fields=["organisation", "valid_from"],
                                               name="organisation_attributes_unique_date")]

    def __str__(self) -> str:
        return f"{self.organisation} {self.valid_from}"

    @property
    def size_class(self) -> str:
        return size_class_for(self.population)

    def get_additional_data(self) -> dict:
        # As the organisation's: its audit page (portal.audit) finds the row by it.
        return {"organisation": self.organisation_id}


class Unit(HumanConstraints, models.Model):
    """A service unit inside an organisation (Hjemmetjenesten, Sykehjem …), as a tree."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("overordnet enhet"))
    name = models.CharField(_("navn"), max_length=200)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "unit_unique_name_under_parent":
            ("name", _("Det finnes allerede en enhet med dette navnet her.")),
        "unit_unique_root_name": ("name", _("Det finnes allerede en enhet med dette navnet her.")),
    }

    class Meta:
        ordering = ["name"]
        verbose_name = _("enhet")
        verbose_name_plural = _("enheter")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "parent", "name"],
                                    name="unit_unique_name_under_parent"),
            models.UniqueConstraint(fields=["organisation", "name"],
                                    condition=Q(parent__isnull=True),
                                    name="unit_unique_root_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"organisation": self.organisation_id}


class Network(models.Model):
    """A named group of organisations that share with each other."""

    name = models.CharField(_("navn"), max_length=200, unique=True)
    description = models.TextField(_("beskrivelse"), blank=True)
    organisations = models.ManyToManyField(Organisation, related_name="networks", blank=True)
    # Network analysts read the aggregated indicators of the network's organisations.
    analysts = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="analysed_networks",
                                      blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("nettverk")
        verbose_name_plural = _("nettverk")

    def __str__(self) -> str:
        return self.name


class Membership(HumanConstraints, models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="memberships")
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices,
                            default=Role.EMPLOYEE)
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True,
                             verbose_name=_("enhet"))
    created_at = models.DateTimeField(auto_now_add=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "membership_one_per_user_and_organisation":
            ("user", _("Personen er allerede medlem av organisasjonen.")),
    }

    class Meta:
        ordering = ["organisation__name", "user__last_name", "user__first_name"]
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"],
                                    name="membership_one_per_user_and_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"

    def get_additional_data(self) -> dict:
        return {"organisation": self.organisation_id}


class EventBase(models.Model):
    """The audit pattern every aggregate copies: one event table per aggregate, rows written by
    the services in the same transaction as the change they record."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]


class OrganisationEvent(EventBase):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="events")

    class Meta(EventBase.Meta):
        verbose_name = _("hendelse")
        verbose_name_plural = _("hendelser")
        indexes = [models.Index(fields=["organisation", "-created_at"])]


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the key is stored; the key is shown once."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(_("navn"), max_length=100)
    prefix = models.CharField(max_length=PREFIX_LENGTH)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API-nøkkel")
        verbose_name_plural = _("API-nøkler")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class PendingTask(models.Model):
    """Transactional outbox for Celery messages (see portal.outbox).

    A row is written in the same transaction as the change that needs the background work, so
    the work commits or rolls back with it; after the commit the message is published and the
    row deleted. If Redis is down (or the process dies between commit and publish) the row stays
    and `outbox_flush` (beat task, worker start, management command) publishes it later."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    # Publish options that are JSON-safe (countdown, queue, priority).
    options = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # The request that wrote the row (portal.request_id): a later flush publishes the message
    # under the same id, so the task's log lines still lead back to that request.
    request_id = models.CharField(max_length=128, blank=True, default="")

    class Meta:
        ordering = ["pk"]
        # The flush scans the oldest rows first.
        indexes = [models.Index(fields=["created_at"], name="pendingtask_created_idx")]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"


class LoginFailure(models.Model):
    """One failed login or wrong API token (portal.login_throttle). The locks are counts of
    these rows in the last LOGIN_THROTTLE_SECONDS — in the database, so a lock holds while
    Redis is down; older rows are pruned as new ones arrive."""

    # Keyed hash of the user name typed ("" for a wrong API token): never the name itself,
    # which is sometimes a password typed into the wrong field.
    account = models.CharField(max_length=64, blank=True)
    address = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            # The per-(account, address) and per-account counts (a prefix of it).
            models.Index(fields=["account", "address", "created_at"],
                         name="loginfailure_account_idx"),
            # The per-address count.
            models.Index(fields=["address", "created_at"], name="loginfailure_address_idx"),
            # Pruning.
            models.Index(fields=["created_at"], name="loginfailure_created_idx"),
        ]


class SecurityEventKind(models.TextChoices):
    LOGIN_FAILED = "login_failed", _("Mislykket innlogging")
    LOGIN_REFUSED = "login_refused", _("Innlogging avvist (sperret)")
    LOCKOUT = "lockout", _("Sperret etter for mange forsøk")
    TOKEN_FAILED = "token_failed", _("Ugyldig API-nøkkel")
    WRITE_REFUSED = "write_refused", _("Endring avvist (mangler tilgang)")


class SecurityEvent(models.Model):
    """The security log (portal.security.security_event): failed logins, refused attempts,
    lockouts and refused writes (403 on POST/PUT/PATCH/DELETE, portal.middleware). Written
    once, never changed; read in the admin (and by the audit page). Holds no
    password, token or typed user name — only a keyed hash of the name, and the account when
    the name is one."""

    kind = models.CharField(_("hendelse"), max_length=40, choices=SecurityEventKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("bruker"))
    username_hash = models.CharField(_("brukernavn (nøkkelhash)"), max_length=64, blank=True)
    address = models.CharField(_("adresse"), max_length=64, blank=True)
    path = models.CharField(_("adresse i portalen"), max_length=200, blank=True)
    data = models.JSONField(_("detaljer"), default=dict, blank=True)
    created_at = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sikkerhetshendelse")
        verbose_name_plural = _("sikkerhetshendelser")
        indexes = [models.Index(fields=["user", "-created_at"], name="securityevent_user_idx")]

    def __str__(self) -> str:
        at = date_format(timezone.localtime(self.created_at), "SHORT_DATETIME_FORMAT")
        return f"{self.get_kind_display()} {at}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Security events are written once and never changed.")
        super().save(*args, **kwargs)


class StatementKind(models.TextChoices):
    ACCESSIBILITY = "accessibility", _("Tilgjengelighetserklæring")
    PRIVACY = "privacy", _("Personvernerklæring")


class OrganisationStatement(HumanConstraints, models.Model):
    """An organisation's own accessibility or privacy statement (portal.statements), edited by
    its administrators and readable by everybody. Plain text: paragraphs, «## » headings and
    «- » lists, escaped when shown — never HTML. Without a row the default text stands."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="statements")
    kind = models.CharField(_("erklæring"), max_length=20, choices=StatementKind.choices)
    body = models.TextField(_("tekst"), max_length=20_000)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    constraint_messages = {
        "statement_one_per_kind": ("kind", _("Organisasjonen har allerede denne erklæringen.")),
    }

    class Meta:
        verbose_name = _("erklæring")
        verbose_name_plural = _("erklæringer")
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"],
                                               name="statement_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.organisation}"

    def get_additional_data(self) -> dict:
        return {"organisation": self.organisation_id}


class ConsumerQueueItem(HumanConstraints, models.Model):
    """One written row waiting for one consumer in a higher layer (see portal.consumers).

    Written in the same transaction as the row it points at, so it becomes visible exactly when
    that row commits: a consumer reading this queue never skips a row whose transaction
    committed late (as a cursor over ids would) and never sees one that rolled back. Claimed
    with a compare-and-swap lease; deleted in the same transaction as the consumer's handling,
    so each row is handled once. A failure keeps the row with its error for a later retry."""

    consumer = models.CharField(max_length=100)
    row_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    # The claim: a run's token and when its lease runs out (a run that died leaves the row to
    # the next one after that).
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "consumer_queue_item_once": (None, _("Raden er allerede i køen.")),
    }

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["consumer", "row_id"],
                                               name="consumer_queue_item_once")]
        # A run scans its consumer's rows oldest first.
        indexes = [models.Index(fields=["consumer", "id"], name="consumer_queue_scan_idx")]

    def __str__(self) -> str:
        return f"{self.consumer}: {self.row_id}"


# Single sign-on's models live in their own module and belong to this app.
from portal.sso.models import ExternalIdentity, IdentityProvider  # noqa: E402, F401


class DataChange(models.Model):
    """The data version that cached pages are keyed on (portal.data_version).

    A trigger on every table writes a row for the writing transaction (once per transaction,
    and again after a request's start in a transaction shared by requests); the version is
    the sum of all rows, so it grows when any write commits. Row 0 holds the folded sum of
    finished transactions (`data_version.fold`), which keeps the table small."""

    transaction = models.BigIntegerField(primary_key=True)
    statements = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.transaction}: {self.statements}"
