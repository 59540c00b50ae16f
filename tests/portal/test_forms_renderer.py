"""The site's form renderer (portal.forms_renderer): the Designsystemet classes on every widget,
and selects, inputs and textareas written in Python exactly as Django's templates would write
them."""

import datetime
import decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from portal import forms_renderer
from portal.forms_renderer import DesignsystemetRenderer


def _by_template(widget, name, value, attrs=None):
    """The widget as Django's templates render it: the renderer with its Python paths
    switched off."""
    written = dict(forms_renderer._IN_PYTHON)
    forms_renderer._IN_PYTHON.clear()
    try:
        return widget.render(name, value, attrs, renderer=DesignsystemetRenderer())
    finally:
        forms_renderer._IN_PYTHON.update(written)


def _inline(widget, name, value, attrs=None):
    return widget.render(name, value, attrs, renderer=DesignsystemetRenderer())


GROUPED = [("", "Velg"), ("Tjenester", [("hjem", "Hjemmetjenesten"), ("sykehjem", "Sykehjem")]),
           ("a&b", 'Tom "&" <Jerry>'), ("Andre", [("x<y", "x < y"), (3, 4)])]


def test_a_select_with_groups_a_selected_value_escaping_and_the_class():
    html = _inline(forms.Select(choices=GROUPED), "unit", "sykehjem", {"id": "id_unit"})
    assert html == (
        '<select name="unit" id="id_unit" class="ds-input">\n'
        '  <option value="">Velg</option>\n\n'
        '  <optgroup label="Tjenester">\n'
        '  <option value="hjem">Hjemmetjenesten</option>\n\n'
        '  <option value="sykehjem" selected>Sykehjem</option>\n\n'
        '  </optgroup>\n'
        '  <option value="a&amp;b">Tom &quot;&amp;&quot; &lt;Jerry&gt;</option>\n\n'
        '  <optgroup label="Andre">\n'
        '  <option value="x&lt;y">x &lt; y</option>\n\n'
        '  <option value="3">4</option>\n\n'
        '  </optgroup>\n'
        '</select>')


def test_a_multiple_select_keeps_its_class_and_marks_every_chosen_value():
    widget = forms.SelectMultiple(choices=[("1", "En"), ("2", "To"), ("3", "Tre")],
                                  attrs={"class": "wide", "data-x": "a\"b"})
    html = _inline(widget, "tags", ["1", "3"])
    assert html == (
        '<select name="tags" class="wide ds-input" data-x="a&quot;b" multiple>\n'
        '  <option value="1" selected>En</option>\n\n'
        '  <option value="2">To</option>\n\n'
        '  <option value="3" selected>Tre</option>\n\n'
        '</select>')


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    grouped = forms.ChoiceField(choices=GROUPED, required=False)
    many = forms.MultipleChoiceField(choices=[("1", "En"), ("2", "To")], required=False)
    maybe = forms.NullBooleanField()
    typed = forms.TypedChoiceField(choices=[(1, "En"), (2, "To")], coerce=int)


@pytest.mark.parametrize("data", [
    {},
    {"plain": "b", "grouped": "x<y", "many": ["1", "2"], "maybe": "true", "typed": "2"},
    {"plain": "nope", "grouped": "a&b", "many": ["9"], "maybe": "false", "typed": "x"},
])
def test_a_form_renders_as_django_templates_render_it(data):
    """Bound and unbound, valid and invalid: each select field's HTML, compared with what
    select.html renders for it (also a plain DjangoTemplates renderer, for the classes)."""
    form = Choices(data or None, renderer=DesignsystemetRenderer())
    for field in form:
        widget, value = field.field.widget, field.value()
        attrs = field.build_widget_attrs({"id": field.auto_id})
        assert _inline(widget, field.html_name, value, attrs) == \
            _by_template(widget, field.html_name, value, attrs)
    plain = Choices(data or None, renderer=DjangoTemplates()).as_div()
    assert form.as_div().replace(' class="ds-input"', "") == plain


WEIRD_VALUES = [
    # Labels localized as the template localizes them (Norwegian decimal comma), dates,
    # lazy translations, marked-safe text, None and booleans.
    [(decimal.Decimal("1.5"), decimal.Decimal("1.5")), (2.25, 2.25), (1000, 1000)],
    [(datetime.date(2025, 3, 1), datetime.date(2025, 3, 1)),
     ("t", datetime.datetime(2025, 3, 1, 12, 0, tzinfo=datetime.timezone.utc))],
    [("lazy", gettext_lazy("Alle")), (mark_safe("<b>"), mark_safe("<i>fet</i>"))],
    [(None, None), (True, False), ("", ""), ((1, 2), "tuple")],
    [(gettext_lazy("Gruppe"), [("g", "G")]), ("", [("h", "H")]), (0, [("z", "Z")])],
]


@pytest.mark.parametrize("choices", WEIRD_VALUES)
@pytest.mark.parametrize("language", ["nb", "en"])
def test_odd_values_and_labels_render_as_the_template_renders_them(choices, language):
    widget = forms.Select(choices=choices)
    with translation.override(language):
        assert _inline(widget, "x", "t") == _by_template(widget, "x", "t")


@pytest.mark.parametrize("attrs", [
    {"disabled": True, "hidden": False, "title": None, "data-n": 0},
    {"aria-label": mark_safe("&amp;"), "data-t": (1, 2), "class": "<x>"},
    {"items": [("read", "instead of the attributes")]},
    {"data-call": lambda: "called"},
])
def test_odd_attributes_render_as_the_template_renders_them(attrs):
    widget = forms.Select(choices=[("a", "A")], attrs=attrs)
    assert _inline(widget, "x", "a") == _by_template(widget, "x", "a")


def test_what_the_template_would_call_is_left_to_the_template():
    widget = forms.Select(choices=[(lambda: "v", lambda: "called")])
    assert "called" in _inline(widget, "x", None)
    assert _inline(widget, "x", None) == _by_template(widget, "x", None)


def test_a_widget_with_its_own_option_template_keeps_it():
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Custom(choices=[("a", "A")])
    html = _inline(widget, "x", "a")
    assert html == _by_template(widget, "x", "a") and "<input" in html


INPUT_WIDGETS = [forms.TextInput(), forms.NumberInput(), forms.EmailInput(), forms.URLInput(),
                 forms.PasswordInput(render_value=True), forms.HiddenInput(), forms.DateInput(),
                 forms.DateTimeInput(), forms.TimeInput(), forms.CheckboxInput(),
                 forms.ClearableFileInput(), forms.FileInput(), forms.Textarea(),
                 forms.TextInput(attrs={"class": "wide", "placeholder": 'Tom & "Jerry"',
                                        "required": True, "disabled": False}),
                 forms.Textarea(attrs={"rows": 3, "aria-describedby": "id_x_helptext"})]
INPUT_VALUES = [None, "", "tekst", 'a<b>&"c"', mark_safe("<i>trygg</i>"), 0, 1234.5,
                decimal.Decimal("1.50"), True, False, datetime.date(2026, 12, 6),
                datetime.datetime(2026, 12, 6, 13, 5), gettext_lazy("Alle"), "\nlinje"]


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("widget", INPUT_WIDGETS, ids=lambda w: type(w).__name__)
def test_inputs_and_textareas_render_as_the_templates_render_them(widget, language):
    """Every value kind (none, empty, text to escape, safe text, numbers localized, booleans,
    dates, lazy text, a leading newline) in every input widget and the textarea."""
    with translation.override(language):
        for value in INPUT_VALUES:
            attrs = {"id": "id_x"}
            assert _inline(widget, "x", value, attrs) == _by_template(widget, "x", value, attrs)


def test_an_input_is_written_in_python_with_the_class():
    calls, name = [], "django/forms/widgets/text.html"
    real = forms_renderer._IN_PYTHON[name]
    forms_renderer._IN_PYTHON[name] = lambda widget: calls.append(widget) or real(widget)
    try:
        html = _inline(forms.TextInput(), "q", "nattilsyn", {"id": "id_q"})
    finally:
        forms_renderer._IN_PYTHON[name] = real
    assert calls
    assert html == '<input type="text" name="q" value="nattilsyn" id="id_q" class="ds-input">'


@pytest.mark.parametrize("data", [{}, {"title": "Nattilsyn", "need": "<b>Færre</b> besøk",
                                       "count": "12", "when": "06.12.2026", "agree": "on"},
                                  {"title": "", "count": "x", "when": "32.13.2026"}])
def test_a_form_with_inputs_renders_as_django_templates_render_it(data):
    class Inputs(forms.Form):
        title = forms.CharField(max_length=10, help_text="Kort")
        need = forms.CharField(widget=forms.Textarea, required=False)
        count = forms.IntegerField(min_value=0, required=False)
        when = forms.DateField(required=False)
        agree = forms.BooleanField(required=False)
        secret = forms.CharField(widget=forms.HiddenInput, initial="s")

    with translation.override("nb"):
        form = Inputs(data or None, renderer=DesignsystemetRenderer())
        written = form.as_div()
        in_python = dict(forms_renderer._IN_PYTHON)
        forms_renderer._IN_PYTHON.clear()
        try:
            templated = Inputs(data or None, renderer=DesignsystemetRenderer()).as_div()
        finally:
            forms_renderer._IN_PYTHON.update(in_python)
        plain = Inputs(data or None, renderer=DjangoTemplates()).as_div()
    assert written == templated
    assert written.count('class="ds-input"') == 5  # every widget but the hidden one
    assert written.replace(' class="ds-input"', "") == plain
