"""Exports of lists as CSV and Excel, each column with a description.

An export is a list of `Column`s (header, description for the data dictionary, and how to get
the value from a row). The views that offer an export build the rows from the same selectors
as their pages — scoped to the user, with anonymity applied — so an export never holds more
than the page would show. Excel files are written with openpyxl's write-only mode (streamed
rows, flat memory) and carry a second sheet, «Dataordbok», describing every column."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMATS = ("csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: local time, as the pages show it.
        return value.astimezone().replace(tzinfo=None)
    if isinstance(value, (bool, int, float, Decimal, datetime.date)):
        return value
    return str(value)


class _Echo:
    def write(self, value):
        return value


def csv_response(columns: list[Column], rows: Iterable, filename: str) -> StreamingHttpResponse:
    """Streamed CSV (semicolon-separated with a BOM, which Norwegian Excel opens directly)."""
    writer = csv.writer(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff" + writer.writerow([c.header for c in columns])
        for row in rows:
            yield writer.writerow([_cell(c.value(row)) for c in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


@dataclass(frozen=True)
class Sheet:
    """One data sheet of a workbook: its title, its described columns and its rows."""

    title: str
    columns: list[Column]
    rows: Iterable


def _header(sheet, names, bold: Font) -> None:
    cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=name)
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
            data.append([_cell(c.value(row)) for c in spec.columns])
    dictionary = book.create_sheet(_("Dataordbok"))
    several = len(sheets) > 1
    _header(dictionary, [_("Kolonne"), _("Beskrivelse"), _("Type"),
                         *([_("Ark")] if several else [])], bold)
    for spec in sheets:
        for column in spec.columns:
            dictionary.append([column.header, column.description, column.kind,
                               *([spec.title[:31]] if several else [])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_bytes(columns: list[Column], rows: Iterable, *, title: str) -> bytes:
    return workbook_bytes_sheets([Sheet(title, columns, rows)])


def xlsx_response(columns: list[Column], rows: Iterable, filename: str, *,
                  title: str) -> HttpResponse:
    response = HttpResponse(workbook_bytes(columns, rows, title=title), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(fmt: str, columns: list[Column], rows: Iterable, *, filename: str,
                    title: str):
    if fmt == "xlsx":
        return xlsx_response(columns, rows, filename, title=title)
    return csv_response(columns, rows, filename)


def sheets_response(sheets: list[Sheet], filename: str) -> HttpResponse:
    response = HttpResponse(workbook_bytes_sheets(sheets), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def requested_format(request) -> str | None:
    """The ?format= of an export request: csv when absent, None when unknown (the view then
    answers 400 with `bad_request`)."""
    fmt = request.GET.get("format") or "csv"
    return fmt if fmt in FORMATS else None


def bad_request(message: str) -> HttpResponse:
    """A 400 that says what was wrong: exports are opened as downloads, so plain text."""
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
