"""Reads for organisations: scoped to what the user may see."""

from django.db.models import Count, QuerySet

from portal.models import Membership, Organisation, OrganisationEvent, Unit


def unit_tree(organisation: Organisation) -> list[tuple[Unit, int]]:
    """The organisation's units in tree order, each with its depth (one query)."""
    units = list(Unit.objects.filter(organisation=organisation)
                 .annotate(member_count=Count("membership")).order_by("name"))
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[tuple[Unit, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in children.get(parent_id, []):
            ordered.append((unit, depth))
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return ordered


def unit_and_below(unit: Unit) -> list[int]:
    """The ids of a unit and every unit below it (one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Unit.objects.filter(organisation_id=unit.organisation_id).values_list(
            "pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = [], [unit.pk]
    while todo:
        pk = todo.pop()
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


def member_list(organisation: Organisation) -> QuerySet[Membership]:
    return (Membership.objects.filter(organisation=organisation)
            .select_related("user", "unit")
            .order_by("user__last_name", "user__first_name", "user__username"))


def organisation_events(organisation: Organisation, limit: int = 20) -> QuerySet:
    return (OrganisationEvent.objects.filter(organisation=organisation)
            .select_related("actor")[:limit])
