"""Issue 4, done when: in the browser the manager takes a project from concept to spread with
gate decisions, parks and resumes one, stops one with a lesson learned; another municipality's
user finds a shared project in the catalogue and adopts it."""

import datetime

import pytest
from playwright.sync_api import expect

from initiatives.models import Initiative, PhaseChange
from initiatives.phase_log import phase_change_record
from projects.models import Project

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


def project_in(org, title, phase="concept", visibility="organisation"):
    initiative = Initiative.objects.create(organisation=org, title=title)
    project = Project.objects.create(initiative=initiative, organisation=org, title=title,
                                     need="Behov", visibility=visibility)
    phase_change_record(initiative=initiative, to_phase=phase, actor=None,
                        effective_date=datetime.date.today() - datetime.timedelta(days=400))
    return project


def decide(page, to_phase, *, rationale="", stop_reason="", lesson=""):
    form = page.locator("form[action$='/decide/']")
    form.locator("select[name=to_phase]").select_option(to_phase)
    if rationale:
        form.locator("textarea[name=rationale]").fill(rationale)
    if stop_reason:
        form.locator("select[name=stop_reason]").select_option(stop_reason)
    if lesson:
        form.locator("textarea[name=lesson_learned]").fill(lesson)
    with page.expect_navigation():
        form.get_by_role("button", name="Registrer beslutning").click()


def current_phase(page) -> str:
    return page.locator(".phase-bar [aria-current=step] .phase-step__label").inner_text()


def test_the_manager_takes_projects_through_their_gates(open_page, manager, home_org):
    journey = project_in(home_org, "Digitalt nattilsyn")
    shelved = project_in(home_org, "Medisindispenser", phase="pilot")
    failed = project_in(home_org, "Robotstøvsuger i bofellesskap", phase="pilot")
    page = open_page(manager)

    page.goto(f"/projects/{journey.pk}/")
    assert current_phase(page) == "Konsept"
    for phase, label in [("pilot", "Utprøving"), ("implementation", "Implementering"),
                         ("benefit_realisation", "Gevinstrealisering"),
                         ("spread", "Spredning")]:
        decide(page, phase, rationale="Sjekklisten er gått gjennom i styringsgruppen.")
        assert current_phase(page) == label
    assert [c.to_phase for c in PhaseChange.objects.filter(initiative=journey.initiative)] == [
        "concept", "pilot", "implementation", "benefit_realisation", "spread"]
    expect(page.locator(".timeline").get_by_text("Spredning").first).to_be_visible()

    page.goto(f"/projects/{shelved.pk}/")
    decide(page, "parked", rationale="Venter på ny avtale med leverandøren.")
    expect(page.get_by_text("Prosjektet er parkert")).to_be_visible()
    decide(page, "pilot")
    assert current_phase(page) == "Utprøving"

    page.goto(f"/projects/{failed.pk}/")
    decide(page, "stopped", stop_reason="no_effect",
           lesson="Brukerne ble urolige av lyden; prøv heller i dagtid.")
    expect(page.get_by_text("Prosjektet er stoppet")).to_be_visible()
    stop = PhaseChange.objects.get(initiative=failed.initiative, to_phase="stopped")
    assert (stop.stop_reason, stop.decided_by) == ("no_effect", manager)


def test_another_municipality_finds_a_shared_project_and_adopts_it(open_page, outsider,
                                                                    home_org, manager):
    shared = project_in(home_org, "Elektroniske dørlåser i hjemmetjenesten",
                        phase="implementation", visibility="public")
    project_in(home_org, "Intern rutineendring")  # not shared: never in the catalogue
    page = open_page(outsider)
    page.goto("/projects/catalogue/")
    assert page.get_by_role("link", name="Intern rutineendring").count() == 0
    page.get_by_label("Søk").fill("dørlåser")
    # The filter is a GET form: wait for its page, or the link below may be clicked on the
    # page that is being replaced (the click is then lost with the old page).
    with page.expect_navigation():
        page.get_by_role("button", name="Filtrer").click()
    with page.expect_navigation():
        page.get_by_role("link", name=shared.title).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Adopter").click()
    adopted = Project.objects.get(adopted_from=shared)
    assert adopted.organisation == outsider.memberships.get().organisation
    assert page.url.endswith(f"/projects/{adopted.pk}/")

    page = open_page(manager)
    page.goto(f"/projects/{shared.pk}/")
    expect(page.get_by_text(adopted.organisation.name).first).to_be_visible()
