"""The audit trail: who changed what, when (README, "Audit").

Three logs, each written where its change happens and never changed afterwards:

- **changes** — django-auditlog's LogEntry rows: every create, update and delete of the models
  in settings.AUDITLOG_INCLUDE_TRACKING_MODELS (roles and memberships, organisation master
  data, units, login providers, API tokens, point schemes, frozen years, statements …), made
  by a service or in the Django admin, with the actor, the address and the changed fields;
- **events** — the organisation's domain events (OrganisationEvent, written by the services);
- **security** — SecurityEvent rows of the organisation's members (failed logins, lockouts,
  refused writes).

`audit_rows()` reads one of them for one organisation (the administrator's audit page and its
export); rows of another organisation are never in it. An organisation's own rows are found by
the organisation id that the audited models give auditlog (`get_additional_data`), which
stays on the entry after the row itself is deleted; a person's account and API tokens are the
organisation's while the person is a member."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from auditlog.models import LogEntry
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.dates import planned_date
from portal.events import OrganisationEventKind
from portal.exports import Column, Kind, choice_labels
from portal.models import (
    ApiToken,
    Membership,
    Organisation,
    OrganisationEvent,
    SecurityEvent,
    SecurityEventKind,
    User,
)


def audit_actor_set(user: User) -> None:
    """Name `user` as the actor of the audit entries the rest of this request writes. The
    audit middleware knows the session's user; an API token's user is known only once DRF has
    authenticated the request (portal.api.authentication calls this)."""
    from auditlog.context import auditlog_value

    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if not isinstance(context.get("actor"), User):  # none, or the session's anonymous user
        context["actor"] = user


class AuditKind:
    CHANGES = "changes"
    EVENTS = "events"
    SECURITY = "security"

    choices = [(CHANGES, _("Endringer")), (EVENTS, _("Hendelser")),
               (SECURITY, _("Sikkerhet"))]


class AuditFilterForm(forms.Form):
    """The audit page's filters, read from the query string: which log, whose actions, dates."""

    kind = forms.ChoiceField(label=_("Logg"), choices=AuditKind.choices, required=False)
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none(),
                                  required=False, empty_label=_("Alle"))
    since = forms.DateField(label=_("Fra dato"), required=False, validators=[planned_date],
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Til dato"), required=False, validators=[planned_date],
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (User.objects.filter(memberships__organisation=organisation)
                                        .order_by("last_name", "first_name", "username"))

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("Til-datoen kan ikke være før fra-datoen."))
        return data


@dataclass(frozen=True)
class AuditRow:
    at: datetime.datetime
    actor: str
    what: str
    target: str
    details: str


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _dated(queryset: QuerySet, field: str, since, until) -> QuerySet:
    if since:
        queryset = queryset.filter(**{f"{field}__gte": _start_of(since)})
    if until:
        queryset = queryset.filter(**{f"{field}__lt": _start_of(until + datetime.timedelta(1))})
    return queryset


def member_ids(organisation: Organisation) -> QuerySet:
    return Membership.objects.filter(organisation=organisation).values("user_id")


def change_entries(organisation: Organisation) -> QuerySet:
    """The organisation's audit entries: its own rows', and its members' accounts and tokens."""
    types = ContentType.objects.get_for_models(User, ApiToken)
    return (LogEntry.objects.filter(
        Q(additional_data__organisation=organisation.pk)
        | Q(content_type=types[User], object_id__in=member_ids(organisation))
        | Q(content_type=types[ApiToken], object_id__in=ApiToken.objects.filter(
            user__in=member_ids(organisation)).values("pk")))
        .select_related("actor", "content_type").order_by("-timestamp", "-id"))


def audit_queryset(organisation: Organisation, *, kind: str, user: User | None = None,
                   since: datetime.date | None = None,
                   until: datetime.date | None = None) -> QuerySet:
    """One log of the organisation, newest first, filtered."""
    if kind == AuditKind.EVENTS:
        queryset = (OrganisationEvent.objects.filter(organisation=organisation)
                    .select_related("actor").order_by("-created_at", "-id"))
        field, person = "created_at", "actor"
    elif kind == AuditKind.SECURITY:
        queryset = (SecurityEvent.objects.filter(user__in=member_ids(organisation))
                    .select_related("user").order_by("-created_at", "-id"))
        field, person = "created_at", "user"
    else:
        queryset, field, person = change_entries(organisation), "timestamp", "actor"
    if user is not None:
        queryset = queryset.filter(**{person: user})
    return _dated(queryset, field, since, until)


# --- one row shape for the page and the export --------------------------------------------------

_ACTIONS = {LogEntry.Action.CREATE: _("Opprettet"), LogEntry.Action.UPDATE: _("Endret"),
            LogEntry.Action.DELETE: _("Slettet"), LogEntry.Action.ACCESS: _("Lest")}


def _person(user: User | None) -> str:
    if user is None:
        return str(_("System"))
    return f"{user.get_full_name() or user.username} ({user.username})"


def _changes_text(entry: LogEntry) -> str:
    try:
        changes = entry.changes_display_dict
    except Exception:  # noqa: BLE001 - a model gone since: show the stored values as they are
        changes = entry.changes_dict
    return "; ".join(f"{field}: {values[0]} → {values[1]}" if len(values) == 2
                     else f"{field}: {values}" for field, values in changes.items())


def _entry_row(entry: LogEntry) -> AuditRow:
    model = entry.content_type.model_class()
    kind = str(model._meta.verbose_name) if model else entry.content_type.model
    return AuditRow(at=entry.timestamp, actor=_person(entry.actor),
                    what=str(_ACTIONS.get(entry.action, entry.action)),
                    target=f"{kind.capitalize()}: {entry.object_repr}",
                    details=_changes_text(entry))


def _event_row(event: OrganisationEvent, labels: dict[str, str]) -> AuditRow:
    text = render_to_string("portal/event_text.html", {"e": event}).strip()
    return AuditRow(at=event.created_at, actor=_person(event.actor),
                    what=labels.get(event.kind, event.kind), target="", details=text)


def _security_row(event: SecurityEvent, labels: dict[str, str]) -> AuditRow:
    details = " ".join(part for part in (event.address, event.path) if part)
    return AuditRow(at=event.created_at, actor=_person(event.user),
                    what=labels.get(event.kind, event.kind), target="", details=details)


def audit_rows(kind: str, rows: Iterable) -> Iterator[AuditRow]:
    """The rows of one log as AuditRow (a generator for the export: it streams)."""
    if kind == AuditKind.EVENTS:
        labels = choice_labels(OrganisationEventKind)
        return (_event_row(row, labels) for row in rows)
    if kind == AuditKind.SECURITY:
        labels = choice_labels(SecurityEventKind)
        return (_security_row(row, labels) for row in rows)
    return (_entry_row(row) for row in rows)


def audit_columns() -> list[Column]:
    return [
        Column(str(_("Tidspunkt")), str(_("Når endringen eller hendelsen skjedde")),
               lambda r: r.at, Kind.DATETIME),
        Column(str(_("Person")), str(_("Hvem som gjorde det (System: en bakgrunnsjobb)")),
               lambda r: r.actor),
        Column(str(_("Handling")), str(_("Hva som skjedde")), lambda r: r.what),
        Column(str(_("Gjelder")), str(_("Hva som ble endret")), lambda r: r.target),
        Column(str(_("Detaljer")), str(_("Endrede felt (gammel → ny verdi) eller beskrivelse")),
               lambda r: r.details),
    ]
