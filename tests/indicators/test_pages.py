import pytest
from django.urls import reverse

from indicators import services
from indicators.models import IndicatorJob
from tests.indicators.helpers import assess, make_initiative

HOME = reverse("indicators:home")


@pytest.fixture
def computed(home_org, other_org):
    project = make_initiative(home_org, [("concept", "2024-02-01"), ("pilot", "2024-05-01")],
                              title="Digitalt tilsyn på natt")
    assess(project.initiative, "user", "expected", 2, "2024-02-01")
    make_initiative(other_org, [("idea", "2024-03-01")], project=False, title="Fremmed idé")
    services.indicators_recompute(year=2024)


@pytest.mark.parametrize("persona, expected", [
    ("anonymous", 302), ("employee", 403), ("project_leader", 403),
    ("coordinator", 200), ("manager", 200), ("admin", 200),
])
def test_indicator_page_by_role(client, personas, computed, persona, expected):
    if personas[persona]:
        client.force_login(personas[persona])
    assert client.get(HOME, {"year": 2024}).status_code == expected


def test_page_explains_the_numbers_with_the_initiatives_behind_them(client, manager, computed):
    client.force_login(manager)
    response = client.get(HOME, {"year": 2024})
    html = response.content.decode()
    assert "Digitalt tilsyn på natt" in html
    assert "Fremmed idé" not in html  # another organisation's initiative
    assert response.context["snapshot"].points == 4
    assert [line.title for line in response.context["breakdown"].initiatives] == [
        "Digitalt tilsyn på natt"]


def test_outsider_cannot_open_another_organisations_page(client, outsider, home_org, computed):
    client.force_login(outsider)
    response = client.get(HOME, {"year": 2024, "organisation": home_org.org_number})
    assert response.context["organisation"] != home_org  # falls back to their own


def test_network_analyst_can_choose_network_organisations(client, network_analyst, home_org,
                                                          computed):
    client.force_login(network_analyst)
    response = client.get(HOME, {"year": 2024, "organisation": home_org.org_number})
    assert response.status_code == 200 and response.context["organisation"] == home_org


def test_an_analyst_gets_the_numbers_but_not_the_titles_of_unshared_work(
        client, national_analyst, home_org, computed):
    from indicators.explain import HIDDEN_TITLE
    from tests.indicators.helpers import valued_benefit

    shared = make_initiative(home_org, [("pilot", "2024-04-01")], title="Delt velferdsteknologi")
    shared.visibility = "public"
    shared.save(update_fields=["visibility"])
    inhouse = make_initiative(home_org, [("pilot", "2024-04-01")], title="Intern omorganisering")
    benefit = valued_benefit(inhouse, direction="decrease", baseline=10,
                             measurements=[("2024-06-01", 8)])
    benefit.title = "Færre overtidstimer"
    benefit.save(update_fields=["title"])
    services.indicators_recompute(year=2024)

    client.force_login(national_analyst)
    response = client.get(HOME, {"year": 2024, "organisation": home_org.org_number})
    html = response.content.decode()
    assert "Delt velferdsteknologi" in html
    for secret in ("Intern omorganisering", "Digitalt tilsyn på natt", "Færre overtidstimer"):
        assert secret not in html
    breakdown = response.context["breakdown"]
    assert sum(line.points for line in breakdown.initiatives) == response.context[
        "snapshot"].points  # every initiative still counts
    assert [b.title for b in breakdown.benefits] == [HIDDEN_TITLE]
    assert str(HIDDEN_TITLE) in html


def test_empty_period_has_a_clear_empty_state(client, manager, computed):
    client.force_login(manager)
    response = client.get(HOME, {"year": 2019})
    assert response.context["snapshot"] is None
    assert "ikke beregnet" in response.content.decode()


def test_admin_recompute_shows_progress_via_htmx(client, org_admin, home_org, computed,
                                                 django_capture_on_commit_callbacks):
    client.force_login(org_admin)
    url = reverse("indicators:recompute", args=[home_org.org_number])
    from unittest import mock

    from indicators.tasks import run_indicator_job

    with mock.patch.object(run_indicator_job, "delay") as enqueue:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"year": 2024, "quarter": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    job = IndicatorJob.objects.get()
    enqueue.assert_called_once_with(str(job.pk))
    # The partial polls the job until it is done.
    assert f'hx-get="{reverse("indicators:job", args=[job.pk])}"' in response.content.decode()
    run_indicator_job(str(job.pk))
    partial = client.get(reverse("indicators:job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "100 %" in partial.content.decode() and "hx-get" not in partial.content.decode()


def test_manager_cannot_start_a_recompute(client, manager, home_org, computed):
    client.force_login(manager)
    url = reverse("indicators:recompute", args=[home_org.org_number])
    client.post(url, {"year": 2024})
    assert not IndicatorJob.objects.exists()


def test_a_running_job_shows_under_the_recompute_button_of_an_open_year(client, org_admin,
                                                                        manager, home_org,
                                                                        computed):
    from indicators.models import IndicatorPeriod

    job = IndicatorJob.objects.create(year=2024, organisation=home_org, requested_by=org_admin,
                                      state="running", progress=40)
    client.force_login(org_admin)
    html = client.get(HOME, {"year": 2024}).content.decode()
    assert f'id="job-{job.pk}"' in html and "40 %" in html
    # A manager has no recompute button, so no job box either.
    client.force_login(manager)
    response = client.get(HOME, {"year": 2024})
    assert "job-progress" not in response.content.decode()
    assert response.context["latest_job"] is None
    # A frozen year offers no recompute: no job box for the admin either.
    IndicatorPeriod.objects.filter(year=2024, quarter=0).update(status="final")
    client.force_login(org_admin)
    assert "job-progress" not in client.get(HOME, {"year": 2024}).content.decode()

def test_initiative_list_is_paginated(client, manager, home_org):
    for n in range(105):
        make_initiative(home_org, [("idea", "2024-02-01")], project=False, title=f"Idé {n:03d}")
    services.indicators_recompute(year=2024)
    client.force_login(manager)
    first = client.get(HOME, {"year": 2024})
    assert len(first.context["lines_page"].object_list) == 100
    second = client.get(HOME, {"year": 2024, "page": 2})
    assert len(second.context["lines_page"].object_list) == 5
    assert "Side 2 av 2" in second.content.decode()


def test_network_analyst_page_uses_a_constant_number_of_queries(
        client, network_analyst, home_org, computed, django_assert_max_num_queries):
    from tests.factories import OrganisationFactory

    client.force_login(network_analyst)
    client.get(HOME, {"year": 2024})  # warm the session
    with django_assert_max_num_queries(40) as baseline:
        client.get(HOME, {"year": 2024})
    network = network_analyst.analysed_networks.get()
    network.organisations.add(*[OrganisationFactory() for _ in range(5)])
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        client.get(HOME, {"year": 2024})
