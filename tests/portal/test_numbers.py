"""Issue 16, «Data that is silently wrong»: one number field for every form. Norwegian input
(«45 000,50», «1 250», «12,5», non-breaking spaces) is read as meant, the value read is shown
back, garbage is a form error naming why — and every number field in every form is this one."""

import importlib
import inspect
import pkgutil
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.utils import translation

from portal.numbers import (
    NorwegianDecimalField,
    NorwegianIntegerField,
    NumberFormatError,
    parse_number,
)
from tests.project_apps import ROOT, project_app_labels


@pytest.mark.parametrize("text, expected", [
    ("45 000,50", "45000.50"), ("45\u00a0000,50", "45000.50"), ("45\u202f000,50", "45000.50"),
    ("1 250", "1250"), ("12,5", "12.5"), ("45000,50", "45000.50"), ("1.250.000", "1250000"),
    ("1.250,50", "1250.50"), ("12.5", "12.5"), ("0.125", "0.125"), ("-3,5", "-3.5"),
    ("\u22123,5", "-3.5"), (" 7 ", "7"), (",5", "0.5"), ("1  250", "1250"),
])
def test_norwegian_numbers_are_read_as_meant(text, expected):
    with translation.override("nb"):
        assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "12,5kr", "4 50", "1,2,3", "1.250", "12 3456", ",",
                                  "1e5", "NaN", "--5", "45 000,5 0"])
def test_norwegian_garbage_is_refused_not_truncated(text):
    with translation.override("nb"), pytest.raises(NumberFormatError):
        parse_number(text)


@pytest.mark.parametrize("text, expected", [("45,000.50", "45000.50"), ("1 250", "1250"),
                                            ("12.5", "12.5"), ("1.250", "1.25")])
def test_english_numbers_follow_the_english_interface(text, expected):
    with translation.override("en"):
        assert parse_number(text) == Decimal(expected)
        with pytest.raises(NumberFormatError):
            parse_number("12,5")  # a grouping comma needs three digits after it


class CostForm(forms.Form):
    amount = NorwegianDecimalField(max_digits=14, decimal_places=2)
    year = NorwegianIntegerField(required=False, min_value=2000, max_value=2100)


def test_the_field_refuses_garbage_with_a_reason():
    with translation.override("nb"):
        form = CostForm({"amount": "45 000,5 kr", "year": "2026,5"})
        assert not form.is_valid()
        assert "45 000,50" in form.errors["amount"][0]  # the example says how to write it
        assert "helt tall" in form.errors["year"][0]
        assert CostForm({"amount": "1.250"}).errors["amount"][0].startswith("«1.250» kan bety")


def test_the_field_renders_a_text_input_with_the_number_keyboard_and_the_value_read():
    with translation.override("nb"):
        form = CostForm({"amount": "45000,5", "year": "abc"})
        assert not form.is_valid()
        html = str(form["amount"])
        assert 'type="text"' in html and 'inputmode="decimal"' in html
        assert 'value="45000,5"' in html  # what was typed stays, character for character
        assert "= 45\u00a0000,50" in html  # and what it was read as is shown beside it
        unbound = str(CostForm(initial={"amount": Decimal("45000.50"), "year": 2026})["amount"])
        assert 'value="45\u00a0000,50"' in unbound
        year = str(CostForm(initial={"year": 2026})["year"])
        assert 'value="2026"' in year and 'inputmode="numeric"' in year  # years not grouped
    with translation.override("en"):
        assert 'value="45,000.50"' in str(
            CostForm(initial={"amount": Decimal("45000.50")})["amount"])


def _project_form_classes():
    """Every Form and ModelForm class in the project's own modules, including the content
    forms the projects app builds per kind."""
    for label in project_app_labels():
        package = importlib.import_module(label)
        for info in pkgutil.walk_packages(package.__path__, f"{label}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            module = importlib.import_module(info.name)
            for _name, value in inspect.getmembers(module, inspect.isclass):
                if (issubclass(value, forms.BaseForm) and value.__module__ == info.name
                        and Path(inspect.getfile(value)).is_relative_to(ROOT)):
                    yield value
    from projects.forms import content_form_class
    from projects.services.content import CONTENT_KINDS

    for kind in CONTENT_KINDS:
        yield content_form_class(kind, project=None)


def test_every_number_field_in_every_form_is_the_norwegian_one():
    """The sweep: a new form (or a ModelForm over a new number column) that gets Django's
    DecimalField, IntegerField or FloatField fails here."""
    number_fields = (forms.DecimalField, forms.IntegerField, forms.FloatField)
    ours = (NorwegianDecimalField, NorwegianIntegerField)
    checked, wrong = 0, []
    for form_class in set(_project_form_classes()):
        for name, field in form_class.base_fields.items():
            if isinstance(field, number_fields):
                checked += 1
                if not isinstance(field, ours):
                    wrong.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    assert not wrong, f"number fields that read numbers the browser's way: {wrong}"
    assert checked >= 15  # the costs, funding, benefit, measurement, risk and period fields


def test_no_form_declares_a_formfield_callback_that_django_ignores():
    """Django 5.2's ModelFormMetaclass reads only `Meta.formfield_callback`; one declared on
    the form class is silently unused (CampaignForm declared both, and only the Meta one
    applied). A form that needs two callbacks composes them (portal.dates.dated_formfield
    gives number fields the Norwegian ones too)."""
    ignored = sorted(f"{c.__module__}.{c.__name__}" for c in set(_project_form_classes())
                     if issubclass(c, forms.ModelForm) and "formfield_callback" in vars(c))
    assert not ignored, f"formfield_callback outside Meta: {ignored}"


def test_the_dated_callback_gives_numbers_and_dates_their_norwegian_fields():
    """One callback for both kinds of field: a benefit form built with it reads Norwegian
    numbers and holds its dates to the date policy, and so do the campaign form's dates."""
    from gevinst.models import Benefit
    from ideas.forms import CampaignForm
    from portal.dates import PLANNED, DateRangeValidator, dated_formfield

    class BenefitForm(forms.ModelForm):
        class Meta:
            model = Benefit
            fields = ["baseline_value", "periods_per_year", "baseline_on"]
            formfield_callback = dated_formfield({}, PLANNED)

    fields = BenefitForm.base_fields
    assert isinstance(fields["baseline_value"], NorwegianDecimalField)
    assert isinstance(fields["periods_per_year"], NorwegianDecimalField)
    assert any(isinstance(v, DateRangeValidator) for v in fields["baseline_on"].validators)
    for name in ("opens_on", "closes_on"):
        assert any(isinstance(v, DateRangeValidator)
                   for v in CampaignForm.base_fields[name].validators)
    with translation.override("nb"):
        form = BenefitForm({"baseline_value": "45 000,50", "periods_per_year": "52",
                            "baseline_on": "1999-12-31"})
        assert not form.is_valid()
        assert form.cleaned_data["baseline_value"] == Decimal("45000.50")
        assert list(form.errors) == ["baseline_on"]


def test_costs_and_funding_read_norwegian_amounts():
    from projects.forms import content_form_class

    with translation.override("nb"):
        for kind in ("costs", "funding"):
            form = content_form_class(kind, project=None)
            assert isinstance(form.base_fields["amount_nok"], NorwegianDecimalField)
