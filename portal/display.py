"""`get_FOO_display()` without rebuilding the choices on every call.

Django's own version builds a dict of the field's choices for each call and hashes every
(value, label) pair on the way, which translates every lazy label: a list of 50 rows with three
choice fields costs some 1 000 translations per page. Here each field's value -> label map is
built once (the labels stay lazy, so the active language still decides) and a call translates
the one label it returns. `install()` runs once, from `PortalConfig.ready()`, for every model.
"""

from __future__ import annotations

from functools import partialmethod

from django.db.models import Model
from django.utils.encoding import force_str

_DJANGO_DISPLAY = Model._get_FIELD_display


def _labels(field) -> dict | None:
    """The field's value -> (lazy) label map, or None where the choices may change (callable)."""
    try:
        return field._display_labels
    except AttributeError:
        pass
    labels = dict(field.flatchoices) if isinstance(field.choices, (list, tuple)) else None
    field._display_labels = labels
    return labels


def _display(self, field):
    labels = _labels(field)
    if labels is not None:
        value = getattr(self, field.attname)
        try:
            return force_str(labels.get(value, value), strings_only=True)
        except TypeError:  # an unhashable value: Django's way below
            pass
    return _DJANGO_DISPLAY(self, field)


def install(models) -> int:
    """Point each model's generated `get_FOO_display` at the fast version; methods a model
    defines itself are left alone. Returns how many were replaced."""
    replaced = 0
    for model in models:
        for field in model._meta.fields:
            name = f"get_{field.name}_display"
            original = _static(model, name)
            if isinstance(original, partialmethod) and original.func is _DJANGO_DISPLAY:
                setattr(model, name, partialmethod(_display, **original.keywords))
                replaced += 1
    return replaced


def _static(model, name):
    for klass in model.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None
