"""The toolkit of "Mine data" (GDPR art. 15 and 20): what the system holds about one person.

Each app's selectors contribute sections through `personal_data(user)`, built with this
module's section shape and JSON-safe values; overview.personal_data assembles the whole (it is
the layer that may read every app). Every section says
which user references ("app.Model.field") it reads, so a test can check that no foreign key to
the user is forgotten when a model is added.

Only the person's own rows are read. Other people appear by no more than what the row itself
is about (an idea's title next to your comment), never by name."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.events import OrganisationEventKind
from portal.models import (
    ApiToken,
    ExternalIdentity,
    Membership,
    OrganisationEvent,
    OrganisationStatement,
    SecurityEvent,
    SecurityEventKind,
    User,
)
from portal.numbers import number_text


@dataclass
class Column:
    key: str
    label: str
    get: Callable[[Any], Any]


@dataclass
class Section:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    covers: tuple[str, ...] = ()  # the user references ("app.Model.field") read here
    # The same rows as cells in column order for the page, as people read them (06.12.2026
    # 14:05, 1 234,5): the JSON download keeps `rows` in ISO 8601 and plain decimals.
    table: list[list[Any]] = field(default_factory=list)


def readable(value: Any) -> Any:
    """A cell of the page: dates and numbers in the active language's formats."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal | float):  # not int: an id or a year is no figure
        return number_text(value)
    return plain(value)


def plain(value: Any) -> Any:
    """A JSON-safe value: dates as ISO 8601 (times in the site's time zone), decimals as text,
    lazy translations resolved."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) \
            else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def col(key: str, label: str, get: str | Callable[[Any], Any] | None = None) -> Column:
    """A column; `get` is an attribute path ("idea.title"), a function, or the key itself."""
    if callable(get):
        return Column(key, label, get)
    path = (get or key).split(".")

    def read(obj):
        for part in path:
            obj = getattr(obj, part, None) if obj is not None else None
        return obj() if callable(obj) else obj

    return Column(key, label, read)


def section(key: str, title: str, rows: Iterable[Any], columns: list[Column],
            covers: tuple[str, ...] = ()) -> Section:
    values = [[c.get(row) for c in columns] for row in rows]
    return Section(key=key, title=str(title), columns=columns, covers=covers,
                   rows=[{c.key: plain(v) for c, v in zip(columns, cells, strict=True)}
                         for cells in values],
                   table=[[readable(v) for v in cells] for cells in values])


def choice_label(choices: type[models.TextChoices], value: str) -> str:
    return choices(value).label if value in choices.values else value


def yes_no(value: bool) -> str:
    return _("Ja") if value else _("Nei")


def portal_sections(user: User) -> list[Section]:
    memberships = Membership.objects.filter(user=user).select_related("organisation", "unit")
    events = (OrganisationEvent.objects
              .filter(models.Q(actor=user) | models.Q(data__user_id=user.pk))
              .select_related("organisation").order_by("-created_at", "-id"))
    return [
        section("profile", gettext_lazy("Profil"), [user], [
            col("username", _("Brukernavn")), col("first_name", _("Fornavn")),
            col("last_name", _("Etternavn")), col("email", _("E-post")),
            col("date_joined", _("Registrert")), col("last_login", _("Sist innlogget")),
            col("is_national_analyst", _("Nasjonal analytiker"),
                lambda u: yes_no(u.is_national_analyst)),
            col("language", _("Språk"), lambda u: u.get_language_display()
                or _("Ikke valgt (bokmål)")),
        ]),
        section("memberships", gettext_lazy("Medlemskap og roller"), memberships, [
            col("organisation", _("Organisasjon"), "organisation.name"),
            col("org_number", _("Organisasjonsnummer"), "organisation.org_number"),
            col("role", _("Rolle"), "get_role_display"), col("unit", _("Enhet"), "unit.name"),
            col("created_at", _("Fra")),
        ], covers=("portal.Membership.user",)),
        section("networks", gettext_lazy("Nettverk du analyserer"),
                user.analysed_networks.all(), [col("name", _("Nettverk"))],
                covers=("portal.Network.analysts",)),
        section("api_tokens", gettext_lazy("API-nøkler (uten selve nøkkelen)"),
                ApiToken.objects.filter(user=user), [
                    col("name", _("Navn")), col("prefix", _("Starter med")),
                    col("created_at", _("Opprettet")), col("last_used_at", _("Sist brukt")),
                    col("revoked_at", _("Trukket tilbake")),
                ], covers=("portal.ApiToken.user",)),
        section("external_identities", gettext_lazy("Innlogging med kommunens konto"),
                ExternalIdentity.objects.filter(user=user), [
                    col("issuer", _("Påloggingstjeneste (utsteder)")),
                    col("subject", _("Din identifikator der")),
                    col("created_at", _("Koblet")), col("last_login_at", _("Sist brukt")),
                ], covers=("portal.ExternalIdentity.user",)),
        section("organisation_events", gettext_lazy("Hendelser i organisasjonsloggen"), events, [
            col("created_at", _("Tidspunkt")),
            col("organisation", _("Organisasjon"), "organisation.name"),
            col("kind", _("Hendelse"), lambda e: choice_label(OrganisationEventKind, e.kind)),
            col("role", _("Din rolle i hendelsen"),
                lambda e: _("utført av deg") if e.actor_id == user.pk else _("gjelder deg")),
        ], covers=("portal.OrganisationEvent.actor",)),
        section("statements", gettext_lazy("Erklæringer du sist endret"),
                OrganisationStatement.objects.filter(updated_by=user)
                .select_related("organisation"), [
                    col("organisation", _("Organisasjon"), "organisation.name"),
                    col("kind", _("Erklæring"), "get_kind_display"),
                    col("updated_at", _("Endret")),
                ], covers=("portal.OrganisationStatement.updated_by",)),
        section("security_events", gettext_lazy("Mislykkede innlogginger, sperringer og "
                                                "avviste endringer"),
                SecurityEvent.objects.filter(user=user), [
                    col("created_at", _("Tidspunkt")),
                    col("kind", _("Hendelse"),
                        lambda e: choice_label(SecurityEventKind, e.kind)),
                    col("address", _("Fra adresse")),
                ], covers=("portal.SecurityEvent.user",)),
    ]
