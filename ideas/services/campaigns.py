"""Campaigns (idékonkurranser): a need with open and close dates that ideas answer."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from ideas.models import Campaign
from portal.access import user_can
from portal.dates import PLANNED, date_check
from portal.errors import DomainError, Forbidden
from portal.models import Organisation, User
from portal.roles import Capability


def campaign_create(*, actor: User, organisation: Organisation, title: str, description: str,
                    opens_on: datetime.date, closes_on: datetime.date) -> Campaign:
    if not user_can(actor, organisation, Capability.SCREEN_IDEAS):
        raise Forbidden(_("Bare innovasjonskoordinatorer kan opprette kampanjer."))
    title, description = title.strip(), description.strip()
    if not title:
        raise DomainError(_("Gi kampanjen en tittel."), field="title")
    if not description:
        raise DomainError(_("Beskriv behovet kampanjen spør etter."), field="description")
    date_check(opens_on, field="opens_on", kind=PLANNED)
    date_check(closes_on, field="closes_on", kind=PLANNED)
    if closes_on < opens_on:
        raise DomainError(_("Kampanjen må stenge etter at den åpner."), field="closes_on")
    return Campaign.objects.create(organisation=organisation, title=title,
                                   description=description, opens_on=opens_on,
                                   closes_on=closes_on, created_by=actor)
