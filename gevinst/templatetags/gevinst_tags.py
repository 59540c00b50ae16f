from django import template

from gevinst.calculations import fmt

register = template.Library()


@register.filter
def num(value, places=2):
    """A number in Norwegian format (space thousands separator, decimal comma)."""
    if value is None or value == "":
        return "–"
    return fmt(value, int(places))
