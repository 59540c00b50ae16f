"""Issue 15: a typed Python client generated from the schema by openapi-python-client (a tool
no one here wrote, pinned in the dev extras) builds every operation and works against the
live server, as KS, a county governor or a municipality's Power BI job would use it: page
through all organisations' indicators for a year and a quarter, read the summary by county,
size class and network, create an idea as an employee, PATCH a content row with its version,
start a recompute job and poll it to the end. A change that breaks such a client fails here."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from unittest import mock

import pytest
from drf_spectacular.generators import SchemaGenerator

from indicators import services
from indicators.tasks import run_indicator_job
from portal.services import api_token_create
from projects.services import project_item_add
from tests.factories import NetworkFactory, OrganisationFactory
from tests.indicators.helpers import make_initiative

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "innoportal_client"


@pytest.fixture(scope="module")
def client_package(tmp_path_factory):
    """Generate the client from the schema as the code makes it now, and import it."""
    if not GENERATOR.exists():
        if os.environ.get("CI"):
            pytest.fail("openapi-python-client is missing: install requirements/dev.txt")
        pytest.skip("openapi-python-client not installed (requirements/dev.txt has it)")
    root = tmp_path_factory.mktemp("client")
    schema = root / "openapi.json"
    schema.write_text(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))
    config = root / "config.yaml"
    config.write_text(f"package_name_override: {PACKAGE}\nproject_name_override: "
                      "innoportal-client\npost_hooks: []\n")
    result = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(schema), "--config", str(config),
         "--meta", "none", "--output-path", str(root / PACKAGE)],
        capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # The generator skips what it cannot build with a warning, and still succeeds.
    assert "warning" not in output.lower(), output
    operations = sum(1 for ops in json.loads(schema.read_text())["paths"].values()
                     for op in ops.values() if isinstance(op, dict) and "operationId" in op)
    modules = [p for p in (root / PACKAGE / "api").rglob("*.py") if p.name != "__init__.py"]
    assert len(modules) == operations
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _api(name: str):
    return importlib.import_module(f"{PACKAGE}.api.v1.{name}")


def _models():
    return importlib.import_module(f"{PACKAGE}.models")


@pytest.fixture
def world(home_org, other_org, employee, manager, org_admin,
          national_analyst):
    network = NetworkFactory(name="Fjellregionen")
    network.organisations.add(home_org, other_org)
    project = make_initiative(home_org, [("concept", "2024-02-01"), ("pilot", "2024-05-01")])
    make_initiative(other_org, [("idea", "2024-03-01")], project=False)
    services.indicators_recompute(year=2024)
    services.indicators_recompute(year=2024, quarter=2)
    # Organisations that came after the last recompute: listed with zeros, not computed.
    extra = [OrganisationFactory(county="Agder", population=800 + n) for n in range(3)]
    risk = project_item_add(actor=manager, project=project, kind="risks", data={
        "title": "Personvern", "category": "regulatory", "probability": 3, "consequence": 4})
    return {"organisations": 2 + len(extra), "project": project, "risk": risk,
            "home": home_org}


def _client(package, live_server, user):
    _token, key = api_token_create(user=user, name="generated client")
    return package.AuthenticatedClient(base_url=live_server.url, token=key, prefix="Token",
                                       raise_on_unexpected_status=True)


# The live server's threads see committed rows only. serialized_rollback, as every
# transactional test here: the flush afterwards would drop the data migrations' rows
# (standard-1) for the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_generated_client_works_against_the_live_server(client_package, live_server, world,
                                                        employee, manager, org_admin,
                                                        national_analyst, settings):
    models = _models()
    analyst = _client(client_package, live_server, national_analyst)

    # Page through all organisations' indicators, for the year and for a quarter.
    for quarter in (None, 2):
        seen, page = [], 1
        while True:
            kwargs = {"quarter": quarter} if quarter else {}
            result = _api("v1_indicators_list").sync(client=analyst, year=2024, page=page,
                                                     page_size=2, **kwargs)
            assert isinstance(result, models.IndicatorPage), result
            seen += result.results
            if not result.next_:
                break
            page += 1
        assert page == 3 and len(seen) == result.count == world["organisations"]
        computed = {i.organisation.org_number: i.computed for i in seen}
        assert computed[world["home"].org_number] is True
        assert sum(computed.values()) == 2  # the three without initiatives: zeros, not computed
        home = next(i for i in seen if i.organisation.org_number == world["home"].org_number)
        assert home.organisation.county_number == "34"
        assert home.activity.phase_counts.pilot == 1

    # The summary by county, size class and network.
    summary = _api("v1_indicators_summary")
    group_by = models.V1IndicatorsSummaryGroupBy
    by_county = summary.sync(client=analyst, year=2024, group_by=group_by.COUNTY)
    assert {(g.group, g.code, g.organisations) for g in by_county.results} >= {
        ("Agder", "42", 3), ("Innlandet", "34", 1)}
    by_size = summary.sync(client=analyst, year=2024, group_by=group_by.SIZE_CLASS,
                           county="innlandet")
    assert [(g.group, g.activity.points) for g in by_size.results] == [("medium", 4)]
    by_network = summary.sync(client=analyst, year=2024, group_by=group_by.NETWORK)
    assert [(g.group, g.organisations) for g in by_network.results] == [("Fjellregionen", 2)]

    # An employee submits an idea.
    idea = _api("v1_ideas_create").sync(
        client=_client(client_package, live_server, employee),
        body=models.IdeaInputRequest(organisation=world["home"].org_number,
                                     title="Digitalt tilsyn", need="Færre nattlige besøk"))
    assert isinstance(idea, models.Idea) and idea.title == "Digitalt tilsyn"

    # A manager changes a content row, sending back the version read.
    leader = _client(client_package, live_server, manager)
    project_pk, risk_pk = world["project"].pk, world["risk"].pk
    risk = _api("v1_projects_risks_retrieve").sync(project_pk, risk_pk, client=leader)
    changed = _api("v1_projects_risks_partial_update").sync(
        project_pk, risk_pk, client=leader,
        body=models.PatchedProjectRiskRequest(probability=1, version=risk.version))
    assert isinstance(changed, models.ProjectRisk) and changed.probability == 1
    stale = _api("v1_projects_risks_partial_update").sync(
        project_pk, risk_pk, client=leader,
        body=models.PatchedProjectRiskRequest(probability=2, version=risk.version))
    assert isinstance(stale, models.ApiError) and stale.code == "version_conflict"

    # An organisation's administrator starts a recompute and polls it to the end; a worker
    # thread plays the Celery worker.
    queued: list[str] = []
    worker = threading.Thread(target=_work, args=(queued,), daemon=True)
    admin = _client(client_package, live_server, org_admin)
    with mock.patch.object(run_indicator_job, "delay_on_commit", queued.append):
        job = _api("v1_indicators_jobs_create").sync(
            client=admin, body=models.JobCreateInputRequest(
                year=2024, organisation=world["home"].org_number))
        assert isinstance(job, models.IndicatorJob), job
        worker.start()
        states = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job = _api("v1_indicators_jobs_retrieve").sync(job.id, client=admin)
            states.append(job.state.value)
            if job.state.value in ("succeeded", "failed"):
                break
            time.sleep(0.2)
    worker.join(timeout=60)
    assert states[-1] == "succeeded" and job.progress == 100, states


def _work(queued: list[str]) -> None:
    from django.db import connection

    try:
        deadline = time.monotonic() + 60
        while not queued and time.monotonic() < deadline:
            time.sleep(0.05)
        for job_id in queued:
            run_indicator_job(job_id)
    finally:
        connection.close()
