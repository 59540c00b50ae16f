"""Issue 8, done when: a manager reads the dashboard in the browser: the funnel, flow and
benefit charts are drawn by Chart.js under the real CSP, each chart's table alternative opens,
the unit and period filters live in the URL, and the CSV download holds the numbers shown."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gevinst.history import measurement_add
from gevinst.models import Benefit
from initiatives.models import Initiative
from initiatives.phase_log import phase_change_record
from projects.models import Project
from tests.factories import UnitFactory

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


def project_in(org, title, phases, unit):
    initiative = Initiative.objects.create(organisation=org, title=title)
    project = Project.objects.create(initiative=initiative, organisation=org, title=title,
                                     need="Behov", unit=unit)
    start = timezone.localdate() - datetime.timedelta(days=60 * len(phases))
    for n, phase in enumerate(phases):
        phase_change_record(initiative=initiative, to_phase=phase, actor=None,
                            effective_date=start + datetime.timedelta(days=60 * n))
    return project


def table(section):
    return [[cell.inner_text() for cell in row.locator("td").all()]
            for row in section.locator("tbody tr").all()]


def test_the_manager_reads_filters_and_downloads_the_dashboard(open_page, manager, home_org):
    care = UnitFactory(organisation=home_org, name="Helse og omsorg")
    school = UnitFactory(organisation=home_org, name="Skole")
    sensors = project_in(home_org, "Digitalt nattilsyn", ["concept", "pilot"], care)
    project_in(home_org, "Medisindispenser", ["concept", "pilot", "implementation"], care)
    project_in(home_org, "Skolebuss-app", ["concept"], school)
    today = timezone.localdate()
    benefit = Benefit.objects.create(
        project=sensors, title="Spart tid", type="time_saved", dimension="organisational",
        unit="timer/uke", direction="decrease", baseline_value=Decimal(40),
        baseline_on=today - datetime.timedelta(days=100), target_value=Decimal(30),
        target_on=today + datetime.timedelta(days=300), nok_per_unit=Decimal(300),
        periods_per_year=Decimal(52), owner=manager)
    measurement_add(benefit=benefit, measured_on=today, value=Decimal(35))

    page = open_page(manager)
    page.goto("/dashboard/")
    page.wait_for_load_state("load")
    # Chart.js loaded and drew every chart (a chart instance on a canvas with a size).
    assert page.evaluate("typeof Chart") == "function"
    for canvas in ("funnel-chart", "flow-chart", "benefit-chart"):
        assert page.evaluate(f"""() => {{ const c = document.getElementById('{canvas}');
            return Chart.getChart(c) !== undefined && c.width > 0 && c.height > 0; }}"""), canvas
    assert page.evaluate("Chart.getChart('benefit-chart').data.datasets[0].data") == [
        10 * 300 * 52, 5 * 300 * 52]

    # The table alternative is folded away under each chart and opens on demand.
    funnel = page.locator("section[aria-labelledby=h-funnel]")
    expect(funnel.locator("table")).to_be_hidden()
    funnel.get_by_text("Vis tallene som tabell").click()
    expect(funnel.locator("table")).to_be_visible()
    assert ["Utprøving", "1", "4"] in table(funnel)
    benefits = page.locator("section[aria-labelledby=h-benefits]")
    benefits.get_by_text("Vis tallene som tabell").click()
    assert [r[1].replace("\u00a0", " ") for r in table(benefits)] == ["156 000", "78 000"]

    # Filters: the unit, the track and the period go into the URL and stay selected.
    page.get_by_label("Enhet", exact=True).select_option(label="Helse og omsorg")
    page.get_by_label("Spor", exact=True).select_option(label="Full")
    page.get_by_label("Periode", exact=True).select_option(label="Siste 4 kvartaler")
    page.get_by_role("button", name="Vis", exact=True).click()
    page.wait_for_url(f"**/dashboard/?unit={care.pk}&track=full&area=&quarters=4")
    assert page.get_by_label("Enhet", exact=True).input_value() == str(care.pk)
    assert page.get_by_label("Spor", exact=True).input_value() == "full"
    assert page.get_by_label("Periode", exact=True).input_value() == "4"
    expect(page.get_by_role("heading", name=f"{home_org.name} – Helse og omsorg")).to_be_visible()
    assert page.evaluate("Chart.getChart('flow-chart').data.labels.length") == 4
    funnel = page.locator("section[aria-labelledby=h-funnel]")
    funnel.get_by_text("Vis tallene som tabell").click()
    shown = table(funnel)
    assert ["Konsept", "0", "0"] in shown  # the school's concept is filtered away

    # The CSV is the table the manager sees, for the same filter.
    with page.expect_download() as info:
        funnel.get_by_role("link", name="Last ned tallene (CSV)").click()
    download = info.value
    assert download.suggested_filename == f"trakt-{home_org.org_number}.csv"
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read()),
                           delimiter=";"))
    assert rows[0] == ["Fase", "Antall", "Poeng"]
    assert [[label, count] for label, count, _points in rows[1:]] == [
        [label, count] for label, count, _points in shown]
    assert float(rows[1 + [r[0] for r in shown].index("Utprøving")][2]) == 4
