"""The organisation's attributes in force on a day (docs/domain.md "Organisations and people",
the item "Attributes over time"): the county, population and size class a period's indicators are
grouped, filtered and divided by — those in force on the period's end date."""

from __future__ import annotations

import datetime

from django.db.models import Case, Exists, F, OuterRef, QuerySet, Subquery, When

from portal.models import Organisation, OrganisationAttributes, size_class_expression

COUNTY, POPULATION, SIZE_CLASS = "period_county", "period_population", "period_size_class"


def attribute_annotations(on: datetime.date | str, *, organisation: str = "") -> dict:
    """Annotations (period_county, period_population; period_size_class follows from the
    population: annotate it after these) of the rows of a queryset: the organisation's values
    in force on `on` — a date, or the name of a date field of the rows (a snapshot's "period_end").
    `organisation`: the path to the organisation ("" on organisations, "organisation" on
    snapshots). Without a dated row in force (a day before the history starts) the current
    values. One subquery per value, so a list costs no extra query per organisation."""
    prefix = f"{organisation}__" if organisation else ""
    if isinstance(on, str):
        # A date field of the annotated rows (a snapshot's period_end).
        on = OuterRef(on)
    in_force = (OrganisationAttributes.objects
                .filter(organisation=OuterRef(f"{prefix}pk"), valid_from__lte=on)
                .order_by("-valid_from"))
    found = Exists(in_force)
    return {
        COUNTY: Case(When(found, then=Subquery(in_force.values("county")[:1])),
                     default=F(f"{prefix}county")),
        POPULATION: Case(When(found, then=Subquery(in_force.values("population")[:1])),
                         default=F(f"{prefix}population")),
    }


def annotate_attributes(queryset: QuerySet, on, *, organisation: str = "") -> QuerySet:
    """The queryset with period_county, period_population and period_size_class."""
    return (queryset.annotate(**attribute_annotations(on, organisation=organisation))
            .annotate(**{SIZE_CLASS: size_class_expression(POPULATION)}))


def attributes_on(organisations: QuerySet[Organisation], on: datetime.date
                  ) -> QuerySet[Organisation]:
    """The organisations with the county, population and size class in force on `on`
    (period_county, period_population, period_size_class): the one selector every indicator
    output of a period uses, with `on` the period's end date."""
    return annotate_attributes(organisations, on)
