"""Portfolio import under hostile and malformed input (issue 13): bounded memory whatever the
nesting, permission before the body, a size bound, every malformed file refused with its JSON
path and nothing written (library, API, command line), exact numbers, organisation master data
only through operators, and the background job."""

import copy
import io
import json
import tracemalloc
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.http import multipartparser
from django.test import Client
from django.urls import reverse

from exchange import demo, services
from exchange.exporter import export_portfolio
from exchange.importer import ImportFailed, import_portfolio
from exchange.models import PortfolioImportJob
from exchange.tasks import run_portfolio_import
from gevinst.models import Benefit, Measurement
from ideas.models import Idea
from initiatives.models import BenefitAssessment, Initiative, PhaseChange
from portal.models import Organisation, OrganisationEvent
from projects.models import Project
from tests.factories import UserFactory
from tests.indicators.test_exchange import ORG_A, full_doc, run

pytestmark = pytest.mark.django_db
IMPORT_URL = "/api/v1/portfolio/import/"
MODELS = (Organisation, Initiative, PhaseChange, BenefitAssessment, Benefit, Measurement,
          Project, Idea, OrganisationEvent)
# The worst files of the report: 40 KB and 200 KB of nested arrays (1 GB and > 15 GB before).
PEAK_LIMIT = 50 * 1024 * 1024


def nested(size: int) -> bytes:
    depth = (size - 40) // 2
    return b'{"format":"innoportal-portfolio/1","initiatives":' + b"[" * depth + b"]" * depth \
        + b"}"


def counts() -> list[int]:
    return [m.objects.count() for m in MODELS]


def peak_of(action) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- memory, permission, size -------------------------------------------------------------------

@pytest.mark.parametrize("size", [40_000, 200_000])
def test_deeply_nested_files_are_refused_in_little_memory_by_the_api(api_client, org_admin,
                                                                      size):
    api_client.force_authenticate(org_admin)
    body = nested(size)
    answers = []
    peak = peak_of(lambda: answers.append(api_client.post(
        IMPORT_URL, body, content_type="application/json")))
    assert answers[0].status_code == 400
    assert "initiatives[0][0]" in answers[0].json()["errors"]["file"][0]
    assert "nested deeper than" in answers[0].json()["errors"]["file"][0]
    assert peak < PEAK_LIMIT, f"peak {peak / 1e6:.0f} MB"


@pytest.mark.parametrize("size", [40_000, 200_000])
def test_deeply_nested_files_are_refused_in_little_memory_by_the_command(tmp_path, size):
    path = tmp_path / "deep.json"
    path.write_bytes(nested(size))
    err = io.StringIO()

    def command():
        with pytest.raises(CommandError, match="ingenting er importert"):
            call_command("portfolio", "import", str(path), stderr=err)

    peak = peak_of(command)
    assert "nested deeper than" in err.getvalue()
    assert peak < PEAK_LIMIT, f"peak {peak / 1e6:.0f} MB"


@pytest.mark.parametrize("persona", ["employee", "manager", "coordinator"])
def test_the_api_refuses_non_administrators_before_reading_the_body(api_client, personas,
                                                                    persona, monkeypatch):
    def must_not_read(*args, **kwargs):
        raise AssertionError("the body was read before the permission check")

    monkeypatch.setattr(services, "spool", must_not_read)
    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", must_not_read)
    api_client.force_authenticate(personas[persona])
    assert api_client.post(IMPORT_URL, nested(40_000),
                           content_type="application/json").status_code == 403
    upload = SimpleUploadedFile("p.json", nested(40_000))
    assert api_client.post(IMPORT_URL, {"file": upload}, format="multipart").status_code == 403


def test_the_page_refuses_non_administrators_before_reading_the_upload(employee, monkeypatch):
    def must_not_read(*args, **kwargs):
        raise AssertionError("the upload was parsed before the permission check")

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", must_not_read)
    client = Client(enforce_csrf_checks=True)  # the CSRF check would read the body first
    client.force_login(employee)
    response = client.post(reverse("indicators:portfolio-upload"),
                           {"file": SimpleUploadedFile("p.json", b"{}")})
    assert response.status_code == 403
    assert not PortfolioImportJob.objects.exists()


def test_the_page_still_checks_csrf(org_admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org_admin)
    response = client.post(reverse("indicators:portfolio-upload"),
                           {"file": SimpleUploadedFile("p.json", b"{}")})
    assert response.status_code == 403
    assert not PortfolioImportJob.objects.exists()


def test_files_over_the_size_bound_are_refused_everywhere(api_client, client, org_admin,
                                                          settings, tmp_path):
    settings.PORTFOLIO_IMPORT_MAX_BYTES = 1000
    body = json.dumps(full_doc()).encode()
    assert len(body) > 1000
    api_client.force_authenticate(org_admin)
    response = api_client.post(IMPORT_URL, body, content_type="application/json")
    assert response.status_code == 413 and "større enn" in response.json()["errors"]["file"][0]
    response = api_client.post(IMPORT_URL, {"file": SimpleUploadedFile("p.json", body)},
                               format="multipart")
    assert response.status_code == 413
    client.force_login(org_admin)
    response = client.post(reverse("indicators:portfolio-upload"),
                           {"file": SimpleUploadedFile("p.json", body)})
    assert response.status_code == 400 and "større enn" in response.content.decode()
    path = tmp_path / "big.json"
    path.write_bytes(body)
    with pytest.raises(CommandError, match="større enn"):
        call_command("portfolio", "import", str(path), stderr=io.StringIO())
    assert not Initiative.objects.exists() and not PortfolioImportJob.objects.exists()


# --- the sweep: every malformed file is refused with its path, nothing written --------------


def _set(*keys, value):
    def mutate(doc):
        target = doc
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return mutate


def _text(old: str, new: str):
    return lambda raw: raw.replace(old.encode(), new.encode() if isinstance(new, str) else new,
                                   1)


I0, B0 = ("initiatives", 0), ("initiatives", 0, "benefits", 0)
MUTATIONS = {
    # syntax: raw bytes
    "truncated": (lambda raw: raw[:-40], "initiatives[2]", "ends too early"),
    "empty file": (lambda raw: b"", "$", "ends too early"),
    "NaN": (_text('"baseline":40', '"baseline":NaN'), "initiatives[0].benefits[0].baseline",
            "not valid JSON"),
    "Infinity": (_text('"value":35', '"value":-Infinity'),
                 "initiatives[0].benefits[0].measurements[0].value", "not valid JSON"),
    "5000-digit number": (_text('"value":35', '"value":' + "9" * 5000),
                          "initiatives[0].benefits[0].measurements[0].value", "not valid JSON"),
    "not UTF-8": (_text('"Initiativ a"', b'"Initiativ \xff"'), "initiatives[0].title",
                  "not UTF-8"),
    "trailing garbage": (lambda raw: raw + b"{}", "$", "not valid JSON"),
    "nested in an unknown field": (_text('"need":"Behov"', '"x":' + "[" * 40 + "]" * 40
                                         + ',"need":"Behov"'), "initiatives[0].x", "nested"),
    # shape: the decoded document
    "a list, not an object": (lambda doc: [doc], "$", "must be a JSON object"),
    "initiatives not a list": (_set("initiatives", value={"a": 1}), "initiatives",
                               "must be a list"),
    "organisations not a list": (_set("organisations", value="x"), "organisations",
                                 "must be a list"),
    "format missing": (lambda doc: doc.pop("format"), "format", "innoportal-portfolio/1"),
    "organisation not an object": (_set("organisations", 0, value=[1]), "organisations[0]",
                                   "must be an object"),
    "population 10^30": (_set("organisations", 0, "population", value=10**30),
                         "organisations[0].population", "whole number"),
    "population negative": (_set("organisations", 0, "population", value=-1),
                            "organisations[0].population", "whole number"),
    "population fraction": (_set("organisations", 0, "population", value=1.5),
                            "organisations[0].population", "whole number"),
    "population text": (_set("organisations", 0, "population", value="1000"),
                        "organisations[0].population", "whole number"),
    "org_number a number": (_set("organisations", 0, "org_number", value=964338531),
                            "organisations[0].org_number", "must be a string"),
    "org_number a list": (_set("organisations", 0, "org_number", value=[ORG_A]),
                          "organisations[0].org_number", "must be a string"),
    "kind a list": (_set("organisations", 0, "kind", value=["municipality"]),
                    "organisations[0].kind", "must be one of"),
    "county an object": (_set("organisations", 0, "county", value={}),
                         "organisations[0].county", "must be one of"),
    "name with NUL": (_set("organisations", 0, "name", value="Bergen\x00"),
                      "organisations[0].name", "NUL"),
    "initiative not an object": (_set("initiatives", 0, value="a"), "initiatives[0]",
                                 "must be an object"),
    "organisation a number": (_set(*I0, "organisation", value=964338531),
                              "initiatives[0].organisation", "must be a string"),
    "organisation a list": (_set(*I0, "organisation", value=[ORG_A]),
                            "initiatives[0].organisation", "must be a string"),
    "organisation an object": (_set(*I0, "organisation", value={"org_number": ORG_A}),
                               "initiatives[0].organisation", "must be a string"),
    "phases a string": (_set(*I0, "phases", value="concept"), "initiatives[0].phases",
                        "must be a list"),
    "phases a number": (_set(*I0, "phases", value=5), "initiatives[0].phases", "must be a list"),
    "phases an object": (_set(*I0, "phases", value={"phase": "concept"}),
                         "initiatives[0].phases", "must be a list"),
    "phase a list": (_set(*I0, "phases", 0, "phase", value=["concept"]),
                     "initiatives[0].phases[0].phase", "must be one of"),
    "date a number": (_set(*I0, "phases", 0, "on", value=20240110),
                      "initiatives[0].phases[0].on", "must be a date"),
    "date with NUL": (_set(*I0, "phases", 0, "on", value="2024-01-10\x00"),
                      "initiatives[0].phases[0].on", "must be a date"),
    "title with NUL": (_set(*I0, "title", value="Natt\x00tilsyn"), "initiatives[0].title",
                       "NUL"),
    "key with NUL": (_set(*I0, "key", value="a\x00"), "initiatives[0].key", "NUL"),
    "track an object": (_set(*I0, "track", value={}), "initiatives[0].track", "must be one of"),
    "visibility a list": (_set(*I0, "visibility", value=[]), "initiatives[0].visibility",
                          "must be one of"),
    "adopted_from a number": (_set("initiatives", 1, "adopted_from", value=5),
                              "initiatives[1].adopted_from", "must be a string"),
    "adopted_from_organisation a list": (
        _set("initiatives", 1, "adopted_from_organisation", value=[]),
        "initiatives[1].adopted_from_organisation", "must be a string"),
    "score 10^30": (_set(*I0, "assessments", 0, "score", value=10**30),
                    "initiatives[0].assessments[0].score", "0–3"),
    "dimension a list": (_set(*I0, "assessments", 0, "dimension", value=["user"]),
                         "initiatives[0].assessments[0].dimension", "must be one of"),
    "benefit target 15.625": (_set(*B0, "target", value=15.625),
                              "initiatives[0].benefits[0].target", "stored exactly"),
    "measurement 1e30": (_set(*B0, "measurements", 0, "value", value=1e30),
                         "initiatives[0].benefits[0].measurements[0].value", "out of range"),
    "measurement 1e-400": (_text('"value":35', '"value":1e-400'),
                           "initiatives[0].benefits[0].measurements[0].value", "stored exactly"),
    "baseline a string": (_set(*B0, "baseline", value="40"),
                          "initiatives[0].benefits[0].baseline", "must be a number"),
    "unit with NUL": (_set(*B0, "unit", value="timer\x00"), "initiatives[0].benefits[0].unit",
                      "NUL"),
    "measurements an object": (_set(*B0, "measurements", value={}),
                               "initiatives[0].benefits[0].measurements", "must be a list"),
}


def compact(doc) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def mutated(mutation) -> bytes:
    doc = full_doc()
    raw_mutation = mutation.__code__.co_varnames[:1] == ("raw",)
    if raw_mutation:
        return mutation(compact(doc))
    result = mutation(doc)
    return compact(result if isinstance(result, list) else doc)


@pytest.fixture
def stored(db):
    """Something already in the database: a refused file must leave it exactly so."""
    run({"format": "innoportal-portfolio/1", "organisations": [
        {"org_number": "942110464", "name": "Trondheim kommune", "kind": "municipality",
         "county": "Trøndelag", "population": 214570}], "initiatives": [
        {"key": "stored", "organisation": "942110464", "title": "Lagret", "need": "Behov",
         "phases": [{"phase": "idea", "on": "2024-01-10"}]}]})
    return counts()


@pytest.mark.parametrize("name", MUTATIONS)
def test_malformed_files_are_refused_with_their_path_and_nothing_is_written(
        name, stored, tmp_path, api_client):
    mutation, path, message = MUTATIONS[name]
    raw = mutated(mutation)
    # The library.
    with pytest.raises(ImportFailed) as info:
        import_portfolio(io.BytesIO(raw))
    assert any(m.startswith(path) and message in m for m in info.value.messages), \
        info.value.messages
    assert counts() == stored
    # The API: 400 with the path, never a 500.
    api_client.force_authenticate(UserFactory(is_superuser=True))
    response = api_client.post(IMPORT_URL, raw, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert any(m.startswith(path) for m in response.json()["errors"]["file"])
    assert counts() == stored
    # The command line: the messages and exit code 1 (CommandError), no traceback.
    file = tmp_path / "bad.json"
    file.write_bytes(raw)
    err = io.StringIO()
    with pytest.raises(CommandError, match="ingenting er importert"):
        call_command("portfolio", "import", str(file), stderr=err)
    assert path in err.getvalue() and "Traceback" not in err.getvalue()
    assert counts() == stored


def test_the_sweep_starts_from_a_file_that_imports():
    raw = compact(full_doc())
    assert import_portfolio(io.BytesIO(raw)).initiatives_created == 3


def test_a_utf8_byte_order_mark_is_accepted():
    raw = b"\xef\xbb\xbf" + compact(full_doc())
    assert import_portfolio(io.BytesIO(raw)).initiatives_created == 3


# --- exact numbers and the round trip -----------------------------------------------------------

def test_numbers_with_two_decimals_round_trip_exactly():
    doc = full_doc()
    doc["initiatives"][0]["benefits"][0].update(target=15.62, baseline=40.1, nok_per_unit=0.05)
    run(doc)
    exported = json.loads("".join(export_portfolio()))
    benefit = next(i for i in exported["initiatives"] if i["key"] == "a")["benefits"][0]
    assert (benefit["target"], benefit["baseline"], benefit["nok_per_unit"]) == (15.62, 40.1,
                                                                                 0.05)


def test_the_demo_exported_imported_into_an_empty_database_and_exported_again_is_byte_equal():
    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            import_portfolio(io.BytesIO(json.dumps(demo.document()).encode()))
            first = "".join(export_portfolio())
            raise Rollback
    except Rollback:
        pass
    assert not Initiative.objects.exists() and not Organisation.objects.exists()
    import_portfolio(io.BytesIO(first.encode()))
    assert "".join(export_portfolio()) == first


# --- organisation master data -------------------------------------------------------------------

def moved(org):
    return {"format": "innoportal-portfolio/1", "organisations": [
        {"org_number": org.org_number, "name": "Nytt navn", "kind": "county",
         "county": "Finnmark", "population": 999_999}], "initiatives": []}


def test_an_organisation_admin_cannot_change_master_data_through_the_import(api_client,
                                                                            org_admin,
                                                                            home_org):
    before = Organisation.objects.filter(pk=home_org.pk).values().get()
    api_client.force_authenticate(org_admin)
    response = api_client.post(IMPORT_URL, moved(home_org), format="json")
    assert response.status_code == 201
    assert Organisation.objects.filter(pk=home_org.pk).values().get() == before
    warnings = response.json()["warnings"]
    assert {w.split(":")[0] for w in warnings} == {
        f"organisations[0].{f}" for f in ("name", "kind", "county", "population")}
    assert not OrganisationEvent.objects.filter(kind__startswith="organisation_").exists()


def test_an_operator_changes_master_data_and_the_change_is_recorded(api_client, home_org):
    operator = UserFactory(is_superuser=True)
    old_county, old_population = home_org.county, home_org.population
    api_client.force_authenticate(operator)
    assert api_client.post(IMPORT_URL, moved(home_org), format="json").status_code == 201
    home_org.refresh_from_db()
    assert (home_org.name, home_org.county, home_org.population) == ("Nytt navn", "Finnmark",
                                                                      999_999)
    event = OrganisationEvent.objects.get(kind="organisation_changed")
    assert event.actor == operator and event.organisation == home_org
    assert event.data["changes"]["county"] == [old_county, "Finnmark"]
    assert event.data["changes"]["population"] == [old_population, 999_999]


def test_organisations_created_by_the_command_line_are_recorded():
    run(full_doc())
    created = OrganisationEvent.objects.filter(kind="organisation_created")
    assert sorted(e.organisation.org_number for e in created) == sorted(
        [ORG_A, "942110464"])
    assert all(e.actor is None and e.data["values"]["name"] for e in created)


# --- the background job -------------------------------------------------------------------------

def test_a_large_api_body_becomes_a_job_that_a_client_can_follow(api_client, org_admin, home_org,
                                                                 settings,
                                                                 django_capture_on_commit_callbacks):
    from tests.indicators.test_exchange_api import doc

    settings.PORTFOLIO_IMPORT_SYNC_MAX_BYTES = 100
    api_client.force_authenticate(org_admin)
    with mock.patch.object(run_portfolio_import, "delay") as enqueue:
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.post(IMPORT_URL, doc(home_org), format="json")
    assert response.status_code == 202 and response.json()["state"] == "queued"
    enqueue.assert_called_once_with(response.json()["id"])
    run_portfolio_import(response.json()["id"])  # what the worker does
    job = api_client.get(response.json()["url"]).json()
    assert (job["state"], job["progress"], job["result"]["initiatives_created"]) == (
        "succeeded", 100, 1)
    other = UserFactory()
    api_client.force_authenticate(other)
    assert api_client.get(response.json()["url"]).status_code == 404


def test_a_job_runs_once_and_forgets_its_file(org_admin, home_org):
    from tests.indicators.test_exchange_api import doc

    job = services.import_job_create(actor=org_admin, name="p.json", size=1,
                                     source=io.BytesIO(json.dumps(doc(home_org)).encode()))
    stored_name = job.file.name
    assert job.file.storage.exists(stored_name)
    assert services.import_job_run(str(job.pk)).state == "succeeded"
    again = services.import_job_run(str(job.pk))  # a redelivered message
    assert again.state == "succeeded" and Initiative.objects.count() == 1
    assert again.file.name == "" and not job.file.storage.exists(stored_name)


def test_a_refused_file_fails_its_job_with_the_paths_and_writes_nothing(org_admin, home_org):
    from tests.indicators.test_exchange_api import doc

    bad = copy.deepcopy(doc(home_org))
    bad["initiatives"][0]["title"] = "Natt\x00"
    job = services.import_job_create(actor=org_admin, name="p.json", size=1,
                                     source=io.BytesIO(json.dumps(bad).encode()))
    job = services.import_job_run(str(job.pk))
    assert job.state == "failed" and job.errors == ["initiatives[0].title: contains a NUL "
                                                    "character"]
    assert not Initiative.objects.exists()


def test_a_job_reports_progress_while_it_runs(org_admin, home_org, monkeypatch):
    from exchange import importer
    from tests.indicators.test_exchange_api import doc

    monkeypatch.setattr(importer, "BATCH", 1)
    document = doc(home_org)
    document["initiatives"].append(dict(document["initiatives"][0], key="api-2"))
    job = services.import_job_create(actor=org_admin, name="p.json", size=1,
                                     source=io.BytesIO(json.dumps(document).encode()))
    seen = []
    real = importer.import_portfolio

    def spy(source, **kwargs):
        inner = kwargs["progress"]

        def progress(done, total):
            inner(done, total)
            seen.append(services.import_job_progress(
                PortfolioImportJob.objects.get(pk=job.pk)))
        return real(source, **{**kwargs, "progress": progress})

    monkeypatch.setattr(services, "import_portfolio", spy)
    assert services.import_job_run(str(job.pk)).state == "succeeded"
    assert seen == [50, 99]


def test_an_import_whose_worker_died_is_failed_and_its_file_deleted(org_admin, home_org,
                                                                    settings):
    import datetime

    from django.utils import timezone

    from tests.indicators.test_exchange_api import doc

    job = services.import_job_create(actor=org_admin, name="p.json", size=1,
                                     source=io.BytesIO(json.dumps(doc(home_org)).encode()))
    stored_name = job.file.name
    started = timezone.now() - datetime.timedelta(
        seconds=settings.PORTFOLIO_IMPORT_STALE_SECONDS - 60)
    PortfolioImportJob.objects.filter(pk=job.pk).update(state="running", started_at=started)
    assert services.import_jobs_expire() == 0  # still within its time
    PortfolioImportJob.objects.filter(pk=job.pk).update(
        started_at=started - datetime.timedelta(seconds=120))
    assert services.import_jobs_expire() == 1
    job.refresh_from_db()
    assert job.state == "failed" and "Avbrutt" in job.message
    assert not job.file.storage.exists(stored_name)
