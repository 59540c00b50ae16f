"""The language switch in a real browser: a signed-in employee presses «Nynorsk» in the header
and reads the site in nynorsk, keeps it on the next page and in a new browser session, and the
nynorsk pages are as clean for axe-core (WCAG 2.1 A/AA) as the bokmål ones."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.ideas.factories import make_idea

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).resolve().parents[2] / "static/vendor/axe-core/axe.min.js").read_text()


def axe_violations(page) -> list[str]:
    # evaluate() goes through the DevTools protocol, so the page's CSP does not block axe.
    page.evaluate(AXE)
    result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    return [f"{v['id']}: {v['help']}" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def test_switching_to_nynorsk_in_the_header(open_page, employee, home_org):
    make_idea(employee, home_org, status="submitted", title="Sensor om natta")
    page = open_page(employee)
    page.goto("/ideas/")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", level=1)).to_have_text("Idéer")

    # A signed-in user finds the language choice in the user menu (it is kept per user).
    page.locator("header .user-menu > summary").click()
    with page.expect_navigation():
        page.locator("header").get_by_role("button", name="Nynorsk").click()
    # Back on the same page, now in nynorsk.
    assert page.url.endswith("/ideas/")
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    expect(page.get_by_role("heading", level=1)).to_have_text("Idear")
    nav = page.get_by_role("navigation", name="Hovudmeny")
    expect(nav.get_by_role("link", name="Prosjekt", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Hopp til hovudinnhaldet")).to_be_attached()
    page.locator("header .user-menu > summary").click()
    expect(page.locator("header").get_by_role("button", name="Bokmål")).to_be_visible()
    page.keyboard.press("Escape")  # the open user menu would cover the page
    assert axe_violations(page) == []

    page.get_by_role("link", name="Ny idé").first.click()
    page.wait_for_url("**/ideas/new/")
    expect(page.get_by_text("Ikkje skriv inn pasientopplysningar")).to_be_visible()
    assert axe_violations(page) == []

    employee.refresh_from_db()
    assert employee.language == "nn"
    # A new browser (no language cookie) with the same user: still nynorsk.
    again = open_page(employee)
    again.goto("/")
    expect(again.locator("html")).to_have_attribute("lang", "nn")
