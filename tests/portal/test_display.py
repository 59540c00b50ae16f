"""`get_FOO_display()` (portal.display): each model's generated method reads a value -> label
map built once per field, and answers exactly what Django's own method answers."""

from functools import partialmethod

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Model
from django.test.utils import isolate_apps
from django.utils import translation

from portal import display


def _choice_fields():
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.fields:
            if field.choices is not None:
                yield model, field


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_every_choice_field_displays_what_django_would(language):
    """Every value of every choice field, an unknown value and no value, in each language."""
    fields = list(_choice_fields())
    assert len(fields) > 20  # the sweep reaches the models
    with translation.override(language):
        for model, field in fields:
            method = getattr(model, f"get_{field.name}_display")
            values = [value for value, _label in field.flatchoices] + ["ukjent-verdi", None]
            for value in values:
                instance = model()
                setattr(instance, field.attname, value)
                assert method(instance) == Model._get_FIELD_display(instance, field), (
                    model, field.name, value)


def test_the_label_follows_the_active_language():
    from projects.models import Project

    project = Project(visibility="public")
    with translation.override("en"):
        english = project.get_visibility_display()
    with translation.override("nb"):
        bokmal = project.get_visibility_display()
    assert english and bokmal and english != bokmal


def test_every_generated_display_method_is_replaced():
    """No model keeps Django's version: a new model gets the fast one without asking."""
    for model, field in _choice_fields():
        original = display._static(model, f"get_{field.name}_display")
        assert isinstance(original, partialmethod), (model, field.name)
        assert original.func is display._display, (model, field.name)


@isolate_apps("portal")
def test_a_method_a_model_writes_itself_is_left_alone():
    class Written(models.Model):
        colour = models.CharField(max_length=5, choices=[("r", "Rød")])

        class Meta:
            app_label = "portal"

        def get_colour_display(self):
            return "egen"

    assert display.install([Written]) == 0
    assert Written(colour="r").get_colour_display() == "egen"


@isolate_apps("portal")
def test_callable_choices_are_read_each_time():
    """Choices from a callable may change: their labels are not kept."""
    offered = [("a", "Først")]

    class Dynamic(models.Model):
        kind = models.CharField(max_length=5, choices=lambda: list(offered))

        class Meta:
            app_label = "portal"

    display.install([Dynamic])
    assert Dynamic(kind="a").get_kind_display() == "Først"
    offered[:] = [("a", "Siden")]
    assert Dynamic(kind="a").get_kind_display() == "Siden"
