"""The API's FilterSet base: a filter by a related row's id never tells whether that row exists.

django-filter's default for a foreign key is a ModelChoiceFilter over every row of the related
model: an id of another organisation's unit or project is accepted (200, an empty page) while
an id that does not exist is refused (400) — an existence oracle. Here a foreign key filters
by the id alone; the list is scoped to what the user may see already, so both answer 200 with
an empty page. Every FilterSet of the API derives from ScopedFilterSet
(tests/security/test_existence_oracles.py checks it and compares the answers)."""

import django_filters
from django import forms
from django.db import models
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS

# The widest integer the databases compare without an error (SQLite's INTEGER).
_ID_BOUND = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """An id, filtered on without looking the row up; not a number is a 400 naming the
    parameter, the same for every value."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -_ID_BOUND)
        kwargs.setdefault("max_value", _ID_BOUND)
        super().__init__(*args, **kwargs)


class ScopedFilterSet(django_filters.FilterSet):
    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
    }
