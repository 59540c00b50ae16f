"""Give every form widget the Designsystemet classes, so no form has to remember them.

A select is written here in Python, not through Django's select.html: the template includes
select_option.html and attrs.html for every option, and those includes were most of a list
page's form rendering (issue 18: a filter form's selects about 8 ms). So are the one-line
widgets, every `<input>` (text.html, number.html, checkbox.html, … include input.html, which
includes attrs.html: three templates for one tag, ~0.4 ms each) and the textarea. The output
is the templates', byte for byte (tests/portal/test_forms_renderer.py); anything the templates
would treat in a way not copied here (a value to call, attrs with an `items` key) is left to
them."""

from types import SimpleNamespace

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.utils.safestring import SafeData, mark_safe

WIDGET_CLASSES = {
    "checkbox": "ds-input",
    "radio": "ds-input",
    "select": "ds-input",
    "selectmultiple": "ds-input",
    "textarea": "ds-input",
}

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
# Django's templates that are exactly {% include "django/forms/widgets/input.html" %}, and it.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html" for name in (
        "input", "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number",
        "password", "search", "tel", "text", "time", "url"))
# What a template's {{ }} sees when a widget is rendered: autoescape on, the settings' l10n/tz.
_TEMPLATE_CONTEXT = SimpleNamespace(autoescape=True, use_l10n=None, use_tz=None)


class _AsTemplate(Exception):
    """A value the template would treat in a way not copied here: render with the template."""


def _text(value) -> str:
    """{{ value }}"""
    if callable(value):  # the template would call it
        raise _AsTemplate
    return render_value_in_context(value, _TEMPLATE_CONTEXT)


def _formatted(value) -> str:
    """{{ value|stringformat:'s' }}"""
    if callable(value):
        raise _AsTemplate
    text = stringformat(value, "s")
    return render_value_in_context(mark_safe(text) if isinstance(value, SafeData) else text,
                                   _TEMPLATE_CONTEXT)


def _attrs(attrs) -> str:
    """django/forms/widgets/attrs.html"""
    if type(attrs) is not dict or "items" in attrs:  # the template would read attrs["items"]
        raise _AsTemplate
    return "".join(
        f" {_text(name)}" + ("" if value is True else f'="{_formatted(value)}"')
        for name, value in attrs.items() if value is not False)


def render_select(widget: dict) -> str:
    """django/forms/widgets/select.html with its options (select_option.html) inline, stripped
    as the renderer strips a template's output."""
    if not isinstance(widget.get("optgroups"), list) or "name" not in widget:
        raise _AsTemplate
    out = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if callable(group_name):
            raise _AsTemplate
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                raise _AsTemplate
            out.append(f'\n  <option value="{_formatted(option["value"])}"'
                       f'{_attrs(option["attrs"])}>{_text(option["label"])}</option>\n')
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def render_input(widget: dict) -> str:
    """django/forms/widgets/input.html (what text.html, checkbox.html, … include)."""
    value = widget["value"]
    if callable(value):  # `!= None` would call it
        raise _AsTemplate
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
            f'{_attrs(widget["attrs"])}>')


def render_textarea(widget: dict) -> str:
    """django/forms/widgets/textarea.html."""
    value = widget["value"]
    if callable(value):
        raise _AsTemplate
    return (f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
            f'{_text(value) if value else ""}</textarea>')


_IN_PYTHON = {SELECT_TEMPLATE: render_select, TEXTAREA_TEMPLATE: render_textarea,
              **dict.fromkeys(INPUT_TEMPLATES, render_input)}


class DesignsystemetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if isinstance(widget, dict) and "attrs" in widget and widget.get("type") != "hidden":
            attrs = dict(widget["attrs"])
            extra = WIDGET_CLASSES.get(template_name.rsplit("/", 1)[-1].removesuffix(".html"),
                                       "ds-input")
            attrs["class"] = f"{attrs.get('class', '')} {extra}".strip()
            widget["attrs"] = attrs
        written = _IN_PYTHON.get(template_name)
        if written is not None and isinstance(widget, dict):
            try:
                return written(widget)
            except (_AsTemplate, KeyError):  # KeyError: a key the templates read is missing
                pass
        return super().render(template_name, context, request=request)
