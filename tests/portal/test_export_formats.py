"""Files for people in the reader's language (issue 16), as the export toolkit writes them:
decimal commas without grouping and «;» in Norwegian CSV, the language's short dates, no
microseconds, labels instead of codes; Excel with typed cells, number formats, a frozen header
and filters. The sweep over every download route is tests/security/test_export_sweep.py."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from openpyxl import load_workbook

from indicators.models import PeriodStatus
from portal.exports import (
    YES_NO,
    Column,
    CsvStyle,
    ExportRequest,
    Kind,
    excel_date_format,
    workbook_bytes,
)

STAMP = datetime.datetime(2026, 12, 6, 14, 5, 9, 123456, tzinfo=datetime.UTC)  # 15:05 in Oslo

COLUMNS = [
    Column("Nr", "Radens nummer", lambda r: r["id"], Kind.IDENTIFIER),
    Column("Tittel", "Tittelen", lambda r: r["title"]),
    Column("Status", "Status", lambda r: r["status"], Kind.CHOICE, PeriodStatus),
    Column("Antall", "Et antall", lambda r: r["count"], Kind.INTEGER),
    Column("Verdi", "En verdi", lambda r: r["value"], Kind.DECIMAL),
    Column("Kroner", "Kroner per år", lambda r: r["nok"], Kind.MONEY),
    Column("Dato", "En dato", lambda r: r["day"], Kind.DATE),
    Column("Tidspunkt", "Et tidspunkt", lambda r: r["at"], Kind.DATETIME),
    Column("Frosset", "Ja eller nei", lambda r: r["frozen"], Kind.CHOICE, YES_NO),
]
ROWS = [
    {"id": 12345, "title": "=1+1", "status": "preliminary", "count": 1234567,
     "value": 13.5, "nok": Decimal("-12345.50"), "day": datetime.date(2026, 12, 6),
     "at": STAMP, "frozen": False},
    {"id": 7, "title": "-5 kr", "status": "final", "count": 0, "value": Decimal("0.125"),
     "nok": None, "day": None, "at": None, "frozen": True},
]


def csv_rows(language: str) -> list[list[str]]:
    with translation.override(language):
        columns = [Column(c.header, c.description, c.value, c.kind, c.choices, c.places)
                   for c in COLUMNS]
        response = ExportRequest("csv", {}).response(columns, ROWS, filename="f", title="T")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    delimiter = ";" if language != "en" else ","
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def test_norwegian_csv_has_decimal_commas_semicolons_and_norwegian_dates():
    header, first, second = csv_rows("nb")
    assert header == [c.header for c in COLUMNS]
    assert first == ["12345", "'=1+1", "Foreløpig", "1234567", "13,50", "-12345,50",
                     "06.12.2026", "06.12.2026 15:05", "Nei"]
    assert second == ["7", "'-5 kr", "Endelig", "0", "0,125", "", "", "", "Ja"]


def test_english_csv_has_decimal_points_commas_and_english_labels():
    _header, first, _second = csv_rows("en")
    with translation.override("en"):
        day = date_format(datetime.date(2026, 12, 6), "SHORT_DATE_FORMAT")
    assert first[2:7] == ["Preliminary", "1234567", "13.50", "-12345.50", day]
    assert first[8] == "No"


def test_the_csv_keeps_the_language_it_started_in_while_it_streams():
    """The rows after the first stream once the view has returned, when another language
    may be active on the thread: the file is written in one language throughout."""
    with translation.override("nb"):
        columns = [Column("Verdi", "", lambda r: r, Kind.DECIMAL)]
        response = ExportRequest("csv", {}).response(columns, [1.5, 2.5, 3.5], filename="f",
                                                     title="T")
    with translation.override("en"):
        text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines() == ["Verdi", "1,50", "2,50", "3,50"]


def test_excel_has_typed_cells_number_formats_a_frozen_header_and_filters():
    with translation.override("nb"):
        content = workbook_bytes(COLUMNS, ROWS, title="Data")
    book = load_workbook(io.BytesIO(content))
    data, dictionary = book["Data"], book["Dataordbok"]
    assert data.freeze_panes == "A2" and data.auto_filter.ref == "A1:I3"
    assert dictionary.freeze_panes == "A2" and dictionary.auto_filter.ref == "A1:C10"
    assert all(cell.font.b for cell in data[1])
    first = {c.header: cell for c, cell in zip(COLUMNS, data[2], strict=True)}
    formats = {name: (cell.value, cell.number_format) for name, cell in first.items()}
    assert formats["Nr"] == (12345, "0")
    assert formats["Antall"] == (1234567, "#,##0")  # «1 234 567» in Norwegian Excel
    assert formats["Verdi"] == (13.5, "#,##0.00")
    assert formats["Kroner"] == (-12345.5, "#,##0.00")
    assert formats["Dato"] == (datetime.datetime(2026, 12, 6), "dd.mm.yyyy")
    assert formats["Tidspunkt"] == (datetime.datetime(2026, 12, 6, 15, 5, 9),
                                    "dd.mm.yyyy hh:mm")
    assert first["Dato"].is_date and first["Tidspunkt"].is_date
    assert (first["Status"].value, first["Frosset"].value) == ("Foreløpig", "Nei")
    assert first["Tittel"].value == "=1+1" and first["Tittel"].quotePrefix
    kinds = {row[0]: row[2] for row in dictionary.iter_rows(min_row=2, values_only=True)}
    assert kinds == {"Nr": "Nummer", "Tittel": "Tekst", "Status": "Tekst (fast liste)",
                     "Antall": "Heltall", "Verdi": "Desimaltall", "Kroner": "Kroner",
                     "Dato": "Dato", "Tidspunkt": "Dato og tid", "Frosset": "Tekst (fast liste)"}


def test_a_columns_places_set_the_decimals_excel_shows():
    content = workbook_bytes([Column("Poeng", "", lambda r: r, Kind.DECIMAL, places=1),
                              Column("Kr", "", lambda r: r, Kind.MONEY, places=0)],
                             [2.25], title="Data")
    cells = load_workbook(io.BytesIO(content))["Data"][2]
    assert [c.number_format for c in cells] == ["#,##0.0", "#,##0"]
    assert [c.value for c in cells] == [2.25, 2.25]  # the cell keeps the whole value


@pytest.mark.parametrize(("value", "places", "text"), [
    (Decimal("-20800.000000"), 2, "-20800,00"),  # a stored money column: øre, not millionths
    (Decimal("0.125"), 2, "0,125"),  # more decimals than shown: the whole value
    (Decimal("4.2500"), 1, "4,25"), (13.5, 2, "13,50"), (1234567, 0, "1234567"),
    (-0.0, 2, "0,00"), (Decimal("-0.00"), 2, "0,00"),
])
def test_csv_numbers_carry_the_whole_value_to_the_columns_decimals(value, places, text):
    assert CsvStyle(decimal=",", date="d.m.Y", datetime="d.m.Y H:i").number(value, places) \
        == text


@pytest.mark.parametrize(("django_format", "kind", "excel"), [
    ("d.m.Y", Kind.DATE, "dd.mm.yyyy"),
    ("d.m.Y H:i", Kind.DATETIME, "dd.mm.yyyy hh:mm"),
    ("j.n.y", Kind.DATE, "d.m.yy"),
    ("m/d/Y P", Kind.DATETIME, "mm/dd/yyyy h:mm AM/PM"),
    ("Y-m-d", Kind.DATE, "yyyy-mm-dd"),
    ("j. F Y", Kind.DATE, "mm-dd-yy"),  # a month name Excel cannot say: its own short date
])
def test_the_languages_date_formats_become_excel_formats(django_format, kind, excel):
    assert excel_date_format(django_format, kind) == excel


@pytest.mark.parametrize(("kind", "value"), [
    (Kind.INTEGER, "5"), (Kind.INTEGER, 2.5), (Kind.DECIMAL, True), (Kind.MONEY, "1 000"),
    (Kind.DATE, datetime.datetime(2026, 1, 1)), (Kind.DATETIME, datetime.date(2026, 1, 1)),
    (Kind.TEXT, 5), (Kind.IDENTIFIER, "12"),
])
def test_a_value_of_another_kind_than_declared_is_an_error(kind, value):
    with pytest.raises(TypeError, match="Feil"):
        Column("Feil", "", lambda r: r, kind).typed(value)


def test_a_column_declares_a_kind_and_choices_go_with_choice_columns():
    with pytest.raises(TypeError):
        Column("Tall", "", lambda r: r, "tall")
    with pytest.raises(ValueError):
        Column("Status", "", lambda r: r, Kind.CHOICE)
    with pytest.raises(ValueError):
        Column("Tittel", "", lambda r: r, Kind.TEXT, PeriodStatus)


def test_choice_labels_follow_the_language_the_column_was_made_in():
    with translation.override("en"):
        column = Column("Status", "", lambda r: r, Kind.CHOICE, PeriodStatus)
    assert column.typed("final") == "Final"
    assert Column("Status", "", lambda r: r, Kind.CHOICE, PeriodStatus).typed("final") == \
        "Endelig"


@pytest.mark.django_db
def test_the_english_interface_gets_english_headers_and_values(client, employee):
    """A user who chose English downloads the idea list in English, comma-separated with
    decimal points, as English Excel reads it."""
    from tests.ideas.factories import make_idea

    idea = make_idea(employee, employee.memberships.first().organisation, title="Nattlys",
                     status="submitted")
    employee.language = "en"
    employee.save(update_fields=["language"])
    client.force_login(employee)
    response = client.get("/ideas/export/")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=","))
    assert [r["Title"] for r in rows] == ["Nattlys"]
    assert rows[0]["Status"] == "Submitted"
    idea.refresh_from_db()
    with translation.override("en"):
        submitted = date_format(timezone.localtime(idea.submitted_at), "SHORT_DATETIME_FORMAT")
    assert rows[0]["Submitted"] == submitted
