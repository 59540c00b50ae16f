"""Each derived rule is written once (issue 14): the columns derived from the dated history are
written by one function each, and every other module reads them.

- `valid_until` of phase changes, assessments and measurements: initiatives.series
  (revalidate_series), called by every writer, the portfolio import included;
- `Measurement.nok_per_year` (indicator rule 8): gevinst.history.measurements_revalue;
- the indicator timeline's own intervals: initiatives.timeline (a derived index, rebuilt whole).
"""

import ast
import re

import pytest

from tests.sources import parse
from tests.test_architecture import PACKAGES, ROOT

# column -> the modules that may write it
WRITERS = {
    "valid_until": {"initiatives/series.py", "initiatives/timeline.py"},
    "nok_per_year": {"gevinst/history.py"},
}
WRITE_CALLS = {"update", "create", "bulk_create", "get_or_create", "update_or_create"}
# The assignments of an UPDATE's SET list, and the column list of an INSERT.
SQL_WRITE = re.compile(r"\bSET\b(.*?)(?:\bFROM\b|\bWHERE\b|$)|INSERT INTO [^(]*\(([^)]*)\)",
                       re.IGNORECASE | re.DOTALL)


def derived_column_writes(source: str) -> set[str]:
    """The derived columns a module's source writes: ORM keyword writes, insert_rows column
    lists and SQL UPDATE/INSERT text."""
    written: set[str] = set()
    for node in ast.walk(parse(source)):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in WRITE_CALLS:
                written |= {k.arg for k in node.keywords if k.arg in WRITERS}
            if name == "insert_rows":
                written |= {c.value for arg in node.args for c in ast.walk(arg)
                            if isinstance(c, ast.Constant) and c.value in WRITERS}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for assignments, inserted in SQL_WRITE.findall(node.value):
                columns = set(re.findall(r"(\w+)\s*=(?!=)", assignments))
                columns |= set(re.findall(r"\w+", inserted))
                written |= columns & set(WRITERS)
    return written


def app_modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_each_derived_column_is_written_in_one_place():
    offenders = []
    for path in app_modules():
        relative = path.relative_to(ROOT).as_posix()
        for column in derived_column_writes(path.read_text()):
            if relative not in WRITERS[column]:
                offenders.append(f"{relative} writes {column}")
    assert offenders == []


@pytest.mark.parametrize("source, column", [
    ("PhaseChange.objects.filter(pk=1).update(valid_until=on)", "valid_until"),
    ("Measurement.objects.create(benefit=b, value=v, nok_per_year=n)", "nok_per_year"),
    ("insert_rows(Measurement, ['benefit_id', 'valid_until'], rows)", "valid_until"),
    ('SQL = "UPDATE m SET nok_per_year = 1 WHERE id = %s"', "nok_per_year"),
    ('SQL = "UPDATE pc SET rationale = \'\', valid_until = NULL"', "valid_until"),
])
def test_the_scan_finds_a_second_writer(source, column):
    """The sweep can fail: each way of writing a derived column is found."""
    assert column in derived_column_writes(source)


def test_the_known_writers_are_found():
    """The scan sees the real writers, so it is not blind to the style they use."""
    for column, modules in WRITERS.items():
        for module in modules:
            assert column in derived_column_writes((ROOT / module).read_text()), module
