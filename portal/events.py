"""Organisation events: the kinds, and the one function services use to write them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.consumers import rows_written
from portal.models import Organisation, OrganisationEvent, User

# The consumer topic of organisation events: apps above portal react to them without being
# called (ideas and projects give a new organisation its default criteria and checklists).
ORGANISATION_EVENTS = "portal.organisation_events"


class OrganisationEventKind(models.TextChoices):
    MEMBER_ADDED = "member_added", _("Medlem lagt til")
    MEMBER_REMOVED = "member_removed", _("Medlem fjernet")
    ROLE_CHANGED = "role_changed", _("Rolle endret")
    UNIT_CREATED = "unit_created", _("Enhet opprettet")
    UNIT_UPDATED = "unit_updated", _("Enhet endret")
    UNIT_DELETED = "unit_deleted", _("Enhet slettet")
    PORTFOLIO_IMPORTED = "portfolio_imported", _("Portefølje importert")
    ORGANISATION_CREATED = "organisation_created", _("Organisasjon opprettet")
    ORGANISATION_CHANGED = "organisation_changed", _("Organisasjonsdata endret")
    SSO_IDENTITY_LINKED = "sso_identity_linked", _("Innlogging med kommunens konto koblet")
    PASSWORD_LOGIN_CHANGED = "password_login_changed", _("Innlogging med passord endret")


# The events after which an organisation must have its defaults (ideas' evaluation criteria,
# projects' gate checklists): the consumers that seed them listen for these kinds only.
DEFAULTS_NEEDED = frozenset({OrganisationEventKind.ORGANISATION_CREATED.value,
                             OrganisationEventKind.MEMBER_ADDED.value})


def event_organisation_id(event_id: int) -> int | None:
    """The organisation an event is about (None when the event is gone)."""
    return (OrganisationEvent.objects.filter(pk=event_id)
            .values_list("organisation_id", flat=True).first())


def organisation_event_record(*, organisation: Organisation, actor: User | None,
                              kind: OrganisationEventKind, **data) -> OrganisationEvent:
    event = OrganisationEvent.objects.create(
        organisation=organisation, actor=actor, kind=kind, data=data
    )
    rows_written(ORGANISATION_EVENTS, [event.pk], kind=kind)
    return event
