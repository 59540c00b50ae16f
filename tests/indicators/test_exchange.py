"""Portfolio exchange: validation with JSON paths, all-or-nothing, idempotency, round trip."""

import copy
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from exchange.exporter import export_portfolio
from exchange.importer import ImportFailed, import_portfolio
from gevinst.history import measurements_revalue
from gevinst.models import Benefit, Measurement
from indicators.compute import STANDARD_1, compute
from initiatives.models import BenefitAssessment, Initiative, PhaseChange
from portal.models import Organisation, OrganisationEvent
from projects.models import Project
from tests.indicators.helpers import d

pytestmark = pytest.mark.django_db
ORG_A, ORG_B = "964338531", "942110464"  # Bergen, Trondheim


def document(*initiatives):
    return {"format": "innoportal-portfolio/1",
            "organisations": [
                {"org_number": ORG_A, "name": "Bergen kommune", "kind": "municipality",
                 "county": "Vestland", "population": 291940},
                {"org_number": ORG_B, "name": "Trondheim kommune", "kind": "municipality",
                 "county": "Trøndelag", "population": 214570}],
            "initiatives": list(initiatives)}


def initiative(key, phases, org=ORG_A, **extra):
    item = {"key": key, "organisation": org, "title": f"Initiativ {key}", "need": "Behov",
            "track": extra.pop("track", "full"), "visibility": extra.pop("visibility", "public"),
            "adopted_from": extra.pop("adopted_from", None),
            "phases": [{"phase": p, "on": on} for p, on in phases],
            "assessments": extra.pop("assessments", []), "benefits": extra.pop("benefits", [])}
    if "adopted_from_organisation" in extra:
        item["adopted_from_organisation"] = extra.pop("adopted_from_organisation")
    assert not extra, extra
    return item


BENEFIT = {"key": "b1", "title": "Spart tid", "type": "time_saved",
           "dimension": "organisational", "unit": "hours/week", "direction": "decrease",
           "baseline": 40, "baseline_on": "2024-03-01", "target": 30, "target_on": "2025-03-01",
           "nok_per_unit": 300, "periods_per_year": 52,
           "measurements": [{"on": "2024-09-01", "value": 35}]}


def run(doc):
    return import_portfolio(io.BytesIO(json.dumps(doc).encode()), today=d("2026-01-01"))


def full_doc():
    return document(
        initiative("a", [("concept", "2024-01-10"), ("pilot", "2024-03-01"),
                         ("implementation", "2024-06-01")],
                   assessments=[{"dimension": "user", "kind": "expected", "score": 2,
                                 "on": "2024-02-01"},
                                {"dimension": "user", "kind": "realised", "score": 3,
                                 "on": "2024-07-01"}],
                   benefits=[copy.deepcopy(BENEFIT)]),
        initiative("b", [("pilot", "2024-08-01")], org=ORG_B, adopted_from="a",
                   adopted_from_organisation=ORG_A),
        initiative("c", [("idea", "2024-02-01"), ("parked", "2024-04-01"),
                         ("idea", "2024-09-01"), ("rejected", "2024-10-01")],
                   visibility="organisation"),
    )


def test_import_creates_everything_and_the_numbers_follow():
    result = run(full_doc())
    assert result.initiatives_created == 3 and result.organisations_created == 2
    from ideas.models import Idea

    idea = Idea.objects.get(initiative__key="c")
    assert (idea.status, idea.need, idea.organisation.org_number) == ("rejected", "Behov", ORG_A)
    assert not Project.objects.filter(initiative__key="c").exists()
    a = Initiative.objects.get(key="a")
    assert a.phase == "implementation"
    assert list(a.phase_changes.values_list("to_phase", "valid_until")) == [
        ("concept", d("2024-03-01")), ("pilot", d("2024-06-01")), ("implementation", None)]
    assert Project.objects.get(initiative__key="b").adopted_from.initiative.key == "a"
    assert Initiative.objects.get(key="b").adopted_from.key == "a"  # the spine's lineage
    assert Benefit.objects.get(key="b1").measurements.count() == 1
    bergen = Organisation.objects.get(org_number=ORG_A)
    numbers = compute(scheme=STANDARD_1, period_start=d("2024-01-01"),
                      period_end=d("2024-12-31"))[bergen.pk]
    assert numbers.stock_points == 8 and numbers.realised_nok_per_year == 78000
    # The realised score (3) replaces the expected one (2), weighted for implementation (.75).
    assert numbers.benefit_by_dimension["user"] == pytest.approx(2.25)


def test_importing_the_same_file_twice_changes_nothing():
    run(full_doc())
    counts = [m.objects.count() for m in (Initiative, PhaseChange, BenefitAssessment, Benefit,
                                          Measurement, Project, Organisation)]
    result = run(full_doc())
    assert result.initiatives_unchanged == 3 and result.initiatives_created == 0
    assert counts == [m.objects.count() for m in (Initiative, PhaseChange, BenefitAssessment,
                                                  Benefit, Measurement, Project, Organisation)]


def test_an_import_leaves_one_audit_event_per_organisation_it_changed():
    run(full_doc())
    events = OrganisationEvent.objects.filter(kind="portfolio_imported")
    assert {e.organisation.org_number: e.data["initiatives_created"] for e in events} == {
        ORG_A: 2, ORG_B: 1}
    run(full_doc())  # unchanged: nothing to record
    assert events.count() == 2
    doc = full_doc()
    doc["initiatives"][0]["phases"].append({"phase": "benefit_realisation", "on": "2025-02-01"})
    run(doc)
    latest = events.order_by("-id").first()
    assert (latest.organisation.org_number, latest.data) == (
        ORG_A, {"initiatives_created": 0, "initiatives_extended": 1})


def test_a_later_file_extends_the_history():
    run(full_doc())
    doc = full_doc()
    doc["initiatives"][0]["phases"].append({"phase": "benefit_realisation", "on": "2025-02-01"})
    doc["initiatives"][0]["benefits"][0]["measurements"].append({"on": "2025-03-01",
                                                                 "value": 31})
    result = run(doc)
    assert result.initiatives_extended == 1
    a = Initiative.objects.get(key="a")
    assert a.phase == "benefit_realisation"
    assert list(a.phase_changes.order_by("id").values_list("valid_until", flat=True)) == [
        d("2024-03-01"), d("2024-06-01"), d("2025-02-01"), None]
    validity = Measurement.objects.order_by("measured_on").values_list("valid_until", flat=True)
    assert list(validity) == [d("2025-03-01"), None]
    bergen = Organisation.objects.get(org_number=ORG_A)
    in_2025 = compute(scheme=STANDARD_1, period_start=d("2025-01-01"),
                      period_end=d("2025-12-31"))[bergen.pk]
    assert in_2025.realised_nok_per_year == 9 * 300 * 52  # 40 -> 31 hours/week


@pytest.mark.parametrize("mutate, path, message", [
    (lambda doc: doc["initiatives"][0]["phases"].__setitem__(
        2, {"phase": "implementation", "on": "2024-02-01"}),
     "initiatives[0].phases[2].on", "date before previous change"),
    (lambda doc: doc["initiatives"][0]["phases"].__setitem__(
        1, {"phase": "implementation", "on": "2024-03-01"}),
     "initiatives[0].phases[1].phase", "skips phases"),
    (lambda doc: doc["initiatives"][0]["assessments"][1].__setitem__("on", "2024-05-01"),
     "initiatives[0].assessments[1].on", "from implementation on"),
    (lambda doc: doc["initiatives"][0]["assessments"][0].__setitem__("score", 4),
     "initiatives[0].assessments[0].score", "0–3"),
    (lambda doc: doc["initiatives"][0]["benefits"][0]["measurements"][0].__setitem__(
        "on", "2024-01-01"),
     "initiatives[0].benefits[0].measurements[0].on", "before the baseline"),
    (lambda doc: doc["initiatives"][0]["benefits"][0].__setitem__("baseline", "forty"),
     "initiatives[0].benefits[0].baseline", "must be a number"),
    (lambda doc: doc["initiatives"][1].__setitem__("adopted_from", "nope"),
     "initiatives[1].adopted_from", "no project with key 'nope'"),
    (lambda doc: doc["organisations"][0].__setitem__("org_number", "964338532"),
     "organisations[0].org_number", "mod-11"),
    (lambda doc: doc["initiatives"][2].__setitem__("key", "a"),
     "initiatives", f"key 'a' appears more than once for organisation {ORG_A}"),
    (lambda doc: doc["initiatives"][0]["benefits"].append(copy.deepcopy(BENEFIT)),
     "initiatives[0].benefits[1].key", "appears more than once in this initiative"),
    (lambda doc: doc["initiatives"][1].__setitem__("adopted_from_organisation", ORG_B),
     "initiatives[1].adopted_from", f"no project with key 'a' in organisation {ORG_B}"),
    (lambda doc: doc.__setitem__("format", "something/2"), "format", "innoportal-portfolio/1"),
])
def test_bad_files_are_refused_with_the_json_path_and_nothing_is_written(mutate, path,
                                                                         message):
    doc = full_doc()
    mutate(doc)
    with pytest.raises(ImportFailed) as info:
        run(doc)
    assert any(m.startswith(path) and message in m for m in info.value.messages), \
        info.value.messages
    assert not Initiative.objects.exists() and not PhaseChange.objects.exists()
    assert not Organisation.objects.filter(org_number__in=[ORG_A, ORG_B]).exists()


def test_an_error_late_in_the_file_rolls_back_the_batches_already_written(monkeypatch):
    from exchange import importer

    monkeypatch.setattr(importer, "BATCH", 2)
    items = [initiative(f"k{n}", [("idea", "2024-01-10")]) for n in range(7)]
    items.append(initiative("bad", [("idea", "2024-01-10"), ("spread", "2024-02-01")]))
    with pytest.raises(ImportFailed) as info:
        run(document(*items))
    assert info.value.messages[0].startswith("initiatives[7].phases[1].phase")
    assert not Initiative.objects.exists()


def test_not_json_is_refused():
    with pytest.raises(ImportFailed) as info:
        import_portfolio(io.BytesIO(b"{not json"))
    assert info.value.messages[0].startswith("$")


def test_export_of_an_import_gives_the_same_document():
    doc = full_doc()
    run(doc)
    exported = json.loads("".join(export_portfolio()))
    assert exported["format"] == doc["format"]
    assert sorted(exported["organisations"], key=lambda o: o["org_number"]) == sorted(
        doc["organisations"], key=lambda o: o["org_number"])
    assert sorted(exported["initiatives"], key=lambda i: i["key"]) == sorted(
        doc["initiatives"], key=lambda i: i["key"])


def test_commands_import_and_export(tmp_path):
    path = tmp_path / "portfolio.json"
    path.write_text(json.dumps(full_doc()))
    err = io.StringIO()
    call_command("portfolio", "import", str(path), stderr=err)
    assert "3 initiatives created" in err.getvalue()
    out = io.StringIO()
    call_command("portfolio", "export", "--organisation", ORG_B, stdout=out)
    exported = json.loads(out.getvalue())
    assert [i["key"] for i in exported["initiatives"]] == ["b"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document(initiative("x", [("spread", "2024-01-01")]))))
    with pytest.raises(CommandError, match="ingenting er importert"):
        call_command("portfolio", "import", str(bad), stderr=io.StringIO())


def test_import_derives_valid_until_for_out_of_order_assessments():
    doc = document(initiative("v", [("concept", "2024-01-10"), ("implementation", "2024-02-01")],
                              track="fast_track",
                              assessments=[{"dimension": "user", "kind": "realised", "score": 3,
                                            "on": "2024-09-01"},
                                           {"dimension": "user", "kind": "realised", "score": 1,
                                            "on": "2024-03-01"}]))
    run(doc)
    rows = list(BenefitAssessment.objects.order_by("assessed_on")
                .values_list("score", "valid_until"))
    assert rows == [(1, d("2024-09-01")), (3, None)]


def test_imported_measurements_carry_the_same_indicator_values_the_writers_derive():
    doc = full_doc()
    doc["initiatives"][0]["benefits"][0]["measurements"].append({"on": "2024-12-01",
                                                                 "value": 44.5})
    run(doc)
    imported = sorted(Measurement.objects.values_list("pk", "organisation_id", "nok_per_year"))
    assert [v for _pk, _org, v in imported] == [Decimal("78000"), Decimal("-70200")]
    measurements_revalue(organisation_ids=Organisation.objects.values_list("pk", flat=True))
    assert sorted(Measurement.objects.values_list(
        "pk", "organisation_id", "nok_per_year")) == imported


def test_text_with_tabs_newlines_and_backslashes_is_stored_exactly():
    need = "Linje 1\nLinje\t2 \\N og C:\\mappe\\fil\r\nslutt"
    doc = document(initiative("t", [("concept", "2024-01-10")]))
    doc["initiatives"][0]["need"] = need
    run(doc)
    assert Project.objects.get(initiative__key="t").need == need


def test_confidential_ideas_are_exported_without_their_title_and_need(employee, home_org):
    from ideas import services as idea_services

    idea = idea_services.idea_create(actor=employee, organisation=home_org,
                                     title="Hemmelig patentidé", need="Beskrivelse av oppfinnelsen",
                                     is_confidential=True)
    idea_services.idea_submit(actor=employee, idea=idea)
    document = json.loads("".join(export_portfolio()))
    item = next(i for i in document["initiatives"] if i["key"] == idea.initiative.key)
    assert (item["title"], item["need"]) == ("Konfidensielt initiativ", "")
    assert [p["phase"] for p in item["phases"]] == ["idea"]
    assert "Hemmelig" not in json.dumps(document, ensure_ascii=False)
