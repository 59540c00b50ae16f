import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.indicators.helpers import make_initiative


@pytest.fixture
def data(home_org, other_org):
    make_initiative(home_org, [("concept", "2024-02-01")])
    make_initiative(other_org, [("idea", "2024-03-01")], project=False)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("indicators", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_compute_then_show_json_sorted_by_org_number(data, home_org, other_org):
    _out, err = run("compute", "--year", "2024")
    assert "organisations computed" in err
    items = json.loads(run("show", "--year", "2024", "--format", "json")[0])
    numbers = [i["organisation"]["org_number"] for i in items]
    assert numbers == sorted(numbers) and set(numbers) >= {home_org.org_number,
                                                           other_org.org_number}
    by_org = {i["organisation"]["org_number"]: i for i in items}
    assert by_org[home_org.org_number]["activity"]["points"] == 2


def test_show_csv_for_one_organisation_and_quarter(data, home_org):
    run("compute", "--year", "2024", "--quarter", "1")
    out, _ = run("show", "--year", "2024", "--quarter", "1", "--organisation",
                 home_org.org_number, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1 and rows[0]["concept"] == "1" and rows[0]["period_end"] == "2024-03-31"


def test_freeze_then_compute_is_refused_with_a_clear_message(data):
    run("compute", "--year", "2024")
    run("freeze", "--year", "2024")
    with pytest.raises(CommandError, match="frosset"):
        run("compute", "--year", "2024")


def test_unknown_organisation_is_named(data):
    with pytest.raises(CommandError, match="123456785"):
        run("compute", "--year", "2024", "--organisation", "123456785")
