"""One short date (06.12.2026), one long (6. desember 2026), one date with time (06.12.2026
14:05) and numbers as each language writes them (1 234,5 in Norwegian, 1,234.5 in English),
from the format modules in innoportal/formats/ (issue 16, "Norwegian formats everywhere").

The sweeps find every member of the class: a template that spells a date pattern of its own
(`|date:"j.n.Y"` gave 6.12.2026) or formats a figure past the `num` filter (`floatformat`
printed 1234,5 beside 1 234,5), and Python code that writes a date or a number into text for
people with strftime/isoformat or a format spec instead of django.utils.formats in the reader's
language (reminder mails said 2025-01-31). Machine formats (the API, exports' file names, the
exchange format, logs, backups) are allow-listed by module and function, with the reason."""

from __future__ import annotations

import ast
import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.utils import formats, translation

from portal.numbers import number_text, parse_number
from portal.templatetags.formatting import isodate, kr, num
from tests.sources import parse_file

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
DAY = datetime.date(2026, 12, 6)
MOMENT = datetime.datetime(2026, 12, 6, 14, 5)
NBSP = "\u00a0"

EXPECTED = {
    #       short         long                 with time           1234.5
    "nb": ("06.12.2026", "6. desember 2026", "06.12.2026 14:05", f"1{NBSP}234,5"),
    "nn": ("06.12.2026", "6. desember 2026", "06.12.2026 14:05", f"1{NBSP}234,5"),
    "en": ("06.12.2026", "6 December 2026", "06.12.2026 14:05", "1,234.5"),
}


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_each_language_has_one_short_and_one_long_date_and_its_own_numbers(language):
    short, long, with_time, number = EXPECTED[language]
    with translation.override(language):
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == short
        assert formats.date_format(DAY) == long
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == with_time
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == with_time
        assert formats.number_format(Decimal("1234.5"), force_grouping=True) == number
        assert number_text(Decimal("1234.5")) == number
        assert num(Decimal("-1234.50"), 2) == "\u2212" + number
        # A date typed as the pages show it is read back as the same day.
        assert DAY in [datetime.datetime.strptime(short, f).date()
                       for f in formats.get_format("DATE_INPUT_FORMATS")
                       if _parses(short, f)]


def _parses(text: str, pattern: str) -> bool:
    try:
        datetime.datetime.strptime(text, pattern)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
@pytest.mark.parametrize("value", [Decimal("1234.5"), Decimal("-45000.5"), Decimal("1250000"),
                                   Decimal("0.125"), 12, 3.75])
def test_a_figure_as_shown_is_read_back_by_the_number_field(language, value):
    """The number field (portal.numbers) reads every figure the pages print, so a number
    copied from a page into a form means the same number."""
    with translation.override(language):
        shown = number_text(value, 3)
        assert parse_number(shown.replace("\u2212", "-")) == Decimal(str(value))


def test_number_text_rounds_half_up_and_drops_zero_decimals():
    with translation.override("nb"):
        assert number_text(Decimal("2.005")) == "2,01"
        assert number_text(Decimal("12.00")) == "12"
        assert number_text(Decimal("1.10"), 1) == "1,1"
        assert number_text(Decimal("1234.5"), 0) == f"1{NBSP}235"
        assert number_text(None) == number_text("") == "–"
    with translation.override("en"):
        assert number_text(Decimal("1.10"), 1) == "1.1"


def _number_text_by_django(value, places: int = 2) -> str:
    """number_text as it was written on django.utils.formats.number_format, which it now
    does without (it is called a few hundred times per page): the two must agree."""
    from decimal import ROUND_HALF_UP

    if value is None or value == "":
        return "–"
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = formats.number_format(abs(number), use_l10n=True, force_grouping=True)
    if places:
        separator = formats.get_format("DECIMAL_SEPARATOR")
        if separator in text:
            text = text.rstrip("0").rstrip(separator)
    return f"\u2212{text}" if number < 0 else text


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_number_text_writes_what_django_number_format_writes(language):
    values = [0, 1, -1, 7, 999, 1000, -1000, 12345, 999999, 1000000, -1234567, 10 ** 20,
              0.5, -0.5, 0.004, 0.005, -0.005, 3.75, 1234.5, 1e-7, 123456789.125,
              Decimal("0"), Decimal("-0.00"), Decimal("2.005"), Decimal("12.00"),
              Decimal("1234.5678"), Decimal("-45000.5"), Decimal("99999.995"),
              Decimal("123456789012345678.91"), Decimal("1E+5"), Decimal("0.0001"), "42",
              "-1234.50", None, ""]
    with translation.override(language):
        for value in values:
            for places in (0, 1, 2, 3, 4, 8):
                assert _outcome(number_text, value, places) == _outcome(
                    _number_text_by_django, value, places), (value, places)


def _outcome(write, value, places):
    """The text written, or the error raised (a figure beyond the decimal precision)."""
    from decimal import InvalidOperation

    try:
        return write(value, places)
    except InvalidOperation as error:
        return type(error)


def test_an_amount_in_kroner_is_whole_and_grouped():
    with translation.override("nb"):
        assert kr(Decimal("161200.4")) == f"161{NBSP}200 kr"


def test_an_iso_date_from_an_event_reads_as_a_date():
    assert isodate("2026-12-06") == DAY
    assert isodate("not a date") == "not a date" and isodate(None) is None


# --- templates ----------------------------------------------------------------------------------

# The date formats a template may name; "c" is ISO 8601 for a <time datetime="…"> attribute.
NAMED = {"SHORT_DATE_FORMAT", "DATE_FORMAT", "SHORT_DATETIME_FORMAT", "DATETIME_FORMAT"}
MACHINE_DATE = {"c"}
DATE_FILTER = re.compile(r"\|(date|time):\s*(?:\"([^\"]*)\"|'([^']*)')")
# Figures go through `num`: floatformat prints 1234,5 (no grouping) and intcomma follows
# other rules, so one page would mix the two.
FIGURE_FILTERS = re.compile(r"\|\s*(floatformat|intcomma|stringformat:\s*[\"']\S*[fg][\"'])"
                            # an amount with «kr» spelled after it: |kr writes NOK in English
                            r"|\}\}\s*kr\b")


def template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt"))


def test_templates_name_their_date_formats():
    literal = []
    for path in template_files():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in DATE_FILTER.finditer(line):
                pattern = match.group(2) if match.group(2) is not None else match.group(3)
                if pattern not in NAMED | MACHINE_DATE:
                    literal.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)}")
    assert not literal, ("Use |date:\"SHORT_DATE_FORMAT\" (06.12.2026), |date:\"DATE_FORMAT\" "
                         "(6. desember 2026) or |date:\"SHORT_DATETIME_FORMAT\":\n"
                         + "\n".join(literal))


def test_templates_print_figures_through_num():
    found = [f"{path.relative_to(ROOT)}:{number}: {match.group(0)}"
             for path in template_files()
             for number, line in enumerate(path.read_text().splitlines(), 1)
             for match in FIGURE_FILTERS.finditer(line)]
    assert not found, ("Use |num or |kr (portal/templatetags/formatting.py):\n"
                       + "\n".join(found))


def test_every_template_compiles():
    """A filter used without its {% load %} is an error only when the page is rendered
    (a 500 on the point-scheme page): compile them all."""
    engine = engines["django"]
    broken = []
    for path in template_files():
        try:
            engine.from_string(path.read_text())
        except Exception as error:  # noqa: BLE001 - every kind of template error is reported
            broken.append(f"{path.relative_to(ROOT)}: {error}")
    assert not broken, "\n".join(broken)


# --- Python text --------------------------------------------------------------------------------

PACKAGES = ("portal", "ideas", "projects", "gevinst", "indicators", "initiatives",
            "notifications", "overview", "exchange", "ops", "innoportal")

# Machine text: where an ISO date, a timestamp pattern or a plain number is the format.
# "path::function" (or "path" for a whole module), with the reason.
MACHINE = {
    "ops": "backups, health checks and task stamps: files, JSON and logs",
    "exchange": "the exchange format (JSON) and its English import errors that name the path",
    "portal/api": "the REST API keeps ISO dates",
    "ideas/exports.py::": "the export's file name",
    "projects/exports.py::": "the export's file name",
    "gevinst/exports.py::": "the export's file name",
    "portal/dates.py::import_date_error": "the portfolio import's English errors (JSON path)",
}

DATE_CALLS = {"strftime"}
ISO_CALLS = {"isoformat"}
TEXT_CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext", "format", "format_html",
              "DomainError", "ValidationError", "Forbidden", "ConflictError"}
DATE_FORMAT_CALLS = {"date_format", "time_format", "format"}


def python_files() -> list[Path]:
    files = []
    for package in PACKAGES:
        files += [p for p in (ROOT / package).rglob("*.py")
                  if "migrations" not in p.parts and "formats" not in p.parts]
    return sorted(files)


def _machine(path: Path, function: str) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    for key in MACHINE:
        place, _sep, name = key.partition("::")
        if (relative == place or relative.startswith(place + "/")) and name in ("", function):
            return True
    return False


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


class TextFinder(ast.NodeVisitor):
    """Dates and numbers written into text for people without the active language's
    formats."""

    def __init__(self, path: Path):
        self.path = path
        self.function = ""
        self.text_depth = 0  # inside an f-string, a %-interpolation or a message call
        self.found: list[str] = []

    def _report(self, node: ast.AST, what: str) -> None:
        if not _machine(self.path, self.function):
            self.found.append(f"{self.path.relative_to(ROOT)}:{node.lineno} "
                              f"({self.function or 'module'}): {what}")

    def visit_FunctionDef(self, node):
        outer, self.function = self.function, node.name
        self.generic_visit(node)
        self.function = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def _in_text(self, node):
        self.text_depth += 1
        self.generic_visit(node)
        self.text_depth -= 1

    def visit_JoinedStr(self, node):
        self._in_text(node)

    def visit_BinOp(self, node):
        if isinstance(node.op, ast.Mod) and self._stringy(node.left):
            self._in_text(node)
        else:
            self.generic_visit(node)

    @staticmethod
    def _stringy(node) -> bool:
        return (isinstance(node, ast.Constant) and isinstance(node.value, str)) or (
            isinstance(node, ast.Call) and _name(node.func) in TEXT_CALLS)

    def visit_FormattedValue(self, node):
        spec = node.format_spec
        if spec is not None:
            text = "".join(v.value for v in spec.values if isinstance(v, ast.Constant))
            if "%" in text:
                self._report(node, f"a date pattern in an f-string (:{text})")
            elif "," in text or "_" in text:
                self._report(node, f"a number grouped by a format spec (:{text})")
        self.generic_visit(node)

    def visit_Call(self, node):
        name = _name(node.func)
        if name in DATE_CALLS:
            self._report(node, "strftime(): use django.utils.formats.date_format")
        elif name in ISO_CALLS and self.text_depth:
            self._report(node, "an ISO date in text: use date_format(…, \"SHORT_DATE_FORMAT\")")
        elif name in DATE_FORMAT_CALLS and len(node.args) >= 2:
            pattern = node.args[1]
            if (isinstance(pattern, ast.Constant) and isinstance(pattern.value, str)
                    and pattern.value not in NAMED):
                self._report(node, f"a literal date pattern {pattern.value!r}")
        elif (name == "replace" and node.args and isinstance(node.args[0], ast.Constant)
              and node.args[0].value in (",", ".")
              and isinstance(node.func, ast.Attribute)
              and any(isinstance(n, ast.FormattedValue | ast.JoinedStr)
                      or (isinstance(n, ast.Call) and _name(n.func) == "format")
                      for n in ast.walk(node.func.value))):
            self._report(node, "separators swapped by hand: use portal.numbers.number_text")
        if name in TEXT_CALLS:
            self._in_text(node)
        else:
            self.generic_visit(node)


def test_python_writes_dates_and_numbers_for_people_in_the_readers_formats():
    found = []
    for path in python_files():
        finder = TextFinder(path)
        finder.visit(parse_file(path))
        found += finder.found
    assert not found, ("Dates and numbers in text for people go through "
                       "django.utils.formats / portal.numbers.number_text (or allow-list a "
                       "machine format in MACHINE with the reason):\n" + "\n".join(found))


def test_the_sweep_finds_what_it_is_meant_to_find(tmp_path):
    """The Python sweep flags each kind it names (so it cannot pass by finding nothing)."""
    source = tmp_path / "sample.py"
    source.write_text(
        "def mail(due, amount, moment):\n"
        "    a = _('Forfaller %(d)s') % {'d': due.isoformat()}\n"
        "    b = due.strftime('%d.%m.%Y')\n"
        "    c = f'{amount:,.0f}'.replace(',', ' ')\n"
        "    d = date_format(due, 'j.n.Y')\n"
        "    e = f'{moment:%Y-%m-%d}'\n"
        "    f = {'due': due.isoformat()}  # a JSON payload: machine text\n"
        "    g = date_format(due, 'SHORT_DATE_FORMAT')\n"
        "    return a, b, c, d, e, f, g\n")
    finder = TextFinder(source)
    finder.path = source
    finder.found = []
    finder._report = lambda node, what: finder.found.append((node.lineno, what))
    finder.visit(parse_file(source))
    assert sorted({line for line, _what in finder.found}) == [2, 3, 4, 5, 6]
