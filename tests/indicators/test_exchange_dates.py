"""The portfolio import under the date policy (portal.dates) and the valuation bounds
(portal.limits): every dated fact of the file — phases, assessments, baselines, targets,
measurements — lies in the valid range, and a valuation cannot overflow the NOK columns;
otherwise the JSON path is named and nothing is written."""

import pytest

from exchange.importer import ImportFailed
from initiatives.models import IndicatorDirty, Initiative, PhaseChange
from portal.models import Organisation
from tests.indicators.test_exchange import ORG_A, ORG_B, full_doc, run

pytestmark = pytest.mark.django_db


def _benefit(doc):
    return doc["initiatives"][0]["benefits"][0]


@pytest.mark.parametrize("mutate, path, message", [
    (lambda doc: doc["initiatives"][0]["phases"][0].__setitem__("on", "9999-12-31"),
     "initiatives[0].phases[0].on", "date in the future"),
    (lambda doc: doc["initiatives"][0]["phases"][0].__setitem__("on", "0001-01-01"),
     "initiatives[0].phases[0].on", "date before 2000-01-01"),
    (lambda doc: doc["initiatives"][2]["phases"][0].__setitem__("on", "1999-12-31"),
     "initiatives[2].phases[0].on", "date before 2000-01-01"),
    (lambda doc: doc["initiatives"][0]["assessments"][0].__setitem__("on", "0001-01-01"),
     "initiatives[0].assessments[0].on", "date before 2000-01-01"),
    (lambda doc: doc["initiatives"][0]["assessments"][0].__setitem__("on", "9999-12-31"),
     "initiatives[0].assessments[0].on", "date in the future"),
    (lambda doc: _benefit(doc).__setitem__("baseline_on", "1999-01-01"),
     "initiatives[0].benefits[0].baseline_on", "date before 2000-01-01"),
    (lambda doc: _benefit(doc).__setitem__("target_on", "9999-12-31"),
     "initiatives[0].benefits[0].target_on", "date after"),
    (lambda doc: _benefit(doc)["measurements"][0].__setitem__("on", "9999-12-31"),
     "initiatives[0].benefits[0].measurements[0].on", "date in the future"),
    (lambda doc: _benefit(doc).__setitem__("nok_per_unit", 100000000.01),
     "initiatives[0].benefits[0].nok_per_unit", "at most 100000000"),
    (lambda doc: _benefit(doc).__setitem__("periods_per_year", 367),
     "initiatives[0].benefits[0].periods_per_year", "at most 366"),
    (lambda doc: _benefit(doc).__setitem__("periods_per_year", -52),
     "initiatives[0].benefits[0].periods_per_year", "greater than 0"),
])
def test_dates_and_valuations_outside_the_policy_are_refused_with_the_json_path(
        mutate, path, message):
    doc = full_doc()
    mutate(doc)
    with pytest.raises(ImportFailed) as info:
        run(doc)
    assert any(m.startswith(path) and message in m for m in info.value.messages), \
        info.value.messages
    assert not Initiative.objects.exists() and not PhaseChange.objects.exists()
    assert not Organisation.objects.filter(org_number__in=[ORG_A, ORG_B]).exists()
    assert not IndicatorDirty.objects.exists()


def test_a_target_within_ten_years_is_a_valid_plan():
    doc = full_doc()
    _benefit(doc)["target_on"] = "2035-12-31"  # run() imports as of 2026-01-01
    run(doc)
    assert Initiative.objects.count() == 3
