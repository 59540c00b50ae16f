"""The date policy: the one valid range of every dated fact (README, "Date policy").

Every dated fact (phase changes, idea submissions, benefit assessments, measurements,
baselines, the dates of an imported portfolio) and every planned date (benefit targets,
milestones, campaigns, the first due measurement, a point scheme's start) lies in a documented
range, checked by the services (DomainError naming the field: a 400 in the API, a form error on
the pages), by the portfolio import (the JSON path) and, as a first line, by the validators on
every date field of the forms and serializers:

- a fact that *happened* (`HAPPENED`): from EARLIEST (2000-01-01) up to today;
- a *planned* date (`PLANNED`): from EARLIEST up to PLANNED_YEARS_AHEAD years after today.

Why a lower bound: the indicators are computed per year from 2000 on (indicators.services
validates the period); a fact dated before it puts a period into the dirty marks that can never
be computed. Why an upper bound: a fact cannot have happened tomorrow, and a date like
9999-12-31 is a typing error that would also overflow "the next period" arithmetic.
"""

from __future__ import annotations

import datetime
import enum

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.errors import DomainError

EARLIEST = datetime.date(2000, 1, 1)
PLANNED_YEARS_AHEAD = 10


class DateKind(enum.Enum):
    HAPPENED = "happened"
    PLANNED = "planned"


HAPPENED = DateKind.HAPPENED
PLANNED = DateKind.PLANNED


def latest_allowed(kind: DateKind = HAPPENED,
                   today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    if kind is HAPPENED:
        return today
    try:
        return today.replace(year=today.year + PLANNED_YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + PLANNED_YEARS_AHEAD, day=28)


def short_date(day: datetime.date) -> str:
    """A date in a message for people: the active language's short date (06.12.2026)."""
    return date_format(day, "SHORT_DATE_FORMAT")


def date_error(value: datetime.date, kind: DateKind = HAPPENED,
               today: datetime.date | None = None) -> str | None:
    """Why `value` is outside the policy's range for `kind`, or None when it is inside."""
    if value < EARLIEST:
        return _("Datoen kan ikke være før %(date)s.") % {"date": short_date(EARLIEST)}
    latest = latest_allowed(kind, today)
    if value > latest:
        if kind is HAPPENED:
            return _("Datoen kan ikke være i framtiden.")
        return _("Datoen kan ikke være etter %(date)s.") % {"date": short_date(latest)}
    return None


def date_check(value: datetime.date | None, *, field: str, kind: DateKind = HAPPENED,
               today: datetime.date | None = None) -> datetime.date | None:
    """Raise a DomainError naming `field` when `value` is outside the range; None passes
    (required-ness is the caller's rule)."""
    if value is None:
        return None
    message = date_error(value, kind, today)
    if message is not None:
        raise DomainError(message, code="date_out_of_range", field=field)
    return value


def import_date_error(value: datetime.date, kind: DateKind = HAPPENED,
                      today: datetime.date | None = None) -> str | None:
    """The same rule in the portfolio import's English messages (errors name the JSON path)."""
    if value < EARLIEST:
        return f"date before {EARLIEST.isoformat()}"
    latest = latest_allowed(kind, today)
    if value > latest:
        return "date in the future" if kind is HAPPENED else (
            f"date after {latest.isoformat()}")
    return None


@deconstructible
class DateRangeValidator:
    """The validator on every date field of the forms and serializers (a form error, or a 400
    with the field's message in the API, before the service is even asked)."""

    def __init__(self, kind: str = HAPPENED.value):
        self.kind = kind

    def __call__(self, value) -> None:
        if isinstance(value, datetime.datetime):
            value = value.date()
        if not isinstance(value, datetime.date):
            return
        message = date_error(value, DateKind(self.kind))
        if message is not None:
            raise ValidationError(message, code="date_out_of_range")

    def __eq__(self, other) -> bool:
        return isinstance(other, DateRangeValidator) and other.kind == self.kind


happened_date = DateRangeValidator(HAPPENED.value)
planned_date = DateRangeValidator(PLANNED.value)


def dated_formfield(kinds: dict[str, DateKind], default: DateKind = PLANNED):
    """A ModelForm `Meta.formfield_callback` that gives every date field of the model the
    policy's validator (kind by field name), so the form class itself carries the rule, and
    every number field the Norwegian one (portal.numbers.formfield). One callback for both:
    Django 5.2 reads only `Meta.formfield_callback`, so a form cannot take one from each."""
    from django.db import models

    from portal import numbers

    def formfield(field, **kwargs):
        form_field = numbers.formfield(field, **kwargs)
        if isinstance(field, models.DateField) and form_field is not None:
            kind = kinds.get(field.name, default)
            form_field.validators.append(DateRangeValidator(kind.value))
        return form_field
    return formfield


def date_widget_attrs(kind: DateKind = HAPPENED) -> dict[str, str]:
    """min/max for a browser date picker, so it offers what the policy accepts."""
    return {"min": EARLIEST.isoformat(), "max": latest_allowed(kind).isoformat()}
