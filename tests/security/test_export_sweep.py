"""Every CSV and Excel download, with a formula in every user text field (issue 13).

The world is the demo data (tests/security/world.py); every CharField/TextField of every model
— found from the models, so a new field is covered — is overwritten with text a spreadsheet
would run (`=HYPERLINK(…)`, `@SUM(…)`, `+1`, `-1+2`, a leading tab or carriage return, a
full-width `＝`, «-5 kr»), and some realised benefits are made negative. The download routes are
found in the URL configuration: every view that offers a file carries its `ExportSpec`
(portal.exports.export_view, portal.api.exports.ExportAPIView) naming its formats and the
values of its download parameters. Every persona downloads every combination, and

- no CSV cell starts with a formula character unless it is a plain number (the text arrives as
  `'=HYPERLINK(…)`); no Excel cell is a formula, and formula-like text is a string cell with
  the quote prefix; negative numbers stay numbers (never `'-5`, never text in Excel);
- an unknown `format` or download name answers 400 with the valid values, as a page (HTML
  routes) or the API's JSON error — never a file, never text/csv;
- no module but the export toolkit imports a CSV or Excel writer or names their media types,
  so a new export cannot bypass the neutralisation;
- every file meant for people (all but the API's machine CSV) reads in Norwegian (issue 16):
  no header is a code (`org_number`), no value is a choice's code (`preliminary`); in CSV,
  decimal commas and no thousands separator, «;» between cells, dates as 06.12.2026, no ISO
  date and no microseconds; in Excel, the header row frozen, an autofilter over every column,
  numbers and dates as typed cells with a number format, never as text.

Built once per module inside a transaction that is rolled back."""

from __future__ import annotations

import ast
import csv
import datetime
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from auditlog.context import set_actor
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from gevinst.models import Measurement
from indicators.models import IndicatorSnapshot
from portal import demo_data
from portal.models import Unit
from tests.portal.route_matrix import MATRIX
from tests.security import world
from tests.sources import parse

pytestmark = pytest.mark.django_db

# What a spreadsheet treats as the start of a formula (OWASP's list and the full-width forms).
# Kept here on purpose, not imported from the toolkit: the test must not share its blind spots.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
FORMULAS = ('=HYPERLINK("http://x.invalid","y")', "@SUM(1+1)", "+1", "-1+2", "\t=1+1",
            "\r=1+1", "\uff1d1+1", "-5 kr")
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?")
CSV_TYPES = ("text/csv",)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_FORMATS = ("csv", "xlsx")
NEGATIVE_NOK = -12345.5
# Chart downloads whose files hold only numbers and the product's own labels (phases,
# quarters, years, size classes and counties from their fixed lists): no user text can reach
# them, so no neutralised cell is expected there.
NUMBERS_ONLY = {"dashboards:manager", "indicators:home"}


def export_routes() -> dict[str, tuple[str, object]]:
    """URL name → (path, ExportSpec) of every route whose view offers a file."""
    found = {}
    for key, callback in _routes(get_resolver()):
        spec = getattr(callback, "export_spec", None) or getattr(
            getattr(callback, "cls", None), "export_spec", None)
        if spec is not None:
            found[key] = (_path(key), spec)
    return found


def _path(key: str) -> str:
    """The route's path; an organisation's download (the audit log) at the home
    organisation of the world, whose administrator is a persona."""
    try:
        return reverse(key)
    except NoReverseMatch:
        return reverse(key, kwargs={"org_number": demo_data.DEMO_HOME})


def _routes(resolver, namespace: str | None = None):
    """(URL name with namespaces, view) of every named route."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry.callback


def _requests(key: str, path: str, spec) -> list[tuple[str, dict]]:
    """Every combination of a route's file formats and download names, with the route
    matrix's query (the API's year)."""
    base = dict(pair.split("=", 1) for pair in MATRIX[key].query.split("&") if pair)
    combos = [{}]
    for name, values in spec.choices.items():
        options = list(values) if name == spec.trigger else [None, *values]
        combos = [{**combo, **({name: value} if value else {})}
                  for combo in combos for value in options]
    return [(path, {**base, **combo, "format": fmt})
            for combo in combos for fmt in spec.formats if fmt in FILE_FORMATS]


# Files for people (issue 16): what a Norwegian reader must never see, and what they should.
CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")  # org_number, size_class, preliminary
DOT_DECIMAL = re.compile(r"-?\d+\.\d+")
GROUPED = re.compile(r"-?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MICROSECONDS = re.compile(r"\d:\d{2}:\d{2}\.\d")
NORWEGIAN_DATE = re.compile(r"\d{2}\.\d{2}\.\d{4}(?: \d{2}:\d{2})?")
DECIMAL_COMMA = re.compile(r"-?\d+,\d+")


def choice_codes() -> set[str]:
    """The codes of every choice field of the project whose label is not the code itself
    (`medium` is «Mellomstor (5 000–19 999)»; «Oslo» is both): a file showing one shows a
    code instead of its label."""
    codes = set()
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            for code, label in getattr(model_field, "flatchoices", None) or ():
                if isinstance(code, str) and code and str(label) != code:
                    codes.add(code)
    return codes


@dataclass
class Findings:
    files: dict[str, int] = field(default_factory=dict)  # route → files checked
    neutralised: dict[str, int] = field(default_factory=dict)  # route → formula texts seen
    negatives: dict[str, int] = field(default_factory=dict)  # format → negative numbers seen
    problems: list[str] = field(default_factory=list)
    # Files for people: what broke the Norwegian rules, and the typed values seen.
    people: list[str] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)  # "csv date", "xlsx number", …

    def count(self, table: dict, key: str, n: int = 1) -> None:
        table[key] = table.get(key, 0) + n


def check_csv(findings: Findings, key: str, where: str, content: bytes, delimiter: str):
    text = content.decode("utf-8").lstrip("\ufeff")
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        for cell in row:
            if cell.startswith("'") and NUMBER.fullmatch(cell[1:]):
                findings.problems.append(f"{where}: number written as text {cell!r}")
            elif cell.startswith("'") and cell[1:2] in TRIGGERS:
                findings.count(findings.neutralised, key)
            elif cell[:1] in TRIGGERS:
                if NUMBER.fullmatch(cell):
                    findings.count(findings.negatives, "csv")
                else:
                    findings.problems.append(f"{where}: formula-like cell {cell!r}")


def check_people_csv(findings: Findings, where: str, content: bytes, codes: set[str]):
    rows = list(csv.reader(io.StringIO(content.decode("utf-8").lstrip("\ufeff"), newline=""),
                           delimiter=";"))
    header, body = rows[0], rows[1:]
    if len(header) < 2:
        findings.people.append(f"{where}: not separated by «;»: {header!r}")
    findings.people += [f"{where}: header {name!r} is a code" for name in header
                        if CODE.fullmatch(name)]
    for row in body:
        for name, cell in zip(header, row, strict=True):
            problem = _people_cell_problem(cell, codes)
            if problem:
                findings.people.append(f"{where}: {name} {cell!r} {problem}")
            elif NORWEGIAN_DATE.fullmatch(cell):
                findings.count(findings.seen, "csv date")
            elif DECIMAL_COMMA.fullmatch(cell):
                findings.count(findings.seen, "csv decimal comma")


def _people_cell_problem(cell: str, codes: set[str]) -> str | None:
    if DOT_DECIMAL.fullmatch(cell):
        return "has a decimal point"
    if GROUPED.fullmatch(cell):
        return "has a thousands separator (Excel reads it as text)"
    if ISO_DATE.match(cell):
        return "is an ISO date"
    if MICROSECONDS.search(cell):
        return "has microseconds"
    if cell in codes:
        return "is a code, not its label"
    return None


def check_people_xlsx(findings: Findings, where: str, content: bytes, codes: set[str]):
    book = load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        header = [cell.value for cell in sheet[1]]
        last = f"{get_column_letter(len(header))}{sheet.max_row}"
        if sheet.freeze_panes != "A2":
            findings.people.append(f"{where}: {sheet.title}: header row not frozen")
        if sheet.auto_filter.ref != f"A1:{last}":
            findings.people.append(f"{where}: {sheet.title}: autofilter "
                                   f"{sheet.auto_filter.ref!r}, not A1:{last}")
        findings.people += [f"{where}: {sheet.title}: header {name!r} is a code"
                            for name in header if CODE.fullmatch(str(name))]
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                _check_people_xlsx_cell(findings, where, cell, codes)


def _check_people_xlsx_cell(findings: Findings, where: str, cell, codes: set[str]):
    value = cell.value
    if isinstance(value, str):
        problem = _people_cell_problem(value, codes)
        if problem is None and (DECIMAL_COMMA.fullmatch(value) or
                                NORWEGIAN_DATE.fullmatch(value)):
            problem = "is a number or date written as text"
        if problem:
            findings.people.append(f"{where}: {cell.coordinate} {value!r} {problem}")
    elif isinstance(value, datetime.datetime):
        if not cell.is_date or cell.number_format == "General":
            findings.people.append(f"{where}: {cell.coordinate} a date without a date format")
        findings.count(findings.seen, "xlsx date")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if cell.number_format == "General":
            findings.people.append(f"{where}: {cell.coordinate} {value!r} has no number format")
        findings.count(findings.seen, "xlsx number")


def check_xlsx(findings: Findings, key: str, where: str, content: bytes):
    book = load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f":
                    findings.problems.append(f"{where}: formula {sheet.title}!"
                                             f"{cell.coordinate} {value!r}")
                elif isinstance(value, str) and value[:1] in TRIGGERS:
                    if NUMBER.fullmatch(value):
                        findings.problems.append(f"{where}: number written as text {value!r}")
                    elif not cell.quotePrefix:
                        findings.problems.append(f"{where}: formula-like text without the "
                                                 f"quote prefix {value!r}")
                    else:
                        findings.count(findings.neutralised, key)
                elif isinstance(value, (int, float)) and value < 0:
                    findings.count(findings.negatives, "xlsx")


@pytest.fixture(scope="module")
def sweep(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    routes = export_routes()
    findings = Findings()
    codes = choice_codes()
    refusals: list[str] = []
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), \
            transaction.atomic():
        built = world.build_world(media)
        poisoned = world.poison(lambda index: FORMULAS[index % len(FORMULAS)])
        # Realised benefits below the baseline: negative kroner in every benefit and
        # indicator file.
        Measurement.objects.filter(nok_per_year__isnull=False).update(nok_per_year=NEGATIVE_NOK)
        IndicatorSnapshot.objects.update(realised_nok_per_year=NEGATIVE_NOK)
        # The poison is written past the audit trail (queryset updates): one audited change by
        # the home administrator, whose name is poisoned, puts user text into the audit log.
        with set_actor(built["users"]["admin"]):
            unit = Unit.objects.filter(organisation__org_number=demo_data.DEMO_HOME).first()
            unit.name = unit.name[:150] + " endret"
            unit.save()
        for persona in world.PERSONAS:
            client = Client()
            client.force_login(built["users"][persona])
            for key, (path, spec) in routes.items():
                for url, query in _requests(key, path, spec):
                    _download(client, findings, persona, key, url, query, codes)
            if persona == "analytiker":
                refusals = _refusals(client, routes)
        transaction.set_rollback(True)
    return {"routes": routes, "findings": findings, "poisoned": poisoned,
            "refusals": refusals}


def _download(client, findings: Findings, persona: str, key: str, url: str, query: dict,
              codes: set[str]):
    response = client.get(url, query)
    where = f"{persona} {url}?{'&'.join(f'{k}={v}' for k, v in query.items())}"
    if response.status_code in (302, 403, 404):
        return  # not this persona's (the route matrix checks who gets what)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "").split(";")[0]
    if response.status_code != 200:
        findings.problems.append(f"{where}: {response.status_code} {content[:200]!r}")
    elif query["format"] == "csv" and kind in CSV_TYPES:
        findings.count(findings.files, key)
        check_csv(findings, key, where, content, "," if url.startswith("/api/") else ";")
        if not url.startswith("/api/"):  # the API's CSV is for machines (README)
            check_people_csv(findings, where, content, codes)
    elif query["format"] == "xlsx" and kind == XLSX_TYPE:
        findings.count(findings.files, key)
        check_xlsx(findings, key, where, content)
        check_people_xlsx(findings, where, content, codes)
    else:
        findings.problems.append(f"{where}: answered {kind}, not a {query['format']} file")


def _refusals(client, routes) -> list[str]:
    """Unknown formats and download names on every route: a 400 that names the valid values,
    in the route's own kind (HTML or the API's JSON), never a file."""
    problems = []
    for key, (path, spec) in routes.items():
        base = dict(pair.split("=", 1) for pair in MATRIX[key].query.split("&") if pair)
        valid = {name: values[0] for name, values in spec.choices.items()}
        cases = [({**base, **valid, "format": "pdf"}, "format", spec.formats)]
        cases += [({**base, **valid, name: "ukjent", "format": spec.formats[-1]}, name, values)
                  for name, values in spec.choices.items()]
        for query, name, values in cases:
            response = client.get(path, query)
            kind = response.get("Content-Type", "").split(";")[0]
            body = response.content.decode()
            where = f"{key} {query}"
            if response.status_code != 400:
                problems.append(f"{where}: {response.status_code} {kind}, expected 400")
                continue
            if path.startswith("/api/"):
                if kind != "application/json":
                    problems.append(f"{where}: error served as {kind}")
                    continue
                error = json.loads(body)
                if set(error) != {"detail", "code", "errors"} or name not in error["errors"]:
                    problems.append(f"{where}: not the API's error shape: {error}")
                text = error["detail"]
            else:
                if kind != "text/html":
                    problems.append(f"{where}: error served as {kind}")
                text = body
            if not all(f"{name}={value}" in text for value in values):
                problems.append(f"{where}: the message does not name the valid values")
    return problems


# --- the tests ----------------------------------------------------------------------------------

def test_the_sweep_finds_every_kind_of_download(sweep):
    """Guard for the discovery itself: the four list exports, the three pages with chart
    downloads and the indicator API's two CSV routes, each with a file checked."""
    routes = sweep["routes"]
    assert {"ideas:export", "projects:export", "gevinst:export", "indicators:export",
            "dashboards:manager", "indicators:home", "indicators:analysis",
            "api-indicators", "api-indicators-summary"} <= set(routes)
    assert set(sweep["findings"].files) == set(routes), "a download route gave no file"
    assert {"ideas.Idea.title", "projects.Project.title", "portal.Organisation.name",
            "gevinst.Benefit.title", "portal.Network.name"} <= set(sweep["poisoned"])


def test_no_download_carries_a_live_formula(sweep):
    findings = sweep["findings"]
    assert not findings.problems, "\n".join(findings.problems[:40])


def test_the_formulas_reached_the_files_as_text(sweep):
    """The payload is in every download that shows user text (else the sweep proves nothing),
    and the routes listed as numbers-only really hold no text of users."""
    seen = sweep["findings"].neutralised
    missing = sorted(set(sweep["routes"]) - set(seen) - NUMBERS_ONLY)
    assert not missing, f"no neutralised formula seen in {missing}"
    assert not NUMBERS_ONLY & set(seen), "a numbers-only route now shows user text"


def test_negative_numbers_stay_numbers(sweep):
    negatives = sweep["findings"].negatives
    assert negatives.get("csv", 0) > 0 and negatives.get("xlsx", 0) > 0, negatives


def test_files_for_people_read_in_norwegian(sweep):
    """Issue 16: headers and values in Norwegian, decimal commas, Norwegian dates, no
    microseconds; Excel with a frozen header, filters and typed cells — on every route and
    for every persona; and the sweep saw the typed values it checks."""
    findings = sweep["findings"]
    assert not findings.people, "\n".join(findings.people[:40])
    seen = findings.seen
    assert all(seen.get(what, 0) > 0 for what in (
        "csv date", "csv decimal comma", "xlsx date", "xlsx number")), seen


def test_unknown_formats_and_download_names_are_refused_on_every_route(sweep):
    assert not sweep["refusals"], "\n".join(sweep["refusals"])


# --- only the toolkit writes spreadsheet files --------------------------------------------------

TOOLKIT = {"portal/exports.py"}
WRITER_MODULES = ("csv", "openpyxl")
MEDIA_TYPES = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml")
# Modules that name a spreadsheet media type without writing one, and why.
NAMES_ONLY = {
    # The upload allow-list: attachments are the users' own files, stored and served back
    # unchanged as downloads (with nosniff), not files the product writes.
    "ideas/services/attachments.py",
}


def _source_files():
    """The project's own packages (a top-level folder with an __init__.py): not the tests,
    and not what tools install beside the code (.venv, .lock-tools, ...)."""
    root = Path(settings.BASE_DIR)
    packages = sorted(p.parent for p in root.glob("*/__init__.py")
                      if p.parent.name not in {"tests", "bench", "scripts"})
    for package in packages:
        for path in sorted(package.rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if "/migrations/" not in relative:
                yield relative, path


def test_only_the_export_toolkit_writes_csv_or_excel():
    offenders = []
    for relative, path in _source_files():
        if relative in TOOLKIT:
            continue
        for node in ast.walk(parse(path.read_text(), relative)):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] in WRITER_MODULES for name in names):
                offenders.append(f"{relative}:{node.lineno} imports {names}")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    node.value.startswith(MEDIA_TYPES) and relative not in NAMES_ONLY:
                offenders.append(f"{relative}:{node.lineno} names {node.value!r}")
    assert not offenders, ("write CSV and Excel through portal.exports (formula "
                           "neutralisation):\n" + "\n".join(offenders))


def test_the_toolkit_guard_sees_the_source():
    files = {relative for relative, _path in _source_files()}
    assert {"portal/exports.py", "indicators/api.py", "ideas/exports.py"} <= files
