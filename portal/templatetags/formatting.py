"""`num`: a figure as the active language writes it («1 234,5» / «1,234.5»).

Dates need no filter of their own: `|date:"SHORT_DATE_FORMAT"` (06.12.2026), `|date` (the
long 6. desember 2026) and `|date:"SHORT_DATETIME_FORMAT"` (06.12.2026 14:05) are the named
formats of innoportal/formats/. Templates never spell a pattern (tests/portal/test_formats.py)."""

import datetime

from django import template
from django.utils.translation import gettext as _

from portal.numbers import number_text

register = template.Library()


@register.filter
def num(value, places=2):
    """At most `places` decimals (none shown when they are zero), thousands grouped, «–» for
    no value."""
    return number_text(value, int(places))


@register.filter
def isodate(value):
    """A date kept as ISO text (an event's JSON data) as a date, for `|date:"…"` to format:
    `{{ e.data.effective_date|isodate|date:"SHORT_DATE_FORMAT" }}`. Anything else passes."""
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return value


@register.filter
def kr(value):
    """An amount in whole kroner with its currency as the language writes it («161 200 kr»;
    the English catalogue says NOK, as the formulas beside it do)."""
    return _("%(amount)s kr") % {"amount": number_text(value, 0)}
