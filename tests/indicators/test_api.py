import csv
import io

import pytest

from indicators import services
from indicators.models import IndicatorJob
from tests.indicators.helpers import assess, make_initiative, valued_benefit

URL = "/api/v1/indicators/"


@pytest.fixture
def computed(home_org, other_org):
    project = make_initiative(home_org, [("concept", "2024-02-01"), ("pilot", "2024-05-01")])
    assess(project.initiative, "user", "expected", 2, "2024-02-01")
    valued_benefit(project, direction="decrease", baseline="40",
                   measurements=[("2024-09-01", "35")])
    make_initiative(other_org, [("idea", "2024-03-01")], project=False)
    services.indicators_recompute(year=2024)


def test_item_has_exactly_the_documented_shape(api_client, manager, home_org, computed):
    api_client.force_authenticate(manager)
    body = api_client.get(URL, {"year": 2024}).json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item == {
        "organisation": {"org_number": home_org.org_number, "name": home_org.name,
                         "size_class": "medium", "county": "Innlandet", "county_number": "34",
                         "municipality_number": ""},
        "period": {"start": "2024-01-01", "end": "2024-12-31"},
        "computed": True, "scheme": "standard-1", "status": "preliminary",
        "computed_at": item["computed_at"],
        "activity": {"phase_counts": {"idea": 0, "concept": 0, "pilot": 1, "implementation": 0,
                                      "benefit_realisation": 0, "spread": 0, "parked": 0,
                                      "stopped": 0},
                     "stock_points": 4, "forward_transitions": 1, "adoption_points": 0,
                     "points": 4},
        "benefit": {"points": 0.5, "by_dimension": {"user": 0.5, "economic": 0.0,
                                                    "organisational": 0.0},
                    "realised_nok_per_year": "78000.00"},
    }


@pytest.mark.parametrize("persona, visible", [
    ("manager", {"home"}), ("coordinator", {"home"}), ("outsider", {"other"}),
    ("network_analyst", {"home", "other"}), ("national_analyst", {"home", "other"}),
])
def test_each_role_sees_what_it_covers(request, api_client, home_org, other_org, computed,
                                       persona, visible):
    user = request.getfixturevalue(persona)
    api_client.force_authenticate(user)
    numbers = {r["organisation"]["org_number"]
               for r in api_client.get(URL, {"year": 2024}).json()["results"]}
    expected = {{"home": home_org, "other": other_org}[k].org_number for k in visible}
    assert numbers == expected


def test_anonymous_gets_401(api_client, computed):
    assert api_client.get(URL, {"year": 2024}).status_code == 401


def test_token_client_pulls_list_and_csv_and_they_match(token_client, national_analyst,
                                                        computed):
    client = token_client(national_analyst)
    items = client.get(URL, {"year": 2024}).json()["results"]
    response = client.get(URL, {"year": 2024, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["org_number"] for r in rows] == [i["organisation"]["org_number"] for i in items]
    for row, item in zip(rows, items):
        assert int(row["pilot"]) == item["activity"]["phase_counts"]["pilot"]
        assert float(row["points"]) == item["activity"]["points"]
        assert float(row["benefit_points"]) == item["benefit"]["points"]
        assert row["realised_nok_per_year"] == item["benefit"]["realised_nok_per_year"]


def test_filters_and_bad_parameters(api_client, national_analyst, home_org, computed):
    api_client.force_authenticate(national_analyst)
    one = api_client.get(URL, {"year": 2024, "organisation": home_org.org_number}).json()
    assert [r["organisation"]["org_number"] for r in one["results"]] == [home_org.org_number]
    small = api_client.get(URL, {"year": 2024, "size_class": "small"}).json()
    assert all(r["organisation"]["size_class"] == "small" for r in small["results"])
    bad = api_client.get(URL, {"year": "last", "quarter": 7, "size_class": "huge"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"year", "quarter", "size_class"}


def test_summary_sums_organisation_snapshots(api_client, national_analyst, computed):
    api_client.force_authenticate(national_analyst)
    national = api_client.get(URL + "summary/", {"year": 2024, "group_by": "national"}).json()
    total = national["results"][0]
    assert total["organisations"] == 2
    assert total["activity"]["points"] == 5 and total["activity"]["phase_counts"]["idea"] == 1
    by_size = api_client.get(URL + "summary/", {"year": 2024, "group_by": "size_class"}).json()
    assert {g["group"]: g["activity"]["points"] for g in by_size["results"]} == {
        "medium": 4, "small": 1}
    csv_body = api_client.get(URL + "summary/", {"year": 2024, "group_by": "county",
                                                 "format": "csv"}).content.decode()
    assert csv_body.splitlines()[0].startswith("group,organisations,period_start")


def test_list_uses_a_constant_number_of_queries(api_client, national_analyst, computed,
                                                django_assert_max_num_queries):
    from tests.factories import OrganisationFactory

    api_client.force_authenticate(national_analyst)
    with django_assert_max_num_queries(6) as few:
        api_client.get(URL, {"year": 2024})
    for _ in range(10):
        OrganisationFactory()
    services.indicators_recompute(year=2024)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api_client.get(URL, {"year": 2024}).json()["count"] == 12


def test_admin_starts_a_job_and_follows_it(api_client, org_admin, home_org, computed,
                                           django_capture_on_commit_callbacks):
    from unittest import mock

    from indicators.tasks import run_indicator_job

    api_client.force_authenticate(org_admin)
    with mock.patch.object(run_indicator_job, "delay") as enqueue:
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.post(URL + "jobs/", {"year": 2024, "organisation":
                                                       home_org.org_number}, format="json")
    assert response.status_code == 202 and response.json()["state"] == "queued"
    job_id = response.json()["id"]
    enqueue.assert_called_once_with(job_id)  # after commit, with the id only
    run_indicator_job(job_id)  # what the worker does
    status = api_client.get(f"{URL}jobs/{job_id}/").json()
    assert status["state"] == "succeeded" and status["progress"] == 100


@pytest.mark.parametrize("persona", ["employee", "manager", "outsider", "national_analyst"])
def test_others_cannot_start_an_organisation_job(request, api_client, home_org, computed,
                                                 persona):
    api_client.force_authenticate(request.getfixturevalue(persona))
    response = api_client.post(URL + "jobs/", {"year": 2024, "organisation":
                                               home_org.org_number}, format="json")
    assert response.status_code == 403
    assert not IndicatorJob.objects.exists()


def test_national_job_is_for_operators_only(api_client, org_admin, computed):
    api_client.force_authenticate(org_admin)
    assert api_client.post(URL + "jobs/", {"year": 2024}, format="json").status_code == 403
    assert not IndicatorJob.objects.exists()


def test_a_job_is_visible_to_its_requester_and_admins_only(api_client, org_admin, outsider,
                                                           employee, home_org, computed):
    from indicators.services import indicator_job_create

    job = indicator_job_create(actor=org_admin, year=2024, organisation=home_org)
    for user, status in ((org_admin, 200), (outsider, 404), (employee, 404)):
        api_client.force_authenticate(user)
        assert api_client.get(f"{URL}jobs/{job.pk}/").status_code == status
