"""The export toolkit (portal.exports): formula neutralisation and the one request parser.
The sweep over every download route is tests/security/test_export_sweep.py; these pin the
rules themselves and the cases issue 13 named."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from portal.exports import (
    Column,
    ExportRequest,
    ExportRequestError,
    ExportSpec,
    Kind,
    csv_cell,
    csv_text,
    neutralise,
    parse_export,
    parse_format,
    workbook_bytes,
)

FORMULA_TEXTS = ['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(1)", "\t=1", "\r=1",
                 "\uff1d1+1", "-5 kr"]


@pytest.mark.parametrize("text", FORMULA_TEXTS)
def test_text_that_starts_a_formula_gets_an_apostrophe_in_csv(text):
    assert neutralise(text) == "'" + text
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-5, -1.5, Decimal("-12345.50"), 0, 7, True,
                                   datetime.date(2024, 1, 1)])
def test_typed_values_are_never_touched(value):
    assert csv_cell(value) == value


@pytest.mark.parametrize("text", ["Nattilsyn", "", " =1", "1-2", "e-post", "5 kr"])
def test_ordinary_text_is_unchanged(text):
    assert neutralise(text) == text


def test_csv_text_neutralises_text_and_keeps_numbers():
    text = csv_text(["name", "nok"], [["=1+1", -5], ["-5 kr", Decimal("-2.50")]])
    assert text.splitlines() == ["name,nok", "'=1+1,-5", "'-5 kr,-2.50"]


def test_excel_keeps_the_text_exactly_as_a_string_cell_with_the_quote_prefix():
    columns = [Column("Tittel", "", lambda r: r[0]), Column("Kr", "", lambda r: r[1], Kind.MONEY)]
    content = workbook_bytes(columns, [['=HYPERLINK("http://x","y")', -12345.5],
                                       ["-5 kr", -3], ["Vanlig", 4],
                                       ["Kontroll\x07tegn", 0]], title="Data")
    sheet = load_workbook(io.BytesIO(content))["Data"]
    rows = list(sheet.iter_rows(min_row=2))
    formula, minus_text, plain, control = rows
    assert formula[0].value == '=HYPERLINK("http://x","y")'
    assert formula[0].data_type == "s" and formula[0].quotePrefix
    assert minus_text[0].value == "-5 kr" and minus_text[0].quotePrefix
    assert formula[1].value == -12345.5 and formula[1].data_type == "n"
    assert minus_text[1].value == -3 and minus_text[1].data_type == "n"
    assert plain[0].value == "Vanlig" and not plain[0].quotePrefix
    # A control character XML cannot hold is dropped instead of failing the whole file.
    assert control[0].value == "Kontrolltegn"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_a_csv_that_fails_at_its_first_row_is_an_error_not_a_200_file():
    """The query and the first row run before the response exists, so their failure reaches
    the error handler (500 page, API JSON, 503) instead of a cut-short text/csv."""
    def broken(row):
        raise RuntimeError("the query failed")

    with pytest.raises(RuntimeError):
        ExportRequest("csv", {}).response([Column("A", "", broken)], [1], filename="f",
                                          title="T")


def test_format_parsing_is_one_function_for_every_export():
    assert parse_format(None, ("csv", "xlsx")) == "csv"
    assert parse_format("xlsx", ("csv", "xlsx")) == "xlsx"
    with pytest.raises(ExportRequestError) as refused:
        parse_format("pdf", ("csv", "xlsx"))
    assert refused.value.message == "Ukjent format «pdf». Bruk format=csv eller format=xlsx."
    assert refused.value.errors == {"format": [refused.value.message]}


def test_download_names_are_checked_and_a_page_without_one_is_a_page():
    spec = ExportSpec(formats=("csv",), choices={"download": ("funnel", "flow")},
                      trigger="download")
    assert parse_export({}, spec) is None
    assert parse_export({"format": "pdf"}, spec) is None  # the page, not a download
    assert parse_export({"download": "flow"}, spec).choices == {"download": "flow"}
    with pytest.raises(ExportRequestError, match="download=funnel eller download=flow"):
        parse_export({"download": "everything"}, spec)
    with pytest.raises(ExportRequestError, match="Bruk format=csv"):
        parse_export({"download": "flow", "format": "xlsx"}, spec)


# --- the defects issue 13 found, through the routes ---------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/ideas/export/", "/indicators/export/"])
def test_unknown_format_was_csv_with_200_and_is_now_a_400_page(client, manager, url):
    client.force_login(manager)
    response = client.get(url, {"format": "pdf"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "format=csv eller format=xlsx" in response.content.decode()


@pytest.mark.django_db
def test_an_invalid_period_is_a_400_not_an_empty_file(client, manager):
    client.force_login(manager)
    response = client.get("/indicators/export/", {"year": "abc", "format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_an_unknown_chart_download_is_a_400_not_the_page(client, manager):
    client.force_login(manager)
    response = client.get("/dashboard/", {"download": "everything"})
    assert response.status_code == 400
    assert "download=funnel, download=flow eller download=benefits" in \
        response.content.decode()


@pytest.mark.django_db
def test_api_unknown_format_is_a_json_400_not_a_404(api_client, national_analyst):
    api_client.force_authenticate(national_analyst)
    response = api_client.get("/api/v1/indicators/", {"year": 2024, "format": "xlsx"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"] == {
        "format": ["Ukjent format «xlsx». Bruk format=json eller format=csv."]}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/indicators/", "/api/v1/indicators/summary/"])
def test_api_error_asked_for_as_csv_is_json_not_text_csv(api_client, national_analyst, url):
    api_client.force_authenticate(national_analyst)
    response = api_client.get(url, {"year": "abc", "group_by": "national", "format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["code"] == "invalid"


@pytest.mark.django_db
def test_the_indicator_command_writes_csv_through_the_toolkit(home_org):
    from indicators.services import indicators_recompute

    home_org.name = "=HYPERLINK(\"http://x\",\"y\")"
    home_org.save()
    indicators_recompute(year=2024)
    out = io.StringIO()
    call_command("indicators", "show", "--year", "2024", "--format", "csv", stdout=out)
    assert "'=HYPERLINK" in out.getvalue()
