"""One number field for every form: numbers as people write them in the active language.

Browsers' `<input type="number">` drops or misreads what a Norwegian types («45000,50» became
4 500 050 kr), and Django's own localized parsing refuses «1 250,50» (a plain space). These
fields read the language's own way of writing numbers, refuse what they cannot read with a
form error that says why, and never drop a character silently:

- Norwegian (nb, nn): decimal comma; thousands grouped by spaces (also non-breaking and thin
  spaces) or by dots («45 000,50», «1.250.000»). A single dot with one or two digits after it
  («12.5») is read as the decimal point; a single dot with exactly three («1.250») could be
  either and is refused with both readings named.
- English: decimal point; thousands grouped by commas or spaces («45,000.50»).

Groups must have three digits («4 50» is refused, not read as 450). The widget is a text input
with `inputmode` for the phone's number keyboard, and shows the value it read back beside the
field («= 45 000,50»): after the server's round trip, and live as one types (static/portal/
numbers.js, which follows the same rules).

Every DecimalField, IntegerField and FloatField in the project's forms is one of these
(tests/portal/test_numbers.py sweeps them); ModelForms get them through `formfield_callback`."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils import formats, translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

# Every kind of space a keyboard, a copy from a spreadsheet or Django's own formatting gives.
SPACES = "\u0020\u00a0\u202f\u2009\u2007"
MINUS = "-\u2212\u2013"  # hyphen-minus, the minus sign, and the en dash Word makes of it
DIGITS = re.compile(r"\d+")


class NumberFormatError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def decimal_separator() -> str:
    """The active language's decimal separator ("," in Norwegian, "." in English)."""
    return "." if formats.get_format("DECIMAL_SEPARATOR") == "." else ","


def parse_number(raw: str, *, separator: str | None = None) -> Decimal:
    """The number `raw` says in the active language (or with `separator` as decimal mark).
    Raises NumberFormatError with a message for the user."""
    separator = separator or decimal_separator()
    grouping = "," if separator == "." else "."
    text = raw.strip()
    if not text:
        raise NumberFormatError(_("Skriv et tall."))
    sign = ""
    if text[0] in MINUS or text[0] == "+":
        sign = "-" if text[0] in MINUS else ""
        text = text[1:].lstrip(SPACES)
    if separator == "," and "," not in text and text.count(".") == 1:
        whole, fraction = text.split(".")
        if len(fraction) == 3 and whole.strip(SPACES).lstrip("0"):
            raise NumberFormatError(_(
                "«%(text)s» kan bety både %(thousands)s og %(decimal)s. Skriv tusenskille "
                "som mellomrom og desimaler med komma.") % {
                "text": raw.strip(), "thousands": f"{whole}{fraction}",
                "decimal": f"{whole},{fraction}"})
        separator, grouping = ".", ""  # «12.5»: a decimal point typed on a Norwegian page
    whole, _sep, fraction = text.partition(separator)
    if separator in fraction:
        raise NumberFormatError(_("Tallet har mer enn ett desimaltegn."))
    if fraction and not fraction.isdigit():
        raise NumberFormatError(_("Skriv et tall, for eksempel %(example)s.")
                                % {"example": _example(separator)})
    splitter = f"[{SPACES}]+" + (f"|{re.escape(grouping)}" if grouping else "")
    groups = re.split(splitter, whole)
    if not all(DIGITS.fullmatch(g) for g in groups) or not (whole or fraction):
        if whole == "" and fraction:
            groups = ["0"]
        else:
            raise NumberFormatError(_("Skriv et tall, for eksempel %(example)s.")
                                    % {"example": _example(separator)})
    if len(groups) > 1 and (len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:])):
        raise NumberFormatError(_("Sifrene kan bare skilles i grupper på tre "
                                  "(for eksempel 1 250 000)."))
    try:
        return Decimal(f"{sign}{''.join(groups)}.{fraction or '0'}")
    except InvalidOperation:  # pragma: no cover - the checks above leave only digits
        raise NumberFormatError(_("Skriv et tall.")) from None


def _example(separator: str) -> str:
    return "45,000.50" if separator == "." else "45 000,50"


def format_number(value, *, grouping: bool = True, places: int | None = None) -> str:
    """A number as the active language writes it (the form of the field's echo). Whole
    numbers without decimals; others with the field's `places` (kroner and øre: 45 000,50)."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))
        elif places is not None and value.as_tuple().exponent > -places:
            value = value.quantize(Decimal(1).scaleb(-places))
    return formats.number_format(value, use_l10n=True, force_grouping=grouping)


def number_text(value, places: int = 2) -> str:
    """A figure for people to read, in the active language: rounded half up to `places`
    decimals without trailing zeros, thousands grouped, a real minus sign («−1 234,5» in
    Norwegian, «−1,234.5» in English), and «–» for no value. The `num` template filter and
    every number in a text (formulas, messages) go through it, so one page never mixes
    1 234,5 and 1234.5."""
    if value is None or value == "":
        return "–"
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    number = number.quantize(_quantum(places), rounding=ROUND_HALF_UP)
    separator, grouping, thousands = _number_format()
    if type(grouping) is not int or grouping <= 0:  # a grouping pattern: Django's own way
        text = formats.number_format(abs(number), use_l10n=True, force_grouping=True)
    else:
        text = _grouped(abs(number), separator, grouping, thousands)
    if places and separator in text:
        text = text.rstrip("0").rstrip(separator)
    return f"\u2212{text}" if number < 0 else text


def _quantum(places: int) -> Decimal:
    if 0 <= places < len(_QUANTA):
        return _QUANTA[places]
    return Decimal(1).scaleb(-places)


_QUANTA = tuple(Decimal(1).scaleb(-places) for places in range(7))


def _number_format() -> tuple[str, object, str]:
    """The active language's decimal separator, grouping and thousands separator, read once
    per language: a page of a few hundred figures asked Django for them four times each."""
    language = translation.get_language()
    found = _NUMBER_FORMATS.get(language)
    if found is None:
        found = _NUMBER_FORMATS[language] = (
            formats.get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
            formats.get_format("NUMBER_GROUPING", language, use_l10n=True),
            formats.get_format("THOUSAND_SEPARATOR", language, use_l10n=True))
    return found


_NUMBER_FORMATS: dict[str | None, tuple[str, object, str]] = {}


@receiver(setting_changed)
def _forget_number_formats(**kwargs) -> None:
    """Settings (the languages, FORMAT_MODULE_PATH) change only in tests: read them again."""
    _NUMBER_FORMATS.clear()


def _grouped(number: Decimal, separator: str, grouping: int, thousands: str) -> str:
    """What django.utils.numberformat.format writes for a non-negative Decimal with forced
    grouping by `grouping` digits (tests/portal/test_formats.py compares the two)."""
    whole, _point, fraction = f"{number:f}".partition(".")
    head = len(whole) % grouping or grouping
    groups = [whole[:head], *(whole[i:i + grouping] for i in range(head, len(whole), grouping))]
    text = thousands.join(groups)
    return f"{text}{separator}{fraction}" if fraction else text


class NumberInput(forms.TextInput):
    """A text input for a number: the phone's number keyboard (`inputmode`), no spinner and
    no silent truncation by the browser, and the value read shown beside it."""

    def __init__(self, attrs=None, *, inputmode: str = "decimal", grouping: bool = True,
                 places: int | None = None):
        super().__init__({"inputmode": inputmode, "autocomplete": "off",
                          "data-number": "grouped" if grouping else "plain", **(attrs or {})})
        self.grouping = grouping
        self.places = places
        if places:
            self.attrs["data-places"] = str(places)

    def format_value(self, value):
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return format_number(value, grouping=self.grouping, places=self.places)
        return super().format_value(value)

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        field_id = (attrs or {}).get("id") or self.attrs.get("id")
        if not field_id:
            return html
        echo = ""
        if isinstance(value, str) and value.strip():
            try:
                echo = "= " + format_number(parse_number(value), grouping=self.grouping,
                                            places=self.places)
            except (NumberFormatError, InvalidOperation):
                # Nothing to echo, or a number too long to format (the field's own
                # validation says what is wrong with it).
                echo = ""
        # <output> is announced politely when numbers.js updates it while one types.
        return format_html('{}<output class="number-echo" for="{}" id="{}_echo" '
                           'aria-live="polite">{}</output>', html, field_id, field_id, echo)


class HiddenNumberInput(forms.HiddenInput):
    def format_value(self, value):
        return "" if value is None else str(value)


class NorwegianDecimalField(forms.DecimalField):
    """A decimal number written as people write it in the active language (module doc)."""

    widget = NumberInput

    def __init__(self, *args, grouping: bool = True, **kwargs):
        kwargs.pop("localize", None)  # this field is always localized, by its own rules
        widget = kwargs.get("widget")
        if widget is None or (isinstance(widget, type) and widget is NumberInput):
            kwargs["widget"] = NumberInput(grouping=grouping,
                                           places=kwargs.get("decimal_places"))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return super().to_python(str(value))
        try:
            return parse_number(str(value))
        except NumberFormatError as error:
            raise forms.ValidationError(error.message, code="invalid") from None

    def widget_attrs(self, widget):
        return forms.Field.widget_attrs(self, widget)  # no step/min/max of a number input


class NorwegianIntegerField(forms.IntegerField):
    """A whole number written as people write it in the active language. Years and small
    scores are shown without grouping (`grouping=False`)."""

    widget = NumberInput

    def __init__(self, *args, grouping: bool = False, **kwargs):
        kwargs.pop("localize", None)
        widget = kwargs.get("widget")
        if widget is None or (isinstance(widget, type) and widget is NumberInput):
            kwargs["widget"] = NumberInput(inputmode="numeric", grouping=grouping)
        elif widget is forms.HiddenInput or isinstance(widget, forms.HiddenInput):
            kwargs["widget"] = HiddenNumberInput()
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            number = parse_number(str(value))
        except NumberFormatError as error:
            raise forms.ValidationError(error.message, code="invalid") from None
        if number != number.to_integral_value():
            raise forms.ValidationError(_("Skriv et helt tall, uten desimaler."),
                                        code="invalid")
        return int(number)

    def widget_attrs(self, widget):
        return forms.Field.widget_attrs(self, widget)


class NorwegianFloatField(NorwegianDecimalField):
    """A FloatField's value (a float) read by the same rules."""

    def to_python(self, value):
        number = super().to_python(value)
        return None if number is None else float(number)


def formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """A ModelForm's `formfield_callback`: number model fields get the Norwegian fields."""
    if isinstance(db_field, models.DecimalField):
        kwargs.setdefault("form_class", NorwegianDecimalField)
    elif isinstance(db_field, models.FloatField):
        kwargs.setdefault("form_class", NorwegianFloatField)
    elif isinstance(db_field, (models.IntegerField, models.BigIntegerField)) and not (
            isinstance(db_field, models.AutoField) or db_field.choices):
        kwargs.setdefault("form_class", NorwegianIntegerField)
    return db_field.formfield(**kwargs)
