"""Issue 16: the point scheme is edited in a form, in the browser at desktop width and at
375 px: Norwegian numbers per phase, a confirmation of what changes, the new version saved."""

import pytest
from playwright.sync_api import expect

from indicators.models import PointScheme
from tests.browser.test_accessibility import axe_problems
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [pytest.param(1280, id="desktop"), pytest.param(375, id="375px")])
def test_an_operator_fills_the_scheme_form_and_confirms(open_page, width):
    operator = UserFactory(is_superuser=True, is_staff=True)
    page = open_page(operator, bypass_csp=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/indicators/schemes/")
    expect(page.get_by_role("columnheader", name="Gevinstrealisering").first).to_be_visible()
    points = page.get_by_role("group", name="Aktivitetspoeng per fase")
    pilot = points.get_by_label("Utprøving")
    assert pilot.input_value() == "4" and pilot.get_attribute("inputmode") == "decimal"
    pilot.fill("4,5")
    page.get_by_role("group", name="Nyttevekt per fase").get_by_label("Konsept").fill("0,3")
    page.get_by_label("Gjelder fra").fill("2026-01-01")
    page.get_by_label("Hva er endret, og hvorfor").fill("Utprøving teller mer")
    problems = axe_problems(page, "scheme form")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    with page.expect_navigation():
        page.get_by_role("button", name="Se over endringene").click()

    changes = page.locator(".scheme-changes")
    expect(changes.get_by_role("row", name="Poeng: Utprøving 4 4,5")).to_be_visible()
    expect(changes.get_by_role("row", name="Nyttevekt: Konsept 0,25 0,3")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    problems += axe_problems(page, "scheme confirmation")
    assert not problems, "axe-core found:\n" + "\n".join(problems)
    assert PointScheme.objects.count() == 1  # nothing saved before the confirmation
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre ny versjon").click()
    expect(page.get_by_text("Poengmodellen standard-2 er lagret.")).to_be_visible()
    scheme = PointScheme.objects.get(version=2)
    assert (scheme.phase_points["pilot"], scheme.benefit_weights["concept"]) == (4.5, 0.3)
