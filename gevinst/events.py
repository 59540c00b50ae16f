"""Benefit events: the kinds, and the one function services use to write them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gevinst.models import Benefit, BenefitEvent
from portal.consumers import rows_written
from projects.models import Project


class BenefitEventKind(models.TextChoices):
    BENEFIT_CREATED = "benefit_created", _("Gevinst opprettet")
    BENEFIT_UPDATED = "benefit_updated", _("Gevinst endret")
    MEASUREMENT_ADDED = "measurement_added", _("Måling registrert")
    ASSESSMENT_ADDED = "assessment_added", _("Nyttevurdering registrert")
    PLAN_CREATED = "plan_created", _("Gevinstrealiseringsplan opprettet")
    PLAN_UPDATED = "plan_updated", _("Gevinstrealiseringsplan endret")
    PLAN_APPROVED = "plan_approved", _("Gevinstrealiseringsplan godkjent")
    PLAN_REAPPROVAL_REQUIRED = "plan_reapproval_required", _("Planen må godkjennes på nytt")
    MAP_NODE_ADDED = "map_node_added", _("Element lagt til i gevinstkartet")
    MAP_NODE_REMOVED = "map_node_removed", _("Element fjernet fra gevinstkartet")
    MAP_EDGE_ADDED = "map_edge_added", _("Pil lagt til i gevinstkartet")
    MAP_EDGE_REMOVED = "map_edge_removed", _("Pil fjernet fra gevinstkartet")
    REMINDER_CREATED = "reminder_created", _("Påminnelse om måling")


# The topic of benefit events for their consumers (portal.consumers): the notification centre
# turns some of them into notices after the commit.
BENEFIT_EVENTS = "gevinst.BenefitEvent"

PLAN_HISTORY_KINDS = (BenefitEventKind.PLAN_CREATED, BenefitEventKind.PLAN_UPDATED,
                      BenefitEventKind.PLAN_APPROVED, BenefitEventKind.PLAN_REAPPROVAL_REQUIRED)


def benefit_event_record(*, project: Project, actor, kind: BenefitEventKind,
                         benefit: Benefit | None = None, **data) -> BenefitEvent:
    """Write the event; its consumers read it after the commit (portal.consumers)."""
    event = BenefitEvent.objects.create(project=project, benefit=benefit, actor=actor,
                                        kind=kind, data=data)
    rows_written(BENEFIT_EVENTS, [event.pk], kind=event.kind)
    return event
