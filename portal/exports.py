"""Exports of lists as CSV and Excel, each column with a description — the one place that
writes spreadsheet files.

An export is a list of `Column`s (header, description for the data dictionary, how to get
the value from a row, and the `Kind` of that value: text, a choice, a number, kroner, a date
or a date and time). The views that offer an export build the rows from the same selectors
as their pages — scoped to the user, with anonymity applied — so an export never holds more
than the page would show. Excel files are written with openpyxl's write-only mode (streamed
rows, flat memory) and carry a second sheet, «Dataordbok», describing every column.

Three rules hold for every file because every writer goes through this module
(tests/security/test_export_sweep.py checks them on every download route, and that no other
module writes CSV or Excel):

- **Files for people read in the reader's language.** Headers and choice values are labels
  in the active language, never codes. CSV: numbers with the language's decimal mark and no
  thousands separator («1234,5»), «;» between cells beside a decimal comma (Norwegian Excel
  reads both), dates and times in the language's short formats (06.12.2026, 06.12.2026
  14:05; no microseconds), UTF-8 with a BOM. Excel: numbers and dates are typed cells with a
  number format («# ##0», «# ##0,00», «dd.mm.yyyy»), the header row frozen, an autofilter
  on every sheet. The machine CSV of the indicator API (`csv_text`, `SafeCsvWriter`: dot
  decimals, ISO dates, codes, as documented for clients) is the exception, and only there.

- **Formula neutralisation.** A text cell that a spreadsheet would run as a formula — it
  starts with `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP's list) or a full-width
  `＝ ＋ － ＠` — is written as text: in CSV with a leading apostrophe (`'=HYPERLINK(…)`),
  in Excel as a string cell with the quote prefix set (the text is kept exactly; Excel shows
  and edits it as text). Numbers, dates and booleans are typed cells and never touched, so a
  negative number stays a number; a text such as «-5 kr» is neutralised.
- **One request parser.** `?format=` and the names that pick a download (`download`,
  `sheet`, …) are read by `parse_export` from the view's `ExportSpec`: an unknown value is a
  400 that names the valid ones, as an HTML page here or as the API's JSON error
  (portal.api.exports) — never a CSV with 200.
"""

from __future__ import annotations

import csv
import datetime
import enum
import functools
import io
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.utils import dateformat, numberformat, timezone
from django.utils.formats import get_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from portal.errors import DomainError

FORMATS = ("csv", "xlsx")
CSV_MEDIA_TYPE = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- formula neutralisation ---------------------------------------------------------------------

# OWASP "CSV Injection": = + - @ and the tab / carriage-return variants; full-width forms,
# which some spreadsheet versions treat like their ASCII twins.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet read this text cell as the start of a formula?"""
    return text[:1] in FORMULA_TRIGGERS


def neutralise(text: str) -> str:
    """The text as CSV must carry it: with a leading apostrophe when it looks like a formula
    (the spreadsheet then shows it as text)."""
    return "'" + text if is_formula_like(text) else text


class Kind(enum.Enum):
    """What a column holds, declared by every export: how the CSV writes it, which cell type
    and number format Excel gets, and the «Type» the data dictionary names."""

    TEXT = "text"
    CHOICE = "choice"  # a code, written as its label in the reader's language
    IDENTIFIER = "identifier"  # a row's number in Innoportal: whole, never grouped
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"  # kroner
    DATE = "date"
    DATETIME = "datetime"

    @property
    def label(self) -> str:
        return str(_KIND_LABELS[self])


_KIND_LABELS = {
    Kind.TEXT: gettext_lazy("Tekst"),
    Kind.CHOICE: gettext_lazy("Tekst (fast liste)"),
    Kind.IDENTIFIER: gettext_lazy("Nummer"),
    Kind.INTEGER: gettext_lazy("Heltall"),
    Kind.DECIMAL: gettext_lazy("Desimaltall"),
    Kind.MONEY: gettext_lazy("Kroner"),
    Kind.DATE: gettext_lazy("Dato"),
    Kind.DATETIME: gettext_lazy("Dato og tid"),
}
# The choices of a yes/no column (Column(..., Kind.CHOICE, YES_NO)).
YES_NO = {True: gettext_lazy("Ja"), False: gettext_lazy("Nei")}
NUMBERS = frozenset({Kind.IDENTIFIER, Kind.INTEGER, Kind.DECIMAL, Kind.MONEY})
# Decimals a number column shows: Excel's number format (the cell keeps the whole value), and
# at least these in CSV (a value with more keeps them all; kroner are «78000,00»).
DEFAULT_PLACES = {Kind.DECIMAL: 2, Kind.MONEY: 2}


@dataclass(frozen=True)
class Column:
    """One column of an export: its header and its description for the data dictionary
    (both in the reader's language), how to get the value from a row, and what kind of value
    that is. A `Kind.CHOICE` column's value is a code, and `choices` (a choices class or a
    code → label mapping) gives the label the file shows. `places` overrides the decimals
    Excel shows for a number column."""

    header: str
    description: str
    value: Callable[[object], object]
    kind: Kind = Kind.TEXT
    choices: object = None
    places: int | None = None
    labels: Mapping = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self):
        if not isinstance(self.kind, Kind):
            raise TypeError(f"Column {self.header!r}: kind must be a portal.exports.Kind")
        if (self.kind is Kind.CHOICE) != (self.choices is not None):
            raise ValueError(f"Column {self.header!r}: choices go with Kind.CHOICE, and only "
                             f"with it")
        if self.choices is not None:
            # Translated once per export, in the request's language, not once per cell.
            labels = (choice_labels(self.choices) if hasattr(self.choices, "choices")
                      else {code: str(label) for code, label in self.choices.items()})
            object.__setattr__(self, "labels", labels)

    def typed(self, row):
        """The row's value as this column's kind: None when empty, else a str, a number, a
        date or a local datetime to the second. A value of another kind is a TypeError: the
        declaration is checked on every cell (the export sweep runs every export)."""
        return _as_kind(self, self.value(row))

    @property
    def decimals(self) -> int:
        return self.places if self.places is not None else DEFAULT_PLACES.get(self.kind, 0)


def _as_kind(column: Column, value):
    kind = column.kind
    if value is None or (value == "" and kind is not Kind.TEXT):
        return None
    if kind is Kind.TEXT and isinstance(value, (str, Promise)):
        return str(value)
    if kind is Kind.CHOICE:
        return column.labels.get(value, str(value))
    if kind in NUMBERS and isinstance(value, (int, float, Decimal)) and \
            not isinstance(value, bool) and (kind not in (Kind.IDENTIFIER, Kind.INTEGER)
                                             or value == int(value)):
        return value
    if kind is Kind.DATE and isinstance(value, datetime.date) and \
            not isinstance(value, datetime.datetime):
        return value
    if kind is Kind.DATETIME and isinstance(value, datetime.datetime):
        # Excel has no time zones: local time, as the pages show it; no microseconds.
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(tzinfo=None, microsecond=0)
    raise TypeError(f"Column {column.header!r} is {kind.value}, but a row gave "
                    f"{type(value).__name__} {str(value)[:40]!r}")


def choice_labels(choices) -> dict[str, str]:
    """A choices class's labels, translated once per export. Model.get_FOO_display() hashes
    the whole (lazy) choice list on every call: a millisecond a cell on a long export."""
    return {value: str(label) for value, label in choices.choices}


# --- the machine CSV: the indicator API and `manage.py indicators show` ------------------------

def _typed(value):
    """A machine cell's value as a spreadsheet type: None, a number, a date or time, or text."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.astimezone().replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, (bool, int, float, Decimal, datetime.date)):
        return value
    return str(value)


def csv_cell(value):
    """One machine CSV cell: typed values as they are, text neutralised."""
    value = _typed(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    return value


class _Echo:
    def write(self, value):
        return value


class SafeCsvWriter:
    """csv.writer with every cell passed through `csv_cell`: the CSV writer for machines (the
    indicator API and `manage.py indicators show`: dot decimals, ISO dates, codes)."""

    def __init__(self, stream, *, delimiter: str = ";"):
        self._writer = csv.writer(stream, delimiter=delimiter)

    def writerow(self, row: Iterable):
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(header: Sequence[str], rows: Iterable[Sequence], *, delimiter: str = ",") -> str:
    """A whole machine CSV document as text (the API's CSV: comma-separated, no BOM)."""
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


# --- CSV for people ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CsvStyle:
    """How the reader's language writes a CSV for its spreadsheet, read once when the file
    starts (the rows stream after the view has returned): the decimal mark of the language's
    format module, no thousands separator (Excel reads «1 234,5» as text), the short date
    formats, and the list separator that goes with the decimal mark — «;» beside a decimal
    comma, as Norwegian Excel expects, «,» beside a decimal point."""

    decimal: str
    date: str
    datetime: str

    @classmethod
    def active(cls) -> CsvStyle:
        return cls(decimal=get_format("DECIMAL_SEPARATOR"),
                   date=get_format("SHORT_DATE_FORMAT"),
                   datetime=get_format("SHORT_DATETIME_FORMAT"))

    @property
    def delimiter(self) -> str:
        return ";" if self.decimal == "," else ","

    def number(self, value, places: int = 0) -> str:
        """The whole value, with no trailing zeros past the column's decimals: a stored
        «-20800.000000» is «-20800,00» in kroner, «0.125» stays «0,125»."""
        if isinstance(value, float):
            value = Decimal(repr(value))
        if isinstance(value, Decimal) and value.is_finite():
            value = value if value else Decimal(0)  # never «-0»
            trimmed = value.normalize()
            value = (trimmed if trimmed.as_tuple().exponent < -places
                     else value.quantize(Decimal(1).scaleb(-places)))
        return numberformat.format(value, self.decimal, grouping=0, thousand_sep="",
                                   use_l10n=False)

    def cell(self, column: Column, row) -> str:
        value = column.typed(row)
        if value is None:
            return ""
        if column.kind in NUMBERS:
            # Written by us from a number: a minus sign here is a negative number, not the
            # start of a formula, and stays as it is.
            return self.number(value, column.decimals)
        if column.kind is Kind.DATE:
            return dateformat.format(value, self.date)
        if column.kind is Kind.DATETIME:
            return dateformat.format(value, self.datetime)
        return neutralise(value)


def _csv_response(columns: list[Column], rows: Iterable, filename: str) -> StreamingHttpResponse:
    """Streamed CSV for people, in the reader's language (CsvStyle), UTF-8 with a BOM, which
    Excel needs to read the file as UTF-8."""
    style = CsvStyle.active()
    writer = csv.writer(_Echo(), delimiter=style.delimiter)

    def lines():
        yield "\ufeff" + writer.writerow([neutralise(c.header) for c in columns])
        for row in rows:
            yield writer.writerow([style.cell(c, row) for c in columns])

    # The header and the first row are written before the response exists: the query runs
    # and the first row's values are computed here, so a failure there is the view's error
    # page (or the 503), not a 200 text/csv cut short. Later rows still stream.
    body = lines()
    head = list(itertools.islice(body, 2))
    response = StreamingHttpResponse(itertools.chain(head, body),
                                     content_type=f"{CSV_MEDIA_TYPE}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


# --- Excel ----------------------------------------------------------------------------------------

# Django's date format characters and Excel's codes for them. Excel stores a number format in
# one notation whatever the reader's language («,» groups thousands, «.» is the decimal mark)
# and shows it with the reader's own separators: «#,##0.00» is «# ##0,00» in Norwegian Excel.
_EXCEL_DATE_CODES = {"d": "dd", "j": "d", "m": "mm", "n": "m", "y": "yy", "Y": "yyyy",
                     "H": "hh", "G": "h", "h": "hh", "g": "h", "i": "mm", "s": "ss",
                     "A": "AM/PM", "a": "AM/PM", "P": "h:mm AM/PM"}
# Excel's own short date and date-time formats, shown in the reader's system settings.
_EXCEL_FALLBACK = {Kind.DATE: "mm-dd-yy", Kind.DATETIME: "m/d/yy h:mm"}


def excel_date_format(django_format: str, kind: Kind) -> str:
    """The Excel number format of a Django date format (the language's SHORT_DATE_FORMAT or
    SHORT_DATETIME_FORMAT): «d.m.Y» → «dd.mm.yyyy». A format Excel cannot say falls back
    to Excel's own short date."""
    codes = []
    for char in django_format:
        if char in _EXCEL_DATE_CODES:
            codes.append(_EXCEL_DATE_CODES[char])
        elif char.isalnum() or char in "\\\"":
            return _EXCEL_FALLBACK[kind]
        else:
            codes.append(char)
    return "".join(codes)


def excel_number_format(column: Column) -> str | None:
    """The number format of a column's cells in Excel; None for text."""
    if column.kind is Kind.IDENTIFIER:
        return "0"
    if column.kind in NUMBERS:
        places = column.decimals
        return "#,##0" + ("." + "0" * places if places else "")
    if column.kind is Kind.DATE:
        return excel_date_format(get_format("SHORT_DATE_FORMAT"), Kind.DATE)
    if column.kind is Kind.DATETIME:
        return excel_date_format(get_format("SHORT_DATETIME_FORMAT"), Kind.DATETIME)
    return None


def _xlsx_cell(sheet, value):
    """One Excel text cell. Text that looks like a formula becomes a string cell with the
    quote prefix (openpyxl would otherwise store text starting with "=" as a live formula);
    characters XML cannot hold (control characters) are dropped instead of failing the file."""
    value = _typed(value)
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not is_formula_like(value):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _number_style(sheet, number_format: str | None):
    """The style of a column's typed cells, made once per column: setting number_format on
    every cell looks the format up in the workbook each time (half the time of a large file)."""
    if number_format is None:
        return None
    prototype = WriteOnlyCell(sheet)
    prototype.number_format = number_format
    return prototype._style


@dataclass(frozen=True)
class Sheet:
    """One data sheet of a workbook: its title, its described columns and its rows."""

    title: str
    columns: list[Column]
    rows: Iterable


# Column widths in characters: wide enough for the header and a typical value, not wider.
_WIDTHS = {Kind.DATE: 12, Kind.DATETIME: 17, Kind.IDENTIFIER: 10, Kind.INTEGER: 12,
           Kind.DECIMAL: 14, Kind.MONEY: 16, Kind.CHOICE: 18, Kind.TEXT: 30}


def _layout(sheet, headers: Sequence[str], widths: Sequence[int], bold: Font) -> None:
    """Column widths, the header row in bold, frozen so it stays in view when scrolling.
    Before the first row: a streamed sheet writes its layout ahead of the rows."""
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max(width, len(headers[index - 1]) + 3), 60)
    sheet.freeze_panes = "A2"
    cells = []
    for name in headers:
        cell = _xlsx_cell(sheet, name)
        if not isinstance(cell, Cell):
            cell = WriteOnlyCell(sheet, value=cell)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def _filter(sheet, columns: int, rows: int) -> None:
    """The autofilter over the header and every row (written after the rows, so it can be
    set once their number is known)."""
    sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{rows + 1}"


def _data_sheet(book: Workbook, spec: Sheet, bold: Font) -> None:
    sheet = book.create_sheet(spec.title[:31])
    columns = spec.columns
    _layout(sheet, [c.header for c in columns], [_WIDTHS[c.kind] for c in columns], bold)
    styles = [_number_style(sheet, excel_number_format(c)) for c in columns]
    count = 0
    for row in spec.rows:
        cells = []
        for column, style in zip(columns, styles, strict=True):
            value = column.typed(row)
            # A styled cell is a Cell (as WriteOnlyCell makes it, with the column's style).
            cells.append(_xlsx_cell(sheet, value) if style is None or value is None
                         else Cell(sheet, row=1, column=1, value=value, style_array=style))
        sheet.append(cells)
        count += 1
    _filter(sheet, len(columns), count)


def workbook_bytes_sheets(sheets: list[Sheet]) -> bytes:
    """A workbook with one sheet per `Sheet` and a «Dataordbok» sheet describing every column.
    With several data sheets the dictionary has a fourth column naming the sheet, so its
    first column still lists the headers exactly as they stand. Every sheet has its header
    row frozen and an autofilter; numbers and dates are typed cells with a number format."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for spec in sheets:
        _data_sheet(book, spec, bold)
    dictionary = book.create_sheet(_("Dataordbok"))
    several = len(sheets) > 1
    headers = [_("Kolonne"), _("Beskrivelse"), _("Type"), *([_("Ark")] if several else [])]
    _layout(dictionary, headers, [30, 80, 18, 18][:len(headers)], bold)
    count = 0
    for spec in sheets:
        for column in spec.columns:
            dictionary.append([_xlsx_cell(dictionary, value) for value in (
                column.header, column.description, column.kind.label,
                *([spec.title[:31]] if several else []))])
            count += 1
    _filter(dictionary, len(headers), count)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_bytes(columns: list[Column], rows: Iterable, *, title: str) -> bytes:
    return workbook_bytes_sheets([Sheet(title, columns, rows)])


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


# --- the request: format and download names ---------------------------------------------------

class ExportRequestError(DomainError):
    """An export asked for something that does not exist (format, sheet, download, filter)."""


def _alternatives(name: str, values: Sequence[str]) -> str:
    options = [f"{name}={value}" for value in values]
    if len(options) == 1:
        return options[0]
    return _("%(first)s eller %(last)s") % {"first": ", ".join(options[:-1]),
                                            "last": options[-1]}


def parse_format(value: str | None, formats: Sequence[str], *, default: str | None = None,
                 name: str = "format") -> str:
    """The one reading of `?format=` for every export: absent → the default (the first
    format), known → itself, anything else → ExportRequestError naming the valid ones."""
    if value in (None, ""):
        return default or formats[0]
    if value in formats:
        return value
    raise ExportRequestError(
        _("Ukjent format «%(value)s». Bruk %(choices)s.")
        % {"value": value[:40], "choices": _alternatives(name, formats)},
        field=name)


@dataclass(frozen=True)
class ExportSpec:
    """What a download route offers: its formats and the query parameters that pick what is
    downloaded (`{"download": ("funnel", "flow")}`, `{"sheet": (...)}`), each optional but,
    when given, one of its values. `trigger` names the parameter that turns a page into a
    download (the charts' `download`): without it the route is the page and nothing here
    applies."""

    formats: tuple[str, ...] = FORMATS
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    trigger: str | None = None


@dataclass(frozen=True)
class ExportRequest:
    """A parsed export request; the only way to a CSV or Excel response."""

    format: str
    choices: Mapping[str, str | None]

    def response(self, columns: list[Column], rows: Iterable, *, filename: str,
                 title: str) -> HttpResponse:
        if self.format == "xlsx":
            return _xlsx_response(workbook_bytes(columns, rows, title=title), filename)
        return _csv_response(columns, rows, filename)

    def sheets_response(self, sheets: list[Sheet], filename: str) -> HttpResponse:
        """Several data sheets: one workbook (Excel only; CSV picks one sheet)."""
        if self.format != "xlsx":
            raise ValueError("sheets_response is for Excel; CSV gives one sheet at a time")
        return _xlsx_response(workbook_bytes_sheets(sheets), filename)


def parse_export(query: QueryDict | Mapping[str, str], spec: ExportSpec) -> ExportRequest | None:
    """Read the format and the choices of `spec` from a query string. None when the route
    is a page and no download was asked for."""
    if spec.trigger and not query.get(spec.trigger):
        return None
    chosen: dict[str, str | None] = {}
    for name, values in spec.choices.items():
        value = query.get(name) or None
        if value is not None and value not in values:
            raise ExportRequestError(
                _("Ukjent verdi «%(value)s» for %(name)s. Bruk %(choices)s.")
                % {"value": value[:40], "name": name, "choices": _alternatives(name, values)},
                field=name)
        chosen[name] = value
    return ExportRequest(parse_format(query.get("format"), spec.formats), chosen)


def bad_request(request, message: str) -> HttpResponse:
    """A 400 page that says what was wrong (an export link with a bad value). HTML, like the
    route's other answers — never a file."""
    return render(request, "portal/bad_request.html", {"message": message}, status=400)


def export_view(spec: ExportSpec):
    """Decorate a download view: parses the request (`request.export`, None on a page without
    a download), answers 400 for what `parse_export` refuses and for every ExportRequestError
    the view raises before it starts writing, and records the spec on the view, where the
    export sweep finds every download route."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                request.export = parse_export(request.GET, spec)
                return view(request, *args, **kwargs)
            except ExportRequestError as error:
                return bad_request(request, error.message)

        wrapper.export_spec = spec
        return wrapper

    return decorate
