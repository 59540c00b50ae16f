"""Identity providers configured in the admin, and the external identities users log in with.

Imported by portal/models.py, so these belong to the `portal` app (its migrations)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.constraints import HumanConstraints
from portal.sso.config import (
    DEFAULT_SCOPES,
    ENV_NAME_RE,
    SLUG_RE,
    ProviderConfig,
    check_scopes,
    check_url,
)


def validate_slug(value: str) -> None:
    if not SLUG_RE.match(value):
        raise ValidationError(_("Bruk 1–50 små bokstaver, sifre eller bindestrek."))


def validate_env_name(value: str) -> None:
    if not ENV_NAME_RE.match(value):
        raise ValidationError(_("Oppgi navnet på en miljøvariabel (A–Z, 0–9, _), ikke selve "
                                "hemmeligheten."))


def validate_issuer(value: str) -> None:
    try:
        check_url(value, what="issuer")
    except ValueError:
        raise ValidationError(_("Utstederen må være en https-adresse uten spørring "
                                "(http bare på denne maskinen)."))


def validate_scopes(value: str) -> None:
    try:
        check_scopes(value)
    except ValueError:
        raise ValidationError(_("Omfangene skilles med mellomrom og må inneholde «openid»."))


class IdentityProvider(models.Model):
    """An organisation's OpenID Connect provider (e.g. the municipality's Entra ID tenant).

    The client secret is not here: `client_secret_env` names the environment variable that
    holds it, so a database dump or the admin never shows it."""

    organisation = models.ForeignKey("portal.Organisation", on_delete=models.CASCADE,
                                     related_name="identity_providers",
                                     verbose_name=_("organisasjon"))
    slug = models.CharField(_("kortnavn"), max_length=50, unique=True,
                            validators=[validate_slug],
                            help_text=_("Brukes i adressen: /accounts/sso/<kortnavn>/callback/."))
    name = models.CharField(_("visningsnavn"), max_length=200, blank=True,
                            help_text=_("Tomt: organisasjonens navn."))
    issuer = models.URLField(_("utsteder (issuer)"), max_length=300, validators=[validate_issuer],
                             help_text=_("For Entra ID: "
                                         "https://login.microsoftonline.com/<tenant-id>/v2.0"))
    client_id = models.CharField(_("klient-ID"), max_length=200)
    client_secret_env = models.CharField(
        _("miljøvariabel med klienthemmeligheten"), max_length=100,
        validators=[validate_env_name],
        help_text=_("Navnet på variabelen, f.eks. SSO_TYNSET_SECRET. Hemmeligheten lagres aldri "
                    "i databasen."))
    scopes = models.CharField(_("omfang (scopes)"), max_length=300,
                              default=" ".join(DEFAULT_SCOPES), validators=[validate_scopes])
    auto_membership = models.BooleanField(
        _("gi nye brukere medlemskap som ansatt"), default=True,
        help_text=_("Slå av for leverandører som bare bekrefter hvem personen er, ikke at hen "
                    "jobber i organisasjonen (ID-porten)."))
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "slug"]
        verbose_name = _("identitetsleverandør")
        verbose_name_plural = _("identitetsleverandører")

    def __str__(self) -> str:
        return self.name or f"{self.organisation} ({self.slug})"

    def get_additional_data(self) -> dict:
        # The organisation's audit page finds the provider's log entries by it (portal.audit).
        return {"organisation": self.organisation_id}

    def as_config(self) -> ProviderConfig:
        return ProviderConfig(slug=self.slug, organisation=self.organisation.org_number,
                              issuer=self.issuer, client_id=self.client_id,
                              client_secret_env=self.client_secret_env, name=self.name,
                              scopes=check_scopes(self.scopes),
                              auto_membership=self.auto_membership, source="database")


class ExternalIdentity(HumanConstraints, models.Model):
    """A user's account at an identity provider. The stable key is the issuer and the subject
    (OpenID Connect Core §2: `sub` is unique and never reassigned within the issuer); the
    e-mail address may change or be reused, so it never identifies anyone on its own."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="external_identities")
    issuer = models.CharField(_("utsteder"), max_length=300)
    subject = models.CharField(_("subjekt"), max_length=255)
    # The provider the identity was first seen through (settings or admin slug): information
    # for administrators, not part of the key.
    provider_slug = models.CharField(_("leverandør"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    # The constraints' messages, on their fields (portal.constraints).
    constraint_messages = {
        "external_identity_unique_issuer_subject":
            (None, _("Denne innloggingen er allerede knyttet til en konto.")),
    }

    class Meta:
        ordering = ["issuer", "subject"]
        verbose_name = _("ekstern identitet")
        verbose_name_plural = _("eksterne identiteter")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"],
                                    name="external_identity_unique_issuer_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.issuer}"
