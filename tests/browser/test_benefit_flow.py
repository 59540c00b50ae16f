"""Issue 5, done when: in the browser the project leader adds two benefits to a project in
implementation, the manager approves the plan, measurements are entered, the chart and the
NOK value show, the benefit map is drawn."""

import datetime

import pytest
from playwright.sync_api import expect

from gevinst.models import Benefit, BenefitPlan, Measurement
from initiatives.models import Initiative
from initiatives.phase_log import phase_change_record
from projects.models import Project

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]

YEAR_AGO = datetime.date.today() - datetime.timedelta(days=365)


def add_benefit(page, project, manager, title, baseline, target):
    page.goto(f"/benefits/project/{project.pk}/new/")
    page.get_by_label("Tittel").fill(title)
    page.get_by_label("Gevinsttype").select_option("time_saved")
    page.get_by_label("Dimensjon").select_option("organisational")
    page.get_by_label("Gevinsteier").select_option(str(manager.pk))
    page.get_by_label("Måleenhet").select_option("timer/uke")
    page.get_by_label("Retning").select_option("decrease")
    page.get_by_label("Nullpunkt (verdi)").fill(baseline)
    page.get_by_label("Nullpunkt målt").fill(YEAR_AGO.isoformat())
    page.get_by_label("Mål (verdi)").fill(target)
    page.get_by_label("Måldato").fill((YEAR_AGO + datetime.timedelta(days=730)).isoformat())
    page.get_by_label("Kroner per enhet").fill("620")
    page.get_by_label("Perioder per år").fill("52")
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre").click()
    return Benefit.objects.get(project=project, title=title)


def test_benefits_are_planned_approved_measured_charted_and_mapped(open_page, project_leader,
                                                                   manager, home_org):
    initiative = Initiative.objects.create(organisation=home_org, title="Digitalt nattilsyn")
    project = Project.objects.create(initiative=initiative, organisation=home_org,
                                     title="Digitalt nattilsyn", need="Færre nattlige runder",
                                     leader=project_leader)
    for n, phase in enumerate(["concept", "pilot", "implementation"]):
        phase_change_record(initiative=initiative, to_phase=phase, actor=None,
                            effective_date=YEAR_AGO - datetime.timedelta(days=300 - 100 * n))

    leader = open_page(project_leader)
    rounds = add_benefit(leader, project, manager, "Færre nattlige tilsynsrunder", "40", "25")
    add_benefit(leader, project, manager, "Mindre kjøring på natt", "12", "8")
    leader.goto(f"/benefits/project/{project.pk}/plan/")
    leader.get_by_label("Måleintervall (måneder)").fill("6")
    leader.get_by_label("Første måling").fill((YEAR_AGO + datetime.timedelta(days=180))
                                               .isoformat())
    with leader.expect_navigation():
        leader.get_by_role("button", name="Lagre").click()

    boss = open_page(manager)
    boss.goto(f"/benefits/project/{project.pk}/")
    with boss.expect_navigation():
        boss.get_by_role("button", name="Godkjenn planen").click()
    assert BenefitPlan.objects.get(project=project).status == "approved"

    leader.goto(f"/benefits/{rounds.pk}/")
    for days, value in [(120, "36"), (300, "31")]:
        leader.get_by_label("Dato").fill((YEAR_AGO + datetime.timedelta(days=days)).isoformat())
        leader.get_by_label("Målt verdi").fill(value)
        with leader.expect_navigation():
            leader.get_by_role("button", name="Registrer").click()
    assert Measurement.objects.filter(benefit=rounds).count() == 2
    # 40 -> 31 hours a week, improvement is a decrease: 9 × 620 × 52 kr a year.
    assert "290 160" in leader.locator("main").inner_text().replace("\u00a0", " ")
    # Chart.js drew on the canvas (the page's own script, under the strict CSP).
    drawn = leader.evaluate("() => { const c = document.getElementById('benefit-chart');"
                            " return c.width > 0 && c.toDataURL().length > 3000; }")
    assert drawn

    leader.goto(f"/benefits/project/{project.pk}/map/")
    for kind, label in [("action", "Sensorer i leilighetene"), ("effect", "Færre runder"),
                        ("benefit", "Spart tid om natten")]:
        form = leader.locator("form[action$='/map/nodes/']")
        form.get_by_label("Type").select_option(kind)
        form.get_by_label("Tekst").fill(label)
        with leader.expect_navigation():
            form.get_by_role("button", name="Legg til").click()
    edges = leader.locator("form[action$='/map/edges/']")
    edges.get_by_label("Fra").select_option(label="Tiltak: Sensorer i leilighetene")
    edges.get_by_label("Til").select_option(label="Effekt: Færre runder")
    with leader.expect_navigation():
        edges.get_by_role("button", name="Legg til").click()

    leader.goto(f"/projects/{project.pk}/")
    svg = leader.locator("svg.benefit-map__svg")
    expect(svg).to_be_visible()
    assert "Sensorer i leilighetene" in svg.inner_html()
    assert svg.locator("path, line").count() >= 1
