import json
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exchange.models import PortfolioImportJob
from exchange.tasks import run_portfolio_import
from initiatives.models import Initiative
from tests.factories import UserFactory


def doc(org):
    return {"format": "innoportal-portfolio/1",
            "organisations": [{"org_number": org.org_number, "name": org.name,
                               "kind": "municipality", "county": org.county,
                               "population": org.population}],
            "initiatives": [{"key": "api-1", "organisation": org.org_number, "title": "Nattilsyn",
                             "need": "Færre nattlige besøk", "track": "full",
                             "visibility": "organisation", "adopted_from": None,
                             "phases": [{"phase": "concept", "on": "2024-02-01"}],
                             "assessments": [], "benefits": []}]}


def test_admin_imports_own_organisation_through_the_api(api_client, org_admin, home_org):
    api_client.force_authenticate(org_admin)
    response = api_client.post("/api/v1/portfolio/import/", doc(home_org), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["initiatives_created"] == 1
    assert Initiative.objects.get(key="api-1").organisation == home_org


def test_admin_cannot_import_for_another_organisation(api_client, org_admin, other_org):
    api_client.force_authenticate(org_admin)
    response = api_client.post("/api/v1/portfolio/import/", doc(other_org), format="json")
    assert response.status_code == 403
    assert not Initiative.objects.exists()


@pytest.mark.parametrize("persona", ["employee", "manager", "coordinator"])
def test_non_admins_cannot_import(api_client, personas, home_org, persona):
    api_client.force_authenticate(personas[persona])
    response = api_client.post("/api/v1/portfolio/import/", doc(home_org), format="json")
    assert response.status_code == 403
    assert not Initiative.objects.exists()


def test_bad_file_gives_400_with_json_paths(api_client, org_admin, home_org):
    api_client.force_authenticate(org_admin)
    bad = doc(home_org)
    bad["initiatives"][0]["phases"].append({"phase": "spread", "on": "2024-03-01"})
    response = api_client.post("/api/v1/portfolio/import/", bad, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == [
        "initiatives[0].phases[1].phase: concept → spread skips phases"]
    assert not Initiative.objects.exists()


def test_export_streams_own_organisation(api_client, org_admin, home_org, other_org):
    api_client.force_authenticate(org_admin)
    api_client.post("/api/v1/portfolio/import/", doc(home_org), format="json")
    response = api_client.get("/api/v1/portfolio/export/", {"organisation": home_org.org_number})
    body = json.loads(b"".join(response.streaming_content))
    assert [i["key"] for i in body["initiatives"]] == ["api-1"]
    assert api_client.get("/api/v1/portfolio/export/", {
        "organisation": other_org.org_number}).status_code == 404
    assert api_client.get("/api/v1/portfolio/export/").status_code == 403


def test_upload_page_imports_in_the_background_and_lists_errors(
        client, org_admin, home_org, django_capture_on_commit_callbacks):
    client.force_login(org_admin)
    url = reverse("indicators:portfolio-upload")
    good = SimpleUploadedFile("p.json", json.dumps(doc(home_org)).encode())
    with mock.patch.object(run_portfolio_import, "delay") as enqueue:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"file": good})
    job = PortfolioImportJob.objects.get()
    # Queued after the commit with the id only; not imported inside the request.
    enqueue.assert_called_once_with(str(job.pk))
    assert job.state == "queued" and not Initiative.objects.exists()
    assert response.status_code == 302 and response.url == reverse(
        "indicators:portfolio-job", args=[job.pk])
    queued = client.get(response.url)
    assert queued.status_code == 200 and 'hx-get="' in queued.content.decode()  # it polls
    run_portfolio_import(str(job.pk))  # what the worker does
    job.refresh_from_db()
    assert (job.state, job.result["initiatives_created"], job.file.name) == ("succeeded", 1, "")
    page = client.get(response.url)
    assert page.status_code == 200 and "1 initiatives created" in page.content.decode()
    bad = doc(home_org)
    bad["initiatives"][0]["key"] = "api-2"
    bad["initiatives"][0]["phases"][0]["on"] = "not a date"
    with mock.patch.object(run_portfolio_import, "delay") as enqueue:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"file": SimpleUploadedFile(
                "p.json", json.dumps(bad).encode())})
    run_portfolio_import(*enqueue.call_args.args)
    page = client.get(response.url)
    assert page.context["job"].state == "failed"
    assert "initiatives[0].phases[0].on: must be a date YYYY-MM-DD" in page.context["job"].errors
    assert "initiatives[0].phases[0].on: must be a date YYYY-MM-DD" in page.content.decode()
    assert not Initiative.objects.filter(key="api-2").exists()


def test_upload_page_is_for_admins(client, manager):
    client.force_login(manager)
    assert client.get(reverse("indicators:portfolio-upload")).status_code == 403


def test_operator_may_import_any_organisation(api_client, other_org, db):
    api_client.force_authenticate(UserFactory(is_superuser=True))
    response = api_client.post("/api/v1/portfolio/import/", doc(other_org), format="json")
    assert response.status_code == 201
