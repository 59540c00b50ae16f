"""Issue 8, done when: an organisation's administrator starts an indicator recompute in the
browser, watches its progress (polled with htmx) reach "Ferdig", and then sees the new numbers
on the indicator page. Without REDIS_URL the task runs eagerly inside the request; with Redis
the test does the worker's part while the page keeps polling."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from indicators.models import IndicatorJob, IndicatorSnapshot
from initiatives.models import Initiative
from initiatives.phase_log import phase_change_record
from projects.models import Project

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


def project_in(org, title, phases):
    initiative = Initiative.objects.create(organisation=org, title=title)
    Project.objects.create(initiative=initiative, organisation=org, title=title, need="Behov")
    start = timezone.localdate() - datetime.timedelta(days=30 * len(phases))
    for n, phase in enumerate(phases):
        phase_change_record(initiative=initiative, to_phase=phase, actor=None,
                            effective_date=start + datetime.timedelta(days=30 * n))


def test_the_admin_recomputes_the_indicators_and_watches_the_progress(open_page, org_admin,
                                                                     home_org):
    project_in(home_org, "Digitalt nattilsyn", ["concept", "pilot"])
    project_in(home_org, "Medisindispenser", ["concept", "pilot", "implementation"])
    # No snapshot yet: the page invites the recompute (phase changes only mark periods dirty).
    IndicatorSnapshot.objects.filter(organisation=home_org).delete()
    year = timezone.localdate().year

    page = open_page(org_admin)
    page.goto("/indicators/")
    expect(page.get_by_text("Det er ikke beregnet indikatorer for denne perioden")).to_be_visible()
    page.get_by_role("button", name="Beregn på nytt").click()

    status = page.locator("#recompute-status .job-progress")
    status.wait_for()
    job = IndicatorJob.objects.get(organisation=home_org)
    assert (job.year, job.quarter, job.requested_by) == (year, 0, org_admin)
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        # The page shows the queued job and keeps asking (htmx, every second) while the
        # worker, played here by the test, runs it.
        assert "I kø" in status.inner_text()
        assert status.get_attribute("hx-get") == f"/indicators/jobs/{job.pk}/"
        from indicators.tasks import run_indicator_job

        run_indicator_job(str(job.pk))
    # The label and the progress bar reach the end; polling stops.
    page.locator("#recompute-status").get_by_text("Beregning: Ferdig").wait_for()
    assert page.locator("#recompute-status progress").get_attribute("value") == "100"
    assert page.locator("#recompute-status .job-progress").get_attribute("hx-get") is None
    expect(page.locator("#recompute-status").get_by_text("1 organisasjon beregnet")).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("link", name="Vis oppdaterte tall").click()
    snapshot = IndicatorSnapshot.objects.get(organisation=home_org, year=year, quarter=0)
    assert (snapshot.count_pilot, snapshot.count_implementation) == (1, 1)
    phases = {row.locator("td").nth(0).inner_text(): row.locator("td").nth(1).inner_text()
              for row in page.locator("section[aria-labelledby=h-phases] tbody tr").all()}
    assert (phases["Utprøving"], phases["Implementering"], phases["Konsept"]) == ("1", "1", "0")
    points = page.locator(".kpi").filter(has_text="Aktivitetspoeng").locator(".kpi-value")
    assert float(points.inner_text().replace(",", ".")) == float(snapshot.points)
    assert snapshot.points > 0
    assert page.locator("#phase-chart").evaluate("c => c.width > 0")

    # The job's own page (the no-htmx path) shows the finished job too.
    page.goto(f"/indicators/jobs/{job.pk}/")
    expect(page.get_by_text("Beregning: Ferdig")).to_be_visible()
