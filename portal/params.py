"""Numbers from the request's query string and form body, parsed in one place.

Views that read an id, a year or a page number straight from `request.GET`/`request.POST`
(not through a form or a filter set) call these instead of `int()`. `int()` and
`str.isdigit()` are the wrong test for request data: `"²".isdigit()` is true and `int("²")`
raises, `int("١٢")` is 12 (Arabic-Indic digits), and a 5 000-digit number raises past Python's
4 300-digit limit or overflows the database's bigint. Here only ASCII digits count, the length
is bounded before converting, and the value must lie in its range; anything else raises
`ParameterError`, a DomainError naming the parameter (the API's exception handler answers 400
with `{"errors": {name: [...]}}`; pages show the message or ignore the filter).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from portal.errors import DomainError

# PostgreSQL's bigint, the type of every primary key here (DEFAULT_AUTO_FIELD).
ID_MAX = 2**63 - 1
# The documented range of dated facts (docs/domain.md "Organisations and people").
FIRST_YEAR = 2000
LAST_YEAR = 2100
# 19 digits hold ID_MAX; a longer string is refused before int() sees it. ID_PATTERN is the
# same bound for ids in URL patterns: a 5 000-digit path id was a ValueError in the lookup.
ID_PATTERN = "[0-9]{1,19}"
_INTEGER = re.compile(rf"-?{ID_PATTERN}")


class ParameterError(DomainError):
    """A query or form parameter that is not a valid number of its kind."""


def parse_int(value: object, *, name: str, minimum: int = 0, maximum: int = ID_MAX) -> int:
    """`value` as an int in [minimum, maximum]: ASCII digits, optionally a leading minus."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # already parsed (a form's field): the bounds still apply
    text = value if isinstance(value, str) else ""
    if not _INTEGER.fullmatch(text):
        raise ParameterError(_("%(name)s må være et heltall.") % {"name": name}, field=name)
    number = int(text)
    if not minimum <= number <= maximum:
        raise ParameterError(_("%(name)s må være mellom %(minimum)s og %(maximum)s.")
                             % {"name": name, "minimum": minimum, "maximum": maximum},
                             field=name)
    return number


def parse_id(value: object, *, name: str) -> int:
    """A primary key: a positive integer that fits a bigint."""
    return parse_int(value, name=name, minimum=1)


def optional_id(value: object, *, name: str) -> int | None:
    """A primary key, or None when the parameter is missing or empty."""
    return None if value in (None, "") else parse_id(value, name=name)


def id_or_none(value: object) -> int | None:
    """A primary key, or None for anything that is not one: for a filter that is simply not
    applied when it is garbled (nothing is written and nothing is revealed either way)."""
    try:
        return optional_id(value, name="id")
    except ParameterError:
        return None


def parse_year(value: object, *, name: str = "year", first: int = FIRST_YEAR,
               last: int | None = None) -> int:
    """A year in [first, last]; `last` defaults to LAST_YEAR."""
    return parse_int(value, name=name, minimum=first, maximum=LAST_YEAR if last is None else last)


def parse_id_list(values: list[str], *, name: str, limit: int = 1000) -> list[int]:
    """Several ids (`?name=1&name=2`, or one comma-separated value), at most `limit`."""
    parts = [part for value in values for part in str(value).split(",") if part != ""]
    if len(parts) > limit:
        raise ParameterError(_("%(name)s kan ha høyst %(limit)s verdier.")
                             % {"name": name, "limit": limit}, field=name)
    return [parse_id(part, name=name) for part in parts]

