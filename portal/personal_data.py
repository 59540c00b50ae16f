"""What the system holds about one person ("Mine data", GDPR art. 15 and 20).

Each app's selectors contribute sections through `personal_data(user)`; this module defines
the section shape, turns values into JSON-safe text and assembles the whole. Every section says
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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import ApiToken, Membership, OrganisationEvent, User

FORMAT = "innoportal-personal-data/1"


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

    @property
    def table(self) -> list[list[Any]]:
        """The rows as cells in column order, for the page."""
        return [[row[c.key] for c in self.columns] for row in self.rows]


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
    return Section(key=key, title=str(title), columns=columns, covers=covers,
                   rows=[{c.key: plain(c.get(row)) for c in columns} for row in rows])


def choice_label(choices: type[models.TextChoices], value: str) -> str:
    return choices(value).label if value in choices.values else value


def yes_no(value: bool) -> str:
    return _("Ja") if value else _("Nei")


def _portal_sections(user: User) -> list[Section]:
    from portal.events import OrganisationEventKind

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
        section("organisation_events", gettext_lazy("Hendelser i organisasjonsloggen"), events, [
            col("created_at", _("Tidspunkt")),
            col("organisation", _("Organisasjon"), "organisation.name"),
            col("kind", _("Hendelse"), lambda e: choice_label(OrganisationEventKind, e.kind)),
            col("role", _("Din rolle i hendelsen"),
                lambda e: _("utført av deg") if e.actor_id == user.pk else _("gjelder deg")),
        ], covers=("portal.OrganisationEvent.actor",)),
    ]


def personal_data_sections(user: User) -> list[Section]:
    from gevinst import selectors as gevinst_selectors
    from ideas import selectors as idea_selectors
    from indicators import selectors as indicator_selectors
    from notifications import selectors as notification_selectors
    from projects import selectors as project_selectors

    return [*_portal_sections(user), *idea_selectors.personal_data(user),
            *project_selectors.personal_data(user), *gevinst_selectors.personal_data(user),
            *indicator_selectors.personal_data(user), *notification_selectors.personal_data(user)]


def personal_data_document(user: User) -> dict[str, Any]:
    """The JSON export: the same sections as the page, keyed by section and column keys."""
    return {
        "format": FORMAT,
        "exported_at": plain(timezone.now()),
        "user": user.username,
        "sections": {s.key: {"title": s.title, "rows": s.rows}
                     for s in personal_data_sections(user)},
    }
