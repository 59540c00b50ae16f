"""Edit conflicts on the HTML forms: one mechanism for every form with optimistic locking.

A form that carries the version its editor started from (a hidden `version` field) is a
VersionedForm. When the service refuses the save because somebody saved in between
(ConflictError), the view calls edit_conflict() with the row as it is saved now. The page
(templates/includes/edit_conflict.html) then shows both versions of every field that differs,
the form keeps what the editor typed and now carries the saved version — so «Lagre min
versjon» overwrites deliberately — and a link reloads the form with the saved version. The
answer is 409. Without this, saving again conflicted every time and reloading lost the typed
text. The REST API keeps its own 409 JSON answer (portal.errors)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.db import models
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from portal.dates import short_date
from portal.numbers import format_number

VERSION_FIELD = "version"
EMPTY = "–"


class VersionedForm:
    """Marks a form whose hidden `version` field is the version its editor started from: its
    view turns a stale save into edit_conflict() (swept by tests/portal/test_edit_conflicts.py,
    which finds every form with a version field)."""


@dataclass
class EditConflict:
    """What the conflict page shows: the fields that differ (label, mine, saved), or that
    the row was removed meanwhile (then there is no saved version to show)."""

    rows: list[dict] = field(default_factory=list)
    removed: bool = False


def edit_conflict(form: forms.BaseForm, saved: models.Model | None, *,
                  version: int | Callable[[models.Model], int] | None = None) -> EditConflict:
    """Turn a refused save of the (valid) `form` into a choice. `saved` is the row as it is
    stored now, read after the refusal (None: removed meanwhile); `version` its version as
    the form carries it (default: `saved.version`, or a function of the row). The form keeps
    the typed values and gets the saved version, so the next save is the editor's decision."""
    if saved is None:
        return EditConflict(removed=True)
    current = version(saved) if callable(version) else (
        saved.version if version is None else version)
    stored = model_to_dict(saved, fields=[name for name in form.fields
                                          if name != VERSION_FIELD])
    rows = []
    for name, bound in form.fields.items():
        if name == VERSION_FIELD or bound.widget.is_hidden:
            continue
        mine = shown(bound, form.cleaned_data.get(name))
        theirs = shown(bound, stored.get(name, getattr(saved, name, None)))
        if mine != theirs:
            rows.append({"label": bound.label, "mine": mine, "saved": theirs})
    data = form.data.copy()
    data[form.add_prefix(VERSION_FIELD)] = str(current)
    form.data = data
    return EditConflict(rows=rows)


def shown(form_field: forms.Field, value) -> str:
    """A field's value as a person reads it: a choice's label, a person's name, a Norwegian
    date or number; «–» when empty."""
    if isinstance(form_field, forms.BooleanField):
        return _("Ja") if value else _("Nei")
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(form_field, forms.ModelChoiceField):
        if not isinstance(value, models.Model):
            value = form_field.queryset.filter(pk=value).first()
        return EMPTY if value is None else str(form_field.label_from_instance(value))
    if isinstance(form_field, forms.ChoiceField):
        labels = dict(_flat_choices(form_field.choices))
        return str(labels.get(str(value), value))
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return short_date(value)
    if isinstance(value, Decimal):
        return format_number(value.normalize())  # 12,50 as saved and 12,5 as typed are one
    if isinstance(value, (int, float)):
        return format_number(value)
    return str(value).replace("\r\n", "\n").strip()


def _flat_choices(choices):
    for key, label in choices:
        if isinstance(label, (list, tuple)):
            yield from _flat_choices(label)
        else:
            yield str(key), label
