"""Issue 16, the everyday layer, in the browser at desktop width and at 375 px: Norwegian
numbers in every number field, the indicator page's links to the initiatives behind the
numbers, and no dead ends (error pages in the site's layout)."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from initiatives.models import Initiative
from initiatives.phase_log import phase_change_record
from projects.models import Project, ProjectCost
from tests.browser.conftest import width_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [pytest.param(1280, id="desktop"), pytest.param(375, id="375px")]


def project_in(org, title, phase="pilot", visibility="organisation", on=None):
    initiative = Initiative.objects.create(organisation=org, title=title)
    project = Project.objects.create(initiative=initiative, organisation=org, title=title,
                                     need="Behov", visibility=visibility)
    phase_change_record(initiative=initiative, to_phase=phase, actor=None,
                        effective_date=on or datetime.date.today() - datetime.timedelta(days=30))
    return project


def at_width(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    return page


def fits(page, width):
    assert not width_problems(page, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_cost_in_norwegian_is_read_as_meant_and_garbage_is_refused(open_page, manager,
                                                                      home_org, width):
    project = project_in(home_org, "Digitalt nattilsyn")
    page = at_width(open_page(manager), width)
    page.goto(f"/projects/{project.pk}/costs/new/")
    amount = page.get_by_label("Beløp (kr)")
    assert amount.get_attribute("type") == "text"
    assert amount.get_attribute("inputmode") == "decimal"
    page.get_by_label("Kategori").select_option(index=1)
    page.get_by_label("Type").select_option(index=1)
    page.get_by_label("Beskrivelse").fill("Sensorer")
    page.get_by_label("År").fill("2026")

    amount.fill("45 000,5 kr")  # garbage: refused with a reason, never cut to a number
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre").click()
    assert page.locator(".field-error").first.inner_text().startswith("Skriv et tall")
    assert page.get_by_label("Beløp (kr)").input_value() == "45 000,5 kr"  # kept as typed
    assert not ProjectCost.objects.exists()

    amount = page.get_by_label("Beløp (kr)")
    amount.fill("45 000,5")
    # The value read is shown beside the field while typing.
    assert page.locator("#id_amount_nok_echo").inner_text() == "= 45\u00a0000,50"
    fits(page, width)
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre").click()
    cost = ProjectCost.objects.get()
    assert (cost.amount_nok, cost.year) == (Decimal("45000.50"), 2026)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_initiatives_behind_the_numbers_link_only_to_their_own_visible_project(
        open_page, national_analyst, home_org, width):
    from indicators import services

    year = datetime.date.today().year
    on = datetime.date(year, 1, 15)
    shared = project_in(home_org, "Delt velferdsteknologi", visibility="public", on=on)
    project_in(home_org, "Intern omorganisering", on=on)  # not shared: no title, no link
    bare = Initiative.objects.create(organisation=home_org, title="Initiativ uten prosjekt")
    phase_change_record(initiative=bare, to_phase="pilot", actor=None, effective_date=on)
    services.indicators_recompute(year=year)

    page = at_width(open_page(national_analyst), width)
    page.goto(f"/indicators/?organisation={home_org.org_number}&year={year}")
    rows = page.locator("section[aria-labelledby=h-initiatives] tbody tr")
    assert rows.count() == 3
    links = rows.locator("a")
    assert links.count() == 1  # only the shared project; the rows after it link nowhere
    assert links.first.inner_text() == "Delt velferdsteknologi"
    assert links.first.get_attribute("href") == f"/projects/{shared.pk}/"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_operator_freezes_the_year_after_a_confirmation(open_page, home_org, width):
    from indicators import services
    from indicators.models import IndicatorPeriod
    from portal.models import Membership
    from portal.roles import Role
    from tests.factories import UserFactory

    year = datetime.date.today().year
    project_in(home_org, "Digitalt nattilsyn", on=datetime.date(year, 1, 15))
    services.indicators_recompute(year=year)
    operator = UserFactory(username="operator", first_name="Ola", last_name="Drift",
                           is_superuser=True, is_staff=True)
    Membership.objects.create(user=operator, organisation=home_org, role=Role.ADMIN)

    page = at_width(open_page(operator), width)
    page.goto(f"/indicators/?year={year}")
    page.get_by_role("link", name="Frys året").click()
    expect(page.get_by_role("heading", name=f"Frys tallene for {year}?")).to_be_visible()
    fits(page, width)
    with page.expect_navigation():
        page.get_by_role("button", name=f"Frys {year}").click()
    expect(page.locator(".frozen-note").get_by_text("av Ola Drift")).to_be_visible()
    assert page.get_by_role("button", name="Beregn på nytt").count() == 0
    assert IndicatorPeriod.objects.get(year=year, quarter=0).frozen_by == operator


@pytest.mark.parametrize("width", WIDTHS)
def test_error_pages_are_in_the_sites_layout_with_a_way_home(open_page, browser_errors,
                                                             employee, width):
    browser_errors.allow(r"status of 40[34]")
    page = at_width(open_page(employee), width)
    for path, heading in [("/dette-finnes-ikke/", "Fant ikke siden"),
                          ("/indicators/", "Du har ikke tilgang til denne siden")]:
        response = page.goto(path)
        assert response.status in (403, 404)
        assert page.get_by_role("heading", level=1).inner_text() == heading
        expect(page.locator("header").first).to_be_visible()
        fits(page, width)
        with page.expect_navigation():
            page.locator("main").get_by_role("link", name="Til forsiden").click()
        assert page.url.endswith("/")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_draft_needs_only_a_title(open_page, employee, width):
    from ideas.models import Idea

    page = at_width(open_page(employee), width)
    page.goto("/ideas/new/")
    page.get_by_label("Tittel").fill("Sensor på døra")
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre utkast").click()
    idea = Idea.objects.get()
    assert (idea.title, idea.need, idea.status) == ("Sensor på døra", "", "draft")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_stopped_project_shows_no_editing_controls(open_page, manager, home_org, width):
    from projects.services import project_transition

    project = project_in(home_org, "Robotstøvsuger")
    project_transition(actor=manager, project=project, to_phase="stopped",
                       stop_reason="no_effect", lesson_learned="For bråkete.",
                       expected_phase="pilot")
    page = at_width(open_page(manager), width)
    page.goto(f"/projects/{project.pk}/")
    expect(page.get_by_text("Prosjektet er stoppet")).to_be_visible()
    for name in ("Endre prosjektet", "Legg til kostnad", "Ny gevinst"):
        assert page.get_by_role("link", name=name).count() == 0, name


@pytest.mark.parametrize("width", WIDTHS)
def test_an_edit_conflict_shows_both_versions_and_keeps_mine(open_page, browser_errors,
                                                             manager, home_org, width):
    browser_errors.allow(r"status of 409")
    project = project_in(home_org, "Digitalt nattilsyn")
    page = at_width(open_page(manager), width)
    page.goto(f"/projects/{project.pk}/edit/")
    Project.objects.filter(pk=project.pk).update(title="Annens tittel", version=2)
    page.get_by_label("Tittel").fill("Min tittel")
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre").click()
    conflict = page.locator(".edit-conflict")
    expect(conflict.get_by_role("cell", name="Min tittel")).to_be_visible()
    expect(conflict.get_by_role("cell", name="Annens tittel")).to_be_visible()
    assert page.get_by_label("Tittel").input_value() == "Min tittel"
    fits(page, width)
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre min versjon").click()
    project.refresh_from_db()
    assert project.title == "Min tittel"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_new_states_have_no_serious_or_critical_axe_violations(open_page, browser_errors,
                                                                   manager, home_org, width):
    from tests.browser.test_accessibility import axe_problems

    browser_errors.allow(r"status of 40[0349]")
    project = project_in(home_org, "Digitalt nattilsyn")
    page = at_width(open_page(manager, bypass_csp=True), width)
    problems = []
    page.goto(f"/projects/{project.pk}/costs/new/")
    page.get_by_label("Beløp (kr)").fill("45 000,5 kr")
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre").click()
    page.get_by_label("Beløp (kr)").fill("45 000,5")
    problems += axe_problems(page, "cost form with an error and the value read")
    page.goto("/dette-finnes-ikke/")
    problems += axe_problems(page, "404 page")
    page.goto(f"/projects/{project.pk}/edit/")
    Project.objects.filter(pk=project.pk).update(title="Annens tittel", version=2)
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre").click()
    problems += axe_problems(page, "edit conflict page")
    assert not problems, "axe-core found:\n" + "\n".join(problems)
