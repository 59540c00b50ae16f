"""Exports of lists as CSV and Excel, each column with a description — the one place that
writes spreadsheet files.

An export is a list of `Column`s (header, description for the data dictionary, and how to get
the value from a row). The views that offer an export build the rows from the same selectors
as their pages — scoped to the user, with anonymity applied — so an export never holds more
than the page would show. Excel files are written with openpyxl's write-only mode (streamed
rows, flat memory) and carry a second sheet, «Dataordbok», describing every column.

Two rules hold for every file because every writer goes through this module
(tests/security/test_export_sweep.py checks both on every download route, and that no other
module writes CSV or Excel):

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
import functools
import io
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font

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


@dataclass(frozen=True)
class Column:
    header: str
    description: str
    value: Callable[[object], object]
    kind: str = "tekst"  # shown in the data dictionary: tekst, tall, dato, kroner …


def choice_labels(choices) -> dict[str, str]:
    """A choices class's labels, translated once per export. Model.get_FOO_display() hashes
    the whole (lazy) choice list on every call: a millisecond a cell on a long export."""
    return {value: str(label) for value, label in choices.choices}


def _typed(value):
    """A cell's value as a spreadsheet type: None, a number, a date or time, or text."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: local time, as the pages show it.
        return value.astimezone().replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, (bool, int, float, Decimal, datetime.date)):
        return value
    return str(value)


def csv_cell(value):
    """One CSV cell: typed values as they are, text neutralised."""
    value = _typed(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    return value


def _xlsx_cell(sheet, value):
    """One Excel cell. Text that looks like a formula becomes a string cell with the quote
    prefix (openpyxl would otherwise store text starting with "=" as a live formula);
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


# --- CSV ------------------------------------------------------------------------------------------

class _Echo:
    def write(self, value):
        return value


class SafeCsvWriter:
    """csv.writer with every cell passed through `csv_cell`: the only CSV writer of the
    product (the exports, the indicator API and `manage.py indicators show`)."""

    def __init__(self, stream, *, delimiter: str = ";"):
        self._writer = csv.writer(stream, delimiter=delimiter)

    def writerow(self, row: Iterable):
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(header: Sequence[str], rows: Iterable[Sequence], *, delimiter: str = ",") -> str:
    """A whole CSV document as text (the API's CSV: comma-separated, no BOM)."""
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _csv_response(columns: list[Column], rows: Iterable, filename: str) -> StreamingHttpResponse:
    """Streamed CSV (semicolon-separated with a BOM, which Norwegian Excel opens directly)."""
    writer = SafeCsvWriter(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff" + writer.writerow([c.header for c in columns])
        for row in rows:
            yield writer.writerow([c.value(row) for c in columns])

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

@dataclass(frozen=True)
class Sheet:
    """One data sheet of a workbook: its title, its described columns and its rows."""

    title: str
    columns: list[Column]
    rows: Iterable


def _header(sheet, names, bold: Font) -> None:
    cells = []
    for name in names:
        cell = _xlsx_cell(sheet, name)
        if not isinstance(cell, Cell):
            cell = WriteOnlyCell(sheet, value=cell)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def workbook_bytes_sheets(sheets: list[Sheet]) -> bytes:
    """A workbook with one sheet per `Sheet` and a «Dataordbok» sheet describing every column.
    With several data sheets the dictionary has a fourth column naming the sheet, so its
    first column still lists the headers exactly as they stand."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for spec in sheets:
        data = book.create_sheet(spec.title[:31])
        _header(data, [c.header for c in spec.columns], bold)
        for row in spec.rows:
            data.append([_xlsx_cell(data, c.value(row)) for c in spec.columns])
    dictionary = book.create_sheet(_("Dataordbok"))
    several = len(sheets) > 1
    _header(dictionary, [_("Kolonne"), _("Beskrivelse"), _("Type"),
                         *([_("Ark")] if several else [])], bold)
    for spec in sheets:
        for column in spec.columns:
            dictionary.append([_xlsx_cell(dictionary, value) for value in (
                column.header, column.description, column.kind,
                *([spec.title[:31]] if several else []))])
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
