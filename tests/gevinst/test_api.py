"""The benefits API: scoping, filters, the permission matrix (refused writes change nothing),
field errors for bad input, version conflicts, plan approval."""

import datetime

import pytest

from gevinst import services
from gevinst.models import Benefit, BenefitEvent, BenefitPlan, Measurement
from initiatives.models import BenefitAssessment
from tests.gevinst.conftest import benefit_fields, make_project
from tests.worlds import shared_personas

WRITE = {"employee": 403, "coordinator": 403, "project_leader": None, "manager": None,
         "admin": None, "outsider": 404, "anonymous": 401}
READ = {"employee": 200, "coordinator": 200, "project_leader": 200, "manager": 200,
        "admin": 200, "outsider": 404, "anonymous": 401}


def _world(people: dict) -> dict:
    """The project led by the project leader and its benefit with one measurement: built
    once for the module, each test starting from it (tests/worlds.py)."""
    manager = people["manager"]
    project = make_project(people["home_org"], leader=people["project_leader"])
    benefit = services.benefit_create(actor=manager, project=project,
                                      **benefit_fields(owner=manager))
    services.measurement_create(actor=manager, benefit=benefit,
                                measured_on=datetime.date(2024, 9, 1), value="31")
    return {"project": project, "benefit": benefit}


globals().update(shared_personas(build=_world, items=("project", "benefit")))


def _state():
    return (list(Benefit.objects.values_list("title", "version", "owner_id")),
            Measurement.objects.count(), BenefitAssessment.objects.count(),
            BenefitEvent.objects.count(),
            list(BenefitPlan.objects.values_list("status", "interval_months")))


def _client(api_client, personas, who):
    if personas[who] is not None:
        api_client.force_authenticate(personas[who])
    return api_client


def _json_benefit(project, **extra):
    data = benefit_fields(baseline_on="2024-01-15", target_on="2025-06-01")
    data.update(project=project.pk, **extra)
    return data


def test_list_is_scoped_and_carries_calculations(api_client, benefit, outsider, employee,
                                                 other_org):
    foreign = make_project(other_org, title="Fremmed")
    services.benefit_create(actor=outsider, project=foreign, **benefit_fields())
    api_client.force_authenticate(employee)
    data = api_client.get("/api/v1/benefits/").json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["id"] == benefit.pk and row["owner"] == "manager"
    assert row["realised_change"] == "9.00" and row["progress_percent"] == "60.0"
    assert row["nok_per_year"] == "290160.00"
    assert "9 timer spart × 620 kr per time × 52" in row["nok_per_year_formula"]
    api_client.force_authenticate(outsider)
    assert [r["title"] for r in api_client.get("/api/v1/benefits/").json()["results"]] == [
        "Færre nattlige tilsyn"] and api_client.get(
        f"/api/v1/benefits/{benefit.pk}/").status_code == 404


def test_filters(api_client, project, benefit, manager, home_org):
    services.benefit_create(actor=manager, project=project,
                            **benefit_fields(title="Kvalitet", type="quality", dimension="user",
                                             status="in_progress"))
    api_client.force_authenticate(manager)

    def titles(query):
        return [r["title"] for r in api_client.get(f"/api/v1/benefits/?{query}").json()["results"]]

    assert titles("type=quality") == ["Kvalitet"]
    assert titles("dimension=organisational") == ["Færre nattlige tilsyn"]
    assert titles("owner=manager") == ["Færre nattlige tilsyn"]
    assert titles("status=in_progress") == ["Kvalitet"]
    assert len(titles(f"project={project.pk}")) == 2
    assert len(titles(f"organisation={home_org.org_number}")) == 2
    assert titles("organisation=000000000") == []
    assert api_client.get("/api/v1/benefits/?type=happiness").status_code == 400


@pytest.mark.parametrize("who", list(WRITE))
def test_write_matrix(api_client, personas, project, benefit, who):
    client = _client(api_client, personas, who)
    calls = [
        ("post", "/api/v1/benefits/", _json_benefit(project, title="Ny")),
        ("patch", f"/api/v1/benefits/{benefit.pk}/", {"title": "Endret", "version": 1}),
        ("post", f"/api/v1/benefits/{benefit.pk}/measurements/",
         {"measured_on": "2025-01-01", "value": "28"}),
        ("post", f"/api/v1/projects/{project.pk}/assessments/",
         {"dimension": "user", "kind": "expected", "score": 2, "assessed_on": "2025-01-01"}),
        ("put", f"/api/v1/projects/{project.pk}/benefit-plan/",
         {"interval_months": 3, "first_due_on": "2025-01-01", "version": 0}),
    ]
    for method, url, data in calls:
        before = _state()
        response = getattr(client, method)(url, data, format="json")
        if WRITE[who] is None:
            assert response.status_code in (200, 201), (url, response.json())
            assert _state() != before
        else:
            assert response.status_code == WRITE[who], url
            assert _state() == before, url


@pytest.mark.parametrize("who", list(READ))
def test_read_matrix(api_client, personas, project, benefit, who):
    client = _client(api_client, personas, who)
    for url in [f"/api/v1/benefits/{benefit.pk}/", f"/api/v1/benefits/{benefit.pk}/measurements/",
                f"/api/v1/projects/{project.pk}/assessments/",
                f"/api/v1/projects/{project.pk}/benefit-plan/"]:
        assert client.get(url).status_code == READ[who], url


@pytest.mark.parametrize("who,code", [("project_leader", 403), ("employee", 403),
                                      ("outsider", 404), ("manager", 200), ("admin", 200)])
def test_plan_approve(api_client, personas, project, benefit, manager, who, code):
    services.benefit_plan_save(actor=manager, project=project, interval_months=3,
                               first_due_on="2025-01-01")
    client = _client(api_client, personas, who)
    before = _state()
    response = client.post(f"/api/v1/projects/{project.pk}/benefit-plan/approve/", {},
                           format="json")
    assert response.status_code == code
    if code == 200:
        assert response.json()["status"] == "approved"
        assert response.json()["approved_by"] == personas[who].username
    else:
        assert _state() == before


@pytest.mark.parametrize("url_part,data,field", [
    ("benefits", {"baseline_value": "mye"}, "baseline_value"),
    ("benefits", {"unit": "lysår"}, "unit"),
    ("benefits", {"type": "lykke"}, "type"),
    ("benefits", {"owner": "employee"}, "owner"),
    ("benefits", {"owner": "ingen-slik"}, "owner"),
    ("benefits", {"target_on": "2023-01-01"}, "target_on"),
])
def test_bad_benefit_input_is_a_field_error(api_client, project, manager, employee, url_part,
                                            data, field):
    api_client.force_authenticate(manager)
    before = _state()
    response = api_client.post("/api/v1/benefits/", _json_benefit(project, **data),
                               format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert _state() == before


@pytest.mark.parametrize("data,field", [
    ({"measured_on": "2025-01-01", "value": "tretti"}, "value"),
    ({"measured_on": "2024-01-01", "value": "30"}, "measured_on"),
    ({"measured_on": "i går", "value": "30"}, "measured_on"),
])
def test_bad_measurement_input(api_client, benefit, manager, data, field):
    api_client.force_authenticate(manager)
    before = _state()
    response = api_client.post(f"/api/v1/benefits/{benefit.pk}/measurements/", data,
                               format="json")
    assert response.status_code == 400 and field in response.json()["errors"]
    assert _state() == before


def test_realised_assessment_before_implementation_refused(api_client, home_org, manager):
    project = make_project(home_org, "pilot")
    api_client.force_authenticate(manager)
    response = api_client.post(f"/api/v1/projects/{project.pk}/assessments/",
                               {"dimension": "user", "kind": "realised", "score": 3,
                                "assessed_on": "2025-01-01"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()["errors"]
    assert not BenefitAssessment.objects.exists()


def test_version_conflict(api_client, benefit, manager, project_leader):
    api_client.force_authenticate(project_leader)
    assert api_client.patch(f"/api/v1/benefits/{benefit.pk}/", {"title": "A", "version": 1},
                            format="json").status_code == 200
    api_client.force_authenticate(manager)
    response = api_client.patch(f"/api/v1/benefits/{benefit.pk}/", {"title": "B", "version": 1},
                                format="json")
    assert response.status_code == 409 and response.json()["code"] == "stale_version"
    missing = api_client.patch(f"/api/v1/benefits/{benefit.pk}/", {"title": "C"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()["errors"]
    assert Benefit.objects.get().title == "A"


def test_plan_get_without_plan_creates_nothing(api_client, project, employee):
    api_client.force_authenticate(employee)
    data = api_client.get(f"/api/v1/projects/{project.pk}/benefit-plan/").json()
    assert data["status"] == "draft" and data["version"] == 0
    assert not BenefitPlan.objects.exists()


def _count(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/benefits/").status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_is_constant(api_client, project, manager):
    def add(n):
        b = services.benefit_create(actor=manager, project=project,
                                    **benefit_fields(title=f"G{n}", owner=manager))
        services.measurement_create(actor=manager, benefit=b, measured_on="2024-06-01",
                                    value="30")

    add(1)
    api_client.force_authenticate(manager)
    one = _count(api_client)
    for n in range(2, 6):
        add(n)
    assert _count(api_client) == one
